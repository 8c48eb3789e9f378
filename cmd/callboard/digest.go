package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
	_ "time/tzdata" // DIGEST_TIMEZONE resolves in a scratch container too

	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/sqlite"
	"github.com/gorilla/mux"
)

// digestDelivers reports whether the configuration sends the digest anywhere.
func digestDelivers(cfg config) bool {
	return cfg.SMTPURL != "" || (cfg.SlackBotToken != "" && cfg.DigestSlackChannel != "")
}

// newDigest builds the digest service. With deliver, email is on when
// SMTP_URL is set (DIGEST_FROM and DIGEST_TO are then required) and Slack
// when SLACK_BOT_TOKEN and DIGEST_SLACK_CHANNEL are; without, it only renders.
func newDigest(cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger, deliver bool) (*digest.Service, error) {
	loc, err := time.LoadLocation(cfg.DigestTimezone)
	if err != nil {
		return nil, fmt.Errorf("DIGEST_TIMEZONE %q: %v", cfg.DigestTimezone, err)
	}
	dc := digest.Config{
		Catalog:    st,
		Records:    digest.NewStore(db),
		Location:   loc,
		BaseURL:    cfg.BaseURL,
		Onboarding: digestOnboarding(cfg, db),
		From:       cfg.DigestFrom,
		To:         splitList(cfg.DigestTo),
		// Owners' addresses come from catalog files: mail stays inside these.
		AllowedDomains: cfg.DigestAllowedDomains,
		Logger:         logger.With("component", "digest"),
		KPIs:           kpiSourcesFor(cfg, db, st),
	}
	if deliver && cfg.SMTPURL != "" {
		m, err := digest.NewSMTPMailer(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		dc.Mailer = m
	}
	if deliver && cfg.SlackBotToken != "" && cfg.DigestSlackChannel != "" {
		dc.Slack = digest.NewSlackPoster(cfg.SlackBotToken, cfg.SlackAPIURL)
		dc.SlackChannel = cfg.DigestSlackChannel
	}
	return digest.New(dc)
}

// registerDigest mounts POST /api/usage (the web view serves GET /digest) and, when the
// digest goes anywhere, starts its schedule; the returned stop drains it.
func registerDigest(ctx context.Context, r *mux.Router, cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger) (func(context.Context), error) {
	dg, err := newDigest(cfg, db, st, logger, true)
	if err != nil {
		return nil, err
	}
	r.Handle("/api/usage", digest.UsageHandler(st, digest.UsageOptions{
		Token: cfg.APIToken, Logger: logger.With("component", "usage"),
	})).Methods(http.MethodPost)
	if err := registerKPIs(r, cfg, db, st, logger); err != nil {
		return nil, err
	}
	if !digestDelivers(cfg) {
		return func(context.Context) {}, nil
	}
	sched, err := digest.NewScheduler(dg, cfg.DigestSchedule, logger.With("component", "digest"))
	if err != nil {
		return nil, err
	}
	// A fresh install mails nothing until its first scheduled run.
	if sched.Since, err = db.Created(ctx); err != nil {
		return nil, err
	}
	if err := sched.Start(ctx); err != nil {
		return nil, err
	}
	return func(ctx context.Context) {
		if err := sched.Stop(ctx); err != nil {
			logger.Warn("digest send not drained", "err", err)
		}
	}, nil
}

func digestCmd(fs *flag.FlagSet) action {
	weekFlag := fs.String("week", "", "the ISO week `W`, such as 2026-W47 (default: the last complete week)")
	send := fs.Bool("send", false, "send it by email and to Slack (each recipient once a week)")
	format := fs.String("format", "text", "print format `F`: text, html or slack")
	return func(ctx context.Context, c *cli) error { return cmdDigest(ctx, c, *weekFlag, *send, *format) }
}

func cmdDigest(ctx context.Context, c *cli, weekFlag string, send bool, format string) error {
	cfg, logger, stdout := c.cfg, c.logger, c.stdout
	if len(c.args) > 0 {
		return fmt.Errorf("%w: digest takes flags only (callboard digest [--week 2026-W47] [--send])", errUsage)
	}
	switch format {
	case "text", "html", "slack":
	default:
		return fmt.Errorf("%w: digest --format %q: want text, html or slack", errUsage, format)
	}
	if send && !digestDelivers(cfg) {
		return fmt.Errorf("nothing to send with: set SMTP_URL (with DIGEST_FROM and DIGEST_TO), or SLACK_BOT_TOKEN and DIGEST_SLACK_CHANNEL")
	}
	db, st, done, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	dg, err := newDigest(cfg, db, st, logger, send)
	if err != nil {
		return err
	}
	week := dg.LastWeek()
	if weekFlag != "" {
		if week, err = digest.ParseWeek(weekFlag); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	if send {
		return sendDigest(ctx, stdout, dg, week)
	}
	d, err := dg.Digest(ctx, week)
	if err != nil {
		return err
	}
	return printDigest(stdout, d, format)
}

// sendDigest sends a week's digest and says to whom.
func sendDigest(ctx context.Context, stdout io.Writer, dg *digest.Service, week digest.Week) error {
	rep, err := dg.Send(ctx, week)
	for _, k := range rep.Sent {
		fmt.Fprintf(stdout, "sent %s\n", k)
	}
	for _, k := range rep.Skipped {
		fmt.Fprintf(stdout, "already sent %s\n", k)
	}
	for _, k := range rep.Failed {
		fmt.Fprintf(stdout, "failed %s (retried by the next run)\n", k)
	}
	for _, k := range rep.NotAllowed {
		fmt.Fprintf(stdout, "not sent %s: outside DIGEST_ALLOWED_DOMAINS\n", k)
	}
	if err == nil && len(rep.Sent)+len(rep.Skipped) == 0 {
		fmt.Fprintf(stdout, "no recipients for %s\n", week)
	}
	return err
}

// printDigest prints a digest as text, as the HTML email, or as the Slack
// message's JSON.
func printDigest(stdout io.Writer, d *digest.Digest, format string) error {
	switch format {
	case "html":
		page, err := digest.HTML(d)
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, page)
		return err
	case "slack":
		blocks, text := digest.Slack(d)
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"text": text, "blocks": blocks})
	}
	_, err := io.WriteString(stdout, digest.Text(d))
	return err
}
