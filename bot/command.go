package bot

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// command is a slash command as the bot understands it.
type command struct {
	name        string // "owner" or "catalog"; any other command gets the help
	text        string // cleaned and bounded
	share       bool   // post the answer in the channel
	user        string
	team        string
	responseURL string
}

// Command answers a slash command, however it arrived (HTTP or Socket
// Mode): the answer when the catalog gives it within Config.Answer, else
// "Looking that up…" with the answer posted to response_url when it is
// ready. nil while shutting down.
func (b *Bot) Command(sc slack.SlashCommand) *message {
	c := parseCommand(sc)
	if !b.begin() {
		return nil
	}
	start := time.Now()
	p := &pending{ready: make(chan struct{})}
	go b.work(c, p, start)

	timer := time.NewTimer(b.answerWithin)
	defer timer.Stop()
	select {
	case <-p.ready:
		return p.msg
	case <-timer.C:
		if m := p.giveUp(); m != nil {
			return m // it arrived as the deadline passed
		}
		return &message{ResponseType: slack.ResponseTypeEphemeral, Text: "Looking that up…"}
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
		b.post(c.responseURL, c.user, c.team, &m)
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

// parseCommand reads what Slack sent: Slack's escaping undone, control
// characters dropped, a request to share taken off, the rest bounded.
func parseCommand(sc slack.SlashCommand) command {
	c := command{name: parseCommandName(sc.Command), user: sc.UserID, team: sc.TeamID, responseURL: sc.ResponseURL}
	text := strings.TrimSpace(slacktext.Clean(slacktext.Unescape(sc.Text)))
	text, c.share = shareRequest(text)
	c.text = slacktext.Truncate(text, maxQueryEcho)
	return c
}

// parseCommandName is "owner" or "catalog" for the commands the bot answers,
// else "". A workspace that already has an /owner names ours differently,
// so the name is recognised alone or as the last word of a prefixed name
// (/owner, /acme-owner, /cb_owner).
func parseCommandName(cmd string) string {
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(cmd), "/"))
	for _, n := range []string{"owner", "catalog"} {
		if name == n || strings.HasSuffix(name, "-"+n) || strings.HasSuffix(name, "_"+n) {
			return n
		}
	}
	return ""
}

// shareRequest finds the request to post in the channel: a leading "!" or a
// trailing word "share" (/owner !payments-api, /owner payments-api share).
func shareRequest(text string) (string, bool) {
	if rest, ok := strings.CutPrefix(text, "!"); ok {
		return strings.TrimSpace(rest), true
	}
	if i := strings.LastIndexByte(text, ' '); i > 0 && strings.EqualFold(text[i+1:], "share") {
		return strings.TrimSpace(text[:i]), true
	}
	return text, false
}

// subcommand splits /catalog's text into its verb and the rest.
func subcommand(text string) (string, string) {
	verb, rest, _ := strings.Cut(text, " ")
	return strings.ToLower(verb), strings.TrimSpace(rest)
}
