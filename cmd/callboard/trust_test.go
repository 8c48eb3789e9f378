package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/internal/fakegithub"
)

// Issue 13: what the catalog says must stay true. Each test runs the real
// binary on a real SQLite file.

// TestIssue13_1_ImportForgetsNothing: an import of a folder replaces what
// earlier imports of it declared; unregister removes one source and says
// what it removed; an entity another source declares is refused with that
// source and the command that removes it named; a Template's skeleton is
// template content, not a broken catalog file.
func TestIssue13_1_ImportForgetsNothing(t *testing.T) {
	callboardBinary(t) // built here, so that -short skips this test rather than its subtests' parent
	work := t.TempDir()
	env := []string{"CALLBOARD_DB=" + filepath.Join(work, "callboard.db")}
	cb := func(args ...string) binResult {
		t.Helper()
		return runBin(t, work, env, time.Minute, args...)
	}
	want := func(r binResult, code int, wants ...string) {
		t.Helper()
		if r.code != code {
			t.Errorf("exit %d, want %d:\n%s%s", r.code, code, r.out, r.errOut)
		}
		for _, w := range wants {
			if !strings.Contains(r.out+r.errOut, w) {
				t.Errorf("output lacks %q:\n%s%s", w, r.out, r.errOut)
			}
		}
	}

	t.Run("a deleted file takes its entities with it", func(t *testing.T) {
		dir := filepath.Join(work, "catalog")
		writeFile(t, dir, "billing/catalog-info.yaml", component("billing", "team-a"))
		gone := writeFile(t, dir, "invoices/catalog-info.yaml", component("invoices", "team-a"))
		writeFile(t, dir, "nested/deep/catalog-info.yaml", component("deep", "team-a"))
		want(cb("import", dir), 0, "(3 added, 0 updated, 0 unchanged, 0 removed)")
		want(cb("owner", "invoices"), 0, "invoices")

		if err := os.Remove(gone); err != nil {
			t.Fatal(err)
		}
		// Importing a folder inside the first forgets only what is under it.
		want(cb("import", filepath.Join(dir, "nested")), 0, "(0 added, 0 updated, 1 unchanged, 0 removed)")
		want(cb("owner", "invoices"), 0, "invoices")
		want(cb("import", dir), 0, "(0 added, 0 updated, 2 unchanged, 1 removed)")
		want(cb("owner", "invoices"), 1, `Nothing in the catalog matches "invoices"`)

		// A YAML file that now holds no entity forgets what it declared too
		// (a catalog-info.yaml that breaks keeps it: it is reported instead).
		writeFile(t, dir, "billing/api.yaml", component("billing-api", "team-a"))
		want(cb("import", dir), 0, "(1 added, 0 updated, 2 unchanged, 0 removed)")
		writeFile(t, dir, "billing/api.yaml", "openapi: 3.0.0\ninfo: {title: not an entity}\n")
		want(cb("import", dir), 0, "(0 added, 0 updated, 2 unchanged, 1 removed); 1 YAML files without entities skipped")
		want(cb("owner", "billing-api"), 1, "Nothing in the catalog matches")
	})

	t.Run("an entity from a wrong path is named with the command that removes it", func(t *testing.T) {
		wrong := filepath.Join(work, "wrong-checkout")
		right := filepath.Join(work, "right")
		wrongFile := writeFile(t, wrong, "catalog-info.yaml", component("payments", "team-old"))
		writeFile(t, right, "payments/catalog-info.yaml", component("payments", "team-new"))
		want(cb("import", wrong), 0, "1 added")
		want(cb("import", right), 1,
			"component:default/payments is already declared by file:"+wrongFile,
			"callboard unregister file:"+wrongFile)

		want(cb("unregister"), 0, "1  file:"+wrongFile, "1  file:"+filepath.Join(work, "catalog", "nested", "deep", "catalog-info.yaml"))
		want(cb("unregister", "file:"+wrongFile), 0, "removed 1 entity of file:"+wrongFile, "component:default/payments")
		want(cb("import", right), 0, "1 added")
		want(cb("owner", "payments"), 0, "team-new")

		// A folder takes everything imported under it.
		want(cb("unregister", filepath.Join(work, "catalog")), 0, "removed 2 entities of "+filepath.Join(work, "catalog")+", from 2 sources",
			"component:default/billing", "component:default/deep")
		want(cb("unregister", filepath.Join(work, "catalog")), 1, "nothing in the catalog comes from it")
	})

	t.Run("a Location goes with the files it names", func(t *testing.T) {
		dir := filepath.Join(work, "mono")
		writeFile(t, dir, "all.catalog.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: mono}\nspec:\n  targets: [./services/*/catalog-info.yaml]\n")
		writeFile(t, dir, "services/a/catalog-info.yaml", component("mono-a", "team-a"))
		writeFile(t, dir, "services/b/catalog-info.yaml", component("mono-b", "team-a"))
		writeFile(t, dir, "other/catalog-info.yaml", component("mono-other", "team-a"))
		want(cb("import", dir), 0, "4 added")
		want(cb("unregister", "location:mono"), 0, "removed 3 entities of location:mono, from 3 sources",
			"component:default/mono-a", "component:default/mono-b", "location:default/mono")
		want(cb("owner", "mono-other"), 0, "mono-other")
		want(cb("unregister", "component:mono-other"), 1, "not a Location", "callboard unregister file:"+filepath.Join(dir, "other", "catalog-info.yaml"))
	})

	t.Run("a Template's skeleton is template content", func(t *testing.T) {
		templates, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata", "backstage-templates", "software-templates"))
		if err != nil {
			t.Fatal(err)
		}
		r := cb("import", templates)
		want(r, 0, "4 entities (4 added", "2 YAML files without entities skipped (-v names them)")
		if strings.Contains(r.out, "problem") {
			t.Errorf("the skeleton was reported as a problem:\n%s", r.out)
		}
		want(cb("import", "-v", templates), 0,
			"skipped "+filepath.Join("docs-template", "skeleton", "catalog-info.yaml")+": template content (template:default/docs-template)",
			"skipped "+filepath.Join("docs-template", "skeleton", "mkdocs.yml")+": template content (template:default/docs-template)")
	})
}

// TestIssue13_2_DemoNeverMixes: the sample organisation is one source,
// removed with unregister demo; serve --demo refuses, with one line, a
// database that holds anything but the sample; the README's first command
// still works.
func TestIssue13_2_DemoNeverMixes(t *testing.T) {
	work := t.TempDir()
	db := filepath.Join(work, "callboard.db")
	env := []string{"CALLBOARD_DB=" + db, "CALLBOARD_ADDR=127.0.0.1:0"}
	r := &rig{t: t, bin: callboardBinary(t), db: db, env: env}

	p := r.serveArgs("--demo") // the README's first command, on a new database
	if got := runBin(t, work, env, time.Minute, "owner", "payments-api"); got.code != 0 || !strings.Contains(got.out, "is owned by Payments") {
		t.Fatalf("owner payments-api against serve --demo: exit %d\n%s%s", got.code, got.out, got.errOut)
	}
	p.stop(os.Interrupt, 10*time.Second)
	p = r.serveArgs("--demo") // a second start changes nothing
	p.stop(os.Interrupt, 10*time.Second)

	list := runBin(t, work, env, time.Minute, "unregister")
	if list.code != 0 || !strings.Contains(list.out, "  demo\n") || strings.Contains(list.out, "repo:") || strings.Contains(list.out, "github-org:") {
		t.Errorf("unregister lists:\n%s%s\nwant the sample as one source, demo", list.out, list.errOut)
	}
	rm := runBin(t, work, env, time.Minute, "unregister", "demo")
	if rm.code != 0 || !strings.Contains(rm.out, "entities of demo (the sample organisation), from 6 sources") || !strings.Contains(rm.out, "component:default/payments-api") {
		t.Errorf("unregister demo: exit %d\n%s%s", rm.code, rm.out, rm.errOut)
	}
	if got := runBin(t, work, env, time.Minute, "unregister"); got.out != "the catalog is empty\n" {
		t.Errorf("after unregister demo the catalog lists:\n%s", got.out)
	}
	for _, q := range []string{"payments-api", "legacy-billing", "acme/legacy-billing"} {
		if got := runBin(t, work, env, time.Minute, "owner", q); got.code != 1 {
			t.Errorf("owner %s after unregister demo: exit %d, want 1\n%s", q, got.code, got.out)
		}
	}

	// Real data in the database: --demo refuses it, in one line, and adds nothing.
	writeFile(t, work, "real/catalog-info.yaml", component("real-service", "team-a"))
	if got := runBin(t, work, env, time.Minute, "import", filepath.Join(work, "real")); got.code != 0 {
		t.Fatalf("import: %d\n%s%s", got.code, got.out, got.errOut)
	}
	refused := runBin(t, work, env, 20*time.Second, "serve", "--demo")
	lines := strings.Split(strings.TrimSpace(refused.errOut), "\n")
	if refused.timedOut || refused.code != 1 || len(lines) != 1 ||
		!strings.Contains(lines[0], db+" holds 1 entity and 0 repositories of its own; set CALLBOARD_DB to another file") {
		t.Errorf("serve --demo on a database with real data: exit %d (timed out %v), stderr:\n%s", refused.code, refused.timedOut, refused.errOut)
	}
	if got := runBin(t, work, env, time.Minute, "owner", "payments-api"); got.code != 1 {
		t.Errorf("serve --demo seeded a database with real data:\n%s", got.out)
	}
}

// TestIssue13_3_CommandsDoNotCreateADatabase: from a folder without a
// database, every command but serve, migrate and import names the file it
// looked for, says what to do, and creates nothing.
func TestIssue13_3_CommandsDoNotCreateADatabase(t *testing.T) {
	elsewhere := t.TempDir()
	for _, args := range [][]string{
		{"owner", "payments-api"},
		{"unregister"},
		{"unregister", "demo"},
		{"deliveries"},
		{"deliveries", "--retry", "abc"},
		{"digest"},
		{"backup", filepath.Join(t.TempDir(), "backup.db")},
		{"scaffold-form"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runBin(t, elsewhere, nil, time.Minute, args...)
			want := "no database at " + filepath.Join(elsewhere, "callboard.db") + ": set CALLBOARD_DB to callboard's database file, or run where it is"
			if r.code != 1 || strings.TrimSpace(r.errOut) != "callboard: "+want+" (callboard serve, import and migrate create one)" {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.code, r.errOut, want)
			}
			if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
				t.Errorf("callboard %s left %v behind", strings.Join(args, " "), entries)
			}
		})
	}
	// The commands that make a database still do.
	if r := runBin(t, elsewhere, nil, time.Minute, "migrate"); r.code != 0 {
		t.Errorf("migrate: exit %d\n%s", r.code, r.errOut)
	}
	if r := runBin(t, elsewhere, nil, time.Minute, "owner", "payments-api"); r.code != 1 || !strings.Contains(r.out, "Nothing in the catalog matches") {
		t.Errorf("owner on the database migrate made: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}

// TestIssue13_4_ArchivedOwnerIsKnown: a repository archived on GitHub
// takes its entities out of the catalog, and /owner (CLI and Slack) still
// says who owned it and since when it is archived.
func TestIssue13_4_ArchivedOwnerIsKnown(t *testing.T) {
	t.Parallel()
	const slackSecret = "slack-signing-secret"
	r := newRig(t, 2)
	r.env = append(r.env, "SLACK_SIGNING_SECRET="+slackSecret)
	p := r.serve()
	r.backfill(p)

	archived := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	r.mustSend(p, delivery{guid: "archive-1", event: "repository", body: mustMarshal(t, map[string]any{
		"action": "archived",
		"repository": map[string]any{"id": repoID(0), "name": "svc-0", "full_name": repoName(0), "archived": true,
			"default_branch": "main", "html_url": "https://github.com/" + repoName(0), "updated_at": archived.Format(time.RFC3339),
			"owner": map[string]any{"login": "acme", "type": "Organization"}},
		"installation": map[string]any{"id": 7},
	})})
	r.settle(p)
	// GitHub delivers it again: the owner on record stays.
	r.mustSend(p, delivery{guid: "archive-2", event: "repository", body: mustMarshal(t, map[string]any{
		"action": "archived",
		"repository": map[string]any{"id": repoID(0), "name": "svc-0", "full_name": repoName(0), "archived": true,
			"default_branch": "main", "updated_at": archived.Add(time.Hour).Format(time.RFC3339),
			"owner": map[string]any{"login": "acme", "type": "Organization"}},
		"installation": map[string]any{"id": 7},
	})})
	r.settle(p)

	out, err := r.cli("owner", "svc-0")
	if err != nil {
		t.Fatalf("owner svc-0: %v\n%s", err, out)
	}
	want := "acme/svc-0 was owned by team-initial until it was archived on 2026-11-02"
	if !strings.Contains(out, want) {
		t.Errorf("owner svc-0:\n%s\nwant %q", out, want)
	}
	if out, _ := r.cli("owner", "component:svc-0"); !strings.Contains(out, "Nothing in the catalog matches") {
		t.Errorf("the archived repository's component is still in the catalog:\n%s", out)
	}

	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "slack", "slash-command.body.txt"))
	if err != nil {
		t.Fatal(err)
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	form.Set("command", "/owner")
	form.Set("text", "svc-0")
	body := form.Encode()
	ts := time.Now().Unix()
	mac := hmac.New(sha256.New, []byte(slackSecret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	req, err := http.NewRequest(http.MethodPost, p.base+"/slack/commands", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var msg struct{ Text string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(reply, &msg) != nil {
		t.Fatalf("/owner svc-0 in Slack: %d\n%s", resp.StatusCode, reply)
	}
	if want := "acme/svc-0 was owned by team-initial (not in the catalog) until it was archived on 2026-11-02."; msg.Text != want {
		t.Errorf("/owner svc-0 in Slack says %q, want %q", msg.Text, want)
	}
}

// TestIssue13_6_MissedPushRedeliveredAtStart: a push GitHub could not
// deliver while callboard was down is redelivered at the next start, after
// the server listens (GitHub sends it a moment after it is asked), through
// a 502 on GitHub's list, and processed once.
func TestIssue13_6_MissedPushRedeliveredAtStart(t *testing.T) {
	t.Parallel()
	r := newRig(t, 1)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r.env = append(r.env, "CALLBOARD_ADDR="+addr, "CALLBOARD_LOG_LEVEL=debug")
	r.gh.SetWebhook("http://"+addr+"/webhooks/github", []byte(faultSecret))

	r.setOwner(0, "team-while-down")
	missed := r.pushTo("push-while-down", 0)
	r.gh.AddHookDelivery(fakegithub.HookDelivery{GUID: missed.guid, Event: "push", StatusCode: 0, DeliveredAt: time.Now().Add(-time.Hour),
		InstallationID: 7, RepositoryID: repoID(0), Payload: missed.body})
	r.gh.FailNext("GET /app/hook/deliveries", 1, http.StatusBadGateway, nil, "")

	p := r.serve()
	for deadline := time.Now().Add(20 * time.Second); r.deliveries()[missed.guid].rows == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the missed push was not redelivered within 20 s of the start:\n%s", p.logs)
		}
	}
	r.settle(p)
	if got := r.deliveries()[missed.guid]; got.state != "done" || got.attempts != 1 || got.rows != 1 {
		t.Errorf("the missed push ended %+v, want done once", got)
	}
	if got := r.owners(); got[0] != "team-while-down" {
		t.Errorf("svc-0 owned by %s, want the missed push's team-while-down", got[0])
	}
	logs := p.logs.String()
	listening, check := strings.Index(logs, `msg="callboard listening"`), strings.Index(logs, `msg="checking for missed deliveries"`)
	if listening < 0 || check < listening {
		t.Errorf("the missed-delivery check began before the server listened (log offsets %d, %d):\n%s", check, listening, logs)
	}
}

// TestIssue13_7_DeliveriesArePrunedAndSayWhy: an ignored delivery says why
// in callboard deliveries; deliveries --retry runs one again (here, once
// the GitHub App is configured); payloads older than
// CALLBOARD_DELIVERY_RETENTION are emptied and rows older than 90 days
// deleted, in the background, and a pruned delivery cannot be retried.
func TestIssue13_7_DeliveriesArePrunedAndSayWhy(t *testing.T) {
	t.Parallel()
	r := newRig(t, 1)
	full := append(slices.Clone(r.env), "CALLBOARD_DELIVERY_RETENTION=240h")
	r.env = slices.DeleteFunc(slices.Clone(full), func(kv string) bool {
		return strings.HasPrefix(kv, "GITHUB_APP_ID=") || strings.HasPrefix(kv, "GITHUB_PRIVATE_KEY_FILE=")
	})
	// Deliveries received long ago, oldest first, as GitHub sent them.
	if out, err := r.cli("migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	day := 24 * time.Hour
	for _, old := range []struct {
		guid string
		age  time.Duration
	}{{"deleted-100d", 100 * day}, {"emptied-12d", 12 * day}, {"kept-8d", 8 * day}} {
		at := time.Now().Add(-old.age).UnixMilli()
		if _, err := r.conn().Exec(`INSERT INTO deliveries (delivery_id, event, ordering_key, payload, received_at, state, finished_at)
			VALUES (?, 'ping', 'ping', '{"zen":"old"}', ?, 'done', ?)`, old.guid, at, at); err != nil {
			t.Fatal(err)
		}
	}
	p := r.serve() // the webhook secret only: deliveries are stored, GitHub cannot be read
	r.setOwner(0, "team-retried")
	r.mustSend(p, r.pushTo("push-main", 0))
	feature := r.pushTo("push-feature", 0)
	feature.body = []byte(strings.Replace(string(feature.body), `"refs/heads/main"`, `"refs/heads/feature-x"`, 1))
	r.mustSend(p, feature)
	r.settle(p)
	out, err := r.cli("deliveries")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"push to a branch that is not the default", "GitHub App not configured (GITHUB_APP_ID, GITHUB_PRIVATE_KEY)"} {
		if !strings.Contains(out, want) {
			t.Errorf("callboard deliveries does not say %q:\n%s", want, out)
		}
	}
	if _, exited := p.stop(syscall.SIGTERM, 10*time.Second); !exited {
		t.Fatal("serve did not stop")
	}

	out, err = r.cli("deliveries", "--retry", "push-main")
	if err != nil || !strings.Contains(out, "delivery push-main (push acme/svc-0, was ignored) is queued again; callboard serve is not running: it runs when serve starts") {
		t.Errorf("deliveries --retry push-main: %v\n%s", err, out)
	}
	if out, err := r.cli("deliveries", "--retry", "push-main"); err == nil || !strings.Contains(out, "delivery push-main is pending already") {
		t.Errorf("deliveries --retry of a pending delivery: %v\n%s", err, out)
	}

	r.env = full
	p = r.serve()
	r.settle(p)
	if got := r.deliveries()["push-main"]; got.state != "done" || got.attempts != 1 {
		t.Errorf("the retried push ended %+v, want done after one run", got)
	}
	if got := r.owners(); got[0] != "team-retried" {
		t.Errorf("svc-0 owned by %s after the retried push, want team-retried", got[0])
	}
	payload := func(guid string) (int, bool) {
		var n int
		err := r.conn().QueryRow(`SELECT length(payload) FROM deliveries WHERE delivery_id = ?`, guid).Scan(&n)
		return n, err == nil
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, deletedStill := payload("deleted-100d")
		if n, _ := payload("emptied-12d"); n == 0 && !deletedStill {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("old deliveries not pruned within 20 s of the start:\n%s", p.logs)
		}
	}
	if n, ok := payload("kept-8d"); !ok || n == 0 {
		t.Errorf("a delivery 8 days old lost its payload (retention 240h)")
	}
	if n, ok := payload("push-main"); !ok || n == 0 {
		t.Errorf("a recent delivery lost its payload")
	}
	out, err = r.cli("deliveries", "--retry", "emptied-12d")
	if err == nil || !strings.Contains(out, "the payload of delivery emptied-12d was removed after CALLBOARD_DELIVERY_RETENTION") {
		t.Errorf("deliveries --retry of a pruned delivery: %v\n%s", err, out)
	}
	if out, _ := r.cli("deliveries"); !strings.Contains(out, "emptied-12d") || strings.Contains(out, "deleted-100d") {
		t.Errorf("callboard deliveries after pruning:\n%s", out)
	}
	bad := runBin(t, t.TempDir(), []string{"CALLBOARD_DELIVERY_RETENTION=14d"}, time.Minute, "migrate")
	if bad.code != 2 || !strings.Contains(bad.errOut, `CALLBOARD_DELIVERY_RETENTION "14d": want a duration such as 336h`) {
		t.Errorf("CALLBOARD_DELIVERY_RETENTION=14d: exit %d, %s", bad.code, bad.errOut)
	}
}

// TestIssue13_8_CatalogAPIUsageIsRecorded: every authorized catalog API
// request is one usage event (plugin catalog-api, the route as action, the
// client as actor), written in the background, so the digest shows it.
func TestIssue13_8_CatalogAPIUsageIsRecorded(t *testing.T) {
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "callboard.db"), "CALLBOARD_API_TOKEN": "t0ken"}
	base, _ := startServe(t, env, "--demo")
	do := func(method, path, body string, token string) int {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", "backstage-catalog-client/1.9 (node)")
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 3 {
		if code := do("GET", "/api/catalog/entities/by-name/component/default/payments-api", "", "t0ken"); code != 200 {
			t.Fatalf("by-name: %d", code)
		}
	}
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/catalog/entities?filter=kind=group", ""},
		{"GET", "/api/catalog/entities/by-query?limit=2", ""},
		{"POST", "/api/catalog/entities/by-refs", `{"entityRefs":["component:default/payments-api"]}`},
		{"GET", "/api/catalog/entity-facets?facet=kind", ""},
		{"GET", "/api/catalog/entities/by-name/component/default/no-such-thing", ""},
	} {
		do(r.method, r.path, r.body, "t0ken")
	}
	if code := do("GET", "/api/catalog/entities", "", ""); code != 401 {
		t.Fatalf("without the token: %d, want 401", code)
	}

	week := digest.WeekOf(time.Now(), time.UTC).String()
	var out string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, out, _ = runCLI(t, env, "digest", "--week", week)
		if strings.Contains(out, "catalog-api        8       1") || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range []string{
		"catalog-api        8       1",
		"top actions: GET /entities/by-name/{kind}/{namespace}/{name} 4 · GET /entities 1 · GET /entities/by-query 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the digest of %s lacks %q:\n%s", week, want, out)
		}
	}
	db, err := sql.Open("sqlite", "file:"+env["CALLBOARD_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var actors string
	if err := db.QueryRow(`SELECT group_concat(DISTINCT actor) FROM usage_events WHERE plugin = 'catalog-api'`).Scan(&actors); err != nil || actors != "backstage-catalog-client" {
		t.Errorf("catalog-api actors %q (%v), want backstage-catalog-client", actors, err)
	}
}
