package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Pruning goes through more than one batch, leaves unfinished deliveries
// and young ones alone, and finds old payloads through the partial index
// rather than by reading every row.
func TestPruneInBatches(t *testing.T) {
	st := openStore(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ds := &deliveryStore{w: st.DB(), r: st.ReadDB(), now: func() time.Time { return now }}
	insert := func(n int, prefix, state string, age time.Duration) {
		t.Helper()
		for i := range n {
			at := now.Add(-age).UnixMilli()
			if _, err := st.DB().Exec(`INSERT INTO deliveries (delivery_id, event, ordering_key, payload, received_at, state)
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
		if err := st.ReadDB().QueryRow(q).Scan(&n); err != nil {
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

	var plan strings.Builder
	r, err := st.ReadDB().Query(`EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE length(payload) > 0 AND received_at < ? AND state NOT IN ('pending', 'processing') LIMIT 10`, now.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var id, parent, notused int
		var detail string
		if err := r.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "\n")
	}
	if !strings.Contains(plan.String(), "deliveries_payload_kept") {
		t.Errorf("emptying payloads does not use deliveries_payload_kept:\n%s", plan.String())
	}
}
