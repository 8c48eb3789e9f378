package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/web"
)

func TestWebMode(t *testing.T) {
	for _, tc := range []struct {
		auth, addr string
		demo       bool
		want       web.Mode
		err        string
	}{
		{"", ":8080", false, web.ModeGitHub, ""},
		{"", ":8080", true, web.ModeNone, ""},
		{"github", ":8080", true, web.ModeGitHub, ""},
		{"token", ":8080", false, web.ModeToken, ""},
		{"none", "127.0.0.1:8080", false, web.ModeNone, ""},
		{"none", "[::1]:8080", false, web.ModeNone, ""},
		{"none", "localhost:8080", false, web.ModeNone, ""},
		{"none", ":8080", true, web.ModeNone, ""},
		{"none", ":8080", false, "", "allowed with serve --demo or a loopback address"},
		{"none", "10.0.0.5:8080", false, "", "allowed with serve --demo or a loopback address"},
	} {
		got, err := webMode(config{WebAuth: tc.auth, Addr: tc.addr}, tc.demo)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("CALLBOARD_WEB_AUTH=%q on %s (demo %v): %v, want an error saying %q", tc.auth, tc.addr, tc.demo, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("CALLBOARD_WEB_AUTH=%q on %s (demo %v): %q, %v; want %q", tc.auth, tc.addr, tc.demo, got, err, tc.want)
		}
	}
}

func TestWebConfigMistakes(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CALLBOARD_WEB_AUTH": "oauth"}, `CALLBOARD_WEB_AUTH "oauth": want github, token or none`},
		{map[string]string{"CALLBOARD_WEB_AUTH": "token"}, "CALLBOARD_WEB_AUTH=token signs people in with CALLBOARD_API_TOKEN, which is unset"},
		{map[string]string{"GITHUB_CLIENT_ID": "Iv1.x"}, "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together"},
		{map[string]string{"GITHUB_URL": "github.com"}, `GITHUB_URL "github.com"`},
	} {
		_, err := loadConfig(envFrom(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.env, err, tc.want)
		}
	}
	if _, err := loadConfig(envFrom(map[string]string{"CALLBOARD_WEB_AUTH": "TOKEN", "CALLBOARD_API_TOKEN": "t"})); err != nil {
		t.Errorf("token mode with its token: %v", err)
	}
}

// serve refuses an open web view on an address others can reach, before it
// listens or opens anything.
func TestServeRefusesOpenWebView(t *testing.T) {
	code, _, errOut := runCLI(t, map[string]string{"CALLBOARD_WEB_AUTH": "none", "CALLBOARD_ADDR": "0.0.0.0:0", "CALLBOARD_DB": t.TempDir() + "/x.db"}, "serve")
	if code != 1 || !strings.Contains(errOut, "CALLBOARD_WEB_AUTH=none would show the catalog to anyone") {
		t.Errorf("serve with none on 0.0.0.0: exit %d\n%s", code, errOut)
	}
}

// serve --demo opens the web view without sign-in, says so in the log, and
// answers / with the catalog's page (it was a JSON 404).
func TestServeDemoWebView(t *testing.T) {
	base, logs := startServe(t, map[string]string{"CALLBOARD_DB": t.TempDir() + "/callboard.db"}, "--demo")
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Who owns it, and where is it written?") {
		t.Errorf("GET / on serve --demo: %d\n%.300s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "web view open to anyone who reaches it") {
		t.Errorf("serve --demo does not warn that the web view is open:\n%s", logs)
	}
}
