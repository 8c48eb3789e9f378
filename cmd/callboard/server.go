package main

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/bot"
	"github.com/callboard/callboard/catalog/httpapi"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/githubapp"
	"github.com/callboard/callboard/web"
	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// server holds the HTTP router and what it needs to stop cleanly.
type server struct {
	handler http.Handler
	stops   []func(context.Context)
}

func (s *server) stop(ctx context.Context) {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i](ctx)
	}
}

func newServer(ctx context.Context, cfg config, st *store.Store, logger *slog.Logger, draining *atomic.Bool) (*server, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "callboard_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "callboard_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	reg.MustRegister(reqs, latency)

	r := mux.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
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
	})
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
		if err := st.Ready(ctx); err != nil {
			logger.Warn("not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{})).Methods(http.MethodGet)

	httpapi.Register(r, st, httpapi.Options{Token: cfg.APIToken, Logger: logger})

	srv := &server{}
	// The bot answers 503 by itself while SLACK_SIGNING_SECRET is unset.
	sb := bot.New(bot.Config{SigningSecret: cfg.SlackSigningSecret, Catalog: st, Usage: st,
		Logger: logger.With("component", "slack"), BaseURL: cfg.BaseURL})
	r.Handle("/slack/commands", sb).Methods(http.MethodPost)
	srv.stops = append(srv.stops, func(ctx context.Context) {
		if err := sb.Close(ctx); err != nil {
			logger.Warn("slack answers not drained", "err", err)
		}
	})

	gh, err := newGitHubApp(cfg, st, logger, reg)
	if err != nil {
		return nil, err
	}
	r.Handle("/webhooks/github", gh).Methods(http.MethodPost)
	if err := gh.Start(ctx); err != nil {
		return nil, err
	}
	srv.stops = append(srv.stops, gh.Stop)

	// POST /api/usage, GET /digest and the weekly schedule.
	stopDigest, err := registerDigest(ctx, r, cfg, st, logger)
	if err != nil {
		srv.stop(context.WithoutCancel(ctx))
		return nil, err
	}
	srv.stops = append(srv.stops, stopDigest)

	// The web view: /, /catalog/..., /teams/..., /repositories, /digest, /auth/...
	stopWeb, err := registerWeb(ctx, r, cfg, web.Mode(cmp.Or(cfg.WebAuth, string(web.ModeGitHub))), st, logger)
	if err != nil {
		srv.stop(context.WithoutCancel(ctx))
		return nil, err
	}
	srv.stops = append(srv.stops, stopWeb)

	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such route"})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	})
	srv.handler = r
	return srv, nil
}

func newGitHubApp(cfg config, st *store.Store, logger *slog.Logger, reg prometheus.Registerer) (*githubapp.App, error) {
	return githubapp.New(githubapp.Config{
		AppID:         cfg.GitHubAppID,
		PrivateKey:    []byte(cfg.GitHubPrivateKey),
		WebhookSecret: []byte(cfg.GitHubWebhookSecret),
		APIURL:        cfg.GitHubAPIURL,
		CatalogFile:   cfg.CatalogFile,
		StrictChecks:  cfg.StrictChecks,
		Usage:         st,
		Merges:        digest.NewStore(st),
		ScaffoldRepo:  cfg.ScaffoldRepo,
		BaseURL:       cfg.BaseURL,
		Logger:        logger.With("component", "github"),
		Metrics:       reg,
	}, st, st)
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
