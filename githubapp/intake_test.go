package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
)

const paymentsV1 = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: Charges cards
spec:
  type: service
  lifecycle: production
  owner: payments
`

// seedAcme puts an organisation on the fake: two repositories with catalog
// files, one with only CODEOWNERS, one archived, a monorepo, and teams.
func seedAcme(gh *fakegithub.Server) {
	gh.AddInstallation(7, "acme")
	gh.AddRepo(7, fakegithub.Repo{ID: 101, FullName: "acme/payments-api", DefaultBranch: "main", Description: "Payments"})
	gh.SetFile("acme/payments-api", "main", "catalog-info.yaml", []byte(paymentsV1))
	gh.SetFile("acme/payments-api", "main", ".github/CODEOWNERS", []byte("* @acme/payments\n"))
	gh.AddRepo(7, fakegithub.Repo{ID: 102, FullName: "acme/legacy-billing", DefaultBranch: "master"})
	gh.SetFile("acme/legacy-billing", "master", "CODEOWNERS", []byte("* @acme/payments\n/reports/ @acme/platform\n"))
	gh.AddRepo(7, fakegithub.Repo{ID: 103, FullName: "acme/old-thing", DefaultBranch: "main", Archived: true})
	gh.SetFile("acme/old-thing", "main", "catalog-info.yaml", []byte(strings.ReplaceAll(paymentsV1, "payments-api", "old-thing")))
	gh.AddRepo(7, fakegithub.Repo{ID: 104, FullName: "acme/platform", DefaultBranch: "main"})
	gh.SetFile("acme/platform", "main", "catalog-info.yaml", []byte(`apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: platform-services}
spec:
  targets: [./services/*/catalog-info.yaml, ./tools/catalog-info.yaml]
`))
	for _, s := range []string{"gateway", "auth"} {
		gh.SetFile("acme/platform", "main", "services/"+s+"/catalog-info.yaml", []byte(strings.NewReplacer("payments-api", s, "owner: payments", "owner: platform").Replace(paymentsV1)))
	}
	gh.SetFile("acme/platform", "main", "tools/catalog-info.yaml", []byte(strings.NewReplacer("payments-api", "cli-tools", "owner: payments", "owner: platform").Replace(paymentsV1)))
	gh.AddTeam("acme", fakegithub.Team{ID: 1, Slug: "payments", Name: "Payments"})
	gh.AddTeam("acme", fakegithub.Team{ID: 2, Slug: "platform", Name: "Platform"})
	gh.AddUser(fakegithub.User{ID: 11, Login: "alice"})
	gh.AddUser(fakegithub.User{ID: 12, Login: "Bob"})
	gh.SetTeamMembers("acme", "payments", "alice", "Bob")
}

func ownerOf(t *testing.T, h *harness, ref string) string {
	t.Helper()
	e := h.entity(ref)
	if e == nil {
		t.Fatalf("%s is not in the catalog", ref)
	}
	return e.SpecString("owner")
}

func TestInstallationFillsTheCatalog(t *testing.T) {
	h := newHarness(t, Config{})
	seedAcme(h.gh)
	guid := h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	h.mustState(guid, queue.StateDone)

	for _, ref := range []string{"component:default/payments-api", "location:default/platform-services",
		"component:default/gateway", "component:default/auth", "component:default/cli-tools", "group:default/payments", "user:default/alice", "user:default/bob"} {
		if h.entity(ref) == nil {
			t.Errorf("%s missing after the installation backfill", ref)
		}
	}
	if h.entity("component:default/old-thing") != nil {
		t.Errorf("an archived repository's entities were ingested")
	}
	e := h.entity("component:default/payments-api")
	if got := e.Metadata.Annotations[catalog.AnnotationManagedByLocation]; got != "url:https://github.com/acme/payments-api/blob/main/catalog-info.yaml" {
		t.Errorf("managed-by-location %q", got)
	}
	if got := e.Metadata.Annotations[catalog.AnnotationProjectSlug]; got != "acme/payments-api" {
		t.Errorf("project-slug %q", got)
	}
	g := h.entity("group:default/payments")
	if got := g.Metadata.Annotations[catalog.AnnotationTeamSlug]; got != "acme/payments" {
		t.Errorf("team-slug %q", got)
	}
	if got := g.SpecStrings("members"); !slices.Equal(got, []string{"Bob", "alice"}) {
		t.Errorf("members %v", got)
	}
	ctx := context.Background()
	legacy, err := h.st.Repository(ctx, "acme/legacy-billing")
	if err != nil {
		t.Fatal(err)
	}
	if legacy.CatalogStatus != catalog.StatusMissing || legacy.Codeowners == nil || legacy.CodeownersPath != "CODEOWNERS" || legacy.DefaultBranch != "master" {
		t.Errorf("legacy-billing row: status %s, codeowners path %q, branch %q", legacy.CatalogStatus, legacy.CodeownersPath, legacy.DefaultBranch)
	}
	a, err := catalog.FindOwner(ctx, h.st, "legacy-billing")
	if err != nil || a.Source != catalog.FromCodeowners || len(a.Owners) == 0 || a.Owners[0].Ref != "group:default/payments" {
		t.Errorf("owner of legacy-billing: %+v, %v", a, err)
	}
	old, err := h.st.Repository(ctx, "acme/old-thing")
	if err != nil || !old.Archived {
		t.Errorf("archived repository row: %+v, %v", old, err)
	}
	// API calls: per repository a catalog file and CODEOWNERS read (1–3
	// places), plus listing, teams and the token.
	repos := 4
	calls := h.app.APICalls()
	t.Logf("backfill: %d API calls for %d repositories and 2 teams (%.1f per repository)", calls, repos, float64(calls)/float64(repos))
	if calls > int64(repos*4+8) {
		t.Errorf("%d API calls for %d repositories: too many", calls, repos)
	}
}

func TestPushKeepsTheCatalogCurrent(t *testing.T) {
	h := newHarness(t, Config{})
	seedAcme(h.gh)
	h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	repo := repoJSON(101, "acme/payments-api", "main")

	t.Run("a push that touches nothing relevant makes no API call", func(t *testing.T) {
		h.gh.ResetCalls()
		guid := h.deliver("push", pushJSON(7, repo, "main", commitJSON([]string{"src/new.go"}, []string{"README.md"}, nil)))
		h.settle()
		h.mustState(guid, queue.StateDone)
		if n := h.gh.CallCount(""); n != 0 {
			t.Errorf("%d API calls for an irrelevant push: %v", n, h.gh.Calls())
		}
	})
	t.Run("a push to another branch is ignored", func(t *testing.T) {
		h.gh.ResetCalls()
		guid := h.deliver("push", pushJSON(7, repo, "feature", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
		h.settle()
		h.mustState(guid, queue.StateIgnored)
		if n := h.gh.CallCount(""); n != 0 {
			t.Errorf("%d API calls for a push to another branch", n)
		}
	})
	t.Run("a push that changes the owner", func(t *testing.T) {
		h.gh.SetFile("acme/payments-api", "main", "catalog-info.yaml", []byte(strings.Replace(paymentsV1, "owner: payments", "owner: platform", 1)))
		h.gh.ResetCalls()
		start := time.Now()
		guid := h.deliver("push", pushJSON(7, repo, "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
		h.settle()
		t.Logf("push to catalog updated: %s", time.Since(start).Round(time.Millisecond))
		h.mustState(guid, queue.StateDone)
		if got := ownerOf(t, h, "component:payments-api"); got != "platform" {
			t.Errorf("owner %q after the push, want platform", got)
		}
		// One GraphQL read of the catalog file (and nothing else).
		if n, total := h.gh.CallCount("POST /graphql"), h.gh.CallCount(""); n != 1 || total != 1 {
			t.Errorf("%d GraphQL reads and %d calls in all for a push that changed only the catalog file, want 1 and 1: %v", n, total, h.gh.Calls())
		}
	})
	t.Run("a push that changes CODEOWNERS only", func(t *testing.T) {
		h.gh.SetFile("acme/legacy-billing", "master", "CODEOWNERS", []byte("* @acme/platform\n"))
		h.gh.ResetCalls()
		guid := h.deliver("push", pushJSON(7, repoJSON(102, "acme/legacy-billing", "master"), "master", commitJSON(nil, []string{"CODEOWNERS"}, nil)))
		h.settle()
		h.mustState(guid, queue.StateDone)
		r, _ := h.st.Repository(context.Background(), "acme/legacy-billing")
		if got := r.Codeowners.OwnersOf("x"); !slices.Equal(got, []string{"@acme/platform"}) {
			t.Errorf("CODEOWNERS owners %v after the push", got)
		}
		if n := h.gh.CallCount(""); n != 1 {
			t.Errorf("%d API calls for a CODEOWNERS-only push, want 1: %v", n, h.gh.Calls())
		}
	})
	t.Run("a push adding a file a Location glob matches", func(t *testing.T) {
		h.gh.SetFile("acme/platform", "main", "services/billing/catalog-info.yaml", []byte(strings.NewReplacer("payments-api", "billing", "owner: payments", "owner: platform").Replace(paymentsV1)))
		guid := h.deliver("push", pushJSON(7, repoJSON(104, "acme/platform", "main"), "main", commitJSON([]string{"services/billing/catalog-info.yaml"}, nil, nil)))
		h.settle()
		h.mustState(guid, queue.StateDone)
		if h.entity("component:billing") == nil {
			t.Errorf("the new monorepo service is not in the catalog")
		}
	})
	t.Run("a push removing an entity from the file", func(t *testing.T) {
		h.gh.DeleteFile("acme/platform", "main", "tools/catalog-info.yaml")
		guid := h.deliver("push", pushJSON(7, repoJSON(104, "acme/platform", "main"), "main", commitJSON(nil, nil, []string{"tools/catalog-info.yaml"})))
		h.settle()
		h.mustState(guid, queue.StateDone)
		// The Location still names the file, which is now missing: the
		// repository is invalid, and what it declared before stays.
		r, _ := h.st.Repository(context.Background(), "acme/platform")
		if r.CatalogStatus != catalog.StatusInvalid {
			t.Errorf("status %s, want invalid (a target is missing)", r.CatalogStatus)
		}
	})
}

func TestRepositoryEvents(t *testing.T) {
	h := newHarness(t, Config{})
	seedAcme(h.gh)
	h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	inst := obj{"id": 7}

	renamed := repoJSON(101, "acme/payments-service", "main")
	h.gh.ResetCalls()
	guid := h.deliver("repository", obj{"action": "renamed", "repository": renamed, "installation": inst, "changes": obj{"repository": obj{"name": obj{"from": "payments-api"}}}})
	h.settle()
	h.mustState(guid, queue.StateDone)
	e := h.entity("component:payments-api")
	if got := e.Metadata.Annotations[catalog.AnnotationManagedByLocation]; got != "url:https://github.com/acme/payments-service/blob/main/catalog-info.yaml" {
		t.Errorf("managed-by-location after rename: %q", got)
	}
	if got := e.Metadata.Annotations[catalog.AnnotationProjectSlug]; got != "acme/payments-service" {
		t.Errorf("project-slug after rename: %q", got)
	}
	if n := h.gh.CallCount(""); n != 0 {
		t.Errorf("a rename made %d API calls, want none", n)
	}
	a, err := catalog.FindOwner(context.Background(), h.st, "https://github.com/acme/payments-service")
	if err != nil || a.Entity == nil || a.Entity.Metadata.Name != "payments-api" {
		t.Errorf("owner by the new URL: %+v %v", a, err)
	}

	platform := repoJSON(104, "acme/platform", "main")
	guid = h.deliver("repository", obj{"action": "archived", "repository": platform, "installation": inst})
	h.settle()
	h.mustState(guid, queue.StateDone)
	if h.entity("component:gateway") != nil {
		t.Errorf("an archived repository's entity stayed in the catalog")
	}
	if r, err := h.st.Repository(context.Background(), "acme/platform"); err != nil || !r.Archived {
		t.Errorf("archived row: %+v %v", r, err)
	}
	guid = h.deliver("repository", obj{"action": "unarchived", "repository": platform, "installation": inst})
	h.settle()
	h.mustState(guid, queue.StateDone)
	if h.entity("component:gateway") == nil {
		t.Errorf("unarchived repository's entity is not back")
	}

	guid = h.deliver("repository", obj{"action": "deleted", "repository": renamed, "installation": inst})
	h.settle()
	h.mustState(guid, queue.StateDone)
	if h.entity("component:payments-api") != nil {
		t.Errorf("a deleted repository's entity stayed")
	}
	if _, err := h.st.Repository(context.Background(), "acme/payments-service"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("deleted repository row: %v", err)
	}
}

func TestTeamAndMembershipEvents(t *testing.T) {
	h := newHarness(t, Config{})
	seedAcme(h.gh)
	h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	org := obj{"login": "acme"}
	h.gh.ResetCalls()
	h.deliver("membership", obj{"action": "added", "scope": "team", "member": obj{"login": "carol"}, "team": obj{"slug": "payments", "name": "Payments"}, "organization": org, "installation": obj{"id": 7}})
	h.deliver("team", obj{"action": "created", "team": obj{"slug": "search", "name": "Search", "parent": obj{"slug": "platform"}}, "organization": org, "installation": obj{"id": 7}})
	h.deliver("organization", obj{"action": "member_removed", "membership": obj{"user": obj{"login": "Bob"}}, "organization": org, "installation": obj{"id": 7}})
	h.settle()
	if got := h.entity("group:payments").SpecStrings("members"); !slices.Equal(got, []string{"alice", "carol"}) {
		t.Errorf("payments members %v, want alice and carol", got)
	}
	if h.entity("user:carol") == nil || h.entity("user:bob") != nil {
		t.Errorf("users: carol %v, bob %v", h.entity("user:carol") != nil, h.entity("user:bob") != nil)
	}
	if got := h.entity("group:search").SpecString("parent"); got != "platform" {
		t.Errorf("search parent %q", got)
	}
	if got := h.entity("group:platform").SpecStrings("children"); !slices.Equal(got, []string{"search"}) {
		t.Errorf("platform children %v", got)
	}
	if n := h.gh.CallCount(""); n != 0 {
		t.Errorf("team events made %d API calls, want none", n)
	}
}

func TestRateLimitAndServerErrorsAreRetried(t *testing.T) {
	h := newHarness(t, Config{})
	seedAcme(h.gh)
	// A secondary rate limit with Retry-After, then two 502s, on the first contents reads.
	h.gh.FailNext("POST /graphql", 1, 403, map[string]string{"Retry-After": "1"},
		`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
	h.gh.FailNext("POST /graphql", 2, 502, nil, `{"message":"Server Error"}`)
	start := time.Now()
	guid := h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	h.mustState(guid, queue.StateDone)
	if d := time.Since(start); d < time.Second {
		t.Errorf("finished in %s: Retry-After 1 s was not honoured", d)
	}
	var attempts int
	h.st.db.QueryRow(context.Background(), `SELECT attempts FROM deliveries WHERE delivery_id = ?`, guid).Scan(&attempts)
	// The batched read retries within the attempt: 403, 502, 502, success.
	if attempts != 1 || h.gh.CallCount("POST /graphql") < 4 {
		t.Errorf("%d attempts, %d GraphQL calls; want 1 attempt and 4 calls (403, 502, 502, success)", attempts, h.gh.CallCount("POST /graphql"))
	}
	if h.entity("component:payments-api") == nil || h.entity("group:payments") == nil {
		t.Errorf("the catalog is not filled after the retries")
	}
	// Nothing done twice: one row per entity, and the unchanged retry wrote nothing.
	var n int
	h.st.db.QueryRow(context.Background(), `SELECT count(*) FROM entities WHERE ref = 'component:default/payments-api'`).Scan(&n)
	if n != 1 {
		t.Errorf("%d rows for payments-api", n)
	}
}

func TestFailingDeliveryIsParked(t *testing.T) {
	h := newHarness(t, Config{MaxAttempts: 3})
	seedAcme(h.gh)
	h.gh.FailNext("GET /installation/repositories", 10, 502, nil, `{"message":"Server Error"}`)
	guid := h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	state, lastErr := h.state(guid)
	if state != queue.StateFailed || !strings.Contains(lastErr, "gave up after 3 attempts") {
		t.Errorf("state %s (%s), want failed after 3 attempts", state, lastErr)
	}
	ds, err := queue.List(context.Background(), h.st.db, 10)
	if err != nil || len(ds) == 0 || ds[0].DeliveryID != guid {
		t.Errorf("the failed delivery is not listed first: %+v %v", ds, err)
	}
}

// A crash between the 202 and the processing loses nothing, and a restart
// processes each acknowledged delivery exactly once.
func TestAcknowledgedDeliveriesSurviveACrash(t *testing.T) {
	gh := fakegithub.New(t)
	seedAcme(gh)
	dir := t.TempDir()
	db := filepath.Join(dir, "callboard.db")
	cfg := Config{AppID: "4242", PrivateKey: testKey, WebhookSecret: []byte(testSecret), APIURL: gh.URL + "/", RedeliverEvery: -1, RetryBase: 20 * time.Millisecond}

	// First life: receives and acknowledges, never processes (killed).
	st1 := openStoreAt(t, db)
	first, err := New(cfg, st1, st1.db)
	if err != nil {
		t.Fatal(err)
	}
	var guids []string
	for i, body := range []obj{
		{"action": "created", "installation": installationJSON(7, "acme")},
		pushJSON(7, repoJSON(101, "acme/payments-api", "main"), "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)),
	} {
		event := []string{"installation", "push"}[i]
		b, _ := json.Marshal(body)
		guid := "crash-" + event
		if w := post(t, first, event, guid, b, sign(testSecret, b)); w.Code != 202 {
			t.Fatalf("ack: %d", w.Code)
		}
		guids = append(guids, guid)
	}
	// Simulate a death mid-processing too: one delivery left "processing".
	if _, err := st1.db.Exec(context.Background(), `UPDATE deliveries SET state = 'processing', attempts = 1 WHERE delivery_id = ?`, guids[1]); err != nil {
		t.Fatal(err)
	}
	st1.Close()

	// Second life: resumes.
	st2 := openStoreAt(t, db)
	h := &harness{t: t, gh: gh, st: st2}
	if h.app, err = New(cfg, st2, st2.db); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.app.Stop(context.Background()) })
	h.settle()
	for _, g := range guids {
		h.mustState(g, queue.StateDone)
	}
	if h.entity("component:payments-api") == nil {
		t.Fatal("the acknowledged installation was not processed after the restart")
	}
	// Exactly once: the installation listed repositories once.
	if n := gh.CallCount("GET /installation/repositories"); n != 1 {
		t.Errorf("installation repositories listed %d times, want 1", n)
	}
}

func TestEveryExamplePayloadIsProcessedWithoutError(t *testing.T) {
	h := newHarness(t, Config{MaxAttempts: 2})
	// Put on the fake the installations and repositories the octokit
	// examples name, so their handling runs for real. The examples were
	// recorded from several Apps; an account has one installation of an App,
	// so each account's deliveries are given one installation id.
	examples := examplePayloads(t)
	instOf := map[string]int64{}
	repos := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(examples)) {
		var p map[string]any
		if err := json.Unmarshal(examples[name], &p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inst, _ := p["installation"].(map[string]any)
		if inst == nil {
			continue
		}
		account := ""
		repo, _ := p["repository"].(map[string]any)
		switch {
		case repo != nil:
			account, _ = repo["owner"].(map[string]any)["login"].(string)
		case p["organization"] != nil:
			account, _ = p["organization"].(map[string]any)["login"].(string)
		case inst["account"] != nil:
			account, _ = inst["account"].(map[string]any)["login"].(string)
		}
		if account == "" {
			continue
		}
		id, ok := instOf[account]
		if !ok {
			id = int64(len(instOf) + 1)
			instOf[account] = id
			h.gh.AddInstallation(id, account)
		}
		inst["id"] = id
		if repo != nil {
			full, _ := repo["full_name"].(string)
			if !repos[full] {
				repos[full] = true
				branch, _ := repo["default_branch"].(string)
				h.gh.AddRepo(id, fakegithub.Repo{ID: int64(repo["id"].(float64)), FullName: full, DefaultBranch: branch})
				h.gh.SetFile(full, branch, "README.md", []byte("# "+full+"\n"))
			}
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		examples[name] = b
	}
	for name, body := range examples {
		event := strings.Split(name, string(filepath.Separator))[0]
		h.deliverRaw(event, body)
	}
	h.settle()
	rows, err := h.st.db.Query(context.Background(), `SELECT event, action, state, last_error FROM deliveries WHERE state NOT IN ('done', 'ignored')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var event, action, state, lastErr string
		rows.Scan(&event, &action, &state, &lastErr)
		t.Errorf("%s.%s ended %s: %s", event, action, state, lastErr)
	}
	var done, ignored int
	h.st.db.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'ignored') FROM deliveries`).Scan(&done, &ignored)
	t.Logf("%d example deliveries handled, %d ignored", done, ignored)
}
