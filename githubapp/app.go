package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/githubapp/repofs"
	"github.com/callboard/callboard/scaffold"
	"github.com/callboard/callboard/sqlite"
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
	// (CALLBOARD_DELIVERY_RETENTION, default 14 days); its row is kept
	// queue.RowRetention.
	PayloadRetention time.Duration
	// RESTOnly reads files through REST alone, without the GraphQL read-ahead
	// (for a GitHub Enterprise Server without GraphQL).
	RESTOnly bool
	// BackfillReserve is the share of each GitHub budget (REST calls,
	// GraphQL points) a backfill leaves for webhook work and pull-request
	// checks: it pauses until the budget's reset rather than go below
	// (default 0.2).
	BackfillReserve float64
	// StrictChecks makes the pull-request check fail on warnings too
	// (missing catalog file, CODEOWNERS disagreement, missing docs).
	StrictChecks bool
	// BaseURL is callboard's public address (CALLBOARD_BASE_URL): PR comments
	// link the web view's pages under it; "" links nothing.
	BaseURL string
	// Usage records usage events (github.pr-check, scaffolder); may be nil.
	Usage catalog.UsageRecorder
	// Merges records merged pull requests for the digest's KPIs; may be nil.
	Merges MergeRecorder
	// KPI records the facts of the adoption KPIs (joins, deployments,
	// repositories, merge commits); may be nil.
	KPI KPIRecorder
	// Onboarding records what became of onboarding pull requests; may be nil.
	Onboarding OnboardingRecorder
	// ScaffoldRepo is the owner/repo whose issues (label scaffold) request
	// new services (SCAFFOLD_REPO), run by Scaffolder; either unset turns
	// the scaffolder off.
	ScaffoldRepo string
	Scaffolder   Scaffolder
	// Transport is the HTTP transport to GitHub (tests; default http.DefaultTransport).
	Transport http.RoundTripper
	// HTTPTimeout bounds each GitHub API request (default 30 s).
	HTTPTimeout time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
	Metrics     prometheus.Registerer
}

// MergeRecorder stores merged pull requests (the digest's *digest.Store
// satisfies it); a redelivered merge must change nothing.
type MergeRecorder interface {
	RecordMerge(ctx context.Context, repo string, number int, author string, mergedAt time.Time) error
}

// Reader is what the checks read of the catalog; the catalog store satisfies it.
type Reader interface {
	EntityWithoutRelations(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error)
	Names(ctx context.Context) ([]catalog.NameEntry, error)
}

// Scaffolder runs scaffold requests (scaffold.Service): gh is the
// request's GitHub, through the installation of the organisation the
// issue is in.
type Scaffolder interface {
	Handle(ctx context.Context, gh scaffold.GitHub, is scaffold.Issue) (scaffold.Outcome, error)
}

// App is callboard's GitHub App: the webhook receiver, the queue its
// deliveries wait in, and the handler of each event.
type App struct {
	cfg      Config
	log      *slog.Logger
	metrics  *metrics
	clients  *clients // nil when the App identity is not configured
	queue    *queue.Queue
	handlers map[string]handler
	backfill *backfiller
}

// New builds the App over the catalog store st and the database db its
// deliveries are kept in. Without GITHUB_APP_ID/GITHUB_PRIVATE_KEY it
// still receives and stores deliveries (if the secret is set) but cannot
// call GitHub.
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
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.github.com/"
	}
	if cfg.HTTPTimeout <= 0 {
		cfg.HTTPTimeout = 30 * time.Second
	}
	a := &App{cfg: cfg, log: cfg.Logger, metrics: newMetrics(cfg.Metrics)}
	if cfg.AppID != "" && len(cfg.PrivateKey) > 0 {
		id, err := strconv.ParseInt(cfg.AppID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("GITHUB_APP_ID %q is not a number", cfg.AppID)
		}
		if a.clients, err = newClients(id, cfg.PrivateKey, cfg.APIURL, cfg.Transport, cfg.HTTPTimeout, a.metrics); err != nil {
			return nil, err
		}
	}
	sync := &syncer{store: st, catalogFile: cfg.CatalogFile, now: cfg.Now}
	if !cfg.RESTOnly {
		sync.graphql = repofs.GraphQLURL(cfg.APIURL)
	}
	if cfg.BackfillReserve <= 0 || cfg.BackfillReserve >= 1 {
		cfg.BackfillReserve = defaultReserve
	}
	facts := repoFactsStore{db: db}
	a.metrics.backfill.store, a.metrics.backfill.now, a.metrics.backfill.log = facts, cfg.Now, cfg.Logger
	a.backfill = &backfiller{clients: a.clients, sync: sync, facts: facts, kpi: cfg.KPI, metrics: a.metrics.backfill,
		reserve: cfg.BackfillReserve, margin: time.Second, now: cfg.Now, log: cfg.Logger}
	a.handlers = withKPIs(a.cfg.KPI, a.eventHandlers(st, st, db, sync), a.clients, sync.graphql)
	a.queue = queue.New(db, queue.Config{
		Workers: cfg.Workers, MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryBase, Timeout: cfg.DeliveryTimeout,
		RedeliverEvery: cfg.RedeliverEvery, PayloadRetention: cfg.PayloadRetention,
		Now: cfg.Now, Logger: cfg.Logger, Metrics: cfg.Metrics,
	}, a.handle)
	return a, nil
}

// Start resumes unfinished deliveries and starts the workers, and the
// pruning of old deliveries.
func (a *App) Start(ctx context.Context) error { return a.queue.Start(ctx) }

// Listening starts the missed-delivery check. Call it once the webhook
// route accepts connections: the deliveries it asks GitHub for arrive at
// once, and one sent before the port opens would be lost again.
func (a *App) Listening(ctx context.Context) {
	if a.clients != nil {
		a.queue.Redeliver(ctx, a.clients.App)
	}
}

// Stop takes no more work and drains what is in flight, within ctx.
func (a *App) Stop(ctx context.Context) { a.queue.Stop(ctx) }

// APICalls is the number of GitHub API calls made since start.
func (a *App) APICalls() int64 { return a.clients.Calls() }

// usageLog records usage events; a failure is logged, never fatal.
type usageLog struct {
	rec catalog.UsageRecorder // nil: not recorded
	now func() time.Time
}

func (u usageLog) record(ctx context.Context, log *slog.Logger, e catalog.UsageEvent) {
	if u.rec == nil {
		return
	}
	if e.At.IsZero() {
		e.At = u.now()
	}
	if err := u.rec.RecordUsage(ctx, e); err != nil {
		log.Warn("recording usage", "plugin", e.Plugin, "err", err)
	}
}
