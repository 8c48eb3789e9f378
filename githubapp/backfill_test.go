package githubapp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/prometheus/client_golang/prometheus"
)

const componentYAML = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: %s\nspec:\n  type: service\n  lifecycle: production\n  owner: %s\n"

// largeOrg fills the fake with n repositories as a large organisation has
// them: most with a catalog file and CODEOWNERS, some monorepos whose root
// file is a Location with targets, some with CODEOWNERS only, some with
// nothing, some archived, some invalid; one catalog file too large for
// GraphQL's text; 40 teams, one with 150 members.
func largeOrg(gh *fakegithub.Server, n int) {
	gh.AddInstallation(7, "acme")
	for i := range n {
		name := fmt.Sprintf("acme/svc-%05d", i)
		r := fakegithub.Repo{ID: int64(100000 + i), FullName: name, Description: "service " + fmt.Sprint(i)}
		switch i % 100 {
		case 95, 96, 97:
			r.Archived = true
		case 7:
			r.Fork = true
		}
		if i%10 == 0 {
			r.Language, r.Topics = "Go", []string{"backend", "tier-1"}
		}
		gh.AddRepo(7, r)
		owner := fmt.Sprintf("team-%02d", i%40)
		switch i % 100 {
		case 90, 91, 92, 93, 94: // CODEOWNERS only
			gh.SetFile(name, "main", "CODEOWNERS", []byte("* @acme/"+owner+"\n"))
		case 98: // nothing
		case 99: // invalid
			gh.SetFile(name, "main", "catalog-info.yaml", []byte("kind: Component\nmetadata: {}\n"))
		case 80, 81, 82, 83, 84: // a monorepo: a Location with two targets, one a glob-free path to another Location
			gh.SetFile(name, "main", "catalog-info.yaml", []byte("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root-"+fmt.Sprint(i)+"\nspec:\n  targets: [./services/a/catalog-info.yaml, ./services/b.yaml]\n"))
			gh.SetFile(name, "main", "services/a/catalog-info.yaml", []byte(fmt.Sprintf(componentYAML, fmt.Sprintf("svc-%05d-a", i), owner)))
			gh.SetFile(name, "main", "services/b.yaml", []byte("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: b-"+fmt.Sprint(i)+"\nspec:\n  targets: [./b/catalog-info.yaml]\n"))
			gh.SetFile(name, "main", "services/b/catalog-info.yaml", []byte(fmt.Sprintf(componentYAML, fmt.Sprintf("svc-%05d-b", i), owner)))
		default:
			body := fmt.Sprintf(componentYAML, fmt.Sprintf("svc-%05d", i), owner)
			if i == 1 {
				body += "# " + strings.Repeat("x", 600<<10) + "\n" // past GraphQL's text: read through REST
			}
			gh.SetFile(name, "main", "catalog-info.yaml", []byte(body))
			gh.SetFile(name, "main", ".github/CODEOWNERS", []byte("* @acme/"+owner+"\n"))
		}
	}
	for t := range 40 {
		gh.AddTeam("acme", fakegithub.Team{ID: int64(t + 1), Slug: fmt.Sprintf("team-%02d", t)})
		var members []string
		for m := range 3 + 147*(t/39) {
			members = append(members, fmt.Sprintf("user-%02d-%03d", t, m))
		}
		gh.SetTeamMembers("acme", fmt.Sprintf("team-%02d", t), members...)
	}
}

// TestBackfill5000Repositories: a backfill of 5,000 repositories costs
// under 0.05 API calls a repository (REST and GraphQL), spends few GraphQL
// points, leaves the reserve of each budget alone (pausing for the reset
// instead), and stores what a file-by-file read would.
func TestBackfill5000Repositories(t *testing.T) {
	h := newHarness(t, Config{BackfillReserve: 0.25})
	const n = 5000
	largeOrg(h.gh, n)
	// A budget the backfill cannot finish in: 60 points a window, of which
	// it may spend 45.
	const window = 4 * time.Second
	h.gh.SetRateLimit("graphql", 60, window)
	h.gh.ResetCalls()

	var mu sync.Mutex
	var progress []BackfillProgress
	start := time.Now()
	reports, err := h.app.Sync(context.Background(), SyncOptions{Progress: func(p BackfillProgress) {
		mu.Lock()
		progress = append(progress, p)
		mu.Unlock()
	}})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Repositories != n {
		t.Fatalf("reports %+v, want one installation with %d repositories", reports, n)
	}
	rep := reports[0]
	calls := h.gh.Calls()
	perRepo := float64(len(calls)) / n
	var graphql, rest int
	for _, c := range calls {
		if c.Path == "/graphql" {
			graphql++
		} else if c.Path != "/rate_limit" {
			rest++
		}
	}
	t.Logf("%d repositories in %s: %d calls (%d GraphQL, %d REST, %d rate-limit reads), %.4f a repository; %d GraphQL points; paused %s",
		n, took.Round(time.Millisecond), len(calls), graphql, rest, len(calls)-graphql-rest, perRepo, rep.Points, rep.Paused.Round(time.Millisecond))
	if perRepo > 0.05 {
		t.Errorf("%.4f API calls a repository, want at most 0.05", perRepo)
	}
	// GitHub also saw callboard sync list the installations (with the App's JWT).
	if int64(len(calls)-h.gh.CallCount("GET /app/installations")) != rep.APICalls {
		t.Errorf("the report counts %d calls, GitHub saw %d", rep.APICalls, len(calls))
	}
	// Two points a batch of 100 (two connections a repository: topics and
	// language bytes), 50 batches, and the teams' few: at most 120.
	if rep.Points != h.gh.PointsSpent() || rep.Points > 120 {
		t.Errorf("report says %d points, GitHub counted %d; want them equal and at most 120", rep.Points, h.gh.PointsSpent())
	}
	// The reserve held: no answer left the GraphQL budget under 15 points.
	if low := h.gh.RateLowest("graphql"); low < reserveOf(60, 0.25) {
		t.Errorf("the GraphQL budget went down to %d, under the reserve of %d", low, reserveOf(60, 0.25))
	}
	if low := h.gh.RateLowest("core"); low < reserveOf(5000, 0.25) {
		t.Errorf("the REST budget went down to %d, under the reserve", low)
	}
	if rep.Paused == 0 && took < window {
		t.Errorf("finished in %s without pausing, with more points needed than one window leaves", took)
	}
	if rejected := h.gh.GraphQLRejected(); len(rejected) > 0 {
		t.Errorf("GitHub's schema refused queries: %v", rejected)
	}

	// Progress: counted up to the end, with a pause shown if there was one.
	mu.Lock()
	last := progress[len(progress)-1]
	paused := slices.ContainsFunc(progress, func(p BackfillProgress) bool { return !p.PausedUntil.IsZero() })
	mu.Unlock()
	if !last.Finished || last.Done != n || last.Total != n || last.PointsLeft < 0 {
		t.Errorf("last progress %+v", last)
	}
	if rep.Paused > 0 && !paused {
		t.Errorf("paused %s but no progress said so", rep.Paused)
	}
	if !strings.Contains(last.String(), "5000/5000 repositories") {
		t.Errorf("progress line %q", last)
	}

	ctx := context.Background()
	check := func(ref, owner string) {
		t.Helper()
		e := h.entity(ref)
		if e == nil {
			t.Errorf("%s missing", ref)
			return
		}
		if got := e.SpecString("owner"); got != owner {
			t.Errorf("%s owner %q, want %q", ref, got, owner)
		}
	}
	check("component:default/svc-00000", "team-00")
	check("component:default/svc-00001", "team-01") // read through REST: too large for GraphQL's text
	check("component:default/svc-04080-a", "team-00")
	check("component:default/svc-04080-b", "team-00") // a target's target
	for name, want := range map[string]string{
		"acme/svc-00090": catalog.StatusMissing, "acme/svc-00099": catalog.StatusInvalid,
		"acme/svc-00002": catalog.StatusRegistered, "acme/svc-00181": catalog.StatusRegistered,
	} {
		r, err := h.st.Repository(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if r.CatalogStatus != want {
			t.Errorf("%s status %s, want %s", name, r.CatalogStatus, want)
		}
		if name == "acme/svc-00090" && (r.Codeowners == nil || r.CodeownersPath != "CODEOWNERS") {
			t.Errorf("%s CODEOWNERS %q %v", name, r.CodeownersPath, r.Codeowners)
		}
		if name == "acme/svc-00181" && len(r.CatalogFiles) != 4 {
			t.Errorf("%s catalog files %v, want the root, two targets and the target's target", name, r.CatalogFiles)
		}
	}
	if r, err := h.st.Repository(ctx, "acme/svc-00095"); err != nil || !r.Archived {
		t.Errorf("acme/svc-00095 should be recorded archived: %+v %v", r, err)
	}
	if h.entity("component:default/svc-00095") != nil {
		t.Errorf("an archived repository's component is in the catalog")
	}
	facts, err := h.app.backfill.facts.facts(ctx, 100000)
	if err != nil || facts.Language != "Go" || !slices.Equal(facts.Topics, []string{"backend", "tier-1"}) || facts.PushedAt.IsZero() {
		t.Errorf("facts of svc-00000: %+v %v", facts, err)
	}
	if f, _ := h.app.backfill.facts.facts(ctx, 100007); !f.Fork {
		t.Errorf("svc-00007 is a fork: %+v", f)
	}
	big := h.entity("group:default/team-39")
	if big == nil || len(big.SpecStrings("members")) != 150 {
		t.Errorf("team-39 should have its 150 members (a second page): %v", big)
	}
	if h.entity("user:default/user-39-149") == nil {
		t.Errorf("the last member of the second page is not a user")
	}
}

// TestSyncSince re-reads only what was pushed since: one listing, one
// batched query for the pushed repositories, nothing for the rest.
func TestSyncSince(t *testing.T) {
	h := newHarness(t, Config{})
	largeOrg(h.gh, 250)
	if _, err := h.app.Sync(context.Background(), SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-72 * time.Hour)
	for i := range 250 {
		h.gh.SetPushedAt(fmt.Sprintf("acme/svc-%05d", i), old)
	}
	h.gh.SetFile("acme/svc-00003", "main", "catalog-info.yaml", []byte(fmt.Sprintf(componentYAML, "svc-00003", "team-05")))
	h.gh.SetFile("acme/svc-00204", "main", "catalog-info.yaml", []byte(fmt.Sprintf(componentYAML, "svc-00204", "team-07")))
	h.gh.ResetCalls()
	reports, err := h.app.Sync(context.Background(), SyncOptions{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if reports[0].Repositories != 2 {
		t.Errorf("%d repositories re-read, want the 2 pushed since", reports[0].Repositories)
	}
	if n := h.gh.CallCount("POST /graphql"); n != 1 {
		t.Errorf("%d GraphQL queries, want 1 (teams are read by a full sync)", n)
	}
	if n := h.gh.CallCount("GET /installation/repositories"); n != 3 {
		t.Errorf("%d listing calls, want 3 (250 repositories, 100 a page)", n)
	}
	if e := h.entity("component:default/svc-00003"); e == nil || e.SpecString("owner") != "team-05" {
		t.Errorf("svc-00003 not re-read: %v", e)
	}
	if e := h.entity("component:default/svc-00204"); e == nil || e.SpecString("owner") != "team-07" {
		t.Errorf("svc-00204 not re-read: %v", e)
	}

	// /metrics says where the latest backfill stands, read from the
	// database (so serve shows what callboard sync did in its process).
	reg := prometheus.NewRegistry()
	reg.MustRegister(h.app.metrics.backfill)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			got[mf.GetName()] = m.GetGauge().GetValue()
		}
	}
	want := map[string]float64{"callboard_github_backfill_repositories_done": 2, "callboard_github_backfill_repositories_total": 2, "callboard_github_backfill_paused": 0, "callboard_github_backfill_seconds_left": 0}
	for name, v := range want {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", name, g, ok, v)
		}
	}
	if got["callboard_github_backfill_graphql_points_left"] <= 0 {
		t.Errorf("points left %v", got["callboard_github_backfill_graphql_points_left"])
	}
}

// TestRepositoriesAddedAreBatched: repositories added to an installation
// are read in one batched query, not one call each.
func TestRepositoriesAddedAreBatched(t *testing.T) {
	h := newHarness(t, Config{})
	largeOrg(h.gh, 30)
	h.gh.ResetCalls()
	var added []any
	for i := range 30 {
		added = append(added, obj{"id": 100000 + i, "name": fmt.Sprintf("svc-%05d", i), "full_name": fmt.Sprintf("acme/svc-%05d", i)})
	}
	guid := h.deliver("installation_repositories", obj{"action": "added", "installation": installationJSON(7, "acme"), "repositories_added": added, "repository_selection": "selected"})
	h.settle()
	h.mustState(guid, queue.StateDone)
	if n, all := h.gh.CallCount("POST /graphql"), len(h.gh.Calls()); n != 1 || all > 5 {
		t.Errorf("%d GraphQL queries and %d calls in all for 30 repositories, want 1 query and a token (and one REST read of the large file)", n, all)
	}
	if h.entity("component:default/svc-00000") == nil || h.entity("component:default/svc-00001") == nil {
		t.Errorf("the added repositories' components are not in the catalog")
	}
	if r, err := h.st.Repository(context.Background(), "acme/svc-00002"); err != nil || r.DefaultBranch != "main" {
		t.Errorf("acme/svc-00002: %+v %v; want its default branch from the query", r, err)
	}
}

// TestBackfillWithoutGraphQL: where GraphQL does not answer, the backfill
// reads through REST, repository by repository, and still completes.
func TestBackfillWithoutGraphQL(t *testing.T) {
	h := newHarness(t, Config{})
	largeOrg(h.gh, 20)
	h.gh.FailNext("POST /graphql", 100, 404, nil, `{"message":"Not Found"}`)
	reports, err := h.app.Sync(context.Background(), SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if reports[0].Repositories != 20 || h.entity("component:default/svc-00000") == nil || h.entity("group:default/team-00") == nil {
		t.Errorf("report %+v; want the 20 repositories and the teams read through REST", reports[0])
	}
}
