package githubapp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/callboard/callboard/scaffold"
)

// kpiWorld posts GitHub's example payloads, varied field by field, through
// the signed receiver and the real workers, on a clock the test moves.
type kpiWorld struct {
	t     *testing.T
	h     *harness
	clock atomic.Pointer[time.Time]
	seq   int
}

func newKPIWorld(t *testing.T) *kpiWorld {
	w := &kpiWorld{t: t}
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	w.clock.Store(&start)
	ds := digest.NewStore(nil)
	w.h = newHarness(t, Config{Now: func() time.Time { return *w.clock.Load() }, KPI: kpiStoreOf(&ds), Merges: kpiStoreOf(&ds)})
	ds = digest.NewStore(w.h.st.db)
	w.h.gh.AddInstallation(1, "Octocoders")
	return w
}

// kpiStoreOf defers to the digest store *p once the harness has opened the
// database it lives in.
func kpiStoreOf(p **digest.Store) lateStore { return lateStore{p} }

type lateStore struct{ p **digest.Store }

func (l lateStore) RecordMerge(ctx context.Context, repo string, n int, author string, at time.Time) error {
	return (*l.p).RecordMerge(ctx, repo, n, author, at)
}
func (l lateStore) RecordMergeCommit(ctx context.Context, repo string, n int, sha string) error {
	return (*l.p).RecordMergeCommit(ctx, repo, n, sha)
}
func (l lateStore) RecordJoin(ctx context.Context, login string, at time.Time) error {
	return (*l.p).RecordJoin(ctx, login, at)
}
func (l lateStore) RecordDeploy(ctx context.Context, repo string, id int64, sha, env string, at time.Time) error {
	return (*l.p).RecordDeploy(ctx, repo, id, sha, env, at)
}
func (l lateStore) RecordRepo(ctx context.Context, repo, lang string, created, seen time.Time) error {
	return (*l.p).RecordRepo(ctx, repo, lang, created, seen)
}
func (l lateStore) RecordStacks(ctx context.Context, stacks []catalog.RepoStack, seen time.Time) error {
	return (*l.p).RecordStacks(ctx, stacks, seen)
}

// example reads one of GitHub's example payloads and applies edits, each a
// dotted path and its new value.
func (w *kpiWorld) example(file string, edits map[string]any) map[string]any {
	w.t.Helper()
	raw, err := os.ReadFile(filepath.Join(webhookData, file))
	if err != nil {
		w.t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		w.t.Fatal(err)
	}
	for path, v := range edits {
		setPath(p, path, v)
	}
	return p
}

func setPath(m map[string]any, path string, v any) {
	for {
		i := indexDot(path)
		if i < 0 {
			m[path] = v
			return
		}
		next, ok := m[path[:i]].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[path[:i]] = next
		}
		m, path = next, path[i+1:]
	}
}

func indexDot(s string) int {
	for i := range s {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

func (w *kpiWorld) at(t time.Time) { w.clock.Store(&t) }

func (w *kpiWorld) deliver(event string, p map[string]any) {
	w.t.Helper()
	w.h.deliver(event, p)
	w.h.settle()
}

func (w *kpiWorld) sha(n int) string { return fmt.Sprintf("%040x", 0xabc000+n) }

// merge posts pull_request closed (merged) for org/repo#n by author.
func (w *kpiWorld) merge(repo string, n int, author string, at time.Time) {
	w.at(at)
	w.deliver("pull_request", w.example("pull_request/closed.payload.json", map[string]any{
		"number": n, "pull_request.number": n, "pull_request.merged": true,
		"pull_request.merged_at": at.Format(time.RFC3339), "pull_request.user.login": author,
		"pull_request.merge_commit_sha": w.sha(n), "repository.full_name": repo,
		"installation": map[string]any{"id": 1},
	}))
}

// deploy posts deployment_status for a deployment of the merge commit of
// #n. No example of this event is in ../shared/testdata: its payload is
// built in the shape GitHub documents (deployment_status.state,
// .environment, .created_at; deployment.id, .sha, .environment).
func (w *kpiWorld) deploy(repo string, id int64, n int, env, state string, at time.Time) {
	w.at(at)
	pr := w.example("pull_request/closed.payload.json", map[string]any{"repository.full_name": repo})
	w.deliver("deployment_status", map[string]any{
		"action":            "created",
		"deployment_status": map[string]any{"id": id*10 + 1, "state": state, "environment": env, "created_at": at.Format(time.RFC3339)},
		"deployment":        map[string]any{"id": id, "sha": w.sha(n), "ref": "main", "environment": env, "created_at": at.Add(-time.Minute).Format(time.RFC3339)},
		"repository":        pr["repository"],
		"installation":      map[string]any{"id": 1},
		"sender":            pr["sender"],
	})
}

func (w *kpiWorld) join(event, login string, at time.Time) {
	w.at(at)
	switch event {
	case "membership":
		w.deliver(event, w.example("membership/added.payload.json", map[string]any{"member.login": login}))
	case "organization":
		w.deliver(event, w.example("organization/member_added.payload.json", map[string]any{"membership.user.login": login}))
	}
}

func (w *kpiWorld) created(name, language string, created time.Time) {
	w.seq++
	id := int64(5000 + w.seq)
	w.h.gh.AddRepo(1, fakegithub.Repo{ID: id, FullName: "Octocoders/" + name})
	var lang any
	if language != "" {
		lang = language
	}
	w.at(created.Add(time.Second))
	w.deliver("repository", w.example("repository/created.with-installation.payload.json", map[string]any{
		"repository.id": id, "repository.name": name, "repository.full_name": "Octocoders/" + name,
		"repository.language": lang, "repository.created_at": created.Format(time.RFC3339),
	}))
}

func (w *kpiWorld) declare(yaml string) {
	w.t.Helper()
	parsed, problems := catalog.ParseFile("catalog-info.yaml", []byte(yaml), nil)
	if len(problems) > 0 {
		w.t.Fatal(problems)
	}
	var decl []catalog.Declared
	for _, p := range parsed {
		decl = append(decl, catalog.Declared{Entity: p.Entity, Location: "file:kpi/catalog-info.yaml"})
	}
	if _, err := w.h.st.ReplaceSource(context.Background(), "file:kpi", decl, catalog.ReplaceOptions{}); err != nil {
		w.t.Fatal(err)
	}
}

func day(d int, hour int) time.Time { return time.Date(2026, 11, d, hour, 0, 0, 0, time.UTC) }

// TestKPIsFromWebhookPayloads records an organisation's autumn from GitHub's
// example payloads (pull_request closed, membership added, organization
// member_added, repository created, deployment_status) and computes every
// KPI those support for the week of 23–29 November 2026, each against a
// figure worked out by hand below.
func TestKPIsFromWebhookPayloads(t *testing.T) {
	if testing.Short() {
		t.Skip("posts ~100 deliveries")
	}
	w := newKPIWorld(t)
	weekEnd := day(30, 0) // this week is [23 Nov, 30 Nov)

	// A veteran's merge is the first callboard records (26 Oct 12:00): an
	// engineer whose first merge falls in the 28-day warm-up after it is not
	// taken for a newcomer.
	w.merge("Octocoders/onboard", 1, "monalisa", time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC))

	// Five newcomers join on 26 Oct 09:00 (three seen joining a team, two
	// the organisation) and merge into Octocoders/onboard: the 1st merge
	// d days after joining, the 10th t days after.
	joined := time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)
	people := []struct {
		login, via string
		d, t       int
	}{
		{"p1", "membership", 1, 10}, {"p2", "membership", 2, 12}, {"p3", "membership", 3, 14},
		{"p4", "organization", 4, 16}, {"p5", "organization", 10, 25},
	}
	for _, p := range people {
		w.join(p.via, p.login, joined)
	}
	n := 100
	for _, p := range people {
		for k := range 10 {
			n++
			// k-th merge evenly between the 1st and the 10th.
			at := joined.Add(time.Duration(p.d)*24*time.Hour + time.Duration(k)*time.Duration(p.t-p.d)*24*time.Hour/9)
			w.merge("Octocoders/onboard", n, p.login, at)
		}
	}
	// A bot's merges never count.
	w.merge("Octocoders/onboard", 199, "dependabot[bot]", day(24, 11))
	// monalisa and p1 also merge into the shop, before this week.
	w.merge("Octocoders/shop", 90, "monalisa", day(17, 10))
	w.merge("Octocoders/shop", 91, "p1", day(10, 10))
	w.deploy("Octocoders/shop", 9, 90, "production", "success", day(18, 10)) // last week: ships #91, #90

	// This week in Octocoders/shop.
	w.merge("Octocoders/shop", 1, "ana", day(23, 10))
	w.merge("Octocoders/shop", 2, "ben", day(23, 12))
	w.deploy("Octocoders/shop", 1, 2, "production", "success", day(23, 14)) // ships #1 (4 h), #2 (2 h)
	w.merge("Octocoders/shop", 3, "cho", day(24, 9))
	w.deploy("Octocoders/shop", 2, 3, "staging", "success", day(24, 10)) // not production
	w.merge("Octocoders/shop", 4, "dev", day(24, 11))
	w.merge("Octocoders/shop", 6, "dependabot[bot]", time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC))
	w.deploy("Octocoders/shop", 3, 3, "production", "success", day(24, 15)) // #3's commit: ships #3 (6 h), not #4 merged after it
	w.merge("Octocoders/shop", 5, "eli", day(25, 8))
	w.deploy("Octocoders/shop", 4, 5, "production-eu", "failure", day(25, 9))  // failed: nothing
	w.deploy("Octocoders/shop", 5, 5, "production-eu", "success", day(25, 10)) // ships #4 (23 h), the bot's #6, #5 (2 h)
	w.deploy("Octocoders/shop", 6, 5, "production", "success", day(26, 10))    // a redeploy: ships nothing new

	// Repositories: two older ones, six created this week (five of them by
	// scaffold requests, received 1, 2, 3, 5 and 10 minutes before).
	w.created("shop", "Go", time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	w.created("onboard", "Go", time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
	scaffolds := scaffold.NewStore(w.h.st.db, nil)
	for i, r := range []struct {
		name, lang, author string
		minutes            int
	}{
		{"svc-a", "Go", "ana", 2}, {"svc-b", "Go", "ben", 5}, {"svc-c", "TypeScript", "cho", 1},
		{"svc-d", "TypeScript", "dev", 10}, {"svc-e", "Python", "eli", 3}, {"svc-f", "", "", 0},
	} {
		created := day(24+i%3, 9)
		if r.author != "" {
			err := scaffolds.Save(t.Context(), &scaffold.Request{RepoID: 77, Number: i + 1, Repository: "Octocoders/requests",
				Author: r.author, State: "done", Target: "Octocoders/" + r.name, CreatedAt: created.Add(-time.Duration(r.minutes) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
		}
		w.created(r.name, r.lang, created)
	}

	// The catalog: the shop is Platform's and in the checkout System
	// (commerce), the onboarding app in people-portal (hr); svc-a..e name the
	// template they came from.
	w.declare(`apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: commerce}
spec: {owner: platform}
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: hr}
spec: {owner: platform}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: checkout}
spec: {owner: platform, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: people-portal}
spec: {owner: platform, domain: hr}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: team, children: [], members: [ana, ben]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: shop, annotations: {github.com/project-slug: Octocoders/shop}}
spec: {type: service, lifecycle: production, owner: platform, system: checkout}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: onboard, annotations: {github.com/project-slug: Octocoders/onboard}}
spec: {type: service, lifecycle: production, owner: platform, system: people-portal}
` + components(map[string]string{"svc-a": "go-service", "svc-b": "go-service", "svc-c": "node-service", "svc-d": "node-service", "svc-e": "go-service"}))

	series, err := digest.ComputeKPIs(t.Context(), digest.KPISources{
		Records: digest.NewStore(w.h.st.db), Catalog: w.h.st, PlatformTeam: "platform",
		Scaffolds: func(ctx context.Context, since time.Time) ([]kpi.Scaffold, error) {
			rs, err := scaffolds.RequestsSince(ctx, since)
			var out []kpi.Scaffold
			for _, r := range rs {
				out = append(out, kpi.Scaffold{Author: r.Author, Target: r.Target, Requested: r.At})
			}
			return out, err
		},
	}, weekEnd)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]kpi.Series{}
	for _, s := range series {
		got[s.Key] = s
	}
	for _, c := range []struct {
		key       string
		value     string // "-" for not enough data
		p90       string
		people    int
		parts     string
		lastValue string
	}{
		// Days to 1st: p1..p5 took 1, 2, 3, 4, 10 days (monalisa, ana..eli,
		// who joined by merging, and the bot are left out): median 3; p90 is
		// the ceil(0.9·5) = 5th smallest, 10.
		{key: "days_to_first_pr", value: "3", p90: "10", people: 5, lastValue: "3"},
		// Days to 10th: 10, 12, 14, 16, 25: median 14, p90 25. Last week
		// (ending 23 Nov) likewise: p5's 10th merge was on 20 Nov.
		{key: "days_to_tenth_pr", value: "14", p90: "25", people: 5, lastValue: "14"},
		// Production deploys this week: 23 Nov (ana, ben), 24 Nov (cho),
		// 25 Nov production-eu (dev, eli; the bot not counted), 26 Nov (none
		// new) = 2+1+2+0 = 5 credits; developers who merged: ana, ben, cho,
		// dev, eli = 5. 5/5 = 1. Last week: p5 and monalisa merged, and
		// 18 Nov's deployment shipped p1's #91: three people, not enough.
		{key: "deploys_per_developer", value: "1", people: 5, lastValue: "-"},
		// Lead times: #1 4 h, #2 2 h, #3 6 h, #4 23 h, #5 2 h → 2 2 4 6 23:
		// median 4, p90 23.
		{key: "lead_time", value: "4", p90: "23", people: 5, lastValue: "-"},
		// Engineers who merged in the 90 days: monalisa, p1..p5, ana..eli =
		// 11; monalisa and p1 merged into both checkout (shop) and
		// people-portal (onboard): 2/11 = 18.18 %. Last week (ana..eli had
		// not merged yet): 2/6 = 33.33 %.
		{key: "t_shapedness", value: "18.18", people: 11, lastValue: "33.33"},
		// Languages of 7 repositories (svc-f has none): Go 4, TypeScript 2,
		// Python 1. H = 4/7·log2(7/4) + 2/7·log2(7/2) + 1/7·log2(7)
		// = 0.4613 + 0.5164 + 0.4011 = 1.38 bits. Last week only shop and
		// onboard were known (both Go): 0 bits.
		{key: "language_fragmentation", value: "1.38", parts: "Go 57.14, TypeScript 28.57, Python 14.29", lastValue: "0"},
		// Templates of svc-a..e: go-service 3, node-service 2.
		// H = 0.6·log2(1/0.6) + 0.4·log2(1/0.4) = 0.4422 + 0.5288 = 0.97.
		// Last week none of them existed.
		{key: "template_fragmentation", value: "0.97", parts: "template:default/go-service 60, template:default/node-service 40", lastValue: "-"},
		// Scaffold requests 2, 5, 1, 10, 3 minutes before their repository:
		// sorted 1 2 3 5 10, median 3, p90 10; five requesters.
		{key: "scaffold_lead_time", value: "3", p90: "10", people: 5, lastValue: "-"},
		// Six repositories created this week, five of them scaffolded:
		// 83.33 %. Last week none was created.
		{key: "scaffold_share", value: "83.33", lastValue: "-"},
		// Into Platform's repositories (shop, onboard) this week: #1 ana, #2
		// ben, #3 cho, #4 dev, #5 eli (the bot left out); ana and ben are
		// Platform: 3/5 = 60 %. Last week: p5 (onboard) and monalisa (shop),
		// two people: not enough.
		{key: "outside_contributions", value: "60", people: 5, lastValue: "-"},
	} {
		t.Run(c.key, func(t *testing.T) {
			s, ok := got[c.key]
			if !ok {
				t.Fatalf("no KPI %s", c.key)
			}
			this := s.This()
			if v := show(this.Value); v != c.value {
				t.Errorf("this week = %s (%+v), want %s", v, this, c.value)
			}
			if c.p90 != "" && show(this.P90) != c.p90 {
				t.Errorf("p90 = %s, want %s", show(this.P90), c.p90)
			}
			if c.people != 0 && this.People != c.people {
				t.Errorf("people = %d, want %d", this.People, c.people)
			}
			if c.parts != "" && showParts(this.Parts) != c.parts {
				t.Errorf("parts = %s, want %s", showParts(this.Parts), c.parts)
			}
			if v := show(s.Last().Value); v != c.lastValue {
				t.Errorf("last week = %s (%+v), want %s", v, s.Last(), c.lastValue)
			}
			if len(s.Weeks) != kpi.TrendWeeks {
				t.Errorf("%d weeks of trend, want %d", len(s.Weeks), kpi.TrendWeeks)
			}
		})
	}
}

func components(templates map[string]string) string {
	out := ""
	for name, tpl := range templates {
		out += fmt.Sprintf(`---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: %s, annotations: {github.com/project-slug: Octocoders/%s, backstage.io/source-template: "template:default/%s"}}
spec: {type: service, lifecycle: experimental, owner: platform}
`, name, name, tpl)
	}
	return out
}

func show(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%g", *v)
}

func showParts(ps []kpi.Part) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += p.Name + " " + show(p.Value)
	}
	return s
}

// TestPushRecordsLanguage: a push names its repository's primary language,
// recorded for fragmentation whatever the push handler then does.
func TestPushRecordsLanguage(t *testing.T) {
	st := openStore(t)
	ds := digest.NewStore(st.db)
	a := newTestApp(t, st, Config{KPI: ds})
	raw, err := os.ReadFile(filepath.Join(webhookData, "push", "with-installation.payload.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	setPath(p, "repository.language", "Kotlin")
	body, _ := json.Marshal(p)
	_ = a.handle(t.Context(), &queue.Delivery{Event: "push", Payload: body, ReceivedAt: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
	var f kpi.Facts
	if err := ds.LoadKPIFacts(t.Context(), &f, time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.Repos) != 1 || f.Repos[0].Language != "Kotlin" || f.Repos[0].Name != p["repository"].(map[string]any)["full_name"] {
		t.Errorf("repositories %+v, want the pushed one in Kotlin", f.Repos)
	}
}
