package catalog

// A repository's place in the catalog, as the repositories page and the
// digest's "missing" links name it. Archived wins over the rest: an archived
// repository is left out of coverage whatever its files say.
const (
	RepoRegistered = "registered" // a valid catalog file
	RepoInvalid    = "invalid"    // a catalog file that does not validate
	RepoCodeowners = "codeowners" // no catalog file, but CODEOWNERS names an owner
	RepoNothing    = "none"       // neither
	RepoArchived   = "archived"
)

// RepoStatuses are the statuses in the order pages list them.
var RepoStatuses = []string{RepoRegistered, RepoInvalid, RepoCodeowners, RepoNothing, RepoArchived}

// RepoStatusOf says where a repository stands.
func RepoStatusOf(r *Repository) string {
	switch {
	case r.Archived:
		return RepoArchived
	case r.CatalogStatus == StatusRegistered:
		return RepoRegistered
	case r.CatalogStatus == StatusInvalid:
		return RepoInvalid
	case r.Codeowners != nil && len(r.Codeowners.Rules) > 0:
		return RepoCodeowners
	}
	return RepoNothing
}

// Sort orders of a repository listing.
const (
	RepoSortName    = "name"
	RepoSortStatus  = "status"
	RepoSortUpdated = "updated"
)

// RepoListQuery selects a page of repositories.
type RepoListQuery struct {
	Status string // one of RepoStatuses, or "" for all
	Text   string // a part of org/name, case-insensitive
	Sort   string // RepoSortName (default), RepoSortStatus or RepoSortUpdated
	Desc   bool
	Offset int
	Limit  int // at most 200; 50 when 0
}

// RepoListPage is one page of repositories, with how many match and how many
// each status holds (before the status filter, so the filter can show them).
type RepoListPage struct {
	Repositories []*Repository
	Total        int
	ByStatus     map[string]int
	// Owners are, per repository on the page (by FullName), the refs its
	// catalog entities are owned by.
	Owners map[string][]string
}

// RootOwners is who CODEOWNERS says owns the repository as a whole: the
// owners of the rule that covers its catalog file's path (catalog-info.yaml
// when it has none), as the owner answer reads it.
func RootOwners(r *Repository) (CodeownersRule, bool) {
	if r.Codeowners == nil {
		return CodeownersRule{}, false
	}
	return r.Codeowners.Match(rootProbe(r))
}
