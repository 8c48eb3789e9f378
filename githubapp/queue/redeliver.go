package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/callboard/callboard/internal/ghapi"
	"github.com/google/go-github/v62/github"
)

// redeliverer asks GitHub to send again the deliveries it could not hand
// over (callboard was down, a proxy failed): once the server listens, then
// periodically. What it has looked at is kept by GitHub's delivery id,
// which only grows, so each check reads only what is new since the last.
type redeliverer struct {
	app       func() (*github.Client, error) // the App's own client (JWT)
	store     *store
	every     time.Duration
	retryBase time.Duration
	now       func() time.Time
	log       *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
	asked  map[string]asked // by GUID: what this process asked GitHub to redeliver
}

// asked is what was asked to be redelivered of one GUID.
type asked struct {
	attempt int64 // the listed delivery id asked for
	times   int
	at      time.Time
}

// GitHub keeps hook deliveries for 3 days: nothing older can be listed or
// redelivered.
const redeliverWindow = 72 * time.Hour

// Bounds on one check: list pages of 100 (GitHub's largest), and at most
// maxRedeliverPages of them (30,000 deliveries), which covers the 3 days
// GitHub keeps at 10,000 deliveries a day.
const (
	redeliverPerPage  = 100
	maxRedeliverPages = 300
	// A call that fails for a reason worth retrying (5xx, rate limit,
	// network) is tried this many times, with growing waits, within a check.
	redeliverTries = 5
	// A GUID is asked for at most this many times: a redelivery that fails
	// while callboard runs means the way in is broken, and a person should look.
	maxRedeliverAttempts = 3
)

func (r *redeliverer) start(ctx context.Context) {
	ctx, r.cancel = context.WithCancel(ctx)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		failures := 0
		for {
			n, err := r.check(ctx)
			wait := r.every
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				// Not an hour: the next look comes sooner, then less often.
				failures++
				wait = min(r.every, r.retryBase<<min(failures+3, 20))
				r.log.Warn("checking for missed deliveries; trying again", "in", wait.Round(time.Millisecond), "redelivered", n, "err", err)
			default:
				failures = 0
				if n > 0 {
					r.log.Info("asked GitHub to redeliver missed deliveries", "count", n)
				}
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
}

func (r *redeliverer) stop() {
	if r.cancel != nil {
		r.cancel()
		r.wg.Wait()
	}
}

// attempt is one listed delivery of a GUID.
type attempt struct {
	id      int64
	ok      bool
	created time.Time
}

// check lists the deliveries GitHub made since the last check (by id) and
// asks GitHub to redeliver each one it never got a 2xx for and callboard
// never stored. A failed call is retried with backoff; a delivery that
// still cannot be redelivered is looked at again by the next check.
func (r *redeliverer) check(ctx context.Context) (int, error) {
	gh, err := r.app()
	if err != nil {
		return 0, err
	}
	mark, err := r.store.redeliveryMark(ctx)
	if err != nil {
		return 0, err
	}
	r.log.Debug("checking for missed deliveries", "after_id", mark)
	oldest := r.now().Add(-redeliverWindow)
	l, err := r.listSince(ctx, gh, mark, oldest)
	if err != nil {
		return 0, err
	}

	n := 0
	var errs []error
	keep := l.newest // what the next check may skip: up to the oldest delivery left to redeliver
	for _, guid := range l.order {
		attempts := l.byGUID[guid]
		redo, latest, err := r.missed(ctx, guid, attempts)
		if err != nil {
			return n, err
		}
		if !redo {
			continue
		}
		if err := r.redeliver(ctx, gh, latest.id); err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("redelivering %s: %w", guid, err))
			for _, a := range attempts {
				keep = min(keep, a.id-1)
			}
			continue
		}
		a := r.asked[guid]
		r.asked[guid] = asked{attempt: latest.id, times: a.times + 1, at: r.now()}
		n++
	}
	if l.newest > 0 {
		if err := r.store.setRedeliveryMark(ctx, max(keep, mark)); err != nil {
			errs = append(errs, err)
		}
	}
	r.forgetAsked(oldest)
	return n, errors.Join(errs...)
}

// listed is what GitHub's list of hook deliveries says since a check's mark.
type listed struct {
	byGUID map[string][]attempt
	order  []string // GUIDs, newest first
	newest int64
}

// listSince lists the deliveries after the id mark and not older than
// oldest, page by page up to maxRedeliverPages.
func (r *redeliverer) listSince(ctx context.Context, gh *github.Client, mark int64, oldest time.Time) (listed, error) {
	l := listed{byGUID: map[string][]attempt{}}
	opts := &github.ListCursorOptions{PerPage: redeliverPerPage}
	for pages := 0; ; pages++ {
		if pages == maxRedeliverPages {
			r.log.Warn("missed-delivery check stopped at its page limit", "pages", pages, "looked_back_to_id", mark)
			return l, nil
		}
		var ds []*github.HookDelivery
		var resp *github.Response
		err := r.retry(ctx, func() error {
			var err error
			ds, resp, err = gh.Apps.ListHookDeliveries(ctx, opts)
			return err
		})
		if err != nil {
			return l, fmt.Errorf("listing hook deliveries: %w", err)
		}
		if done := l.add(ds, mark, oldest); done || resp.Cursor == "" {
			return l, nil
		}
		opts.Cursor = resp.Cursor
	}
}

// add records a page of deliveries, and reports whether it reached one at
// or before the mark or older than oldest (where the listing stops).
func (l *listed) add(ds []*github.HookDelivery, mark int64, oldest time.Time) bool {
	for _, d := range ds {
		if d.GetID() <= mark || d.GetDeliveredAt().Time.Before(oldest) {
			return true
		}
		l.newest = max(l.newest, d.GetID())
		guid := d.GetGUID()
		if _, seen := l.byGUID[guid]; !seen {
			l.order = append(l.order, guid)
		}
		code := d.GetStatusCode()
		l.byGUID[guid] = append(l.byGUID[guid], attempt{id: d.GetID(), ok: code >= 200 && code < 300, created: d.GetDeliveredAt().Time})
	}
	return false
}

// redeliver asks GitHub to deliver the attempt id again, with retries.
func (r *redeliverer) redeliver(ctx context.Context, gh *github.Client, id int64) error {
	return r.retry(ctx, func() error {
		_, _, err := gh.Apps.RedeliverHookDelivery(ctx, id)
		var accepted *github.AcceptedError // 202 is success
		if errors.As(err, &accepted) {
			return nil
		}
		return err
	})
}

// missed reports whether a GUID needs redelivering, and its latest attempt:
// GitHub never got a 2xx for it, callboard never stored it, it was not
// asked for already, and GitHub has not tried it too often.
func (r *redeliverer) missed(ctx context.Context, guid string, attempts []attempt) (bool, attempt, error) {
	latest := attempts[0]
	for _, a := range attempts {
		if a.ok {
			return false, latest, nil
		}
		if a.created.After(latest.created) || (a.created.Equal(latest.created) && a.id > latest.id) {
			latest = a
		}
	}
	if a, ok := r.asked[guid]; ok && (a.attempt == latest.id || a.times >= maxRedeliverAttempts) {
		return false, latest, nil // asked already, or asked enough: a person should look
	}
	known, err := r.store.known(ctx, guid)
	return !known, latest, err
}

// retry runs call until it succeeds, fails for a reason retrying cannot
// fix, or has been tried redeliverTries times, waiting longer each time
// (or as long as GitHub asked).
func (r *redeliverer) retry(ctx context.Context, call func() error) error {
	var err error
	for i := range redeliverTries {
		if err = call(); err == nil {
			return nil
		}
		f := ghapi.Classify(err, r.now())
		if !f.Transient() {
			return err
		}
		wait := f.After
		if i == redeliverTries-1 {
			break
		}
		backoff := r.retryBase << i
		backoff += time.Duration(rand.Int64N(int64(backoff)/4 + 1))
		t := time.NewTimer(min(max(wait, backoff), time.Minute))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return err
}

// forgetAsked drops the GUIDs asked for before GitHub's retention began.
func (r *redeliverer) forgetAsked(before time.Time) {
	for guid, a := range r.asked {
		if a.at.Before(before) {
			delete(r.asked, guid)
		}
	}
}
