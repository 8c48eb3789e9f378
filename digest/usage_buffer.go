package digest

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/callboard/callboard/catalog"
)

// Bounds of a UsageBuffer.
const (
	// usageQuiet is how long no event must have come before the buffer
	// writes: the requests that cause events go first.
	usageQuiet = 20 * time.Millisecond
	// usageMaxAge bounds how long an event waits under steady load, and
	// usageFlushAt how many gather before they are written anyway.
	usageMaxAge  = 10 * time.Second
	usageFlushAt = 4096
	// usageMaxHeld is the most events held; past it, events are dropped.
	usageMaxHeld = 4 * usageFlushAt
	// usageChunk events are written per transaction: the one writing
	// connection (webhook intake uses it too) is never held for long.
	usageChunk       = 256
	usageWriteTimout = 10 * time.Second
)

// UsageBuffer records usage events without making the requests that cause
// them wait: Record appends the event to memory, and a worker writes what
// has gathered once events stop coming for a moment (as the webhook
// workers let acknowledgements go first), and in any case within 10 s or
// every 4,096 events, in transactions of 256. Stop writes what is left;
// call it before the database closes. Past 16,384 events held, events are
// dropped and counted, never queued without bound.
type UsageBuffer struct {
	rec catalog.UsageRecorder
	log *slog.Logger

	kick chan struct{} // a first event came (capacity 1)
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex
	held    []catalog.UsageEvent
	last    time.Time // when the last event came
	oldest  time.Time // when the oldest held event came
	closed  bool
	dropped int64
}

// NewUsageBuffer returns a buffer that writes to rec; Start starts it.
func NewUsageBuffer(rec catalog.UsageRecorder, logger *slog.Logger) *UsageBuffer {
	if logger == nil {
		logger = slog.Default()
	}
	return &UsageBuffer{rec: rec, log: logger, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// Start starts the worker that writes the events.
func (b *UsageBuffer) Start() {
	go b.run()
}

// Record keeps an event to be written; it never blocks on the database.
// After Stop, or when the buffer is full, the event is dropped and counted.
func (b *UsageBuffer) Record(e catalog.UsageEvent) {
	now := time.Now()
	b.mu.Lock()
	if b.closed || len(b.held) >= usageMaxHeld {
		b.dropped++
		b.mu.Unlock()
		return
	}
	if len(b.held) == 0 {
		b.oldest = now
	}
	b.held = append(b.held, e)
	b.last = now
	first := len(b.held) == 1
	b.mu.Unlock()
	if first {
		select {
		case b.kick <- struct{}{}:
		default:
		}
	}
}

// Dropped is how many events were not recorded because the buffer was full
// (or stopped).
func (b *UsageBuffer) Dropped() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}

// Stop takes no more events and waits until what was held is written, or
// until ctx ends.
func (b *UsageBuffer) Stop(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.stop)
	}
	b.mu.Unlock()
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// due reports whether the held events should be written now, and whether
// that write may not wait for quiet.
func (b *UsageBuffer) due() (write, force bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.held) == 0 {
		return false, false
	}
	force = b.closed || len(b.held) >= usageFlushAt || time.Since(b.oldest) >= usageMaxAge
	return force || time.Since(b.last) >= usageQuiet, force
}

// take removes up to n held events.
func (b *UsageBuffer) take(n int) []catalog.UsageEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	n = min(n, len(b.held))
	out := append([]catalog.UsageEvent(nil), b.held[:n]...)
	b.held = b.held[n:]
	if len(b.held) == 0 {
		b.held = nil // let a burst's memory go
	}
	return out
}

func (b *UsageBuffer) run() {
	defer close(b.done)
	reported := int64(0)
	t := time.NewTimer(time.Hour)
	t.Stop()
	stopped := false
	for {
		if !stopped {
			select {
			case <-b.kick:
			case <-b.stop:
				stopped = true
			}
		}
		// Write a chunk at a time while it is due; wait for quiet otherwise.
		for {
			write, _ := b.due()
			if write {
				chunk := b.take(usageChunk)
				ctx, cancel := context.WithTimeout(context.Background(), usageWriteTimout)
				if err := b.rec.RecordUsage(ctx, chunk...); err != nil {
					b.log.Warn("recording usage events; they are lost", "events", len(chunk), "err", err)
				}
				cancel()
				continue
			}
			b.mu.Lock()
			empty, dropped := len(b.held) == 0, b.dropped
			b.mu.Unlock()
			if dropped > reported {
				b.log.Warn("usage events dropped: more came than the database could take", "dropped", dropped-reported)
				reported = dropped
			}
			if empty {
				break
			}
			t.Reset(usageQuiet)
			select {
			case <-t.C:
			case <-b.stop:
				t.Stop()
				stopped = true
			}
		}
		if stopped {
			return
		}
	}
}
