package fakegithub

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// GitHub keeps an installation's REST requests and GraphQL points in two
// budgets ("resources"), each refilled every hour.
const (
	resourceCore    = "core"
	resourceGraphQL = "graphql"
)

// rateBucket is one resource's budget.
type rateBucket struct {
	resource         string
	limit, remaining int
	window           time.Duration
	reset            time.Time
	lowest           int // the least remaining after any request, since SetRateLimit
}

func newBucket(resource string, limit int, window time.Duration) *rateBucket {
	return &rateBucket{resource: resource, limit: limit, remaining: limit, lowest: limit, window: window, reset: time.Now().Add(window)}
}

// bucket returns a resource's budget, refilled when its window has passed.
func (s *Server) bucket(resource string) *rateBucket {
	b := s.rates[resource]
	if now := time.Now(); !now.Before(b.reset) {
		b.remaining = b.limit
		b.reset = now.Add(b.window)
	}
	return b
}

// spend takes n from the budget, recording the lowest it went.
func (b *rateBucket) spend(n int) {
	b.remaining = max(b.remaining-n, 0)
	b.lowest = min(b.lowest, b.remaining)
}

// header sets GitHub's rate-limit headers for the resource.
func (b *rateBucket) header(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(b.limit-b.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", b.resource)
}

// rateLimited is GitHub's REST answer once the budget is spent.
func rateLimited(w http.ResponseWriter, in int64) (int, any) {
	return http.StatusForbidden, map[string]any{
		"message":           fmt.Sprintf("API rate limit exceeded for installation ID %d.", in),
		"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
	}
}

// SetRateLimit gives a resource ("core" for REST requests, "graphql" for
// GraphQL points) a budget of limit refilled every window, starting full
// now. GitHub's is 5,000 an hour (more for large organisations).
func (s *Server) SetRateLimit(resource string, limit int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rates[resource]; !ok {
		s.t.Fatalf("fakegithub: SetRateLimit: no resource %q (core, graphql)", resource)
	}
	s.rates[resource] = newBucket(resource, limit, window)
}

// RateLowest is the least a resource's budget had left after any request
// since it was set: what a reserve must stay under.
func (s *Server) RateLowest(resource string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rates[resource].lowest
}

// RateRemaining is what a resource's budget has left now.
func (s *Server) RateRemaining(resource string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bucket(resource).remaining
}

// rateLimitStatus is GET /rate_limit: every budget, not counted against any.
func (s *Server) rateLimitStatus(w http.ResponseWriter, r *http.Request) (int, any) {
	out := map[string]any{}
	for name := range s.rates {
		b := s.bucket(name)
		out[name] = map[string]any{"limit": b.limit, "remaining": b.remaining, "used": b.limit - b.remaining, "reset": b.reset.Unix(), "resource": name}
	}
	return http.StatusOK, map[string]any{"resources": out, "rate": out[resourceCore]}
}
