package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
	"golang.org/x/sync/errgroup"
)

// BackfillReport says what a backfill read and wrote.
type BackfillReport struct {
	Installation int64
	Account      string
	Repositories int
	Entities     int // entities added or updated
	APICalls     int64
	Points       int           // GraphQL points spent
	Paused       time.Duration // waited for a budget's reset
}

// SyncOptions says what a sync reads.
type SyncOptions struct {
	// Since: only the repositories pushed to since then (zero: all).
	Since time.Time
	// Progress is told where the backfill stands after each batch (and
	// when it pauses for a budget's reset); may be nil.
	Progress func(BackfillProgress)
}

// BackfillProgress is where a backfill stands.
type BackfillProgress struct {
	Installation int64
	Account      string
	Done, Total  int     // repositories written; listed so far (for --since: those pushed since), plus those not yet listed
	Rate         float64 // repositories a second so far
	PointsLeft   int     // GraphQL points left in this hour (-1: not known)
	CallsLeft    int     // REST calls left in this hour (-1: not known)
	Left         time.Duration
	// PausedUntil is set while the backfill waits for a budget's reset so
	// as to leave its reserve to webhook work and pull-request checks.
	PausedUntil time.Time
	Finished    bool
}

// String is the progress line callboard sync prints.
func (p BackfillProgress) String() string {
	left := func(n int) string {
		if n < 0 {
			return "?"
		}
		return fmt.Sprint(n)
	}
	s := fmt.Sprintf("installation %d (%s): %d/%d repositories, %.0f/s, %s GraphQL points and %s REST calls left",
		p.Installation, p.Account, p.Done, p.Total, p.Rate, left(p.PointsLeft), left(p.CallsLeft))
	switch {
	case p.Finished:
		s += ", done"
	case !p.PausedUntil.IsZero():
		s += fmt.Sprintf(", paused until %s (keeping the reserve for webhooks)", p.PausedUntil.Format(time.TimeOnly))
	case p.Rate > 0:
		s += fmt.Sprintf(", about %s to go", p.Left.Round(time.Second))
	}
	return s
}

// backfiller reads an installation whole: an installation event, the
// repositories added to one, and callboard sync.
type backfiller struct {
	clients *clients
	sync    *syncer
	facts   repoFactsStore
	kpi     KPIRecorder // what repositories are built with; nil keeps nothing
	metrics *backfillMetrics
	reserve float64 // share of each budget left alone
	margin  time.Duration
	now     func() time.Time
	log     *slog.Logger
}

// job is one backfill's running totals.
type job struct {
	b       *backfiller
	gh      *github.Client
	bud     *budget
	inst    int64
	account string
	opts    SyncOptions
	start   time.Time

	mu                    sync.Mutex // the reader and the writer both count
	total, done, entities int
	points                int
	// estCost is what the last query of each kind (its operation: the
	// repositories, their files, teams) cost: the next one likely costs as
	// much, and the kinds differ (a batch of repositories reads two
	// connections each, a batch of files none).
	estCost  map[string]int
	paused   time.Duration
	restOnly atomic.Bool // GraphQL did not answer: read through REST

	// pool holds the walks that want more files, across batches, until
	// enough of them wait to fill a query (the reader's alone).
	pool []*walk
}

// listed is a repository as the installation's list names it.
type listed struct {
	name string
	info repoInfo
}

// work is one repository read and ready to store.
type work struct {
	ri       repoInfo
	row      *catalog.Repository
	decl     []catalog.Declared
	facts    *repoFacts
	stack    *catalog.RepoStack // for the KPIs; nil when not read
	fallback bool               // read it the webhook way, file by file
}

// run reads every repository of an installation (its catalog files and
// CODEOWNERS) in batches and, for an organisation, its teams and members;
// log names the installation.
func (b *backfiller) run(ctx context.Context, log *slog.Logger, instID int64, account, accountType string, opts SyncOptions) (BackfillReport, error) {
	rep := BackfillReport{Installation: instID, Account: account}
	gh, err := b.clients.Installation(instID)
	if err != nil {
		return rep, err
	}
	before := b.clients.Calls()
	j := b.newJob(gh, instID, account, opts)
	err = j.pipeline(ctx, func(ctx context.Context, out func([]listed) error) error { return j.list(ctx, out) })
	if err == nil && strings.EqualFold(accountType, "Organization") && account != "" && opts.Since.IsZero() {
		var res catalog.ReplaceResult
		if res, err = j.syncOrg(ctx, account); err == nil {
			j.count(func() { j.entities += len(res.Added) + len(res.Updated) })
		}
	}
	j.count(func() {
		rep.Repositories, rep.Entities, rep.Points, rep.Paused = j.done, j.entities, j.points, j.paused
	})
	rep.APICalls = b.clients.Calls() - before
	j.report(true)
	if err != nil {
		return rep, err
	}
	log.Info("installation backfilled", "account", account, "repositories", rep.Repositories, "entities_changed", rep.Entities,
		"api_calls", rep.APICalls, "graphql_points", rep.Points, "paused", rep.Paused.Round(time.Second))
	return rep, nil
}

// added reads repositories added to an installation, in batches.
func (b *backfiller) added(ctx context.Context, instID int64, repos []*github.Repository) error {
	gh, err := b.clients.Installation(instID)
	if err != nil {
		return err
	}
	j := b.newJob(gh, instID, "", SyncOptions{})
	var ls []listed
	for _, r := range repos {
		ls = append(ls, listed{name: r.GetFullName(), info: infoOf(r)})
	}
	j.total = len(ls)
	return j.pipeline(ctx, func(ctx context.Context, out func([]listed) error) error {
		for len(ls) > 0 {
			n := min(batchSize, len(ls))
			if err := out(ls[:n]); err != nil {
				return err
			}
			ls = ls[n:]
		}
		return nil
	})
}

func (b *backfiller) newJob(gh *github.Client, inst int64, account string, opts SyncOptions) *job {
	j := &job{b: b, gh: gh, bud: b.clients.Budget(inst), inst: inst, account: account, opts: opts, start: b.now(), estCost: map[string]int{}}
	j.restOnly.Store(b.sync.graphql == "")
	return j
}

// pipeline reads batches (list hands them over) while the previous batch
// is written: one goroutine waits on GitHub, the other on SQLite.
func (j *job) pipeline(ctx context.Context, list func(ctx context.Context, out func([]listed) error) error) error {
	g, gctx := errgroup.WithContext(ctx)
	ready := make(chan []*work, 1)
	g.Go(func() error {
		defer close(ready)
		emit := func(ws []*work, err error) error {
			if err != nil || len(ws) == 0 {
				return err
			}
			select {
			case ready <- ws:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		if err := list(gctx, func(batch []listed) error { return emit(j.read(gctx, batch)) }); err != nil {
			return err
		}
		return emit(j.flush(gctx))
	})
	g.Go(func() error {
		for ws := range ready {
			if err := j.write(gctx, ws); err != nil {
				return err
			}
		}
		return nil
	})
	return g.Wait()
}

// list hands the installation's repositories over in batches: REST lists
// 100 a call with pushed_at, which --since filters on.
func (j *job) list(ctx context.Context, out func([]listed) error) error {
	opts := &github.ListOptions{PerPage: batchSize}
	var pending []listed
	seen := 0
	for {
		if err := j.spend(ctx, resourceCore, 1); err != nil {
			return err
		}
		page, resp, err := j.gh.Apps.ListRepos(ctx, opts)
		if err != nil {
			return fmt.Errorf("listing repositories of installation %d: %w", j.inst, err)
		}
		seen += len(page.Repositories)
		for _, r := range page.Repositories {
			if !j.opts.Since.IsZero() && !r.GetPushedAt().After(j.opts.Since) {
				continue
			}
			pending = append(pending, listed{name: r.GetFullName(), info: infoOf(r)})
			if !j.opts.Since.IsZero() {
				j.count(func() { j.total++ })
			}
		}
		if j.opts.Since.IsZero() {
			j.count(func() { j.total = page.GetTotalCount() })
		}
		for len(pending) >= batchSize {
			if err := out(pending[:batchSize]); err != nil {
				return err
			}
			pending = pending[batchSize:]
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(pending) > 0 {
		return out(pending)
	}
	return nil
}

// count changes the job's totals.
func (j *job) count(f func()) {
	j.mu.Lock()
	defer j.mu.Unlock()
	f()
}

// progress is where the job stands.
func (j *job) progress(finished bool) BackfillProgress {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := BackfillProgress{Installation: j.inst, Account: j.account, Done: j.done, Total: max(j.total, j.done), PointsLeft: -1, CallsLeft: -1, Finished: finished}
	if el := j.b.now().Sub(j.start).Seconds(); el > 0 {
		p.Rate = float64(j.done) / el
	}
	if p.Rate > 0 {
		p.Left = time.Duration(float64(p.Total-p.Done) / p.Rate * float64(time.Second))
	}
	if st := j.bud.state(resourceGraphQL); st.known {
		p.PointsLeft = st.remaining
	}
	if st := j.bud.state(resourceCore); st.known {
		p.CallsLeft = st.remaining
	}
	return p
}

func (j *job) report(finished bool) {
	j.publish(j.progress(finished))
}

func (j *job) pausedUntil(t time.Time) {
	p := j.progress(false)
	p.PausedUntil = t
	j.publish(p)
}

func (j *job) publish(p BackfillProgress) {
	j.b.metrics.set(p)
	if j.opts.Progress != nil {
		j.opts.Progress(p)
	}
}

// Sync backfills every installation of the App: callboard sync.
func (a *App) Sync(ctx context.Context, opts SyncOptions) ([]BackfillReport, error) {
	app, err := a.clients.App()
	if err != nil {
		return nil, err
	}
	var reports []BackfillReport
	lopts := &github.ListOptions{PerPage: 100}
	for {
		insts, resp, err := app.Apps.ListInstallations(ctx, lopts)
		if err != nil {
			return reports, fmt.Errorf("listing installations: %w", err)
		}
		for _, inst := range insts {
			rep, err := a.backfill.run(ctx, a.log.With("installation", inst.GetID()), inst.GetID(), inst.GetAccount().GetLogin(), inst.GetAccount().GetType(), opts)
			if err != nil {
				return reports, err
			}
			reports = append(reports, rep)
		}
		if resp.NextPage == 0 {
			break
		}
		lopts.Page = resp.NextPage
	}
	return reports, nil
}

// SyncAll backfills every repository of every installation.
func (a *App) SyncAll(ctx context.Context) ([]BackfillReport, error) {
	return a.Sync(ctx, SyncOptions{})
}
