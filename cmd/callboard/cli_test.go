package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/callboard/callboard"
	"go.yaml.in/yaml/v3"
)

func TestHelpForEveryCommand(t *testing.T) {
	// Help needs no configuration, not even a valid one.
	env := map[string]string{"CALLBOARD_LOG_LEVEL": "nonsense"}
	for _, cmd := range commands {
		t.Run(cmd.name, func(t *testing.T) {
			code, want, errOut := runCLI(t, env, "help", cmd.name)
			if code != 0 || errOut != "" {
				t.Fatalf("help %s: exit %d, stderr %q", cmd.name, code, errOut)
			}
			for _, part := range []string{"Usage: callboard " + cmd.name, "Example:\n  callboard " + cmd.name} {
				if !strings.Contains(want, part) {
					t.Errorf("help %s lacks %q:\n%s", cmd.name, part, want)
				}
			}
			fs := newFlags(cmd.name)
			cmd.setup(fs)
			for _, f := range flagNames(fs) {
				if !strings.Contains(want, f+" ") && !strings.Contains(want, f+"\n") {
					t.Errorf("help %s does not list its flag %s:\n%s", cmd.name, f, want)
				}
			}
			for _, args := range [][]string{{cmd.name, "--help"}, {cmd.name, "-h"}, {cmd.name, "extra", "--help"}} {
				code, got, _ := runCLI(t, env, args...)
				if code != 0 || got != want {
					t.Errorf("%v: exit %d, printed\n%s\nwant what help %s prints", args, code, got, cmd.name)
				}
			}
		})
	}
	code, out, _ := runCLI(t, env, "--help")
	if code != 0 {
		t.Errorf("--help exit %d", code)
	}
	for _, cmd := range commands {
		if !strings.Contains(out, "\n  "+cmd.name) {
			t.Errorf("the overview does not list %s:\n%s", cmd.name, out)
		}
	}
	if code, _, errOut := runCLI(t, env, "help", "frobnicate"); code != 2 || !strings.Contains(errOut, `no command "frobnicate"`) {
		t.Errorf("help for an unknown command: exit %d, %q", code, errOut)
	}
}

func TestFlagsAnywhereOnTheLine(t *testing.T) {
	fs := newFlags("x")
	org := fs.String("org", "", "")
	n := fs.Int("n", 0, "")
	tests := []struct {
		args []string
		pos  []string
		org  string
		n    int
	}{
		{[]string{"tmpl", "--org", "acme"}, []string{"tmpl"}, "acme", 0},
		{[]string{"--org=acme", "a", "-n", "3", "b"}, []string{"a", "b"}, "acme", 3},
		{[]string{"a", "--", "-n", "b"}, []string{"a", "-n", "b"}, "", 0},
		{[]string{"-"}, []string{"-"}, "", 0},
	}
	for _, tt := range tests {
		*org, *n = "", 0
		pos, err := parseInterspersed(fs, tt.args)
		if err != nil || !reflect.DeepEqual(pos, tt.pos) || *org != tt.org || *n != tt.n {
			t.Errorf("%q: args %q org %q n %d err %v; want %q %q %d", tt.args, pos, *org, *n, err, tt.pos, tt.org, tt.n)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runCLI(t, map[string]string{}, args...)
		if code != 0 || !strings.HasPrefix(out, "callboard ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("%v: exit %d, %q; want the version and %s", args, code, out, runtime.Version())
		}
	}
	version = "v9.8.7"
	buildVersion = onceVersion()
	t.Cleanup(func() { version = ""; buildVersion = onceVersion() })
	if _, out, _ := runCLI(t, map[string]string{}, "version"); !strings.HasPrefix(out, "callboard v9.8.7 ") {
		t.Errorf("a stamped version is not printed: %q", out)
	}
	base, logs := startServe(t, map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "c.db")})
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h["status"] != "ok" || h["version"] != "v9.8.7" || h["go"] != runtime.Version() {
		t.Errorf("/healthz: %v, want status, version and go", h)
	}
	if !strings.Contains(logs.String(), "msg=\"callboard starting\" version=v9.8.7") {
		t.Errorf("the start log line does not name the version:\n%s", logs)
	}
}

func TestConfigMistakesAllAtOnce(t *testing.T) {
	env := map[string]string{
		"CALLBOARD_DB":        filepath.Join(t.TempDir(), "c.db"),
		"CALLBOARD_LOG_LEVEL": "verbose",
		"CALLBOARD_BASE_URL":  "callboard.acme.example",
		"CALLBOARD_ADDR":      "8080",
		"DIGEST_SCHEDULE":     "every monday",
		"DIGEST_TIMEZONE":     "Mars/Olympus",
		"SMTP_URL":            "smtp://digest:hunter2@:25",
	}
	code, out, errOut := runCLI(t, env, "serve")
	if code != 2 || out != "" {
		t.Fatalf("serve with a broken configuration: exit %d, stdout %q", code, out)
	}
	for _, want := range []string{
		"configuration has 6 problems",
		`CALLBOARD_LOG_LEVEL "verbose": want debug, info, warn or error`,
		`CALLBOARD_BASE_URL "callboard.acme.example": want a URL starting with http:// or https://`,
		`CALLBOARD_ADDR "8080": want host:port or :port, e.g. :8080`,
		`DIGEST_SCHEDULE "every monday"`,
		`DIGEST_TIMEZONE "Mars/Olympus"`,
		"SMTP_URL has no host",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "hunter2") || strings.Contains(errOut, "database") {
		t.Errorf("stderr names the SMTP password or a database error:\n%s", errOut)
	}
	if _, err := os.Stat(env["CALLBOARD_DB"]); err == nil {
		t.Errorf("a refused configuration still created the database")
	}
}

func TestAppManifest(t *testing.T) {
	var want map[string]any
	if err := yaml.Unmarshal(callboard.AppManifest, &want); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CALLBOARD_BASE_URL": "https://callboard.acme.example/"}
	code, out, errOut := runCLI(t, env, "app-manifest")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"default_permissions", "default_events", "public", "name"} {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s: %v, want app.yml's %v", k, got[k], want[k])
		}
	}
	if got["url"] != "https://callboard.acme.example" || got["redirect_url"] != "https://callboard.acme.example/" {
		t.Errorf("url %v, redirect_url %v: want the base URL", got["url"], got["redirect_url"])
	}
	if cb, _ := got["callback_urls"].([]any); len(cb) != 1 || cb[0] != "https://callboard.acme.example/auth/github/callback" {
		t.Errorf("callback_urls %v: want the base URL's /auth/github/callback, for Sign in with GitHub", got["callback_urls"])
	}
	if hook, _ := got["hook_attributes"].(map[string]any); hook["url"] != "https://callboard.acme.example/webhooks/github" {
		t.Errorf("hook_attributes %v: want the base URL's /webhooks/github", got["hook_attributes"])
	}
	if strings.Contains(out, "callboard.example.com") {
		t.Errorf("the placeholder host is left in:\n%s", out)
	}

	if strings.Contains(errOut, "warning") {
		t.Errorf("a public base URL gets a warning: %s", errOut)
	}
	if _, _, errOut := runCLI(t, map[string]string{}, "app-manifest"); !strings.Contains(errOut, "CALLBOARD_BASE_URL is http://localhost:8080, which GitHub cannot reach") {
		t.Errorf("the default base URL gets no warning: %q", errOut)
	}

	env["GITHUB_API_URL"] = "https://ghe.acme.example/api/v3/"
	code, out, _ = runCLI(t, env, "app-manifest", "--html", "--org", "acme", "--name", "callboard-acme")
	if code != 0 {
		t.Fatalf("--html exit %d", code)
	}
	for _, want := range []string{`<form action="https://ghe.acme.example/organizations/acme/settings/apps/new" method="post">`, `name="manifest"`, `&#34;name&#34;: &#34;callboard-acme&#34;`} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q:\n%s", want, out)
		}
	}
}

func TestAppManifestCode(t *testing.T) {
	const pemText = "-----BEGIN RSA PRIVATE KEY-----\nnot-a-real-key\n-----END RSA PRIVATE KEY-----\n"
	calls := 0
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != http.MethodPost || r.URL.Path != "/app-manifests/abc123/conversions" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"Not Found"}`))
			return
		}
		// The shape of GitHub's answer (REST "Create a GitHub App from a manifest").
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": 4242, "slug": "callboard-acme", "name": "callboard-acme",
			"client_id": "Iv1.8a61f9b3a7aba766", "client_secret": "cs-do-not-print", "webhook_secret": "wh-do-not-print", "pem": pemText})
	}))
	defer gh.Close()
	dir := filepath.Join(t.TempDir(), "secrets")
	env := map[string]string{"GITHUB_API_URL": gh.URL + "/"}
	code, out, errOut := runCLI(t, env, "app-manifest", "--code", "abc123", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"GITHUB_APP_ID=4242\n", "GITHUB_PRIVATE_KEY_FILE=" + filepath.Join(dir, "github-app.pem"), "GITHUB_WEBHOOK_SECRET_FILE=" + filepath.Join(dir, "github-webhook-secret"), "GITHUB_CLIENT_ID=Iv1.8a61f9b3a7aba766", "/apps/callboard-acme/installations/new"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "do-not-print") || strings.Contains(out, "not-a-real-key") {
		t.Errorf("a secret was printed:\n%s", out)
	}
	for file, want := range map[string]string{"github-app.pem": pemText, "github-webhook-secret": "wh-do-not-print", "github-client-secret": "cs-do-not-print"} {
		p := filepath.Join(dir, file)
		b, err := os.ReadFile(p)
		if err != nil || string(b) != want {
			t.Errorf("%s: %q, %v", file, b, err)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", file, fi.Mode().Perm())
		}
	}
	// The configuration the command printed loads.
	cfgEnv := map[string]string{"GITHUB_PRIVATE_KEY_FILE": filepath.Join(dir, "github-app.pem"), "GITHUB_WEBHOOK_SECRET_FILE": filepath.Join(dir, "github-webhook-secret")}
	if cfg, err := loadConfig(envFrom(cfgEnv)); err != nil || cfg.GitHubPrivateKey != strings.TrimRight(pemText, "\n") || cfg.GitHubWebhookSecret != "wh-do-not-print" {
		t.Errorf("the written files do not load as configuration: %v", err)
	}
	// A second run does not overwrite them, and asks GitHub nothing.
	before := calls
	if code, _, errOut := runCLI(t, env, "app-manifest", "--code", "abc123", "--dir", dir); code != 1 || !strings.Contains(errOut, "does not overwrite") || calls != before {
		t.Errorf("second run: exit %d, %q, %d calls", code, errOut, calls-before)
	}
	if code, _, errOut := runCLI(t, env, "app-manifest", "--code", "used-code", "--dir", t.TempDir()); code != 1 || !strings.Contains(errOut, "404") || !strings.Contains(errOut, "works once") {
		t.Errorf("a spent code: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "app-manifest", "--code", "../../x"); code != 2 {
		t.Errorf("a code with a path in it: exit %d, %q", code, errOut)
	}
}

// TestOwnerTakesWhatPeoplePaste: the owner command reads CODEOWNERS handles,
// clone URLs and GitHub URLs without a scheme, and names an owner the catalog
// does not hold with the closest groups.
func TestOwnerTakesWhatPeoplePaste(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CALLBOARD_DB": filepath.Join(dir, "c.db")}
	startServe(t, env, "--demo")
	tests := []struct{ query, want string }{
		{"@acme/payments", "Payments (group:default/payments)"},
		{"acme/payments", "Payments (group:default/payments)"},
		{"github.com/acme/payments-api", "Payments API (component:default/payments-api) is owned by Payments"},
		{"git@github.com:acme/payments-api.git", "Payments API (component:default/payments-api) is owned by Payments"},
		{"https://github.com/acme/payments-api.git", "Payments API (component:default/payments-api) is owned by Payments"},
		{"github.com/acme/legacy-billing/blob/master/reports/q3.py", "acme/legacy-billing reports/q3.py is owned by Platform"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, env, "owner", tt.query)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("owner %s: exit %d, %s%s\nwant %q", tt.query, code, out, errOut, tt.want)
		}
	}
	os.WriteFile(filepath.Join(dir, "catalog-info.yaml"), []byte("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ledger}\nspec: {type: service, lifecycle: production, owner: paymnts}\n"), 0o644)
	if code, out, _ := runCLI(t, env, "import", dir); code != 0 {
		t.Fatalf("import: %s", out)
	}
	code, out, _ := runCLI(t, env, "owner", "ledger")
	if code != 0 || !strings.Contains(out, "group:default/paymnts is not in the catalog; did you mean payments?") {
		t.Errorf("owner for an unknown owner (exit %d):\n%s", code, out)
	}
}
