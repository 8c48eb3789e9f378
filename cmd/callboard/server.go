package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/httpapi"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/githubapp"
	"github.com/callboard/callboard/onboarding"
	"github.com/callboard/callboard/scaffold"
	"github.com/callboard/callboard/sqlite"
	"github.com/callboard/callboard/web"
	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// quickCheckTime bounds the start-up check of the database file: a large
// file is checked as far as this allows, so that start-up stays quick.
const quickCheckTime = 10 * time.Second

// server holds the HTTP router and what it needs to stop cleanly.
type server struct {
	handler http.Handler
	stops   []func(context.Context)
	// listening is called once the listener is up: work whose answers come
	// back to the server starts then.
	listening func(context.Context)
}

func (s *server) stop(ctx context.Context) {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i](ctx)
	}
}

func newServer(ctx context.Context, cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger, draining *atomic.Bool) (*server, error) {
	srv := &server{}
	srv.stops = append(srv.stops, checkDatabase(ctx, db, cfg.DB, logger))
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r := mux.NewRouter()
	r.Use(httpMetrics(reg))
	// slackReady is the Socket Mode connection's readiness, set below when
	// SLACK_APP_TOKEN turns Socket Mode on.
	var slackReady func() error
	registerHealth(r, reg, db, logger, draining, func() error {
		if slackReady == nil {
			return nil
		}
		return slackReady()
	})
	srv.stops = append(srv.stops, registerCatalogAPI(r, cfg, db, st, logger))
	// /slack/commands, /slack/events, /slack/interactions, and Socket Mode.
	var stopSlack func(context.Context)
	slackReady, stopSlack = registerSlack(ctx, r, cfg, db, st, logger)
	srv.stops = append(srv.stops, stopSlack)

	gh, err := newGitHubApp(cfg, db, st, logger, reg)
	if err != nil {
		return nil, err
	}
	r.Handle("/webhooks/github", gh).Methods(http.MethodPost)
	if err := gh.Start(ctx); err != nil {
		return nil, err
	}
	srv.stops = append(srv.stops, gh.Stop)
	srv.listening = gh.Listening
	srv.stops = append(srv.stops, startOnboarding(ctx, newOnboarding(cfg, db, st, gh, logger), logger, time.Minute))

	if err := srv.registerReadersViews(ctx, r, cfg, db, st, logger); err != nil {
		srv.stop(context.WithoutCancel(ctx))
		return nil, err
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such route"})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	})
	srv.handler = r
	return srv, nil
}

// registerReadersViews adds the digest, the DX pulse and the web view; the
// caller stops what was started should one fail.
func (srv *server) registerReadersViews(ctx context.Context, r *mux.Router, cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger) error {
	// POST /api/usage, GET /digest and the weekly schedule.
	stopDigest, err := registerDigest(ctx, r, cfg, db, st, logger)
	if err != nil {
		return err
	}
	srv.stops = append(srv.stops, stopDigest)
	// The DX pulse survey's rounds (PULSE_SCHEDULE; off by default).
	stopPulse, err := startPulse(cfg, db, logger)
	if err != nil {
		return err
	}
	srv.stops = append(srv.stops, stopPulse)
	// The web view: /, /catalog/..., /teams/..., /repositories, /digest, /auth/...
	stopWeb, err := registerWeb(ctx, r, cfg, web.Mode(cmp.Or(cfg.WebAuth, string(web.ModeGitHub))), db, st, logger)
	if err != nil {
		return err
	}
	srv.stops = append(srv.stops, stopWeb)
	return nil
}

// httpMetrics counts requests by route and status code, and times them.
func httpMetrics(reg prometheus.Registerer) mux.MiddlewareFunc {
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "callboard_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "callboard_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	reg.MustRegister(reqs, latency)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			start := time.Now()
			rw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
			next.ServeHTTP(rw, req)
			route := "unmatched"
			if cr := mux.CurrentRoute(req); cr != nil {
				if t, err := cr.GetPathTemplate(); err == nil {
					route = t
				}
			}
			reqs.WithLabelValues(route, strconv.Itoa(rw.code)).Inc()
			latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		})
	}
}

// registerHealth adds /healthz, /readyz and /metrics.
func registerHealth(r *mux.Router, reg *prometheus.Registry, db *sqlite.DB, logger *slog.Logger, draining *atomic.Bool, slackReady func() error) {
	r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, struct {
			Status string `json:"status"`
			versionInfo
		}{"ok", buildVersion()})
	}).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", func(w http.ResponseWriter, req *http.Request) {
		if draining.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
			return
		}
		ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
		defer cancel()
		err := db.Ready(ctx)
		if err == nil {
			err = slackReady()
		}
		if err != nil {
			logger.Warn("not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{})).Methods(http.MethodGet)
}

// registerCatalogAPI adds Backstage's catalog read API. Its requests count
// as usage (catalog-api), written in the background so that no request
// waits on the database for it; the returned stop writes what is left.
func registerCatalogAPI(r *mux.Router, cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger) func(context.Context) {
	apiUsage := digest.NewUsageBuffer(st, logger.With("component", "usage"))
	apiUsage.Start()
	var names apiNames
	httpapi.Register(r, st, httpapi.Options{Token: cfg.APIToken, Logger: logger,
		OnError: func(err error) { db.Observe(err) },
		OnRequest: func(req *http.Request, _ string) {
			apiUsage.Record(catalog.UsageEvent{Plugin: catalog.PluginCatalogAPI, Action: names.route(req), Actor: names.client(req), At: time.Now()})
		}})
	return func(ctx context.Context) {
		if err := apiUsage.Stop(ctx); err != nil {
			logger.Warn("catalog API usage not written", "err", err)
		}
	}
}

// checkDatabase looks at every page of the database file in the
// background (a damaged file makes answers fail while the server looks
// healthy): readiness fails from the moment it finds damage. It is bounded
// in time, so a large file is checked as far as that allows; the returned
// stop ends it before the database closes.
func checkDatabase(ctx context.Context, db *sqlite.DB, path string, logger *slog.Logger) func(context.Context) {
	qctx, cancel := context.WithTimeout(ctx, quickCheckTime)
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := db.QuickCheck(qctx)
		switch {
		case errors.Is(err, catalog.ErrDamaged):
			logger.Error("the database is damaged: /readyz fails until it is restored from a backup", "db", path, "err", err)
		case err != nil && qctx.Err() != nil:
			logger.Warn("the start-up check of the database did not finish in time", "within", quickCheckTime)
		case err != nil:
			logger.Warn("the start-up check of the database failed", "err", err)
		}
	}()
	return func(context.Context) {
		cancel()
		<-done
	}
}

func newGitHubApp(cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger, reg prometheus.Registerer) (*githubapp.App, error) {
	var scaffolder githubapp.Scaffolder
	if cfg.ScaffoldRepo != "" {
		scaffolder = newScaffolder(cfg, db, st, logger)
	}
	return githubapp.New(githubapp.Config{
		AppID:         cfg.GitHubAppID,
		PrivateKey:    []byte(cfg.GitHubPrivateKey),
		WebhookSecret: []byte(cfg.GitHubWebhookSecret),
		APIURL:        cfg.GitHubAPIURL,
		CatalogFile:   cfg.CatalogFile,
		StrictChecks:  cfg.StrictChecks,
		BaseURL:       cfg.BaseURL,
		Usage:         st,
		Merges:        digest.NewStore(db),
		KPI:           digest.NewStore(db),
		Onboarding:    onboarding.NewStore(db, nil),
		ScaffoldRepo:  cfg.ScaffoldRepo,
		Scaffolder:    scaffolder,

		PayloadRetention: cfg.DeliveryRetention,
		Logger:           logger.With("component", "github"),
		Metrics:          reg,
	}, st, db)
}

// newScaffolder is the service that runs SCAFFOLD_REPO's requests.
func newScaffolder(cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger) *scaffold.Service {
	return &scaffold.Service{
		Store:   scaffold.NewStore(db, time.Now),
		Catalog: st,
		Policy: scaffold.Policy{
			TemplateRepos: cfg.ScaffoldTemplateRepos, Sources: cfg.ScaffoldSources,
			AllowedTeams: cfg.ScaffoldAllowedTeams, MaxVisibility: cfg.ScaffoldMaxVisibility,
		}.WithDefaults(cfg.ScaffoldRepo),
		BaseURL: cfg.BaseURL,
		Host:    webHost(cfg.GitHubAPIURL),
		Log:     logger.With("component", "scaffold"),
	}
}

// webHost is the web host of the GitHub that GITHUB_API_URL names:
// github.com, or a GitHub Enterprise Server's host (https://HOST/api/v3/).
func webHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || u.Host == "api.github.com" || !strings.HasPrefix(u.Path, "/api/v3") {
		return "github.com"
	}
	return u.Host
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// apiNames names catalog API requests for their usage events, each name
// made once: a request allocates nothing for it, and the events held until
// they are written share their strings.
type apiNames struct {
	routes  sync.Map // *mux.Route -> "GET /entities/by-name/{kind}/{namespace}/{name}"
	mu      sync.Mutex
	clients map[string]string
}

// maxAPIClients bounds the client names kept; others are "other client".
const maxAPIClients = 256

// route is the route a request took, as the usage action.
func (n *apiNames) route(r *http.Request) string {
	cr := mux.CurrentRoute(r)
	if cr == nil {
		return r.Method + " " + strings.TrimPrefix(r.URL.Path, httpapi.Prefix)
	}
	if v, ok := n.routes.Load(cr); ok {
		return v.(string)
	}
	t, err := cr.GetPathTemplate()
	if err != nil {
		t = r.URL.Path
	}
	name := r.Method + " " + strings.TrimPrefix(t, httpapi.Prefix)
	n.routes.Store(cr, name)
	return name
}

// client names the tool that called the catalog API: the product of its
// User-Agent ("backstage-catalog-client/1.2" -> "backstage-catalog-client").
// The API token names no person.
func (n *apiNames) client(r *http.Request) string {
	ua := r.UserAgent()
	if i := strings.IndexAny(ua, "/ ("); i >= 0 {
		ua = ua[:i]
	}
	if len(ua) > 64 {
		ua = ua[:64]
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if name, ok := n.clients[ua]; ok {
		return name
	}
	if len(n.clients) >= maxAPIClients {
		return "other client"
	}
	name := strings.Map(func(c rune) rune {
		if c < 0x21 || c > 0x7e {
			return -1
		}
		return c
	}, strings.Clone(ua))
	if name == "" {
		name = "unknown client"
	}
	if n.clients == nil {
		n.clients = map[string]string{}
	}
	n.clients[strings.Clone(ua)] = name
	return name
}
