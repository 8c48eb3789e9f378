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
	out := make(map[string][]catalog.FacetCount, len(facets))
	counted := map[string][]catalog.FacetCount{}
	for _, f := range facets {
		key := strings.ToLower(f)
		if c, ok := counted[key]; ok {
			out[f] = c
			continue
		}
		var q string
		var args []any
		_, isRel := strings.CutPrefix(key, "relations.")
		typ, known := relationKey(key)
		switch {
		case isRel && !known:
			counted[key], out[f] = []catalog.FacetCount{}, []catalog.FacetCount{}
			continue
		case isRel:
			rel := relationValues(typ)
			cond, cargs := filtered("p.eid")
			q = `SELECT p.v, count(*) FROM ` + rel.sql + ` p WHERE 1` + cond + ` GROUP BY p.v`
			args = append(slices.Clone(rel.args), cargs...)
		case key == "metadata.uid":
			cond, cargs := filtered("e2.id")
			q = `SELECT e2.uid, 1 FROM entities e2 WHERE 1` + cond
			args = cargs
		default:
			cond, cargs := filtered("s.entity_id")
			counts, err := s.searchFacet(ctx, key, cond, cargs)
			if err != nil {
				return nil, fmt.Errorf("counting facet %s: %w", f, err)
			}
			counted[key], out[f] = counts, counts
			continue
		}
		counts, err := s.facetRows(ctx, q, args)
		if err != nil {
			return nil, fmt.Errorf("counting facet %s: %w", f, err)
		}
		counted[key], out[f] = counts, counts
	}
	return out, nil
}

// searchFacet counts a field's values from its search rows: grouped by the
// lower-cased value, which the rows' primary key holds in order (so nothing
// is sorted), and split by the value as written only where a group holds
// several ("Service" and "service").
func (s *Store) searchFacet(ctx context.Context, key, cond string, cargs []any) ([]catalog.FacetCount, error) {
	q := `SELECT s.value, count(*), min(coalesce(s.original, s.value)), max(coalesce(s.original, s.value)) FROM search_rows s WHERE s.key_id = ` + keyID + ` AND ` + notNullRow + cond + ` GROUP BY s.value`
	args := append([]any{key}, cargs...)
	planned(q, args)
	rows, err := s.db.Query(ctx, q, args...)
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
		split, err := s.facetRows(ctx, `SELECT coalesce(s.original, s.value), count(*) FROM search_rows s WHERE s.key_id = `+keyID+` AND s.value = ? AND `+notNullRow+cond+` GROUP BY 1`,
			append([]any{key, v}, cargs...))
		if err != nil {
			return nil, err
		}
		out = append(out, split...)
	}
	slices.SortFunc(out, func(a, b catalog.FacetCount) int { return strings.Compare(a.Value, b.Value) })
	return out, nil
}

func (s *Store) facetRows(ctx context.Context, q string, args []any) ([]catalog.FacetCount, error) {
	planned(q, args)
	rows, err := s.db.Query(ctx, q, args...)
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
