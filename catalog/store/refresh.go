package store

import (
	"context"
	"slices"
	"sync"
	"time"
)

// What readers asked for lately (a first page's count, a facet) is
// computed again soon after the catalog changes, in the background, so
// that the first request after a change finds it kept rather than paying
// for it: once the catalog's version has stayed the same for a tick, the
// refreshMax answers asked for most recently (within refreshWithin) are
// computed for it. A catalog that changes at every tick (a backfill
// writing) is left alone until it settles; a version a reader has counted
// already is not counted again. What it costs is bounded: a round stops
// after refreshBudget, and rounds are refreshGap apart at least (at 100,000
// entities a count is ~0.1 s: at most half a core while the
// catalog keeps changing, nothing while it does not).
const (
	refreshTick   = 250 * time.Millisecond
	refreshGap    = time.Second
	refreshMax    = 8
	refreshWithin = 10 * time.Minute
	recentMax     = 64 // answers remembered as asked for
	refreshBudget = 500 * time.Millisecond
)

// recompute computes an answer again in tx, at version, and keeps it.
type recompute func(ctx context.Context, tx queryer, version int64) error

type refresher struct {
	mu      sync.Mutex
	recent  map[string]*recentAnswer
	start   sync.Once
	cancel  context.CancelFunc // stops the loop, and a round under way
	loop    sync.WaitGroup
	stopped bool
}

type recentAnswer struct {
	used    time.Time
	compute recompute
}

// asked notes that the answer named key was asked for, and how to compute
// it again; the first starts the refresher.
func (s *Store) asked(key string, compute recompute) {
	r := &s.refresh
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	now := time.Now()
	if a, ok := r.recent[key]; ok {
		a.used = now
		return
	}
	if r.recent == nil {
		r.recent = make(map[string]*recentAnswer)
	}
	if len(r.recent) >= recentMax {
		oldest := ""
		for k, a := range r.recent {
			if oldest == "" || a.used.Before(r.recent[oldest].used) {
				oldest = k
			}
		}
		delete(r.recent, oldest)
	}
	r.recent[key] = &recentAnswer{used: now, compute: compute}
	r.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		r.cancel = cancel
		r.loop.Add(1)
		go s.refreshLoop(ctx)
	})
}

// refreshLoop watches the catalog's version and refreshes what was asked
// for once a new version has settled, until the store closes.
func (s *Store) refreshLoop(ctx context.Context) {
	defer s.refresh.loop.Done()
	tick := time.NewTicker(refreshTick)
	defer tick.Stop()
	seen, refreshed := int64(-1), int64(-1)
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var v int64
		if err := s.db.QueryRow(ctx, `SELECT n FROM catalog_version WHERE id = 1`).Scan(&v); err != nil {
			continue
		}
		if v == seen && v != refreshed && time.Since(last) >= refreshGap {
			s.refreshAt(ctx, v)
			refreshed, last = v, time.Now()
		}
		seen = v
	}
}

// refreshAt computes again, at version, the answers asked for most
// recently; nothing when the catalog has changed again meanwhile.
func (s *Store) refreshAt(ctx context.Context, version int64) {
	r := &s.refresh
	r.mu.Lock()
	var due []recentAnswer // copies: a reader may mark one used meanwhile
	for _, a := range r.recent {
		if time.Since(a.used) < refreshWithin {
			due = append(due, *a)
		}
	}
	r.mu.Unlock()
	if len(due) == 0 {
		return
	}
	slices.SortFunc(due, func(a, b recentAnswer) int { return b.used.Compare(a.used) }) // the most recently asked first
	due = due[:min(len(due), refreshMax)]
	ctx, cancel := context.WithTimeout(ctx, refreshBudget)
	defer cancel()
	_ = s.readTx(ctx, func(tx queryer) error {
		v, err := catalogVersion(ctx, tx)
		if err != nil || v != version {
			return err
		}
		for _, a := range due {
			if err := a.compute(ctx, tx, v); err != nil {
				return err // out of time, most likely: the rest wait for their readers
			}
		}
		return nil
	})
}

// stopRefresh stops the refresher and waits for it.
func (s *Store) stopRefresh() {
	r := &s.refresh
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return
	}
	r.stopped = true
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
		r.loop.Wait()
	}
}
