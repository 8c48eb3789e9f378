package digest

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest/kpi"
)

// What repositories are built with (migration 0016_kpi_stack.sql), for
// language and framework fragmentation.

// maxStackLanguages bounds the languages kept of one repository (the
// backfill asks GitHub for its ten largest).
const maxStackLanguages = 10

// RecordStacks stores what repositories are built with, all in one
// transaction (a backfill records a hundred at once): the repository's
// row, its language bytes when they were read, and the dependencies of
// each manifest read. A manifest that does not parse declares nothing. It
// is idempotent: a dependency still declared keeps when it was first seen.
func (s *Store) RecordStacks(ctx context.Context, stacks []catalog.RepoStack, seen time.Time) error {
	if len(stacks) == 0 {
		return nil
	}
	if seen.IsZero() {
		return fmt.Errorf("recording what repositories are built with: no time")
	}
	ms := seen.UTC().UnixMilli()
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, st := range stacks {
			if err := recordStack(ctx, tx, st, ms); err != nil {
				return fmt.Errorf("recording what %s is built with: %w", st.Repo, err)
			}
		}
		return nil
	})
}

func recordStack(ctx context.Context, tx *sql.Tx, st catalog.RepoStack, ms int64) error {
	if !strings.Contains(st.Repo, "/") {
		return fmt.Errorf("not an org/repo name")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO kpi_repos (repo, first_seen, language) VALUES (?, ?, ?)
		ON CONFLICT (repo) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
			language = CASE excluded.language WHEN '' THEN language ELSE excluded.language END`,
		st.Repo, ms, st.Language)
	if err != nil {
		return err
	}
	if st.Languages != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM kpi_repo_languages WHERE repo = ?`, st.Repo); err != nil {
			return err
		}
		langs := make([]string, 0, len(st.Languages))
		for l, n := range st.Languages {
			if l != "" && n > 0 {
				langs = append(langs, l)
			}
		}
		slices.SortFunc(langs, func(a, b string) int {
			return cmp.Or(cmp.Compare(st.Languages[b], st.Languages[a]), strings.Compare(a, b))
		})
		for _, l := range langs[:min(len(langs), maxStackLanguages)] {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kpi_repo_languages (repo, language, bytes) VALUES (?, ?, ?)`, st.Repo, l, st.Languages[l]); err != nil {
				return err
			}
		}
	}
	for path, content := range st.Manifests {
		if !slices.Contains(kpi.Manifests, path) {
			return fmt.Errorf("%s is not a manifest framework fragmentation reads", path)
		}
		var deps []string
		if content != nil {
			// A manifest that does not parse declares nothing we can trust.
			deps, _ = kpi.Dependencies(path, content)
		}
		if err := replaceFrameworks(ctx, tx, st.Repo, path, deps, ms); err != nil {
			return err
		}
	}
	return nil
}

// replaceFrameworks makes deps the manifest's dependencies, keeping when
// those already recorded were first seen.
func replaceFrameworks(ctx context.Context, tx *sql.Tx, repo, manifest string, deps []string, ms int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT framework FROM kpi_repo_frameworks WHERE repo = ? AND manifest = ?`, repo, manifest)
	if err != nil {
		return err
	}
	var gone []string
	for rows.Next() {
		var fw string
		if err := rows.Scan(&fw); err != nil {
			rows.Close()
			return err
		}
		if !slices.Contains(deps, fw) {
			gone = append(gone, fw)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, fw := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM kpi_repo_frameworks WHERE repo = ? AND manifest = ? AND framework = ?`, repo, manifest, fw); err != nil {
			return err
		}
	}
	for _, fw := range deps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kpi_repo_frameworks (repo, manifest, framework, first_seen) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, repo, manifest, fw, ms); err != nil {
			return err
		}
	}
	return nil
}

// loadStacks adds the recorded language bytes and frameworks to the
// repositories of f (read by LoadKPIFacts).
func (s *Store) loadStacks(ctx context.Context, f *kpi.Facts) error {
	byName := make(map[string]*kpi.Repo, len(f.Repos))
	for i := range f.Repos {
		byName[strings.ToLower(f.Repos[i].Name)] = &f.Repos[i]
	}
	err := s.rows(ctx, func(r *sql.Rows) error {
		var repo, lang string
		var n int64
		if err := r.Scan(&repo, &lang, &n); err != nil {
			return err
		}
		if rp := byName[strings.ToLower(repo)]; rp != nil {
			if rp.Languages == nil {
				rp.Languages = map[string]int64{}
			}
			rp.Languages[lang] = n
		}
		return nil
	}, `SELECT repo, language, bytes FROM kpi_repo_languages LIMIT ?`, maxKPIRows)
	if err != nil {
		return fmt.Errorf("reading language bytes: %w", err)
	}
	err = s.rows(ctx, func(r *sql.Rows) error {
		var repo, fw string
		var at int64
		if err := r.Scan(&repo, &fw, &at); err != nil {
			return err
		}
		if rp := byName[strings.ToLower(repo)]; rp != nil {
			rp.Frameworks = append(rp.Frameworks, kpi.Framework{Name: fw, Since: time.UnixMilli(at).UTC()})
		}
		return nil
	}, `SELECT repo, framework, first_seen FROM kpi_repo_frameworks ORDER BY repo, framework LIMIT ?`, maxKPIRows)
	if err != nil {
		return fmt.Errorf("reading frameworks: %w", err)
	}
	return nil
}
