package bot

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testBotToken = "xoxb-test-bot-token"

// fakeSlack is Slack's Web API for the tests (and a response_url host): it
// records every call and answers as Slack documents, the people of the
// test workspace matched by email.
type fakeSlack struct {
	*httptest.Server
	t      testing.TB
	mu     sync.Mutex
	calls  []slackCall
	notify chan slackCall
	// users: email -> Slack user id; the others get users_not_found.
	users map[string]string
	// wsURL is what apps.connections.open hands out.
	wsURL func() string
	// fail makes a method answer with a Slack error ("missing_scope").
	fail map[string]string
}

// slackCall is one call: a Web API method, or "response_url".
type slackCall struct {
	method string
	form   url.Values     // a form-encoded call's fields
	body   map[string]any // a JSON call's body
	auth   string
}

// blocks are the call's blocks, decoded.
func (c slackCall) blocks(t testing.TB) []map[string]any {
	t.Helper()
	var raw any
	switch {
	case c.form.Get("blocks") != "":
		if err := json.Unmarshal([]byte(c.form.Get("blocks")), &raw); err != nil {
			t.Fatalf("%s blocks: %v", c.method, err)
		}
	case c.body["blocks"] != nil:
		raw = c.body["blocks"]
	case c.body["view"] != nil:
		raw = c.body["view"].(map[string]any)["blocks"]
	}
	var out []map[string]any
	for _, b := range raw.([]any) {
		out = append(out, b.(map[string]any))
	}
	return out
}

// blocksText is the call's blocks as JSON, with Slack's markup as it is
// (<@U123>), not as \u003c escapes.
func (c slackCall) blocksText(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(c.blocks(t))
	return b.String()
}

// field is a field of the call, whether form-encoded or JSON.
func (c slackCall) field(name string) string {
	if v := c.form.Get(name); v != "" {
		return v
	}
	switch v := c.body[name].(type) {
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
	}
	return ""
}

var demoSlackUsers = map[string]string{
	"alice@acme.example": "U0ALICE",
	"bob@acme.example":   "U0BOB",
	"carol@acme.example": "U0CAROL",
	"erin@acme.example":  "U0ERIN",
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{t: t, notify: make(chan slackCall, 100), users: demoSlackUsers, fail: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSlack) apiURL() string      { return f.URL + "/api/" }
func (f *fakeSlack) responseURL() string { return f.URL + "/hooks/actions/T0ACME/1/secret" }
func (f *fakeSlack) allowHooks(u string) bool {
	return strings.HasPrefix(u, f.URL+"/hooks/")
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	c := slackCall{auth: r.Header.Get("Authorization")}
	if strings.HasPrefix(r.URL.Path, "/hooks/") {
		c.method = "response_url"
	} else {
		c.method = strings.TrimPrefix(r.URL.Path, "/api/")
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if len(raw) > 0 && json.Unmarshal(raw, &c.body) != nil {
			f.t.Errorf("%s: body is not JSON: %s", c.method, raw)
		}
	} else {
		c.form, _ = url.ParseQuery(string(raw))
		if tok := c.form.Get("token"); tok != "" {
			c.auth = "Bearer " + tok
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	select {
	case f.notify <- c:
	default:
	}
	w.Header().Set("Content-Type", "application/json")
	if e := f.fail[c.method]; e != "" {
		io.WriteString(w, `{"ok":false,"error":"`+e+`"}`)
		return
	}
	switch c.method {
	case "response_url":
		io.WriteString(w, `{"ok":true}`)
	case "chat.postMessage":
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": c.field("channel"), "ts": "1700000000.000100"})
	case "chat.postEphemeral":
		io.WriteString(w, `{"ok":true,"message_ts":"1700000000.000200"}`)
	case "views.publish":
		io.WriteString(w, `{"ok":true,"view":{"id":"V0HOME","type":"home"}}`)
	case "users.lookupByEmail":
		email := c.field("email")
		id, ok := f.users[email]
		if !ok {
			io.WriteString(w, `{"ok":false,"error":"users_not_found"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": map[string]any{"id": id, "name": strings.Split(email, "@")[0],
			"profile": map[string]any{"email": email}}})
	case "users.info":
		id := c.field("user")
		for email, uid := range f.users {
			if uid == id {
				json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": map[string]any{"id": id, "profile": map[string]any{"email": email}}})
				return
			}
		}
		io.WriteString(w, `{"ok":false,"error":"user_not_found"}`)
	case "apps.connections.open":
		if c.auth != "Bearer xapp-1-test-app-token" {
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": f.wsURL()})
	default:
		io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

// wait returns the next call of one of methods, failing the test after a while.
func (f *fakeSlack) wait(methods ...string) slackCall {
	f.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case c := <-f.notify:
			for _, m := range methods {
				if c.method == m {
					return c
				}
			}
		case <-timeout:
			f.t.Fatalf("Slack was not called with %v; calls: %v", methods, f.methods())
			return slackCall{}
		}
	}
}

// methods are the methods called so far, in order.
func (f *fakeSlack) methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.method)
	}
	return out
}

func (f *fakeSlack) count(method string) int {
	n := 0
	for _, m := range f.methods() {
		if m == method {
			n++
		}
	}
	return n
}

// payload reads a fixture of testdata/slack and changes some of its fields
// (dotted paths: "event.text").
func payload(t testing.TB, name string, set map[string]any) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "slack", name))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for path, val := range set {
		m := v
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			m = m[p].(map[string]any)
		}
		if val == nil {
			delete(m, parts[len(parts)-1])
		} else {
			m[parts[len(parts)-1]] = val
		}
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
