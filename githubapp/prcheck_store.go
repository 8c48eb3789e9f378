package githubapp

import (
	"context"
	"database/sql"
	"errors"

	"github.com/callboard/callboard/sqlite"
)

// prComments records the PR check's comment on each pull request
// (migration 0004_pr_checks.sql): the next run edits it without looking
// for it.
type prComments struct{ db *sqlite.DB }

// get returns the recorded comment of a pull request, 0 when none is.
func (s prComments) get(ctx context.Context, repoID int64, number int) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT comment_id FROM pr_comments WHERE repository_id = ? AND number = ?`, repoID, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func (s prComments) remember(ctx context.Context, repoID int64, number int, id int64) error {
	_, err := s.db.Exec(ctx, `INSERT INTO pr_comments (repository_id, number, comment_id) VALUES (?, ?, ?)
		ON CONFLICT (repository_id, number) DO UPDATE SET comment_id = excluded.comment_id`, repoID, number, id)
	return err
}

func (s prComments) forget(ctx context.Context, repoID int64, number int) error {
	_, err := s.db.Exec(ctx, `DELETE FROM pr_comments WHERE repository_id = ? AND number = ?`, repoID, number)
	return err
}
