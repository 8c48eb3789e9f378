package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestIssue12_09_DigestNeedsTheToken: with CALLBOARD_API_TOKEN set, GET
// /digest (usage, people, unanswered questions) asks for it like /api/*:
// a browser gets a sign-in prompt (basic authentication, the token as the
// password), a script may send it as a bearer token; the token is never
// logged.
func TestIssue12_09_DigestNeedsTheToken(t *testing.T) {
	const token = "s3cret-t0ken-value"
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "callboard.db"), "CALLBOARD_API_TOKEN": token}
	base, logs := startServe(t, env, "--demo")
	get := func(auth func(*http.Request)) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/digest", nil)
		auth(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	for name, auth := range map[string]func(*http.Request){
		"no credentials":           func(*http.Request) {},
		"a wrong password":         func(r *http.Request) { r.SetBasicAuth("alice", "wrong") },
		"a wrong bearer token":     func(r *http.Request) { r.Header.Set("Authorization", "Bearer wrong") },
		"the token as a user name": func(r *http.Request) { r.SetBasicAuth(token, "") },
	} {
		code, h, body := get(auth)
		if code != 401 || h.Get("WWW-Authenticate") != `Basic realm="callboard digest", charset="UTF-8"` || strings.Contains(body, "<html") {
			t.Errorf("%s: %d %q\n%.300s", name, code, h.Get("WWW-Authenticate"), body)
		}
	}
	for name, auth := range map[string]func(*http.Request){
		"a browser after the prompt": func(r *http.Request) { r.SetBasicAuth("anyone", token) },
		"a script":                   func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) },
	} {
		if code, _, body := get(auth); code != 200 || !strings.Contains(body, "<html") {
			t.Errorf("%s: %d\n%.300s", name, code, body)
		}
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the token is in the log:\n%s", logs)
	}
}
