package digest

import (
	"context"
	"database/sql"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/callboard/callboard/digest/kpi"
)

// The KPI facts (migration 0015_kpi.sql), recorded from webhooks. Each
// Record method is idempotent: a redelivered event changes nothing.

// RecordMergeCommit stores the merge commit of a merged pull request.
func (s *Store) RecordMergeCommit(ctx context.Context, repo string, number int, sha string) error {
	if !strings.Contains(repo, "/") || number <= 0 || sha == "" {
		return fmt.Errorf("recording the merge commit of %s#%d: incomplete (%q)", repo, number, sha)
	}
	_, err := s.db.Exec(ctx, `INSERT INTO kpi_merge_commits (repo, number, sha) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		repo, number, strings.ToLower(sha))
	if err != nil {
		return fmt.Errorf("recording the merge commit of %s#%d: %w", repo, number, err)
	}
	return nil
}

// RecordJoin stores when a person was seen joining the organisation or one
// of its teams; the earliest is kept.
func (s *Store) RecordJoin(ctx context.Context, login string, at time.Time) error {
	if login == "" || at.IsZero() {
		return fmt.Errorf("recording a join: no login or time")
	}
	_, err := s.db.Exec(ctx, `INSERT INTO kpi_joins (login, joined_at) VALUES (?, ?)
		ON CONFLICT (login) DO UPDATE SET joined_at = min(joined_at, excluded.joined_at)`, login, at.UTC().UnixMilli())
	if err != nil {
		return fmt.Errorf("recording that %s joined: %w", login, err)
	}
	return nil
}

// RecordDeploy stores a successful deployment; its first success is kept.
func (s *Store) RecordDeploy(ctx context.Context, repo string, id int64, sha, environment string, at time.Time) error {
	if !strings.Contains(repo, "/") || id == 0 || sha == "" || at.IsZero() {
		return fmt.Errorf("recording deployment %d of %s: incomplete", id, repo)
	}
	_, err := s.db.Exec(ctx, `INSERT INTO kpi_deploys (repo, deployment_id, sha, environment, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (repo, deployment_id) DO UPDATE SET at = min(at, excluded.at)`,
		repo, id, strings.ToLower(sha), environment, at.UTC().UnixMilli())
	if err != nil {
		return fmt.Errorf("recording deployment %d of %s: %w", id, repo, err)
	}
	return nil
}

// RecordRepo stores what a repository event says of a repository: its
// primary language (the latest wins, "" changes nothing) and, when it was
// just created, GitHub's creation time (zero when not).
func (s *Store) RecordRepo(ctx context.Context, repo, language string, created, seen time.Time) error {
	if !strings.Contains(repo, "/") || seen.IsZero() {
		return fmt.Errorf("recording repository %q: incomplete", repo)
	}
	var createdMS int64
	if !created.IsZero() {
		createdMS = created.UTC().UnixMilli()
	}
	_, err := s.db.Exec(ctx, `INSERT INTO kpi_repos (repo, first_seen, language, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (repo) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
			language = CASE excluded.language WHEN '' THEN language ELSE excluded.language END,
			created_at = CASE excluded.created_at WHEN 0 THEN created_at ELSE excluded.created_at END`,
		repo, seen.UTC().UnixMilli(), language, createdMS)
	if err != nil {
		return fmt.Errorf("recording repository %s: %w", repo, err)
	}
	return nil
}

// DefaultProductionEnvironments are the deployment environments that count
// as production unless KPI_PRODUCTION_ENVIRONMENTS says otherwise.
var DefaultProductionEnvironments = []string{"production", "production-*", "prod", "prod-*", "live"}

// IsProduction reports whether an environment matches one of the patterns
// (path.Match globs, case-insensitive).
func IsProduction(env string, patterns []string) bool {
	env = strings.ToLower(env)
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), env); ok {
			return true
		}
	}
	return false
}

// maxKPIRows bounds each table read for the KPIs, so a flood of events can
// slow a digest but never exhaust memory.
const maxKPIRows = 1_000_000

// LoadKPIFacts reads the recorded facts the KPIs need: merges (with their
// commits), joins, production deployments, repositories, scaffold requests
// are not here (they are the scaffolder's). Merges and deployments older
// than since are left out.
func (s *Store) LoadKPIFacts(ctx context.Context, f *kpi.Facts, since time.Time, production []string) error {
	ms := since.UTC().UnixMilli()
	if err := s.loadMerges(ctx, f, ms); err != nil {
		return err
	}
	if err := s.loadJoins(ctx, f); err != nil {
		return err
	}
	if err := s.loadDeploys(ctx, f, ms, production); err != nil {
		return err
	}
	if err := s.loadRepos(ctx, f); err != nil {
		return err
	}
	return s.loadStacks(ctx, f)
}

// loadMerges reads the merges since ms, when the first merge was, and
// everyone's first merge when it is older than ms.
func (s *Store) loadMerges(ctx context.Context, f *kpi.Facts, ms int64) error {
	err := s.rows(ctx, func(r *sql.Rows) error {
		var m kpi.Merge
		var at int64
		if err := r.Scan(&m.Repo, &m.Number, &m.Author, &at, &m.SHA); err != nil {
			return err
		}
		m.MergedAt = time.UnixMilli(at).UTC()
		f.Merges = append(f.Merges, m)
		return nil
	}, `SELECT m.repo, m.number, m.author, m.merged_at, coalesce(c.sha, '') FROM merges m
		LEFT JOIN kpi_merge_commits c ON c.repo = m.repo AND c.number = m.number
		WHERE m.merged_at >= ? ORDER BY m.merged_at DESC LIMIT ?`, ms, maxKPIRows)
	if err != nil {
		return fmt.Errorf("reading merges: %w", err)
	}
	var first sql.NullInt64
	if err := s.db.QueryRow(ctx, `SELECT min(merged_at) FROM merges`).Scan(&first); err != nil {
		return fmt.Errorf("reading merges: %w", err)
	}
	if first.Valid {
		f.Since = time.UnixMilli(first.Int64).UTC()
	}
	// Everyone's first merge, for those whose first is older than since:
	// they are no newcomers, whatever their recent merges say.
	f.FirstMerge = map[string]time.Time{}
	err = s.rows(ctx, func(r *sql.Rows) error {
		var login string
		var at int64
		if err := r.Scan(&login, &at); err != nil {
			return err
		}
		f.FirstMerge[login] = time.UnixMilli(at).UTC()
		return nil
	}, `SELECT lower(author), min(merged_at) FROM merges GROUP BY lower(author) HAVING min(merged_at) < ? LIMIT ?`, ms, maxKPIRows)
	if err != nil {
		return fmt.Errorf("reading first merges: %w", err)
	}
	return nil
}

// loadJoins reads when each member joined.
func (s *Store) loadJoins(ctx context.Context, f *kpi.Facts) error {
	err := s.rows(ctx, func(r *sql.Rows) error {
		var j kpi.Join
		var at int64
		if err := r.Scan(&j.Login, &at); err != nil {
			return err
		}
		j.At = time.UnixMilli(at).UTC()
		f.Joins = append(f.Joins, j)
		return nil
	}, `SELECT login, joined_at FROM kpi_joins ORDER BY login LIMIT ?`, maxKPIRows)
	if err != nil {
		return fmt.Errorf("reading joins: %w", err)
	}
	return nil
}

// loadDeploys reads the production deployments since ms.
func (s *Store) loadDeploys(ctx context.Context, f *kpi.Facts, ms int64, production []string) error {
	err := s.rows(ctx, func(r *sql.Rows) error {
		var d kpi.Deploy
		var at int64
		if err := r.Scan(&d.Repo, &d.SHA, &d.Environment, &at); err != nil {
			return err
		}
		if IsProduction(d.Environment, production) {
			d.At = time.UnixMilli(at).UTC()
			f.Deploys = append(f.Deploys, d)
		}
		return nil
	}, `SELECT repo, sha, environment, at FROM kpi_deploys WHERE at >= ? ORDER BY at DESC LIMIT ?`, ms, maxKPIRows)
	if err != nil {
		return fmt.Errorf("reading deployments: %w", err)
	}
	return nil
}

// loadRepos reads the repositories: when callboard first saw each, its
// language and when GitHub created it.
func (s *Store) loadRepos(ctx context.Context, f *kpi.Facts) error {
	f.RepoCreated = map[string]time.Time{}
	err := s.rows(ctx, func(r *sql.Rows) error {
		var rp kpi.Repo
		var seen, created int64
		if err := r.Scan(&rp.Name, &seen, &rp.Language, &created); err != nil {
			return err
		}
		rp.FirstSeen = time.UnixMilli(seen).UTC()
		if created > 0 {
			rp.Created = time.UnixMilli(created).UTC()
			f.RepoCreated[strings.ToLower(rp.Name)] = rp.Created
		}
		f.Repos = append(f.Repos, rp)
		return nil
	}, `SELECT repo, first_seen, language, created_at FROM kpi_repos ORDER BY repo LIMIT ?`, maxKPIRows)
	if err != nil {
		return fmt.Errorf("reading repositories: %w", err)
	}
	return nil
}

func (s *Store) rows(ctx context.Context, scan func(*sql.Rows) error, query string, args ...any) error {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
