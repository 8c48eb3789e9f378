package githubapp

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/callboard/callboard/internal/ghapi"
)

// graphql sends a query within the budget: it waits while the query would
// take the GraphQL budget below its reserve, and retries what GitHub asks
// to retry.
func (j *job) graphql(ctx context.Context, query string, vars map[string]any) (*gqlAnswer, error) {
	for attempt := 0; ; attempt++ {
		var cost int
		j.count(func() { cost = max(1, j.estCost[operation(query)]) })
		if err := j.spend(ctx, resourceGraphQL, cost); err != nil {
			return nil, err
		}
		ans, err := postGraphQL(ctx, j.gh, j.b.sync.graphql, query, vars)
		if errors.Is(err, errRateLimited) && attempt < 5 {
			// Spent elsewhere meanwhile (webhook work): wait for the reset.
			st := j.bud.state(resourceGraphQL)
			j.bud.set(resourceGraphQL, st.limit, 0, st.reset)
			continue
		}
		if err != nil && attempt < 3 {
			f := ghapi.Classify(err, j.b.now())
			if f.Kind == ghapi.Retry || f.Kind == ghapi.Wait {
				if err := sleep(ctx, max(f.After, time.Duration(attempt+1)*time.Second)); err != nil {
					return nil, err
				}
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		if c := rateLimitOf(ans, j.bud); c > 0 {
			j.count(func() { j.points, j.estCost[operation(query)] = j.points+c, c })
		}
		return ans, nil
	}
}

// spend waits until cost can be spent of resource without taking it below
// the reserve. An unknown budget (or one whose reset has passed) is read
// first from GET /rate_limit, which costs nothing; where that does not
// answer (rate limits off on GitHub Enterprise Server), it goes ahead.
func (j *job) spend(ctx context.Context, resource string, cost int) error {
	for {
		st := j.bud.state(resource)
		now := j.b.now()
		if !st.known || !now.Before(st.reset) {
			err := j.bud.refresh(ctx, j.gh.Client(), j.b.clients.APIURL())
			if errors.Is(err, errNoRateLimit) {
				return nil
			}
			if err != nil {
				return err
			}
			if st = j.bud.state(resource); !st.known {
				return nil
			}
		}
		if st.remaining-cost >= reserveOf(st.limit, j.b.reserve) {
			return nil
		}
		until := st.reset.Add(j.b.margin)
		if !until.After(now) {
			until = now.Add(j.b.margin)
		}
		j.b.log.Info("backfill paused to keep the reserve for webhook work", "installation", j.inst, "resource", resource,
			"remaining", st.remaining, "reserve", reserveOf(st.limit, j.b.reserve), "until", until.Format(time.RFC3339))
		j.pausedUntil(until)
		t0 := time.Now()
		if err := sleep(ctx, until.Sub(now)); err != nil {
			return err
		}
		j.count(func() { j.paused += time.Since(t0) })
		j.pausedUntil(time.Time{})
		// The reset has passed: the budget is read again above.
		j.bud.set(resource, st.limit, st.remaining, time.Time{})
	}
}

// operation is a query's kind: what comes before its variables.
func operation(query string) string {
	op, _, _ := strings.Cut(query, "(")
	return op
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
