package ghapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
)

// Kind is what a failed call to GitHub says about calling again.
type Kind int

const (
	// Other is a failure that is not GitHub's answer: the database, a
	// cancelled context, a bug. Each caller decides.
	Other Kind = iota
	// Retry is a failure that passes: GitHub's 5xx, a 429 that names no
	// time, the network.
	Retry
	// Wait is a rate limit: GitHub said how long (Failure.After; 0 when it
	// said to wait without saying how long).
	Wait
	// GiveUp is GitHub saying no (a 4xx), or a failure marked Permanent:
	// asking again gets the same answer.
	GiveUp
	// NotFound is GitHub knowing no such thing (404).
	NotFound
)

var kindNames = [...]string{Other: "other", Retry: "retry", Wait: "wait", GiveUp: "give up", NotFound: "not found"}

func (k Kind) String() string { return kindNames[k] }

// Failure is a classified failure of a call to GitHub.
type Failure struct {
	Kind  Kind
	After time.Duration // for Wait: how long GitHub asked to wait
	// Status is GitHub's status code, 0 when GitHub did not answer.
	Status int
	// Token is set when GitHub refused an installation token. Only an
	// installation that is gone (NotFound) or suspended (GiveUp) is final;
	// any other refusal is Retry (a clock ahead of GitHub's gets a 401).
	Token        bool
	Installation int64     // the installation whose token was refused
	Message      string    // GitHub's message with a refused token
	Date         time.Time // GitHub's Date header with a refused token (zero when absent)
}

// Transient reports a failure worth trying again, now or after a wait.
func (f Failure) Transient() bool { return f.Kind == Retry || f.Kind == Wait }

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as a failure that retrying cannot fix (a payload that
// does not parse, a file GitHub sends in a form callboard cannot decode):
// Classify calls it GiveUp.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// maxMessage bounds how much of a refused token's answer is read.
const maxMessage = 4 << 10

// Classify reads a failure of a call to GitHub (go-github's errors,
// ghinstallation's token errors, the network), once for every caller.
// now is the caller's clock, for rate limits that name a reset time.
func Classify(err error, now time.Time) Failure {
	if err == nil {
		return Failure{Kind: Other}
	}
	if IsPermanent(err) {
		return Failure{Kind: GiveUp}
	}
	var he *ghinstallation.HTTPError
	if errors.As(err, &he) && he.Response != nil {
		return tokenRefused(he)
	}
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) {
		f := Failure{Kind: Wait, After: time.Minute, Status: statusOf(abuse.Response)}
		if abuse.RetryAfter != nil {
			f.After = *abuse.RetryAfter
		}
		return f
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return Failure{Kind: Wait, After: max(rl.Rate.Reset.Time.Sub(now), time.Second), Status: statusOf(rl.Response)}
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return answer(er.Response, now)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return Failure{Kind: Retry}
	}
	return Failure{Kind: Other}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// answer classifies a response go-github did not recognise as a rate
// limit: a 403 or 429 may still say how long to wait.
func answer(resp *http.Response, now time.Time) Failure {
	f := Failure{Status: resp.StatusCode}
	if s := resp.Header.Get("Retry-After"); s != "" {
		f.Kind = Wait
		if secs, err := strconv.Atoi(s); err == nil && secs >= 0 {
			f.After = time.Duration(secs) * time.Second
		}
		return f
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			f.Kind, f.After = Wait, max(time.Unix(reset, 0).Sub(now), time.Second)
			return f
		}
	}
	switch s := resp.StatusCode; {
	case s >= 500 || s == http.StatusTooManyRequests:
		f.Kind = Retry
	case s == http.StatusNotFound:
		f.Kind = NotFound
	default:
		f.Kind = GiveUp
	}
	return f
}

// tokenRefused classifies GitHub's refusal of an installation token. The
// answer's body is read (and put back) for GitHub's message.
func tokenRefused(he *ghinstallation.HTTPError) Failure {
	resp := he.Response
	f := Failure{Kind: Retry, Token: true, Installation: he.InstallationID, Status: resp.StatusCode}
	if resp.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxMessage))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var msg struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &msg)
		f.Message = msg.Message
	}
	if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		f.Date = date
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		f.Kind = NotFound
	case resp.StatusCode == http.StatusForbidden && strings.Contains(strings.ToLower(f.Message), "suspended"):
		f.Kind = GiveUp
	}
	return f
}
