package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/callboard/callboard/githubapp"
	"github.com/callboard/callboard/githubapp/queue"
)

func syncCmd(fs *flag.FlagSet) action {
	since := fs.Duration("since", 0, "re-read only the repositories pushed to within this `DURATION` (e.g. 24h); teams are read by a full sync only")
	return func(ctx context.Context, c *cli) error { return cmdSync(ctx, c, *since) }
}

// progressEvery is how often callboard sync prints where it stands.
const progressEvery = 2 * time.Second

func cmdSync(ctx context.Context, c *cli, since time.Duration) error {
	cfg, logger, stdout := c.cfg, c.logger, c.stdout
	if since < 0 {
		return fmt.Errorf("%w: --since %s: want a positive duration such as 24h", errUsage, since)
	}
	if len(c.args) > 0 {
		return fmt.Errorf("%w: sync takes flags only (callboard sync [--since DURATION])", errUsage)
	}
	if cfg.GitHubAppID == "" || cfg.GitHubPrivateKey == "" {
		return fmt.Errorf("sync needs GITHUB_APP_ID and GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_FILE)")
	}
	db, st, done, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	app, err := newGitHubApp(cfg, db, st, logger, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	opts := githubapp.SyncOptions{}
	if since > 0 {
		opts.Since = start.Add(-since)
	}
	var last time.Time
	opts.Progress = func(p githubapp.BackfillProgress) {
		// A line every few seconds, and every pause: a terminal and a log
		// file read the same.
		if p.Finished || !p.PausedUntil.IsZero() || time.Since(last) >= progressEvery {
			last = time.Now()
			fmt.Fprintln(stdout, p)
		}
	}
	reports, err := app.Sync(ctx, opts)
	for _, r := range reports {
		perRepo := 0.0
		if r.Repositories > 0 {
			perRepo = float64(r.APICalls) / float64(r.Repositories)
		}
		fmt.Fprintf(stdout, "installation %d (%s): %d repositories, %d entities changed, %d API calls (%.3f per repository), %d GraphQL points, paused %s\n",
			r.Installation, r.Account, r.Repositories, r.Entities, r.APICalls, perRepo, r.Points, r.Paused.Round(time.Second))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "synced %d installation(s) in %s with %d GitHub API calls\n", len(reports), time.Since(start).Round(time.Millisecond), app.APICalls())
	return nil
}

func deliveriesCmd(fs *flag.FlagSet) action {
	limit := fs.Int("n", 50, "list the `N` most recent deliveries")
	retry := fs.String("retry", "", "run the delivery with this `ID` (X-GitHub-Delivery) again: a failed, parked or ignored one")
	return func(ctx context.Context, c *cli) error { return cmdDeliveries(ctx, c, *limit, *retry) }
}

func cmdDeliveries(ctx context.Context, c *cli, limit int, retry string) error {
	cfg, stdout := c.cfg, c.stdout
	if len(c.args) > 0 {
		return fmt.Errorf("%w: deliveries takes flags only (callboard deliveries [-n N] [--retry ID])", errUsage)
	}
	db, _, done, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	if retry != "" {
		d, err := queue.Retry(ctx, db, retry)
		if err != nil {
			return err
		}
		what := d.Event
		if d.Action != "" {
			what += "." + d.Action
		}
		if d.Repository != "" {
			what += " " + d.Repository
		}
		when := "callboard serve runs it within a minute"
		if !serving(cfg) {
			when = "callboard serve is not running: it runs when serve starts"
		}
		fmt.Fprintf(stdout, "delivery %s (%s, was %s) is queued again; %s\n", d.DeliveryID, what, d.State, when)
		return nil
	}
	ds, err := queue.List(ctx, db, limit)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		fmt.Fprintln(stdout, "no deliveries received yet")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tRECEIVED\tEVENT\tREPOSITORY\tATTEMPTS\tDELIVERY\tWHY (ignored) / LAST ERROR")
	for _, d := range ds {
		event := d.Event
		if d.Action != "" {
			event += "." + d.Action
		}
		repo := d.Repository
		if repo == "" {
			repo = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.State, d.ReceivedAt.Local().Format(timeWithZone), event, repo, d.Attempts, d.DeliveryID, truncate(d.LastError, 100))
	}
	return tw.Flush()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// timeWithZone prints a time in the machine's zone, named, so a reader in
// another zone is never left guessing.
const timeWithZone = "2006-01-02 15:04:05 MST"
