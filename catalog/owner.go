package catalog

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"
)

// OwnerReader is what the owner answer reads; the SQLite store satisfies it.
type OwnerReader interface {
	// EntityWithoutRelations is the entity with ref, without the relations
	// that owner answers do not read: a team that owns hundreds of things
	// is cheap to name.
	EntityWithoutRelations(ctx context.Context, ref Ref) (*Entity, error)
	EntitiesByName(ctx context.Context, name string) ([]*Entity, error)
	EntitiesByRefs(ctx context.Context, refs []string) ([]*Entity, error)
	EntitiesWithAnnotation(ctx context.Context, key, value string) ([]*Entity, error)
	Repository(ctx context.Context, fullName string) (*Repository, error)
	RepositoriesByName(ctx context.Context, name string) ([]*Repository, error)
	RelatedRefs(ctx context.Context, ref Ref, relType string) ([]string, error)
	Names(ctx context.Context) ([]NameEntry, error)
}

// Where an owner answer came from.
const (
	FromCatalog    = "catalog"
	FromCodeowners = "codeowners"
	// FromArchive: the owners the catalog held when the repository was
	// archived (its entities left the catalog then).
	FromArchive = "archive"
)

// Limits on what an answer lists, so a reply stays readable.
const (
	maxMembers     = 25
	maxOwned       = 50
	maxSuggestions = 5
	maxQueryLength = 512
)

// Member is a person in an owning team.
type Member struct {
	Ref         string
	Name        string
	DisplayName string
	Email       string
}

// Owner is who owns something and how to reach them.
type Owner struct {
	Ref          string // group:default/payments; for a CODEOWNERS owner not in the catalog, as written (@org/team)
	Kind         string // Group, User, or "" when not in the catalog
	Name         string
	DisplayName  string
	Email        string
	SlackChannel string // #name, or the channel's id when only that is annotated
	// SlackChannelID is the channel's id (C0123ABCD) when an annotation
	// gives it, so a reply can link the channel itself.
	SlackChannelID string
	GitHubTeam     string // org/slug
	Known          bool   // the owner is an entity in the catalog
	// Suggestions are the closest groups and users, for an owner a catalog
	// file names that the catalog does not hold.
	Suggestions []string
	Members     []Member
	MoreMembers int // members not listed
	OnCall      []Link
	Links       []Link
}

// OwnerAnswer is callboard's answer to "who owns X?".
type OwnerAnswer struct {
	Query string
	// What the answer is about.
	Entity     *Entity
	Repository *Repository
	Path       string // for a URL naming a file or folder
	Team       bool   // the query named a team: Owned lists what it owns

	Owners []Owner
	Source string // FromCatalog or FromCodeowners
	// SourceURL points at the catalog file or the CODEOWNERS line that says so.
	SourceURL string
	RepoURL   string
	Docs      []Link
	Archived  bool
	// ArchivedAt is when the repository was archived, zero when unknown.
	ArchivedAt time.Time

	Owned     []*Entity
	MoreOwned int

	// Suggestions are close matches when nothing was found.
	Suggestions []string
}

// UntilArchived is how an answer about an archived repository ends its
// first line: "until it was archived on 2026-11-02" (without the date when
// callboard did not see it happen).
func (a *OwnerAnswer) UntilArchived() string {
	if a.ArchivedAt.IsZero() {
		return "until it was archived"
	}
	return "until it was archived on " + a.ArchivedAt.UTC().Format(time.DateOnly)
}

// Found reports whether the answer names anything.
func (a *OwnerAnswer) Found() bool {
	return a.Entity != nil || a.Repository != nil
}

// ErrEmptyQuery is returned for a blank question.
var ErrEmptyQuery = errors.New("empty query")

// FindOwner answers "who owns query?", where query is an entity name, an
// entity ref, a repository (repo or org/repo), a GitHub URL (a blob or tree URL
// with a path answers from the CODEOWNERS rule for that path), or a team (then
// the answer also lists what the team owns). A miss returns an answer with
// Suggestions and Found() false, not an error.
func FindOwner(ctx context.Context, r OwnerReader, query string) (*OwnerAnswer, error) {
	q := cleanQuery(query)
	if q == "" {
		return nil, ErrEmptyQuery
	}
	a := &OwnerAnswer{Query: q}
	pq := parseOwnerQuery(q)
	var err error
	switch pq.kind {
	case queryURL:
		err = answerURL(ctx, r, a, pq.text)
	case queryRef:
		err = answerRef(ctx, r, a, pq.text)
	case querySlash:
		err = answerSlash(ctx, r, a, pq.text)
	case queryTeam:
		err = answerHandle(ctx, r, a, "@"+pq.text)
	case queryUser:
		err = answerHandle(ctx, r, a, "@"+pq.text)
	default:
		err = answerName(ctx, r, a, pq.text)
	}
	if err != nil {
		return nil, err
	}
	if !a.Found() {
		a.Suggestions, err = suggest(ctx, r, q)
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// cleanQuery trims, unwraps Slack's <url|label> and backticks, and bounds the length.
func cleanQuery(q string) string {
	q = strings.TrimSpace(q)
	q = strings.Trim(q, "`\"'")
	if strings.HasPrefix(q, "<") && strings.HasSuffix(q, ">") {
		q = strings.TrimSuffix(strings.TrimPrefix(q, "<"), ">")
		if i := strings.IndexByte(q, '|'); i >= 0 {
			q = q[:i]
		}
	}
	if len(q) > maxQueryLength {
		q = q[:maxQueryLength]
	}
	return strings.TrimSpace(q)
}

func notFound(err error) bool { return errors.Is(err, ErrNotFound) }

func answerRef(ctx context.Context, r OwnerReader, a *OwnerAnswer, q string) error {
	ref, err := ParseRef(q, RefDefaults{})
	if err != nil {
		return nil
	}
	e, err := r.EntityWithoutRelations(ctx, ref)
	if notFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return answerEntity(ctx, r, a, e)
}

func answerSlash(ctx context.Context, r OwnerReader, a *OwnerAnswer, q string) error {
	repo, err := r.Repository(ctx, q)
	if err == nil {
		return answerRepo(ctx, r, a, repo)
	}
	if !notFound(err) {
		return err
	}
	// namespace/name
	ns, name, _ := strings.Cut(q, "/")
	es, err := r.EntitiesByName(ctx, name)
	if err != nil {
		return err
	}
	var inNS []*Entity
	for _, e := range es {
		if strings.EqualFold(e.Ref().Namespace, ns) {
			inNS = append(inNS, e)
		}
	}
	if e := preferred(inNS); e != nil {
		return answerEntity(ctx, r, a, e)
	}
	// org/team, a team's slug as GitHub shows it.
	return answerHandle(ctx, r, a, "@"+q)
}

// answerHandle answers for a CODEOWNERS handle, @org/team or @login: the
// group or user it became in the catalog, and what they own.
func answerHandle(ctx context.Context, r OwnerReader, a *OwnerAnswer, handle string) error {
	e, err := handleEntity(ctx, r, handle)
	if err != nil || e == nil {
		return err
	}
	return answerEntity(ctx, r, a, e)
}

// handleEntity is the group a team handle (@org/slug) became — by its
// github.com/team-slug annotation, else by the slug as its name — or the user
// a login (@login) became; nil when the catalog has neither.
func handleEntity(ctx context.Context, r OwnerReader, handle string) (*Entity, error) {
	annotation, value, ref := "", "", Ref{Namespace: DefaultNamespace}
	if slug := TeamSlug(handle); slug != "" {
		annotation, value = AnnotationTeamSlug, strings.ToLower(slug)
		ref.Kind = "group"
		_, ref.Name, _ = strings.Cut(value, "/")
	} else if login := UserLogin(handle); login != "" {
		annotation, value = AnnotationUserLogin, login
		ref.Kind, ref.Name = "user", strings.ToLower(login)
	} else {
		return nil, nil
	}
	es, err := r.EntitiesWithAnnotation(ctx, annotation, value)
	if err != nil || len(es) > 0 {
		if len(es) > 0 {
			return es[0], nil
		}
		return nil, err
	}
	e, err := r.EntityWithoutRelations(ctx, ref)
	if notFound(err) {
		return nil, nil
	}
	return e, err
}

// kindRank orders what a bare name most likely means: a service before a team.
var kindRank = map[string]int{"component": 0, "api": 1, "resource": 2, "system": 3, "domain": 4, "template": 5, "group": 6, "user": 7, "location": 8}

func preferred(es []*Entity) *Entity {
	if len(es) == 0 {
		return nil
	}
	return preferredFirst(es)[0]
}

// preferredFirst sorts es (in place) by what a bare name most likely means.
func preferredFirst(es []*Entity) []*Entity {
	sort.SliceStable(es, func(i, j int) bool {
		ri, rj := rank(es[i]), rank(es[j])
		if ri != rj {
			return ri < rj
		}
		// the default namespace first
		return es[i].Ref().Namespace == DefaultNamespace && es[j].Ref().Namespace != DefaultNamespace
	})
	return es
}

func rank(e *Entity) int {
	if r, ok := kindRank[strings.ToLower(e.Kind)]; ok {
		return r
	}
	return 9
}

func answerName(ctx context.Context, r OwnerReader, a *OwnerAnswer, q string) error {
	es, err := r.EntitiesByName(ctx, q)
	if err != nil {
		return err
	}
	if e := preferred(es); e != nil {
		return answerEntity(ctx, r, a, e)
	}
	repos, err := r.RepositoriesByName(ctx, q)
	if err != nil {
		return err
	}
	if len(repos) > 0 {
		return answerRepo(ctx, r, a, repos[0])
	}
	// A GitHub team slug that became a group under another name.
	return nil
}

func answerEntity(ctx context.Context, r OwnerReader, a *OwnerAnswer, e *Entity) error {
	a.Entity = e
	a.Source = FromCatalog
	a.SourceURL = strings.TrimPrefix(strings.TrimPrefix(e.Metadata.Annotations[AnnotationManagedByLocation], "url:"), "file:")
	if a.RepoURL == "" {
		if err := entityRepository(ctx, r, a, e); err != nil {
			return err
		}
	}
	a.Docs = docsLinks(e, a.RepoURL)
	if kind := strings.ToLower(e.Kind); kind == "group" || kind == "user" {
		return answerTeam(ctx, r, a, e)
	}
	ref, ok := e.OwnerRef()
	if !ok {
		return nil
	}
	oe, err := r.EntityWithoutRelations(ctx, ref)
	if notFound(err) {
		// The catalog file names an owner the catalog does not hold: say so,
		// and offer the closest groups and users, as the PR check does.
		sug, err := ownerSuggestions(ctx, r, ref.Name)
		if err != nil {
			return err
		}
		a.Owners = []Owner{{Ref: ref.String(), Kind: "", Name: ref.Name, DisplayName: ref.Name, Suggestions: sug}}
		return nil
	}
	if err != nil {
		return err
	}
	owner, err := ownerFromEntity(ctx, r, oe)
	if err != nil {
		return err
	}
	a.Owners = []Owner{owner}
	return nil
}

// entityRepository finds the repository an entity's annotations name.
func entityRepository(ctx context.Context, r OwnerReader, a *OwnerAnswer, e *Entity) error {
	slug := e.Metadata.Annotations[AnnotationProjectSlug]
	if slug == "" {
		if src := e.Metadata.Annotations[AnnotationSourceLocation]; src != "" {
			a.RepoURL = strings.TrimPrefix(src, "url:")
		}
		return nil
	}
	a.RepoURL = "https://github.com/" + slug
	if a.Repository != nil {
		return nil
	}
	repo, err := r.Repository(ctx, slug)
	switch {
	case err == nil:
		a.Repository, a.RepoURL = repo, repo.URL()
		a.Archived, a.ArchivedAt = repo.Archived, repo.ArchivedAt
	case !notFound(err):
		return err
	}
	return nil
}

// answerTeam answers for a group or user: itself, and what it owns.
func answerTeam(ctx context.Context, r OwnerReader, a *OwnerAnswer, e *Entity) error {
	a.Team = true
	owner, err := ownerFromEntity(ctx, r, e)
	if err != nil {
		return err
	}
	a.Owners = []Owner{owner}
	refs, err := r.RelatedRefs(ctx, e.Ref(), RelOwnerOf)
	if err != nil {
		return err
	}
	if len(refs) > maxOwned {
		a.MoreOwned = len(refs) - maxOwned
		refs = refs[:maxOwned]
	}
	owned, err := r.EntitiesByRefs(ctx, refs)
	if err != nil {
		return err
	}
	for _, o := range owned {
		if o != nil {
			a.Owned = append(a.Owned, o)
		}
	}
	return nil
}
