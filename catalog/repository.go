package catalog

import (
	"strings"
	"time"
)

// Catalog status of a repository.
const (
	StatusRegistered = "registered" // a valid catalog file declared entities
	StatusMissing    = "missing"    // no catalog file
	StatusInvalid    = "invalid"    // a catalog file that does not validate
)

// Repository is a repository callboard knows, whether or not it has a catalog
// file. It is not an entity: the Backstage-compatible API never serves it.
type Repository struct {
	GitHubID        int64
	FullName        string // org/repo
	Description     string
	HTMLURL         string
	DefaultBranch   string
	Private         bool
	Archived        bool
	Source          string // the entities source its files feed
	CatalogPath     string
	CatalogFiles    []string // every catalog file read: the root one and its Location targets
	CatalogStatus   string
	CatalogProblems []Problem
	CodeownersPath  string
	Codeowners      *Codeowners
	UpdatedAt       time.Time
	// ArchivedAt is when callboard saw the repository archived (zero when
	// it is not, or the time is unknown), and FormerOwners the owner refs
	// its entities named then: they leave the catalog, who owned them stays.
	ArchivedAt   time.Time
	FormerOwners []string
}

// RecordArchive notes, on a repository being archived, when and who owned
// its entities (the owners of the entities its files declared), unless an
// earlier delivery of the same archive already did. Unarchived, it forgets.
func (r *Repository) RecordArchive(at time.Time, entities []*Entity) {
	if !r.Archived {
		r.ArchivedAt, r.FormerOwners = time.Time{}, nil
		return
	}
	if !r.ArchivedAt.IsZero() || len(r.FormerOwners) > 0 {
		return
	}
	r.ArchivedAt = at
	seen := map[string]bool{}
	for _, e := range preferredFirst(entities) {
		if ref, ok := e.OwnerRef(); ok && !seen[ref.String()] {
			seen[ref.String()] = true
			r.FormerOwners = append(r.FormerOwners, ref.String())
		}
	}
}

// Org is the owner part of FullName.
func (r *Repository) Org() string {
	org, _, ok := strings.Cut(r.FullName, "/")
	if !ok {
		return ""
	}
	return org
}

// Name is the repository part of FullName.
func (r *Repository) Name() string {
	if _, name, ok := strings.Cut(r.FullName, "/"); ok {
		return name
	}
	return r.FullName
}

// URL is the repository's web address.
func (r *Repository) URL() string {
	if r.HTMLURL != "" {
		return r.HTMLURL
	}
	return "https://github.com/" + r.FullName
}

// BlobURL is the web address of a file on the default branch.
func (r *Repository) BlobURL(path string) string {
	branch := r.DefaultBranch
	if branch == "" {
		branch = "main"
	}
	return r.URL() + "/blob/" + branch + "/" + path
}
