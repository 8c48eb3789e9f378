package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/gorilla/mux"
)

// maxOwned bounds what a team page lists; the rest is counted.
const maxOwned = 500

type teamView struct {
	Row        entityRow
	Ref        string
	Owner      ownerView
	Parent     *link
	Children   []link
	Groups     []kindGroup
	Owned      int
	MoreOwned  int
	Gaps       []gapRow
	GapCounts  gapCounts
	Proposals  []Proposal
	GitHubTeam string
}

type kindGroup struct {
	Kind    string
	Label   string
	Entries []ownedRow
}

type ownedRow struct {
	entityRow
	Repo string
	Gaps []string
}

// gapRow is an owned entity with what it lacks.
type gapRow struct {
	Name, URL string
	Gaps      []string
}

type gapCounts struct {
	NoDocs, Codeowners, NoLifecycle int
}

// Coverage gaps a team page names.
const (
	gapNoDocs     = "no docs"
	gapLifecycle  = "lifecycle missing"
	gapNoCO       = "no CODEOWNERS"
	gapCOMismatch = "CODEOWNERS names another owner"
)

// kindOrder is the order a team's entities are grouped in.
var kindOrder = []string{"System", "Component", "API", "Resource", "Domain", "Template"}

func (s *Site) team(w http.ResponseWriter, r *http.Request, sess *Session) error {
	ctx := r.Context()
	ref := catalog.Ref{Kind: "Group", Namespace: catalog.DefaultNamespace, Name: mux.Vars(r)["name"]}
	if len(ref.Name) > 256 {
		return notFoundPage("No such team", "That is not a team name callboard could hold.", nil)
	}
	e, err := s.cfg.Store.EntityWithoutRelations(ctx, ref)
	if errors.Is(err, catalog.ErrNotFound) {
		return s.missing(w, r, ref)
	}
	if err != nil {
		return err
	}
	a, err := catalog.FindOwner(ctx, s.cfg.Store, e.Ref().String())
	if err != nil {
		return err
	}
	v := teamView{Row: rowOf(e), Ref: e.Ref().String(), GitHubTeam: e.Metadata.Annotations[catalog.AnnotationTeamSlug]}
	if len(a.Owners) > 0 {
		v.Owner = ownerOf(a.Owners[0])
	}
	if err := s.teamFamily(ctx, e, &v); err != nil {
		return err
	}
	if err := s.teamOwned(ctx, e, &v); err != nil {
		return err
	}
	if v.Proposals, err = s.cfg.Onboarding.OpenProposals(ctx, e.Ref()); err != nil {
		return err
	}
	s.usage.add(catalog.UsageEvent{Plugin: PluginWeb, Action: "team", Actor: sess.Login, Entity: v.Ref, At: s.cfg.Now(), Outcome: catalog.OutcomeAnswered})
	return s.render(w, r, http.StatusOK, "team", &view{Title: v.Row.Title, Nav: "teams", Session: sess, Data: v})
}

// teamFamily links a team's parent and children.
func (s *Site) teamFamily(ctx context.Context, e *catalog.Entity, v *teamView) error {
	if p := e.SpecString("parent"); p != "" {
		if pr, err := catalog.ParseRef(p, catalog.RefDefaults{Kind: "Group", Namespace: e.Ref().Namespace}); err == nil {
			v.Parent = &link{Label: pr.Name, URL: EntityPath(pr)}
		}
	}
	children, err := s.cfg.Store.RelatedRefs(ctx, e.Ref(), catalog.RelParentOf)
	if err != nil {
		return err
	}
	for _, c := range children {
		v.Children = append(v.Children, link{Label: refName(c), URL: refPath(c)})
	}
	return nil
}

// teamOwned lists everything the team owns, by the same relation the owner
// answer reads, grouped by kind, with what each lacks.
func (s *Site) teamOwned(ctx context.Context, e *catalog.Entity, v *teamView) error {
	refs, err := s.cfg.Store.RelatedRefs(ctx, e.Ref(), catalog.RelOwnerOf)
	if err != nil {
		return err
	}
	v.Owned = len(refs)
	if len(refs) > maxOwned {
		v.MoreOwned, refs = len(refs)-maxOwned, refs[:maxOwned]
	}
	owned, err := s.cfg.Store.EntitiesByRefs(ctx, refs)
	if err != nil {
		return err
	}
	repos := map[string]*catalog.Repository{} // by lower-case slug; nil: not recorded
	for _, o := range owned {
		if o == nil {
			continue
		}
		slug := o.Metadata.Annotations[catalog.AnnotationProjectSlug]
		if _, seen := repos[strings.ToLower(slug)]; slug != "" && !seen {
			repo, err := s.cfg.Store.Repository(ctx, slug)
			switch {
			case err == nil:
				repos[strings.ToLower(slug)] = repo
			case errors.Is(err, catalog.ErrNotFound):
				repos[strings.ToLower(slug)] = nil
			default:
				return err
			}
		}
		row := ownedRow{entityRow: rowOf(o), Repo: slug}
		row.Gaps = gapsOf(o, repos[strings.ToLower(slug)], v.GitHubTeam)
		v.add(catalog.CanonicalKind(o.Kind), row)
	}
	slices.SortStableFunc(v.Groups, func(a, b kindGroup) int { return kindRank(a.Kind) - kindRank(b.Kind) })
	for i := range v.Groups {
		v.Groups[i].Label = kindPlural(v.Groups[i].Kind, len(v.Groups[i].Entries))
	}
	return nil
}

// add puts an owned entity in its kind's group and counts its gaps.
func (v *teamView) add(kind string, row ownedRow) {
	if len(row.Gaps) > 0 {
		v.Gaps = append(v.Gaps, gapRow{Name: row.Title, URL: row.URL, Gaps: row.Gaps})
		for _, g := range row.Gaps {
			switch g {
			case gapNoDocs:
				v.GapCounts.NoDocs++
			case gapLifecycle:
				v.GapCounts.NoLifecycle++
			default:
				v.GapCounts.Codeowners++
			}
		}
	}
	i := slices.IndexFunc(v.Groups, func(g kindGroup) bool { return g.Kind == kind })
	if i < 0 {
		v.Groups = append(v.Groups, kindGroup{Kind: kind})
		i = len(v.Groups) - 1
	}
	v.Groups[i].Entries = append(v.Groups[i].Entries, row)
}

func kindRank(k string) int {
	if i := slices.Index(kindOrder, k); i >= 0 {
		return i
	}
	return len(kindOrder)
}

// gapsOf names what an owned entity lacks: docs (for what has code),
// a lifecycle (where Backstage defines one), and a CODEOWNERS file whose
// root owner is the team that owns it in the catalog.
func gapsOf(e *catalog.Entity, repo *catalog.Repository, teamSlug string) []string {
	var gaps []string
	kind := catalog.CanonicalKind(e.Kind)
	if (kind == "Component" || kind == "API") && !catalog.HasDocs(e) {
		gaps = append(gaps, gapNoDocs)
	}
	if (kind == "Component" || kind == "API") && e.SpecString("lifecycle") == "" {
		gaps = append(gaps, gapLifecycle)
	}
	if repo == nil || teamSlug == "" {
		return gaps
	}
	rule, ok := catalog.RootOwners(repo)
	switch {
	case repo.Codeowners == nil:
		gaps = append(gaps, gapNoCO)
	case !ok || !slices.ContainsFunc(rule.Owners, func(o string) bool { return strings.EqualFold(o, "@"+teamSlug) }):
		gaps = append(gaps, gapCOMismatch)
	}
	return gaps
}
