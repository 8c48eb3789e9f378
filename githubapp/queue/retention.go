package queue

import (
	"context"
	"log/slog"
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
	store       *store
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
