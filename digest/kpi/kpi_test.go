package kpi

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func at(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }

func show(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%g", *v)
}

func showParts(ps []Part) string {
	var out []string
	for _, p := range ps {
		s := p.Name + " " + show(p.Value)
		if p.Second != nil {
			s += "/" + show(p.Second)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// usageFacts: u1..u5 use /owner in Slack on 23 and 24 Nov, u1 the web view
// on 25 Nov, u2 another team's plugin (deploy-dash, owned by sre) on 26 Nov,
// u6 Slack on 10 Nov; a bot calls the API this week, u7 last did in October.
func usageFacts() *Facts {
	f := &Facts{PluginOwners: map[string]string{"deploy-dash": "sre"}}
	for i := 1; i <= 5; i++ {
		u := fmt.Sprintf("u%d", i)
		f.Usage = append(f.Usage, Use{"slack.owner", u, at(23, 10)}, Use{"slack.owner", u, at(24, 10)},
			Use{"slack.owner", u, at(24, 11)}) // twice a day is once a day
	}
	f.Usage = append(f.Usage,
		Use{"web", "u1", at(25, 9)}, Use{"deploy-dash", "U2", at(26, 9)},
		Use{"slack.owner", "u6", at(10, 9)}, Use{"catalog-api", "ci[bot]", at(25, 9)},
		Use{"catalog-api", "u7", time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)})
	return f
}

func TestActiveUsers(t *testing.T) {
	from, to := at(23, 0), at(30, 0)
	mau, ratio := activeUsers(usageFacts(), from, to)
	// MAU: u1..u6 used callboard in the 30 days before 30 Nov (u7 last did
	// on 20 Oct, the bot is not a person) = 6.
	if got := show(mau.Value); got != "6" {
		t.Errorf("MAU = %s, want 6", got)
	}
	// Distinct people a day: 23rd 5, 24th 5, 25th 1 (u1), 26th 1 (u2) = 12
	// over 7 days = 1.71 DAU; 1.71/6 = 28.5 %.
	if got := show(ratio.Value); got != "28.5" {
		t.Errorf("DAU/MAU = %s, want 28.5", got)
	}
	// Per feature (DAU/MAU): Slack (5+5)/7 = 1.43 of 6; other tools and the
	// web view have one person each: not enough data.
	if got, want := showParts(mau.Parts), "Slack 1.43/6, other tools -, web view -"; got != want {
		t.Errorf("features = %s, want %s", got, want)
	}
	// Four people a month is not enough.
	f := &Facts{}
	for i := range 4 {
		f.Usage = append(f.Usage, Use{"web", fmt.Sprint(i), at(24, 9)})
	}
	if m, r := activeUsers(f, from, to); m.Enough() || r.Enough() || m.Reason != "not enough data" {
		t.Errorf("4 people: %+v %+v, want not enough data", m, r)
	}
}

func TestPlugins(t *testing.T) {
	// This week: slack.owner, web, catalog-api (a bot's use is still a use of
	// it) and deploy-dash; only deploy-dash has an owning team.
	p := plugins(usageFacts(), at(23, 0), at(30, 0))
	if show(p.Value) != "4" || showParts(p.Parts) != "sre 1" {
		t.Errorf("plugins = %s (%s), want 4 (sre 1)", show(p.Value), showParts(p.Parts))
	}
}

func TestPulse(t *testing.T) {
	f := &Facts{Pulse: []PulseRound{
		{Round: "2026-09-01", Start: time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC), Asked: 20, Scores: []int{9, 10, 7, 3, 8, 6}},
		{Round: "2026-11-25", Start: at(25, 9), Asked: 10, Scores: []int{10, 9, 9}},
	}}
	// Before 25 Nov the September round is the latest: mean 43/6 = 7.17;
	// promoters (9, 10) 2, detractors (3, 6) 2: eNPS 0; 6 of 20 answered.
	last := pulse(f, at(23, 0))
	if show(last.Value) != "7.17" || showParts(last.Parts) != "eNPS 0, response rate 30" || last.People != 6 {
		t.Errorf("September round: %s (%s), %d people; want 7.17 (eNPS 0, response rate 30), 6", show(last.Value), showParts(last.Parts), last.People)
	}
	// The November round has three answers: not enough data (and nothing
	// that would let anyone guess who answered what).
	this := pulse(f, at(30, 0))
	if this.Enough() || this.Parts != nil || this.Reason != "not enough data" {
		t.Errorf("November round: %+v, want not enough data and no parts", this)
	}
	if got := pulse(&Facts{}, at(30, 0)); got.Enough() || got.Reason != "no pulse round yet" {
		t.Errorf("no round: %+v", got)
	}
}

// TestShipmentsOfAnUnknownCommit: a deployment of a commit that is no
// recorded merge (a hotfix pushed straight to the branch, or a merge from
// before callboard) ships what was merged before the deployment.
func TestShipmentsOfAnUnknownCommit(t *testing.T) {
	f := &Facts{
		Merges: []Merge{
			{Repo: "o/r", Number: 1, Author: "a", SHA: "aaa", MergedAt: at(23, 9)},
			{Repo: "o/r", Number: 2, Author: "b", SHA: "bbb", MergedAt: at(23, 11)},
			{Repo: "o/other", Number: 3, Author: "c", SHA: "ccc", MergedAt: at(23, 9)},
		},
		Deploys: []Deploy{{Repo: "O/R", SHA: "fff", Environment: "production", At: at(23, 10)}},
	}
	ss := shipments(f)
	if len(ss) != 1 || len(ss[0].PRs) != 1 || ss[0].PRs[0].Number != 1 {
		t.Fatalf("shipments = %+v, want #1 alone (#2 came after, #3 is another repository)", ss)
	}
}

func TestPercentiles(t *testing.T) {
	for _, c := range []struct {
		xs          []float64
		median, p90 float64
	}{
		{[]float64{5}, 5, 5},
		{[]float64{4, 1, 3, 2}, 2.5, 4},                       // ceil(3.6) = 4th
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5.5, 9},    // ceil(9) = 9th
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10}, // ceil(9.9) = 10th
	} {
		if m, p := median(c.xs), p90(c.xs); m != c.median || p != c.p90 {
			t.Errorf("%v: median %g p90 %g, want %g %g", c.xs, m, p, c.median, c.p90)
		}
	}
}

// TestComputeWeeks: every KPI has TrendWeeks weeks, oldest first, each the
// 7 days before the next.
func TestComputeWeeks(t *testing.T) {
	ss := Compute(usageFacts(), at(30, 0))
	if len(ss) != len(Defs) {
		t.Fatalf("%d series, want %d", len(ss), len(Defs))
	}
	for _, s := range ss {
		if len(s.Weeks) != TrendWeeks || !s.Weeks[TrendWeeks-1].To.Equal(at(30, 0)) || !s.Weeks[0].From.Equal(at(30, 0).AddDate(0, 0, -7*TrendWeeks)) {
			t.Errorf("%s: weeks %v .. %v", s.Key, s.Weeks[0].From, s.Weeks[len(s.Weeks)-1].To)
		}
		if s.Definition == "" || s.Window == "" || s.Name == "" {
			t.Errorf("%s: no definition, window or name", s.Key)
		}
	}
}

// TestTShapedCountsOnlyMeasurableEngineers: an engineer who merged only
// where the catalog names no System is neither T-shaped nor counted.
func TestTShapedCountsOnlyMeasurableEngineers(t *testing.T) {
	f := &Facts{Repos: []Repo{
		{Name: "o/a", Systems: []string{"s1"}, Domains: []string{"d1"}},
		{Name: "o/b", Systems: []string{"s2"}, Domains: []string{"d1"}},
		{Name: "o/loose"},
	}}
	merge := func(author, repo string) {
		f.Merges = append(f.Merges, Merge{Repo: repo, Author: author, MergedAt: at(20, 9)})
	}
	// e1 and e2 reach two Systems; e3, e4, e5 one; x1..x3 only o/loose.
	merge("e1", "o/a")
	merge("e1", "o/b")
	merge("e2", "o/a")
	merge("e2", "O/B")
	for _, e := range []string{"e3", "e4", "e5"} {
		merge(e, "o/a")
		merge(e, "o/loose")
	}
	for _, x := range []string{"x1", "x2", "x3"} {
		merge(x, "o/loose")
	}
	// 2 of the 5 measurable engineers: 40 %.
	if got := tShaped(f, at(30, 0)); show(got.Value) != "40" || got.People != 5 {
		t.Errorf("T-shaped %s of %d, want 40 of 5", show(got.Value), got.People)
	}
}

// TestOnboardingWithOlderMerges: when only recent merges are loaded, a
// person whose first merge ever (FirstMerge) is older is no newcomer, even
// if they joined a team recently; five real newcomers are counted.
func TestOnboardingWithOlderMerges(t *testing.T) {
	f := &Facts{FirstMerge: map[string]time.Time{"vet": time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)}}
	f.Joins = append(f.Joins, Join{Login: "vet", At: at(2, 9)})
	for k := range 10 {
		f.Merges = append(f.Merges, Merge{Repo: "o/r", Author: "vet", MergedAt: at(3+k, 9)})
	}
	// n1..n5 join on 1 Nov and merge 1..5 days later.
	for i := 1; i <= 5; i++ {
		l := fmt.Sprintf("n%d", i)
		f.Joins = append(f.Joins, Join{Login: l, At: at(1, 9)})
		f.Merges = append(f.Merges, Merge{Repo: "o/r", Author: l, MergedAt: at(1+i, 9)})
	}
	v := &view{Facts: f}
	got := daysToNth(v, at(30, 0), 1)
	// 1, 2, 3, 4, 5 days: median 3 (vet, whose first merge was in 2025, is
	// left out: with them it would be 2.5 from six people).
	if show(got.Value) != "3" || got.People != 5 {
		t.Errorf("days to first = %s from %d people, want 3 from 5", show(got.Value), got.People)
	}
}
