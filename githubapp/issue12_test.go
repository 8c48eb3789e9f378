package githubapp

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/fakegithub"
)

// TestIssue12_03_CrashedTwiceIsParked: the attempt is counted before the
// work starts, and a delivery the process died on twice is parked with a
// reason at the next start instead of running (and dying) again.
func TestIssue12_03_CrashedTwiceIsParked(t *testing.T) {
	gh := fakegithub.New(t)
	seedAcme(gh)
	db := filepath.Join(t.TempDir(), "callboard.db")
	cfg := Config{AppID: "4242", PrivateKey: testKey, WebhookSecret: []byte(testSecret), APIURL: gh.URL + "/", RedeliverEvery: -1, RetryBase: 20 * time.Millisecond}

	st := openStoreAt(t, db)
	app, err := New(cfg, st, st.db)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(obj{"action": "created", "installation": installationJSON(7, "acme")})
	if w := post(t, app, "installation", "crashy", body, sign(testSecret, body)); w.Code != 202 {
		t.Fatalf("ack: %d", w.Code)
	}
	ctx := context.Background()
	lives := 0
	die := func() {
		// A worker claims the delivery, then the process dies mid-work.
		t.Helper()
		lives++
		ds, err := app.deliveries.claim(ctx, 1, map[string]bool{})
		if err != nil || len(ds) != 1 {
			t.Fatalf("life %d: claimed %v, %v", lives, ds, err)
		}
		var attempts int
		var state string
		if err := st.db.QueryRow(context.Background(), `SELECT attempts, state FROM deliveries WHERE delivery_id = 'crashy'`).Scan(&attempts, &state); err != nil {
			t.Fatal(err)
		}
		if attempts != lives || state != StateProcessing {
			t.Fatalf("life %d: before the work starts the row says attempts %d, %s; want %d, processing", lives, attempts, state, lives)
		}
	}
	restart := func() (resumed int64, parked []string) {
		t.Helper()
		resumed, parked, err := app.deliveries.resume(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return resumed, parked
	}

	die()
	if n, parked := restart(); n != 1 || len(parked) != 0 {
		t.Fatalf("after the first death: resumed %d, parked %v; want it resumed", n, parked)
	}
	die()
	if n, parked := restart(); n != 0 || len(parked) != 1 || parked[0] != "crashy" {
		t.Fatalf("after the second death: resumed %d, parked %v; want it parked", n, parked)
	}
	h := &harness{t: t, gh: gh, st: st, app: app}
	state, lastErr := h.state("crashy")
	if state != StateFailed || !strings.Contains(lastErr, "stopped 2 times while handling this delivery") {
		t.Fatalf("state %s (%q), want failed with the reason", state, lastErr)
	}
	// Starting again does not run it.
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Stop(context.Background()) })
	h.settle()
	if n := gh.CallCount("GET /installation/repositories"); n != 0 {
		t.Errorf("the parked delivery ran: %d repository listings", n)
	}
	ds, err := ListDeliveries(ctx, st.db, 5)
	if err != nil || len(ds) == 0 || ds[0].DeliveryID != "crashy" || ds[0].State != StateFailed {
		t.Errorf("callboard deliveries does not list the parked delivery first: %+v %v", ds, err)
	}
}

// TestIssue12_03_TimedOutTwiceIsParked: an attempt that runs past its time
// limit is cut off (its context ends), tried once more, then parked.
func TestIssue12_03_TimedOutTwiceIsParked(t *testing.T) {
	st := openStore(t)
	ds := &deliveryStore{db: st.db, now: time.Now}
	if _, err := ds.insert(context.Background(), &Delivery{DeliveryID: "slow", Event: "issues", OrderingKey: "acme/x", Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	w := &workers{
		store: ds, log: slog.New(slog.DiscardHandler), metrics: newMetrics(nil), n: 1, maxAttempts: 8,
		retryBase: time.Millisecond, timeout: 50 * time.Millisecond, now: time.Now,
		wakeC: make(chan struct{}, 1), busy: map[string]bool{},
		handle: func(ctx context.Context, d *Delivery) error {
			calls.Add(1)
			<-ctx.Done() // a handler that only stops when told
			return ctx.Err()
		},
	}
	if err := w.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer w.stop(context.Background())
	deadline := time.Now().Add(20 * time.Second)
	var state, lastErr string
	for time.Now().Before(deadline) {
		if err := st.db.QueryRow(context.Background(), `SELECT state, last_error FROM deliveries WHERE delivery_id = 'slow'`).Scan(&state, &lastErr); err != nil {
			t.Fatal(err)
		}
		if state == StateFailed {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if state != StateFailed || !strings.Contains(lastErr, "ran past its time limit of 50ms 2 times") {
		t.Fatalf("state %s (%q), want failed: ran past its time limit twice", state, lastErr)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("handled %d times, want 2", n)
	}
}

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
	h.mustState(guid, StateDone)
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
	if state, lastErr := h.state(suspended); state != StateFailed || !strings.Contains(lastErr, "installation 7 is suspended") {
		t.Errorf("suspended: %s (%s)", state, lastErr)
	}
	if state, lastErr := h.state(gone); state != StateFailed || !strings.Contains(lastErr, "no installation 99 any more") {
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
