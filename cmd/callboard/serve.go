package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/sqlite"
)

// shutdownGrace bounds how long serve drains in-flight work after SIGTERM.
const shutdownGrace = 8 * time.Second

// testHookListening, when set, learns the address serve listens on.
var testHookListening func(addr string)

func serveCmd(fs *flag.FlagSet) action {
	demoFlag := fs.Bool("demo", false, "seed the catalog with the sample Acme organisation")
	return func(ctx context.Context, c *cli) error { return cmdServe(ctx, c, *demoFlag) }
}

func cmdServe(ctx context.Context, c *cli, demoFlag bool) error {
	cfg, logger := c.cfg, c.logger
	started := time.Now()
	// One serve per database: a second one is refused before it listens or
	// touches the file (it would run the first one's in-flight deliveries).
	unlock, err := lockServe(cfg)
	if err != nil {
		return err
	}
	defer unlock()
	mode, err := webMode(cfg, demoFlag)
	if err != nil {
		return err
	}
	cfg.WebAuth = string(mode)
	// Listen first: a taken port is said at once, before any work starts.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on CALLBOARD_ADDR %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	db, st, done, err := openCatalog(ctx, cfg.DB, sqlite.Options{})
	if err != nil {
		return err
	}
	defer done()
	if demoFlag {
		if err := seedDemo(ctx, cfg, st, logger); err != nil {
			return err
		}
	}
	// Logged once nothing can refuse the start any more, so that a refusal
	// (another serve, a taken port, --demo on real data) is one line.
	v := buildVersion()
	logger.Info("callboard starting", "version", v.Version, "commit", v.Commit, "go", v.Go)
	for _, f := range features(cfg) {
		if f.on {
			logger.Info("feature on", "feature", f.name)
		} else {
			logger.Warn("feature off", "feature", f.name, "why", f.why)
		}
	}

	var draining atomic.Bool
	srv, err := newServer(ctx, cfg, db, st, logger, &draining)
	if err != nil {
		return err
	}
	return serveUntilDone(ctx, c, ln, srv, &draining, started)
}

// seedDemo adds the sample organisation (serve --demo), and refuses a
// database that holds anything else.
func seedDemo(ctx context.Context, cfg config, st *store.Store, logger *slog.Logger) error {
	n, err := demo.Seed(ctx, st)
	var mixed *demo.NotOnlyDemoError
	if errors.As(err, &mixed) {
		return fmt.Errorf("serve --demo adds the sample organisation only to a new database or one that holds nothing else, and %s holds %d %s and %d %s of its own; set CALLBOARD_DB to another file (CALLBOARD_DB=demo.db callboard serve --demo)",
			cfg.DB, mixed.Entities, plural(mixed.Entities, "entity", "entities"), mixed.Repositories, plural(mixed.Repositories, "repository", "repositories"))
	}
	if err != nil {
		return fmt.Errorf("seeding the demo catalog: %w", err)
	}
	logger.Info("demo catalog seeded", "entities", n, "org", demo.Org)
	return nil
}

// serveUntilDone serves on ln until ctx ends (SIGTERM), then stops taking
// work and drains what is in flight.
func serveUntilDone(ctx context.Context, c *cli, ln net.Listener, srv *server, draining *atomic.Bool, started time.Time) error {
	cfg, logger := c.cfg, c.logger
	httpSrv := &http.Server{
		Handler:           srv.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	srv.listening(ctx) // the listener accepts connections from here on
	addr := ln.Addr().String()
	logger.Info("callboard listening", "addr", addr, "db", cfg.DB, "base_url", cfg.BaseURL, "startup", time.Since(started).Round(time.Millisecond))
	fmt.Fprintf(c.stdout, "callboard is serving on http://%s (catalog API: /api/catalog/entities)\n", displayAddr(addr))
	if testHookListening != nil {
		testHookListening(addr)
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight work")
	draining.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("shutdown did not finish cleanly", "err", err)
	}
	srv.stop(sctx) // drains the workers before the database closes
	logger.Info("stopped")
	return nil
}

func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

type feature struct {
	name string
	on   bool
	why  string
}

// features says which parts of callboard the configuration turns on, and why not.
func features(cfg config) []feature {
	gh := feature{name: "github", on: cfg.GitHubAppID != "" && cfg.GitHubPrivateKey != "" && cfg.GitHubWebhookSecret != ""}
	if !gh.on {
		gh.why = "set GITHUB_APP_ID, GITHUB_PRIVATE_KEY and GITHUB_WEBHOOK_SECRET"
	}
	sl := feature{name: "slack", on: cfg.SlackSigningSecret != "" || cfg.SlackAppToken != ""}
	if !sl.on {
		sl.why = "set SLACK_SIGNING_SECRET (Slack over HTTP) or SLACK_APP_TOKEN (Socket Mode), and SLACK_BOT_TOKEN"
	}
	talk := feature{name: "slack-conversations", on: sl.on && cfg.SlackBotToken != ""}
	if !talk.on {
		talk.why = "set SLACK_BOT_TOKEN (and Slack itself): mentions, direct messages, the App Home and people shown as Slack accounts need it"
	}
	socket := feature{name: "slack-socket-mode", on: cfg.SlackAppToken != ""}
	if !socket.on {
		socket.why = "set SLACK_APP_TOKEN (xapp-) to take Slack over an outbound WebSocket instead of inbound HTTP"
	}
	api := feature{name: "api-token", on: cfg.APIToken != ""}
	if !api.on {
		api.why = "CALLBOARD_API_TOKEN unset: /api/* is open to anyone who can reach it"
	}
	mail := feature{name: "digest-email", on: cfg.SMTPURL != ""}
	if !mail.on {
		mail.why = "set SMTP_URL, DIGEST_FROM and DIGEST_TO"
	}
	slackDigest := feature{name: "digest-slack", on: cfg.SlackBotToken != "" && cfg.DigestSlackChannel != ""}
	if !slackDigest.on {
		slackDigest.why = "set SLACK_BOT_TOKEN and DIGEST_SLACK_CHANNEL"
	}
	scaffolder := feature{name: "scaffolder", on: gh.on && cfg.ScaffoldRepo != ""}
	if !scaffolder.on {
		scaffolder.why = "set SCAFFOLD_REPO (owner/repo) and the GitHub App; issues labelled scaffold there create services"
	}
	return []feature{gh, sl, talk, socket, api, mail, slackDigest, scaffolder, pulseFeature(cfg)}
}
