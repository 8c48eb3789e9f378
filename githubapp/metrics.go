package githubapp

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	deliveries *prometheus.CounterVec // received, by event and what the receiver did
	apiCalls   *prometheus.CounterVec // GitHub API calls by route and status
	rateLimit  prometheus.Gauge
	// graphqlPoints is the GraphQL budget's X-RateLimit-Remaining, and
	// backfill a backfill's progress (backfill.go).
	graphqlPoints prometheus.Gauge
	backfill      *backfillMetrics
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callboard_github_deliveries_total", Help: "Webhook deliveries received, by event and outcome at the receiver.",
		}, []string{"event", "outcome"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callboard_github_api_calls_total", Help: "GitHub API calls, by route and status code.",
		}, []string{"route", "code"}),
		rateLimit: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "callboard_github_rate_limit_remaining", Help: "X-RateLimit-Remaining of the latest GitHub API answer.",
		}),
	}
	m.graphqlPoints = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "callboard_github_graphql_points_remaining", Help: "X-RateLimit-Remaining of the latest GitHub GraphQL answer (points).",
	})
	m.backfill = newBackfillMetrics()
	if reg != nil {
		reg.MustRegister(m.deliveries, m.apiCalls, m.rateLimit, m.graphqlPoints)
		m.backfill.register(reg)
	}
	return m
}

// countingTransport counts GitHub API calls by route and keeps the rate
// limit gauge current.
type countingTransport struct {
	next    http.RoundTripper
	metrics *metrics
	count   func(route string)
	observe func(resource string, h http.Header) // an installation's budget; may be nil
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	route := r.Method + " " + routeOf(r.URL.Path)
	code := "error"
	if resp != nil {
		code = strconv.Itoa(resp.StatusCode)
		if rem := resp.Header.Get("X-RateLimit-Remaining"); rem != "" {
			res := resp.Header.Get("X-RateLimit-Resource")
			if res == "" {
				res = resourceOf(r)
			}
			if n, err := strconv.Atoi(rem); err == nil {
				if res == resourceGraphQL {
					t.metrics.graphqlPoints.Set(float64(n))
				} else {
					t.metrics.rateLimit.Set(float64(n))
				}
			}
		}
		if t.observe != nil {
			t.observe(resourceOf(r), resp.Header)
		}
	}
	t.metrics.apiCalls.WithLabelValues(route, code).Inc()
	if t.count != nil {
		t.count(route)
	}
	return resp, err
}

var (
	reRepoPath = regexp.MustCompile(`^(/api/v3)?/repos/[^/]+/[^/]+`)
	reOrgPath  = regexp.MustCompile(`^(/api/v3)?/orgs/[^/]+`)
	reID       = regexp.MustCompile(`/[0-9]+(/|$)`)
	reContents = regexp.MustCompile(`/contents/.*$`)
	reTeam     = regexp.MustCompile(`/teams/[^/]+`)
)

// routeOf turns a path into a low-cardinality route for the metric label.
func routeOf(p string) string {
	p = reRepoPath.ReplaceAllString(p, "/repos/{owner}/{repo}")
	p = reOrgPath.ReplaceAllString(p, "/orgs/{org}")
	p = reContents.ReplaceAllString(p, "/contents/{path}")
	p = reTeam.ReplaceAllString(p, "/teams/{team}")
	p = reID.ReplaceAllString(p, "/{id}$1")
	return p
}
