package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// columnKeys are filter keys the entities table answers itself, so the
// search table need not repeat them for every entity.
var columnKeys = map[string]string{
	"kind":               "e.kind",
	"metadata.name":      "e.name",
	"metadata.namespace": "e.namespace",
	"metadata.uid":       "e.uid",
}

// whereFilter renders a filter as SQL over the entities table aliased e.
func whereFilter(f catalog.Filter) (string, []any) {
	if len(f) == 0 {
		return "1", nil
	}
	var ors []string
	var args []any
	for _, set := range f {
		var ands []string
		for _, c := range set {
			key := strings.ToLower(c.Key)
			if strings.HasPrefix(key, "relations.") {
				// Either e's spec declares the edge, or the target declares the opposite one.
				typ := strings.TrimPrefix(key, "relations.")
				fwd := `EXISTS (SELECT 1 FROM relations r WHERE r.entity_id = e.id AND lower(r.type) = ?`
				inv := `EXISTS (SELECT 1 FROM relations r JOIN entities t ON t.id = r.entity_id WHERE r.target_ref = e.ref AND lower(r.type) = ?`
				fargs := []any{typ}
				iargs := []any{catalog.InverseRelationFold(typ)}
				if len(c.Values) > 0 {
					in := ` IN (?` + strings.Repeat(",?", len(c.Values)-1) + `)`
					fwd += ` AND r.target_ref` + in
					inv += ` AND t.ref` + in
					for _, v := range c.Values {
						fargs = append(fargs, strings.ToLower(v))
						iargs = append(iargs, strings.ToLower(v))
					}
				}
				ands = append(ands, "("+fwd+") OR "+inv+"))")
				args = append(append(args, fargs...), iargs...)
				continue
			}
			if col := columnKeys[key]; col != "" {
				if len(c.Values) == 0 {
					ands = append(ands, "1")
					continue
				}
				ands = append(ands, col+` IN (?`+strings.Repeat(",?", len(c.Values)-1)+`)`)
				for _, v := range c.Values {
					args = append(args, strings.ToLower(v))
				}
				continue
			}
			if len(c.Values) == 0 {
				// The key itself, any key below it (an object or a list of
				// objects), or a list item written as a key: Backstage's
				// metadata.tags.java matches the tag "java".
				q := `e.id IN (SELECT entity_id FROM search WHERE key = ? OR (key > ? AND key < ?)`
				args = append(args, key, key+".", key+"/")
				if i := strings.LastIndexByte(key, '.'); i > 0 {
					q += ` OR (key = ? AND value = ?)`
					args = append(args, key[:i], key[i+1:])
				}
				ands = append(ands, q+")")
				continue
			}
			q := `e.id IN (SELECT entity_id FROM search WHERE key = ?`
			args = append(args, key)
			{
				q += ` AND value IN (?` + strings.Repeat(",?", len(c.Values)-1) + `)`
				for _, v := range c.Values {
					args = append(args, strings.ToLower(v))
				}
			}
			ands = append(ands, q+")")
		}
		if len(ands) == 0 {
			ands = []string{"1"}
		}
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// Query returns one page of the entities that match q, and how many match in all.
func (s *Store) Query(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	where, args := whereFilter(q.Filter)
	if term := strings.TrimSpace(q.FullTextTerm); term != "" {
		fields := q.FullTextFields
		if len(fields) == 0 {
			fields = []string{"metadata.name", "metadata.title", "spec.profile.displayname"}
		}
		var ors []string
		pattern := likeEscape(term)
		var keys []any
		for _, f := range fields {
			f = strings.ToLower(f)
			if col := columnKeys[f]; col != "" {
				ors = append(ors, col+` LIKE ? ESCAPE '\'`)
				args = append(args, pattern)
				continue
			}
			keys = append(keys, f)
		}
		if len(keys) > 0 {
			ors = append(ors, `e.id IN (SELECT entity_id FROM search WHERE key IN (?`+strings.Repeat(",?", len(keys)-1)+`) AND value LIKE ? ESCAPE '\')`)
			args = append(append(args, keys...), pattern)
		}
		where += " AND (" + strings.Join(ors, " OR ") + ")"
	}
	var page catalog.Page
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM entities e WHERE `+where, args...).Scan(&page.TotalItems); err != nil {
		return page, fmt.Errorf("counting entities: %w", err)
	}
	var order []string
	var orderArgs []any
	for _, o := range q.Order {
		key := strings.ToLower(o.Field)
		expr := columnKeys[key]
		if expr == "" {
			expr = `(SELECT min(value) FROM search WHERE entity_id = e.id AND key = ?)`
			orderArgs = append(orderArgs, key, key) // the expression is written twice below
		}
		dir := "ASC"
		if o.Desc {
			dir = "DESC"
		}
		// entities without the field sort last, as in Backstage
		order = append(order, expr+" IS NULL", expr+" "+dir)
	}
	order = append(order, "e.ref")
	sqlq := `SELECT e.uid, e.etag, e.body FROM entities e WHERE ` + where + ` ORDER BY ` + strings.Join(order, ", ")
	all := append(append([]any{}, args...), orderArgs...)
	if q.Limit > 0 {
		sqlq += ` LIMIT ? OFFSET ?`
		all = append(all, q.Limit, q.Offset)
	} else if q.Offset > 0 {
		sqlq += ` LIMIT -1 OFFSET ?`
		all = append(all, q.Offset)
	}
	es, err := s.list(ctx, sqlq, all...)
	if err == nil {
		err = s.attachRelations(ctx, es) // the catalog API serves them
	}
	if err != nil {
		return page, fmt.Errorf("querying entities: %w", err)
	}
	page.Entities = es
	return page, nil
}

// Facets counts, for each facet field, the entities that have each value.
// Counts are over the entities that match filter; values keep the case they
// were written in.
func (s *Store) Facets(ctx context.Context, filter catalog.Filter, facets []string) (map[string][]catalog.FacetCount, error) {
	where, args := whereFilter(filter)
	out := make(map[string][]catalog.FacetCount, len(facets))
	for _, facet := range facets {
		counts, err := s.facet(ctx, where, args, facet)
		if err != nil {
			return nil, fmt.Errorf("counting facet %s: %w", facet, err)
		}
		out[facet] = counts
	}
	return out, nil
}

func (s *Store) facet(ctx context.Context, where string, args []any, facet string) ([]catalog.FacetCount, error) {
	// The search table holds lower-cased values; facets show the value as
	// written, so read it from the bodies of the matching entities.
	q := `SELECT e.uid, e.etag, e.body FROM entities e WHERE ` + where
	if columnKeys[strings.ToLower(facet)] == "" {
		q += ` AND e.id IN (SELECT entity_id FROM search WHERE key = ?)`
		args = append(args, strings.ToLower(facet))
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var uid, etag string
		var body []byte
		if err := rows.Scan(&uid, &etag, &body); err != nil {
			return nil, err
		}
		for _, v := range fieldValues(uid, etag, body, facet) {
			counts[v]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	res := make([]catalog.FacetCount, 0, len(counts))
	for v, n := range counts {
		res = append(res, catalog.FacetCount{Value: v, Count: n})
	}
	sort.Slice(res, func(i, j int) bool {
		if res[i].Count != res[j].Count {
			return res[i].Count > res[j].Count
		}
		return res[i].Value < res[j].Value
	})
	return res, nil
}

// fieldValues returns the scalar values at a dotted field path of a stored
// entity (keys matched case-insensitively; lists give one value per item),
// as written. The stored body has no uid or etag: they are columns.
func fieldValues(uid, etag string, body []byte, field string) []string {
	key := strings.ToLower(field)
	switch key {
	case "metadata.uid":
		return []string{uid}
	case "metadata.etag":
		return []string{etag}
	}
	var out []string
	seen := map[string]bool{}
	for _, kv := range flattenJSON(body) {
		if kv.key == key && kv.value != nil && !seen[*kv.value] {
			seen[*kv.value] = true
			out = append(out, *kv.value)
		}
	}
	return out
}
