package digest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func TestLastFire(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	sched, err := cron.ParseStandard(DefaultSchedule)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now, want string // Berlin wall clock
	}{
		{"2026-11-23 09:30", "2026-11-23 09:00"},
		{"2026-11-23 09:00", "2026-11-23 09:00"},
		{"2026-11-23 08:59", "2026-11-16 09:00"},
		{"2026-11-26 12:00", "2026-11-23 09:00"},
		// Across the change to summer time (29 March 2026): still 09:00 local.
		{"2026-03-30 10:00", "2026-03-30 09:00"},
	}
	for _, tc := range tests {
		now, _ := time.ParseInLocation("2006-01-02 15:04", tc.now, berlin)
		got := lastFire(sched, now).In(berlin).Format("2006-01-02 15:04")
		if got != tc.want {
			t.Errorf("lastFire at %s = %s, want %s", tc.now, got, tc.want)
		}
	}
	if !lastFire(mustSchedule(t, "0 9 1 1 *"), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		t.Error("a yearly schedule found a fire within 35 days")
	}
}

func mustSchedule(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSchedulerRefusesBadSpec(t *testing.T) {
	f := newFixture(t)
	if _, err := NewScheduler(f.service(t, nil), "every monday", nil); err == nil || !strings.Contains(err.Error(), "DIGEST_SCHEDULE") {
		t.Errorf("err %v, want one naming DIGEST_SCHEDULE", err)
	}
}

func TestSchedulerCatchesUpAMissedDigest(t *testing.T) {
	f := newFixture(t) // Monday 09:30 in Berlin: the 09:00 run was missed
	svc := f.service(t, nil)
	for round := range 2 {
		s, err := NewScheduler(svc, DefaultSchedule, quietLogger())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if next := s.Next().In(f.berlin).Format("Mon 2006-01-02 15:04"); next != "Mon 2026-11-30 09:00" {
			t.Errorf("next run %s, want Mon 2026-11-30 09:00", next)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		if err := s.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		// Stop waited for the catch-up; a restart sends nothing more.
		if n := len(f.smtp.Messages()); n != 2 {
			t.Fatalf("round %d: the SMTP server has %d messages, want 2", round, n)
		}
		if n := len(f.slack.Posts()); n != 1 {
			t.Errorf("round %d: %d Slack posts, want 1", round, n)
		}
	}
	subj := parseMail(t, f.smtp.Messages()[0].Data).Header.Get("Subject")
	if !strings.Contains(subj, "2026-W47") {
		t.Errorf("caught up with %q, want last week's digest (2026-W47)", subj)
	}
}

func TestSchedulerRetriesFailedSends(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	s, err := NewScheduler(svc, DefaultSchedule, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	f.smtp.down.Store(true)
	s.catchUp(t.Context())
	if n := len(f.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages through a server that is down", n)
	}
	f.smtp.down.Store(false)
	s.retry(t.Context())
	if n := len(f.smtp.Messages()); n != 2 {
		t.Errorf("after the retry the SMTP server has %d messages, want 2", n)
	}
	s.retry(t.Context())
	if n := len(f.smtp.Messages()); n != 2 {
		t.Errorf("a retry with nothing pending sent again: %d messages", n)
	}
}

// blockingMailer holds every send until released, or until its context ends.
type blockingMailer struct {
	started chan struct{}
	release chan struct{}
	sends   atomic.Int32
}

func (m *blockingMailer) Send(ctx context.Context, _ Message) error {
	m.started <- struct{}{}
	select {
	case <-m.release:
		m.sends.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestSchedulerStopWaitsForASend(t *testing.T) {
	for _, tc := range []struct {
		name    string
		release bool
	}{{"send finishes", true}, {"deadline passes", false}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			m := &blockingMailer{started: make(chan struct{}, 4), release: make(chan struct{})}
			svc, err := New(Config{Catalog: f.st, Records: NewStore(f.st.db), Location: f.berlin, Mailer: m,
				From: "callboard@acme.example", To: []string{"platform-team@acme.example"}, Now: f.clock.Now, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewScheduler(svc, DefaultSchedule, quietLogger())
			if err != nil {
				t.Fatal(err)
			}
			// ctx is cancelled at once, as serve's is on SIGTERM: the send must go on.
			startCtx, cancelStart := context.WithCancel(t.Context())
			if err := s.Start(startCtx); err != nil {
				t.Fatal(err)
			}
			<-m.started
			cancelStart()
			stopCtx, cancel := context.WithCancel(t.Context())
			defer cancel()
			stopped := make(chan error, 1)
			go func() { stopped <- s.Stop(stopCtx) }()
			select {
			case err := <-stopped:
				t.Fatalf("Stop returned (%v) while a send was running", err)
			case <-time.After(100 * time.Millisecond):
			}
			if tc.release {
				close(m.release)
				if err := <-stopped; err != nil {
					t.Errorf("Stop: %v", err)
				}
				// DIGEST_TO and Platform, the owner of techdocs.
				if m.sends.Load() != 2 {
					t.Errorf("%d sends completed, want 2", m.sends.Load())
				}
				return
			}
			cancel()
			if err := <-stopped; !errors.Is(err, context.Canceled) {
				t.Errorf("Stop: %v, want the deadline's error", err)
			}
			// The cancelled send is recorded as failed, so the next run retries it.
			if pending, err := svc.Pending(t.Context(), Week{2026, 47}); err != nil || !pending {
				t.Errorf("Pending = %v, %v after a cancelled send; want true", pending, err)
			}
		})
	}
}
