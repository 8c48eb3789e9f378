package queue

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/callboard/callboard/internal/ghapi"
)

// ErrIgnored is what an Ignored error is (errors.Is): a delivery no
// handler acts on (ping, an action callboard does not need), acknowledged,
// counted, done.
var ErrIgnored = errors.New("ignored")

// ignoredError is ErrIgnored with the reason a person reads in callboard
// deliveries ("push to a branch that is not the default").
type ignoredError string

func (e ignoredError) Error() string        { return string(e) }
func (e ignoredError) Is(target error) bool { return target == ErrIgnored }

// Ignored ends a delivery that callboard has nothing to do for, saying why.
func Ignored(reason string) error { return ignoredError(reason) }

// IgnoredAction ignores an action of an event callboard does not act on.
func IgnoredAction(event, action string) error {
	return ignoredError(fmt.Sprintf("%s %q: not an action callboard acts on", event, action))
}

// timedOut is the outcome of an attempt that ran past its time limit: tried
// again later, and parked when it happens again.
func (w *workers) timedOut(d *Delivery, err error) (state, lastErr string, retryAt time.Time) {
	d.Interruptions++
	if d.Interruptions >= maxInterruptions {
		return StateFailed, fmt.Sprintf("parked: handling it ran past its time limit of %s %d times (last: %v)", w.timeout, d.Interruptions, err), time.Time{}
	}
	return StatePending, fmt.Sprintf("ran past its time limit of %s: %v", w.timeout, err), w.now().Add(w.retryBase << min(d.Attempts-1, 10))
}

func (w *workers) outcome(d *Delivery, err error) (state, lastErr string, retryAt time.Time) {
	switch {
	case err == nil:
		return StateDone, "", time.Time{}
	case errors.Is(err, ErrIgnored):
		reason := ""
		if err != ErrIgnored {
			reason = err.Error()
		}
		return StateIgnored, reason, time.Time{}
	}
	f := ghapi.Classify(err, w.now())
	if park, reason := w.tokenRefused(f, err); park {
		return StateFailed, reason, time.Time{}
	}
	if ghapi.IsPermanent(err) {
		return StateFailed, err.Error(), time.Time{}
	}
	if d.Attempts >= w.maxAttempts {
		return StateFailed, fmt.Sprintf("gave up after %d attempts: %v", d.Attempts, err), time.Time{}
	}
	// Whatever the failure, it is tried again: losing a change is worse
	// than trying again. GitHub's rate limits say when.
	var wait time.Duration
	if f.Kind == ghapi.Wait {
		wait = f.After
	}
	backoff := w.retryBase << min(d.Attempts-1, 10)
	backoff += time.Duration(rand.Int64N(int64(backoff)/4 + 1))
	return StatePending, err.Error(), w.now().Add(max(wait, backoff))
}

// clockSkew is how far GitHub's clock may be from ours before a token
// failure says so in the log: the App's JWT is refused when its issue time
// is in GitHub's future.
const clockSkew = 30 * time.Second

// tokenRefused reads a failure to get an installation token. Only an
// installation that is gone (404) or suspended (403 saying so) parks the
// delivery: retrying cannot help. Anything else (a 401 from a clock ahead
// of GitHub's, a 5xx) is retried with backoff like any failure, because
// GitHub counts the delivery as delivered and would not send it again. A
// clock GitHub's Date header disagrees with is logged.
func (w *workers) tokenRefused(f ghapi.Failure, err error) (park bool, reason string) {
	if !f.Token {
		return false, ""
	}
	if !f.Date.IsZero() {
		if skew := w.now().Sub(f.Date); skew > clockSkew || skew < -clockSkew {
			w.log.Warn("this machine's clock is off from GitHub's: the App's tokens are refused until it is set right (NTP)",
				"installation", f.Installation, "github_date", f.Date.UTC().Format(time.RFC3339), "skew", skew.Round(time.Second).String())
		}
	}
	switch f.Kind {
	case ghapi.NotFound:
		return true, fmt.Sprintf("parked: GitHub knows no installation %d any more (the App was uninstalled): %v", f.Installation, err)
	case ghapi.GiveUp:
		return true, fmt.Sprintf("parked: the App's installation %d is suspended (%s)", f.Installation, f.Message)
	}
	return false, ""
}
