package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServeUsageAndDigest(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		posts = append(posts, r.URL.Path+" "+r.PostForm.Get("channel"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1.1"}`)
	}))
	defer slackAPI.Close()
	nPosts := func() int { mu.Lock(); defer mu.Unlock(); return len(posts) }

	env := map[string]string{
		"CALLBOARD_DB":         filepath.Join(t.TempDir(), "callboard.db"),
		"CALLBOARD_API_TOKEN":  "t0ken",
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_API_URL":        slackAPI.URL + "/",
		"DIGEST_SLACK_CHANNEL": "#digest",
		"DIGEST_TIMEZONE":      "Europe/Berlin",
	}
	base, _ := startServe(t, env, "--demo")

	post := func(token, body string) int {
		req, _ := http.NewRequest("POST", base+"/api/usage", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	event := `{"plugin":"deploys","action":"promote","actor":"alice"}`
	if code := post("", event); code != 401 {
		t.Errorf("POST /api/usage without the token: %d, want 401", code)
	}
	if code := post("t0ken", event); code != 202 {
		t.Errorf("POST /api/usage: %d, want 202", code)
	}
	req, _ := http.NewRequest("GET", base+"/digest", nil)
	req.SetBasicAuth("anyone", "t0ken") // what a browser sends after its sign-in prompt
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "1 event by 1 person") || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /digest: %d %s\n%.500s", resp.StatusCode, resp.Header.Get("Content-Type"), page)
	}

	// The schedule caught up with last week's digest at start.
	deadline := time.Now().Add(10 * time.Second)
	for nPosts() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if nPosts() != 1 {
		t.Fatalf("%d Slack posts after start, want the missed digest once", nPosts())
	}
	code, out, errOut := runCLI(t, env, "digest", "--send")
	if code != 0 || !strings.Contains(out, "already sent slack:#digest") {
		t.Errorf("digest --send: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, env, "digest", "--format", "slack")
	var m struct{ Text string }
	if code != 0 || json.Unmarshal([]byte(out), &m) != nil || !strings.HasPrefix(m.Text, "callboard weekly digest") {
		t.Errorf("digest --format slack: %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, env, "digest", "--week", "2026-W54"); code != 2 || !strings.Contains(errOut, "weeks 1 to 53") {
		t.Errorf("digest --week 2026-W54: %d %s", code, errOut)
	}
	if nPosts() != 1 {
		t.Errorf("%d Slack posts, want 1", nPosts())
	}
}
