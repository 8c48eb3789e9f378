package githubapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/repofs"
	"github.com/callboard/callboard/internal/ghapi"
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

// maxRounds bounds the batched queries that follow Location targets (a
// target's targets, …); what is still wanted after them is read through
// REST.
const maxRounds = 4

// restPerBatch is what a batch may spend of the REST budget (files too
// large for GraphQL, globs' tree listings), checked before it starts.
const restPerBatch = 10

// read reads a batch: one query for the repositories and their catalog
// and CODEOWNERS files, then rounds for the files their walks want.
func (j *job) read(ctx context.Context, batch []listed) ([]*work, error) {
	if err := j.spend(ctx, resourceCore, restPerBatch); err != nil {
		return nil, err
	}
	if j.restOnly.Load() {
		return fallback(batch), nil
	}
	names := make([]string, len(batch))
	for i, l := range batch {
		names[i] = l.name
	}
	repos, err := j.queryRepos(ctx, names)
	if errors.Is(err, errGraphQLUnavailable) {
		j.b.log.Warn("reading repositories through REST: GraphQL did not answer", "installation", j.inst, "err", err)
		j.restOnly.Store(true)
		return fallback(batch), nil
	}
	if err != nil {
		return nil, err
	}
	var ready []*work
	for i, r := range repos {
		if r == nil {
			continue // deleted since it was listed: its repository event takes it out
		}
		ri := r.info()
		row, err := j.b.sync.repoRow(ctx, ri)
		if err != nil {
			return nil, err
		}
		facts := r.facts()
		w := &work{ri: ri, row: row, facts: &facts}
		if row.Archived {
			ready = append(ready, w)
			continue
		}
		st := r.stack()
		w.stack = &st
		row.RecordArchive(time.Time{}, nil)
		fsys := repofs.NewFromBlobs(ctx, j.gh, row.FullName, ri.DefaultBranch, r.blobs(j.b.sync.root()))
		if err := readCodeowners(fsys, row); err != nil {
			return nil, fmt.Errorf("reading CODEOWNERS of %s: %w", names[i], err)
		}
		if row.DefaultBranch == "" {
			row.DefaultBranch = ri.DefaultBranch
		}
		wk := &walk{w: w, fsys: fsys}
		done, err := j.step(ctx, wk)
		if err != nil {
			return nil, err
		}
		if done {
			ready = append(ready, w)
		} else {
			j.pool = append(j.pool, wk)
		}
	}
	for j.poolFull() {
		more, err := j.round(ctx)
		if err != nil {
			return nil, err
		}
		ready = append(ready, more...)
	}
	return ready, nil
}

func fallback(batch []listed) []*work {
	ws := make([]*work, len(batch))
	for i, l := range batch {
		ws[i] = &work{ri: l.info, fallback: true}
	}
	return ws
}

// walk is a repository's catalog walk over what was read so far.
type walk struct {
	w      *work
	fsys   *repofs.FS
	want   []string
	rounds int
}

// step walks a repository's catalog files over what was read so far, and
// says whether it is done; if not, wk.want holds the files it wants (a
// Location's targets, placeholders' files). After maxRounds, or for a
// file only REST reads whole, it walks once more reading as it goes.
func (j *job) step(ctx context.Context, wk *walk) (bool, error) {
	last := wk.rounds >= maxRounds
	wk.fsys.Defer(!last)
	decl, _, err := j.b.sync.readCatalog(ctx, wk.fsys, wk.w.row, catalog.TreeOptions{})
	if err != nil {
		return false, fmt.Errorf("reading the catalog files of %s: %w", wk.w.row.FullName, err)
	}
	paths, rest := wk.fsys.Wanted()
	switch {
	case last || len(paths) == 0 && !rest:
		wk.w.decl = decl
		return true, nil
	case rest:
		wk.rounds = maxRounds
		return j.step(ctx, wk)
	}
	wk.want = paths
	return false, nil
}

// poolFull: enough walks wait to fill a query.
func (j *job) poolFull() bool {
	files := 0
	for _, wk := range j.pool {
		files += len(wk.want)
	}
	return len(j.pool) >= batchSize || files >= maxBatchFiles
}

// round reads, in batched queries, the files the waiting walks want, and
// walks them again; it returns the repositories now read whole.
func (j *job) round(ctx context.Context) ([]*work, error) {
	wants := make([]fileWant, len(j.pool))
	for i, wk := range j.pool {
		wants[i] = fileWant{name: wk.w.row.FullName, paths: wk.want}
	}
	got, err := j.queryFiles(ctx, wants)
	switch {
	case errors.Is(err, errGraphQLUnavailable):
		for _, wk := range j.pool {
			wk.rounds = maxRounds // read the rest through REST
		}
	case err != nil:
		return nil, err
	default:
		for _, wk := range j.pool {
			wk.fsys.AddBlobs(got[wk.w.row.FullName])
			wk.rounds++
		}
	}
	var ready []*work
	var still []*walk
	for _, wk := range j.pool {
		done, err := j.step(ctx, wk)
		if err != nil {
			return nil, err
		}
		if done {
			ready = append(ready, wk.w)
		} else {
			still = append(still, wk)
		}
	}
	j.pool = still
	return ready, nil
}

// flush finishes the walks still waiting once every batch is read.
func (j *job) flush(ctx context.Context) ([]*work, error) {
	var ready []*work
	for len(j.pool) > 0 {
		more, err := j.round(ctx)
		if err != nil {
			return nil, err
		}
		ready = append(ready, more...)
	}
	return ready, nil
}

// write stores a batch: the repositories read through GraphQL in one
// transaction, the others (archived, read file by file) each in their own,
// as a webhook would; their facts in one more. Should the batch's
// transaction fail, each repository is written alone, so that the error
// names it and the others are kept.
func (j *job) write(ctx context.Context, ws []*work) error {
	var facts []repoFactsRow
	var rows []*catalog.Repository
	var batch []catalog.SourceBatch
	done := func(res catalog.ReplaceResult) {
		j.count(func() { j.done, j.entities = j.done+1, j.entities+len(res.Added)+len(res.Updated) })
	}
	for _, w := range ws {
		var res catalog.ReplaceResult
		var err error
		switch {
		case w.fallback:
			if err = j.spend(ctx, resourceCore, 5); err == nil {
				res, err = j.b.sync.syncRepo(ctx, j.gh, j.inst, w.ri, readAll)
			}
		case w.row.Archived:
			res, err = j.b.sync.archived(ctx, j.inst, w.ri, w.row)
		default:
			rows = append(rows, w.row)
			batch = append(batch, catalog.SourceBatch{Entities: w.decl, Options: replaceOptions(w.row)})
			continue
		}
		if err != nil {
			return err
		}
		done(res)
		if w.facts != nil {
			facts = append(facts, repoFactsRow{ID: w.ri.ID, repoFacts: *w.facts})
		}
	}
	if len(rows) > 0 {
		results, err := j.b.sync.store.SyncInstalledRepositories(ctx, j.inst, rows, batch)
		if err != nil {
			j.b.log.Warn("storing a batch of repositories failed; storing them one by one", "installation", j.inst, "err", err)
			results = make([]catalog.ReplaceResult, len(rows))
			for i, r := range rows {
				if results[i], err = j.b.sync.store.SyncInstalledRepository(ctx, j.inst, r, batch[i].Entities, batch[i].Options); err != nil {
					return err
				}
			}
		}
		for _, res := range results {
			done(res)
		}
	}
	for _, w := range ws {
		if w.facts != nil && !w.fallback && !w.row.Archived {
			facts = append(facts, repoFactsRow{ID: w.ri.ID, repoFacts: *w.facts})
		}
	}
	if err := j.b.facts.put(ctx, facts); err != nil {
		return err
	}
	if j.b.kpi != nil {
		var stacks []catalog.RepoStack
		for _, w := range ws {
			if w.stack != nil {
				stacks = append(stacks, *w.stack)
			}
		}
		if err := j.b.kpi.RecordStacks(ctx, stacks, j.b.now()); err != nil {
			return err
		}
	}
	j.report(false)
	return nil
}

// replaceOptions: an invalid catalog file keeps the entities it declared
// before, as a push does.
func replaceOptions(row *catalog.Repository) catalog.ReplaceOptions {
	return catalog.ReplaceOptions{KeepMissing: row.CatalogStatus == catalog.StatusInvalid}
}

// graphql sends a query within the budget: it waits while the query would
// take the GraphQL budget below its reserve, and retries what GitHub asks
// to retry.
func (j *job) graphql(ctx context.Context, query string, vars map[string]any) (*gqlAnswer, error) {
	for attempt := 0; ; attempt++ {
		var cost int
		j.count(func() { cost = max(1, j.estCost[operation(query)]) })
		if err := j.spend(ctx, resourceGraphQL, cost); err != nil {
			return nil, err
		}
		ans, err := postGraphQL(ctx, j.gh, j.b.sync.graphql, query, vars)
		if errors.Is(err, errRateLimited) && attempt < 5 {
			// Spent elsewhere meanwhile (webhook work): wait for the reset.
			st := j.bud.state(resourceGraphQL)
			j.bud.set(resourceGraphQL, st.limit, 0, st.reset)
			continue
		}
		if err != nil && attempt < 3 {
			f := ghapi.Classify(err, j.b.now())
			if f.Kind == ghapi.Retry || f.Kind == ghapi.Wait {
				if err := sleep(ctx, max(f.After, time.Duration(attempt+1)*time.Second)); err != nil {
					return nil, err
				}
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		if c := rateLimitOf(ans, j.bud); c > 0 {
			j.count(func() { j.points, j.estCost[operation(query)] = j.points+c, c })
		}
		return ans, nil
	}
}

// spend waits until cost can be spent of resource without taking it below
// the reserve. An unknown budget (or one whose reset has passed) is read
// first from GET /rate_limit, which costs nothing; where that does not
// answer (rate limits off on GitHub Enterprise Server), it goes ahead.
func (j *job) spend(ctx context.Context, resource string, cost int) error {
	for {
		st := j.bud.state(resource)
		now := j.b.now()
		if !st.known || !now.Before(st.reset) {
			err := j.bud.refresh(ctx, j.gh.Client(), j.b.clients.APIURL())
			if errors.Is(err, errNoRateLimit) {
				return nil
			}
			if err != nil {
				return err
			}
			if st = j.bud.state(resource); !st.known {
				return nil
			}
		}
		if st.remaining-cost >= reserveOf(st.limit, j.b.reserve) {
			return nil
		}
		until := st.reset.Add(j.b.margin)
		if !until.After(now) {
			until = now.Add(j.b.margin)
		}
		j.b.log.Info("backfill paused to keep the reserve for webhook work", "installation", j.inst, "resource", resource,
			"remaining", st.remaining, "reserve", reserveOf(st.limit, j.b.reserve), "until", until.Format(time.RFC3339))
		j.pausedUntil(until)
		t0 := time.Now()
		if err := sleep(ctx, until.Sub(now)); err != nil {
			return err
		}
		j.count(func() { j.paused += time.Since(t0) })
		j.pausedUntil(time.Time{})
		// The reset has passed: the budget is read again above.
		j.bud.set(resource, st.limit, st.remaining, time.Time{})
	}
}

// operation is a query's kind: what comes before its variables.
func operation(query string) string {
	op, _, _ := strings.Cut(query, "(")
	return op
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
