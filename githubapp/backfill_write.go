package githubapp

import (
	"context"

	"github.com/callboard/callboard/catalog"
)

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
	if err := j.store(ctx, rows, batch, done); err != nil {
		return err
	}
	for _, w := range ws {
		if w.facts != nil && !w.fallback && !w.row.Archived {
			facts = append(facts, repoFactsRow{ID: w.ri.ID, repoFacts: *w.facts})
		}
	}
	if err := j.b.facts.put(ctx, facts); err != nil {
		return err
	}
	if err := j.recordStacks(ctx, ws); err != nil {
		return err
	}
	j.report(false)
	return nil
}

// store writes the batch's repositories read through GraphQL in one
// transaction, or one by one should it fail.
func (j *job) store(ctx context.Context, rows []*catalog.Repository, batch []catalog.SourceBatch, done func(catalog.ReplaceResult)) error {
	if len(rows) == 0 {
		return nil
	}
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
	return nil
}

// recordStacks records the languages and frameworks of the batch's
// repositories for the KPIs.
func (j *job) recordStacks(ctx context.Context, ws []*work) error {
	if j.b.kpi == nil {
		return nil
	}
	var stacks []catalog.RepoStack
	for _, w := range ws {
		if w.stack != nil {
			stacks = append(stacks, *w.stack)
		}
	}
	return j.b.kpi.RecordStacks(ctx, stacks, j.b.now())
}

// replaceOptions: an invalid catalog file keeps the entities it declared
// before, as a push does.
func replaceOptions(row *catalog.Repository) catalog.ReplaceOptions {
	return catalog.ReplaceOptions{KeepMissing: row.CatalogStatus == catalog.StatusInvalid}
}
