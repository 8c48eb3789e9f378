package githubapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// Retention of stored deliveries: the payload for PayloadRetention
// (CALLBOARD_DELIVERY_RETENTION), the row, which says what happened, for
// RowRetention.
const (
	DefaultPayloadRetention = 14 * 24 * time.Hour
	RowRetention            = 90 * 24 * time.Hour
)

// Pruning works in small transactions, so webhook intake on the same
// writing connection never waits for more than one of them.
const (
	pruneBatch = 200
	pruneEvery = time.Hour
	pruneGap   = 20 * time.Millisecond // between batches: intake goes first
)

// pruner empties old payloads and deletes old rows, in the background.
type pruner struct {
	store       *deliveryStore
	keepPayload time.Duration
	log         *slog.Logger
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

func (p *pruner) start(ctx context.Context) {
	ctx, p.cancel = context.WithCancel(ctx)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			payloads, rows, err := p.prune(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				p.log.Warn("pruning stored deliveries", "payloads_emptied", payloads, "rows_deleted", rows, "err", err)
			case payloads+rows > 0:
				p.log.Info("pruned stored deliveries", "payloads_emptied", payloads, "rows_deleted", rows)
			}
			t := time.NewTimer(pruneEvery)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
}

// stop ends pruning; a batch in progress is rolled back.
func (p *pruner) stop() {
	if p.cancel != nil {
		p.cancel()
		p.wg.Wait()
	}
}

// prune runs until nothing is left to prune (or ctx ends).
func (p *pruner) prune(ctx context.Context) (payloads, rows int64, err error) {
	now := p.store.now()
	mark, err := p.store.mark(ctx, markPayloads)
	if err != nil {
		return 0, 0, err
	}
	for after := mark; ; {
		n, scanned, upTo, done, err := p.store.emptyPayloads(ctx, now.Add(-p.keepPayload), after, mark)
		payloads += n
		if err == nil && upTo > mark {
			mark = upTo
			err = p.store.setMark(ctx, markPayloads, mark)
		}
		if err != nil || done {
			if err != nil {
				return payloads, rows, err
			}
			break
		}
		after = scanned
		if err := pause(ctx); err != nil {
			return payloads, rows, err
		}
	}
	for after := int64(0); ; {
		n, last, done, err := p.store.deleteRows(ctx, now.Add(-RowRetention), after)
		rows += n
		if err != nil || done {
			return payloads, rows, err
		}
		after = last
		if err := pause(ctx); err != nil {
			return payloads, rows, err
		}
	}
}

// pause lets intake have the writing connection between two batches.
func pause(ctx context.Context) error {
	t := time.NewTimer(pruneGap)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// unfinished are the states whose work is not over: pruning leaves them alone.
const unfinished = `('pending', 'processing')`

// oldRows reads the next pruneBatch deliveries after id after, oldest
// first, up to the first one received at or after before (young: none of
// the rest is old either, as ids grow with the time received).
func (s *deliveryStore) oldRows(ctx context.Context, before time.Time, after int64) (rows []oldRow, young bool, err error) {
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
func (s *deliveryStore) emptyPayloads(ctx context.Context, before time.Time, after, mark int64) (emptied, scanned, upTo int64, done bool, err error) {
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
func (s *deliveryStore) deleteRows(ctx context.Context, before time.Time, after int64) (deleted, last int64, done bool, err error) {
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
func (s *deliveryStore) mark(ctx context.Context, name string) (int64, error) {
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

func (s *deliveryStore) setMark(ctx context.Context, name string, id int64) error {
	_, err := s.db.Exec(ctx, `INSERT INTO delivery_marks (name, last_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at`, name, id, s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("recording the %s mark: %w", name, err)
	}
	return nil
}

// ErrRetry explains why a delivery cannot be run again.
var ErrRetry = errors.New("cannot run the delivery again")

// RetryDelivery makes a finished delivery (failed, parked, ignored or
// done) pending again with its attempts counted afresh; the workers of
// callboard serve run it at their next look at the queue (within a minute).
func RetryDelivery(ctx context.Context, db *sqlite.DB, guid string) (*Delivery, error) {
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
