package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// unfinished are the states whose work is not over: pruning leaves them alone.
const unfinished = `('pending', 'processing')`

// oldRows reads the next pruneBatch deliveries after id after, oldest
// first, up to the first one received at or after before (young: none of
// the rest is old either, as ids grow with the time received).
func (s *store) oldRows(ctx context.Context, before time.Time, after int64) (rows []oldRow, young bool, err error) {
	rs, err := s.db.Query(ctx, `SELECT id, received_at, state FROM deliveries WHERE id > ? ORDER BY id LIMIT ?`, after, pruneBatch)
	if err != nil {
		return nil, false, fmt.Errorf("reading old deliveries: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var r oldRow
		var at int64
		var state string
		if err := rs.Scan(&r.id, &at, &state); err != nil {
			return nil, false, err
		}
		if at >= before.UnixMilli() {
			return rows, true, rs.Err()
		}
		r.finished = state != StatePending && state != StateProcessing
		rows = append(rows, r)
	}
	return rows, false, rs.Err()
}

type oldRow struct {
	id       int64
	finished bool
}

// emptyPayloads empties the payloads of the finished deliveries received
// before before among the next pruneBatch after id after. upTo is the id
// up to which every old payload is now emptied (it stops before an
// unfinished delivery, which keeps its payload until it is done), scanned
// the last id read, and done is true when nothing old is left to read.
func (s *store) emptyPayloads(ctx context.Context, before time.Time, after, mark int64) (emptied, scanned, upTo int64, done bool, err error) {
	rows, young, err := s.oldRows(ctx, before, after)
	if err != nil {
		return 0, after, mark, true, err
	}
	done = young || len(rows) < pruneBatch
	scanned, upTo = after, mark
	var ids []any
	blocked := after > mark // an unfinished one was met in an earlier batch of this pass
	for _, r := range rows {
		scanned = r.id
		if !r.finished {
			blocked = true
			continue
		}
		ids = append(ids, r.id)
		if !blocked {
			upTo = r.id
		}
	}
	if len(ids) == 0 {
		return 0, scanned, upTo, done, nil
	}
	res, err := s.db.Exec(ctx, `UPDATE deliveries SET payload = x'' WHERE length(payload) > 0 AND state NOT IN `+unfinished+
		` AND id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return 0, scanned, mark, true, fmt.Errorf("emptying old delivery payloads: %w", err)
	}
	emptied, err = res.RowsAffected()
	return emptied, scanned, upTo, done, err
}

// deleteRows deletes the finished deliveries received before before among
// the next pruneBatch after id after; done is true when nothing old is
// left to read.
func (s *store) deleteRows(ctx context.Context, before time.Time, after int64) (deleted, last int64, done bool, err error) {
	rows, young, err := s.oldRows(ctx, before, after)
	if err != nil {
		return 0, after, true, err
	}
	done = young || len(rows) < pruneBatch
	last = after
	var ids []any
	for _, r := range rows {
		last = r.id
		if r.finished {
			ids = append(ids, r.id)
		}
	}
	if len(ids) == 0 {
		return 0, last, done, nil
	}
	res, err := s.db.Exec(ctx, `DELETE FROM deliveries WHERE state NOT IN `+unfinished+` AND id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return 0, last, true, fmt.Errorf("deleting old deliveries: %w", err)
	}
	deleted, err = res.RowsAffected()
	return deleted, last, done, err
}

// Names of the marks in delivery_marks.
const (
	markRedelivery = "redelivery"
	markPayloads   = "payloads"
)

// mark returns how far a piece of background work has got (0 before it started).
func (s *store) mark(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT last_id FROM delivery_marks WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the %s mark: %w", name, err)
	}
	return id, nil
}

func (s *store) setMark(ctx context.Context, name string, id int64) error {
	_, err := s.db.Exec(ctx, `INSERT INTO delivery_marks (name, last_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at`, name, id, s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("recording the %s mark: %w", name, err)
	}
	return nil
}

// ErrRetry explains why a delivery cannot be run again.
var ErrRetry = errors.New("cannot run the delivery again")

// Retry makes a finished delivery (failed, parked, ignored or done)
// pending again with its attempts counted afresh (callboard deliveries
// --retry); the workers of callboard serve run it at their next look at
// the queue (within a minute).
func Retry(ctx context.Context, db *sqlite.DB, guid string) (*Delivery, error) {
	d := &Delivery{DeliveryID: guid}
	var kept bool
	err := db.QueryRow(ctx, `SELECT event, action, repository, state, length(payload) > 0 FROM deliveries WHERE delivery_id = ?`, guid).
		Scan(&d.Event, &d.Action, &d.Repository, &d.State, &kept)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("%w: no delivery %s (callboard deliveries lists them)", ErrRetry, guid)
	case err != nil:
		return nil, fmt.Errorf("reading delivery %s: %w", guid, err)
	case d.State == StatePending || d.State == StateProcessing:
		return nil, fmt.Errorf("%w: delivery %s is %s already", ErrRetry, guid, d.State)
	case !kept:
		return nil, fmt.Errorf("%w: the payload of delivery %s was removed after CALLBOARD_DELIVERY_RETENTION; if GitHub still has it (3 days), redeliver it from the App's advanced settings", ErrRetry, guid)
	}
	res, err := db.Exec(ctx, `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = 0, finished_at = 0, last_error = ''
		WHERE delivery_id = ? AND state = ?`, guid, d.State)
	if err != nil {
		return nil, fmt.Errorf("queueing delivery %s again: %w", guid, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("%w: delivery %s changed meanwhile; look again", ErrRetry, guid)
	}
	return d, nil
}

// redeliveryMark is the newest GitHub hook delivery id the missed-delivery
// check has looked at (0 before the first check).
func (s *store) redeliveryMark(ctx context.Context) (int64, error) {
	return s.mark(ctx, markRedelivery)
}

func (s *store) setRedeliveryMark(ctx context.Context, id int64) error {
	return s.setMark(ctx, markRedelivery, id)
}
