package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
)

// talkingBot is a bot with a bot token, answering from st, talking to a
// fake Slack that also takes its response_url posts.
func talkingBot(t testing.TB, st *store.Store) (*Bot, *fakeSlack) {
	t.Helper()
	f := newFakeSlack(t)
	b := newTestBot(t, Config{Catalog: st, Usage: st, BotToken: testBotToken, APIURL: f.apiURL(),
		HTTPClient: f.Client(), AllowResponseURL: f.allowHooks})
	return b, f
}

// signedJSON is a request to path signed as Slack signs it, at testNow.
func signedJSON(t testing.TB, path string, body []byte) *http.Request {
	t.Helper()
	ts := testNow.Unix()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", sign(testSecret, ts, string(body)))
	return r
}

// signedInteraction is a block_actions payload as Slack posts it: the JSON
// in the form field payload, signed.
func signedInteraction(t testing.TB, payload []byte) *http.Request {
	t.Helper()
	body := url.Values{"payload": {string(payload)}}.Encode()
	r := signedRequest(body, testNow.Unix(), testSecret)
	r.URL.Path = "/slack/interactions"
	return r
}

func event(t testing.TB, b *Bot, fixture string, set map[string]any) *httptest.ResponseRecorder {
	t.Helper()
	w := serve(b.Events(), signedJSON(t, "/slack/events", payload(t, fixture, set)))
	if w.Code != http.StatusOK {
		t.Fatalf("%s: status %d (%s), want 200", fixture, w.Code, w.Body.String())
	}
	return w
}

func TestURLVerification(t *testing.T) {
	b := newTestBot(t, Config{Catalog: demoStore(t)})
	body := payload(t, "url_verification.json", nil)
	w := serve(b.Events(), signedJSON(t, "/slack/events", body))
	var got map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
		t.Fatalf("status %d, body %q", w.Code, w.Body.String())
	}
	if got["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge %q, want the one Slack sent", got["challenge"])
	}
	// Unsigned, or signed with another secret: refused before it is read.
	r := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(string(body)))
	if w := serve(b.Events(), r); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "3eZbrw") {
		t.Errorf("unsigned: status %d %q, want 401 without the challenge", w.Code, w.Body.String())
	}
	r = signedJSON(t, "/slack/events", body)
	r.Header.Set("X-Slack-Signature", sign("another-secret", testNow.Unix(), string(body)))
	if w := serve(b.Events(), r); w.Code != http.StatusUnauthorized {
		t.Errorf("wrong secret: status %d, want 401", w.Code)
	}
	for i, h := range []http.Handler{b.Events(), b.Interactions()} {
		w := serve(h, signedJSON(t, "/slack/x", []byte("{not json"+strings.Repeat(" ", i))))
		if w.Code != http.StatusBadRequest {
			t.Errorf("malformed: status %d, want 400", w.Code)
		}
		// A message a button is on may hold 150 KB of blocks; past 1 MB, refused.
		big := `{"type":"event_callback","pad":"` + strings.Repeat("x", 200<<10+i) + `"}`
		if w := serve(h, signedJSON(t, "/slack/x", []byte(big))); w.Code == http.StatusRequestEntityTooLarge {
			t.Errorf("a 200 KB body: status %d", w.Code)
		}
		huge := strings.Repeat("x", 2<<20+i)
		if w := serve(h, signedJSON(t, "/slack/x", []byte(huge))); w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("a 2 MB body: status %d, want 413", w.Code)
		}
	}
}

// TestMentionIsAnsweredInItsThread: "@callboard who owns payments-api?" in
// a channel is answered in the thread of the mention, for the channel to
// read, the owners' members linked by name and not mentioned.
func TestMentionIsAnsweredInItsThread(t *testing.T) {
	st := demoStore(t)
	b, f := talkingBot(t, st)
	event(t, b, "app_mention.json", nil)
	c := f.wait("chat.postMessage", "chat.postEphemeral")
	if c.method != "chat.postMessage" || c.field("channel") != "C0GENERAL" || c.field("thread_ts") != "1515449522.000016" {
		t.Fatalf("%s to %q in thread %q, want chat.postMessage to C0GENERAL in the mention's thread", c.method, c.field("channel"), c.field("thread_ts"))
	}
	if c.auth != "Bearer "+testBotToken {
		t.Errorf("posted with %q, want the bot token", c.auth)
	}
	text := transcript(c.blocks(t), slackNames)
	for _, want := range []string{"*Payments API* (service) is owned by *Payments*", "Members: [Alice Moreau] and [Bob Okafor]",
		"[ Share in channel ] [ Show CODEOWNERS rule ] [ Open in catalog ↗ ]"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer does not say %q:\n%s", want, text)
		}
	}
	if blocks := c.blocksText(t); strings.Contains(blocks, "<@") || !strings.Contains(blocks, "slack://user?id=U0ALICE&amp;team=T0ACME") {
		t.Errorf("an answer in a thread mentions someone, or does not link Alice:\n%s", blocks)
	}
	checkGolden(t, "mention-owner", conversationGolden(t, "@callboard who owns payments-api? (in #general) → in the mention's thread, for the channel", c))

	// Asked inside a thread: answered in that thread.
	event(t, b, "app_mention.json", map[string]any{"event_id": "Ev0MENTION2", "event.ts": "1515449600.000100",
		"event.thread_ts": "1515449500.000001", "event.text": "<@U0CALLBOARD> who's on call for payments-api?"})
	c = f.wait("chat.postMessage")
	if c.field("thread_ts") != "1515449500.000001" {
		t.Errorf("thread_ts %q, want the thread it was asked in", c.field("thread_ts"))
	}
	b.Close(context.Background())
	checkUsage(t, st, catalog.UsageEvent{Plugin: catalog.PluginSlackMention, Action: "owner", Actor: "U0CAROL",
		Entity: "component:default/payments-api", Outcome: catalog.OutcomeAnswered, Detail: "who owns payments-api?"},
		catalog.UsageEvent{Plugin: catalog.PluginSlackMention, Action: "on-call", Actor: "U0CAROL",
			Entity: "component:default/payments-api", Outcome: catalog.OutcomeAnswered, Detail: "who's on call for payments-api?"})
}

// TestMentionThatIsNoAnswerGoesToTheAsker: a miss or the help is shown to
// the person who asked, not to the channel.
func TestMentionThatIsNoAnswerGoesToTheAsker(t *testing.T) {
	b, f := talkingBot(t, demoStore(t))
	event(t, b, "app_mention.json", map[string]any{"event.text": "<@U0CALLBOARD> deploy payments-api to prod"})
	c := f.wait("chat.postMessage", "chat.postEphemeral")
	if c.method != "chat.postEphemeral" || c.field("user") != "U0CAROL" || c.field("thread_ts") != "" {
		t.Fatalf("%s to user %q thread %q, want an ephemeral message to U0CAROL outside any thread (there is none yet)",
			c.method, c.field("user"), c.field("thread_ts"))
	}
	checkGolden(t, "mention-refused", conversationGolden(t, "@callboard deploy payments-api to prod → to the asker alone", c))

	event(t, b, "app_mention.json", map[string]any{"event_id": "Ev0MENTION3", "event.thread_ts": "1515449500.000001",
		"event.text": "<@U0CALLBOARD> who owns the flux capacitor?"})
	c = f.wait("chat.postMessage", "chat.postEphemeral")
	if c.method != "chat.postEphemeral" || c.field("thread_ts") != "1515449500.000001" {
		t.Errorf("%s in thread %q, want an ephemeral message in the thread it was asked in", c.method, c.field("thread_ts"))
	}
	if text := transcript(c.blocks(t), slackNames); !strings.Contains(text, "Nothing in the catalog matches “flux capacitor”") {
		t.Errorf("miss says:\n%s", text)
	}
}

// TestConversations pins answers to direct messages, as a person reads
// them, in testdata/dm-NAME.golden.
func TestConversations(t *testing.T) {
	b, f := talkingBot(t, acmeStore(t))
	tests := []struct {
		golden, text string
		want         []string
	}{
		{"dm-owns", "what does team search own?", []string{"*Search* (team)", "Members: [Carol Nguyen] and [Dave Lindqvist ✉]", "*Owns 2 things*"}},
		{"dm-owner-typo", "who owns paymnets api?", []string{"I took “paymnets api” for `payments-api`.", "*Payments API* (service) is owned by *Payments*"}},
		{"dm-docs", "where are the docs for ledger?", []string{"Docs for *Ledger* (service): [Ledger runbook] and [TechDocs]", "Owned by *Payments* · [#team-payments] · [payments@acme.example]"}},
		{"dm-docs-none", "is billing documented?", []string{"*Billing* (service) has no docs on record.", "Owned by *Payments*"}},
		{"dm-on-call", "who's on call for auth-service?", []string{"On call for *Auth service* (service): [PagerDuty service PAUTH01]", "Owned by *Identity* · [#team-identity]"}},
		{"dm-on-call-team", "who is on call for search", []string{"On call for *Search* (team): [Search on-call rota]"}},
		{"dm-two", "who owns ledger and checkout-web?", []string{"*Ledger* (service) is owned by *Payments*", "-----", "*Checkout web* (website) is owned by *Web*"}},
		{"dm-owner-file", "who owns <https://github.com/acme/legacy-billing/blob/master/reports/q3.py>?", []string{"*reports/q3.py* in *acme/legacy-billing* is owned by *Platform* and *Erin Walsh*", "*Erin Walsh* · [message on Slack] · [erin@acme.example]"}},
		{"dm-search", "is there a service that sends invoices?", []string{"*1 match for* “sends invoices”", "*Billing worker*"}},
		{"dm-not-a-team", "what does payments-api own?", []string{"*Payments API* (service) is not a team; it is owned by *Payments*. Ask “what does payments own?”"}},
		{"dm-miss", "who owns zebra-service?", []string{"Nothing in the catalog matches “zebra-service”."}},
		{"dm-help", "hi", []string{"Ask me, for example:", "“who owns auth-service?”", "“what does team identity own?”"}},
		{"dm-not-understood", "what's the weather in Lisbon?", []string{"Sorry, I did not understand “what's the weather in Lisbon?”."}},
	}
	for i, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			event(t, b, "message_im.json", map[string]any{"event_id": "Ev0DM" + strconv.Itoa(i+10), "event.text": tt.text})
			c := f.wait("chat.postMessage", "chat.postEphemeral")
			if c.method != "chat.postMessage" || c.field("channel") != "D0CAROL" || c.field("thread_ts") != "" {
				t.Fatalf("%s to %q thread %q, want chat.postMessage in the DM", c.method, c.field("channel"), c.field("thread_ts"))
			}
			text := transcript(c.blocks(t), slackNames)
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("answer does not say %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "Share in channel") || strings.Contains(c.blocksText(t), "<@") {
				t.Errorf("an answer in a DM offers to share, or mentions someone:\n%s", text)
			}
			checkBlockKit(t, []byte(`{"response_type":"ephemeral","text":`+strconv.Quote(c.field("text"))+`,"blocks":`+c.field("blocks")+`}`))
			checkGolden(t, tt.golden, conversationGolden(t, "DM from Carol: "+tt.text, c))
		})
	}
}

// TestEventsAreAnsweredOnce: Slack delivers an event again when the first
// acknowledgement was late (same event_id, X-Slack-Retry-Num); it is
// acknowledged and not answered twice. A captured request sent again is
// refused.
func TestEventsAreAnsweredOnce(t *testing.T) {
	b, f := talkingBot(t, demoStore(t))
	body := payload(t, "message_im.json", map[string]any{"event.text": "who owns payments-api?"})
	serve(b.Events(), signedJSON(t, "/slack/events", body))
	retry := signedJSON(t, "/slack/events", body)
	retry.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(testNow.Unix()+60, 10))
	retry.Header.Set("X-Slack-Signature", sign(testSecret, testNow.Unix()+60, string(body)))
	retry.Header.Set("X-Slack-Retry-Num", "1")
	retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	if w := serve(b.Events(), retry); w.Code != http.StatusOK {
		t.Errorf("retry: status %d, want 200", w.Code)
	}
	if w := serve(b.Events(), signedJSON(t, "/slack/events", body)); w.Code != http.StatusUnauthorized {
		t.Errorf("the first request again: status %d, want 401 (a signature is taken once)", w.Code)
	}
	b.Close(context.Background())
	if n := f.count("chat.postMessage"); n != 1 {
		t.Errorf("answered %d times, want once", n)
	}
}

// TestNoLoops: callboard answers people, never bots (itself included),
// edits, joins or other subtypes, nor messages outside DMs.
func TestNoLoops(t *testing.T) {
	b, f := talkingBot(t, demoStore(t))
	for i, set := range []map[string]any{
		{"event.bot_id": "B0CALLBOARD"},
		{"event.user": "U0CALLBOARD"},
		{"event.subtype": "message_changed"},
		{"event.subtype": "channel_join"},
		{"event.subtype": "bot_message", "event.bot_id": "B0OTHER"},
		{"event.channel_type": "channel"},
		{"event.user": nil},
	} {
		set["event_id"] = "Ev0LOOP" + strconv.Itoa(i)
		set["event.text"] = "who owns payments-api?"
		event(t, b, "message_im.json", set)
	}
	event(t, b, "app_mention.json", map[string]any{"event_id": "Ev0LOOPM1", "event.bot_id": "B0OTHER"})
	event(t, b, "app_mention.json", map[string]any{"event_id": "Ev0LOOPM2", "event.edited": map[string]any{"user": "U0CAROL", "ts": "1515449530.000000"}})
	b.Close(context.Background())
	if calls := f.methods(); len(calls) != 0 {
		t.Errorf("Slack was called: %v", calls)
	}
}

// TestShareFromASlashCommand: "Share in channel" under an /owner answer
// posts it for the channel through the button's response_url, its people
// mentioned this time, then takes the private copy away.
func TestShareFromASlashCommand(t *testing.T) {
	st := demoStore(t)
	b, f := talkingBot(t, st)
	w := run(t, b, "/owner", "payments-api")
	body := w.Body.String()
	if !strings.Contains(body, "slack://user?id=U0ALICE&amp;team=T0001") || strings.Contains(body, "<@") {
		t.Errorf("the private answer should link Alice without mentioning anyone: %s", body)
	}
	value := buttonOf(t, w.Body.Bytes(), actionShare)
	press := payload(t, "block_actions.json", map[string]any{
		"container":    map[string]any{"type": "message", "message_ts": "1548261231.000200", "channel_id": "C2147483705", "is_ephemeral": true},
		"response_url": f.responseURL(),
		"message":      nil,
		"actions":      []any{map[string]any{"action_id": actionShare, "block_id": "callboard-answer", "type": "button", "value": value, "action_ts": "1548426417.840180"}},
		"team.id":      "T0001",
		"channel.id":   "C2147483705",
	})
	if w := serve(b.Interactions(), signedInteraction(t, press)); w.Code != http.StatusOK {
		t.Fatalf("status %d %s", w.Code, w.Body.String())
	}
	shared := f.wait("response_url")
	if shared.field("response_type") != "in_channel" || shared.body["replace_original"] != false {
		t.Fatalf("response_url got %v, want a new in_channel message", shared.body)
	}
	if raw := shared.blocksText(t); !strings.Contains(raw, "<@U0ALICE>") || !strings.Contains(raw, "<@U0BOB>") {
		t.Errorf("the shared answer does not mention the owners' members: %s", raw)
	}
	checkGolden(t, "share-slash", conversationGolden(t, "/owner payments-api, then Share in channel → the channel, through the response_url", shared))
	deleted := f.wait("response_url")
	if deleted.body["delete_original"] != true {
		t.Errorf("second response_url post %v, want delete_original", deleted.body)
	}
	b.Close(context.Background())
	checkUsage(t, st, catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "U2147483697",
		Entity: "component:default/payments-api", Outcome: catalog.OutcomeAnswered, Detail: "payments-api"},
		catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "share", Actor: "U0CAROL",
			Entity: "component:default/payments-api", Outcome: catalog.OutcomeAnswered, Detail: "payments-api"})
}

// TestShareFromAThread: "Share in channel" under an answer in a thread
// sends it to the channel too, its people mentioned.
func TestShareFromAThread(t *testing.T) {
	b, f := talkingBot(t, demoStore(t))
	if w := serve(b.Interactions(), signedInteraction(t, payload(t, "block_actions.json", nil))); w.Code != http.StatusOK {
		t.Fatalf("status %d %s", w.Code, w.Body.String())
	}
	c := f.wait("chat.postMessage")
	if c.field("channel") != "C0GENERAL" || c.field("thread_ts") != "1515449522.000016" || c.field("reply_broadcast") != "true" {
		t.Errorf("posted to %q thread %q broadcast %q, want the thread, also sent to the channel",
			c.field("channel"), c.field("thread_ts"), c.field("reply_broadcast"))
	}
	if !strings.Contains(c.blocksText(t), "<@U0ALICE>") {
		t.Errorf("the shared answer does not mention Alice: %s", c.blocksText(t))
	}
	checkGolden(t, "share-thread", conversationGolden(t, "Share in channel, under an answer in a thread → the thread, also sent to #general", c))
}

// TestShowCodeowners: the button shows whoever pressed it the rule behind
// the answer, in the thread, to them alone.
func TestShowCodeowners(t *testing.T) {
	b, f := talkingBot(t, demoStore(t))
	for i, tt := range []struct{ value, golden string }{
		{`{"p":"slack.mention","r":"acme/payments-api"}`, "codeowners-catalog-file"},
		{`{"p":"slack.mention","r":"acme/legacy-billing","f":"reports/q3.py"}`, "codeowners-path"},
	} {
		press := payload(t, "block_actions.json", map[string]any{
			"actions": []any{map[string]any{"action_id": actionCodeowners, "block_id": "callboard-answer-0", "type": "button",
				"value": tt.value, "action_ts": "1548426417.84018" + strconv.Itoa(i)}}})
		serve(b.Interactions(), signedInteraction(t, press))
		c := f.wait("chat.postEphemeral")
		if c.field("user") != "U0CAROL" || c.field("thread_ts") != "1515449522.000016" {
			t.Errorf("to %q in thread %q, want Carol in the answer's thread", c.field("user"), c.field("thread_ts"))
		}
		checkGolden(t, tt.golden, conversationGolden(t, "Show CODEOWNERS rule → to Carol alone, in the thread", c))
	}
	// A value callboard did not write is refused, and nothing is posted.
	press := payload(t, "block_actions.json", map[string]any{"actions": []any{map[string]any{"action_id": actionCodeowners, "value": "{{nope", "type": "button"}}})
	serve(b.Interactions(), signedInteraction(t, press))
	b.Close(context.Background())
	if n := f.count("chat.postEphemeral"); n != 2 {
		t.Errorf("%d ephemeral messages, want 2", n)
	}
}

// TestAppHome: the App Home of Bob (found by his Slack email): his team,
// what it owns, and the pull-request check failing in its repository.
func TestAppHome(t *testing.T) {
	st := demoStore(t)
	checks := &fakeChecks{open: []catalog.PullRequestCheck{
		{Repository: "acme/payments-api", Number: 12, URL: "https://github.com/acme/payments-api/pull/12", Author: "bob", Conclusion: "failure", At: testNow.Add(-3 * time.Hour)},
		{Repository: "acme/payments-api", Number: 14, URL: "https://github.com/acme/payments-api/pull/14", Author: "alice", Conclusion: "failure", At: testNow.Add(-5 * time.Hour)},
		{Repository: "acme/search-service", Number: 3, URL: "https://github.com/acme/search-service/pull/3", Author: "carol", Conclusion: "failure", At: testNow.Add(-2 * time.Hour)},
	}}
	f := newFakeSlack(t)
	b := newTestBot(t, Config{Catalog: st, Usage: st, BotToken: testBotToken, APIURL: f.apiURL(), Checks: checks})
	event(t, b, "app_home_opened.json", nil)
	c := f.wait("views.publish")
	if c.body["user_id"] != "U0BOB" || c.body["view"].(map[string]any)["type"] != "home" {
		t.Fatalf("views.publish %v, want Bob's home tab", c.body)
	}
	text := transcript(c.blocks(t), slackNames)
	for _, want := range []string{"You are *Bob Okafor* `user:default/bob` in the catalog.", "*Payments* `payments` · [#team-payments]",
		"• *Payments API* — service `payments-api`",
		"• [acme/payments-api#12] — failed 3 hours ago, your pull request\n• [acme/payments-api#14] — failed 5 hours ago, by @alice"} {
		if !strings.Contains(text, want) {
			t.Errorf("the App Home does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "search-service") {
		t.Errorf("the App Home shows another team's failure:\n%s", text)
	}
	if want := []string{"acme/payments-api"}; !slices.Equal(checks.asked, want) {
		t.Errorf("checks asked for %v, want %v (the repositories of what Bob's team owns)", checks.asked, want)
	}
	if strings.Contains(text, "Onboarding") {
		t.Errorf("the App Home shows an onboarding section with no proposals:\n%s", text)
	}
	checkGolden(t, "app-home", conversationGolden(t, "Bob opens callboard's Home tab", c))
	if got := f.methods(); !slices.Equal(got[:2], []string{"users.info", "views.publish"}) {
		t.Errorf("calls %v, want users.info then views.publish", got)
	}

	// Someone Slack knows and the catalog does not.
	f.users = map[string]string{"zoe@acme.example": "U0ZOE"}
	event(t, b, "app_home_opened.json", map[string]any{"event_id": "Ev0HOME2", "event.user": "U0ZOE"})
	text = transcript(f.wait("views.publish").blocks(t), slackNames)
	if !strings.Contains(text, "No User in the catalog has your email address, zoe@acme.example.") {
		t.Errorf("the App Home of someone not in the catalog:\n%s", text)
	}
	b.Close(context.Background())
	checkUsage(t, st, catalog.UsageEvent{Plugin: catalog.PluginSlackHome, Action: "open", Actor: "U0BOB", Outcome: catalog.OutcomeAnswered},
		catalog.UsageEvent{Plugin: catalog.PluginSlackHome, Action: "open", Actor: "U0ZOE", Outcome: catalog.OutcomeAnswered})
}

// TestPeopleAreLookedUpOncePerTTL: Slack's directory is asked once per
// email, and again only once the answer is old.
func TestPeopleAreLookedUpOncePerTTL(t *testing.T) {
	st := demoStore(t)
	f := newFakeSlack(t)
	b := newTestBot(t, Config{Catalog: st, BotToken: testBotToken, APIURL: f.apiURL()})
	for range 3 {
		run(t, b, "/owner", "payments-api")
	}
	run(t, b, "/catalog", "team search") // carol (in Slack) and dave (not)
	if n := f.count("users.lookupByEmail"); n != 4 {
		t.Errorf("%d lookups for alice, bob, carol and dave, want 4: %v", n, f.methods())
	}

	now := testNow
	d := newDirectory(b.api, time.Hour, func() time.Time { return now }, b.log)
	emails := []string{"alice@acme.example", "dave@acme.example", "ALICE@acme.example"}
	for range 2 {
		got := d.slackUsers(context.Background(), emails)
		if len(got) != 1 || got["alice@acme.example"] != "U0ALICE" {
			t.Errorf("matched %v, want alice alone", got)
		}
	}
	if n := f.count("users.lookupByEmail"); n != 6 {
		t.Errorf("%d lookups, want 6: one more for alice and one for dave", n)
	}
	now = now.Add(20 * time.Minute) // dave's miss is kept half an hour, alice's match the TTL
	d.slackUsers(context.Background(), emails)
	if n := f.count("users.lookupByEmail"); n != 6 {
		t.Errorf("%d lookups, want still 6", n)
	}
	now = now.Add(2 * time.Hour)
	d.slackUsers(context.Background(), emails)
	if n := f.count("users.lookupByEmail"); n != 8 {
		t.Errorf("%d lookups, want 8 after the TTL", n)
	}

	// users:read.email missing: people are shown by email, and the answer comes.
	f2 := newFakeSlack(t)
	f2.fail["users.lookupByEmail"] = "missing_scope"
	b2 := newTestBot(t, Config{Catalog: st, BotToken: testBotToken, APIURL: f2.apiURL()})
	body := run(t, b2, "/owner", "payments-api").Body.String()
	if !strings.Contains(body, "mailto:alice@acme.example|Alice Moreau") {
		t.Errorf("without the scope, Alice should be shown by email: %s", body)
	}
}

// TestShareKeywordMentions: the share keyword stays: the answer is posted
// for the channel and mentions the people it names.
func TestShareKeywordMentions(t *testing.T) {
	b, _ := talkingBot(t, demoStore(t))
	body := run(t, b, "/owner", "payments-api share").Body.String()
	if !strings.Contains(body, `"response_type":"in_channel"`) || !strings.Contains(body, "<@U0ALICE>") || strings.Contains(body, `"share"`) {
		t.Errorf("shared answer: %s", body)
	}
}

// buttonOf is the value of the button with actionID in a reply.
func buttonOf(t testing.TB, reply []byte, actionID string) string {
	t.Helper()
	var m struct {
		Blocks []struct {
			Type     string `json:"type"`
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(reply, &m); err != nil {
		t.Fatal(err)
	}
	for _, b := range m.Blocks {
		for _, e := range b.Elements {
			if b.Type == "actions" && e.ActionID == actionID {
				return e.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", actionID, reply)
	return ""
}

// checkUsage holds the usage events recorded to want (times aside).
func checkUsage(t testing.TB, st *store.Store, want ...catalog.UsageEvent) {
	t.Helper()
	got, err := st.UsageBetween(context.Background(), testNow.Add(-time.Hour), testNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var mine []catalog.UsageEvent
	for _, e := range got {
		if e.Plugin != catalog.PluginPRCheck {
			e.At = time.Time{}
			mine = append(mine, e)
		}
	}
	key := func(e catalog.UsageEvent) string { return e.Plugin + e.Action + e.Actor + e.Detail }
	slices.SortFunc(mine, func(x, y catalog.UsageEvent) int { return strings.Compare(key(x), key(y)) })
	slices.SortFunc(want, func(x, y catalog.UsageEvent) int { return strings.Compare(key(x), key(y)) })
	if !slices.Equal(mine, want) {
		t.Errorf("usage events\n got %+v\nwant %+v", mine, want)
	}
}

// proposalsOf is an onboarding hook with fixed proposals per team.
type proposalsOf map[string][]Proposal

func (p proposalsOf) OpenProposals(_ context.Context, team catalog.Ref) ([]Proposal, error) {
	return p[team.String()], nil
}

// TestAppHomeProposals: the App Home lists a team's open onboarding
// proposals when the hook has some (the section is absent otherwise, see
// TestAppHome); without Config.Checks it leaves the checks out.
func TestAppHomeProposals(t *testing.T) {
	f := newFakeSlack(t)
	b := newTestBot(t, Config{Catalog: demoStore(t), BotToken: testBotToken, APIURL: f.apiURL(), Proposals: proposalsOf{
		"group:default/payments": {{Repository: "acme/ledger-tools", Title: "Add catalog-info.yaml (owned by payments)",
			URL: "https://github.com/acme/ledger-tools/pull/7", Opened: testNow.Add(-26 * time.Hour)}},
		"group:default/search": {{Repository: "acme/not-bobs", URL: "https://github.com/acme/not-bobs/pull/1"}},
	}})
	event(t, b, "app_home_opened.json", nil)
	text := transcript(f.wait("views.publish").blocks(t), slackNames)
	for _, want := range []string{
		"== Onboarding proposals ==",
		"[Add catalog-info.yaml (owned by payments)] — `acme/ledger-tools`, opened 26 hours ago",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the App Home does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "not-bobs") {
		t.Errorf("the App Home shows another team's proposal:\n%s", text)
	}
	if strings.Contains(text, "checks failing") {
		t.Errorf("the App Home shows checks it was given no source for:\n%s", text)
	}
}

// fakeChecks is the open pull requests' checks, answering for the
// repositories asked (any case), and remembering them.
type fakeChecks struct {
	open  []catalog.PullRequestCheck
	asked []string
}

func (f *fakeChecks) FailingPullRequests(_ context.Context, repos []string, limit int) ([]catalog.PullRequestCheck, error) {
	f.asked = append(f.asked, repos...)
	var out []catalog.PullRequestCheck
	for _, c := range f.open {
		for _, r := range repos {
			if strings.EqualFold(r, c.Repository) && c.Conclusion == "failure" && len(out) < limit {
				out = append(out, c)
			}
		}
	}
	return out, nil
}
