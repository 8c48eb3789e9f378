package digest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
)

// sampleInput is a busy, complete week in Berlin: callboard's own features,
// two Backstage plugins with owners, one without, coverage that moved, PR
// checks that broke and got fixed, and newcomers on their way to 10 PRs.
func sampleInput(t *testing.T) Input {
	t.Helper()
	berlin := mustLoad(t, "Europe/Berlin")
	w := Week{2026, 47}
	start := w.Start(berlin)
	at := func(day, hour, minute int) time.Time {
		return start.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
	}
	var evs []catalog.UsageEvent
	add := func(e catalog.UsageEvent) { evs = append(evs, e) }
	people := []string{"U01ALICE", "U02BOB", "U03CAROL", "U04DAN", "U05ERIN", "U06FRANK"}
	for i := range 14 {
		add(catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: people[i%4], At: at(i%5, 9+i%8, i),
			Outcome: catalog.OutcomeAnswered, Entity: "component:default/payments-api", Detail: "payments-api"})
	}
	for i, q := range []string{"who owns billing", "Who owns  billing", "ledger-v2", "who owns billing"} {
		add(catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: people[i%2], At: at(2, 11, i),
			Outcome: catalog.OutcomeUnanswered, Detail: q})
	}
	add(catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "help", Actor: "U05ERIN", At: at(3, 10, 0), Outcome: catalog.OutcomeAnswered})
	for i := range 6 {
		add(catalog.UsageEvent{Plugin: catalog.PluginSlackCatalog, Action: []string{"search", "search", "search", "team", "stats", "search"}[i],
			Actor: people[i%3], At: at(i%5, 14, i), Outcome: catalog.OutcomeAnswered})
	}
	pr := func(day, hour int, repo, outcome string) {
		add(catalog.UsageEvent{Plugin: catalog.PluginPRCheck, Action: "evaluate", Actor: "alice", At: at(day, hour, 0), Entity: repo, Outcome: outcome})
	}
	pr(0, 10, "acme/payments-api", "failure")
	pr(1, 10, "acme/payments-api", "success")
	pr(1, 11, "acme/search-service", "failure")
	pr(2, 11, "acme/checkout-web", "success")
	pr(3, 11, "acme/checkout-web", "neutral")
	pr(4, 9, "acme/legacy-billing", "success") // failing last week: fixed
	add(catalog.UsageEvent{Plugin: catalog.PluginScaffolder, Action: "run", Actor: "alice", At: at(2, 15, 0),
		Entity: "component:default/fraud-scoring", Outcome: catalog.OutcomeSuccess})
	add(catalog.UsageEvent{Plugin: catalog.PluginScaffolder, Action: "run", Actor: "bob", At: at(3, 15, 0), Outcome: catalog.OutcomeFailure})
	for i := range 12 {
		action := "navigate"
		if i%6 == 5 {
			action = "click"
		}
		add(catalog.UsageEvent{Plugin: "techdocs", Action: action, Actor: fmt.Sprintf("user:default/dev%d", i%5), At: at(i%5, 12, i)})
	}
	for i := range 3 {
		add(catalog.UsageEvent{Plugin: "cost-insights", Action: "view", Actor: "user:default/dev1", At: at(4, 16, i)})
	}
	slices.SortFunc(evs, func(a, b catalog.UsageEvent) int { return a.At.Compare(b.At) })

	prev := []catalog.UsageEvent{
		{Plugin: catalog.PluginPRCheck, Action: "evaluate", Actor: "bob", At: start.Add(-48 * time.Hour), Entity: "acme/legacy-billing", Outcome: "failure"},
		{Plugin: catalog.PluginPRCheck, Action: "evaluate", Actor: "bob", At: start.Add(-47 * time.Hour), Entity: "acme/checkout-web", Outcome: "success"},
	}
	weekly := []map[string]int{
		{catalog.PluginSlackOwner: 4},
		{catalog.PluginSlackOwner: 6, catalog.PluginSlackCatalog: 1},
		{catalog.PluginSlackOwner: 9, catalog.PluginSlackCatalog: 2, "techdocs": 3},
		{catalog.PluginSlackOwner: 11, catalog.PluginSlackCatalog: 4, "techdocs": 5, "api-docs": 2},
		{catalog.PluginSlackOwner: 12, catalog.PluginSlackCatalog: 3, "techdocs": 8, "api-docs": 4, catalog.PluginPRCheck: 2},
		{catalog.PluginSlackOwner: 15, catalog.PluginSlackCatalog: 5, "techdocs": 9, "api-docs": 6, catalog.PluginPRCheck: 4, catalog.PluginScaffolder: 1},
		{catalog.PluginSlackOwner: 16, catalog.PluginSlackCatalog: 6, "techdocs": 16, "api-docs": 5, catalog.PluginPRCheck: 5},
		nil,
	}
	d := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return Input{
		Week: w, Location: berlin, Now: d("2026-11-23T08:00:00Z"),
		Events: evs, PrevEvents: prev, Weekly: weekly,
		Owners: map[string]Owner{
			"techdocs":      {Entity: "component:default/techdocs", Ref: "group:default/platform", Name: "Platform", Email: "platform@acme.example"},
			"api-docs":      {Entity: "component:default/api-docs", Ref: "group:default/platform", Name: "Platform", Email: "platform@acme.example"},
			"cost-insights": {Entity: "component:default/cost-insights", Ref: "group:default/finops", Name: "finops"},
		},
		Coverage:     catalog.Coverage{Repositories: 42, Registered: 33, Invalid: 2, Owned: 38, Documented: 20, Entities: 310},
		PrevCoverage: &Snapshot{Week: Week{2026, 46}, TakenAt: d("2026-11-16T08:00:00Z"), Coverage: catalog.Coverage{Repositories: 40, Registered: 30, Invalid: 3, Owned: 35, Documented: 20, Entities: 298}},
		NewEntities:  []string{"component:default/fraud-scoring", "api:default/fraud-scoring-api", "group:default/finops"},
		Merges: MergeStats{
			Merges: 42, Authors: 10, PrevMerges: 35, PrevAuthors: 9,
			Since: d("2026-06-01T10:00:00Z"), NewcomersFrom: d("2026-08-25T23:00:00Z"),
			Newcomers: []Newcomer{
				{Login: "grace", First: d("2026-09-01T09:00:00Z"), Tenth: d("2026-09-21T21:00:00Z"), Merged: 10},
				{Login: "heidi", First: d("2026-10-12T09:00:00Z"), Merged: 6},
				{Login: "ivan", First: d("2026-09-14T09:00:00Z"), Tenth: d("2026-10-15T09:00:00Z"), Merged: 10},
			},
		},
	}
}

func pluginByID(d *Digest, id string) (PluginUsage, bool) {
	for _, p := range d.Plugins {
		if p.ID == id {
			return p, true
		}
	}
	return PluginUsage{}, false
}

func TestBuild(t *testing.T) {
	d := Build(sampleInput(t))
	if d.Partial {
		t.Error("a week that ended is marked partial")
	}
	if got, want := d.Total.Events, 14+4+1+6+6+2+12+3; got != want {
		t.Errorf("total events %d, want %d", got, want)
	}
	// 6 Slack users (U01-U05; U06 never appears), alice and bob (PR checks, scaffolder), 5 techdocs users.
	if got, want := d.Total.Users, 5+2+5; got != want {
		t.Errorf("total users %d, want %d", got, want)
	}
	tests := []struct {
		id            string
		events, users int
		prev          int
		change        string
		trend         []int
		top           string
	}{
		{catalog.PluginSlackOwner, 19, 5, 16, "+19%", []int{4, 6, 9, 11, 12, 15, 16, 19}, "owner 18"},
		{"techdocs", 12, 5, 16, "−25%", []int{0, 0, 3, 5, 8, 9, 16, 12}, "navigate 10"},
		{"api-docs", 0, 0, 5, "−100%", []int{0, 0, 0, 2, 4, 6, 5, 0}, ""},
		{"cost-insights", 3, 1, 0, "new", []int{0, 0, 0, 0, 0, 0, 0, 3}, "view 3"},
		{catalog.PluginScaffolder, 2, 2, 0, "new", []int{0, 0, 0, 0, 0, 1, 0, 2}, "run 2"},
	}
	for _, tc := range tests {
		p, ok := pluginByID(d, tc.id)
		if !ok {
			t.Errorf("%s missing from the digest", tc.id)
			continue
		}
		if p.Events != tc.events || p.Users != tc.users || p.Prev != tc.prev || p.Change.String() != tc.change {
			t.Errorf("%s: events %d users %d prev %d change %s; want %d %d %d %s", tc.id, p.Events, p.Users, p.Prev, p.Change, tc.events, tc.users, tc.prev, tc.change)
		}
		if !slices.Equal(p.Trend, tc.trend) {
			t.Errorf("%s trend %v, want %v", tc.id, p.Trend, tc.trend)
		}
		top := ""
		if len(p.TopActions) > 0 {
			top = fmt.Sprintf("%s %d", p.TopActions[0].Name, p.TopActions[0].Count)
		}
		if top != tc.top {
			t.Errorf("%s top action %q, want %q", tc.id, top, tc.top)
		}
	}
	if !slices.Equal(d.ChecksFailing, []string{"acme/search-service"}) {
		t.Errorf("failing %v, want [acme/search-service]", d.ChecksFailing)
	}
	if !slices.Equal(d.ChecksFixed, []string{"acme/legacy-billing", "acme/payments-api"}) {
		t.Errorf("fixed %v, want [acme/legacy-billing acme/payments-api]", d.ChecksFixed)
	}
	if len(d.Unanswered) != 2 || d.Unanswered[0].Text != "who owns billing" || d.Unanswered[0].Count != 3 || d.Unanswered[0].Askers != 2 {
		t.Errorf("unanswered %+v, want who owns billing ×3 by 2 first", d.Unanswered)
	}
	if len(d.Scaffolded) != 1 || d.Scaffolded[0].What != "component:default/fraud-scoring" {
		t.Errorf("scaffolded %+v, want the one success", d.Scaffolded)
	}
	c := d.Coverage
	if c.Since == nil || *c.Since != (Week{2026, 46}) || c.RepositoryDelta != 2 || c.EntityDelta != 12 {
		t.Errorf("coverage since %v, repos %+d, entities %+d; want 2026-W46, +2, +12", c.Since, c.RepositoryDelta, c.EntityDelta)
	}
	// 33/42 = 78.6% against 30/40 = 75%.
	if r := c.Rows[0]; r.Part != 33 || fmt.Sprintf("%.1f", r.Delta) != "3.6" {
		t.Errorf("valid catalog file row %+v, want 33 and +3.6 pts", r)
	}
	k := d.KPIs
	if k.WorkDays != 5 || fmt.Sprintf("%.2f", k.PerDevPerDay) != "0.84" || fmt.Sprintf("%.2f", k.Prev) != "0.78" {
		t.Errorf("KPIs %d work days, %.3f per dev per day (prev %.3f); want 5, 0.84, 0.78", k.WorkDays, k.PerDevPerDay, k.Prev)
	}
	// grace: 20.5 days, ivan: 31 days.
	if k.Reached != 2 || k.MedianDays != 25.75 {
		t.Errorf("reached %d, median %v days; want 2, 25.75", k.Reached, k.MedianDays)
	}
	if got := []string{k.Newcomers[0].Login, k.Newcomers[1].Login, k.Newcomers[2].Login}; !slices.Equal(got, []string{"grace", "ivan", "heidi"}) {
		t.Errorf("newcomers in order %v, want grace, ivan, heidi (by first merge)", got)
	}
}

func TestEmptyWeek(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
	}{
		{"nothing at all", Input{Week: Week{2026, 1}, Location: time.UTC, Now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}},
		{"usage last week only", Input{Week: Week{2026, 1}, Location: time.UTC, Now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
			Weekly: []map[string]int{{}, {}, {}, {}, {}, {}, {"techdocs": 4}, nil}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Build(tc.in)
			if d.Total.Events != 0 || d.Total.Users != 0 {
				t.Errorf("totals %+v, want zero", d.Total)
			}
			if d.KPIs.PerDevPerDay != 0 || d.KPIs.MedianDays != 0 {
				t.Errorf("KPIs %+v, want zero", d.KPIs)
			}
			for _, r := range d.Coverage.Rows {
				if r.Pct != 0 || r.HasDelta {
					t.Errorf("coverage row %+v, want 0%% and no change", r)
				}
			}
			text := Text(d)
			if !strings.Contains(text, "No usage yet") {
				t.Errorf("text does not say no usage yet:\n%s", text)
			}
			html, err := HTML(d)
			if err != nil {
				t.Fatal(err)
			}
			blocks, fallback := Slack(d)
			for _, s := range []string{text, html, fallback, fmt.Sprint(blocks)} {
				if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
					t.Errorf("a rendering divides by zero:\n%s", s)
				}
			}
			if !strings.Contains(html, "No usage yet") || !strings.Contains(fallback, "no usage yet") {
				t.Errorf("HTML or Slack text does not say no usage yet: %q", fallback)
			}
		})
	}
}

func TestChangeOf(t *testing.T) {
	tests := []struct {
		cur, prev int
		want      string
	}{
		{0, 0, "–"}, {5, 0, "new"}, {0, 5, "−100%"}, {15, 10, "+50%"}, {10, 10, "±0%"}, {2, 3, "−33%"}, {1, 1000, "−100%"},
	}
	for _, tc := range tests {
		if got := ChangeOf(tc.cur, tc.prev).String(); got != tc.want {
			t.Errorf("ChangeOf(%d, %d) = %s, want %s", tc.cur, tc.prev, got, tc.want)
		}
	}
}

func TestPartialWeek(t *testing.T) {
	in := sampleInput(t)
	in.Now = in.Week.Start(in.Location).Add(50 * time.Hour) // Wednesday 02:00
	d := Build(in)
	if !d.Partial {
		t.Fatal("a week in progress is not marked partial")
	}
	// Monday, Tuesday and Wednesday have begun.
	if d.KPIs.WorkDays != 3 {
		t.Errorf("work days %d, want 3", d.KPIs.WorkDays)
	}
}

func TestForOwner(t *testing.T) {
	d := Build(sampleInput(t))
	if got := d.OwnerEmails(); !slices.Equal(got, []string{"platform@acme.example"}) {
		t.Errorf("owner emails %v, want [platform@acme.example] (finops has no email)", got)
	}
	o := d.ForOwner("Platform@acme.example")
	if o == nil {
		t.Fatal("no digest for platform")
	}
	var ids []string
	for _, p := range o.Plugins {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []string{"techdocs", "api-docs"}) || o.Scope != "Platform" {
		t.Errorf("platform's digest has %v (scope %q), want techdocs, api-docs (Platform)", ids, o.Scope)
	}
	if o.Total.Events != 12 || o.Total.Users != 5 || o.Total.Prev != 21 {
		t.Errorf("platform's totals %+v, want 12 events, 5 users, 21 last week", o.Total)
	}
	text := Text(o)
	for _, leak := range []string{"CATALOG COVERAGE", "slack.owner", "who owns billing"} {
		if strings.Contains(text, leak) {
			t.Errorf("an owner's digest shows %q:\n%s", leak, text)
		}
	}
	if d.ForOwner("nobody@acme.example") != nil {
		t.Error("a digest for an address that owns nothing")
	}
}

// TestSlackConversationsInTheDigest: questions asked by mention and in
// direct messages, and App Home views, are callboard's own features in the
// digest, each with its users and actions.
func TestSlackConversationsInTheDigest(t *testing.T) {
	w := Week{2026, 47}
	start := w.Start(time.UTC)
	var evs []catalog.UsageEvent
	add := func(plugin, action, actor string, hour int) {
		evs = append(evs, catalog.UsageEvent{Plugin: plugin, Action: action, Actor: actor, At: start.Add(time.Duration(hour) * time.Hour),
			Outcome: catalog.OutcomeAnswered})
	}
	add(catalog.PluginSlackMention, "owner", "U0CAROL", 10)
	add(catalog.PluginSlackMention, "owner", "U0BOB", 11)
	add(catalog.PluginSlackMention, "on-call", "U0CAROL", 12)
	add(catalog.PluginSlackDM, "docs", "U0ALICE", 13)
	add(catalog.PluginSlackHome, "open", "U0BOB", 14)
	add(catalog.PluginSlackHome, "open", "U0BOB", 15)
	d := Build(Input{Week: w, Location: time.UTC, Now: start.AddDate(0, 0, 8), Events: evs})
	for _, tc := range []struct {
		id            string
		events, users int
		top           string
	}{
		{catalog.PluginSlackMention, 3, 2, "owner"},
		{catalog.PluginSlackDM, 1, 1, "docs"},
		{catalog.PluginSlackHome, 2, 1, "open"},
	} {
		p, ok := pluginByID(d, tc.id)
		switch {
		case !ok:
			t.Errorf("%s is not in the digest", tc.id)
		case !p.Own || p.Events != tc.events || p.Users != tc.users || len(p.TopActions) == 0 || p.TopActions[0].Name != tc.top:
			t.Errorf("%s: own %v, %d events, %d users, top %v; want own, %d, %d, %s", tc.id, p.Own, p.Events, p.Users, p.TopActions, tc.events, tc.users, tc.top)
		}
	}
	text := Text(d)
	for _, id := range []string{catalog.PluginSlackMention, catalog.PluginSlackDM, catalog.PluginSlackHome} {
		if !strings.Contains(text, id) {
			t.Errorf("the digest's text does not name %s:\n%s", id, text)
		}
	}
}
