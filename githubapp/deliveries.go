package githubapp

import (
	"context"
	"database/sql"
	"fmt"
	"time"
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
	LastError      string
	NextAttemptAt  time.Time
	FinishedAt     time.Time
}

// deliveryStore keeps deliveries in the catalog's SQLite file.
type deliveryStore struct {
	w, r *sql.DB
	now  func() time.Time
}

// insert stores a delivery; dup is true when its delivery id was seen before.
func (s *deliveryStore) insert(ctx context.Context, d *Delivery) (dup bool, err error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO deliveries (delivery_id, event, action, installation_id, repository, ordering_key, payload, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING`,
		d.DeliveryID, d.Event, d.Action, d.InstallationID, d.Repository, d.OrderingKey, d.Payload, s.now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("storing delivery %s: %w", d.DeliveryID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if n == 0 {
		return true, nil
	}
	d.ID, _ = res.LastInsertId()
	return false, nil
}

// resume makes deliveries that were being processed when the process died
// pending again: acknowledged work is never lost.
func (s *deliveryStore) resume(ctx context.Context) (int64, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE deliveries SET state = 'pending' WHERE state = 'processing'`)
	if err != nil {
		return 0, fmt.Errorf("resuming deliveries: %w", err)
	}
	return res.RowsAffected()
}

// claim picks up to n deliveries that may run now, at most one per ordering
// key and never one whose key has an older unfinished delivery, and marks
// them processing. busy lists keys already running.
func (s *deliveryStore) claim(ctx context.Context, n int, busy map[string]bool) ([]*Delivery, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	now := s.now().UnixMilli()
	// The oldest unfinished delivery of each key, if it is due.
	rows, err := tx.QueryContext(ctx, `
		SELECT d.id, d.delivery_id, d.event, d.action, d.installation_id, d.repository, d.ordering_key, d.payload, d.received_at, d.attempts
		FROM deliveries d
		WHERE d.state = 'pending' AND d.next_attempt_at <= ?
		  AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.ordering_key = d.ordering_key
		                  AND o.state IN ('pending', 'processing') AND o.id < d.id)
		ORDER BY d.id LIMIT ?`, now, n+len(busy))
	if err != nil {
		return nil, err
	}
	var out []*Delivery
	for rows.Next() {
		d := &Delivery{State: StateProcessing}
		var received int64
		if err := rows.Scan(&d.ID, &d.DeliveryID, &d.Event, &d.Action, &d.InstallationID, &d.Repository, &d.OrderingKey, &d.Payload, &received, &d.Attempts); err != nil {
			rows.Close()
			return nil, err
		}
		if busy[d.OrderingKey] || len(out) == n {
			continue
		}
		d.ReceivedAt = time.UnixMilli(received)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, d := range out {
		d.Attempts++
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'processing', attempts = ? WHERE id = ?`, d.Attempts, d.ID); err != nil {
			return nil, err
		}
	}
	return out, tx.Commit()
}

// finish records how processing ended.
func (s *deliveryStore) finish(ctx context.Context, d *Delivery, state, lastErr string, retryAt time.Time) error {
	var next, finished int64
	if state == StatePending {
		next = retryAt.UnixMilli()
	} else {
		finished = s.now().UnixMilli()
	}
	_, err := s.w.ExecContext(ctx, `UPDATE deliveries SET state = ?, last_error = ?, next_attempt_at = ?, finished_at = ? WHERE id = ?`,
		state, lastErr, next, finished, d.ID)
	if err != nil {
		return fmt.Errorf("recording delivery %s as %s: %w", d.DeliveryID, state, err)
	}
	return nil
}

// nextDue returns when the earliest waiting retry is due, or zero when none waits.
func (s *deliveryStore) nextDue(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, err
	}
	return time.UnixMilli(at.Int64), nil
}

// depth counts deliveries not yet finished.
func (s *deliveryStore) depth(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE state IN ('pending', 'processing')`).Scan(&n)
	return n, err
}

// known reports whether a delivery id was received.
func (s *deliveryStore) known(ctx context.Context, guid string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE delivery_id = ?`, guid).Scan(&n)
	return n > 0, err
}

// ListDeliveries returns recent deliveries, failed ones first, for people.
func ListDeliveries(ctx context.Context, db *sql.DB, limit int) ([]Delivery, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, delivery_id, event, action, installation_id, repository, received_at, state, attempts, last_error, next_attempt_at, finished_at
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
