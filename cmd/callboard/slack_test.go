package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestSlackAppTokenMistakes(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SLACK_APP_TOKEN": "xoxb-9a8b-secret", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN: want the app-level token (xapp-…"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1-secret"}, "SLACK_APP_TOKEN is set without SLACK_BOT_TOKEN"},
	} {
		tt.env["CALLBOARD_DB"] = filepath.Join(t.TempDir(), "c.db")
		code, _, errOut := runCLI(t, tt.env, "serve")
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
		}
		if strings.Contains(errOut, "secret") {
			t.Errorf("stderr quotes the token: %q", errOut)
		}
	}
}

// TestServeSlackSocketMode: with SLACK_APP_TOKEN, serve connects out to
// Slack (apps.connections.open, then the WebSocket it names) and is ready
// only once Slack said hello; the HTTP routes stay, verified as ever.
func TestServeSlackSocketMode(t *testing.T) {
	hello := make(chan struct{})
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	var wsURL string
	slackSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/apps.connections.open":
			if r.Header.Get("Authorization") != "Bearer xapp-1-test" {
				io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": wsURL})
		case "/link":
			ws, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			go func() {
				for {
					if _, _, err := ws.ReadMessage(); err != nil {
						return
					}
				}
			}()
			<-hello
			ws.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
			for range 50 {
				time.Sleep(100 * time.Millisecond)
				if ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)) != nil {
					return
				}
			}
		default:
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer slackSrv.Close()
	wsURL = "ws" + strings.TrimPrefix(slackSrv.URL, "http") + "/link"

	const secret = "socket-test-secret"
	base, logs := startServe(t, map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "c.db"),
		"SLACK_APP_TOKEN": "xapp-1-test", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slackSrv.URL + "/api/",
		"SLACK_SIGNING_SECRET": secret}, "--demo")
	readyz := func() (int, string) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "Slack Socket Mode is not connected") {
		t.Errorf("/readyz before Slack's hello: %d %s, want 503 naming Socket Mode", code, body)
	}
	close(hello)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := readyz()
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz after hello: %d %s\n%s", code, body, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"feature=slack-socket-mode", "slack socket mode connected"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}

	// The Events API's URL check, signed and not.
	body := `{"type":"url_verification","challenge":"c-123","token":"t"}`
	ts := fmt.Sprint(time.Now().Unix())
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	for _, tt := range []struct {
		sig  string
		code int
	}{{"v0=" + hex.EncodeToString(mac.Sum(nil)), 200}, {"v0=00", 401}} {
		req, _ := http.NewRequest(http.MethodPost, base+"/slack/events", strings.NewReader(body))
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", tt.sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || (tt.code == 200) != strings.Contains(string(got), "c-123") {
			t.Errorf("/slack/events signed %s: %d %s, want %d", tt.sig[:5], resp.StatusCode, got, tt.code)
		}
	}
	resp, err := http.PostForm(base+"/slack/interactions", url.Values{"payload": {"{}"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned /slack/interactions: %d, want 401", resp.StatusCode)
	}
}

// TestSlackLinksOnlyWhereTheWebViewOpens: "Open in catalog" and the other
// links of Slack's answers go to the web view only when it can sign
// someone in.
func TestSlackLinksOnlyWhereTheWebViewOpens(t *testing.T) {
	const base = "https://callboard.acme.example"
	for _, tt := range []struct {
		auth, clientID, want string
	}{
		{"github", "", ""},
		{"", "", ""},
		{"github", "Iv1.abc", base},
		{"token", "", base},
		{"none", "", base},
	} {
		if got := webBase(config{BaseURL: base, WebAuth: tt.auth, GitHubClientID: tt.clientID}); got != tt.want {
			t.Errorf("CALLBOARD_WEB_AUTH=%q GITHUB_CLIENT_ID=%q: links to %q, want %q", tt.auth, tt.clientID, got, tt.want)
		}
	}
}
