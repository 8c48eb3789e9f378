package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/callboard/callboard/internal/testcatalog"

	"github.com/callboard/callboard/internal/golden"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

const testSecret = "test-signing-secret"

var slackTestdata = filepath.Join("..", "..", "shared", "testdata", "slack")

func demoStore(t testing.TB) *store.Store { return testcatalog.Demo(t) }

// testNow is the bot's fixed clock in the handler tests. It is near the wall
// clock so requests signed for it also pass slack-go's own window check:
// every test goes through slack-go's verifier, Slack's 2018 example in a
// synctest bubble whose clock is set to 2018 (exampleAt).
var testNow = time.Now().Truncate(time.Second)

// refuseTransport fails every request: no test may reach the real Slack.
type refuseTransport struct{}

func (refuseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("test transport refuses %s", r.URL.Host)
}

func newTestBot(t testing.TB, cfg Config) *Bot {
	t.Helper()
	if cfg.SigningSecret == "" {
		cfg.SigningSecret = testSecret
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Transport: refuseTransport{}}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://callboard.example.com"
	}
	b := New(cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b.Close(ctx)
	})
	return b
}

// commandBody is Slack's documented slash-command body with the command,
// its text and the response_url replaced.
func commandBody(t testing.TB, command, text, responseURL string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(slackTestdata, "slash-command.body.txt"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := url.ParseQuery(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	v.Set("command", command)
	v.Set("text", text)
	if responseURL != "" {
		v.Set("response_url", responseURL)
	}
	return v.Encode()
}

func sign(secret string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

func signedRequest(body string, ts int64, secret string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", sign(secret, ts, body))
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// run signs a command for testNow and serves it.
func run(t testing.TB, b *Bot, command, text string) *httptest.ResponseRecorder {
	t.Helper()
	return serve(b, signedRequest(commandBody(t, command, text, ""), testNow.Unix(), testSecret))
}

func TestSlackDocumentedSignatureExample(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(slackTestdata, "signing-example.body.txt"))
	if err != nil {
		t.Fatal(err)
	}
	const (
		secret = "8f742231b10e8888abcd99yyyzzz85a5"
		ts     = "1531420618"
		sig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	)
	slackNow := time.Unix(1531420618, 0)
	tests := []struct {
		name   string
		now    time.Time
		header map[string]string
		body   []byte
		want   int
	}{
		{"documented example", slackNow, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, body, http.StatusOK},
		{"within the window", slackNow.Add(4 * time.Minute), map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, body, http.StatusOK},
		{"wrong signature", slackNow, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504"}, body, http.StatusUnauthorized},
		{"body changed", slackNow, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, bytes.Replace(body, []byte("text="), []byte("text=x"), 1), http.StatusUnauthorized},
		{"no signature", slackNow, map[string]string{"X-Slack-Request-Timestamp": ts}, body, http.StatusUnauthorized},
		{"no timestamp", slackNow, map[string]string{"X-Slack-Signature": sig}, body, http.StatusUnauthorized},
		{"timestamp 10 minutes old", slackNow.Add(10 * time.Minute), map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, body, http.StatusUnauthorized},
		{"timestamp 10 minutes ahead", slackNow.Add(-10 * time.Minute), map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, body, http.StatusUnauthorized},
		{"malformed timestamp", slackNow, map[string]string{"X-Slack-Request-Timestamp": "15314206l8", "X-Slack-Signature": sig}, body, http.StatusUnauthorized},
		{"signature without v0=", slackNow, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": strings.TrimPrefix(sig, "v0=")}, body, http.StatusUnauthorized},
	}
	st := demoStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				exampleAt(t, tt.now, st, secret, tt.header, tt.body, tt.want)
			})
		})
	}
}

// exampleAt serves Slack's example at now, inside a synctest bubble: the
// bubble's clock (it starts in 2000) is moved to now, and it is what both
// the bot's clock and slack-go's verifier (time.Since) read, so the 2018
// vector goes through the real verifier as it would have on the day.
func exampleAt(t *testing.T, now time.Time, st *store.Store, secret string, header map[string]string, body []byte, want int) {
	time.Sleep(time.Until(now))
	if got := time.Now(); !got.Equal(now) {
		t.Fatalf("the bubble's clock is at %s, want %s", got, now)
	}
	b := newTestBot(t, Config{SigningSecret: secret, Catalog: st, Now: time.Now})
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := serve(b, r)
	if w.Code != want {
		t.Fatalf("status %d (%q), want %d", w.Code, w.Body.String(), want)
	}
	if want == http.StatusUnauthorized {
		if got := w.Body.String(); len(got) > 80 || strings.Contains(got, secret) {
			t.Errorf("401 body %q, want a short message without the secret", got)
		}
		return
	}
	// /webhook-collect is no command of ours: the help.
	if m := decodeReply(t, w.Body.Bytes()); !strings.Contains(m.Text, "/owner") {
		t.Errorf("reply %s, want the help", w.Body.String())
	}
}

func TestRefusals(t *testing.T) {
	st := demoStore(t)
	b := newTestBot(t, Config{Catalog: st})
	body := commandBody(t, "/owner", "payments-api", "")
	tests := []struct {
		name string
		req  func() *http.Request
		bot  *Bot
		want int
	}{
		{"signed with another secret", func() *http.Request { return signedRequest(body, testNow.Unix(), "not-the-secret") }, b, http.StatusUnauthorized},
		{"signed 10 minutes ago", func() *http.Request { return signedRequest(body, testNow.Add(-10*time.Minute).Unix(), testSecret) }, b, http.StatusUnauthorized},
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/slack/commands", nil) }, b, http.StatusMethodNotAllowed},
		{"body over 64 KB", func() *http.Request {
			big := commandBody(t, "/owner", strings.Repeat("a", 70<<10), "")
			return signedRequest(big, testNow.Unix(), testSecret)
		}, b, http.StatusRequestEntityTooLarge},
		{"no signing secret configured", func() *http.Request { return signedRequest(body, testNow.Unix(), testSecret) },
			New(Config{Catalog: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}), http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w := serve(tt.bot, tt.req()); w.Code != tt.want {
				t.Errorf("status %d (%q), want %d", w.Code, w.Body.String(), tt.want)
			}
		})
	}
}

// TestCommands pins each reply, as Slack receives it, in testdata/NAME.golden.
func TestCommands(t *testing.T) {
	b := newTestBot(t, Config{Catalog: demoStore(t)})
	tests := []struct {
		golden        string
		command, text string
		want          []string // what a person must read in the reply
	}{
		{"owner-service", "/owner", "payments-api", []string{"*Payments API* (service) is owned by *Payments*", "#team-payments", "mailto:payments@acme.example", "Alice Moreau", "PagerDuty", "TechDocs", "catalog-info.yaml"}},
		{"owner-repo", "/owner", "acme/search-service", []string{"*Search service* (service) is owned by *Search*", "#team-search", "Search on-call rota", "acme/search-service"}},
		{"owner-codeowners", "/owner", "legacy-billing", []string{"*acme/legacy-billing* is owned by *Payments*", "this repository has no catalog file", "CODEOWNERS#L2"}},
		{"owner-path", "/owner", "https://github.com/acme/legacy-billing/blob/master/reports/q3.py", []string{"*reports/q3.py* in *acme/legacy-billing* is owned by *Platform* and *Erin Walsh*", "#platform", "CODEOWNERS#L3"}},
		{"owner-team", "/owner", "payments", []string{"*Payments* (team)", "#team-payments", "Owns 5 things", "*Payments API* — service"}},
		{"owner-miss", "/owner", "paymnts", []string{"Nothing in the catalog matches “paymnts”", "Did you mean", "`payments`"}},
		{"owner-share", "/owner", "payments-api share", []string{`"response_type": "in_channel"`, "is owned by *Payments*"}},
		{"owner-empty", "/owner", "  ", []string{"/catalog search TEXT"}},
		{"catalog-search", "/catalog", "search payments", []string{"matches for* “payments”", "*Payments API* — service", "owned by *Payments*"}},
		{"catalog-search-none", "/catalog", "search zzzqqq", []string{"Nothing in the catalog matches “zzzqqq”"}},
		{"catalog-team", "/catalog", "team search", []string{"*Search* (team)", "Owns 2 things", "*Search service* — service"}},
		{"catalog-team-not-a-team", "/catalog", "team payments-api", []string{"is not a team; it is owned by *Payments*", "/catalog team payments"}},
		{"catalog-stats", "/catalog", "stats", []string{"5 repositories", "4 of 5 (80%)", "https://callboard.example.com/digest"}},
		{"catalog-help", "/catalog", "help", []string{"/owner payments-api", "share"}},
		{"catalog-unknown", "/catalog", "owners of payments", []string{"“owners of payments” is not something I know"}},
		{"other-command", "/webhook-collect", "", []string{"/catalog stats"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			w := run(t, b, tt.command, tt.text)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d (%q), want 200", w.Code, w.Body.String())
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			got := pretty(t, w.Body.Bytes())
			checkBlockKit(t, got)
			for _, s := range tt.want {
				if !strings.Contains(string(got), jsonText(s)) {
					t.Errorf("reply does not say %q:\n%s", s, got)
				}
			}
			checkGolden(t, tt.golden, got)
		})
	}
}

// TestArchivedAndUnknownOwners: an archived repository still says who owned
// it; a CODEOWNERS owner that is not in the catalog is named as written.
func TestArchivedAndUnknownOwners(t *testing.T) {
	st := demoStore(t)
	co, err := catalog.ParseCodeowners([]byte("* @acme/ghosts @erin\n"))
	if err != nil {
		t.Fatal(err)
	}
	repo := &catalog.Repository{GitHubID: 900099, FullName: "acme/old-reports", DefaultBranch: "main", Archived: true,
		Source: "repo:900099", CatalogStatus: catalog.StatusMissing, Codeowners: co, CodeownersPath: "CODEOWNERS"}
	if _, err := st.SyncRepository(context.Background(), repo, nil, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	b := newTestBot(t, Config{Catalog: st})
	w := run(t, b, "/owner", "acme/old-reports")
	got := pretty(t, w.Body.Bytes())
	checkBlockKit(t, got)
	for _, s := range []string{"*acme/old-reports* was owned by *@acme/ghosts* (not in the catalog) and *Erin Walsh* until it was archived."} {
		if !strings.Contains(string(got), jsonText(s)) {
			t.Errorf("reply does not say %q:\n%s", s, got)
		}
	}
	checkGolden(t, "owner-archived", got)

	orphan := &catalog.Repository{GitHubID: 900098, FullName: "acme/orphan", DefaultBranch: "main", Source: "repo:900098", CatalogStatus: catalog.StatusMissing}
	if _, err := st.SyncRepository(context.Background(), orphan, nil, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	body := run(t, b, "/owner", "acme/orphan").Body.Bytes()
	checkBlockKit(t, pretty(t, body))
	if !strings.Contains(string(body), "*acme/orphan* has no owner on record.") || !strings.Contains(string(body), "CODEOWNERS file, would say") {
		t.Errorf("reply for a repository with no owner: %s", body)
	}
}

// TestOwnerTakesWhatPeoplePaste: /owner reads what people copy, as Slack
// sends it (a URL may arrive auto-linked as <url|label>).
func TestOwnerTakesWhatPeoplePaste(t *testing.T) {
	b := newTestBot(t, Config{Catalog: demoStore(t)})
	for text, want := range map[string]string{
		"@acme/payments":                       "*Payments* (team)",
		"git@github.com:acme/payments-api.git": "*Payments API* (service) is owned by *Payments*",
		"github.com/acme/payments-api":         "*Payments API* (service) is owned by *Payments*",
		"<http://github.com/acme/search-service|github.com/acme/search-service>": "*Search service* (service) is owned by *Search*",
		"https://github.com/acme/checkout-web.git":                               "*Checkout web* (website) is owned by *Web*",
	} {
		got := pretty(t, run(t, b, "/owner", text).Body.Bytes())
		if !strings.Contains(string(got), jsonText(want)) {
			t.Errorf("/owner %s does not say %q:\n%s", text, want, got)
		}
	}
}

// TestOwnerNotInCatalogIsOffered: a catalog file naming an owner the catalog
// does not hold gets a reply that says so and offers the closest groups.
func TestOwnerNotInCatalogIsOffered(t *testing.T) {
	st := demoStore(t)
	parsed, problems := catalog.ParseFile("catalog-info.yaml", []byte("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ledger}\nspec: {type: service, lifecycle: production, owner: serch}\n"), nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if _, err := st.ReplaceSource(context.Background(), "file:ledger", []catalog.Declared{{Entity: parsed[0].Entity, Location: "file:ledger/catalog-info.yaml"}}, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	b := newTestBot(t, Config{Catalog: st})
	got := pretty(t, run(t, b, "/owner", "ledger").Body.Bytes())
	checkBlockKit(t, got)
	for _, s := range []string{"*ledger* (service) is owned by *serch* (not in the catalog)", "group:default/serch is not in the catalog. Did you mean `search`?"} {
		if !strings.Contains(string(got), jsonText(s)) {
			t.Errorf("reply does not say %q:\n%s", s, got)
		}
	}
}

func TestShareIsOnlyForAnswers(t *testing.T) {
	b := newTestBot(t, Config{Catalog: demoStore(t)})
	tests := []struct {
		command, text, want string
	}{
		{"/owner", "payments-api", slack.ResponseTypeEphemeral},
		{"/owner", "payments-api share", slack.ResponseTypeInChannel},
		{"/owner", "payments-api SHARE", slack.ResponseTypeInChannel},
		{"/owner", "!payments-api", slack.ResponseTypeInChannel},
		{"/catalog", "!stats", slack.ResponseTypeInChannel},
		{"/catalog", "team payments share", slack.ResponseTypeInChannel},
		{"/owner", "paymnts share", slack.ResponseTypeEphemeral}, // a miss stays private
		{"/catalog", "help share", slack.ResponseTypeInChannel},  // teaching the channel is fine
		{"/owner", "share", slack.ResponseTypeEphemeral},         // a lone "share" is a query, not a request to share
	}
	for _, tt := range tests {
		t.Run(tt.command+" "+tt.text, func(t *testing.T) {
			m := decodeReply(t, run(t, b, tt.command, tt.text).Body.Bytes())
			if m.ResponseType != tt.want {
				t.Errorf("response_type %q, want %q", m.ResponseType, tt.want)
			}
		})
	}
}

func TestRenamedCommands(t *testing.T) {
	b := newTestBot(t, Config{Catalog: demoStore(t)})
	for _, cmd := range []string{"/owner", "/OWNER", "/acme-owner", "/cb_owner"} {
		t.Run(cmd, func(t *testing.T) {
			if body := run(t, b, cmd, "payments-api").Body.String(); !strings.Contains(body, "is owned by *Payments*") {
				t.Errorf("%s payments-api: %s, want the owner answer", cmd, body)
			}
		})
	}
	if body := run(t, b, "/coowner", "payments-api").Body.String(); strings.Contains(body, "is owned by") {
		t.Errorf("/coowner answered as /owner: %s", body)
	}
}

// TestHostileText sends what a person (or a catalog file) could use to ping
// a channel, forge a link or format the reply. Slack sends typed &, < and >
// as entities, and @channel as <!channel>; both forms are tried.
func TestHostileText(t *testing.T) {
	st := demoStore(t)
	// A catalog file with hostile text of its own.
	hostile := `*urgent* <!channel> <@U123> <https://evil.example|click> _x_ ~y~ ` + "`z`" + " \u202eevil\u202c \x07"
	e := &catalog.Entity{
		APIVersion: "backstage.io/v1alpha1", Kind: "Component",
		Metadata: catalog.Metadata{Name: "mischief", Title: hostile, Description: hostile + strings.Repeat(" long", 2000),
			Links: []catalog.Link{{URL: "https://docs.example/a?x=1&y=<2>|3", Title: "Docs " + hostile}, {URL: "javascript:alert(1)", Title: "docs js"}}},
		Spec: map[string]any{"type": "service", "lifecycle": "production", "owner": "payments"},
	}
	if _, err := st.ReplaceSource(context.Background(), "test:mischief", []catalog.Declared{{Entity: e, Location: "file:/tmp/mischief.yaml"}}, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	b := newTestBot(t, Config{Catalog: st})
	injection := `*bold* <!channel> <@U123> <https://evil.example|click> <!here> _it_`
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(injection)
	tests := []struct {
		name, command, text string
	}{
		{"mrkdwn and mentions", "/owner", injection},
		{"as Slack escapes them", "/owner", escaped},
		{"10,000 characters", "/owner", strings.Repeat("payments ", 1111) + "x"},
		{"control characters", "/owner", "pay\x00ments\x1b[31m-api\r\n\t\u202e\x7f"},
		{"search", "/catalog", "search " + injection},
		{"team", "/catalog", "team " + injection},
		{"unknown", "/catalog", injection},
		{"catalog text", "/owner", "mischief"},
		{"catalog text in search", "/catalog", "search mischief"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := run(t, b, tt.command, tt.text)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d (%q), want 200", w.Code, w.Body.String())
			}
			got := pretty(t, w.Body.Bytes())
			checkBlockKit(t, got)
			var raw map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
				t.Fatal(err)
			}
			for _, s := range stringsIn(raw) {
				for _, bad := range []string{"<!", "<@", "<https://evil", "*bold*", "*urgent*", "_it_", "javascript:", "\u202e"} {
					if strings.Contains(s, bad) {
						t.Errorf("reply carries %q from the input: %q", bad, s)
					}
				}
				for _, r := range s {
					if (r < 0x20 && r != '\n') || r == 0x7f { // line breaks are the bot's own
						t.Errorf("reply carries control character %U: %q", r, s)
					}
				}
				if strings.Count(s, "payments") > 40 {
					t.Errorf("reply echoes a long query at length (%d characters)", utf8.RuneCountInString(s))
				}
			}
			if tt.name == "mrkdwn and mentions" || tt.name == "catalog text" {
				checkGolden(t, "hostile-"+strings.ReplaceAll(tt.name, " ", "-"), got)
			}
		})
	}
}

// fakeCatalog is the demo store with one slow method, to force the deferred path.
type fakeCatalog struct {
	Catalog
	entitiesByName func(ctx context.Context, name string) ([]*catalog.Entity, error)
	calls          atomic.Int32
}

func (f *fakeCatalog) EntitiesByName(ctx context.Context, name string) ([]*catalog.Entity, error) {
	f.calls.Add(1)
	return f.entitiesByName(ctx, name)
}

// hook records what is posted to it, as Slack's response_url would.
type hook struct {
	*httptest.Server
	posts chan []byte
}

func newHook(t *testing.T) *hook {
	h := &hook{posts: make(chan []byte, 10)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("response_url got %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		h.posts <- body
		io.WriteString(w, "ok")
	}))
	t.Cleanup(h.Close)
	return h
}

func TestSlowAnswerGoesToResponseURL(t *testing.T) {
	st := demoStore(t)
	release := make(chan struct{})
	fake := &fakeCatalog{Catalog: st, entitiesByName: func(ctx context.Context, name string) ([]*catalog.Entity, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return st.EntitiesByName(ctx, name)
	}}
	h := newHook(t)
	b := newTestBot(t, Config{
		Catalog: fake, Usage: st, Answer: 20 * time.Millisecond,
		HTTPClient:       h.Client(),
		AllowResponseURL: func(u string) bool { return strings.HasPrefix(u, h.URL+"/") },
	})
	body := commandBody(t, "/owner", "payments-api", h.URL+"/commands/T0001/1/secret")
	w := serve(b, signedRequest(body, testNow.Unix(), testSecret))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d (%q), want 200", w.Code, w.Body.String())
	}
	ack := decodeReply(t, w.Body.Bytes())
	if ack.ResponseType != slack.ResponseTypeEphemeral || ack.Text != "Looking that up…" || len(ack.Blocks) != 0 {
		t.Errorf("acknowledgement %s, want an ephemeral “Looking that up…”", w.Body.String())
	}
	select {
	case p := <-h.posts:
		t.Fatalf("posted %s before the catalog answered", p)
	default:
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Close returned, so the answer must already be there.
	select {
	case p := <-h.posts:
		want, err := os.ReadFile(filepath.Join("testdata", "owner-service.golden"))
		if err != nil {
			t.Fatal(err)
		}
		if got := pretty(t, p); !bytes.Equal(got, want) {
			t.Errorf("posted\n%s\nwant the inline answer (testdata/owner-service.golden)\n%s", got, want)
		}
	default:
		t.Fatal("Close returned before the answer was posted")
	}
	if n := fake.calls.Load(); n == 0 {
		t.Error("the slow catalog method was never called")
	}
	evs, err := st.UsageBetween(context.Background(), testNow.Add(-time.Minute), testNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Outcome != catalog.OutcomeAnswered {
		t.Errorf("usage %+v, want one answered event", evs)
	}
	if w := serve(b, signedRequest(body, testNow.Unix()+1, testSecret)); w.Code != http.StatusServiceUnavailable {
		t.Errorf("after Close: status %d, want 503", w.Code)
	}
}

func TestResponseURLMustBeSlack(t *testing.T) {
	st := demoStore(t)
	release := make(chan struct{})
	fake := &fakeCatalog{Catalog: st, entitiesByName: func(ctx context.Context, name string) ([]*catalog.Entity, error) {
		<-release
		return st.EntitiesByName(ctx, name)
	}}
	h := newHook(t)
	// The default guard: only https://hooks.slack.com/.
	b := newTestBot(t, Config{Catalog: fake, Answer: 10 * time.Millisecond, HTTPClient: h.Client()})
	body := commandBody(t, "/owner", "payments-api", h.URL+"/commands/T0001/1/secret")
	if w := serve(b, signedRequest(body, testNow.Unix(), testSecret)); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Looking that up") {
		t.Fatalf("got %d %s, want the acknowledgement", w.Code, w.Body.String())
	}
	close(release)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-h.posts:
		t.Errorf("posted %s to a response_url that is not Slack's", p)
	default:
	}

	for u, want := range map[string]bool{
		"https://hooks.slack.com/commands/T1/2/x":       true,
		"http://hooks.slack.com/commands/T1/2/x":        false,
		"https://hooks.slack.com.evil.example/commands": false,
		"https://evil.example/hooks.slack.com/commands": false,
		"https://user@hooks.slack.com/commands/T1/2/x":  false,
		"https://hooks.slack.com:8443/commands/T1/2/x":  false,
		"":                 false,
		"/commands/T1/2/x": false,
		"https://hooks.slack.com\\@evil.example/commands/": false,
	} {
		if got := slackHook(u); got != want {
			t.Errorf("slackHook(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestCloseIsBoundedByContext(t *testing.T) {
	st := demoStore(t)
	fake := &fakeCatalog{Catalog: st, entitiesByName: func(ctx context.Context, name string) ([]*catalog.Entity, error) {
		<-ctx.Done() // never answers until cancelled
		return nil, ctx.Err()
	}}
	b := newTestBot(t, Config{Catalog: fake, Answer: 10 * time.Millisecond})
	run(t, b, "/owner", "payments-api")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want the context's deadline", err)
	}
	// Close cancelled the work; it now finishes.
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled work did not finish")
	}
}

func TestUsageEvents(t *testing.T) {
	st := demoStore(t)
	b := newTestBot(t, Config{Catalog: st, Usage: st})
	cmds := []struct{ command, text string }{
		{"/owner", "payments-api"},
		{"/owner", "legacy-billing"},
		{"/owner", "paymnts"},
		{"/owner", strings.Repeat("x", 500)},
		{"/catalog", "search payments"},
		{"/catalog", "search zzzqqq"},
		{"/catalog", "team payments"},
		{"/catalog", "stats"},
		{"/catalog", "help"},
		{"/catalog", "frobnicate"},
	}
	for _, c := range cmds {
		if w := run(t, b, c.command, c.text); w.Code != http.StatusOK {
			t.Fatalf("%s %s: status %d", c.command, c.text, w.Code)
		}
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := st.UsageBetween(context.Background(), testNow.Add(-time.Minute), testNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	a, u := catalog.OutcomeAnswered, catalog.OutcomeUnanswered
	user := "U2147483697" // from Slack's documented body
	want := []catalog.UsageEvent{
		{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: user, At: testNow, Outcome: a, Entity: "component:default/payments-api", Detail: "payments-api"},
		{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: user, At: testNow, Outcome: a, Detail: "legacy-billing"},
		{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: user, At: testNow, Outcome: u, Detail: "paymnts"},
		{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: user, At: testNow, Outcome: u, Detail: strings.Repeat("x", maxQueryEcho-1) + "…"},
		{Plugin: catalog.PluginSlackCatalog, Action: "search", Actor: user, At: testNow, Outcome: a, Detail: "payments"},
		{Plugin: catalog.PluginSlackCatalog, Action: "search", Actor: user, At: testNow, Outcome: u, Detail: "zzzqqq"},
		{Plugin: catalog.PluginSlackCatalog, Action: "team", Actor: user, At: testNow, Outcome: a, Entity: "group:default/payments", Detail: "payments"},
		{Plugin: catalog.PluginSlackCatalog, Action: "stats", Actor: user, At: testNow, Outcome: a},
		{Plugin: catalog.PluginSlackCatalog, Action: "help", Actor: user, At: testNow, Outcome: a, Detail: "help"},
		{Plugin: catalog.PluginSlackCatalog, Action: "help", Actor: user, At: testNow, Outcome: u, Detail: "frobnicate"},
	}
	// Events are recorded off the reply's path, so their order is not the commands'.
	key := func(e catalog.UsageEvent) string { return e.Plugin + e.Action + e.Detail }
	slices.SortFunc(got, func(x, y catalog.UsageEvent) int { return strings.Compare(key(x), key(y)) })
	slices.SortFunc(want, func(x, y catalog.UsageEvent) int { return strings.Compare(key(x), key(y)) })
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) {
			t.Errorf("event %d at %v, want %v", i, got[i].At, want[i].At)
		}
		got[i].At = want[i].At
		if got[i] != want[i] {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// failingUsage fails every recording; the reply must not notice.
type failingUsage struct{ calls atomic.Int32 }

func (f *failingUsage) RecordUsage(context.Context, ...catalog.UsageEvent) error {
	f.calls.Add(1)
	return errors.New("disk full")
}

func TestUsageFailureDoesNotFailTheReply(t *testing.T) {
	fu := &failingUsage{}
	b := newTestBot(t, Config{Catalog: demoStore(t), Usage: fu})
	w := run(t, b, "/owner", "payments-api")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "is owned by") {
		t.Errorf("got %d %s, want the answer", w.Code, w.Body.String())
	}
	b.Close(context.Background())
	if fu.calls.Load() != 1 {
		t.Errorf("%d recordings, want 1", fu.calls.Load())
	}
}

func TestCatalogFailureApologises(t *testing.T) {
	st := demoStore(t)
	fake := &fakeCatalog{Catalog: st, entitiesByName: func(context.Context, string) ([]*catalog.Entity, error) {
		return nil, errors.New("database is locked")
	}}
	b := newTestBot(t, Config{Catalog: fake, Usage: st})
	w := run(t, b, "/owner", "payments-api share")
	m := decodeReply(t, w.Body.Bytes())
	if w.Code != http.StatusOK || !strings.HasPrefix(m.Text, "Sorry") || strings.Contains(w.Body.String(), "database is locked") {
		t.Errorf("got %d %s, want a 200 apology without the error", w.Code, w.Body.String())
	}
	if m.ResponseType != slack.ResponseTypeEphemeral {
		t.Errorf("apology is %s, want ephemeral even when sharing", m.ResponseType)
	}
}

// TestEscaping: the kit's escaping (internal/slacktext, whose tests hold
// the cases this test held) as the bot uses it: a channel annotation, as
// catalog reads it, becomes a link Slack opens.
func TestEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"C0123ABCD":      "<#C0123ABCD>",
		"#team-payments": "<https://slack.com/app_redirect?channel=team-payments|#team-payments>",
		"team-payments":  "<https://slack.com/app_redirect?channel=team-payments|#team-payments>",
		"<!here>":        "#&lt;!here&gt;",
		"#Ops Room":      "#Ops Room",
	} {
		e := &catalog.Entity{Metadata: catalog.Metadata{Annotations: map[string]string{catalog.AnnotationSlackChannel: in}}}
		var o catalog.Owner
		o.SlackChannel, o.SlackChannelID = catalog.SlackChannelOf(e)
		if o.SlackChannel == "" {
			o.SlackChannel = o.SlackChannelID
		}
		if got := channel(o); got != want {
			t.Errorf("channel for %q = %q, want %q", in, got, want)
		}
	}
	both := catalog.Owner{SlackChannel: "#team-payments", SlackChannelID: "C0123ABCD"}
	if got := channel(both); got != "<#C0123ABCD>" {
		t.Errorf("channel with a name and an id = %q, want the id's link", got)
	}
}

// reply is what the tests read of a reply besides its blocks.
type reply struct {
	ResponseType string            `json:"response_type"`
	Text         string            `json:"text"`
	Blocks       []json.RawMessage `json:"blocks"`
}

func decodeReply(t testing.TB, body []byte) reply {
	t.Helper()
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("reply %s: %v", body, err)
	}
	return r
}

// pretty is the reply as the golden files hold it.
func pretty(t testing.TB, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(body), "", "  "); err != nil {
		t.Fatalf("reply is not JSON: %v\n%s", err, body)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	if strings.HasPrefix(s, `"`) {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}

// checkBlockKit holds a reply to Block Kit's rules: at most 50 blocks,
// section text up to 3,000 characters and 10 fields of 2,000, header text
// up to 150, context up to 10 elements; a response_type, a fallback text,
// and blocks slack-go can read back.
func checkBlockKit(t *testing.T, body []byte) {
	t.Helper()
	var m struct {
		ResponseType string           `json:"response_type"`
		Text         string           `json:"text"`
		Blocks       []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("reply does not decode: %v", err)
	}
	if m.ResponseType != slack.ResponseTypeEphemeral && m.ResponseType != slack.ResponseTypeInChannel {
		t.Errorf("response_type %q", m.ResponseType)
	}
	if m.Text == "" || utf8.RuneCountInString(m.Text) > 4000 {
		t.Errorf("fallback text of %d characters, want 1 to 4,000", utf8.RuneCountInString(m.Text))
	}
	if len(m.Blocks) > slacktext.MaxBlocks {
		t.Errorf("%d blocks, want at most %d", len(m.Blocks), slacktext.MaxBlocks)
	}
	textOf := func(v any) (string, string) {
		o, _ := v.(map[string]any)
		typ, _ := o["type"].(string)
		s, _ := o["text"].(string)
		if typ != "mrkdwn" && typ != "plain_text" {
			t.Errorf("text object of type %q", typ)
		}
		return typ, s
	}
	for i, blk := range m.Blocks {
		switch blk["type"] {
		case "section":
			_, s := textOf(blk["text"])
			if n := utf8.RuneCountInString(s); n > slacktext.MaxSectionText || n == 0 {
				t.Errorf("block %d: section text of %d characters, want 1 to %d", i, n, slacktext.MaxSectionText)
			}
			fields, _ := blk["fields"].([]any)
			if len(fields) > slacktext.MaxFields {
				t.Errorf("block %d: %d fields, want at most %d", i, len(fields), slacktext.MaxFields)
			}
			for _, f := range fields {
				if _, s := textOf(f); utf8.RuneCountInString(s) > slacktext.MaxFieldText {
					t.Errorf("block %d: field of %d characters", i, utf8.RuneCountInString(s))
				}
			}
		case "header":
			if typ, s := textOf(blk["text"]); typ != "plain_text" || utf8.RuneCountInString(s) > slacktext.MaxHeaderText {
				t.Errorf("block %d: header %s of %d characters", i, typ, utf8.RuneCountInString(s))
			}
		case "context":
			els, _ := blk["elements"].([]any)
			if len(els) == 0 || len(els) > slacktext.MaxContextElements {
				t.Errorf("block %d: %d context elements, want 1 to %d", i, len(els), slacktext.MaxContextElements)
			}
			for _, e := range els {
				if _, s := textOf(e); utf8.RuneCountInString(s) > slacktext.MaxSectionText {
					t.Errorf("block %d: context element of %d characters", i, utf8.RuneCountInString(s))
				}
			}
		case "actions":
			checkActions(t, i, blk)
		case "divider":
		default:
			t.Errorf("block %d: type %v", i, blk["type"])
		}
	}
	var back struct {
		Blocks slack.Blocks `json:"blocks"`
	}
	if err := json.Unmarshal(body, &back); err != nil || len(back.Blocks.BlockSet) != len(m.Blocks) {
		t.Errorf("slack-go reads back %d of %d blocks (%v)", len(back.Blocks.BlockSet), len(m.Blocks), err)
	}
}

// checkActions holds an actions block to Block Kit's rules: 1 to 25
// buttons, each with a plain-text label of up to 75 characters, an
// action_id unique in the block, a value of up to 2,000 characters, a
// link (when it has one) over http(s).
func checkActions(t *testing.T, i int, blk map[string]any) {
	t.Helper()
	els, _ := blk["elements"].([]any)
	if len(els) == 0 || len(els) > slacktext.MaxActionElements {
		t.Errorf("block %d: %d buttons, want 1 to %d", i, len(els), slacktext.MaxActionElements)
	}
	ids := map[string]bool{}
	for _, e := range els {
		b, _ := e.(map[string]any)
		text, _ := b["text"].(map[string]any)
		label, _ := text["text"].(string)
		id, _ := b["action_id"].(string)
		value, _ := b["value"].(string)
		link, _ := b["url"].(string)
		if b["type"] != "button" || text["type"] != "plain_text" || label == "" || utf8.RuneCountInString(label) > slacktext.MaxButtonText {
			t.Errorf("block %d: button %v", i, b)
		}
		if id == "" || ids[id] {
			t.Errorf("block %d: action_id %q missing or repeated", i, id)
		}
		ids[id] = true
		if utf8.RuneCountInString(value) > slacktext.MaxButtonValue {
			t.Errorf("block %d: button value of %d characters", i, utf8.RuneCountInString(value))
		}
		if link != "" && !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
			t.Errorf("block %d: button opens %q", i, link)
		}
	}
}

// stringsIn is every string in a decoded JSON value.
func stringsIn(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, stringsIn(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, stringsIn(e)...)
		}
		return out
	}
	return nil
}
