package queue

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// Pruning goes through more than one batch, leaves unfinished deliveries
// and young ones alone, and the next pass starts where this one ended.
func TestPruneInBatches(t *testing.T) {
	st := struct{ db *sqlite.DB }{openDB(t)}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ds := &store{db: st.db, now: func() time.Time { return now }}
	insert := func(n int, prefix, state string, age time.Duration) {
		t.Helper()
		for i := range n {
			at := now.Add(-age).UnixMilli()
			if _, err := st.db.Exec(context.Background(), `INSERT INTO deliveries (delivery_id, event, ordering_key, payload, received_at, state)
				VALUES (?, 'push', 'k', '{"x":1}', ?, ?)`, fmt.Sprintf("%s-%d", prefix, i), at, state); err != nil {
				t.Fatal(err)
			}
		}
	}
	day := 24 * time.Hour
	insert(450, "ancient", StateDone, 120*day)
	insert(3, "ancient-pending", StatePending, 100*day)
	insert(430, "old", StateIgnored, 20*day)
	insert(5, "young", StateFailed, day)

	p := &pruner{store: ds, keepPayload: DefaultPayloadRetention, log: slog.New(slog.DiscardHandler)}
	payloads, rows, err := p.prune(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if payloads != 450+430 || rows != 450 {
		t.Errorf("emptied %d payloads and deleted %d rows, want 880 and 450", payloads, rows)
	}
	count := func(q string) int {
		var n int
		if err := st.db.QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM deliveries WHERE delivery_id LIKE 'ancient-pending-%' AND length(payload) > 0`); n != 3 {
		t.Errorf("%d of 3 pending deliveries kept their payloads", n)
	}
	if n := count(`SELECT count(*) FROM deliveries WHERE delivery_id LIKE 'young-%' AND length(payload) > 0`); n != 5 {
		t.Errorf("%d of 5 young deliveries kept their payloads", n)
	}
	if n := count(`SELECT count(*) FROM deliveries WHERE delivery_id LIKE 'old-%' AND length(payload) = 0`); n != 430 {
		t.Errorf("%d of 430 deliveries 20 days old lost their payloads, want all (rows kept)", n)
	}
	if again, rows, err := p.prune(context.Background()); again+rows != 0 || err != nil {
		t.Errorf("a second prune did %d+%d (%v), want nothing", again, rows, err)
	}

	// The next pass starts where this one ended: past the emptied payloads,
	// up to the first delivery still pending (which keeps its payload).
	if mark, err := ds.mark(context.Background(), markPayloads); err != nil || mark != 450 {
		t.Errorf("payloads mark %d (%v), want 450, the last before the pending ones", mark, err)
	}
}
