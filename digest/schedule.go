package digest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// DefaultSchedule is DIGEST_SCHEDULE's default: Mondays at 09:00.
const DefaultSchedule = "0 9 * * MON"

// Scheduler sends the digest on a cron schedule, in the digest's time zone.
// Each run sends the last complete ISO week. On Start it sends the digest
// of the most recent scheduled time when that was missed (the server was
// down), and every RetryEvery it retries sends of that week that failed.
type Scheduler struct {
	svc   *Service
	spec  string
	sched cron.Schedule
	log   *slog.Logger
	// RetryEvery is how often failed sends are retried (default 15 minutes).
	RetryEvery time.Duration
	// Since is when callboard started recording (its database was
	// created): a week that began before it is not caught up at start, as
	// callboard did not see it. callboard digest --week W --send still
	// sends one by hand.
	Since time.Time

	mu      sync.Mutex // guards c and cancel
	c       *cron.Cron
	cancel  context.CancelFunc
	workers sync.WaitGroup // the catch-up at start
	running sync.Mutex     // one send at a time
}

// NewScheduler parses spec (five fields, or a descriptor such as @weekly).
func NewScheduler(svc *Service, spec string, logger *slog.Logger) (*Scheduler, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("DIGEST_SCHEDULE %q: %v", spec, err)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Scheduler{svc: svc, spec: spec, sched: sched, log: logger, RetryEvery: 15 * time.Minute}, nil
}

// Next returns when the digest is next sent.
func (s *Scheduler) Next() time.Time {
	return s.sched.Next(s.svc.cfg.Now().In(s.svc.Location()))
}

// lastFire returns the latest time at or before now that sched fires, looking
// back at most 35 days; zero when there is none in that span.
func lastFire(sched cron.Schedule, now time.Time) time.Time {
	var last time.Time
	for t := sched.Next(now.AddDate(0, 0, -35)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		last = t
	}
	return last
}

// Start begins the schedule and, in the background, the catch-up of a
// missed digest. It returns at once; Stop ends both.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		return fmt.Errorf("digest schedule already started")
	}
	// Runs outlive a cancelled ctx (SIGTERM): Stop waits for them, and
	// cancels them only when its own deadline passes.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	s.c = cron.New(cron.WithLocation(s.svc.Location()), cron.WithLogger(cronLogger{s.log}), cron.WithChain(cron.Recover(cronLogger{s.log})))
	s.c.Schedule(s.sched, cron.FuncJob(func() { s.run(runCtx, "schedule", s.svc.LastWeek()) }))
	s.c.Schedule(cron.Every(s.RetryEvery), cron.FuncJob(func() { s.retry(runCtx) }))
	s.c.Start()
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		s.catchUp(runCtx)
	}()
	s.log.Info("digest schedule started", "schedule", s.spec, "timezone", s.svc.Location().String(), "next", s.Next().Format(time.RFC3339))
	return nil
}

// Stop ends the schedule and waits for a send in progress; when ctx ends
// first, the send is cancelled and Stop returns ctx's error.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	c, cancel := s.c, s.cancel
	s.c, s.cancel = nil, nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	cronDone := c.Stop()
	done := make(chan struct{})
	go func() {
		s.workers.Wait()
		<-cronDone.Done()
		close(done)
	}()
	select {
	case <-done:
		cancel()
		return nil
	case <-ctx.Done():
		cancel()
		// A cancelled send returns promptly; do not hang shutdown on one that does not.
		select {
		case <-done:
		case <-time.After(time.Second):
		}
		return fmt.Errorf("stopping the digest schedule: %w", ctx.Err())
	}
}

// target is the week the most recent scheduled run reported (or would have).
func (s *Scheduler) target() (Week, bool) {
	loc := s.svc.Location()
	last := lastFire(s.sched, s.svc.cfg.Now().In(loc))
	if last.IsZero() {
		return Week{}, false
	}
	return WeekOf(last, loc).Add(-1), true
}

func (s *Scheduler) catchUp(ctx context.Context) {
	w, ok := s.target()
	if !ok {
		return
	}
	if w.Start(s.svc.Location()).Before(s.Since) {
		s.log.Info("no digest to catch up: its week began before callboard's database was created (callboard digest --week W --send sends it by hand)",
			"week", w.String(), "database_created", s.Since.UTC().Format(time.RFC3339), "next", s.Next().Format(time.RFC3339))
		return
	}
	s.run(ctx, "catch-up", w)
}

func (s *Scheduler) retry(ctx context.Context) {
	w, ok := s.target()
	if !ok {
		return
	}
	pending, err := s.svc.Pending(ctx, w)
	if err != nil {
		s.log.Error("checking the digest's sends", "week", w.String(), "err", err)
		return
	}
	if pending {
		s.run(ctx, "retry", w)
	}
}

func (s *Scheduler) run(ctx context.Context, why string, w Week) {
	if !s.running.TryLock() {
		s.log.Info("digest send already running; skipped", "why", why, "week", w.String())
		return
	}
	defer s.running.Unlock()
	rep, err := s.svc.Send(ctx, w)
	if err != nil {
		// Each failure was logged where it happened; this is the summary.
		s.log.Warn("digest run finished with failures", "why", why, "week", w.String(), "sent", len(rep.Sent), "failed", len(rep.Failed))
		return
	}
	if len(rep.Sent) > 0 || why == "schedule" {
		s.log.Info("digest run finished", "why", why, "week", w.String(), "sent", len(rep.Sent), "already_sent", len(rep.Skipped))
	}
}

// cronLogger sends cron's own messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
