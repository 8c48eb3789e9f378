package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// TestEventsAreSignedAsGitHubSignsThem: what testgithub sends to callboard
// passes go-github's own signature check and parses as GitHub's events.
func TestEventsAreSignedAsGitHubSignsThem(t *testing.T) {
	const secret = "s3cret"
	var mu sync.Mutex
	var got []any
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := github.ValidatePayload(r, []byte(secret))
		if err != nil {
			t.Errorf("signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		ev, err := github.ParseWebHook(github.WebHookType(r), body)
		if err != nil {
			t.Errorf("payload: %v", err)
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer receiver.Close()

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	basec, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-dir", dir, "-webhook", receiver.URL, "-secret", secret}, io.Discard, func(b string) { basec <- b })
	}()
	var base string
	select {
	case base = <-basec:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("testgithub did not start")
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	env, err := os.ReadFile(filepath.Join(dir, "callboard.env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GITHUB_APP_ID=1\n", "GITHUB_API_URL=" + base + "/\n", "SCAFFOLD_REPO=acme/service-requests\n", "SCAFFOLD_TEMPLATE_REPOS=acme/service-templates\n", "GITHUB_URL=" + base + "\n", "GITHUB_CLIENT_ID=Iv1.testgithub\n", "GITHUB_PRIVATE_KEY_FILE=" + filepath.Join(dir, "github-app.pem")} {
		if !strings.Contains(string(env), want) {
			t.Errorf("callboard.env lacks %q:\n%s", want, env)
		}
	}
	post := func(path, body string) map[string]any {
		resp, err := http.Post(base+path, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusOK || out["callboard_status"] != float64(http.StatusAccepted) {
			t.Errorf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	post("/_test/install", "")
	post("/_test/issues?user=carol", "### Name\n\ninventory-api\n")

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("%d events received, want 2", len(got))
	}
	inst, ok := got[0].(*github.InstallationEvent)
	if !ok || inst.GetAction() != "created" || inst.GetInstallation().GetID() != installationID || len(inst.Repositories) != 6 {
		t.Errorf("first event %#v, want installation created with the 6 repositories", got[0])
	}
	is, ok := got[1].(*github.IssuesEvent)
	if !ok || is.GetAction() != "opened" || is.GetRepo().GetFullName() != requestsRepo || is.GetIssue().GetNumber() != 1 ||
		is.GetIssue().GetBody() != "### Name\r\n\r\ninventory-api\r\n" || is.GetIssue().GetUser().GetLogin() != "carol" ||
		len(is.GetIssue().Labels) != 1 || is.GetIssue().Labels[0].GetName() != "scaffold" {
		t.Errorf("second event %#v, want issue 1 opened in %s by carol, labelled scaffold, the body with CRLF", got[1], requestsRepo)
	}

	resp, err := http.Get(base + "/_test/files/acme/service-templates/go-service/skeleton/catalog-info.yaml.njk")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "${{ values.name | dump }}") {
		t.Errorf("the template's skeleton is not served: %d %s", resp.StatusCode, b)
	}
	// The API itself is the fake's, behind the same address.
	resp, err = http.Get(base + "/repos/acme/payments-api")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the API without a token: %d, want 401 as GitHub answers", resp.StatusCode)
	}
}
