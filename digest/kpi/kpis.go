package kpi

import (
	"strings"
	"time"
)

// TrendWeeks is how many weeks a KPI's trend covers, this one included.
const TrendWeeks = 8

// Def is one KPI: its key in /api/kpis, its name and unit as people read
// them, what it means and over which window.
type Def struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	Unit       string `json:"unit"`
	Definition string `json:"definition"`
	Window     string `json:"window"`
	// Better is "up" or "down": which way is an improvement.
	Better string `json:"better"`

	compute func(v *view, from, to time.Time) Figure
}

// view is Facts with what several KPIs derive from them, computed once.
type view struct {
	*Facts
	ships   []shipment
	active  map[time.Time][2]Figure // activeUsers by the end of its week
	byLogin map[string]*person      // people(), once
}

// activeUsers is activeUsers of [from, to), computed once for both KPIs.
func (v *view) activeUsers(from, to time.Time) (Figure, Figure) {
	if r, ok := v.active[to]; ok {
		return r[0], r[1]
	}
	m, r := activeUsers(v.Facts, from, to)
	v.active[to] = [2]Figure{m, r}
	return m, r
}

// Defs are the KPIs, in the order they are shown.
var Defs = []Def{
	{Key: "days_to_first_pr", Name: "Days to first merged PR", Unit: "days", Better: "down",
		Definition: "Median (and p90) days from joining (first seen as a member of the organisation or of one of its teams) to the first merged pull request, for engineers who joined in the window and have merged one.",
		Window:     "engineers who joined in the 90 days before the end of the week",
		compute:    func(v *view, _, to time.Time) Figure { return daysToNth(v, to, 1) }},
	{Key: "days_to_tenth_pr", Name: "Days to 10th merged PR", Unit: "days", Better: "down",
		Definition: "Median (and p90) days from joining (first seen as a member, or the first merged pull request when no membership came first) to the 10th merged pull request, for engineers who joined in the window and got there.",
		Window:     "engineers who joined in the 90 days before the end of the week",
		compute:    func(v *view, _, to time.Time) Figure { return daysToNth(v, to, 10) }},
	{Key: "deploys_per_developer", Name: "Production deploys per developer", Unit: "per week", Better: "up",
		Definition: "Successful deployments to production environments, each counted once for every author of a pull request it shipped first, divided by the developers of the week (who merged, or whose work shipped).",
		Window:     "the week",
		compute:    func(v *view, from, to time.Time) Figure { return deploysPerDeveloper(v.Facts, v.ships, from, to) }},
	{Key: "lead_time", Name: "Lead time for changes", Unit: "hours", Better: "down",
		Definition: "Median (and p90) hours from a pull request's merge to the first successful production deployment that contains it (DORA).",
		Window:     "deployments of the week",
		compute:    func(v *view, from, to time.Time) Figure { return leadTime(v.ships, from, to) }},
	{Key: "t_shapedness", Name: "T-shaped engineers", Unit: "%", Better: "up",
		Definition: "Share of engineers whose merged pull requests reached repositories of two or more catalog Systems, or of two or more Domains, among those who merged into a repository the catalog places in a System.",
		Window:     "the 90 days before the end of the week",
		compute:    func(v *view, _, to time.Time) Figure { return tShaped(v.Facts, to) }},
	{Key: "language_fragmentation", Name: "Language fragmentation", Unit: "bits", Better: "down",
		Definition: "Shannon entropy of the repositories' languages, each repository counting once, split between its languages by GitHub's language bytes (its primary language where the bytes are not known yet): 0 is one language everywhere, each further bit doubles the number of equally common ones. Top languages as shares of the repositories.",
		Window:     "repositories known at the end of the week, their latest language bytes",
		compute:    func(v *view, _, to time.Time) Figure { return languageFragmentation(v.Facts, to) }},
	{Key: "framework_fragmentation", Name: "Framework fragmentation", Unit: "bits", Better: "down",
		Definition: "Shannon entropy of the dependencies the repositories' root manifests declare, by name and major version: go.mod's direct requirements, package.json's dependencies, pom.xml's non-test dependencies; each declaration counts once. Top ones as the share of repositories with a manifest that declare them.",
		Window:     "repositories known at the end of the week, dependencies declared by then and still declared",
		compute:    func(v *view, _, to time.Time) Figure { return frameworkFragmentation(v.Facts, to) }},
	{Key: "template_fragmentation", Name: "Template fragmentation", Unit: "bits", Better: "down",
		Definition: "Shannon entropy of the templates repositories were made from (annotation backstage.io/source-template), among those made from one.",
		Window:     "repositories known at the end of the week",
		compute: func(v *view, _, to time.Time) Figure {
			return fragmentation(v.Facts, to, func(r Repo) string { return r.Template })
		}},
	{Key: "scaffold_lead_time", Name: "Scaffolding lead time", Unit: "minutes", Better: "down",
		Definition: "Median (and p90) minutes from a scaffold request issue reaching callboard to GitHub creating its repository.",
		Window:     "repositories created in the week",
		compute:    func(v *view, from, to time.Time) Figure { return scaffoldLeadTime(v.Facts, from, to) }},
	{Key: "scaffold_share", Name: "Repositories created from a template", Unit: "%", Better: "up",
		Definition: "Share of the repositories created in the organisation that a scaffold request created.",
		Window:     "repositories created in the week",
		compute:    func(v *view, from, to time.Time) Figure { return scaffoldShare(v.Facts, from, to) }},
	{Key: "monthly_active_users", Name: "Monthly active users", Unit: "people", Better: "up",
		Definition: "Distinct people who used callboard (Slack, PR checks, web view, API, scaffolder, other tools' usage events); per feature, daily active users (mean distinct people a day in the week) and monthly ones.",
		Window:     "the 30 days before the end of the week",
		compute: func(v *view, from, to time.Time) Figure {
			m, _ := v.activeUsers(from, to)
			return m
		}},
	{Key: "dau_mau", Name: "DAU/MAU", Unit: "%", Better: "up",
		Definition: "Daily active users (mean distinct people a day in the week) as a share of monthly active users (the 30 days before the end of the week).",
		Window:     "the week, and the 30 days before its end",
		compute: func(v *view, from, to time.Time) Figure {
			_, r := v.activeUsers(from, to)
			return r
		}},
	{Key: "plugins", Name: "Plugins in use", Unit: "plugins", Better: "up",
		Definition: "Distinct usage plugin ids with at least one usage event, by the teams that own them (annotation callboard.dev/usage-plugin-id).",
		Window:     "the week",
		compute:    func(v *view, from, to time.Time) Figure { return plugins(v.Facts, from, to) }},
	{Key: "outside_contributions", Name: "Contributions from outside the platform team", Unit: "%", Better: "up",
		Definition: "Share of the pull requests merged into the platform team's repositories whose authors are not members of the platform team.",
		Window:     "the week",
		compute:    func(v *view, from, to time.Time) Figure { return outsideContributions(v.Facts, from, to) }},
	{Key: "dx_pulse", Name: "DX pulse", Unit: "of 10", Better: "up",
		Definition: "Mean answer (0–10) to the DX pulse question in its latest round, with the eNPS (share of 9–10 minus share of 0–6) and the response rate; anonymous.",
		Window:     "the latest round started before the end of the week",
		compute:    func(v *view, _, to time.Time) Figure { return pulse(v.Facts, to) }},
}

// Week is one week's figure of a KPI.
type Week struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Figure Figure    `json:"figure"`
}

// Series is a KPI over the TrendWeeks weeks ending with the week asked for,
// oldest first: the last is this week, the one before last week.
type Series struct {
	Def
	Weeks []Week `json:"weeks"`
}

// This is the latest week's figure.
func (s Series) This() Figure { return s.Weeks[len(s.Weeks)-1].Figure }

// Last is the week before's figure.
func (s Series) Last() Figure { return s.Weeks[len(s.Weeks)-2].Figure }

// Compute returns every KPI for the TrendWeeks weeks that end at weekEnd
// (each week is the 7 days before its end). It lower-cases f's logins and
// repository names in place.
func Compute(f *Facts, weekEnd time.Time) []Series {
	normalize(f)
	v := &view{Facts: f, ships: shipments(f), active: map[time.Time][2]Figure{}}
	out := make([]Series, 0, len(Defs))
	for _, d := range Defs {
		s := Series{Def: d, Weeks: make([]Week, TrendWeeks)}
		for i := range TrendWeeks {
			to := weekEnd.AddDate(0, 0, -7*(TrendWeeks-1-i))
			from := to.AddDate(0, 0, -7)
			s.Weeks[i] = Week{From: from, To: to, Figure: d.compute(v, from, to)}
		}
		out = append(out, s)
	}
	return out
}

// normalize lower-cases logins and repository names once, so that the
// KPIs' own lower-casing finds nothing to do and allocates nothing.
func normalize(f *Facts) {
	for i := range f.Merges {
		f.Merges[i].Repo, f.Merges[i].Author = strings.ToLower(f.Merges[i].Repo), strings.ToLower(f.Merges[i].Author)
		f.Merges[i].SHA = strings.ToLower(f.Merges[i].SHA)
	}
	for i := range f.Deploys {
		f.Deploys[i].Repo, f.Deploys[i].SHA = strings.ToLower(f.Deploys[i].Repo), strings.ToLower(f.Deploys[i].SHA)
	}
	for i := range f.Usage {
		f.Usage[i].Actor = strings.ToLower(f.Usage[i].Actor)
	}
}
