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
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM entities e WHERE `+where, args...).Scan(&page.TotalItems); err != nil {
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
// were written in. The matching entities are read once, whatever the number
// of facets, and the work stops when ctx ends (the client went away).
func (s *Store) Facets(ctx context.Context, filter catalog.Filter, facets []string) (map[string][]catalog.FacetCount, error) {
	where, args := whereFilter(filter)
	// The search table holds lower-cased values; facets show the value as
	// written, so they are read from the bodies of the matching entities.
	q := `SELECT e.uid, e.etag, e.body FROM entities e WHERE ` + where
	keys := make([]string, 0, len(facets))
	byKey := map[string][]string{} // lower-case key -> the facets that ask for it
	column := false
	for _, f := range facets {
		k := strings.ToLower(f)
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], f)
		if columnKeys[k] != "" || k == "metadata.etag" {
			column = true
		}
	}
	if !column && len(keys) > 0 {
		// Only entities that have one of the fields can count.
		q += ` AND e.id IN (SELECT entity_id FROM search WHERE key IN (?` + strings.Repeat(",?", len(keys)-1) + `))`
		for _, k := range keys {
			args = append(args, k)
		}
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("counting facets: %w", err)
	}
	defer rows.Close()
	counts := make(map[string]map[string]int, len(keys))
	for _, k := range keys {
		counts[k] = map[string]int{}
	}
	for n := 0; rows.Next(); n++ {
		if n%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var uid, etag string
		var body []byte
		if err := rows.Scan(&uid, &etag, &body); err != nil {
			return nil, fmt.Errorf("counting facets: %w", err)
		}
		for k, vals := range entityValues(uid, etag, body, counts) {
			for v := range vals {
				counts[k][v]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting facets: %w", err)
	}
	out := make(map[string][]catalog.FacetCount, len(facets))
	for _, k := range keys {
		res := make([]catalog.FacetCount, 0, len(counts[k]))
		for v, n := range counts[k] {
			res = append(res, catalog.FacetCount{Value: v, Count: n})
		}
		sort.Slice(res, func(i, j int) bool {
			if res[i].Count != res[j].Count {
				return res[i].Count > res[j].Count
			}
			return res[i].Value < res[j].Value
		})
		for _, f := range byKey[k] {
			out[f] = res
		}
	}
	return out, nil
}

// entityValues returns, for each wanted lower-case field, the distinct
// scalar values a stored entity has there, as written: one flattening of
// the body serves every facet.
func entityValues[V any](uid, etag string, body []byte, wanted map[string]V) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	add := func(k, v string) {
		if out[k] == nil {
			out[k] = map[string]bool{}
		}
		out[k][v] = true
	}
	if _, ok := wanted["metadata.uid"]; ok {
		add("metadata.uid", uid)
	}
	if _, ok := wanted["metadata.etag"]; ok {
		add("metadata.etag", etag)
	}
	for _, kv := range flattenJSON(body) {
		if _, ok := wanted[kv.key]; ok && kv.value != nil && kv.key != "metadata.uid" && kv.key != "metadata.etag" {
			add(kv.key, *kv.value)
		}
	}
	return out
}
