package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// GitHub gives an installation two budgets an hour: REST requests
// ("core") and GraphQL points ("graphql"). A backfill spends them only
// down to a reserve, which stays for webhook work and pull-request checks.
const (
	resourceCore    = "core"
	resourceGraphQL = "graphql"
)

// defaultReserve is the share of each budget a backfill leaves alone: 20 %
// (1,000 of GitHub's 5,000 an hour) is some 300 pull-request checks.
const defaultReserve = 0.2

// rateState is what GitHub last said of one budget.
type rateState struct {
	known            bool
	limit, remaining int
	reset            time.Time
}

// budget is an installation's two budgets, as its responses report them
// (X-RateLimit-* headers, GraphQL's rateLimit); every client of the
// installation feeds it, so a backfill sees what webhook work spends.
type budget struct {
	mu  sync.Mutex
	res map[string]*rateState
}

func newBudget() *budget {
	return &budget{res: map[string]*rateState{resourceCore: {}, resourceGraphQL: {}}}
}

// observe reads a response's rate-limit headers; resource is the one the
// request spent when the response does not name it.
func (b *budget) observe(resource string, h http.Header) {
	rem, err := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if err != nil {
		return
	}
	if r := h.Get("X-RateLimit-Resource"); r != "" {
		resource = r
	}
	limit, _ := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	reset, _ := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	b.set(resource, limit, rem, time.Unix(reset, 0))
}

func (b *budget) set(resource string, limit, remaining int, reset time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.res[resource]
	if st == nil {
		return // search, code_scanning_upload, …: not budgets a backfill spends
	}
	*st = rateState{known: true, limit: max(limit, st.limit), remaining: remaining, reset: reset}
}

// state returns what is known of a budget.
func (b *budget) state(resource string) rateState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return *b.res[resource]
}

// reserveOf is what a backfill leaves of a budget of limit.
func reserveOf(limit int, share float64) int {
	return int(math.Ceil(float64(limit) * share))
}

// errBudgetUnknown: the budget must be read before spending it.
type pause struct {
	Resource string
	Until    time.Time
}

// need says whether spending cost of resource now would take it below
// its reserve, and until when to wait if so. An unknown budget (no
// response yet, or its reset passed) must be read first (stale true).
func (b *budget) need(resource string, cost int, share float64, now time.Time) (wait *pause, stale bool) {
	st := b.state(resource)
	if !st.known || !now.Before(st.reset) {
		return nil, true
	}
	if st.remaining-cost >= reserveOf(st.limit, share) {
		return nil, false
	}
	return &pause{Resource: resource, Until: st.reset}, false
}

// errNoRateLimit: GitHub Enterprise Server with rate limits off.
var errNoRateLimit = errors.New("GitHub has no rate limit")

// refresh reads both budgets from GET /rate_limit, which GitHub does not
// count against either. A GitHub without rate limits answers 404
// (errNoRateLimit); a failure to reach it at all (a token refused) is the
// caller's to classify.
func (b *budget) refresh(ctx context.Context, client *http.Client, apiURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL+"rate_limit", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("reading the rate limit: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: GET /rate_limit answered %s", errNoRateLimit, resp.Status)
	}
	var out struct {
		Resources map[string]struct {
			Limit     int   `json:"limit"`
			Remaining int   `json:"remaining"`
			Reset     int64 `json:"reset"`
		} `json:"resources"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&out); err != nil {
		return fmt.Errorf("reading the rate limit: %w", err)
	}
	for name, r := range out.Resources {
		b.set(name, r.Limit, r.Remaining, time.Unix(r.Reset, 0))
	}
	return nil
}

// resourceOf is the budget a request spends.
func resourceOf(r *http.Request) string {
	if strings.HasSuffix(r.URL.Path, "/graphql") {
		return resourceGraphQL
	}
	return resourceCore
}
