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
	// Onboarding lists open onboarding pull requests for /catalog onboarding; nil: off.
	Onboarding Onboarding
}

// Limits of a request and of the work behind it.
const (
	maxBody       = 64 << 10 // a slash command is well under 1 KB
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
	proposals     Onboarding // nil: onboarding is off

	replays replays

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
		proposals:     cfg.Onboarding,
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
	b.life, b.stop = context.WithCancel(context.Background())
	return b
}

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
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if b.secret == "" {
		http.Error(w, "Slack is not configured on this server (SLACK_SIGNING_SECRET)", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading request body", http.StatusBadRequest)
		return
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
		b.log.Warn("slack request refused", "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sc, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	c := parseCommand(sc)

	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	b.wg.Add(1)
	b.mu.Unlock()

	start := time.Now()
	p := &pending{ready: make(chan struct{})}
	go b.work(c, p, start)

	timer := time.NewTimer(b.answerWithin)
	defer timer.Stop()
	select {
	case <-p.ready:
		writeMessage(w, p.msg)
	case <-timer.C:
		if m := p.giveUp(); m != nil {
			writeMessage(w, m) // it arrived as the deadline passed
			return
		}
		writeMessage(w, &message{ResponseType: slack.ResponseTypeEphemeral, Text: "Looking that up…"})
	}
}

// work answers one command, then either hands the answer to the waiting
// handler or, when the handler has given up waiting, posts it to
// response_url. It records the usage event last, off the reply's path.
func (b *Bot) work(c command, p *pending, start time.Time) {
	defer b.wg.Done()
	ctx, cancel := context.WithTimeout(b.life, workTimeout)
	defer cancel()
	m, ev := b.answer(ctx, c)
	deferred := p.deliver(&m)
	if deferred {
		b.post(c, &m)
	}
	b.log.Info("slack command", "command", c.name, "action", ev.Action, "outcome", ev.Outcome,
		"user", c.user, "team", c.team, "deferred", deferred, "elapsed", time.Since(start))
	if b.usage == nil {
		return
	}
	if err := b.usage.RecordUsage(ctx, ev); err != nil {
		b.log.Error("recording slack usage", "action", ev.Action, "user", c.user, "err", err)
	}
}

// pending is one answer on its way. Exactly one of the handler (inline) and
// the worker (response_url) sends it: whichever of deliver and giveUp runs
// first decides.
type pending struct {
	mu       sync.Mutex
	msg      *message
	deferred bool
	ready    chan struct{} // closed when msg is set for the handler
}

// deliver offers the answer to the handler; it reports true when the handler
// has already acknowledged, so the answer must go to response_url.
func (p *pending) deliver(m *message) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.deferred {
		return true
	}
	p.msg = m
	close(p.ready)
	return false
}

// giveUp is the handler's deadline: it returns the answer if it has just
// arrived, else leaves it to the worker.
func (p *pending) giveUp() *message {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.msg != nil {
		return p.msg
	}
	p.deferred = true
	return nil
}

// post sends an answer to the command's response_url. The URL is a
// credential for the channel for 30 minutes, so it is never logged.
func (b *Bot) post(c command, m *message) {
	if !b.allowResponse(c.responseURL) {
		b.log.Warn("slack answer dropped: response_url is not Slack's", "user", c.user, "team", c.team)
		return
	}
	body, err := encode(m)
	if err != nil {
		b.log.Error("encoding slack answer", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.life, postTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.responseURL, bytes.NewReader(body))
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
		b.log.Error("posting slack answer", "user", c.user, "team", c.team, "err", err)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		b.log.Error("posting slack answer", "user", c.user, "team", c.team, "status", resp.StatusCode, "reply", string(reply))
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
