package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/slack-go/slack"
)

// Catalog is what the bot reads; *store.Store satisfies it.
type Catalog interface {
	catalog.OwnerReader
	Search(ctx context.Context, text string, limit int) ([]*catalog.Entity, error)
	Coverage(ctx context.Context) (catalog.Coverage, error)
	// For the App Home: the catalog's people, to find who opened it by
	// email.
	EntitiesOfKind(ctx context.Context, kind string, limit int) ([]*catalog.Entity, int, error)
	CatalogVersion(ctx context.Context) (string, error)
}

// Config is what New needs.
type Config struct {
	SigningSecret string
	Catalog       Catalog
	Usage         catalog.UsageRecorder // may be nil
	HTTPClient    *http.Client          // for response_url; nil = a client with a 5 s timeout
	Now           func() time.Time      // nil = time.Now
	Logger        *slog.Logger          // nil = slog.Default()
	BaseURL       string                // callboard's public URL, for links (the digest page)
	// Answer is how long a command may take to answer inline before it is
	// acknowledged and answered through response_url (default 2 s; Slack
	// waits 3 s).
	Answer time.Duration
	// AllowResponseURL says where answers may be posted. nil allows only
	// https://hooks.slack.com/; tests point it at an httptest server, and an
	// organisation on GovSlack at its own hooks host.
	AllowResponseURL func(string) bool

	// BotToken (SLACK_BOT_TOKEN) lets the bot answer mentions and direct
	// messages, draw the App Home, and show people as their Slack
	// accounts; without it, slash commands still work.
	BotToken string
	// APIURL is Slack's Web API (SLACK_API_URL, ending in /api/); "" is Slack's own.
	APIURL string
	// PeopleTTL is how long a match of an email to a Slack account is
	// kept (default 6 h).
	PeopleTTL time.Duration
	// Proposals lists a team's open onboarding proposals for the App
	// Home; nil lists none.
	Proposals Proposals
	// Checks lists the open pull requests whose latest check failed, for
	// the App Home; nil leaves that section out.
	Checks Checks
	// Pulse takes the presses and comments on the DX pulse survey
	// (digest/pulse.Survey); nil: the survey is off.
	Pulse Pulse
}

// Pulse records an interaction with the DX pulse survey and says what to
// tell the person; handled is false for an action that is not the survey's.
type Pulse interface {
	Interaction(ctx context.Context, cb slack.InteractionCallback) (reply string, handled bool)
}

// Checks lists the open pull requests of some repositories (org/repo, any
// case) whose latest check failed, newest first; githubapp.CheckResults
// is it.
type Checks interface {
	FailingPullRequests(ctx context.Context, repos []string, limit int) ([]catalog.PullRequestCheck, error)
}

// Limits of a request and of the work behind it.
const (
	maxBody = 64 << 10 // a slash command is well under 1 KB
	// maxEventBody bounds an event or an interaction: Slack sends the whole
	// message a button is on (up to 50 blocks of 3,000 characters), and an
	// event the message that mentioned callboard (up to 40,000 characters,
	// and its blocks).
	maxEventBody  = 1 << 20
	defaultAnswer = 2 * time.Second
	workTimeout   = 20 * time.Second // a catalog answer slower than this is broken
	postTimeout   = 10 * time.Second
)

// Bot serves Slack's slash commands; see ServeHTTP.
type Bot struct {
	secret        string
	catalog       Catalog
	usage         catalog.UsageRecorder
	client        *http.Client
	now           func() time.Time
	log           *slog.Logger
	baseURL       string
	answerWithin  time.Duration
	allowResponse func(string) bool

	replays replays
	// events remembers the Events API deliveries taken, by event_id: Slack
	// delivers again when an answer was slow, and an event is answered once.
	events replays

	api       slackAPI // nil without a bot token
	dir       *directory
	names     names
	proposals Proposals
	checks    Checks
	pulse     Pulse // nil: the DX pulse survey is off
	users     userIndex
	// busy bounds the mentions, DMs and button presses worked on at once.
	busy chan struct{}

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // answers still being worked out or posted
	// life bounds background work: it is cancelled when Close runs out of
	// time, so nothing touches the catalog after the database closes.
	life context.Context
	stop context.CancelFunc
}

// New returns a Bot answering from cfg.Catalog.
func New(cfg Config) *Bot {
	b := &Bot{
		secret:        cfg.SigningSecret,
		catalog:       cfg.Catalog,
		usage:         cfg.Usage,
		client:        cfg.HTTPClient,
		now:           cfg.Now,
		log:           cfg.Logger,
		baseURL:       strings.TrimRight(cfg.BaseURL, "/"),
		answerWithin:  cfg.Answer,
		allowResponse: cfg.AllowResponseURL,
	}
	if b.client == nil {
		b.client = &http.Client{Timeout: 5 * time.Second}
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.answerWithin <= 0 {
		b.answerWithin = defaultAnswer
	}
	if b.allowResponse == nil {
		b.allowResponse = slackHook
	}
	if cfg.BotToken != "" {
		b.api = newSlackClient(cfg.BotToken, "", cfg.APIURL)
	}
	b.dir = newDirectory(b.api, cfg.PeopleTTL, b.now, b.log)
	b.proposals = cfg.Proposals
	b.checks = cfg.Checks
	b.pulse = cfg.Pulse
	if b.proposals == nil {
		b.proposals = noProposals{}
	}
	b.busy = make(chan struct{}, maxBusy)
	b.life, b.stop = context.WithCancel(context.Background())
	return b
}

// maxBusy is how many mentions, DMs, App Home views and button presses are
// worked on at once; past it, new ones wait their turn.
const maxBusy = 16

// slackHook reports whether u is Slack's response_url host, over https.
func slackHook(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme == "https" && p.Host == "hooks.slack.com" && p.User == nil
}

// ServeHTTP answers POST /slack/commands. The signature is verified over the
// raw body before anything in it is read. The answer is written inline when
// the catalog gives it within Config.Answer; otherwise the request is
// acknowledged and the answer posted to response_url when it is ready.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := b.readSigned(w, r, maxBody)
	if !ok {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sc, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	m := b.Command(sc)
	if m == nil {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	writeMessage(w, m)
}

// readSigned reads a request to one of Slack's routes and verifies its
// signature over the raw body (v0, 5-minute window, each signature taken
// once) before anything in it is read. When it refuses, it has written the
// answer, and ok is false.
func (b *Bot) readSigned(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, ok bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	if b.secret == "" {
		http.Error(w, "Slack is not configured on this server (SLACK_SIGNING_SECRET)", http.StatusServiceUnavailable)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "reading request body", http.StatusBadRequest)
		return nil, false
	}
	err = verify(r.Header, body, b.secret, b.now())
	if err == nil {
		// A signature is good for its whole window: it is taken once.
		ts, _ := strconv.ParseInt(r.Header.Get("X-Slack-Request-Timestamp"), 10, 64)
		if !b.replays.first(r.Header.Get("X-Slack-Signature"), time.Unix(ts, 0).Add(signatureWindow), b.now()) {
			err = errReplayed
		}
	}
	if err != nil {
		b.log.Warn("slack request refused", "route", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// begin counts a piece of work Close must wait for; false once closing.
func (b *Bot) begin() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.wg.Add(1)
	return true
}

// post sends a message to a response_url (a command's, or a button's).
// The URL is a credential for the channel for 30 minutes, so it is never
// logged.
func (b *Bot) post(responseURL, user, team string, m *message) {
	if !b.allowResponse(responseURL) {
		b.log.Warn("slack answer dropped: response_url is not Slack's", "user", user, "team", team)
		return
	}
	body, err := encode(m)
	if err != nil {
		b.log.Error("encoding slack answer", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.life, postTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		b.log.Error("posting slack answer", "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := b.client.Do(req)
	if err != nil {
		// The error text quotes the URL; say only what failed.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		b.log.Error("posting slack answer", "user", user, "team", team, "err", err)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		b.log.Error("posting slack answer", "user", user, "team", team, "status", resp.StatusCode, "reply", string(reply))
	}
}

// Close stops taking commands and waits, within ctx, for answers still
// being worked out or posted. When ctx ends first, their work is cancelled.
func (b *Bot) Close(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		b.stop()
		return nil
	case <-ctx.Done():
		b.stop()
		return ctx.Err()
	}
}

func writeMessage(w http.ResponseWriter, m *message) {
	body, err := encode(m)
	if err != nil {
		http.Error(w, "encoding the answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// encode is a message as JSON. Slack's own <...> markup is left as it is,
// not turned into \u003c escapes, so replies and golden files read plainly.
func encode(m *message) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
