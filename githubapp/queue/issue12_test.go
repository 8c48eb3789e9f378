package queue

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// openDB opens a new database, closed when the test ends.
func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "callboard.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestIssue12_03_CrashedTwiceIsParked: the attempt is counted before the
// work starts, and a delivery the process died on twice is parked with a
// reason at the next start instead of running (and dying) again.
func TestIssue12_03_CrashedTwiceIsParked(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	var handled atomic.Int32
	q := New(db, Config{RedeliverEvery: -1, RetryBase: 20 * time.Millisecond}, func(context.Context, *Delivery) error {
		handled.Add(1)
		return nil
	})
	if dup, err := q.Add(ctx, &Delivery{DeliveryID: "crashy", Event: "installation", Action: "created", OrderingKey: "installation:7", Payload: []byte(`{"action":"created"}`)}); err != nil || dup {
		t.Fatalf("storing the delivery: dup %v, %v", dup, err)
	}
	lives := 0
	die := func() {
		// A worker claims the delivery, then the process dies mid-work.
		t.Helper()
		lives++
		ds, err := q.store.claim(ctx, 1, map[string]bool{})
		if err != nil || len(ds) != 1 {
			t.Fatalf("life %d: claimed %v, %v", lives, ds, err)
		}
		var attempts int
		var state string
		if err := db.QueryRow(ctx, `SELECT attempts, state FROM deliveries WHERE delivery_id = 'crashy'`).Scan(&attempts, &state); err != nil {
			t.Fatal(err)
		}
		if attempts != lives || state != StateProcessing {
			t.Fatalf("life %d: before the work starts the row says attempts %d, %s; want %d, processing", lives, attempts, state, lives)
		}
	}
	restart := func() (resumed int64, parked []string) {
		t.Helper()
		resumed, parked, err := q.store.resume(ctx)
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
	var state, lastErr string
	if err := db.QueryRow(ctx, `SELECT state, last_error FROM deliveries WHERE delivery_id = 'crashy'`).Scan(&state, &lastErr); err != nil {
		t.Fatal(err)
	}
	if state != StateFailed || !strings.Contains(lastErr, "stopped 2 times while handling this delivery") {
		t.Fatalf("state %s (%q), want failed with the reason", state, lastErr)
	}
	// Starting again does not run it.
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		n, err := q.Depth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("deliveries did not settle in 20 s")
		}
	}
	if n := handled.Load(); n != 0 {
		t.Errorf("the parked delivery ran %d times", n)
	}
	ds, err := List(ctx, db, 5)
	if err != nil || len(ds) == 0 || ds[0].DeliveryID != "crashy" || ds[0].State != StateFailed {
		t.Errorf("callboard deliveries does not list the parked delivery first: %+v %v", ds, err)
	}
}

// TestIssue12_03_TimedOutTwiceIsParked: an attempt that runs past its time
// limit is cut off (its context ends), tried once more, then parked.
func TestIssue12_03_TimedOutTwiceIsParked(t *testing.T) {
	st := struct{ db *sqlite.DB }{openDB(t)}
	ds := &store{db: st.db, now: time.Now}
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
