package bot

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// signatureWindow is how far a request's timestamp may be from now: Slack's
// documented replay protection.
const signatureWindow = 5 * time.Minute

// Why a request was refused; each is short enough to send back as the 401 body.
var (
	errMissingHeaders = errors.New("missing Slack signature headers")
	errBadTimestamp   = errors.New("malformed request timestamp")
	errStale          = errors.New("request timestamp outside the 5-minute window")
	errBadSignature   = errors.New("invalid request signature")
)

// verify checks a request's v0 signature over the raw body with slack-go's
// verifier, the only one. The window is checked against now, the injected
// clock, before slack-go checks it again against the wall clock: the two
// agree outside tests, and the test that replays Slack's 2018 example runs
// in a synctest bubble whose clock is set to the example's time.
func verify(h http.Header, body []byte, secret string, now time.Time) error {
	if h.Get("X-Slack-Signature") == "" || h.Get("X-Slack-Request-Timestamp") == "" {
		return errMissingHeaders
	}
	sec, err := strconv.ParseInt(h.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil {
		return errBadTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > signatureWindow || d < -signatureWindow {
		return errStale
	}
	sv, err := slack.NewSecretsVerifier(h, secret)
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return errStale
	case errors.Is(err, slack.ErrMissingHeaders):
		return errMissingHeaders
	case err != nil:
		return errBadSignature
	}
	if _, err := sv.Write(body); err != nil {
		return errBadSignature
	}
	if sv.Ensure() != nil {
		return errBadSignature
	}
	return nil
}
