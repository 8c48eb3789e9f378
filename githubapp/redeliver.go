package githubapp

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
)

// redeliverer asks GitHub to send again the deliveries it could not hand
// over (callboard was down, a proxy failed): on start, then periodically.
type redeliverer struct {
	app   *App
	every time.Duration

	cancel context.CancelFunc
	wg     sync.WaitGroup
	last   time.Time // deliveries older than this were checked before
}

// redeliverWindow is how far back the first check looks; GitHub keeps
// deliveries for 3 days.
const redeliverWindow = 72 * time.Hour

func (r *redeliverer) start(ctx context.Context) {
	ctx, r.cancel = context.WithCancel(ctx)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.every)
		defer t.Stop()
		for {
			if n, err := r.check(ctx); err != nil {
				if ctx.Err() == nil {
					r.app.log.Warn("checking for missed deliveries", "err", err)
				}
			} else if n > 0 {
				r.app.log.Info("asked GitHub to redeliver missed deliveries", "count", n)
			}
			select {
			case <-ctx.Done():
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

// check lists recent deliveries and redelivers each one GitHub never got a
// 2xx for and callboard never stored, once per GUID.
func (r *redeliverer) check(ctx context.Context) (int, error) {
	gh, err := r.app.clients.App()
	if err != nil {
		return 0, err
	}
	since := r.last
	if since.IsZero() {
		since = r.app.cfg.Now().Add(-redeliverWindow)
	}
	started := r.app.cfg.Now()
	type attempt struct {
		id      int64
		ok      bool
		created time.Time
	}
	byGUID := map[string][]attempt{}
	opts := &github.ListCursorOptions{PerPage: 100}
	done := false
	for !done {
		ds, resp, err := gh.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			return 0, fmt.Errorf("listing hook deliveries: %w", err)
		}
		for _, d := range ds {
			at := d.GetDeliveredAt().Time
			if at.Before(since) {
				done = true
				break
			}
			code := d.GetStatusCode()
			byGUID[d.GetGUID()] = append(byGUID[d.GetGUID()], attempt{id: d.GetID(), ok: code >= 200 && code < 300, created: at})
		}
		if resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	n := 0
	for guid, attempts := range byGUID {
		okOnce := false
		latest := attempts[0]
		for _, a := range attempts {
			okOnce = okOnce || a.ok
			if a.created.After(latest.created) {
				latest = a
			}
		}
		if okOnce {
			continue
		}
		known, err := r.app.deliveries.known(ctx, guid)
		if err != nil {
			return n, err
		}
		if known || len(attempts) > 3 {
			continue // stored already, or GitHub has tried enough: a person should look
		}
		if _, _, err := gh.Apps.RedeliverHookDelivery(ctx, latest.id); err != nil {
			// 202 comes back as an AcceptedError from go-github: that is success.
			if _, accepted := err.(*github.AcceptedError); !accepted {
				return n, fmt.Errorf("redelivering %s: %w", guid, err)
			}
		}
		n++
	}
	r.last = started
	return n, nil
}
