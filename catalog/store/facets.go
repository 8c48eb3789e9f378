package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// Facets counts, for each facet field, the entities that match where and
// have each value, values as written (so "Production" and "production" are
// counted apart), in byte order, as Backstage counts them. Each count is one
// pass over the field's index rows: relations.TYPE over the relations,
// every other field over its search rows.
func (s *Store) Facets(ctx context.Context, where catalog.Predicate, facets []string) (map[string][]catalog.FacetCount, error) {
	w := wherePredicate(where)
	filtered := func(col string) (string, []any) {
		if where.IsTrue() {
			return "", nil
		}
		return ` AND ` + col + ` IN (SELECT e.id FROM entities e WHERE ` + w.sql + `)`, w.args
	}
	weight := func(c []catalog.FacetCount) int { return 1 + len(c) }
	out := make(map[string][]catalog.FacetCount, len(facets))
	err := s.readTx(ctx, func(tx queryer) error {
		version, err := catalogVersion(ctx, tx)
		if err != nil {
			return err
		}
		for _, f := range facets {
			key := strings.ToLower(f)
			counts, err := keptAnswer(ctx, s, tx, version, &s.facets, queryKey(w.args, "facet", key, w.sql), weight, func(ctx context.Context, tx queryer) ([]catalog.FacetCount, error) {
				counts, err := facet(ctx, tx, key, filtered)
				if err != nil {
					return nil, fmt.Errorf("counting facet %s: %w", f, err)
				}
				return counts, nil
			})
			if err != nil {
				return err
			}
			out[f] = slices.Clone(counts) // the kept slice stays the cache's
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// facet counts one facet field (lower-cased) of the entities filtered
// keeps.
func facet(ctx context.Context, tx queryer, key string, filtered func(col string) (string, []any)) ([]catalog.FacetCount, error) {
	_, isRel := strings.CutPrefix(key, "relations.")
	typ, known := relationKey(key)
	switch {
	case isRel && !known:
		return []catalog.FacetCount{}, nil
	case isRel:
		rel := relationValues(typ)
		cond, cargs := filtered("p.eid")
		return facetRows(ctx, tx, `SELECT p.v, count(*) FROM `+rel.sql+` p WHERE 1`+cond+` GROUP BY p.v`, append(slices.Clone(rel.args), cargs...))
	case key == "metadata.uid":
		cond, cargs := filtered("e2.id")
		return facetRows(ctx, tx, `SELECT e2.uid, 1 FROM entities e2 WHERE 1`+cond, cargs)
	default:
		cond, cargs := filtered("s.entity_id")
		return searchFacet(ctx, tx, key, cond, cargs)
	}
}

// searchFacet counts a field's values from its search rows: grouped by the
// lower-cased value, which the rows' primary key holds in order (so nothing
// is sorted), and split by the value as written only where a group holds
// several ("Service" and "service").
func searchFacet(ctx context.Context, q queryer, key, cond string, cargs []any) ([]catalog.FacetCount, error) {
	query := `SELECT s.value, count(*), min(coalesce(s.original, s.value)), max(coalesce(s.original, s.value)) FROM search_rows s WHERE s.key_id = ` + keyID + ` AND ` + notNullRow + cond + ` GROUP BY s.value`
	args := append([]any{key}, cargs...)
	planned(query, args)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := []catalog.FacetCount{}
	var mixed []string
	for rows.Next() {
		var value, lo, hi string
		var n int
		if err := rows.Scan(&value, &n, &lo, &hi); err != nil {
			rows.Close()
			return nil, err
		}
		if lo == hi {
			out = append(out, catalog.FacetCount{Value: lo, Count: n})
		} else {
			mixed = append(mixed, value)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, v := range mixed {
		split, err := facetRows(ctx, q, `SELECT coalesce(s.original, s.value), count(*) FROM search_rows s WHERE s.key_id = `+keyID+` AND s.value = ? AND `+notNullRow+cond+` GROUP BY 1`,
			append([]any{key, v}, cargs...))
		if err != nil {
			return nil, err
		}
		out = append(out, split...)
	}
	slices.SortFunc(out, func(a, b catalog.FacetCount) int { return strings.Compare(a.Value, b.Value) })
	return out, nil
}

func facetRows(ctx context.Context, q queryer, query string, args []any) ([]catalog.FacetCount, error) {
	planned(query, args)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []catalog.FacetCount{}
	for rows.Next() {
		var c catalog.FacetCount
		if err := rows.Scan(&c.Value, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b catalog.FacetCount) int { return strings.Compare(a.Value, b.Value) })
	return out, nil
}
