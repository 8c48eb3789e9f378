package githubapp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// clients makes GitHub clients: one for the App itself (JWT) and one per
// installation (installation tokens), all against the configured API URL and
// all counted. A nil *clients is an App whose identity is not configured:
// it makes none, and says so.
type clients struct {
	appID   int64
	key     []byte
	apiURL  *url.URL
	base    http.RoundTripper
	timeout time.Duration
	metrics *metrics

	mu      sync.Mutex
	insts   map[int64]*github.Client
	budgets map[int64]*budget // budget.go
	app     *github.Client
	calls   atomic.Int64
}

func newClients(appID int64, key []byte, apiURL string, base http.RoundTripper, timeout time.Duration, m *metrics) (*clients, error) {
	u, err := url.Parse(apiURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not a URL", apiURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if base == nil {
		base = http.DefaultTransport
	}
	c := &clients{appID: appID, key: key, apiURL: u, base: base, timeout: timeout, metrics: m, insts: map[int64]*github.Client{}, budgets: map[int64]*budget{}}
	tr, err := ghinstallation.NewAppsTransport(c.counted(base), appID, key)
	if err != nil {
		return nil, fmt.Errorf("GITHUB_PRIVATE_KEY: %w", err)
	}
	tr.BaseURL = c.tokenBase()
	c.app = c.newClient(tr)
	return c, nil
}

func (c *clients) counted(next http.RoundTripper) http.RoundTripper {
	return &countingTransport{next: next, metrics: c.metrics, count: func(string) { c.calls.Add(1) }}
}

// ghinstallation builds token URLs itself from BaseURL, without the trailing slash.
func (c *clients) tokenBase() string { return strings.TrimSuffix(c.apiURL.String(), "/") }

func (c *clients) newClient(rt http.RoundTripper) *github.Client {
	gh := github.NewClient(&http.Client{Transport: rt, Timeout: c.timeout})
	gh.BaseURL = c.apiURL
	return gh
}

var errNoGitHub = errors.New("GITHUB_APP_ID and GITHUB_PRIVATE_KEY are not set: callboard cannot call GitHub")

// errAppNotConfigured ends a delivery whose handling needs the GitHub API
// while the App's identity is not configured.
var errAppNotConfigured = queue.Ignored("GitHub App not configured (GITHUB_APP_ID, GITHUB_PRIVATE_KEY); once it is, callboard deliveries --retry ID runs it")

// App returns the client that authenticates as the App (JWT).
func (c *clients) App() (*github.Client, error) {
	if c == nil {
		return nil, errNoGitHub
	}
	return c.app, nil
}

// AppID is the App's id, 0 when it is not configured.
func (c *clients) AppID() int64 {
	if c == nil {
		return 0
	}
	return c.appID
}

// Installation returns the client for one installation, created on first use
// from nothing but its id: a delivery from an installation never seen before
// works.
func (c *clients) Installation(id int64) (*github.Client, error) {
	if c == nil {
		return nil, errAppNotConfigured
	}
	if id == 0 {
		// Deliveries to a GitHub App always name their installation; one that
		// does not came from a repository or organization webhook.
		return nil, queue.Ignored("the delivery names no installation (not sent by the App)")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gh := c.insts[id]; gh != nil {
		return gh, nil
	}
	// Token requests are counted too: they are API calls. Every answer to
	// the installation's requests keeps its budget current.
	b := c.budgetLocked(id)
	counted := &countingTransport{next: c.base, metrics: c.metrics, count: func(string) { c.calls.Add(1) }, observe: b.observe}
	tr, err := ghinstallation.New(counted, c.appID, id, c.key)
	if err != nil {
		return nil, err
	}
	tr.BaseURL = c.tokenBase()
	gh := c.newClient(tr)
	c.insts[id] = gh
	return gh, nil
}

// Budget returns an installation's rate-limit budgets, as its answers
// report them.
func (c *clients) Budget(id int64) *budget {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.budgetLocked(id)
}

func (c *clients) budgetLocked(id int64) *budget {
	b := c.budgets[id]
	if b == nil {
		b = newBudget()
		c.budgets[id] = b
	}
	return b
}

// APIURL is the REST base URL, ending in /.
func (c *clients) APIURL() string { return c.apiURL.String() }

// Forget drops an installation's client (it was uninstalled).
func (c *clients) Forget(id int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.insts, id)
	c.mu.Unlock()
}

// Calls is the number of API calls made so far.
func (c *clients) Calls() int64 {
	if c == nil {
		return 0
	}
	return c.calls.Load()
}
