package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// startServe runs "callboard serve" with args on a free port and returns its
// base URL; the server stops (and must exit cleanly) when the test ends.
func startServe(t *testing.T, env map[string]string, args ...string) (string, *lockedBuffer) {
	t.Helper()
	env["CALLBOARD_ADDR"] = "127.0.0.1:0"
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
		t.Errorf("import exit %d, want 1 (one file refused); stderr %s", code, errOut)
	}
	for _, want := range []string{
		"components/invalid-component.yaml:4: metadata.name: \"invalid component\" is not a valid name",
		"components/invalid-component.yaml:11: metadata.tags[1]: \"go 1.15.3\" is not a valid tag",
		"2 problem(s)",
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
