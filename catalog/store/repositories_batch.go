package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/callboard/callboard/catalog"
)

// SyncInstalledRepositories is SyncInstalledRepository for a batch (a
// backfill's 100 repositories), in one transaction: each repository's row
// and the entities its files declare (batch[i].Source is ignored: the
// repository's own source is used). The results come in the batch's order.
func (s *Store) SyncInstalledRepositories(ctx context.Context, inst int64, repos []*catalog.Repository, batch []catalog.SourceBatch) ([]catalog.ReplaceResult, error) {
	if len(repos) != len(batch) {
		return nil, fmt.Errorf("storing repositories: %d repositories, %d batches", len(repos), len(batch))
	}
	enc, err := encodeAll(batch)
	if err != nil {
		return nil, err
	}
	res := make([]catalog.ReplaceResult, len(repos))
	err = s.replacing(ctx, "", func(tx *sql.Tx, st *statements) error {
		for i, r := range repos {
			if err := s.putRepository(ctx, tx, inst, r); err != nil {
				return fmt.Errorf("storing repository %s: %w", r.FullName, err)
			}
			if res[i], err = s.replace(ctx, st, r.Source, enc[i], batch[i].Options); err != nil {
				return fmt.Errorf("replacing entities of %s: %w", r.FullName, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
