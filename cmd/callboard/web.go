package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/onboarding"
	"github.com/callboard/callboard/sqlite"
	"github.com/callboard/callboard/web"
	"github.com/gorilla/mux"
)

// checkWebConfig names the mistakes in the web view's configuration.
func checkWebConfig(c config) []string {
	var errs []string
	if c.WebAuth != "" {
		if _, err := web.ParseMode(c.WebAuth); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if c.WebAuth == string(web.ModeToken) && c.APIToken == "" {
		errs = append(errs, "CALLBOARD_WEB_AUTH=token signs people in with CALLBOARD_API_TOKEN, which is unset")
	}
	if msg := checkHTTPURL(c.GitHubURL); msg != "" {
		errs = append(errs, fmt.Sprintf("GITHUB_URL %q: %s, e.g. https://github.com (GitHub Enterprise Server: https://HOST)", c.GitHubURL, msg))
	}
	if (c.GitHubClientID == "") != (c.GitHubClientSecret == "") {
		errs = append(errs, "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together: set both (the GitHub App's settings page has them) or neither")
	}
	return errs
}

// webMode resolves CALLBOARD_WEB_AUTH for serve: github by default, none
// with --demo. none is refused unless the server is the demo or listens on
// a loopback address only, where nobody else can reach it.
func webMode(cfg config, demo bool) (web.Mode, error) {
	if cfg.WebAuth == "" {
		if demo && cfg.APIToken == "" {
			return web.ModeNone, nil
		}
		if demo {
			// An operator who set a token wants the pages behind it.
			return web.ModeToken, nil
		}
		return web.ModeGitHub, nil
	}
	m, err := web.ParseMode(cfg.WebAuth)
	if err != nil {
		return "", err
	}
	if m == web.ModeNone && !demo {
		host, _, err := net.SplitHostPort(cfg.Addr)
		if err != nil || !isLoopback(host) {
			return "", fmt.Errorf("CALLBOARD_WEB_AUTH=none would show the catalog to anyone who reaches CALLBOARD_ADDR %s: it is allowed with serve --demo or a loopback address (127.0.0.1:8080); otherwise use github or token", cfg.Addr)
		}
	}
	return m, nil
}

// registerWeb mounts the web view; the returned stop drains its workers.
func registerWeb(ctx context.Context, r *mux.Router, cfg config, mode web.Mode, db *sqlite.DB, st *store.Store, logger *slog.Logger) (func(context.Context), error) {
	log := logger.With("component", "web")
	loc, err := time.LoadLocation(cfg.DigestTimezone)
	if err != nil {
		return nil, fmt.Errorf("DIGEST_TIMEZONE %q: %v", cfg.DigestTimezone, err)
	}
	cov := web.NewCoverageCache(st, 30*time.Second, log)
	// The page's digest reads coverage from the cache: measuring it takes
	// longer than a page may.
	dg, err := digest.New(digest.Config{Catalog: web.DigestCatalog(st, cov), Records: digest.NewStore(db), Onboarding: digestOnboarding(cfg, db),
		Location: loc, BaseURL: cfg.BaseURL, Logger: logger.With("component", "digest"), KPIs: kpiSourcesFor(cfg, db, st)})
	if err != nil {
		cov.Close()
		return nil, err
	}
	site, err := web.New(ctx, web.Config{
		Store: st, Digest: dg, Coverage: cov, Mode: mode, BaseURL: cfg.BaseURL,
		ClientID: cfg.GitHubClientID, ClientSecret: cfg.GitHubClientSecret,
		GitHubURL: cfg.GitHubURL, GitHubAPIURL: cfg.GitHubAPIURL, APIToken: cfg.APIToken,
		Onboarding: onboardingProposals{onboarding.NewStore(db, nil)},
		Logger:     log,
	})
	if err != nil {
		cov.Close()
		return nil, err
	}
	site.Register(r)
	switch {
	case mode == web.ModeNone:
		log.Warn("web view open to anyone who reaches it: no sign-in (CALLBOARD_WEB_AUTH=none)", "addr", cfg.Addr)
	case mode == web.ModeGitHub && cfg.GitHubClientID == "":
		log.Warn("feature off", "feature", "web", "why", "set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET for Sign in with GitHub, or CALLBOARD_WEB_AUTH=token")
	default:
		if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme != "https" && !isLoopback(u.Hostname()) {
			log.Warn("web sessions travel over plain http: set CALLBOARD_BASE_URL to callboard's https address", "base_url", cfg.BaseURL)
		}
		log.Info("feature on", "feature", "web", "sign_in", string(mode))
	}
	return func(ctx context.Context) {
		site.Close(ctx)
		cov.Close()
	}, nil
}
