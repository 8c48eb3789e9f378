package queue

import (
	"context"
	"log/slog"
	"time"

	"github.com/callboard/callboard/sqlite"
	"github.com/google/go-github/v62/github"
	"github.com/prometheus/client_golang/prometheus"
)

// Handler processes one delivery; what it returns decides the delivery's
// state (see the package comment).
type Handler func(ctx context.Context, d *Delivery) error

// Config tunes the queue. Zero values take the defaults.
type Config struct {
	Workers     int           // deliveries processed at once (default 4)
	MaxAttempts int           // before a delivery is parked as failed (default 8)
	RetryBase   time.Duration // first retry delay, doubling (default 2 s)
	// Timeout bounds one attempt at a delivery (default 10 min); an
	// attempt cut short twice, by this or by the process dying, parks it.
	Timeout time.Duration
	// RedeliverEvery is how often missed deliveries are looked for (default 1 h; <0 disables).
	RedeliverEvery time.Duration
	// PayloadRetention is how long a delivery's payload is kept
	// (CALLBOARD_DELIVERY_RETENTION, default DefaultPayloadRetention); its
	// row is kept RowRetention.
	PayloadRetention time.Duration
	Now              func() time.Time
	Logger           *slog.Logger
	Metrics          prometheus.Registerer
}

// Queue is the durable queue of webhook deliveries.
type Queue struct {
	cfg       Config
	store     *store
	inserter  *inserter
	workers   *workers
	pruner    *pruner
	redeliver *redeliverer
}

// New returns the queue of deliveries kept in db, handled by handle.
func New(db *sqlite.DB, cfg Config, handle Handler) *Queue {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 2 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Minute
	}
	if cfg.RedeliverEvery == 0 {
		cfg.RedeliverEvery = time.Hour
	}
	if cfg.PayloadRetention <= 0 {
		cfg.PayloadRetention = DefaultPayloadRetention
	}
	q := &Queue{cfg: cfg, store: &store{db: db, now: cfg.Now}}
	q.inserter = newInserter(q.store)
	q.workers = &workers{
		store: q.store, handle: handle, log: cfg.Logger, metrics: newMetrics(cfg.Metrics), n: cfg.Workers,
		maxAttempts: cfg.MaxAttempts, retryBase: cfg.RetryBase, timeout: cfg.Timeout, now: cfg.Now,
		wakeC: make(chan struct{}, 1), busy: map[string]bool{}, ackedRecently: q.inserter.lastStored,
	}
	q.pruner = &pruner{store: q.store, keepPayload: cfg.PayloadRetention, log: cfg.Logger}
	return q
}

// Add stores a delivery durably (in a transaction it may share with
// deliveries stored at the same moment) and wakes the workers; dup is true
// when it was received before (by its delivery id, or its body within the
// replay window), and is then not stored again.
func (q *Queue) Add(ctx context.Context, d *Delivery) (dup bool, err error) {
	dup, err = q.inserter.insert(ctx, d)
	if err == nil && !dup {
		q.workers.wake()
	}
	return dup, err
}

// Start resumes the deliveries a stop interrupted, and starts the group
// commit, the workers and the pruning of old deliveries.
func (q *Queue) Start(ctx context.Context) error {
	q.inserter.start()
	if err := q.workers.start(ctx); err != nil {
		return err
	}
	q.pruner.start(ctx)
	return nil
}

// Redeliver starts the missed-delivery check with the App's own client
// (app): at once, then every RedeliverEvery (unless that is negative).
// Call it once the webhook route accepts connections: the deliveries it
// asks GitHub for arrive at once.
func (q *Queue) Redeliver(ctx context.Context, app func() (*github.Client, error)) {
	if q.cfg.RedeliverEvery < 0 {
		return
	}
	q.redeliverer(app).start(ctx)
}

// CheckMissed looks for missed deliveries once, now, and asks GitHub to
// send them again; it returns how many it asked for.
func (q *Queue) CheckMissed(ctx context.Context, app func() (*github.Client, error)) (int, error) {
	return q.redeliverer(app).check(ctx)
}

// redeliverer is the queue's one missed-delivery check: what it asked for
// is remembered from one check to the next.
func (q *Queue) redeliverer(app func() (*github.Client, error)) *redeliverer {
	if q.redeliver == nil {
		q.redeliver = &redeliverer{app: app, store: q.store, every: q.cfg.RedeliverEvery, retryBase: q.cfg.RetryBase,
			now: q.cfg.Now, log: q.cfg.Logger, asked: map[string]asked{}}
	}
	return q.redeliver
}

// Stop takes no more work and drains what is in flight, within ctx.
func (q *Queue) Stop(ctx context.Context) {
	if q.redeliver != nil {
		q.redeliver.stop()
	}
	q.pruner.stop()
	q.workers.stop(ctx)
	q.inserter.stop()
}

// Depth counts the deliveries not yet finished (pending or processing).
func (q *Queue) Depth(ctx context.Context) (int, error) { return q.store.depth(ctx) }

// Received reports whether a delivery id was received.
func (q *Queue) Received(ctx context.Context, guid string) (bool, error) {
	return q.store.known(ctx, guid)
}
