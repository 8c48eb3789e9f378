package main

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/digest"
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

	// A fresh install catches up no digest (TestIssue13_5); by hand, last
	// week's goes out once.
	code, out, errOut := runCLI(t, env, "digest", "--send")
	if code != 0 || !strings.Contains(out, "sent slack:#digest") {
		t.Errorf("digest --send: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, env, "digest", "--send"); code != 0 || !strings.Contains(out, "already sent slack:#digest") {
		t.Errorf("digest --send again: %d\n%s%s", code, out, errOut)
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

// TestIssue13_5_NoDigestForAWeekCallboardDidNotSee: a fresh install sends
// nothing at start (it used to mail last week's, empty, to everyone); by
// hand, callboard digest --week W --send still sends that week; a database
// callboard has kept for weeks still gets a digest it missed while down.
func TestIssue13_5_NoDigestForAWeekCallboardDidNotSee(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		posts = append(posts, r.PostForm.Get("channel"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1.1"}`)
	}))
	defer slackAPI.Close()
	nPosts := func() int { mu.Lock(); defer mu.Unlock(); return len(posts) }
	envFor := func(db string) map[string]string {
		return map[string]string{"CALLBOARD_DB": db, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slackAPI.URL + "/", "DIGEST_SLACK_CHANNEL": "#digest"}
	}
	waitFor := func(logs *lockedBuffer, what string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), what); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("serve did not log %q within 10 s:\n%s", what, logs)
			}
		}
	}

	fresh := envFor(filepath.Join(t.TempDir(), "callboard.db"))
	_, logs := startServe(t, fresh)
	waitFor(logs, "no digest to catch up")
	if n := nPosts(); n != 0 {
		t.Fatalf("a fresh install posted %d digests at start, want none until its first scheduled run", n)
	}
	lastWeek := digest.WeekOf(time.Now(), time.UTC).Add(-1).String()
	if code, out, errOut := runCLI(t, fresh, "digest", "--week", lastWeek, "--send"); code != 0 || !strings.Contains(out, "sent slack:#digest") || nPosts() != 1 {
		t.Errorf("digest --week %s --send on a fresh install: exit %d, %d posts\n%s%s", lastWeek, code, nPosts(), out, errOut)
	}

	old := envFor(filepath.Join(t.TempDir(), "callboard.db"))
	if code, _, errOut := runCLI(t, old, "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	db, err := sql.Open("sqlite", "file:"+old["CALLBOARD_DB"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE schema_migrations SET applied_at = ?`, time.Now().AddDate(0, 0, -60).Unix()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	startServe(t, old)
	for deadline := time.Now().Add(10 * time.Second); nPosts() < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if n := nPosts(); n != 2 {
		t.Errorf("%d posts after starting on a database 60 days old, want the missed digest caught up (2 in all)", n)
	}
}
