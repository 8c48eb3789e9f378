package githubapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/check"
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

// CheckResults holds the latest check of each open pull request
// (migration 0012_pr_check_results.sql): the Slack App Home lists the
// failing ones of what someone owns.
type CheckResults struct{ db *sqlite.DB }

// NewCheckResults returns the check results kept in db.
func NewCheckResults(db *sqlite.DB) CheckResults { return CheckResults{db} }

func (s CheckResults) record(ctx context.Context, repoID int64, c catalog.PullRequestCheck) error {
	_, err := s.db.Exec(ctx, `INSERT INTO pr_check_results (repository_id, repository, number, url, author, conclusion, checked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repository_id, number) DO UPDATE SET repository = excluded.repository, url = excluded.url,
			author = CASE excluded.author WHEN '' THEN pr_check_results.author ELSE excluded.author END, conclusion = excluded.conclusion, checked_at = excluded.checked_at`,
		repoID, c.Repository, c.Number, c.URL, c.Author, c.Conclusion, c.At.UTC().UnixMilli())
	return err
}

// closed forgets a pull request that closed, merged or not.
func (s CheckResults) closed(ctx context.Context, repoID int64, number int) error {
	_, err := s.db.Exec(ctx, `DELETE FROM pr_check_results WHERE repository_id = ? AND number = ?`, repoID, number)
	return err
}

// maxFailingRepos bounds one FailingPullRequests read.
const maxFailingRepos = 500

// FailingPullRequests are the open pull requests of repos (org/repo, any
// case) whose latest check failed, newest first, at most limit.
func (s CheckResults) FailingPullRequests(ctx context.Context, repos []string, limit int) ([]catalog.PullRequestCheck, error) {
	if len(repos) == 0 || limit <= 0 {
		return nil, nil
	}
	if len(repos) > maxFailingRepos {
		repos = repos[:maxFailingRepos]
	}
	args := make([]any, 0, len(repos)+2)
	for _, r := range repos {
		args = append(args, r)
	}
	args = append(args, check.Failure, limit)
	rows, err := s.db.Query(ctx, `SELECT repository, number, url, author, conclusion, checked_at FROM pr_check_results
		WHERE repository IN (?`+strings.Repeat(",?", len(repos)-1)+`) AND conclusion = ?
		ORDER BY checked_at DESC, repository, number LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading failing pull-request checks: %w", err)
	}
	defer rows.Close()
	var out []catalog.PullRequestCheck
	for rows.Next() {
		var c catalog.PullRequestCheck
		var at int64
		if err := rows.Scan(&c.Repository, &c.Number, &c.URL, &c.Author, &c.Conclusion, &at); err != nil {
			return nil, fmt.Errorf("reading failing pull-request checks: %w", err)
		}
		c.At = time.UnixMilli(at).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading failing pull-request checks: %w", err)
	}
	return out, nil
}
