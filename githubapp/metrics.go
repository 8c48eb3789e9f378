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
	if reg != nil {
		reg.MustRegister(m.deliveries, m.apiCalls, m.rateLimit)
	}
	return m
}

// countingTransport counts GitHub API calls by route and keeps the rate
// limit gauge current.
type countingTransport struct {
	next    http.RoundTripper
	metrics *metrics
	count   func(route string)
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	route := r.Method + " " + routeOf(r.URL.Path)
	code := "error"
	if resp != nil {
		code = strconv.Itoa(resp.StatusCode)
		if rem := resp.Header.Get("X-RateLimit-Remaining"); rem != "" {
			if n, err := strconv.Atoi(rem); err == nil {
				t.metrics.rateLimit.Set(float64(n))
			}
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
