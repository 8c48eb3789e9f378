package digest

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/catalog"
)

// Bounds of a UsageBuffer: what it holds before it drops, and how much and
// how often it writes.
const (
	usageBufferSize  = 4096
	usageBatch       = 32
	usageFlushEvery  = time.Second
	usageWriteTimout = 10 * time.Second
)

// UsageBuffer records usage events without making the request that caused
// them wait: Record hands the event to a worker that writes what has
// gathered in one transaction, every second or every 32 events (small
// writes, so a flush never holds a core long enough to show in a
// request's latency). Stop writes what is left; call it before the
// database closes. When the database cannot keep up, events past the
// buffer are dropped and counted, never queued without bound.
type UsageBuffer struct {
	rec catalog.UsageRecorder
	log *slog.Logger

	mu      sync.RWMutex // Record holds it shared; Stop, to close ch
	closed  bool
	ch      chan catalog.UsageEvent
	done    chan struct{}
	dropped atomic.Int64
}

// NewUsageBuffer returns a buffer that writes to rec; Start starts it.
func NewUsageBuffer(rec catalog.UsageRecorder, logger *slog.Logger) *UsageBuffer {
	if logger == nil {
		logger = slog.Default()
	}
	return &UsageBuffer{rec: rec, log: logger, ch: make(chan catalog.UsageEvent, usageBufferSize), done: make(chan struct{})}
}

// Start starts the worker that writes the events.
func (b *UsageBuffer) Start() {
	go b.run()
}

// Record queues an event; it never blocks. After Stop, or when the buffer
// is full, the event is dropped and counted.
func (b *UsageBuffer) Record(e catalog.UsageEvent) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		b.dropped.Add(1)
		return
	}
	select {
	case b.ch <- e:
	default:
		b.dropped.Add(1)
	}
}

// Dropped is how many events were not recorded because the buffer was full
// (or stopped).
func (b *UsageBuffer) Dropped() int64 { return b.dropped.Load() }

// Stop takes no more events and waits until what was queued is written, or
// until ctx ends.
func (b *UsageBuffer) Stop(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.ch)
	}
	b.mu.Unlock()
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *UsageBuffer) run() {
	defer close(b.done)
	t := time.NewTicker(usageFlushEvery)
	defer t.Stop()
	batch := make([]catalog.UsageEvent, 0, usageBatch)
	reported := int64(0)
	flush := func() {
		if len(batch) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), usageWriteTimout)
			if err := b.rec.RecordUsage(ctx, batch...); err != nil {
				b.log.Warn("recording usage events; they are lost", "events", len(batch), "err", err)
			}
			cancel()
			batch = batch[:0]
		}
		if d := b.dropped.Load(); d > reported {
			b.log.Warn("usage events dropped: the database did not keep up", "dropped", d-reported)
			reported = d
		}
	}
	for {
		select {
		case e, ok := <-b.ch:
			if !ok {
				flush()
				return
			}
			batch = append(batch, e)
			if len(batch) == usageBatch {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}
