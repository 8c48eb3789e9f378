package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/humanize"
)

// Limits on what the home page lists.
const (
	maxQuery   = 200
	maxResults = 50
	maxTeams   = 200
)

type homeView struct {
	Query       string
	Searched    bool
	Results     []entityRow
	Suggestions []link

	Coverage                catalog.Coverage
	MeasuredAt              string
	CodeownersOnly, Nothing int // repositories without a catalog file
	Kinds                   []kindCount

	Week                  string
	Events, People, PrevE int
	Partial               bool

	Teams     []teamChip
	MoreTeams int
}

// entityRow is an entity as lists show it.
type entityRow struct {
	Kind, Type, Name, Title, Description, URL string
	Owner                                     link
	Lifecycle                                 string
	Tags                                      []string
}

type kindCount struct {
	Label string
	N     int
}

type teamChip struct {
	Name, URL string
	Owns      int
}

func (s *Site) home(w http.ResponseWriter, r *http.Request, sess *Session) error {
	ctx := r.Context()
	v := homeView{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if len(v.Query) > maxQuery {
		v.Query = v.Query[:maxQuery]
	}
	if v.Query != "" {
		v.Searched = true
		if err := s.homeSearch(ctx, sess, &v); err != nil {
			return err
		}
	}
	for _, fill := range []func(context.Context, *homeView) error{s.homeCoverage, s.homeUsage, s.homeTeams} {
		if err := fill(ctx, &v); err != nil {
			return err
		}
	}
	title := "Catalog"
	if v.Searched {
		title = "Search: " + v.Query
	}
	return s.render(w, r, http.StatusOK, "home", &view{Title: title, Nav: "catalog", Session: sess, Data: v})
}

// homeSearch finds the query, or suggests names close to it.
func (s *Site) homeSearch(ctx context.Context, sess *Session, v *homeView) error {
	es, err := s.cfg.Store.Search(ctx, v.Query, maxResults)
	if err != nil {
		return err
	}
	for _, e := range es {
		v.Results = append(v.Results, rowOf(e))
	}
	if len(es) == 0 {
		names, err := s.cfg.Store.Names(ctx)
		if err != nil {
			return err
		}
		for _, n := range catalog.Suggest(v.Query, names, 5) {
			v.Suggestions = append(v.Suggestions, link{Label: n, URL: "/?q=" + url.QueryEscape(n)})
		}
	}
	s.usage.add(catalog.UsageEvent{Plugin: PluginWeb, Action: "search", Actor: sess.Login, At: s.cfg.Now(),
		Outcome: answered(len(es) > 0), Detail: truncate(v.Query, 200)})
	return nil
}

// homeCoverage is the measured coverage, the repositories without a
// catalog file and the entities of each kind.
func (s *Site) homeCoverage(ctx context.Context, v *homeView) error {
	cov, at, err := s.cov.Measured(ctx)
	if err != nil {
		return err
	}
	v.Coverage, v.MeasuredAt = cov, humanize.Ago(time.Now(), at)
	// The live counts of the repositories page, beside the measured coverage.
	repos, err := s.cfg.Store.RepositoryList(ctx, catalog.RepoListQuery{Limit: 1})
	if err != nil {
		return err
	}
	v.CodeownersOnly, v.Nothing = repos.ByStatus[catalog.RepoCodeowners], repos.ByStatus[catalog.RepoNothing]
	kinds, err := s.cfg.Store.KindCounts(ctx)
	if err != nil {
		return err
	}
	for _, k := range []string{"component", "api", "resource", "system", "domain", "group", "user", "template"} {
		if n := kinds[k]; n > 0 {
			v.Kinds = append(v.Kinds, kindCount{Label: kindPlural(k, n), N: n})
		}
	}
	return nil
}

// homeUsage is this week's usage so far, and last week's.
func (s *Site) homeUsage(ctx context.Context, v *homeView) error {
	var err error
	dg := s.cfg.Digest
	week := dg.ThisWeek()
	v.Week = week.String()
	loc := dg.Location()
	if v.Events, v.People, err = s.cfg.Store.UsageTotals(ctx, week.Start(loc), week.End(loc)); err != nil {
		return err
	}
	prev := week.Add(-1)
	byPlugin, err := s.cfg.Store.UsageCounts(ctx, prev.Start(loc), prev.End(loc))
	if err != nil {
		return err
	}
	for _, n := range byPlugin {
		v.PrevE += n
	}
	v.Partial = s.cfg.Now().Before(week.End(loc))
	return nil
}

// homeTeams lists the teams and how much each owns.
func (s *Site) homeTeams(ctx context.Context, v *homeView) error {
	groups, total, err := s.cfg.Store.EntitiesOfKind(ctx, "group", maxTeams)
	if err != nil {
		return err
	}
	owned, err := s.cfg.Store.OwnedCounts(ctx)
	if err != nil {
		return err
	}
	for _, g := range groups {
		// Teams, not the departments and organisations above them.
		if g.SpecString("type") == "team" {
			v.Teams = append(v.Teams, teamChip{Name: g.DisplayName(), URL: EntityPath(g.Ref()), Owns: owned[g.Ref().String()]})
		}
	}
	slices.SortStableFunc(v.Teams, func(a, b teamChip) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	v.MoreTeams = total - len(groups)
	return nil
}

// rowOf is an entity as a list shows it.
func rowOf(e *catalog.Entity) entityRow {
	row := entityRow{Kind: catalog.CanonicalKind(e.Kind), Type: e.SpecString("type"), Name: e.Metadata.Name,
		Title: e.DisplayName(), Description: e.Metadata.Description, URL: EntityPath(e.Ref()),
		Lifecycle: e.SpecString("lifecycle"), Tags: e.Metadata.Tags}
	if ref, ok := e.OwnerRef(); ok {
		row.Owner = link{Label: ref.Name, URL: EntityPath(ref)}
	}
	return row
}

func answered(ok bool) string {
	if ok {
		return catalog.OutcomeAnswered
	}
	return catalog.OutcomeUnanswered
}
