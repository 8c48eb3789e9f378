package onboarding_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/githubapp"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/callboard/callboard/onboarding"
	"github.com/callboard/callboard/sqlite"
)

var testKey = func() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}()

const secret = "onboarding-secret"

// org is a test GitHub organisation and callboard over it: the real App
// (webhooks, queue, sync) and onboarding through it.
type org struct {
	t     *testing.T
	gh    *fakegithub.Server
	db    *sqlite.DB
	st    *store.Store
	app   *githubapp.App
	svc   *onboarding.Service
	seq   atomic.Int64
	calls atomic.Int64
	ids   map[string]int64
}

func newOrg(t *testing.T, gh *fakegithub.Server, cfg onboarding.Config) *org {
	t.Helper()
	db, st := testcatalog.OpenAt(t, filepath.Join(t.TempDir(), "callboard.db"))
	o := &org{t: t, gh: gh, db: db, st: st, ids: map[string]int64{}}
	obStore := onboarding.NewStore(db, nil)
	app, err := githubapp.New(githubapp.Config{AppID: "4242", PrivateKey: testKey, WebhookSecret: []byte(secret),
		APIURL: gh.URL + "/", RedeliverEvery: -1, RetryBase: 20 * time.Millisecond, Onboarding: obStore,
		Transport: countingTransport{next: http.DefaultTransport, n: &o.calls}}, st, db)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		app.Stop(sctx)
		cancel()
	})
	o.app = app
	cfg.Mode = onboarding.ModeOn
	cfg.Usage = st
	o.svc = onboarding.New(cfg, onboarding.NewGitHub(app), obStore, st)
	return o
}

type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/access_tokens") && r.URL.Path != "/rate_limit" {
		c.n.Add(1) // GitHub counts neither against the rate budget
	}
	return c.next.RoundTrip(r)
}

// deliver signs and posts an event to the App and waits until it is processed.
func (o *org) deliver(event string, payload any) {
	o.t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		o.t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/webhooks/github", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-GitHub-Event", event)
	r.Header.Set("X-GitHub-Delivery", fmt.Sprintf("%s-%d", event, o.seq.Add(1)))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	r.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(m.Sum(nil)))
	w := httptest.NewRecorder()
	o.app.ServeHTTP(w, r)
	if w.Code != http.StatusAccepted {
		o.t.Fatalf("%s: %d %s", event, w.Code, w.Body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ds, err := queue.List(context.Background(), o.db, 5)
		if err != nil {
			o.t.Fatal(err)
		}
		busy := false
		for _, d := range ds {
			if d.State == "pending" || d.State == "processing" {
				busy = true
			}
			if d.State == "failed" {
				o.t.Fatalf("delivery %s failed: %s", d.DeliveryID, d.LastError)
			}
		}
		if !busy {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	o.t.Fatal("the delivery was not processed in 20 s")
}

func (o *org) repoJSON(fullName string) map[string]any {
	_, name, _ := strings.Cut(fullName, "/")
	return map[string]any{"id": o.ids[fullName], "name": name, "full_name": fullName, "default_branch": "main",
		"html_url": "https://github.com/" + fullName, "owner": map[string]any{"login": "acme", "type": "Organization"}}
}

// push is the push event GitHub sends after commits to main touched paths.
func (o *org) push(fullName string, modified ...string) {
	o.t.Helper()
	after := fmt.Sprintf("%040x", o.seq.Add(1))
	commit := map[string]any{"id": after, "message": "change", "added": []string{}, "modified": modified, "removed": []string{}}
	o.deliver("push", map[string]any{"ref": "refs/heads/main", "before": strings.Repeat("0", 40), "after": after,
		"repository": o.repoJSON(fullName), "installation": map[string]any{"id": 1}, "commits": []any{commit}, "head_commit": commit})
}

// closed is the pull_request event of a pull request closed (merged or not).
func (o *org) closed(fullName string, p fakegithub.Pull) {
	o.t.Helper()
	o.deliver("pull_request", map[string]any{"action": "closed", "number": p.Number, "repository": o.repoJSON(fullName),
		"installation": map[string]any{"id": 1},
		"pull_request": map[string]any{"number": p.Number, "state": "closed", "merged": p.Merged, "title": p.Title,
			"closed_at": p.ClosedAt.Format(time.RFC3339), "merged_at": nil, "user": map[string]any{"login": "callboard[bot]"},
			"head": map[string]any{"ref": p.Head, "sha": p.HeadSHA, "repo": o.repoJSON(fullName)},
			"base": map[string]any{"ref": p.Base, "repo": o.repoJSON(fullName)}}})
}

// shape is one kind of repository in the test organisation, and what a
// run should propose to it.
type shape struct {
	name  string
	n     int
	owner string // the expected owner's group name; "" for no pull request
	setup func(gh *fakegithub.Server, repo string, i int)
}

var teams = []string{"payments", "search", "platform", "identity", "growth", "data", "mobile", "infra"}

func team(i int) string { return teams[i%len(teams)] }

const (
	old    = 400 // days: created long ago
	recent = 5   // days since the last push
)

func ago(days int) time.Time { return time.Now().AddDate(0, 0, -days) }

// shapes make an organisation of 200 repositories.
var shapes = []shape{
	{"co-github", 25, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFile(r, "main", ".github/CODEOWNERS", []byte("* @acme/"+team(i)+"\n"))
		gh.SetFile(r, "main", "go.mod", []byte("module x\n"))
	}},
	{"co-root", 20, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFile(r, "main", "CODEOWNERS", []byte("# owners\n*       @acme/"+team(i+1)+" @alice\n"))
		gh.SetFile(r, "main", "Dockerfile", []byte("FROM scratch\n"))
	}},
	{"co-docs", 15, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFile(r, "main", "docs/CODEOWNERS", []byte("* @acme/"+team(i+2)+"\n"))
		gh.SetFile(r, "main", "mkdocs.yml", []byte("site_name: x\n"))
		gh.SetFile(r, "main", "README.md", []byte("# docs\n"))
	}},
	{"co-unknown-team", 10, "", func(gh *fakegithub.Server, r string, i int) {
		// CODEOWNERS names a team that does not exist: the team permission decides.
		gh.SetFile(r, "main", ".github/CODEOWNERS", []byte("* @acme/ghosts\n"))
		gh.SetFile(r, "main", "package.json", []byte("{}\n"))
		gh.SetTeamRepo("acme", team(i+3), r, "admin")
	}},
	{"perm-admin", 15, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFile(r, "main", "index.html", []byte("<h1>site</h1>\n"))
		gh.SetTeamRepo("acme", team(i+4), r, "admin")
		gh.SetTeamRepo("acme", team(i+5), r, "push")
	}},
	{"perm-maintain", 15, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFile(r, "main", ".github/workflows/deploy.yml", []byte("on: push\n"))
		gh.SetTeamRepo("acme", team(i+6), r, "maintain")
	}},
	{"committers", 15, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFileAs(r, "main", "main.py", []byte("print(1)\n"), member(team(i+7), 0), ago(20))
		gh.SetFileAs(r, "main", "lib.py", []byte("print(2)\n"), member(team(i+7), 1), ago(recent))
	}},
	{"no-evidence", 15, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFile(r, "main", "notes.txt", []byte("notes\n"))
	}},
	{"fork", 10, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFile(r, "main", "CODEOWNERS", []byte("* @acme/payments\n"))
	}},
	{"archived", 10, "", func(gh *fakegithub.Server, r string, i int) {}},
	{"empty", 10, "", func(gh *fakegithub.Server, r string, i int) {}},
	{"inactive", 10, "", func(gh *fakegithub.Server, r string, i int) {
		gh.SetFileAs(r, "main", "CODEOWNERS", []byte("* @acme/payments\n"), "alice", ago(200))
	}},
	{"registered", 20, "", func(gh *fakegithub.Server, r string, i int) {
		_, name, _ := strings.Cut(r, "/")
		gh.SetFile(r, "main", "catalog-info.yaml", []byte("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: "+name+
			"\nspec:\n  type: service\n  lifecycle: production\n  owner: group:payments\n"))
	}},
	{"monorepo", 10, "", func(gh *fakegithub.Server, r string, i int) {
		_, name, _ := strings.Cut(r, "/")
		gh.SetFile(r, "main", "catalog-info.yaml", []byte("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: "+name+
			"\nspec:\n  targets:\n    - ./services/a/catalog-info.yaml\n"))
		gh.SetFile(r, "main", "services/a/catalog-info.yaml", []byte("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: "+name+
			"-a\nspec:\n  type: service\n  lifecycle: production\n  owner: group:search\n"))
	}},
}

func member(team string, k int) string { return fmt.Sprintf("%s-dev%d", team, k) }

// expectedOwner is who a repository of a shape should be proposed to.
func expectedOwner(sh string, i int) string {
	switch sh {
	case "co-github":
		return team(i)
	case "co-root":
		return team(i + 1)
	case "co-docs":
		return team(i + 2)
	case "co-unknown-team":
		return team(i + 3)
	case "perm-admin":
		return team(i + 4)
	case "perm-maintain":
		return team(i + 6)
	case "committers":
		return team(i + 7)
	}
	return ""
}

// buildOrg makes the test GitHub's organisation of 200 repositories and
// returns each repository's expected owner ("" for no pull request).
func buildOrg(t *testing.T) (*fakegithub.Server, map[string]string, map[string]string) {
	gh := fakegithub.New(t)
	gh.AddInstallation(1, "acme")
	for i, slug := range teams {
		gh.AddTeam("acme", fakegithub.Team{ID: int64(100 + i), Slug: slug, Name: slug})
		var logins []string
		for k := range 3 {
			login := member(slug, k)
			gh.AddUser(fakegithub.User{ID: int64(1000 + 10*i + k), Login: login})
			gh.AddMember("acme", login)
			logins = append(logins, login)
		}
		gh.SetTeamMembers("acme", slug, logins...)
	}
	gh.AddUser(fakegithub.User{ID: 999, Login: "alice"})
	gh.AddMember("acme", "alice")
	want, kind := map[string]string{}, map[string]string{}
	id := int64(5000)
	total := 0
	for _, sh := range shapes {
		for i := range sh.n {
			id++
			total++
			full := fmt.Sprintf("acme/%s-%02d", sh.name, i)
			gh.AddRepo(1, fakegithub.Repo{ID: id, FullName: full, Description: "The " + sh.name + " repository number " + fmt.Sprint(i),
				Fork: sh.name == "fork", Archived: sh.name == "archived", Empty: sh.name == "empty", CreatedAt: ago(old),
				Topics: []string{"acme", sh.name}, Language: "Go", Homepage: "https://" + sh.name + ".acme.example"})
			sh.setup(gh, full, i)
			want[full] = expectedOwner(sh.name, i)
			kind[full] = sh.name
		}
	}
	if total != 200 {
		t.Fatalf("the organisation has %d repositories, want 200", total)
	}
	return gh, want, kind
}

// TestOnboardingEndToEnd: 200 repositories of mixed shapes; a run opens
// exactly the expected pull requests, a second changes nothing, a closed
// one stays closed, a merged one is in the catalog through the push
// webhook, and an owner change rewrites the open one.
func TestOnboardingEndToEnd(t *testing.T) {
	ctx := context.Background()
	gh, want, kind := buildOrg(t)
	o := newOrg(t, gh, onboarding.Config{PerHour: 1000})
	for full, id := range fakeIDs(gh) {
		o.ids[full] = id
	}
	if _, err := o.app.SyncAll(ctx); err != nil {
		t.Fatal(err)
	}

	before := o.calls.Load()
	res, err := o.svc.Run(ctx, onboarding.RunOptions{Calls: o.calls.Load})
	if err != nil {
		t.Fatal(err)
	}
	firstCalls := o.calls.Load() - before
	opened := 0
	for full, owner := range want {
		prs := gh.Pulls(full)
		if owner == "" {
			if len(prs) != 0 {
				t.Errorf("%s (%s): %d pull requests, want none", full, kind[full], len(prs))
			}
			continue
		}
		if len(prs) != 1 {
			t.Errorf("%s (%s): %d pull requests, want 1", full, kind[full], len(prs))
			continue
		}
		opened++
		p := prs[0]
		if p.Head != onboarding.Branch || p.Base != "main" || p.Title != "Add catalog-info.yaml (owned by "+owner+")" {
			t.Errorf("%s: pull request %s -> %s %q", full, p.Head, p.Base, p.Title)
		}
		file := gh.Files(full, onboarding.Branch)["catalog-info.yaml"]
		parsed, problems := catalog.ParseFile("catalog-info.yaml", file, nil)
		if len(problems) > 0 || len(parsed) != 1 {
			t.Errorf("%s: the proposed file does not parse: %v\n%s", full, problems, file)
			continue
		}
		if got, _ := parsed[0].Entity.OwnerRef(); got.String() != "group:default/"+owner {
			t.Errorf("%s (%s): owner %s, want group:default/%s", full, kind[full], got, owner)
		}
	}
	if opened != 115 {
		t.Errorf("%d pull requests opened, want 115", opened)
	}
	needs := 0
	var perProposal []int
	for _, r := range res {
		switch r.Action {
		case onboarding.ActNeedsOwner:
			needs++
			if kind[r.Repo] != "no-evidence" {
				t.Errorf("%s (%s) needs an owner", r.Repo, kind[r.Repo])
			}
		case onboarding.ActOpened:
			perProposal = append(perProposal, r.APICalls)
		}
	}
	if needs != 15 {
		t.Errorf("%d repositories need an owner, want 15", needs)
	}
	slices.Sort(perProposal)
	t.Logf("first run: %d API calls for %d pull requests (%d repositories); per proposal min %d, max %d",
		firstCalls, opened, len(want), perProposal[0], perProposal[len(perProposal)-1])
	if perProposal[len(perProposal)-1] > 7 {
		t.Errorf("a proposal took %d API calls, want at most 7", perProposal[len(perProposal)-1])
	}

	// GitHub's pull_request event for one of them: callboard's own check passes it.
	for _, full := range []string{"acme/co-docs-01", "acme/committers-02", "acme/perm-maintain-03"} {
		p := gh.Pulls(full)[0]
		o.deliver("pull_request", map[string]any{"action": "opened", "number": p.Number, "repository": o.repoJSON(full),
			"installation": map[string]any{"id": 1},
			"pull_request": map[string]any{"number": p.Number, "state": "open", "title": p.Title, "user": map[string]any{"login": "callboard[bot]"},
				"head": map[string]any{"ref": p.Head, "sha": p.HeadSHA, "repo": o.repoJSON(full)},
				"base": map[string]any{"ref": p.Base, "repo": o.repoJSON(full)}}})
		// The test repositories have no README: the only finding allowed is the docs warning.
		runs := gh.CheckRuns(full)
		if len(runs) != 1 || runs[0].Conclusion == "failure" {
			t.Fatalf("%s: the ownership check of the proposal: %+v", full, runs)
		}
		summary, _ := runs[0].Output["summary"].(string)
		for _, line := range strings.Split(summary, "\n") {
			if (strings.HasPrefix(line, "| ⚠️") || strings.HasPrefix(line, "| ❌")) && !strings.Contains(line, "README") {
				t.Errorf("%s: the check finds fault with the proposal: %s", full, line)
			}
		}
		if !strings.Contains(summary, "added") {
			t.Errorf("%s: the check does not see the entity added:\n%s", full, summary)
		}
	}

	// The same run again: nothing changes, and unchanged repositories cost no call.
	before = o.calls.Load()
	res, err = o.svc.Run(ctx, onboarding.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Action != onboarding.ActUnchanged && r.Action != onboarding.ActNeedsOwner {
			t.Errorf("second run: %s %s (%s)", r.Repo, r.Action, r.Why)
		}
	}
	second := o.calls.Load() - before
	t.Logf("second run: %d API calls", second)
	if second > 12 {
		t.Errorf("an unchanged organisation cost %d API calls, want the listing and the team permissions only (≤ 12)", second)
	}
	for full, owner := range want {
		if n := len(gh.Pulls(full)); owner != "" && n != 1 {
			t.Errorf("%s: %d pull requests after the second run", full, n)
		}
	}

	// Closed without a merge: "no thanks", never proposed again.
	closedRepo := "acme/co-github-03"
	gh.ClosePull(closedRepo, gh.Pulls(closedRepo)[0].Number)
	o.closed(closedRepo, gh.Pulls(closedRepo)[0])
	// Merged: the push webhook puts the entity in the catalog.
	mergedRepo := "acme/perm-admin-02"
	gh.MergePull(mergedRepo, gh.Pulls(mergedRepo)[0].Number)
	o.push(mergedRepo, "catalog-info.yaml")
	o.closed(mergedRepo, gh.Pulls(mergedRepo)[0])
	e, err := o.st.Entity(ctx, catalog.MustParseRef("component:default/perm-admin-02"))
	if err != nil {
		t.Fatalf("the merged proposal is not in the catalog: %v", err)
	}
	if ref, _ := e.OwnerRef(); ref.String() != "group:default/"+want[mergedRepo] {
		t.Errorf("merged entity owner %s, want %s", ref, want[mergedRepo])
	}

	// An owner change (CODEOWNERS edited, pushed) rewrites the open proposal.
	changed := "acme/co-root-04"
	gh.SetFile(changed, "main", "CODEOWNERS", []byte("* @acme/data\n"))
	o.push(changed, "CODEOWNERS")
	before = o.calls.Load()
	res, err = o.svc.Run(ctx, onboarding.RunOptions{Calls: o.calls.Load})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("third run: %d API calls", o.calls.Load()-before)
	for _, r := range res {
		switch {
		case r.Repo == changed:
			if r.Action != onboarding.ActUpdated {
				t.Errorf("%s after the owner change: %s (%s)", changed, r.Action, r.Why)
			}
			t.Logf("updating the proposal of %s took %d API calls", changed, r.APICalls)
		case r.Action != onboarding.ActUnchanged && r.Action != onboarding.ActNeedsOwner:
			t.Errorf("third run: %s %s (%s)", r.Repo, r.Action, r.Why)
		}
	}
	prs := gh.Pulls(changed)
	if len(prs) != 1 || prs[0].State != "open" || prs[0].Title != "Add catalog-info.yaml (owned by data)" || !strings.Contains(prs[0].Body, "`@acme/data`") {
		t.Errorf("the open proposal after the owner change: %+v", prs)
	}
	if file := string(gh.Files(changed, onboarding.Branch)["catalog-info.yaml"]); !strings.Contains(file, "owner: group:data") {
		t.Errorf("the branch's file after the owner change:\n%s", file)
	}
	if n := len(gh.Pulls(closedRepo)); n != 1 || gh.Pulls(closedRepo)[0].State != "closed" {
		t.Errorf("the closed proposal: %d pull requests, %+v", n, gh.Pulls(closedRepo))
	}
	rec, err := o.svc.Store().Get(ctx, closedRepo)
	if err != nil || rec.State != onboarding.StateClosed {
		t.Errorf("the closed proposal's record: %+v %v", rec, err)
	}
	if rec, err := o.svc.Store().Get(ctx, mergedRepo); err != nil || rec.State != onboarding.StateMerged {
		t.Errorf("the merged proposal's record: %+v %v", rec, err)
	}
	events, err := o.st.UsageBetween(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range events {
		if e.Plugin == onboarding.Plugin {
			count[e.Action]++
		}
	}
	if count["proposed"] != 115 || count["updated"] != 1 {
		t.Errorf("usage events: %v, want 115 proposed and 1 updated", count)
	}
}

// fakeIDs are the GitHub ids of the test organisation's repositories, as the App lists them.
func fakeIDs(gh *fakegithub.Server) map[string]int64 {
	out := map[string]int64{}
	id := int64(5000)
	for _, sh := range shapes {
		for i := range sh.n {
			id++
			out[fmt.Sprintf("acme/%s-%02d", sh.name, i)] = id
		}
	}
	return out
}

// TestOnboardingPace: ONBOARDING_PER_HOUR pull requests an hour, spread
// across teams; none while GitHub's rate budget is below the reserve;
// dry-run opens nothing.
func TestOnboardingPace(t *testing.T) {
	ctx := context.Background()
	gh := fakegithub.New(t)
	gh.AddInstallation(1, "acme")
	for i, slug := range teams[:3] {
		gh.AddTeam("acme", fakegithub.Team{ID: int64(100 + i), Slug: slug, Name: slug})
	}
	for i := range 9 {
		full := fmt.Sprintf("acme/svc-%d", i)
		gh.AddRepo(1, fakegithub.Repo{ID: int64(5000 + i), FullName: full, CreatedAt: ago(old)})
		gh.SetFile(full, "main", "CODEOWNERS", []byte("* @acme/"+team(i/3)+"\n")) // three repositories per team
	}
	now := time.Now()
	clock := func() time.Time { return now }
	o := newOrg(t, gh, onboarding.Config{PerHour: 4, Reserve: 1000, Now: clock})
	if _, err := o.app.SyncAll(ctx); err != nil {
		t.Fatal(err)
	}

	res, err := o.svc.Run(ctx, onboarding.RunOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 9 || res[0].Action != onboarding.ActWouldOpen {
		t.Fatalf("dry run: %+v", res)
	}
	for i := range 9 {
		if n := len(gh.Pulls(fmt.Sprintf("acme/svc-%d", i))); n != 0 {
			t.Fatalf("a dry run opened %d pull requests", n)
		}
	}

	res, err = o.svc.Run(ctx, onboarding.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]int{}
	deferred := 0
	for _, r := range res {
		switch r.Action {
		case onboarding.ActOpened:
			owners[r.Proposal.Team]++
		case onboarding.ActDeferred:
			deferred++
		}
	}
	if len(owners) != 3 || deferred != 5 {
		t.Errorf("first hour: opened per team %v, %d deferred; want 4 over all 3 teams, 5 deferred", owners, deferred)
	}

	// An hour later, with GitHub's budget below the reserve: nothing.
	now = now.Add(61 * time.Minute)
	gh.SetRateRemaining(900)
	res, err = o.svc.Run(ctx, onboarding.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Action == onboarding.ActOpened || r.Action == onboarding.ActDeferred && !strings.Contains(r.Why, "reserve") {
			t.Errorf("below the reserve: %s %s (%s)", r.Repo, r.Action, r.Why)
		}
	}
	gh.SetRateRemaining(5000)
	res, err = o.svc.Run(ctx, onboarding.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opened := 0
	for _, r := range res {
		if r.Action == onboarding.ActOpened {
			opened++
		}
	}
	if opened != 4 {
		t.Errorf("the next hour opened %d, want 4", opened)
	}
}
