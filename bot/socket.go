package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Socket connects callboard to Slack over Socket Mode (SLACK_APP_TOKEN,
// xapp-): callboard opens a WebSocket to Slack (apps.connections.open),
// and Slack sends slash commands, events and button presses down it, so an
// install needs no public URL. Each is acknowledged by its envelope_id and
// answered exactly as over HTTP, by the same Bot. slack-go reconnects when
// Slack asks it to (disconnect) and after a failure, with backoff.
type Socket struct {
	bot    *Bot
	client *socketmode.Client
	log    *slog.Logger

	// work is the slash commands being answered: Run waits for them.
	work sync.WaitGroup

	mu        sync.Mutex
	connected bool
	why       string // why not connected, for /readyz
}

// SocketConfig is what NewSocket needs beside the Bot.
type SocketConfig struct {
	AppToken string // xapp-
	BotToken string // for the Web API (answers, App Home, people)
	APIURL   string // SLACK_API_URL; "" = Slack's
	// PingInterval is how long Slack may stay silent before the connection
	// is taken for dead (default 30 s: Slack pings more often).
	PingInterval time.Duration
	Logger       *slog.Logger
}

// maxAckPayload is the largest answer sent back in an acknowledgement:
// Slack drops Socket Mode messages from 20 KB; a larger answer goes to
// the command's response_url.
const maxAckPayload = 18 << 10

// NewSocket returns a Socket for b; Run connects it.
func NewSocket(b *Bot, cfg SocketConfig) *Socket {
	api := newSlackClient(cfg.BotToken, cfg.AppToken, cfg.APIURL)
	var opts []socketmode.Option
	if cfg.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(cfg.PingInterval))
	}
	log := cfg.Logger
	if log == nil {
		log = b.log
	}
	return &Socket{bot: b, client: socketmode.New(api, opts...), log: log, why: "not connected yet"}
}

// Ready is nil while the connection is up (Slack said hello), else why not.
func (s *Socket) Ready() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connected {
		return nil
	}
	return errors.New("Slack Socket Mode is not connected: " + s.why)
}

func (s *Socket) set(connected bool, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.connected, s.why = connected, why
}

// Run connects and serves until ctx ends, and returns once what it
// started has finished. A connection that cannot be made at all (a
// revoked token) is tried again after a growing wait.
func (s *Socket) Run(ctx context.Context) {
	var served sync.WaitGroup
	served.Go(func() { s.serve(ctx) })
	defer s.work.Wait()
	defer served.Wait()
	wait := 5 * time.Second
	for {
		err := s.client.RunContext(ctx)
		if ctx.Err() != nil {
			return
		}
		s.set(false, err.Error())
		s.log.Error("slack socket mode stopped; trying again", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Minute)
	}
}

// serve reads what slack-go hands over: connection changes, and Slack's
// envelopes, each acknowledged by its envelope_id.
func (s *Socket) serve(ctx context.Context) {
	for {
		var evt socketmode.Event
		select {
		case <-ctx.Done():
			s.set(false, "stopped")
			return
		case evt = <-s.client.Events:
		}
		if !s.connection(evt) {
			s.envelope(ctx, evt)
		}
	}
}

// connection follows the connection's state from slack-go's events about
// it; false when evt is not one of them.
func (s *Socket) connection(evt socketmode.Event) bool {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		s.set(false, "connecting")
	case socketmode.EventTypeConnectionError:
		why := "connection failed"
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			why = e.Error()
			s.log.Warn("slack socket mode: connection failed, retrying", "err", e.ErrorObj, "in", e.Backoff)
		}
		s.set(false, why)
	case socketmode.EventTypeInvalidAuth:
		s.set(false, "Slack refused SLACK_APP_TOKEN")
	case socketmode.EventTypeIncomingError:
		s.set(false, "the connection broke")
	case socketmode.EventTypeHello:
		s.set(true, "")
		s.log.Info("slack socket mode connected")
	default:
		return false
	}
	return true
}

// envelope acknowledges one of Slack's envelopes and hands what it carries
// to the bot.
func (s *Socket) envelope(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		s.ack(ctx, evt.Request, nil)
		if evt.Request != nil {
			s.bot.Event(evt.Request.Payload)
		}
	case socketmode.EventTypeInteractive:
		s.ack(ctx, evt.Request, nil)
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			s.bot.Interaction(cb)
		}
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			s.ack(ctx, evt.Request, nil)
			return
		}
		// The answer may take up to Config.Answer: the next envelope
		// does not wait for it.
		s.work.Go(func() { s.command(ctx, evt.Request, sc) })
	case socketmode.EventTypeErrorBadMessage:
		// An envelope slack-go could not read (an event callboard did
		// not subscribe to): acknowledged, so Slack does not send it again.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(bad.Message, &env) == nil && env.EnvelopeID != "" {
				s.ack(ctx, &socketmode.Request{EnvelopeID: env.EnvelopeID}, nil)
			}
		}
	}
}

// command answers a slash command in its acknowledgement, as the HTTP
// reply would carry it.
func (s *Socket) command(ctx context.Context, req *socketmode.Request, sc slack.SlashCommand) {
	m := s.bot.Command(sc)
	if m == nil {
		s.ack(ctx, req, nil)
		return
	}
	if body, err := encode(m); err == nil && len(body) > maxAckPayload {
		s.ack(ctx, req, &message{ResponseType: slack.ResponseTypeEphemeral, Text: "Looking that up…"})
		s.bot.post(sc.ResponseURL, sc.UserID, sc.TeamID, m)
		return
	}
	s.ack(ctx, req, m)
}

// ack acknowledges an envelope, with the answer of a slash command as its
// payload; payload nil sends the bare acknowledgement.
func (s *Socket) ack(ctx context.Context, req *socketmode.Request, payload *message) {
	if req == nil || req.EnvelopeID == "" {
		return
	}
	res := socketmode.Response{EnvelopeID: req.EnvelopeID}
	if payload != nil {
		res.Payload = payload
	}
	if err := s.client.SendCtx(ctx, res); err != nil {
		s.log.Warn("slack socket mode: acknowledging", "envelope", req.EnvelopeID, "err", err)
	}
}
