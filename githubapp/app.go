package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold"
	"github.com/callboard/callboard/sqlite"
	"github.com/google/go-github/v62/github"
	"github.com/prometheus/client_golang/prometheus"
)

// Config configures the App. Secrets are never logged.
type Config struct {
	AppID         string
	PrivateKey    []byte // PEM
	WebhookSecret []byte
	APIURL        string // go-github's base URL, exactly as given (ends in /)
	CatalogFile   string // default catalog-info.yaml

	Workers     int           // deliveries processed at once (default 4)
	MaxAttempts int           // before a delivery is parked as failed (default 8)
	RetryBase   time.Duration // first retry delay, doubling (default 2 s)
	// DeliveryTimeout bounds one attempt at a delivery (default 10 min); an
	// attempt cut short twice, by this or by the process dying, parks it.
	DeliveryTimeout time.Duration
	// RedeliverEvery is how often missed deliveries are looked for (default 1 h; <0 disables).
	RedeliverEvery time.Duration
	// PayloadRetention is how long a delivery's payload is kept
	// (CALLBOARD_DELIVERY_RETENTION, default 14 days); its row is kept RowRetention.
	PayloadRetention time.Duration
	// RESTOnly reads files through REST alone, without the GraphQL read-ahead
	// (for a GitHub Enterprise Server without GraphQL).
	RESTOnly bool
	// StrictChecks makes the pull-request check fail on warnings too
	// (missing catalog file, CODEOWNERS disagreement, missing docs).
	StrictChecks bool
	// Usage records usage events (github.pr-check); may be nil.
	Usage catalog.UsageRecorder
	// Merges records merged pull requests for the digest's KPIs; may be nil.
	Merges MergeRecorder
	// ScaffoldRepo is the owner/repo whose issues (label scaffold) request
	// new services (SCAFFOLD_REPO); "" turns the scaffolder off.
	ScaffoldRepo string
	// ScaffoldTemplateRepos are the org/repo patterns whose Templates may run
	// (SCAFFOLD_TEMPLATE_REPOS; default ScaffoldRepo alone).
	ScaffoldTemplateRepos []string
	// ScaffoldSources are the org/repo patterns skeletons may come from
	// besides the template's own repository (SCAFFOLD_SOURCES).
	ScaffoldSources []string
	// ScaffoldAllowedTeams are the teams whose members may request a
	// service (SCAFFOLD_ALLOWED_TEAMS; none: any member of the organisation).
	ScaffoldAllowedTeams []string
	// ScaffoldMaxVisibility is the most visible a new repository may be
	// (SCAFFOLD_MAX_VISIBILITY: private, internal or public; default private).
	ScaffoldMaxVisibility string
	// BaseURL is callboard's public URL, for links to catalog entities.
	BaseURL string
	// Transport is the HTTP transport to GitHub (tests; default http.DefaultTransport).
	Transport http.RoundTripper
	// HTTPTimeout bounds each GitHub API request (default 30 s).
	HTTPTimeout time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
	Metrics     prometheus.Registerer
}

// App is callboard's GitHub App.
type App struct {
	cfg        Config
	secret     []byte
	log        *slog.Logger
	metrics    *metrics
	clients    *clients // nil when the App identity is not configured
	deliveries *deliveryStore
	inserter   *inserter
	workers    *workers
	sync       *syncer
	redeliver  *redeliverer
	pruner     *pruner
	checks     *prChecker
	reader     Reader

	scaffoldOnce sync.Once
	scaffold     *scaffold.Service
}

// MergeRecorder stores merged pull requests (the digest's *digest.Store
// satisfies it); a redelivered merge must change nothing.
type MergeRecorder interface {
	RecordMerge(ctx context.Context, repo string, number int, author string, mergedAt time.Time) error
}

// Reader is what the checks read of the catalog; the SQLite store satisfies it.
type Reader interface {
	Entity(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error) // for the scaffolder
	EntityWithoutRelations(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error)
	Names(ctx context.Context) ([]catalog.NameEntry, error)
}

// New builds the App. Without GITHUB_APP_ID/GITHUB_PRIVATE_KEY it still
// receives and stores deliveries (if the secret is set) but cannot call GitHub.
func New(cfg Config, st interface {
	Store
	Reader
}, db *sqlite.DB) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CatalogFile == "" {
		cfg.CatalogFile = "catalog-info.yaml"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 2 * time.Second
	}
	if cfg.DeliveryTimeout <= 0 {
		cfg.DeliveryTimeout = 10 * time.Minute
	}
	if cfg.RedeliverEvery == 0 {
		cfg.RedeliverEvery = time.Hour
	}
	if cfg.PayloadRetention <= 0 {
		cfg.PayloadRetention = DefaultPayloadRetention
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.github.com/"
	}
	if cfg.HTTPTimeout <= 0 {
		cfg.HTTPTimeout = 30 * time.Second
	}
	if len(cfg.ScaffoldTemplateRepos) == 0 && cfg.ScaffoldRepo != "" {
		cfg.ScaffoldTemplateRepos = []string{cfg.ScaffoldRepo}
	}
	a := &App{cfg: cfg, secret: cfg.WebhookSecret, log: cfg.Logger, metrics: newMetrics(cfg.Metrics)}
	a.deliveries = &deliveryStore{db: db, now: cfg.Now}
	a.inserter = newInserter(a.deliveries)
	a.sync = &syncer{store: st, catalogFile: cfg.CatalogFile, now: cfg.Now}
	if !cfg.RESTOnly {
		a.sync.graphql = graphqlURL(cfg.APIURL)
	}
	if cfg.AppID != "" && len(cfg.PrivateKey) > 0 {
		id, err := strconv.ParseInt(cfg.AppID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("GITHUB_APP_ID %q is not a number", cfg.AppID)
		}
		if a.clients, err = newClients(id, cfg.PrivateKey, cfg.APIURL, cfg.Transport, cfg.HTTPTimeout, a.metrics); err != nil {
			return nil, err
		}
	}
	a.workers = &workers{
		store: a.deliveries, handle: a.handle, log: a.log, metrics: a.metrics, n: cfg.Workers,
		maxAttempts: cfg.MaxAttempts, retryBase: cfg.RetryBase, timeout: cfg.DeliveryTimeout, now: cfg.Now,
		wakeC: make(chan struct{}, 1), busy: map[string]bool{}, ackedRecently: a.inserter.lastStored,
	}
	a.redeliver = &redeliverer{app: a, every: cfg.RedeliverEvery, asked: map[string]asked{}}
	a.pruner = &pruner{store: a.deliveries, keepPayload: cfg.PayloadRetention, log: a.log}
	a.checks = &prChecker{app: a, strict: cfg.StrictChecks, comments: prComments{db}}
	a.reader = st
	return a, nil
}

// Start resumes unfinished deliveries and starts the workers, and the
// pruning of old deliveries.
func (a *App) Start(ctx context.Context) error {
	a.inserter.start()
	if err := a.workers.start(ctx); err != nil {
		return err
	}
	a.pruner.start(ctx)
	return nil
}

// Listening starts the missed-delivery check. Call it once the webhook
// route accepts connections: the deliveries it asks GitHub for arrive at
// once, and one sent before the port opens would be lost again.
func (a *App) Listening(ctx context.Context) {
	if a.clients != nil && a.cfg.RedeliverEvery > 0 {
		a.redeliver.start(ctx)
	}
}

// Stop takes no more work and drains what is in flight, within ctx.
func (a *App) Stop(ctx context.Context) {
	a.redeliver.stop()
	a.pruner.stop()
	a.workers.stop(ctx)
	a.inserter.stop()
}

// APICalls is the number of GitHub API calls made since start.
func (a *App) APICalls() int64 {
	if a.clients == nil {
		return 0
	}
	return a.clients.Calls()
}

var errNoGitHub = errors.New("GITHUB_APP_ID and GITHUB_PRIVATE_KEY are not set: callboard cannot call GitHub")

// errAppNotConfigured ends a delivery whose handling needs the GitHub API
// while the App's identity is not configured.
var errAppNotConfigured = ignored("GitHub App not configured (GITHUB_APP_ID, GITHUB_PRIVATE_KEY); once it is, callboard deliveries --retry ID runs it")

// handle processes one delivery: parse it with go-github, then one call into the service.
func (a *App) handle(ctx context.Context, d *Delivery) error {
	ev, err := github.ParseWebHook(d.Event, d.Payload)
	if err != nil {
		// An event go-github does not know is not ours to handle.
		if d.Event != "" && !json.Valid(d.Payload) {
			return permanent(fmt.Errorf("payload does not parse: %w", err))
		}
		return ignored(fmt.Sprintf("%s events are not used by callboard", d.Event))
	}
	switch ev := ev.(type) {
	case *github.PingEvent:
		return ignored("ping: GitHub checking the webhook")
	case *github.InstallationEvent:
		return a.onInstallation(ctx, d, ev)
	case *github.InstallationRepositoriesEvent:
		return a.onInstallationRepositories(ctx, d, ev)
	case *github.PushEvent:
		return a.onPush(ctx, d, ev)
	case *github.RepositoryEvent:
		return a.onRepository(ctx, d, ev)
	case *github.TeamEvent:
		return a.onTeam(ctx, d, ev)
	case *github.MembershipEvent:
		return a.onMembership(ctx, d, ev)
	case *github.OrganizationEvent:
		return a.onOrganization(ctx, d, ev)
	case *github.PullRequestEvent:
		return a.onPullRequest(ctx, d, ev)
	case *github.CheckRunEvent:
		return a.onCheckRun(ctx, d, ev)
	case *github.CheckSuiteEvent:
		return a.onCheckSuite(ctx, d, ev)
	case *github.IssuesEvent:
		return a.onIssues(ctx, d, ev)
	}
	return ignored(fmt.Sprintf("%s events are not used by callboard", d.Event))
}

// usage records a usage event; a failure is logged, never fatal.
func (a *App) usage(ctx context.Context, e catalog.UsageEvent) {
	if a.cfg.Usage == nil {
		return
	}
	if e.At.IsZero() {
		e.At = a.cfg.Now()
	}
	if err := a.cfg.Usage.RecordUsage(ctx, e); err != nil {
		a.log.Warn("recording usage", "plugin", e.Plugin, "err", err)
	}
}

func (a *App) installationClient(id int64) (*github.Client, error) {
	if a.clients == nil {
		return nil, errAppNotConfigured
	}
	return a.clients.Installation(id)
}
