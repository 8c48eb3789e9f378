package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/catalogclient"
)

// lockedBuffer is an io.Writer safe for the server goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startServe runs "callboard serve" with args on a free port (or env's
// CALLBOARD_ADDR) and returns its base URL; the server stops (and must exit
// cleanly) when the test ends.
func startServe(t *testing.T, env map[string]string, args ...string) (string, *lockedBuffer) {
	t.Helper()
	if env["CALLBOARD_ADDR"] == "" {
		env["CALLBOARD_ADDR"] = "127.0.0.1:0"
	}
	addrc := make(chan string, 1)
	testHookListening = func(a string) { addrc <- a }
	t.Cleanup(func() { testHookListening = nil })
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), envFrom(env), io.Discard, logs) }()
	var addr string
	select {
	case addr = <-addrc:
	case code := <-done:
		t.Fatalf("serve exited with %d before listening:\n%s", code, logs)
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not listen within 20 s:\n%s", logs)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited with %d:\n%s", code, logs)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("serve did not stop within 10 s of the signal")
		}
	})
	return "http://" + addr, logs
}

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, envFrom(env), &out, &errb)
	return code, out.String(), errb.String()
}

func TestServeDemoAnswersByNameAndOwner(t *testing.T) {
	db := filepath.Join(t.TempDir(), "callboard.db")
	env := map[string]string{"CALLBOARD_DB": db}
	base, _ := startServe(t, env, "--demo")

	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d, want 200", path, resp.StatusCode)
		}
	}

	resp, err := http.Get(base + "/api/catalog/entities/by-name/component/default/payments-api")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("by-name: status %d", resp.StatusCode)
	}
	var e struct {
		Kind      string `json:"kind"`
		Metadata  struct{ Name, UID string }
		Relations []struct{ Type, TargetRef string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if e.Kind != "Component" || e.Metadata.Name != "payments-api" || e.Metadata.UID == "" {
		t.Errorf("by-name returned %+v", e)
	}
	rels := map[string]bool{}
	for _, r := range e.Relations {
		rels[r.Type+" "+r.TargetRef] = true
	}
	for _, want := range []string{"ownedBy group:default/payments", "partOf system:default/checkout", "providesApi api:default/payments-rest", "dependsOn resource:default/payments-db"} {
		if !rels[want] {
			t.Errorf("relations %v lack %q", e.Relations, want)
		}
	}

	// The CLI reads the same database while serve runs.
	code, out, errOut := runCLI(t, env, "owner", "payments-api")
	if code != 0 {
		t.Fatalf("owner exited %d: %s", code, errOut)
	}
	for _, want := range []string{"Payments API (component:default/payments-api) is owned by Payments (group:default/payments)", "Alice Moreau <alice@acme.example>", "#team-payments", "Source:     catalog file https://github.com/acme/payments-api/blob/main/catalog-info.yaml"} {
		if !strings.Contains(out, want) {
			t.Errorf("owner output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, env, "owner", "legacy-billing")
	if code != 0 || !strings.Contains(out, "CODEOWNERS (no catalog file)") || !strings.Contains(out, "Payments") {
		t.Errorf("owner legacy-billing (exit %d) does not answer from CODEOWNERS:\n%s", code, out)
	}
	code, out, _ = runCLI(t, env, "owner", "payment-api")
	if code != 1 || !strings.Contains(out, "Did you mean: payments-api") {
		t.Errorf("owner for a miss (exit %d):\n%s", code, out)
	}
}

func TestImportExamples(t *testing.T) {
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "callboard.db")}
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "catalog-model", "examples")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("shared testdata missing: %v", err)
	}
	code, out, errOut := runCLI(t, env, "import", dir)
	if code != 1 {
		t.Errorf("import exit %d, want 1 (files refused); stderr %s", code, errOut)
	}
	for _, want := range []string{
		"components/invalid-component.yaml:4: metadata.name: \"invalid component\" is not a valid name",
		"components/invalid-component.yaml:11: metadata.tags[1]: \"go 1.15.3\" is not a valid tag",
		// As Backstage refuses them: a placeholder URL into another repository.
		"apis/spotify-api.yaml:16: spec.definition: placeholder $text https://github.com/APIs-guru/",
		"may only reference files from the same repository as the entity",
		"5 problem(s)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, env, "owner", "artist-lookup")
	if code != 0 || !strings.Contains(out, "group:default/team-a") {
		t.Errorf("owner artist-lookup after import (exit %d):\n%s", code, out)
	}
	// A second import changes nothing.
	_, out, _ = runCLI(t, env, "import", dir)
	if !strings.Contains(out, "(0 added, 0 updated") {
		t.Errorf("re-import changed something:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "callboard.db")}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"import"}, 2, "import needs a directory"},
		{[]string{"owner"}, 2, "owner needs a query"},
		{[]string{"serve", "--nope"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := runCLI(t, env, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	env["GITHUB_API_URL"] = "https://ghe.example/api/v3"
	if code, _, errOut := runCLI(t, env, "migrate"); code != 2 || !strings.Contains(errOut, "must end in /") {
		t.Errorf("bad GITHUB_API_URL: exit %d, %q", code, errOut)
	}
}

// TestCatalogClientAgainstServe runs the real @backstage/catalog-client
// against "callboard serve" itself (the binary's wiring, token and all),
// after importing Backstage's example catalog.
func TestCatalogClientAgainstServe(t *testing.T) {
	node, dir := catalogclient.Setup(t)
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "callboard.db"), "CALLBOARD_API_TOKEN": "s3cret-token"}
	examples := filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "catalog-model", "examples")
	if code, _, errOut := runCLI(t, env, "import", examples); code != 1 {
		t.Fatalf("import exit %d: %s", code, errOut)
	}
	base, _ := startServe(t, env)
	// Without the token the API refuses.
	resp, err := http.Get(base + "/api/catalog/entities")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: status %d, want 401", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.mjs", base)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CALLBOARD_API_TOKEN=s3cret-token")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node check.mjs %s: %v\n%s", base, err, out)
	}
	t.Logf("%s", out)
}

func TestImportRefusesBadFilesAndKeepsTheRest(t *testing.T) {
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "callboard.db")}
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: good}\nspec: {type: service, lifecycle: production, owner: team-a}\n"
	write("good/catalog-info.yaml", good)
	write("first/catalog-info.yaml", strings.Replace(good, "name: good", "name: keeper", 1))
	if code, out, _ := runCLI(t, env, "import", dir); code != 0 {
		t.Fatalf("first import exit %d:\n%s", code, out)
	}
	// Now break that second file in every way, one after the other: what it
	// declared stays, and the good file is untouched.
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	for i, prev := 'b', 'a'; i <= 'i'; i, prev = i+1, i {
		bomb += fmt.Sprintf("%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", i, i, prev, prev, prev, prev, prev, prev, prev, prev, prev)
	}
	cases := []struct{ name, body, want string }{
		{"not YAML", "kind: Component\nmetadata: {name: [unclosed\n", "not valid YAML"},
		{"alias bomb", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec:\n  " + strings.ReplaceAll(bomb, "\n", "\n  "), "alias"},
		{"10 MB", "# " + strings.Repeat("x", 10<<20) + "\n" + good, "limit"},
		{"no kind", "apiVersion: backstage.io/v1alpha1\nmetadata: {name: x}\nspec: {}\n", "kind: missing"},
		{"unknown kind", "apiVersion: backstage.io/v1alpha1\nkind: Service\nmetadata: {name: x}\nspec: {}\n", `unknown kind "Service"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			write("first/catalog-info.yaml", c.body)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			code, out, _ := runCLI(t, env, "import", dir)
			runtime.ReadMemStats(&after)
			if code != 1 || !strings.Contains(out, "first/catalog-info.yaml") || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, output lacks %q:\n%.600s", code, c.want, out)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 200<<20 {
				t.Errorf("importing it allocated %d MB", grew>>20)
			}
			for _, name := range []string{"good", "keeper"} {
				if code, out, _ := runCLI(t, env, "owner", "component:default/"+name); code != 0 {
					t.Errorf("%s is gone after a bad import:\n%s", name, out)
				}
			}
		})
	}
}

func TestReimportFollowsTheFile(t *testing.T) {
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "callboard.db")}
	dir := t.TempDir()
	file := filepath.Join(dir, "catalog-info.yaml")
	v1 := `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: old-name}
spec: {type: service, lifecycle: production, owner: team-a, providesApis: [pay]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: pay}
spec: {type: openapi, lifecycle: production, owner: team-a, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
`
	v2 := `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: new-name}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
`
	os.WriteFile(file, []byte(v1), 0o644)
	if code, out, _ := runCLI(t, env, "import", dir); code != 0 {
		t.Fatalf("import v1: %d\n%s", code, out)
	}
	os.WriteFile(file, []byte(v2), 0o644)
	code, out, _ := runCLI(t, env, "import", dir)
	if code != 0 || !strings.Contains(out, "1 added, 0 updated, 1 unchanged, 2 removed") {
		t.Fatalf("import v2 (exit %d):\n%s", code, out)
	}
	if code, _, _ := runCLI(t, env, "owner", "old-name"); code != 1 {
		t.Errorf("old-name still answers after it left the file")
	}
	if code, _, _ := runCLI(t, env, "owner", "api:pay"); code != 1 {
		t.Errorf("the removed API still answers")
	}
	_, out, _ = runCLI(t, env, "owner", "team-a")
	if !strings.Contains(out, "new-name") || strings.Contains(out, "old-name") || strings.Contains(out, "pay") {
		t.Errorf("team-a's relations did not follow the file:\n%s", out)
	}
}

func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CALLBOARD_DB": filepath.Join(dir, "callboard.db")}
	base, _ := startServe(t, env, "--demo")
	env["CALLBOARD_ADDR"] = strings.TrimPrefix(base, "http://")
	if code, out, errOut := runCLI(t, env, "healthcheck"); code != 0 {
		t.Fatalf("healthcheck exit %d: %s %s", code, out, errOut)
	}
	snap := filepath.Join(dir, "snap.db")
	if code, out, errOut := runCLI(t, env, "backup", snap); code != 0 {
		t.Fatalf("backup exit %d: %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "backup", snap); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("a second backup to the same file: exit %d, %s", code, errOut)
	}
	// The snapshot is a working database.
	code, out, _ := runCLI(t, map[string]string{"CALLBOARD_DB": snap}, "owner", "payments-api")
	if code != 0 || !strings.Contains(out, "Payments") {
		t.Errorf("owner from the snapshot (exit %d):\n%s", code, out)
	}
	if code, _, _ := runCLI(t, map[string]string{"CALLBOARD_ADDR": "127.0.0.1:1"}, "healthcheck"); code != 1 {
		t.Errorf("healthcheck with nothing listening: exit %d, want 1", code)
	}
}

// TestNoSecretInLogs runs a scenario with every secret set — good and bad
// webhooks, Slack commands, API calls with and without the token — and
// checks that no secret appears in what callboard logs or prints.
func TestNoSecretInLogs(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "app.pem")
	key := "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\no3qGy0t6z09AIJtH+5OeRV1be+N4cDYJKffGzDa88vQENZiRm0GRq6a+HPGQMd2k\nTQIhAKMSvzIBnni7ot/OSie2TmJLY4SwTQAevXysE2RbFDYdAiEBCUEaRQnMnbp7\n9mxDXDf6AU0cN/RPBjb9qSHDcWZHGzUCIG2Es59z8ugGrDY+pxLQnwfotadxd+Uy\nv/Ow5T0q5gIJAiEAyS4RaI9YG8EWx/2w0T67ZUVAw8eOMB6BIUg0Xcu+3okCIBOs\n/5OiPgoTdSy7bcF9IGpSE8ZgGKzgYQVZeN97YE00\n-----END RSA PRIVATE KEY-----\n"
	if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"GITHUB_WEBHOOK_SECRET": "whsec-7f3a9c2e-do-not-log",
		"SLACK_SIGNING_SECRET":  "slacksec-91be-do-not-log",
		"SLACK_BOT_TOKEN":       "xoxb-1234-do-not-log",
		"SLACK_APP_TOKEN":       "xapp-1-77c4-do-not-log",
		"CALLBOARD_API_TOKEN":   "apitok-55aa-do-not-log",
		"GITHUB_CLIENT_SECRET":  "clientsec-3c1d-do-not-log",
	}
	env := map[string]string{"CALLBOARD_DB": filepath.Join(dir, "callboard.db"), "CALLBOARD_LOG_LEVEL": "debug",
		"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY_FILE": keyFile, "GITHUB_API_URL": "http://127.0.0.1:1/",
		"GITHUB_CLIENT_ID": "Iv1.x", "CALLBOARD_WEB_AUTH": "token",
		// Slack unreachable: Socket Mode and the answers to events fail, and say so.
		"SLACK_API_URL": "http://127.0.0.1:1/api/"}
	for k, v := range secrets {
		env[k] = v
	}
	base, logs := startServe(t, env, "--demo")

	do := func(method, path string, body []byte, headers map[string]string) int {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	ping := []byte(`{"zen":"Design for failure.","hook_id":1}`)
	mac := hmac.New(sha256.New, []byte(secrets["GITHUB_WEBHOOK_SECRET"]))
	mac.Write(ping)
	good := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if c := do("POST", "/webhooks/github", ping, map[string]string{"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d1", "X-Hub-Signature-256": good}); c != 202 {
		t.Errorf("signed ping: %d", c)
	}
	do("POST", "/webhooks/github", ping, map[string]string{"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d2", "X-Hub-Signature-256": "sha256=00"})
	// A push that needs GitHub (unreachable here): its failure is logged.
	push := []byte(`{"ref":"refs/heads/main","repository":{"id":9,"full_name":"acme/x","default_branch":"main"},"installation":{"id":3},"commits":[]}`)
	mac = hmac.New(sha256.New, []byte(secrets["GITHUB_WEBHOOK_SECRET"]))
	mac.Write(push)
	do("POST", "/webhooks/github", push, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d3", "X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil))})
	slackBody := []byte("command=%2Fowner&text=payments-api&user_id=U1&response_url=https%3A%2F%2Fhooks.slack.com%2Fx")
	ts := fmt.Sprint(time.Now().Unix())
	mac = hmac.New(sha256.New, []byte(secrets["SLACK_SIGNING_SECRET"]))
	fmt.Fprintf(mac, "v0:%s:%s", ts, slackBody)
	if c := do("POST", "/slack/commands", slackBody, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + hex.EncodeToString(mac.Sum(nil)), "Content-Type": "application/x-www-form-urlencoded"}); c != 200 {
		t.Errorf("signed slack command: %d", c)
	}
	do("POST", "/slack/commands", slackBody, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=bad"})
	// A mention, answered through the Web API (unreachable: logged).
	mention := []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@U0B> who owns payments-api?","ts":"1.1","channel":"C1"}}`)
	mac = hmac.New(sha256.New, []byte(secrets["SLACK_SIGNING_SECRET"]))
	fmt.Fprintf(mac, "v0:%s:%s", ts, mention)
	if c := do("POST", "/slack/events", mention, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + hex.EncodeToString(mac.Sum(nil))}); c != 200 {
		t.Errorf("signed slack event: %d", c)
	}
	if c := do("GET", "/api/catalog/entities", nil, map[string]string{"Authorization": "Bearer " + secrets["CALLBOARD_API_TOKEN"]}); c != 200 {
		t.Errorf("API with the token: %d", c)
	}
	do("GET", "/api/catalog/entities", nil, map[string]string{"Authorization": "Bearer wrong"})
	// The web view's sign-in with the token, wrong and right.
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if c := do("POST", "/auth/token", []byte("token=wrong-"+secrets["CALLBOARD_API_TOKEN"]), form); c != 401 {
		t.Errorf("web sign-in with a wrong token: %d", c)
	}
	do("POST", "/auth/token", []byte("token="+secrets["CALLBOARD_API_TOKEN"]+"&next=/"), form)
	time.Sleep(300 * time.Millisecond) // let the push fail and be logged

	out := logs.String()
	if !strings.Contains(out, "answering a slack mention") || !strings.Contains(out, "slack socket mode") {
		t.Errorf("the scenario logged no Slack failure; is the log captured?\n%s", out)
	}
	if !strings.Contains(out, "delivery") {
		t.Fatalf("the scenario logged nothing about deliveries; is the log captured?\n%s", out)
	}
	for name, v := range secrets {
		if strings.Contains(out, v) {
			t.Errorf("%s appears in the log", name)
		}
	}
	if strings.Contains(out, "PRIVATE KEY") || strings.Contains(out, "MIIBOgIBAAJBAKj34") {
		t.Errorf("the private key appears in the log")
	}
	if strings.Contains(out, "hooks.slack.com/x") {
		t.Errorf("a Slack response_url (a credential) appears in the log")
	}
}
