package queue

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// Delivery states.
const (
	StatePending    = "pending"
	StateProcessing = "processing"
	StateDone       = "done"
	StateIgnored    = "ignored"
	StateFailed     = "failed"
)

// Delivery is a stored webhook delivery.
type Delivery struct {
	ID             int64
	DeliveryID     string // X-GitHub-Delivery
	Event          string
	Action         string
	InstallationID int64
	Repository     string
	OrderingKey    string
	Payload        []byte
	ReceivedAt     time.Time
	State          string
	Attempts       int
	// Interruptions counts attempts cut short: the process died during one,
	// or one ran past the time limit.
	Interruptions int
	LastError     string
	NextAttemptAt time.Time
	FinishedAt    time.Time
}

// store keeps deliveries (migrations 0003 and 0007) in callboard's database.
type store struct {
	db  *sqlite.DB
	now func() time.Time
}

// insert stores a delivery; dup is true when its delivery id was seen before.
func (s *store) insert(ctx context.Context, d *Delivery) (dup bool, err error) {
	dups, err := s.insertMany(ctx, []*Delivery{d})
	if err != nil {
		return false, err
	}
	return dups[0], nil
}

// replayWindow is how long a delivery's body is recognised when it comes
// again under another delivery id (a replay: the id is not signed). GitHub
// sends a body once; its redeliveries keep their id.
const replayWindow = time.Hour

// bodyHash identifies a delivery's content: its event and its signed body.
func bodyHash(d *Delivery) []byte {
	h := sha256.New()
	h.Write([]byte(d.Event))
	h.Write([]byte{0})
	h.Write(d.Payload)
	return h.Sum(nil)
}

// insertMany stores deliveries in one transaction; dups says which were
// seen before: by delivery id, or by content within replayWindow.
func (s *store) insertMany(ctx context.Context, ds []*Delivery) ([]bool, error) {
	hashes := make([][]byte, len(ds))
	for i, d := range ds {
		hashes[i] = bodyHash(d)
	}
	dups := make([]bool, len(ds))
	now := s.now().UnixMilli()
	var inner error
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (delivery_id, event, action, installation_id, repository, ordering_key, payload, received_at, body_hash)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?9 WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE body_hash = ?9 AND received_at > ?10)
		ON CONFLICT (delivery_id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, d := range ds {
			res, err := stmt.ExecContext(ctx, d.DeliveryID, d.Event, d.Action, d.InstallationID, d.Repository, d.OrderingKey, d.Payload, now,
				hashes[i], now-replayWindow.Milliseconds())
			if err != nil {
				inner = fmt.Errorf("storing delivery %s: %w", d.DeliveryID, err)
				return inner
			}
			if n, _ := res.RowsAffected(); n == 0 {
				dups[i] = true
				continue
			}
			d.ID, _ = res.LastInsertId()
		}
		return nil
	})
	if err != nil && err != inner {
		err = fmt.Errorf("storing deliveries: %w", err)
	}
	if err != nil {
		return nil, err
	}
	return dups, nil
}

// maxInterruptions is how many attempts may be cut short (the process died
// during them, or they ran past their time limit) before a delivery is
// parked: one that takes the server down must not do it at every start.
const maxInterruptions = 2

// resume makes deliveries that were being processed when the process died
// pending again: acknowledged work is never lost. One that was being
// processed at the last deaths too is parked as failed, with the reason.
func (s *store) resume(ctx context.Context) (resumed int64, parked []string, err error) {
	reason := fmt.Sprintf("parked: callboard stopped %d times while handling this delivery (a crash, running out of memory, or a kill); "+
		"it is not tried again, so that it cannot stop the server again", maxInterruptions)
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT delivery_id FROM deliveries WHERE state = 'processing' AND interruptions + 1 >= ? ORDER BY id`, maxInterruptions)
		if err != nil {
			return fmt.Errorf("resuming deliveries: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("resuming deliveries: %w", err)
			}
			parked = append(parked, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("resuming deliveries: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET interruptions = interruptions + 1, state = 'failed', last_error = ?, finished_at = ?
		WHERE state = 'processing' AND interruptions + 1 >= ?`, reason, s.now().UnixMilli(), maxInterruptions); err != nil {
			return fmt.Errorf("parking deliveries: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET interruptions = interruptions + 1, state = 'pending' WHERE state = 'processing'`)
		if err != nil {
			return fmt.Errorf("resuming deliveries: %w", err)
		}
		resumed, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return resumed, parked, nil
}

// claimScan is how many of the oldest pending deliveries one claim looks at.
const claimScan = 512

// claim picks up to n deliveries that may run now, at most one per ordering
// key and never one whose key has an older delivery still waiting (a retry
// not yet due keeps the deliveries after it waiting, so order holds), and
// marks them processing. busy lists keys already running; claim adds to it. The scan reads
// outside the write lock, so webhook acknowledgements are not held up.
func (s *store) claim(ctx context.Context, n int, busy map[string]bool) ([]*Delivery, error) {
	now := s.now().UnixMilli()
	rows, err := s.db.Query(ctx, `SELECT id, ordering_key, next_attempt_at FROM deliveries WHERE state = 'pending' ORDER BY id LIMIT ?`, claimScan)
	if err != nil {
		return nil, err
	}
	blocked := busy // the caller's copy: the keys taken here are added to it
	var ids []any
	for rows.Next() {
		var id, next int64
		var key string
		if err := rows.Scan(&id, &key, &next); err != nil {
			rows.Close()
			return nil, err
		}
		if blocked[key] {
			continue
		}
		blocked[key] = true // whatever comes later for this key waits for this one
		if next <= now && len(ids) < n {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	in := "(?" + strings.Repeat(",?", len(ids)-1) + ")"
	var out []*Delivery
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		// The state check makes a claim safe even if two claimers raced.
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'processing', attempts = attempts + 1 WHERE state = 'pending' AND id IN `+in, ids...); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, delivery_id, event, action, installation_id, repository, ordering_key, payload, received_at, attempts, interruptions
		FROM deliveries WHERE state = 'processing' AND id IN `+in+` ORDER BY id`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d := &Delivery{State: StateProcessing}
			var received int64
			if err := rows.Scan(&d.ID, &d.DeliveryID, &d.Event, &d.Action, &d.InstallationID, &d.Repository, &d.OrderingKey, &d.Payload, &received, &d.Attempts, &d.Interruptions); err != nil {
				return err
			}
			d.ReceivedAt = time.UnixMilli(received)
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// finish records how processing ended.
func (s *store) finish(ctx context.Context, d *Delivery, state, lastErr string, retryAt time.Time) error {
	var next, finished int64
	if state == StatePending {
		next = retryAt.UnixMilli()
	} else {
		finished = s.now().UnixMilli()
	}
	_, err := s.db.Exec(ctx, `UPDATE deliveries SET state = ?, last_error = ?, next_attempt_at = ?, finished_at = ?, interruptions = ? WHERE id = ?`,
		state, lastErr, next, finished, d.Interruptions, d.ID)
	if err != nil {
		return fmt.Errorf("recording delivery %s as %s: %w", d.DeliveryID, state, err)
	}
	return nil
}

// nextDue returns when the earliest waiting retry is due, or zero when none waits.
func (s *store) nextDue(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, err
	}
	return time.UnixMilli(at.Int64), nil
}

// depth counts deliveries not yet finished.
func (s *store) depth(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE state IN ('pending', 'processing')`).Scan(&n)
	return n, err
}

// known reports whether a delivery id was received.
func (s *store) known(ctx context.Context, guid string) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE delivery_id = ?`, guid).Scan(&n)
	return n > 0, err
}

// List returns recent deliveries, failed ones first, for people
// (callboard deliveries).
func List(ctx context.Context, db *sqlite.DB, limit int) ([]Delivery, error) {
	rows, err := db.Query(ctx, `SELECT id, delivery_id, event, action, installation_id, repository, received_at, state, attempts, last_error, next_attempt_at, finished_at
		FROM deliveries ORDER BY CASE state WHEN 'failed' THEN 0 WHEN 'pending' THEN 1 WHEN 'processing' THEN 1 ELSE 2 END, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("listing deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var received, next, finished int64
		if err := rows.Scan(&d.ID, &d.DeliveryID, &d.Event, &d.Action, &d.InstallationID, &d.Repository, &received, &d.State, &d.Attempts, &d.LastError, &next, &finished); err != nil {
			return nil, err
		}
		d.ReceivedAt = time.UnixMilli(received)
		if next > 0 {
			d.NextAttemptAt = time.UnixMilli(next)
		}
		if finished > 0 {
			d.FinishedAt = time.UnixMilli(finished)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
