package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/callboard/callboard/internal/ghapi"
)

// ackQuiet is how long after the last acknowledgement workers wait before
// claiming work, so that a burst of webhooks is acknowledged first.
const ackQuiet = 3 * time.Millisecond

// workers process stored deliveries: concurrently across ordering keys, in
// order within one, retrying transient failures with backoff.
type workers struct {
	store       *store
	handle      func(ctx context.Context, d *Delivery) error
	log         *slog.Logger
	metrics     *metrics
	n           int
	maxAttempts int
	retryBase   time.Duration
	timeout     time.Duration // one attempt's time limit
	now         func() time.Time

	// ackedRecently returns when the receiver last stored a delivery.
	ackedRecently func() time.Time

	wakeC chan struct{}
	mu    sync.Mutex
	busy  map[string]bool
	wg    sync.WaitGroup // in-flight deliveries
	done  chan struct{}  // closed when the dispatcher returns
	// workCtx is what handlers run under; cancelled only when draining times out.
	workCtx    context.Context
	cancelWork context.CancelFunc
	stopLoop   context.CancelFunc
}

func (w *workers) wake() {
	select {
	case w.wakeC <- struct{}{}:
	default:
	}
}

// start resumes unfinished deliveries and runs the dispatcher until stop.
func (w *workers) start(ctx context.Context) error {
	n, parked, err := w.store.resume(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("resuming deliveries interrupted by the last stop", "count", n)
	}
	for _, id := range parked {
		w.log.Error("delivery parked: callboard stopped while handling it, again (see callboard deliveries)", "delivery", id)
	}
	w.workCtx, w.cancelWork = context.WithCancel(context.WithoutCancel(ctx))
	loopCtx, cancel := context.WithCancel(ctx)
	w.stopLoop = cancel
	w.done = make(chan struct{})
	go w.loop(loopCtx)
	w.wake()
	return nil
}

// stop takes no more work and waits for deliveries in flight; when ctx ends
// first, their contexts are cancelled and they are left pending for the next start.
func (w *workers) stop(ctx context.Context) {
	if w.stopLoop == nil {
		return
	}
	w.stopLoop()
	<-w.done
	idle := make(chan struct{})
	go func() { w.wg.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-ctx.Done():
		w.cancelWork()
		<-idle
	}
	w.cancelWork()
}

func (w *workers) loop(ctx context.Context) {
	defer close(w.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		// Acknowledgements first: while webhooks are arriving in a burst,
		// claiming work would queue behind (and ahead of) their writes on the
		// one write connection. Work waits a moment; it is stored already.
		if w.ackedRecently != nil {
			for quiet := ackQuiet - time.Since(w.ackedRecently()); quiet > 0; quiet = ackQuiet - time.Since(w.ackedRecently()) {
				select {
				case <-ctx.Done():
					return
				case <-time.After(quiet):
				}
			}
		}
		w.dispatch(ctx)
		wait := time.Minute
		if due, err := w.store.nextDue(ctx); err == nil && !due.IsZero() {
			wait = max(min(due.Sub(w.now()), time.Minute), 10*time.Millisecond)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-w.wakeC:
		case <-timer.C:
		}
	}
}

func (w *workers) dispatch(ctx context.Context) {
	w.mu.Lock()
	free := w.n - len(w.busy)
	busy := maps.Clone(w.busy)
	w.mu.Unlock()
	if free <= 0 || ctx.Err() != nil {
		return
	}
	ds, err := w.store.claim(ctx, free, busy)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("claiming deliveries", "err", err)
		}
		return
	}
	if depth, err := w.store.depth(ctx); err == nil {
		w.metrics.queueDepth.Set(float64(depth))
	}
	for _, d := range ds {
		w.mu.Lock()
		w.busy[d.OrderingKey] = true
		w.mu.Unlock()
		w.wg.Add(1)
		go w.process(d)
	}
}

func (w *workers) process(d *Delivery) {
	defer w.wg.Done()
	defer func() {
		w.mu.Lock()
		delete(w.busy, d.OrderingKey)
		w.mu.Unlock()
		w.wake()
	}()
	log := w.log.With("delivery", d.DeliveryID, "event", d.Event, "action", d.Action, "installation", d.InstallationID, "repository", d.Repository)
	start := w.now()
	ctx, cancel := context.WithTimeout(w.workCtx, w.timeout)
	err := w.safeHandle(ctx, d)
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded) && w.workCtx.Err() == nil
	cancel()
	w.metrics.processing.WithLabelValues(d.Event).Observe(w.now().Sub(start).Seconds())
	state, lastErr, retryAt := w.outcome(d, err)
	if timedOut && state != StateDone && state != StateIgnored {
		state, lastErr, retryAt = w.timedOut(d, err)
	}
	if ferr := w.record(log, d, state, lastErr, retryAt); ferr != nil {
		log.Error("recording the delivery's outcome; it stays processing until the next start resumes it", "err", ferr)
		return
	}
	w.metrics.outcomes.WithLabelValues(d.Event, state).Inc()
	switch state {
	case StateDone:
		log.Info("delivery processed", "took", w.now().Sub(start).Round(time.Millisecond))
	case StateIgnored:
		log.Debug("delivery ignored")
	case StatePending:
		log.Warn("delivery will be retried", "attempt", d.Attempts, "at", retryAt.Format(time.RFC3339), "err", err)
	case StateFailed:
		log.Error("delivery failed and is parked (see callboard deliveries)", "attempts", d.Attempts, "err", err)
	}
}

// record stores how processing ended, even when the work context was
// cancelled. A delivery left marked processing is claimed by no worker until
// the next start, so a busy database (another process holding the write
// lock for longer than one try waits) is tried again until it answers, or
// until stop gives up draining.
func (w *workers) record(log *slog.Logger, d *Delivery, state, lastErr string, retryAt time.Time) error {
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := w.store.finish(ctx, d, state, lastErr, retryAt)
		cancel()
		if err == nil {
			return nil
		}
		log.Warn("recording the delivery's outcome; trying again", "in", wait, "err", err)
		select {
		case <-w.workCtx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// safeHandle runs the handler, turning a panic into a permanent failure so
// one bad payload cannot take the process down.
func (w *workers) safeHandle(ctx context.Context, d *Delivery) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = ghapi.Permanent(fmt.Errorf("handler panicked: %v", p))
		}
	}()
	return w.handle(ctx, d)
}
