package githubapp

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/githubapp/queue"
)

// TestIssue12_12_TokenFailuresAreRetried: a 401 from GitHub's token endpoint
// (this machine's clock ahead of GitHub's) is retried, and the skew logged;
// only a gone installation (404) or a suspended one (403 saying so) parks
// the delivery at once.
func TestIssue12_12_TokenFailuresAreRetried(t *testing.T) {
	var logs lockedLog
	h := newHarness(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	seedAcme(h.gh)
	ahead := time.Now().Add(-45 * time.Second).UTC().Format(http.TimeFormat) // GitHub's clock, 45 s behind ours
	h.gh.FailNext("POST /app/installations/7/access_tokens", 1, http.StatusUnauthorized, map[string]string{"Date": ahead},
		`{"message":"'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"}`)
	guid := h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	h.mustState(guid, queue.StateDone)
	if h.entity("component:payments-api") == nil {
		t.Error("the delivery that met a 401 was not processed on its retry")
	}
	if !strings.Contains(logs.String(), "clock is off from GitHub's") || !strings.Contains(logs.String(), "skew=4") {
		t.Errorf("the clock skew is not in the log:\n%s", logs.String())
	}

	h.gh.FailNext("POST /app/installations/7/access_tokens", 1, http.StatusForbidden, nil, `{"message":"This installation has been suspended"}`)
	h.app.clients.Forget(7) // a fresh token is asked for
	suspended := h.deliver("push", pushJSON(7, repoJSON(101, "acme/payments-api", "main"), "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
	gone := h.deliver("push", pushJSON(99, repoJSON(999, "globex/x", "main"), "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
	h.settle()
	if state, lastErr := h.state(suspended); state != queue.StateFailed || !strings.Contains(lastErr, "installation 7 is suspended") {
		t.Errorf("suspended: %s (%s)", state, lastErr)
	}
	if state, lastErr := h.state(gone); state != queue.StateFailed || !strings.Contains(lastErr, "no installation 99 any more") {
		t.Errorf("gone: %s (%s)", state, lastErr)
	}
}

type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestIssue12_14_GitHubBodyReplayIgnored: the signature covers the body but
// not X-GitHub-Delivery, so a captured delivery sent again under a new id
// is acknowledged and not processed (within the replay window).
func TestIssue12_14_GitHubBodyReplayIgnored(t *testing.T) {
	h := newHarness(t, Config{})
	seedAcme(h.gh)
	body, _ := json.Marshal(obj{"action": "created", "installation": installationJSON(7, "acme")})
	first := post(t, h.app, "installation", "original-guid", body, sign(testSecret, body))
	replay := post(t, h.app, "installation", "replayed-guid", body, sign(testSecret, body))
	if first.Code != 202 || replay.Code != 202 || !strings.Contains(replay.Body.String(), "duplicate") {
		t.Fatalf("first %d, replay %d %s; want both acknowledged, the replay as a duplicate", first.Code, replay.Code, replay.Body)
	}
	h.settle()
	var n int
	if err := h.st.db.QueryRow(context.Background(), `SELECT count(*) FROM deliveries`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d deliveries stored (%v), want 1", n, err)
	}
	if c := h.gh.CallCount("GET /installation/repositories"); c != 1 {
		t.Errorf("the installation was processed %d times, want once", c)
	}
	// Another event with the same body is another delivery.
	if w := post(t, h.app, "ping", "ping-guid", body, sign(testSecret, body)); w.Code != 202 || strings.Contains(w.Body.String(), "duplicate") {
		t.Errorf("another event with the same body: %d %s", w.Code, w.Body)
	}
}
