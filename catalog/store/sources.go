package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// SourcesWithPrefix lists the sources whose name starts with prefix, in order.
func (s *Store) SourcesWithPrefix(ctx context.Context, prefix string) ([]string, error) {
	q, args := `SELECT DISTINCT source FROM entities ORDER BY source`, []any(nil)
	if prefix != "" {
		// A range on the index rather than LIKE, whose wildcards a path may hold.
		q, args = `SELECT DISTINCT source FROM entities WHERE source >= ? AND source < ? ORDER BY source`, []any{prefix, prefixEnd(prefix)}
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	return scanStrings(rows)
}

// prefixEnd is the least string greater than every string that starts with prefix.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "\xff\xff\xff\xff"
}

// Sources counts the entities of every source, in source order, with the
// repository each repo: or demo: source stands for.
func (s *Store) Sources(ctx context.Context) ([]catalog.SourceCount, error) {
	rows, err := s.db.Query(ctx, `SELECT e.source, count(*), coalesce(max(r.full_name), '')
		FROM entities e LEFT JOIN repositories r ON r.source = e.source
		GROUP BY e.source ORDER BY e.source`)
	if err != nil {
		return nil, fmt.Errorf("counting sources: %w", err)
	}
	defer rows.Close()
	var out []catalog.SourceCount
	for rows.Next() {
		var c catalog.SourceCount
		if err := rows.Scan(&c.Source, &c.Entities, &c.Repository); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RemoveSources removes every entity of sources in one transaction and
// returns their refs, sorted.
func (s *Store) RemoveSources(ctx context.Context, sources []string) ([]string, error) {
	return s.removeSources(ctx, sources, false)
}

// RemoveSourcesAndRepositories is RemoveSources that also deletes the
// repository rows those sources feed (the demo organisation's).
func (s *Store) RemoveSourcesAndRepositories(ctx context.Context, sources []string) ([]string, error) {
	return s.removeSources(ctx, sources, true)
}

func (s *Store) removeSources(ctx context.Context, sources []string, repos bool) ([]string, error) {
	var removed []string
	err := s.replacing(ctx, "removing sources", func(tx *sql.Tx, st *statements) error {
		for _, src := range sources {
			res, err := s.replace(ctx, st, src, nil, catalog.ReplaceOptions{})
			if err != nil {
				return fmt.Errorf("removing %s: %w", src, err)
			}
			removed = append(removed, res.Removed...)
			if repos {
				if _, err := tx.ExecContext(ctx, `DELETE FROM repositories WHERE source = ?`, src); err != nil {
					return fmt.Errorf("removing the repositories of %s: %w", src, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(removed)
	return removed, nil
}

// RepositorySources lists the sources of the repository rows whose source
// starts with prefix (a repository of the demo may have no entity).
func (s *Store) RepositorySources(ctx context.Context, prefix string) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT source FROM repositories WHERE source >= ? AND source < ? ORDER BY source`, prefix, prefixEnd(prefix))
	if err != nil {
		return nil, fmt.Errorf("listing repositories: %w", err)
	}
	return scanStrings(rows)
}

// unregisterTarget is what to pass to callboard unregister to remove
// source: the repository for a repository's files, demo for the sample, the
// source itself otherwise. tx reads the repository's name.
func unregisterTarget(ctx context.Context, tx *sql.Tx, source string) string {
	switch {
	case strings.HasPrefix(source, catalog.DemoSourcePrefix):
		return "demo"
	case strings.HasPrefix(source, "repo:"):
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT full_name FROM repositories WHERE source = ?`, source).Scan(&name); err == nil {
			return name
		}
	}
	return source
}

// CountOutside counts the entities and repositories whose source does not
// start with prefix: what a database holds besides the sample organisation.
func (s *Store) CountOutside(ctx context.Context, prefix string) (entities, repositories int, err error) {
	end := prefixEnd(prefix)
	err = s.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM entities WHERE source < ?1 OR source >= ?2),
		(SELECT count(*) FROM repositories WHERE source < ?1 OR source >= ?2)`, prefix, end).Scan(&entities, &repositories)
	if err != nil {
		return 0, 0, fmt.Errorf("counting the catalog: %w", err)
	}
	return entities, repositories, nil
}
