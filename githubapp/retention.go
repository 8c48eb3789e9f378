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
	for {
		n, err := p.store.emptyPayloads(ctx, now.Add(-p.keepPayload))
		payloads += n
		if err != nil || n < pruneBatch {
			if err != nil {
				return payloads, rows, err
			}
			break
		}
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

// emptyPayloads empties the payloads of up to pruneBatch finished
// deliveries received before before; the partial index
// deliveries_payload_kept finds them without reading the emptied ones.
func (s *deliveryStore) emptyPayloads(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE deliveries SET payload = x'' WHERE id IN (
		SELECT id FROM deliveries WHERE length(payload) > 0 AND received_at < ? AND state NOT IN `+unfinished+` LIMIT ?)`,
		before.UnixMilli(), pruneBatch)
	if err != nil {
		return 0, fmt.Errorf("emptying old delivery payloads: %w", err)
	}
	return res.RowsAffected()
}

// deleteRows deletes the finished deliveries received before before among
// the next pruneBatch rows after id after. Ids grow with the time
// received, so the oldest rows come first and done is true at the first
// row young enough to keep (or the end of the table).
func (s *deliveryStore) deleteRows(ctx context.Context, before time.Time, after int64) (deleted, last int64, done bool, err error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, received_at, state FROM deliveries WHERE id > ? ORDER BY id LIMIT ?`, after, pruneBatch)
	if err != nil {
		return 0, after, true, fmt.Errorf("reading old deliveries: %w", err)
	}
	var ids []any
	read, young := 0, false
	last = after
	for rows.Next() {
		var id, at int64
		var state string
		if err := rows.Scan(&id, &at, &state); err != nil {
			rows.Close()
			return 0, last, true, err
		}
		read++
		if at >= before.UnixMilli() {
			young = true
			break
		}
		last = id
		if state != StatePending && state != StateProcessing {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, last, true, err
	}
	done = young || read < pruneBatch
	if len(ids) == 0 {
		return 0, last, done, nil
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM deliveries WHERE state NOT IN `+unfinished+` AND id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return 0, last, true, fmt.Errorf("deleting old deliveries: %w", err)
	}
	deleted, err = res.RowsAffected()
	return deleted, last, done, err
}

// ErrRetry explains why a delivery cannot be run again.
var ErrRetry = errors.New("cannot run the delivery again")

// RetryDelivery makes a finished delivery (failed, parked, ignored or
// done) pending again with its attempts counted afresh; the workers of
// callboard serve run it at their next look at the queue (within a minute).
func RetryDelivery(ctx context.Context, db *sql.DB, guid string) (*Delivery, error) {
	d := &Delivery{DeliveryID: guid}
	var kept bool
	err := db.QueryRowContext(ctx, `SELECT event, action, repository, state, length(payload) > 0 FROM deliveries WHERE delivery_id = ?`, guid).
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
	res, err := db.ExecContext(ctx, `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = 0, finished_at = 0, last_error = ''
		WHERE delivery_id = ? AND state = ?`, guid, d.State)
	if err != nil {
		return nil, fmt.Errorf("queueing delivery %s again: %w", guid, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("%w: delivery %s changed meanwhile; look again", ErrRetry, guid)
	}
	return d, nil
}
