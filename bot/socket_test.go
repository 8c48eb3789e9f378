package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/gorilla/websocket"
)

// slackSocket is Slack's end of Socket Mode for the tests: a WebSocket
// server that hands each connection to the test, which speaks Slack's
// envelopes down it (hello, events_api, slash_commands, interactive,
// disconnect) and reads callboard's acknowledgements back.
type slackSocket struct {
	*httptest.Server
	conns chan *socketConn
}

type socketConn struct {
	t    testing.TB
	ws   *websocket.Conn
	mu   sync.Mutex
	acks chan map[string]any
	gone chan struct{}
}

func newSlackSocket(t testing.TB) *slackSocket {
	s := &slackSocket{conns: make(chan *socketConn, 4)}
	// slack-go dials with Slack's own origin.
	up := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrading: %v", err)
			return
		}
		c := &socketConn{t: t, ws: ws, acks: make(chan map[string]any, 16), gone: make(chan struct{})}
		// Slack pings; slack-go takes a silent connection for dead.
		stop := make(chan struct{})
		go func() {
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					c.mu.Lock()
					ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
					c.mu.Unlock()
				}
			}
		}()
		go func() {
			defer close(c.gone)
			defer close(stop)
			for {
				var m map[string]any
				if err := ws.ReadJSON(&m); err != nil {
					return
				}
				c.acks <- m
			}
		}()
		s.conns <- c
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *slackSocket) wsURL() string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + "/link/?ticket=test"
}

func (s *slackSocket) next(t testing.TB) *socketConn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("callboard did not connect")
		return nil
	}
}

// send writes an envelope, as Slack does.
func (c *socketConn) send(v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Errorf("sending: %v", err)
	}
}

// ack waits for the acknowledgement of an envelope.
func (c *socketConn) ack(t testing.TB, envelopeID string) map[string]any {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-c.acks:
			if m["envelope_id"] == envelopeID {
				return m
			}
			t.Errorf("acknowledgement %v, want %s", m, envelopeID)
		case <-timeout:
			t.Fatalf("no acknowledgement of %s", envelopeID)
			return nil
		}
	}
}

func hello(appID string) map[string]any {
	return map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": appID},
		"debug_info": map[string]any{"host": "applink-test", "build_number": 10, "approximate_connection_time": 18060}}
}

func envelope(id, typ string, payload json.RawMessage, retry int) map[string]any {
	return map[string]any{"envelope_id": id, "type": typ, "payload": payload,
		"accepts_response_payload": typ == "slash_commands", "retry_attempt": retry, "retry_reason": ""}
}

// waitReady waits until the socket's readiness is ready (or not).
func waitReady(t testing.TB, s *Socket, ready bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if (s.Ready() == nil) == ready {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("readiness %v, want ready=%v", s.Ready(), ready)
}

// TestSocketMode drives callboard over Socket Mode against a local server
// speaking Slack's envelopes: a DM (events_api), /owner (slash_commands,
// answered in its acknowledgement), a button (interactive), a retry of the
// DM (answered once), then disconnect: callboard connects again, and is
// ready again once Slack says hello.
func TestSocketMode(t *testing.T) {
	st := demoStore(t)
	b, f := talkingBot(t, st)
	ss := newSlackSocket(t)
	f.wsURL = ss.wsURL
	s := NewSocket(b, SocketConfig{AppToken: "xapp-1-test-app-token", BotToken: testBotToken, APIURL: f.apiURL(), PingInterval: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	if s.Ready() == nil {
		t.Error("ready before connecting")
	}
	c := ss.next(t)
	if f.count("apps.connections.open") != 1 {
		t.Errorf("calls %v, want apps.connections.open first", f.methods())
	}
	c.send(hello("A0CALLBOARD"))
	waitReady(t, s, true)

	dm := payload(t, "message_im.json", map[string]any{"event.text": "who owns payments-api?"})
	c.send(envelope("env-dm-1", "events_api", dm, 0))
	if a := c.ack(t, "env-dm-1"); a["payload"] != nil {
		t.Errorf("an event's acknowledgement carries %v", a["payload"])
	}
	post := f.wait("chat.postMessage")
	if post.field("channel") != "D0CAROL" || !strings.Contains(transcript(post.blocks(t), slackNames), "*Payments API* (service) is owned by *Payments*") {
		t.Errorf("DM answer to %q: %s", post.field("channel"), transcript(post.blocks(t), slackNames))
	}

	cmd, _ := json.Marshal(map[string]any{"token": "x", "team_id": "T0ACME", "team_domain": "acme", "channel_id": "C0GENERAL",
		"channel_name": "general", "user_id": "U0CAROL", "user_name": "carol", "command": "/owner", "text": "search-service",
		"api_app_id": "A0CALLBOARD", "is_enterprise_install": "false", "response_url": f.responseURL(), "trigger_id": "1.2.3"})
	c.send(envelope("env-cmd-1", "slash_commands", cmd, 0))
	a := c.ack(t, "env-cmd-1")
	answer, _ := json.Marshal(a["payload"])
	if !strings.Contains(string(answer), "*Search service* (service) is owned by *Search*") || !strings.Contains(string(answer), `"response_type":"ephemeral"`) {
		t.Errorf("the command's acknowledgement carries %s, want the answer", answer)
	}
	checkBlockKit(t, answer)

	press := payload(t, "block_actions.json", map[string]any{"actions": []any{map[string]any{"action_id": actionCodeowners,
		"block_id": "callboard-answer-0", "type": "button", "value": `{"p":"slack.mention","r":"acme/payments-api"}`, "action_ts": "1548426417.840180"}}})
	c.send(envelope("env-act-1", "interactive", press, 0))
	c.ack(t, "env-act-1")
	if e := f.wait("chat.postEphemeral"); !strings.Contains(transcript(e.blocks(t), slackNames), "`* @acme/payments`") {
		t.Errorf("the button's answer: %s", transcript(e.blocks(t), slackNames))
	}

	// Slack sends the DM again (retry_attempt 1): acknowledged, not answered again.
	c.send(envelope("env-dm-2", "events_api", dm, 1))
	c.ack(t, "env-dm-2")

	// Slack asks callboard to reconnect.
	c.send(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "applink-test"}})
	c2 := ss.next(t)
	waitReady(t, s, false)
	select {
	case <-c.gone:
	case <-time.After(10 * time.Second):
		t.Error("the first connection stays open after disconnect")
	}
	if n := f.count("apps.connections.open"); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
	c2.send(hello("A0CALLBOARD"))
	waitReady(t, s, true)
	c2.send(envelope("env-dm-3", "events_api", payload(t, "message_im.json", map[string]any{"event_id": "Ev0DMAFTER", "event.text": "docs for payments-api"}), 0))
	c2.ack(t, "env-dm-3")
	if post := f.wait("chat.postMessage"); !strings.Contains(transcript(post.blocks(t), slackNames), "Docs for *Payments API*") {
		t.Errorf("after reconnecting: %s", transcript(post.blocks(t), slackNames))
	}

	cancel()
	<-done
	waitReady(t, s, false)
	b.Close(context.Background())
	if n := f.count("chat.postMessage"); n != 2 {
		t.Errorf("%d DM answers, want 2 (the retry is not answered)", n)
	}
	checkUsage(t, st,
		catalog.UsageEvent{Plugin: catalog.PluginSlackDM, Action: "owner", Actor: "U0CAROL", Entity: "component:default/payments-api", Outcome: catalog.OutcomeAnswered, Detail: "who owns payments-api?"},
		catalog.UsageEvent{Plugin: catalog.PluginSlackDM, Action: "docs", Actor: "U0CAROL", Entity: "component:default/payments-api", Outcome: catalog.OutcomeAnswered, Detail: "docs for payments-api"},
		catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "U0CAROL", Entity: "component:default/search-service", Outcome: catalog.OutcomeAnswered, Detail: "search-service"},
		catalog.UsageEvent{Plugin: catalog.PluginSlackMention, Action: "codeowners", Actor: "U0CAROL", Entity: "acme/payments-api", Outcome: catalog.OutcomeAnswered},
	)
}

// TestSocketModeRefusedToken: a token Slack refuses keeps callboard not
// ready, and it says why.
func TestSocketModeRefusedToken(t *testing.T) {
	b, f := talkingBot(t, demoStore(t))
	s := NewSocket(b, SocketConfig{AppToken: "xapp-1-revoked", BotToken: testBotToken, APIURL: f.apiURL()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	f.wait("apps.connections.open")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(errString(s.Ready()), "invalid_auth") {
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Ready(); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("readiness %v, want not ready because of invalid_auth", err)
	}
	cancel()
	<-done
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
