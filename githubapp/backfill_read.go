package githubapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/repofs"
)

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
		w, wk, err := j.begin(ctx, r, names[i])
		if err != nil {
			return nil, err
		}
		if wk == nil {
			ready = append(ready, w)
			continue
		}
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

// begin makes a repository's work from what the batch's query read: its
// row, facts and CODEOWNERS, and the walk of its catalog files (nil for an
// archived repository, which has none).
func (j *job) begin(ctx context.Context, r *gqlRepo, name string) (*work, *walk, error) {
	ri := r.info()
	row, err := j.b.sync.repoRow(ctx, ri)
	if err != nil {
		return nil, nil, err
	}
	facts := r.facts()
	w := &work{ri: ri, row: row, facts: &facts}
	if row.Archived {
		return w, nil, nil
	}
	st := r.stack()
	w.stack = &st
	row.RecordArchive(time.Time{}, nil)
	fsys := repofs.NewFromBlobs(ctx, j.gh, row.FullName, ri.DefaultBranch, r.blobs(j.b.sync.root()))
	if err := readCodeowners(fsys, row); err != nil {
		return nil, nil, fmt.Errorf("reading CODEOWNERS of %s: %w", name, err)
	}
	if row.DefaultBranch == "" {
		row.DefaultBranch = ri.DefaultBranch
	}
	return w, &walk{w: w, fsys: fsys}, nil
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
