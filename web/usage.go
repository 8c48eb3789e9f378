package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/callboard/callboard/catalog"
)

// usageLog records the web view's usage events (plugin "web") in batches:
// a page view must not wait for the database's one writer. A worker writes
// what is held every few seconds; close writes the rest.
type usageLog struct {
	rec catalog.UsageRecorder
	log *slog.Logger

	mu      sync.Mutex
	held    []catalog.UsageEvent
	dropped int
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

const (
	usageFlushEvery = 2 * time.Second
	// maxHeldUsage bounds memory when the database is stuck: past it, events
	// are counted and dropped.
	maxHeldUsage = 10000
)

func newUsageLog(rec catalog.UsageRecorder, log *slog.Logger) *usageLog {
	u := &usageLog{rec: rec, log: log, stop: make(chan struct{}), stopped: make(chan struct{})}
	go u.run()
	return u
}

func (u *usageLog) add(ev catalog.UsageEvent) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.held) >= maxHeldUsage {
		u.dropped++
		return
	}
	u.held = append(u.held, ev)
}

func (u *usageLog) run() {
	defer close(u.stopped)
	t := time.NewTicker(usageFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-u.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			u.flush(ctx)
			cancel()
		}
	}
}

func (u *usageLog) flush(ctx context.Context) {
	u.mu.Lock()
	events, dropped := u.held, u.dropped
	u.held, u.dropped = nil, 0
	u.mu.Unlock()
	if dropped > 0 {
		u.log.Warn("web usage events dropped: the database did not take them in time", "dropped", dropped)
	}
	if len(events) == 0 {
		return
	}
	if err := u.rec.RecordUsage(ctx, events...); err != nil {
		u.log.Warn("recording web usage", "events", len(events), "err", err)
	}
}

// close stops the worker and writes what is held; later calls do nothing.
func (u *usageLog) close(ctx context.Context) {
	u.once.Do(func() {
		close(u.stop)
		<-u.stopped
		u.flush(ctx)
	})
}
