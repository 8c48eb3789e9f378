package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// TestIssue12_09_DigestNeedsTheToken: with CALLBOARD_API_TOKEN set, GET
// /digest (usage, people, unanswered questions) asks for it like /api/*:
// a browser is sent to the sign-in form that exchanges the token for a
// session (the web view's token mode), a script may send it as a bearer
// token or as a basic-authentication password; wrong credentials get a 401;
// the token is never logged.
func TestIssue12_09_DigestNeedsTheToken(t *testing.T) {
	const token = "s3cret-t0ken-value"
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "callboard.db"), "CALLBOARD_API_TOKEN": token}
	base, logs := startServe(t, env, "--demo")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(auth func(*http.Request)) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/digest", nil)
		auth(req)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	const digestShown = "<title>Digest 20"
	if code, h, body := get(func(*http.Request) {}); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/auth/token") || strings.Contains(body, digestShown) {
		t.Errorf("no credentials: %d to %q, want 303 to the token sign-in\n%.300s", code, h.Get("Location"), body)
	}
	for name, auth := range map[string]func(*http.Request){
		"a wrong password":         func(r *http.Request) { r.SetBasicAuth("alice", "wrong") },
		"a wrong bearer token":     func(r *http.Request) { r.Header.Set("Authorization", "Bearer wrong") },
		"the token as a user name": func(r *http.Request) { r.SetBasicAuth(token, "") },
	} {
		code, h, body := get(auth)
		if code != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic realm=") || strings.Contains(body, digestShown) {
			t.Errorf("%s: %d %q\n%.300s", name, code, h.Get("WWW-Authenticate"), body)
		}
	}
	for name, auth := range map[string]func(*http.Request){
		"a browser after the prompt": func(r *http.Request) { r.SetBasicAuth("anyone", token) },
		"a script":                   func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) },
	} {
		if code, _, body := get(auth); code != 200 || !strings.Contains(body, digestShown) {
			t.Errorf("%s: %d\n%.300s", name, code, body)
		}
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the token is in the log:\n%s", logs)
	}
}

// TestIssue12_13_DamagedFileIsNotReady: a database whose pages are damaged
// is found at start (a bounded quick_check) and /readyz says so, instead of
// answering ready while answers fail.
func TestIssue12_13_DamagedFileIsNotReady(t *testing.T) {
	db := filepath.Join(t.TempDir(), "callboard.db")
	if code, out, errOut := runCLI(t, map[string]string{"CALLBOARD_DB": db}, "import", filepath.Join("..", "..", "catalog", "demo", "data")); code != 0 {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	damage(t, db, "entities")
	base, logs := startServe(t, map[string]string{"CALLBOARD_DB": db})
	var code int
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if code, body = resp.StatusCode, string(b); code == 503 {
			break
		}
	}
	if code != 503 || !strings.Contains(body, "the database is damaged") {
		t.Errorf("/readyz: %d %s", code, body)
	}
	if !strings.Contains(logs.String(), "the database is damaged") {
		t.Errorf("the log does not say so:\n%s", logs)
	}
}

// damage overwrites the root page of a table with garbage, as a bad disk
// sector would.
func damage(t *testing.T, db, table string) {
	t.Helper()
	ctx := context.Background()
	sdb, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	if err := sdb.QueryRow(ctx, `SELECT rootpage FROM sqlite_master WHERE name = ?`, table).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := sdb.QueryRow(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.Exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	f, err := os.OpenFile(db, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, int(pageSize)), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}

// TestIssue12_13_FullDiskIsNotReady: while the disk is full, POST /api/usage
// answers 503 (the events can be sent again) and /readyz fails; once there
// is room, both recover.
func TestIssue12_13_FullDiskIsNotReady(t *testing.T) {
	ctx := context.Background()
	db, st, done, err := openCatalog(ctx, filepath.Join(t.TempDir(), "callboard.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var draining atomic.Bool
	srv, err := newServer(ctx, cfg, db, st, slog.New(slog.DiscardHandler), &draining)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop(ctx)
	do := func(method, path, body string) (int, string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		srv.handler.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	var events []string
	for i := range 1000 {
		events = append(events, fmt.Sprintf(`{"plugin":"deploys","action":"promote","actor":"user-%d","detail":"%s"}`, i, strings.Repeat("x", 200)))
	}
	batch := "[" + strings.Join(events, ",") + "]"

	// The disk fills up: SQLite may not grow the file past its size now.
	var pages int
	if err := db.QueryRow(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	if code, body := do("POST", "/api/usage", batch); code != 503 || !strings.Contains(body, "disk is full") {
		t.Errorf("POST /api/usage on a full disk: %d %s", code, body)
	}
	if code, body := do("GET", "/readyz", ""); code != 503 || !strings.Contains(body, "the disk is full") {
		t.Errorf("/readyz on a full disk: %d %s", code, body)
	}
	// Room again.
	if _, err := db.Exec(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if code, body := do("GET", "/readyz", ""); code != 200 {
		t.Errorf("/readyz once there is room: %d %s", code, body)
	}
	if code, body := do("POST", "/api/usage", batch); code != 202 {
		t.Errorf("POST /api/usage once there is room: %d %s", code, body)
	}
}

// TestIssue12_Config: the variables of issue 12 are read, with their
// defaults, and a bad value is a clear error.
func TestIssue12_Config(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := loadConfig(env(map[string]string{
		"SCAFFOLD_REPO": "acme/requests", "SCAFFOLD_TEMPLATE_REPOS": "acme/templates, acme/tpl-*", "SCAFFOLD_SOURCES": "acme/skeletons",
		"SCAFFOLD_ALLOWED_TEAMS": "platform, acme/sre", "SCAFFOLD_MAX_VISIBILITY": "internal", "DIGEST_ALLOWED_DOMAINS": "acme.com, acme.co.uk",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintln(c.ScaffoldTemplateRepos, c.ScaffoldSources, c.ScaffoldAllowedTeams, c.ScaffoldMaxVisibility, c.DigestAllowedDomains); got != "[acme/templates acme/tpl-*] [acme/skeletons] [platform acme/sre] internal [acme.com acme.co.uk]\n" {
		t.Errorf("config %s", got)
	}
	if c, err := loadConfig(env(nil)); err != nil || c.ScaffoldMaxVisibility != "private" || c.ScaffoldTemplateRepos != nil {
		t.Errorf("defaults: %v %q %v", err, c.ScaffoldMaxVisibility, c.ScaffoldTemplateRepos)
	}
	_, err = loadConfig(env(map[string]string{"SCAFFOLD_TEMPLATE_REPOS": "acme", "SCAFFOLD_MAX_VISIBILITY": "secret", "DIGEST_ALLOWED_DOMAINS": "@acme.com", "SCAFFOLD_ALLOWED_TEAMS": "a/b/c"}))
	for _, want := range []string{`SCAFFOLD_TEMPLATE_REPOS "acme": want org/repo patterns`, `SCAFFOLD_MAX_VISIBILITY "secret"`, `DIGEST_ALLOWED_DOMAINS "@acme.com"`, `SCAFFOLD_ALLOWED_TEAMS "a/b/c"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
