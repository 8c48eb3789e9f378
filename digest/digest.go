package digest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
)

// TrendWeeks is how many weeks the trend of each plugin covers, this one included.
const TrendWeeks = 8

// Limits on the lists a digest prints, so a busy week stays readable.
const (
	maxTopActions = 3
	maxQuestions  = 10
	maxListed     = 10
	maxNewcomers  = 10
)

// AnnotationPluginID names, on a catalog entity (usually the Component that
// is the plugin), the usage plugin id(s) it stands for, comma-separated. The
// entity's owner (spec.owner), through its spec.profile.email, receives
// that plugin's section of the digest.
const AnnotationPluginID = "callboard.dev/usage-plugin-id"

// Own reports whether a plugin id is one of callboard's own features, whose
// usage goes to DIGEST_TO rather than to an owner from the catalog.
func Own(plugin string) bool {
	switch plugin {
	case catalog.PluginSlackOwner, catalog.PluginSlackCatalog, catalog.PluginPRCheck, catalog.PluginScaffolder, catalog.PluginCatalogAPI, catalog.PluginWeb,
		catalog.PluginSlackMention, catalog.PluginSlackDM, catalog.PluginSlackHome:
		return true
	}
	return false
}

// Owner is who answers for a plugin: the entity that carries the plugin id
// annotation, and the owner of that entity.
type Owner struct {
	Entity string // the annotated entity's ref
	Ref    string // the owner's ref
	Name   string // the owner's display name
	Email  string // the owner's spec.profile.email; empty when it has none
}

// Input is everything one week's digest is computed from. Build turns it into
// a Digest without I/O.
type Input struct {
	Week     Week
	Location *time.Location
	Now      time.Time // when the digest is made; a week not over yet is partial

	Events     []catalog.UsageEvent // this week's
	PrevEvents []catalog.UsageEvent // the previous week's (for PR checks fixed across the boundary)
	// Weekly holds the events per plugin of the TrendWeeks weeks that end
	// with this one, oldest first.
	Weekly []map[string]int
	Owners map[string]Owner // by plugin id

	Coverage     catalog.Coverage
	PrevCoverage *Snapshot // the latest snapshot of an earlier week; nil when there is none
	NewEntities  []string

	Merges MergeStats
}

// Snapshot is catalog coverage as one week's digest saw it.
type Snapshot struct {
	Week     Week
	TakenAt  time.Time
	Coverage catalog.Coverage
}

// MergeStats is what the merged pull requests say, as the store counts them
// (bots left out).
type MergeStats struct {
	Merges, Authors         int // this week
	PrevMerges, PrevAuthors int // the week before
	// Newcomers are the authors whose first merged PR is recent, with how far
	// they got towards their 10th.
	Newcomers []Newcomer
	// Since is when merges began to be recorded (the earliest stored); zero when none is.
	Since time.Time
	// NewcomersFrom is the earliest first merge that counts as a newcomer's.
	NewcomersFrom time.Time
}

// Newcomer is an engineer whose first merged PR is recent.
type Newcomer struct {
	Login  string
	First  time.Time // first merged PR
	Tenth  time.Time // 10th merged PR; zero while they have fewer
	Merged int       // merged PRs so far, counted up to 10
}

// DaysToTenth is the time from the first to the 10th merged PR, in days.
func (n Newcomer) DaysToTenth() (float64, bool) {
	if n.Tenth.IsZero() {
		return 0, false
	}
	return n.Tenth.Sub(n.First).Hours() / 24, true
}

// Digest is one ISO week's adoption report.
type Digest struct {
	Week        Week
	Zone        string    // the time zone's name
	From, To    time.Time // the week is [From, To) in Zone
	Partial     bool      // the week is not over yet
	GeneratedAt time.Time
	// Scope is empty for the full digest; for an owner's digest it names the
	// owner, and only their plugins are in it.
	Scope string
	// URL is where the digest can be read in a browser; set by the service.
	URL string
	// MissingURLs list, in the web view, the repositories with no catalog
	// file: those with CODEOWNERS only, and those with neither. Set by the
	// service with the base URL.
	MissingURLs *MissingURLs

	Total   Totals
	Plugins []PluginUsage
	Trend   []Week // the weeks of each plugin's Trend, oldest first

	Coverage      CoverageReport
	NewEntities   []string
	Scaffolded    []Scaffolded
	ChecksFailing []string // repositories whose latest check this week failed
	ChecksFixed   []string // repositories whose check went from failing to passing
	Unanswered    []Question
	KPIs          KPIs
}

// MissingURLs are the web view's lists of repositories with no catalog file.
type MissingURLs struct {
	CodeownersOnly, Neither string
}

// Totals sums every plugin's usage.
type Totals struct {
	Events, Users, Prev int
	Change              Change
}

// PluginUsage is one plugin's week.
type PluginUsage struct {
	ID         string
	Own        bool   // one of callboard's features
	Owner      *Owner // from the catalog; nil when no entity claims the plugin
	Events     int
	Users      int
	Prev       int // events the week before
	Change     Change
	Trend      []int // events per week, oldest first, this week last
	TopActions []Count
	Actions    int // distinct actions

	actors map[string]bool
}

// Count is how often something happened.
type Count struct {
	Name  string
	Count int
}

// Scaffolded is a service created from a template.
type Scaffolded struct {
	What  string // the entity ref or repository created, or what the event said
	Actor string
}

// Question is something /owner was asked and could not answer.
type Question struct {
	Text   string
	Count  int // times asked
	Askers int // distinct people
}

// CoverageReport is the catalog's coverage now, against the last snapshot.
type CoverageReport struct {
	Repositories int
	Entities     int
	Invalid      int // repositories whose catalog file does not validate
	Rows         []CoverageRow
	// Since is the week of the snapshot the changes are measured from; nil
	// when there is no earlier snapshot.
	Since           *Week
	RepositoryDelta int
	EntityDelta     int
}

// CoverageRow is one measure of coverage.
type CoverageRow struct {
	Label    string
	Part     int
	Pct      float64
	Delta    float64 // percentage points since the snapshot
	HasDelta bool
}

// KPIs are the measures the merged pull requests support.
type KPIs struct {
	Merges, Authors int
	WorkDays        int     // working days (Monday to Friday) of the week counted
	PerDevPerDay    float64 // merges per active developer per working day
	Prev            float64 // the same, the week before
	HasPrev         bool
	Newcomers       []Newcomer // at most maxNewcomers, earliest first merge first
	MoreNewcomers   int
	Reached         int     // newcomers who reached their 10th merged PR
	MedianDays      float64 // median days from first to 10th merged PR, of those who reached it
	Since           time.Time
	NewcomersFrom   time.Time
}

// Change is this week against the previous one.
type Change struct {
	Pct  float64 // rounded to a whole number
	New  bool    // nothing the week before, something now
	None bool    // nothing either week
}

// ChangeOf compares cur with prev without ever dividing by zero.
func ChangeOf(cur, prev int) Change {
	switch {
	case prev == 0 && cur == 0:
		return Change{None: true}
	case prev == 0:
		return Change{New: true}
	}
	return Change{Pct: math.Round(100 * float64(cur-prev) / float64(prev))}
}

// String reads "+25%", "−10%", "±0%", "new" or "–".
func (c Change) String() string {
	switch {
	case c.None:
		return "–"
	case c.New:
		return "new"
	case c.Pct > 0:
		return fmt.Sprintf("+%.0f%%", c.Pct)
	case c.Pct < 0:
		return fmt.Sprintf("−%.0f%%", -c.Pct)
	}
	return "±0%"
}

// Build computes the digest from its input. It reads the clock only through in.Now.
func Build(in Input) *Digest {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	d := &Digest{
		Week: in.Week, Zone: loc.String(),
		From: in.Week.Start(loc), To: in.Week.End(loc),
		GeneratedAt: in.Now.In(loc),
	}
	d.Partial = in.Now.Before(d.To)
	for i := TrendWeeks - 1; i >= 0; i-- {
		d.Trend = append(d.Trend, in.Week.Add(-i))
	}
	weekly := func(i int, plugin string) int {
		// Weekly may be shorter than TrendWeeks; it ends with this week.
		j := i - (TrendWeeks - len(in.Weekly))
		if j < 0 || j >= len(in.Weekly) {
			return 0
		}
		return in.Weekly[j][plugin]
	}

	byPlugin := map[string][]catalog.UsageEvent{}
	for _, e := range in.Events {
		byPlugin[e.Plugin] = append(byPlugin[e.Plugin], e)
	}
	ids := map[string]bool{}
	for p := range byPlugin {
		ids[p] = true
	}
	for _, w := range in.Weekly {
		for p, n := range w {
			if n > 0 {
				ids[p] = true
			}
		}
	}
	for p := range in.Owners {
		ids[p] = true
	}
	users := map[string]bool{}
	for id := range ids {
		evs := byPlugin[id]
		pu := PluginUsage{ID: id, Own: Own(id), Events: len(evs), actors: actorsOf(evs)}
		pu.Users = len(pu.actors)
		for a := range pu.actors {
			users[a] = true
		}
		if o, ok := in.Owners[id]; ok && !pu.Own {
			pu.Owner = &o
		}
		pu.Trend = make([]int, TrendWeeks)
		for i := range TrendWeeks - 1 {
			pu.Trend[i] = weekly(i, id)
		}
		pu.Trend[TrendWeeks-1] = pu.Events
		pu.Prev = pu.Trend[TrendWeeks-2]
		pu.Change = ChangeOf(pu.Events, pu.Prev)
		actions := map[string]int{}
		for _, e := range evs {
			actions[e.Action]++
		}
		pu.Actions = len(actions)
		pu.TopActions = top(actions, maxTopActions)
		d.Plugins = append(d.Plugins, pu)
		d.Total.Events += pu.Events
		d.Total.Prev += pu.Prev
	}
	slices.SortFunc(d.Plugins, func(a, b PluginUsage) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(b.Prev, a.Prev), cmp.Compare(a.ID, b.ID))
	})
	d.Total.Users = len(users)
	d.Total.Change = ChangeOf(d.Total.Events, d.Total.Prev)

	d.Coverage = coverageReport(in.Coverage, in.PrevCoverage)
	d.NewEntities = slices.Clone(in.NewEntities)
	slices.Sort(d.NewEntities)
	for _, e := range byPlugin[catalog.PluginScaffolder] {
		if e.Outcome != catalog.OutcomeSuccess {
			continue
		}
		what := cmp.Or(e.Entity, e.Detail, e.Action)
		d.Scaffolded = append(d.Scaffolded, Scaffolded{What: what, Actor: e.Actor})
	}
	d.ChecksFailing, d.ChecksFixed = prChecks(in.PrevEvents, byPlugin[catalog.PluginPRCheck])
	d.Unanswered = unanswered(byPlugin[catalog.PluginSlackOwner])
	d.KPIs = kpis(in, d.From, d.To)
	return d
}

func actorsOf(evs []catalog.UsageEvent) map[string]bool {
	seen := map[string]bool{}
	for _, e := range evs {
		if a := strings.ToLower(strings.TrimSpace(e.Actor)); a != "" {
			seen[a] = true
		}
	}
	return seen
}

// top returns the n largest counts, ties in name order.
func top(m map[string]int, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Name: k, Count: v})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name)) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func coverageReport(c catalog.Coverage, prev *Snapshot) CoverageReport {
	r := CoverageReport{Repositories: c.Repositories, Entities: c.Entities, Invalid: c.Invalid}
	row := func(label string, part int, prevPart, prevWhole int) CoverageRow {
		cr := CoverageRow{Label: label, Part: part, Pct: catalog.Percent(part, c.Repositories)}
		if prev != nil {
			cr.HasDelta = true
			cr.Delta = round1(cr.Pct) - round1(catalog.Percent(prevPart, prevWhole))
		}
		return cr
	}
	var p catalog.Coverage
	if prev != nil {
		p = prev.Coverage
		w := prev.Week
		r.Since = &w
		r.RepositoryDelta = c.Repositories - p.Repositories
		r.EntityDelta = c.Entities - p.Entities
	}
	r.Rows = []CoverageRow{
		row("valid catalog file", c.Registered, p.Registered, p.Repositories),
		row("owner resolves", c.Owned, p.Owned, p.Repositories),
		row("documented", c.Documented, p.Documented, p.Repositories),
	}
	return r
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// prChecks reads the pull-request check events: a repository is failing when
// its latest check of the week failed, fixed when its latest check passed
// (success, or neutral: warnings only) after a failure earlier this week or
// as last week's final word.
func prChecks(prev, cur []catalog.UsageEvent) (failing, fixed []string) {
	last := map[string]string{}
	failedBefore := map[string]bool{}
	for _, e := range prev {
		if e.Plugin == catalog.PluginPRCheck && e.Entity != "" {
			last[strings.ToLower(e.Entity)] = e.Outcome
		}
	}
	for repo, o := range last {
		if o == catalog.OutcomeFailure {
			failedBefore[repo] = true
		}
	}
	names := map[string]string{}
	latest := map[string]string{}
	for _, e := range cur { // oldest first
		if e.Entity == "" {
			continue
		}
		k := strings.ToLower(e.Entity)
		names[k] = e.Entity
		if latest[k] == catalog.OutcomeFailure {
			failedBefore[k] = true
		}
		latest[k] = e.Outcome
	}
	for k, o := range latest {
		switch {
		case o == catalog.OutcomeFailure:
			failing = append(failing, names[k])
		case failedBefore[k] && (o == catalog.OutcomeSuccess || o == "neutral"):
			fixed = append(fixed, names[k])
		}
	}
	slices.Sort(failing)
	slices.Sort(fixed)
	return failing, fixed
}

func unanswered(evs []catalog.UsageEvent) []Question {
	type agg struct {
		text   string
		count  int
		askers map[string]bool
	}
	by := map[string]*agg{}
	for _, e := range evs {
		if e.Outcome != catalog.OutcomeUnanswered {
			continue
		}
		text := strings.Join(strings.Fields(e.Detail), " ")
		if text == "" {
			continue
		}
		k := strings.ToLower(text)
		a := by[k]
		if a == nil {
			a = &agg{text: text, askers: map[string]bool{}}
			by[k] = a
		}
		a.count++
		if e.Actor != "" {
			a.askers[strings.ToLower(e.Actor)] = true
		}
	}
	out := make([]Question, 0, len(by))
	for _, a := range by {
		out = append(out, Question{Text: a.text, Count: a.count, Askers: len(a.askers)})
	}
	slices.SortFunc(out, func(a, b Question) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(strings.ToLower(a.Text), strings.ToLower(b.Text)))
	})
	return out
}

// workDays counts the Mondays to Fridays of [from, to) that have begun by now.
func workDays(from, to, now time.Time) int {
	n := 0
	for d := from; d.Before(to) && d.Before(now); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

func kpis(in Input, from, to time.Time) KPIs {
	m := in.Merges
	k := KPIs{Merges: m.Merges, Authors: m.Authors, Since: m.Since, NewcomersFrom: m.NewcomersFrom}
	k.WorkDays = max(workDays(from, to, in.Now), 1)
	if m.Authors > 0 {
		k.PerDevPerDay = float64(m.Merges) / float64(m.Authors) / float64(k.WorkDays)
	}
	if m.PrevAuthors > 0 {
		k.HasPrev = true
		k.Prev = float64(m.PrevMerges) / float64(m.PrevAuthors) / 5
	}
	var days []float64
	for _, n := range m.Newcomers {
		if d, ok := n.DaysToTenth(); ok {
			days = append(days, d)
		}
	}
	k.Reached = len(days)
	k.MedianDays = median(days)
	k.Newcomers = slices.Clone(m.Newcomers)
	slices.SortFunc(k.Newcomers, func(a, b Newcomer) int {
		return cmp.Or(a.First.Compare(b.First), cmp.Compare(a.Login, b.Login))
	})
	if len(k.Newcomers) > maxNewcomers {
		k.MoreNewcomers = len(k.Newcomers) - maxNewcomers
		k.Newcomers = k.Newcomers[:maxNewcomers]
	}
	return k
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ForOwner returns the digest an owner receives: only the plugins whose
// owner's email is email (case-insensitive), without the organisation-wide
// sections. It returns nil when the owner has no plugin.
func (d *Digest) ForOwner(email string) *Digest {
	var ps []PluginUsage
	name := ""
	for _, p := range d.Plugins {
		if p.Owner != nil && strings.EqualFold(p.Owner.Email, email) {
			ps = append(ps, p)
			name = cmp.Or(name, p.Owner.Name)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	o := &Digest{Week: d.Week, Zone: d.Zone, From: d.From, To: d.To, Partial: d.Partial, GeneratedAt: d.GeneratedAt,
		Scope: cmp.Or(name, email), URL: d.URL, Plugins: ps, Trend: d.Trend}
	users := map[string]bool{}
	for _, p := range ps {
		o.Total.Events += p.Events
		o.Total.Prev += p.Prev
		for a := range p.actors {
			users[a] = true
		}
	}
	o.Total.Users = len(users)
	o.Total.Change = ChangeOf(o.Total.Events, o.Total.Prev)
	return o
}

// OwnerEmails returns the distinct owner addresses of the digest's plugins,
// lower-cased and sorted.
func (d *Digest) OwnerEmails() []string {
	var out []string
	for _, p := range d.Plugins {
		if p.Owner != nil && p.Owner.Email != "" {
			out = append(out, strings.ToLower(p.Owner.Email))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
