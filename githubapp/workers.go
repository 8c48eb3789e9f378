package githubapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/callboard/callboard/internal/ghapi"
)

// ackQuiet is how long after the last acknowledgement workers wait before
// claiming work, so that a burst of webhooks is acknowledged first.
const ackQuiet = 3 * time.Millisecond

// errIgnored marks a delivery no handler acts on (ping, an action callboard
// does not need): acknowledged, counted, done.
var errIgnored = errors.New("ignored")

// permanent marks a failure that retrying cannot fix (a payload that does
// not parse, say): the delivery is parked as failed at once.
func permanent(err error) error { return ghapi.Permanent(err) }

// workers process stored deliveries: concurrently across ordering keys, in
// order within one, retrying transient failures with backoff.
type workers struct {
	store       *deliveryStore
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
			err = permanent(fmt.Errorf("handler panicked: %v", p))
		}
	}()
	return w.handle(ctx, d)
}

// timedOut is the outcome of an attempt that ran past its time limit: tried
// again later, and parked when it happens again.
func (w *workers) timedOut(d *Delivery, err error) (state, lastErr string, retryAt time.Time) {
	d.Interruptions++
	if d.Interruptions >= maxInterruptions {
		return StateFailed, fmt.Sprintf("parked: handling it ran past its time limit of %s %d times (last: %v)", w.timeout, d.Interruptions, err), time.Time{}
	}
	return StatePending, fmt.Sprintf("ran past its time limit of %s: %v", w.timeout, err), w.now().Add(w.retryBase << min(d.Attempts-1, 10))
}

func (w *workers) outcome(d *Delivery, err error) (state, lastErr string, retryAt time.Time) {
	switch {
	case err == nil:
		return StateDone, "", time.Time{}
	case errors.Is(err, errIgnored):
		reason := ""
		if err != errIgnored {
			reason = err.Error()
		}
		return StateIgnored, reason, time.Time{}
	}
	f := ghapi.Classify(err, w.now())
	if park, reason := w.tokenRefused(f, err); park {
		return StateFailed, reason, time.Time{}
	}
	if ghapi.IsPermanent(err) {
		return StateFailed, err.Error(), time.Time{}
	}
	if d.Attempts >= w.maxAttempts {
		return StateFailed, fmt.Sprintf("gave up after %d attempts: %v", d.Attempts, err), time.Time{}
	}
	// Whatever the failure, it is tried again: losing a change is worse
	// than trying again. GitHub's rate limits say when.
	var wait time.Duration
	if f.Kind == ghapi.Wait {
		wait = f.After
	}
	backoff := w.retryBase << min(d.Attempts-1, 10)
	backoff += time.Duration(rand.Int64N(int64(backoff)/4 + 1))
	return StatePending, err.Error(), w.now().Add(max(wait, backoff))
}

// clockSkew is how far GitHub's clock may be from ours before a token
// failure says so in the log: the App's JWT is refused when its issue time
// is in GitHub's future.
const clockSkew = 30 * time.Second

// tokenRefused reads a failure to get an installation token. Only an
// installation that is gone (404) or suspended (403 saying so) parks the
// delivery: retrying cannot help. Anything else (a 401 from a clock ahead
// of GitHub's, a 5xx) is retried with backoff like any failure, because
// GitHub counts the delivery as delivered and would not send it again. A
// clock GitHub's Date header disagrees with is logged.
func (w *workers) tokenRefused(f ghapi.Failure, err error) (park bool, reason string) {
	if !f.Token {
		return false, ""
	}
	if !f.Date.IsZero() {
		if skew := w.now().Sub(f.Date); skew > clockSkew || skew < -clockSkew {
			w.log.Warn("this machine's clock is off from GitHub's: the App's tokens are refused until it is set right (NTP)",
				"installation", f.Installation, "github_date", f.Date.UTC().Format(time.RFC3339), "skew", skew.Round(time.Second).String())
		}
	}
	switch f.Kind {
	case ghapi.NotFound:
		return true, fmt.Sprintf("parked: GitHub knows no installation %d any more (the App was uninstalled): %v", f.Installation, err)
	case ghapi.GiveUp:
		return true, fmt.Sprintf("parked: the App's installation %d is suspended (%s)", f.Installation, f.Message)
	}
	return false, ""
}
