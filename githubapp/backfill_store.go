package githubapp

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// repoFacts are what a backfill reads of a repository beyond its row.
type repoFacts struct {
	Fork     bool
	Language string
	Topics   []string
	PushedAt time.Time
}

type repoFactsRow struct {
	ID int64
	repoFacts
}

// repoFactsStore keeps repository facts and backfill progress (migration
// 0014_backfill.sql). A nil db keeps nothing.
type repoFactsStore struct{ db *sqlite.DB }

// put stores a batch's facts in one transaction.
func (s repoFactsStore) put(ctx context.Context, rows []repoFactsRow) error {
	if s.db == nil || len(rows) == 0 {
		return nil
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO repository_facts (github_id, fork, language, topics, pushed_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (github_id) DO UPDATE SET fork = excluded.fork, language = excluded.language, topics = excluded.topics, pushed_at = excluded.pushed_at`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range rows {
			topics, _ := json.Marshal(append([]string{}, r.Topics...))
			var pushed any
			if !r.PushedAt.IsZero() {
				pushed = r.PushedAt.Unix()
			}
			if _, err := st.ExecContext(ctx, r.ID, r.Fork, r.Language, string(topics), pushed); err != nil {
				return fmt.Errorf("storing the facts of repository %d: %w", r.ID, err)
			}
		}
		return nil
	})
}

// facts returns a repository's facts (tests, and readers to come).
func (s repoFactsStore) facts(ctx context.Context, id int64) (repoFacts, error) {
	var f repoFacts
	var topics string
	var pushed sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT fork, language, topics, pushed_at FROM repository_facts WHERE github_id = ?`, id).Scan(&f.Fork, &f.Language, &topics, &pushed)
	if err != nil {
		return f, err
	}
	if pushed.Valid {
		f.PushedAt = time.Unix(pushed.Int64, 0).UTC()
	}
	return f, json.Unmarshal([]byte(topics), &f.Topics)
}

// putProgress records where an installation's backfill stands.
func (s repoFactsStore) putProgress(ctx context.Context, p BackfillProgress, now time.Time) error {
	if s.db == nil {
		return nil
	}
	var paused int64
	if !p.PausedUntil.IsZero() {
		paused = p.PausedUntil.Unix()
	}
	_, err := s.db.Exec(ctx, `INSERT INTO backfills (installation_id, account, done, total, rate, points_left, calls_left, seconds_left, paused_until, finished, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (installation_id) DO UPDATE SET account = excluded.account, done = excluded.done, total = excluded.total, rate = excluded.rate,
		  points_left = excluded.points_left, calls_left = excluded.calls_left, seconds_left = excluded.seconds_left,
		  paused_until = excluded.paused_until, finished = excluded.finished, updated_at = excluded.updated_at`,
		p.Installation, p.Account, p.Done, p.Total, p.Rate, p.PointsLeft, p.CallsLeft, p.Left.Seconds(), paused, p.Finished, now.Unix())
	return err
}

// progress returns the latest backfill of every installation.
func (s repoFactsStore) progress(ctx context.Context) ([]BackfillProgress, error) {
	rows, err := s.db.Query(ctx, `SELECT installation_id, account, done, total, rate, points_left, calls_left, seconds_left, paused_until, finished FROM backfills ORDER BY installation_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BackfillProgress
	for rows.Next() {
		var p BackfillProgress
		var left float64
		var paused int64
		if err := rows.Scan(&p.Installation, &p.Account, &p.Done, &p.Total, &p.Rate, &p.PointsLeft, &p.CallsLeft, &left, &paused, &p.Finished); err != nil {
			return nil, err
		}
		p.Left = time.Duration(left * float64(time.Second))
		if paused > 0 {
			p.PausedUntil = time.Unix(paused, 0)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
