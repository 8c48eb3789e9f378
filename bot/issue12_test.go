package bot

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestIssue12_14_SlackReplayRefused: a signed request is taken once; the
// same request sent again inside the signature window (a replay by someone
// who captured it) is refused, and a signature is forgotten once its window
// has passed.
func TestIssue12_14_SlackReplayRefused(t *testing.T) {
	now := testNow
	b := newTestBot(t, Config{Catalog: demoStore(t), Now: func() time.Time { return now }})
	body := commandBody(t, "/owner", "payments-api", "")
	if w := serve(b, signedRequest(body, testNow.Unix(), testSecret)); w.Code != http.StatusOK {
		t.Fatalf("first: %d %s", w.Code, w.Body)
	}
	for _, after := range []time.Duration{time.Second, 4 * time.Minute} {
		now = testNow.Add(after)
		w := serve(b, signedRequest(body, testNow.Unix(), testSecret))
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "repeated request") {
			t.Errorf("replayed %s later: %d %s", after, w.Code, w.Body)
		}
	}
	// The same command, signed anew, is a new request.
	if w := serve(b, signedRequest(body, now.Unix(), testSecret)); w.Code != http.StatusOK {
		t.Errorf("the same command signed again: %d %s", w.Code, w.Body)
	}
	var rp replays
	start := testNow
	if !rp.first("sig", start.Add(signatureWindow), start) || rp.first("sig", start.Add(signatureWindow), start.Add(time.Minute)) {
		t.Error("a signature must be taken once within its window")
	}
	if !rp.first("sig", start.Add(2*signatureWindow), start.Add(signatureWindow+time.Second)) {
		t.Error("a signature past its window is forgotten")
	}
}
