package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/bot"
	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/githubapp"
	"github.com/callboard/callboard/onboarding"
	"github.com/callboard/callboard/sqlite"
	"github.com/callboard/callboard/web"
)

// onboardingConfig is ONBOARDING and its companions.
type onboardingConfig struct {
	Mode       string
	PerHour    int
	ActiveDays int
	Exclude    []string
}

// readOnboarding reads ONBOARDING, ONBOARDING_PER_HOUR,
// ONBOARDING_ACTIVE_DAYS and ONBOARDING_EXCLUDE into c, and names each mistake.
func readOnboarding(c *config, getenv func(string) string) []string {
	var errs []string
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	o := onboardingConfig{Mode: strings.ToLower(get("ONBOARDING", onboarding.ModeOff))}
	switch o.Mode {
	case onboarding.ModeOff, onboarding.ModeDryRun, onboarding.ModeOn:
	default:
		errs = append(errs, fmt.Sprintf("ONBOARDING %q: want off, dry-run or on", getenv("ONBOARDING")))
	}
	for _, v := range []struct {
		name, def string
		to        *int
		max       int
	}{{"ONBOARDING_PER_HOUR", "20", &o.PerHour, 1000}, {"ONBOARDING_ACTIVE_DAYS", "180", &o.ActiveDays, 36500}} {
		n, err := strconv.Atoi(get(v.name, v.def))
		if err != nil || n < 1 || n > v.max {
			errs = append(errs, fmt.Sprintf("%s %q: want a whole number from 1 to %d", v.name, getenv(v.name), v.max))
			continue
		}
		*v.to = n
	}
	ex, err := onboarding.ParseExclude(getenv("ONBOARDING_EXCLUDE"))
	if err != nil {
		errs = append(errs, "ONBOARDING_EXCLUDE "+err.Error())
	}
	o.Exclude = ex
	c.Onboarding = o
	return errs
}

// newOnboarding is the onboarding service over the App's clients.
func newOnboarding(cfg config, db *sqlite.DB, st *store.Store, gh *githubapp.App, logger *slog.Logger) *onboarding.Service {
	var api onboarding.GitHub
	if cfg.GitHubAppID != "" && cfg.GitHubPrivateKey != "" && gh != nil {
		api = onboarding.NewGitHub(gh)
	}
	o := cfg.Onboarding
	return onboarding.New(onboarding.Config{Mode: o.Mode, PerHour: o.PerHour, ActiveDays: o.ActiveDays, Exclude: o.Exclude,
		CatalogFile: cfg.CatalogFile, Usage: st, Logger: logger.With("component", "onboarding")}, api, onboarding.NewStore(db, nil), st)
}

func onboardCmd(fs *flag.FlagSet) action {
	dry := fs.Bool("dry-run", false, "show what would be proposed; open nothing (as ONBOARDING=dry-run)")
	return func(ctx context.Context, c *cli) error { return cmdOnboard(ctx, c, *dry) }
}

func cmdOnboard(ctx context.Context, c *cli, dry bool) error {
	cfg, logger, stdout := c.cfg, c.logger, c.stdout
	if cfg.GitHubAppID == "" || cfg.GitHubPrivateKey == "" {
		return fmt.Errorf("onboard needs GITHUB_APP_ID and GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_FILE)")
	}
	for _, r := range c.args {
		if o, n, ok := strings.Cut(r, "/"); !ok || o == "" || n == "" || strings.Contains(n, "/") {
			return fmt.Errorf("%w: %q is not a repository; want org/repo (callboard onboard [--dry-run] [REPO...])", errUsage, r)
		}
	}
	db, st, done, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	gh, err := newGitHubApp(cfg, db, st, logger, nil)
	if err != nil {
		return err
	}
	svc := newOnboarding(cfg, db, st, gh, logger)
	if !dry && cfg.Onboarding.Mode != onboarding.ModeOn {
		dry = true
		fmt.Fprintf(stdout, "ONBOARDING is %s: showing what would be proposed, opening nothing (ONBOARDING=on opens them)\n\n", cfg.Onboarding.Mode)
	}
	start := gh.APICalls()
	res, err := svc.Run(ctx, onboarding.RunOptions{DryRun: dry, Repos: c.args, Calls: gh.APICalls})
	printOnboarding(stdout, res, dry)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d GitHub API calls\n", gh.APICalls()-start)
	return nil
}

// printOnboarding prints each proposal: what was (or would be) done, the
// evidence for each field, and the file.
func printOnboarding(w io.Writer, res []onboarding.Result, dry bool) {
	count := map[string]int{}
	for _, r := range res {
		count[r.Action]++
		fmt.Fprintf(w, "%s: %s", r.Repo, r.Action)
		if r.URL != "" {
			fmt.Fprintf(w, " %s", r.URL)
		}
		if r.Why != "" {
			fmt.Fprintf(w, " (%s)", r.Why)
		}
		fmt.Fprintln(w)
		p := r.Proposal
		if p == nil || p.NeedsOwner() || r.Action == onboarding.ActUnchanged || r.Action == onboarding.ActSkipped {
			continue
		}
		fmt.Fprintf(w, "  title: %s\n", p.Title)
		for _, e := range p.Evidence {
			fmt.Fprintf(w, "  %-15s %-24s %s\n", e.Field, e.Value, strings.ReplaceAll(e.Why, "`", ""))
		}
		if dry {
			fmt.Fprintln(w, "  catalog-info.yaml:")
			for _, line := range strings.Split(strings.TrimRight(string(p.File), "\n"), "\n") {
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
		fmt.Fprintln(w)
	}
	var parts []string
	for _, a := range []string{onboarding.ActOpened, onboarding.ActWouldOpen, onboarding.ActUpdated, onboarding.ActWouldEdit,
		onboarding.ActUnchanged, onboarding.ActNeedsOwner, onboarding.ActDeferred, onboarding.ActLeftAlone, onboarding.ActSkipped} {
		if count[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[a], a))
		}
	}
	if len(parts) == 0 {
		parts = []string{"no repository to propose a catalog file to"}
	}
	fmt.Fprintln(w, strings.Join(parts, ", "))
}

// onboardingEvery is how often serve runs onboarding.
const onboardingEvery = time.Hour

// startOnboarding runs onboarding hourly (the first a minute after start)
// while ONBOARDING is not off; the returned stop ends it and waits.
func startOnboarding(ctx context.Context, svc *onboarding.Service, logger *slog.Logger, first time.Duration) func(context.Context) {
	log := logger.With("component", "onboarding")
	if svc.Mode() == onboarding.ModeOff {
		log.Info("feature off", "feature", "onboarding", "why", "set ONBOARDING=dry-run or on to propose catalog files by pull request")
		return func(context.Context) {}
	}
	log.Info("feature on", "feature", "onboarding", "mode", svc.Mode())
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTimer(first)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			res, err := svc.Run(ctx, onboarding.RunOptions{})
			count := map[string]int{}
			for _, r := range res {
				count[r.Action]++
			}
			if err != nil && ctx.Err() == nil {
				log.Error("onboarding run", "err", err)
			}
			log.Info("onboarding run finished", "opened", count[onboarding.ActOpened], "updated", count[onboarding.ActUpdated],
				"would_open", count[onboarding.ActWouldOpen], "needs_owner", count[onboarding.ActNeedsOwner], "deferred", count[onboarding.ActDeferred])
			t.Reset(onboardingEvery)
		}
	})
	return func(context.Context) {
		cancel()
		wg.Wait()
	}
}

// onboardingProposals is the web view's source of a team's open proposals.
type onboardingProposals struct{ st *onboarding.Store }

func (o onboardingProposals) OpenProposals(ctx context.Context, team catalog.Ref) ([]web.Proposal, error) {
	rs, err := o.st.ByOwner(ctx, team.String(), onboarding.StateOpen)
	if err != nil {
		return nil, err
	}
	out := make([]web.Proposal, 0, len(rs))
	for _, r := range rs {
		out = append(out, web.Proposal{Repository: r.Repo, Title: r.Title, URL: r.URL, Opened: r.OpenedAt})
	}
	return out, nil
}

// botProposals is what Slack reads of the proposals: /catalog onboarding
// and the App Home.
type botProposals struct{ st *onboarding.Store }

func (o botProposals) OpenProposals(ctx context.Context, team catalog.Ref) ([]bot.Proposal, error) {
	rs, err := o.st.ByOwner(ctx, team.String(), onboarding.StateOpen)
	if err != nil {
		return nil, err
	}
	out := make([]bot.Proposal, 0, len(rs))
	for _, r := range rs {
		out = append(out, bot.Proposal{Repository: r.Repo, Title: r.Title, URL: r.URL, Opened: r.OpenedAt})
	}
	return out, nil
}

func (o botProposals) OpenProposalCounts(ctx context.Context) (map[string]int, error) {
	rs, err := o.st.InState(ctx, onboarding.StateOpen)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rs {
		out[r.Owner]++
	}
	return out, nil
}

// slackProposals is Slack's source of proposals: nil while ONBOARDING is off.
func slackProposals(cfg config, db *sqlite.DB) bot.Proposals {
	if cfg.Onboarding.Mode == onboarding.ModeOff {
		return nil
	}
	return botProposals{onboarding.NewStore(db, nil)}
}

// digestProposals is the digest's onboarding section from the proposals kept.
type digestProposals struct{ st *onboarding.Store }

func (o digestProposals) OnboardingBetween(ctx context.Context, from, to time.Time) (*digest.OnboardingReport, error) {
	stats, err := o.st.StatsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	r := &digest.OnboardingReport{Proposed: stats.Proposed, Merged: stats.Merged, ClosedUnmerged: stats.ClosedUnmerged, MergeTimes: stats.MergeTimes}
	open, err := o.st.InState(ctx, onboarding.StateOpen) // by owner, then repository
	if err != nil {
		return nil, err
	}
	for _, rec := range open {
		team := strings.TrimPrefix(rec.Owner, "group:default/")
		if n := len(r.Waiting); n == 0 || r.Waiting[n-1].Team != team {
			r.Waiting = append(r.Waiting, digest.TeamProposals{Team: team})
		}
		w := &r.Waiting[len(r.Waiting)-1]
		w.Repos = append(w.Repos, digest.ProposalLink{Repo: rec.Repo, URL: rec.URL})
	}
	needs, err := o.st.InState(ctx, onboarding.StateNeedsOwner)
	if err != nil {
		return nil, err
	}
	for _, rec := range needs {
		r.NeedsOwner = append(r.NeedsOwner, digest.ProposalLink{Repo: rec.Repo})
	}
	dry, err := o.st.InState(ctx, onboarding.StateDryRun)
	if err != nil {
		return nil, err
	}
	r.WouldPropose = len(dry)
	return r, nil
}

// digestOnboarding is the digest's onboarding source: nil while ONBOARDING is off.
func digestOnboarding(cfg config, db *sqlite.DB) digest.OnboardingSource {
	if cfg.Onboarding.Mode == onboarding.ModeOff {
		return nil
	}
	return digestProposals{onboarding.NewStore(db, nil)}
}
