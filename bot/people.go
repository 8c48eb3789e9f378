package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// How long what Slack said about a person is kept: a match for a day's
// work, a miss (no Slack account with that email) for less, so someone who
// just joined appears soon.
const (
	defaultPeopleTTL = 6 * time.Hour
	peopleMissTTL    = 30 * time.Minute
	peopleErrorTTL   = 5 * time.Minute // after an error other than "no such user"
	maxPeopleCached  = 50_000
	maxLookups       = 30 // emails looked up for one answer (members are listed up to 25)
	lookupWorkers    = 4
)

// directory matches the catalog's people to Slack's by email
// (users.lookupByEmail, and users.info for who opened the App Home), and
// remembers the answers for a while. Without a bot token it matches nobody.
type directory struct {
	api  slackAPI // nil without SLACK_BOT_TOKEN
	ttl  time.Duration
	now  func() time.Time
	log  *slog.Logger
	mu   sync.Mutex
	mail map[string]cached // lower-case email -> Slack user id ("" = no such user)
	user map[string]cached // Slack user id -> lower-case email ("" = none visible)
	// warned keeps a Slack error (missing_scope) from being logged on
	// every lookup.
	warned map[string]time.Time
}

type cached struct {
	value string
	until time.Time
}

func newDirectory(api slackAPI, ttl time.Duration, now func() time.Time, log *slog.Logger) *directory {
	if ttl <= 0 {
		ttl = defaultPeopleTTL
	}
	return &directory{api: api, ttl: ttl, now: now, log: log,
		mail: map[string]cached{}, user: map[string]cached{}, warned: map[string]time.Time{}}
}

func (d *directory) get(m map[string]cached, key string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := m[key]
	if !ok || !d.now().Before(c.until) {
		return "", false
	}
	return c.value, true
}

func (d *directory) put(m map[string]cached, key, value string, ttl time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(m) >= maxPeopleCached {
		now := d.now()
		for k, c := range m {
			if !now.Before(c.until) {
				delete(m, k)
			}
		}
		for k := range m { // still full: forget an arbitrary half
			if len(m) < maxPeopleCached/2 {
				break
			}
			delete(m, k)
		}
	}
	m[key] = cached{value: value, until: d.now().Add(ttl)}
}

// slackUsers returns the Slack user id of each email that has one, looking
// up (at most maxLookups, a few at a time) those not remembered.
func (d *directory) slackUsers(ctx context.Context, emails []string) map[string]string {
	out := map[string]string{}
	if d == nil || d.api == nil {
		return out
	}
	var todo []string
	seen := map[string]bool{}
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" || seen[e] || !strings.Contains(e, "@") {
			continue
		}
		seen[e] = true
		if id, ok := d.get(d.mail, e); ok {
			if id != "" {
				out[e] = id
			}
			continue
		}
		if len(todo) < maxLookups {
			todo = append(todo, e)
		}
	}
	if len(todo) == 0 {
		return out
	}
	var mu sync.Mutex
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(lookupWorkers, len(todo)) {
		wg.Go(func() {
			for e := range work {
				if id := d.lookup(ctx, e); id != "" {
					mu.Lock()
					out[e] = id
					mu.Unlock()
				}
			}
		})
	}
	for _, e := range todo {
		work <- e
	}
	close(work)
	wg.Wait()
	return out
}

// lookup asks Slack for the user with an email.
func (d *directory) lookup(ctx context.Context, email string) string {
	u, err := d.api.GetUserByEmailContext(ctx, email)
	switch {
	case err == nil && u != nil && !u.Deleted && slacktext.ValidUserID(u.ID):
		d.put(d.mail, email, u.ID, d.ttl)
		return u.ID
	case err == nil, slackError(err) == "users_not_found":
		d.put(d.mail, email, "", peopleMissTTL)
	case ctx.Err() != nil:
		// the answer's time ran out: ask again next time
	default:
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) {
			d.put(d.mail, email, "", peopleErrorTTL)
		}
		d.warn("users.lookupByEmail", err)
	}
	return ""
}

// emailOf is the email address Slack shows for a user, "" when it shows
// none (the users:read.email scope is missing, or the user is a bot).
func (d *directory) emailOf(ctx context.Context, userID string) (string, error) {
	if d == nil || d.api == nil {
		return "", errNoBotToken
	}
	if e, ok := d.get(d.user, userID); ok {
		return e, nil
	}
	u, err := d.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		d.warn("users.info", err)
		return "", err
	}
	email := strings.ToLower(strings.TrimSpace(u.Profile.Email))
	d.put(d.user, userID, email, d.ttl)
	if email != "" && slacktext.ValidUserID(u.ID) {
		d.put(d.mail, email, u.ID, d.ttl)
	}
	return email, nil
}

// warn logs a Slack error once in a while: a missing scope would
// otherwise fill the log.
func (d *directory) warn(method string, err error) {
	key := method + " " + slackError(err)
	d.mu.Lock()
	last, ok := d.warned[key]
	now := d.now()
	if ok && now.Sub(last) < time.Hour {
		d.mu.Unlock()
		return
	}
	d.warned[key] = now
	d.mu.Unlock()
	msg := "asking Slack who someone is"
	if s := slackError(err); s == "missing_scope" || s == "not_allowed_token_type" {
		msg = "asking Slack who someone is: the app lacks users:read and users:read.email (see the README), so people are shown by email"
	}
	d.log.Warn(msg, "method", method, "err", err)
}

// slackError is Slack's error code in err ("users_not_found"), or "".
func slackError(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// people is how a reply shows the people it names: with the Slack
// account matched to their email, linked (which notifies nobody) or, in an
// answer someone chose to share, mentioned.
type people struct {
	team    string            // the workspace, for links to people
	slack   map[string]string // lower-case email -> Slack user id
	mention bool
}

// person shows someone by name and email: their Slack account when one
// matches the email, else their email address.
func (p *people) person(email, name string) string {
	if p != nil {
		if id := p.slack[strings.ToLower(email)]; id != "" {
			if p.mention {
				return slacktext.Mention(id)
			}
			return slacktext.Person(p.team, id, name)
		}
	}
	if email != "" {
		return slacktext.Mailto(email, name)
	}
	return slacktext.Escape(name)
}

// slackOf is a person's Slack account, beside their name: a link that
// opens a conversation with them, or (shared) a mention; "" when none
// matches.
func (p *people) slackOf(email string) string {
	if p == nil || p.slack[strings.ToLower(email)] == "" {
		return ""
	}
	return p.person(email, "message on Slack")
}

// peopleIn are the emails of the people an answer names: owners that are
// users, and the members of owning teams.
func peopleIn(as ...*catalog.OwnerAnswer) []string {
	var out []string
	for _, a := range as {
		if a == nil {
			continue
		}
		for _, o := range a.Owners {
			if strings.EqualFold(o.Kind, "user") && o.Email != "" {
				out = append(out, o.Email)
			}
			for _, m := range o.Members {
				if m.Email != "" {
					out = append(out, m.Email)
				}
			}
		}
	}
	return out
}

// people resolves the people of answers for a reply in workspace team.
func (b *Bot) people(ctx context.Context, team string, mention bool, as ...*catalog.OwnerAnswer) *people {
	if b.dir == nil || b.dir.api == nil {
		return nil
	}
	// Never let Slack's directory hold an answer up for long.
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	return &people{team: team, slack: b.dir.slackUsers(lctx, peopleIn(as...)), mention: mention}
}

// lookupTimeout bounds the Slack lookups behind one answer.
const lookupTimeout = 1500 * time.Millisecond

var errNoBotToken = errors.New("SLACK_BOT_TOKEN is not set")
