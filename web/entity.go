package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/internal/humanize"
	"github.com/gorilla/mux"
)

// Limits on what an entity page shows.
const (
	maxNeighbours  = 60
	maxRules       = 25
	maxDefinition  = 16 << 10
	maxMembersShow = 25
)

type entityView struct {
	entityRow
	Ref        string
	Facts      []fact
	Owners     []ownerView
	Docs       []catalog.Link
	Links      []catalog.Link
	Graph      graph
	Narrow     graph
	Relations  []relGroup
	Declared   link
	Repo       *repoView
	Rules      []ruleView
	MoreRules  int
	RulesURL   string
	Check      *checkView
	Usage      []usageRow
	UsageWeeks string
	Definition string
	DefCut     bool
}

type fact struct {
	Label, Value, URL string
}

type ownerView struct {
	catalog.Owner
	URL      string
	SlackURL string
	Members  []memberView
}

type memberView struct {
	Name, Email, URL string
}

type relGroup struct {
	Type  string
	Items []neighbour
}

type repoView struct {
	FullName, URL, Status, StatusLabel string
	Archived                           bool
}

type ruleView struct {
	Line    int
	Pattern string
	Owners  []string
	URL     string
	Covers  bool // the rule GitHub applies to the catalog file
}

type checkView struct {
	Outcome, Label, When, Actor, URL string
}

type usageRow struct {
	Plugin string
	Total  int
	Bars   sparkline
}

func (s *Site) entity(w http.ResponseWriter, r *http.Request, sess *Session) error {
	vars := mux.Vars(r)
	ref := catalog.Ref{Kind: vars["kind"], Namespace: vars["namespace"], Name: vars["name"]}
	if len(ref.String()) > 512 {
		return notFoundPage("No such entity", "That is not an entity ref callboard could hold.", nil)
	}
	ctx := r.Context()
	e, err := s.cfg.Store.Entity(ctx, ref)
	if errors.Is(err, catalog.ErrNotFound) {
		return s.missing(w, r, ref)
	}
	if err != nil {
		return err
	}
	if p := EntityPath(e.Ref()); p != r.URL.Path && strings.HasPrefix(p, "/teams/") {
		http.Redirect(w, r, p, http.StatusMovedPermanently)
		return nil
	}
	// The owner answer, exactly as /owner and the CLI give it.
	a, err := catalog.FindOwner(ctx, s.cfg.Store, e.Ref().String())
	if err != nil {
		return err
	}
	v := newEntityView(e, a)
	if err := s.relations(r, e, &v); err != nil {
		return err
	}
	if err := s.declared(ctx, e, a.SourceURL, &v); err != nil {
		return err
	}
	var usageOf = []string{v.Ref}
	if repo := a.Repository; repo != nil {
		usageOf = append(usageOf, repo.FullName)
		if err := s.entityRepo(ctx, repo, &v); err != nil {
			return err
		}
	}
	if v.Usage, v.UsageWeeks, err = s.usageRows(r, usageOf); err != nil {
		return err
	}
	s.usage.add(catalog.UsageEvent{Plugin: PluginWeb, Action: "entity", Actor: sess.Login, Entity: v.Ref, At: s.cfg.Now(), Outcome: catalog.OutcomeAnswered})
	return s.render(w, r, http.StatusOK, "entity", &view{Title: v.Title, Nav: "catalog", Session: sess, Data: v})
}

// newEntityView is what an entity's page shows from the entity and its
// owner answer alone.
func newEntityView(e *catalog.Entity, a *catalog.OwnerAnswer) entityView {
	v := entityView{entityRow: rowOf(e), Ref: e.Ref().String(), Docs: a.Docs}
	v.Facts = facts(e)
	for _, l := range e.Metadata.Links {
		if !slices.ContainsFunc(a.Docs, func(d catalog.Link) bool { return d.URL == l.URL }) {
			v.Links = append(v.Links, l)
		}
	}
	if !a.Team {
		for _, o := range a.Owners {
			v.Owners = append(v.Owners, ownerOf(o))
		}
	}
	if def := e.SpecString("definition"); def != "" && strings.EqualFold(e.Kind, "API") {
		v.Definition = def
		if len(def) > maxDefinition {
			v.Definition, v.DefCut = def[:maxDefinition], true
		}
	}
	return v
}

// declared links the file (and, on GitHub, the line) that declares e.
func (s *Site) declared(ctx context.Context, e *catalog.Entity, sourceURL string, v *entityView) error {
	if sourceURL == "" {
		return nil
	}
	v.Declared = link{Label: declaredLabel(sourceURL), URL: sourceURL}
	line, err := s.cfg.Store.DeclaredLine(ctx, e.Ref())
	if err != nil {
		return err
	}
	if line > 0 && strings.HasPrefix(sourceURL, "https://") {
		v.Declared.URL += "#L" + strconv.Itoa(line)
		v.Declared.Label += " line " + strconv.Itoa(line)
	}
	return nil
}

// entityRepo is the entity's repository: its status, CODEOWNERS rules and
// the latest pull-request check.
func (s *Site) entityRepo(ctx context.Context, repo *catalog.Repository, v *entityView) error {
	st := catalog.RepoStatusOf(repo)
	v.Repo = &repoView{FullName: repo.FullName, URL: repo.URL(), Status: st, StatusLabel: statusLabel(st), Archived: repo.Archived}
	if repo.Codeowners != nil {
		v.RulesURL = repo.BlobURL(repo.CodeownersPath)
		covering, hasCover := catalog.RootOwners(repo)
		for i, rule := range repo.Codeowners.Rules {
			if i == maxRules {
				v.MoreRules = len(repo.Codeowners.Rules) - maxRules
				break
			}
			v.Rules = append(v.Rules, ruleView{Line: rule.Line, Pattern: rule.Pattern, Owners: rule.Owners,
				URL: fmt.Sprintf("%s#L%d", v.RulesURL, rule.Line), Covers: hasCover && covering.Line == rule.Line})
		}
	}
	last, err := s.cfg.Store.LatestUsage(ctx, catalog.PluginPRCheck, repo.FullName)
	if err != nil {
		return err
	}
	if last != nil {
		v.Check = &checkView{Outcome: last.Outcome, Label: checkLabel(last.Outcome), When: humanize.Ago(s.cfg.Now(), last.At),
			Actor: last.Actor, URL: repo.URL() + "/pulls"}
	}
	return nil
}

// missing is the page of an entity the catalog does not hold: the closest
// names, as /owner offers them.
func (s *Site) missing(w http.ResponseWriter, r *http.Request, ref catalog.Ref) error {
	names, err := s.cfg.Store.Names(r.Context())
	if err != nil {
		return err
	}
	var sug []link
	for _, n := range catalog.Suggest(ref.Name, names, 5) {
		sug = append(sug, link{Label: n, URL: "/?q=" + url.QueryEscape(n)})
	}
	return notFoundPage("No such entity", fmt.Sprintf("The catalog holds no %s.", ref), sug)
}

// facts are the entity's spec fields a reader looks for first.
func facts(e *catalog.Entity) []fact {
	var out []fact
	add := func(label, value, url string) {
		if value != "" {
			out = append(out, fact{label, value, url})
		}
	}
	add("Kind", catalog.CanonicalKind(e.Kind), "")
	add("Type", e.SpecString("type"), "")
	add("Lifecycle", e.SpecString("lifecycle"), "")
	ns := e.Ref().Namespace
	for _, k := range []struct{ field, label, kind string }{
		{"system", "System", "System"}, {"domain", "Domain", "Domain"}, {"parent", "Parent team", "Group"},
		{"subcomponentOf", "Part of", "Component"}, {"subdomainOf", "Part of", "Domain"},
	} {
		if v := e.SpecString(k.field); v != "" {
			ref, err := catalog.ParseRef(v, catalog.RefDefaults{Kind: k.kind, Namespace: ns})
			if err == nil {
				add(k.label, ref.Name, EntityPath(ref))
			}
		}
	}
	if ns != catalog.DefaultNamespace {
		add("Namespace", ns, "")
	}
	return out
}

func ownerOf(o catalog.Owner) ownerView {
	ov := ownerView{Owner: o}
	if o.Known {
		if ref, err := catalog.ParseRef(o.Ref, catalog.RefDefaults{}); err == nil {
			ov.URL = EntityPath(ref)
		}
	}
	if name := strings.TrimPrefix(o.SlackChannel, "#"); name != "" {
		ov.SlackURL = "https://slack.com/app_redirect?channel=" + url.QueryEscape(o.SlackChannelID)
		if o.SlackChannelID == "" {
			ov.SlackURL = "https://slack.com/app_redirect?channel=" + url.QueryEscape(name)
		}
	}
	for _, m := range o.Members {
		ov.Members = append(ov.Members, memberView{Name: m.DisplayName, Email: m.Email, URL: refPath(m.Ref)})
	}
	return ov
}

// declaredLabel shortens a managed-by-location URL for reading:
// "acme/payments-api · catalog-info.yaml".
func declaredLabel(u string) string {
	if rest, ok := strings.CutPrefix(u, "https://github.com/"); ok {
		parts := strings.SplitN(rest, "/", 5)
		if len(parts) == 5 && parts[2] == "blob" {
			return parts[0] + "/" + parts[1] + " · " + parts[4]
		}
	}
	return u
}

// relations fills the graph and the grouped list of the entity's neighbours.
func (s *Site) relations(r *http.Request, e *catalog.Entity, v *entityView) error {
	var refs []string
	for _, rel := range e.Relations {
		if !slices.Contains(refs, rel.TargetRef) && len(refs) < maxNeighbours {
			refs = append(refs, rel.TargetRef)
		}
	}
	found, err := s.cfg.Store.EntitiesByRefs(r.Context(), refs)
	if err != nil {
		return err
	}
	byRef := map[string]*catalog.Entity{}
	for i, f := range found {
		if f != nil {
			byRef[refs[i]] = f
		}
	}
	var nodes []neighbour
	for _, rel := range e.Relations {
		n := neighbour{Rel: rel.Type, Ref: rel.TargetRef, Kind: refKind(rel.TargetRef), Name: refName(rel.TargetRef)}
		if t := byRef[rel.TargetRef]; t != nil {
			n.Name, n.URL = t.DisplayName(), EntityPath(t.Ref())
		}
		nodes = append(nodes, n)
		i := slices.IndexFunc(v.Relations, func(g relGroup) bool { return g.Type == rel.Type })
		if i < 0 {
			v.Relations = append(v.Relations, relGroup{Type: rel.Type})
			i = len(v.Relations) - 1
		}
		v.Relations[i].Items = append(v.Relations[i].Items, n)
	}
	center := neighbour{Kind: catalog.CanonicalKind(e.Kind), Name: e.DisplayName()}
	v.Graph = layoutWide(center, nodes)
	v.Narrow = layoutNarrow(center, nodes)
	return nil
}

// usageRows counts the usage of entities per plugin over the digest's last
// eight weeks, this one included.
func (s *Site) usageRows(r *http.Request, entities []string) ([]usageRow, string, error) {
	dg := s.cfg.Digest
	loc := dg.Location()
	this := dg.ThisWeek()
	var bounds []time.Time
	var weeks []digest.Week
	for i := digest.TrendWeeks - 1; i >= 0; i-- {
		w := this.Add(-i)
		weeks = append(weeks, w)
		bounds = append(bounds, w.Start(loc))
	}
	bounds = append(bounds, this.End(loc))
	counts, err := s.cfg.Store.UsageOfEntities(r.Context(), entities, bounds)
	if err != nil {
		return nil, "", err
	}
	var rows []usageRow
	for _, p := range slices.Sorted(maps.Keys(counts)) {
		row := usageRow{Plugin: p}
		for _, n := range counts[p] {
			row.Total += n
		}
		row.Bars = newSparkline(counts[p], weeks)
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b usageRow) int { return b.Total - a.Total })
	return rows, weeks[0].String() + " to " + weeks[len(weeks)-1].String(), nil
}
