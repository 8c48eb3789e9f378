package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// smallSet is how many matching entities a page query sorts itself rather
// than walking an index in order: below it, reading the matches costs less
// than walking past the entities that do not match.
const smallSet = 2000

// QueryPage writes one page of a keyset-paged query to emit (see
// catalog.PageQuery), and returns where the page starts and ends. Entities
// without the sort field are left out, as Backstage leaves them out; an
// entity with several values of it comes once per value.
func (s *Store) QueryPage(ctx context.Context, q catalog.PageQuery, emit func(entity []byte) error) (catalog.PageInfo, error) {
	var info catalog.PageInfo
	err := s.readTx(ctx, func(tx queryer) error {
		where := pageWhere(q, false)
		key := strings.ToLower(q.SortField)
		counted := countedWhere(where, key)
		estimate := q.Estimate
		if q.Count {
			n, err := s.countMatches(ctx, tx, counted)
			if err != nil {
				return err
			}
			info.TotalItems, estimate = n, n
		}
		if q.Limit <= 0 {
			return nil
		}
		if estimate < 0 {
			n, err := boundedCount(ctx, tx, counted, smallSet+1)
			if err != nil {
				return err
			}
			estimate = n
		}
		few := estimate <= smallSet
		if !few {
			// Many matches: the index of the sort order drives, and the
			// entities' columns (kind, namespace) are checked row by row
			// rather than read through their own index and sorted.
			where = pageWhere(q, true)
		}
		rows, err := pageRows(ctx, tx, q, key, where, few)
		if err != nil {
			return err
		}
		return writePage(ctx, tx, q, rows, &info, emit)
	})
	return info, err
}

// pageWhere is the query's predicate and full-text term, with noIndex as
// renderPredicate takes it.
func pageWhere(q catalog.PageQuery, noIndex bool) sqlExpr {
	where := renderPredicate(q.Where, noIndex)
	if term := strings.TrimSpace(q.FullTextTerm); term != "" {
		ft := fullText(term, q.FullTextFields)
		where = sqlExpr{where.sql + " AND " + ft.sql, append(slices.Clone(where.args), ft.args...)}
	}
	return where
}

// everyEntityHas are the fields every stored entity has a value of, short
// enough to index (1–63 characters, as validation requires): sorting by one
// leaves no entity out, so its count is where's alone, without reading the
// field's rows (a tenth of a first page's time, when the count is not kept).
var everyEntityHas = map[string]bool{"metadata.uid": true, "metadata.name": true, "metadata.namespace": true, "kind": true}

// countedWhere is where, less the entities without a value of the sort
// field key. Only entities that have a value of the field are on the list.
// The page's rows are read from the field's values, which says so already;
// the count must say it.
func countedWhere(where sqlExpr, key string) sqlExpr {
	if typ, ok := relationKey(key); ok {
		rel := relationValues(typ)
		return sqlExpr{where.sql + ` AND e.id IN (SELECT eid FROM ` + rel.sql + `)`, append(slices.Clone(where.args), rel.args...)}
	}
	if key != "" && !everyEntityHas[key] {
		return sqlExpr{where.sql + ` AND e.id IN (SELECT s.entity_id FROM search_rows s WHERE s.key_id = ` + keyID + ` AND s.value <> '')`,
			append(slices.Clone(where.args), key)}
	}
	return where
}

// writePage puts the rows in the page's order, sets where the page starts
// and ends and whether there is more, and writes its entities.
func writePage(ctx context.Context, tx queryer, q catalog.PageQuery, rows []pageRow, info *catalog.PageInfo, emit func(entity []byte) error) error {
	if q.Backward {
		slices.Reverse(rows)
	}
	info.More = q.Backward || len(rows) > q.Limit
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	if len(rows) == 0 {
		return nil
	}
	info.First, info.Last = rows[0].values, rows[len(rows)-1].values
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	return writeEntities(ctx, tx, ids, emit)
}

// boundedCount counts the entities that match where, up to limit.
func boundedCount(ctx context.Context, q queryer, where sqlExpr, limit int) (int, error) {
	var n int
	rows, err := q.QueryContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM entities e WHERE `+where.sql+` LIMIT ?)`, append(slices.Clone(where.args), limit)...)
	if err != nil {
		return 0, fmt.Errorf("counting entities: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

type pageRow struct {
	id     int64
	values []*string // the sort value and the entity's id, or the uid alone
}

// pageRows selects the rows of a page: the sort value of each and what
// breaks ties, in order, after (or before) the keyset position, one more
// than the limit going forward. Ties are broken by uid without a sort
// field (or sorting by uid), else by the entity's id, which the index of
// the field's values holds in order after each value: a page is then one
// walk along that index that stops at the limit. (Backstage breaks ties by
// its entity id, a random uuid: an order no client can rely on either.)
// A few matches are read and sorted instead of walking past the entities
// that do not match.
func pageRows(ctx context.Context, q queryer, pq catalog.PageQuery, key string, where sqlExpr, few bool) ([]pageRow, error) {
	desc := pq.Desc != pq.Backward
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	limit := pq.Limit + 1
	if pq.Backward {
		limit = pq.Limit
	}
	// Ordering by an expression ("|| ''") keeps SQLite from walking an
	// index in order when the matches are few.
	uid, id := "e.uid", "e.id"
	if few {
		uid, id = "(e.uid || '')", "(e.id + 0)"
	}
	if key == "" || key == "metadata.uid" {
		keyset := sqlTrue
		if after := pq.After; len(after) > 0 && after[0] != nil {
			keyset = sqlExpr{"e.uid " + cmp + " ?", []any{*after[0]}}
		}
		query := `SELECT e.id, e.uid FROM entities e WHERE ` + where.sql + ` AND ` + keyset.sql + ` ORDER BY ` + uid + ` ` + dir + ` LIMIT ? OFFSET ?`
		return scanPageRows(ctx, q, query, append(append(slices.Clone(where.args), keyset.args...), limit, pq.Offset), key != "")
	}
	keyset := keysetOf(pq.After, cmp)
	if typ, ok := relationKey(key); ok {
		return relationPageRows(ctx, q, typ, where, keyset, dir, limit+pq.Offset, pq.Offset, limit, desc)
	}
	var value, from string
	var args []any
	if few {
		value = `json_extract(j.value, '$[1]')`
		from = `entities e, json_each(e.search) j WHERE json_extract(j.value, '$[0]') = ` + keyID + ` AND ` + value + ` <> '' AND `
		args = []any{key}
	} else {
		value, id = `s.value`, `s.entity_id`
		from = `search_rows s JOIN entities e ON e.id = s.entity_id WHERE s.key_id = ` + keyID + ` AND s.value <> '' AND `
		args = []any{key}
	}
	ks := keyset(value, id)
	query := `SELECT ` + id + `, ` + value + ` FROM ` + from + where.sql + ` AND ` + ks.sql + ` ORDER BY ` + value + ` ` + dir + `, ` + id + ` ` + dir + ` LIMIT ? OFFSET ?`
	args = append(append(append(args, where.args...), ks.args...), limit, pq.Offset)
	return scanPageRows(ctx, q, query, args, true)
}

// keysetOf is the keyset of a page: after the sort value and id of the
// row the page follows. A cursor Backstage wrote (or one written like it)
// has the uid in the id's place: it positions by uid among equal values,
// as there. A cursor of another shape positions nothing: Backstage ignores
// it too.
func keysetOf(after []*string, cmp string) func(value, id string) sqlExpr {
	var afterValue *string
	var afterTie any
	if len(after) == 2 && after[0] != nil && after[1] != nil {
		afterValue, afterTie = after[0], *after[1]
		if n, err := strconv.ParseInt(*after[1], 10, 64); err == nil {
			afterTie = n
		}
	}
	return func(value, id string) sqlExpr {
		if afterValue == nil {
			return sqlTrue
		}
		if _, byUID := afterTie.(string); byUID {
			id = "e.uid"
		}
		return sqlExpr{"(" + value + " " + cmp + " ? OR (" + value + " = ? AND " + id + " " + cmp + " ?))", []any{*afterValue, *afterValue, afterTie}}
	}
}

// scanPageRows reads rows of (id, value): the value is the sort value
// (then the id breaks ties) when sorted, else the uid alone.
func scanPageRows(ctx context.Context, q queryer, query string, args []any, sorted bool) ([]pageRow, error) {
	planned(query, args)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("querying entities: %w", err)
	}
	defer rows.Close()
	var out []pageRow
	for rows.Next() {
		var r pageRow
		var v string
		if err := rows.Scan(&r.id, &v); err != nil {
			return nil, fmt.Errorf("querying entities: %w", err)
		}
		r.values = []*string{&v}
		if sorted {
			idv := strconv.FormatInt(r.id, 10)
			r.values = append(r.values, &idv)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// relationPageRows is pageRows sorted by relations.TYPE: the relations an
// entity's spec declares, read along the index of relations by type and
// target, merged with the opposite of those other entities declare to it
// (few: a group that names what it owns), each pair once. Each side reads
// at most n rows; the merge skips offset and keeps limit.
func relationPageRows(ctx context.Context, q queryer, typ string, where sqlExpr, keyset func(value, id string) sqlExpr, dir string, n, offset, limit int, desc bool) ([]pageRow, error) {
	ownKS := keyset("r.target_ref", "r.entity_id")
	own := `SELECT r.entity_id, r.target_ref FROM relations r JOIN entities e ON e.id = r.entity_id WHERE r.type = ? AND ` + where.sql + ` AND ` + ownKS.sql +
		` ORDER BY r.target_ref ` + dir + `, r.entity_id ` + dir + ` LIMIT ?`
	ownRows, err := scanPageRows(ctx, q, own, append(append(append([]any{typ}, where.args...), ownKS.args...), n), true)
	if err != nil {
		return nil, err
	}
	invKS := keyset("t.ref", "e.id")
	inv := `SELECT e.id, t.ref FROM relations r JOIN entities t ON t.id = r.entity_id JOIN entities e ON e.ref = r.target_ref WHERE r.type = ? AND ` + where.sql + ` AND ` + invKS.sql +
		` ORDER BY t.ref ` + dir + `, e.id ` + dir + ` LIMIT ?`
	invRows, err := scanPageRows(ctx, q, inv, append(append(append([]any{catalog.InverseRelation(typ)}, where.args...), invKS.args...), n), true)
	if err != nil {
		return nil, err
	}
	before := func(a, b pageRow) int {
		c := strings.Compare(*a.values[0], *b.values[0])
		if c == 0 {
			c = cmp.Compare(a.id, b.id)
		}
		if desc {
			c = -c
		}
		return c
	}
	merged := make([]pageRow, 0, len(ownRows)+len(invRows))
	for len(ownRows) > 0 || len(invRows) > 0 {
		var next pageRow
		switch {
		case len(invRows) == 0:
			next, ownRows = ownRows[0], ownRows[1:]
		case len(ownRows) == 0:
			next, invRows = invRows[0], invRows[1:]
		default:
			switch c := before(ownRows[0], invRows[0]); {
			case c < 0:
				next, ownRows = ownRows[0], ownRows[1:]
			case c > 0:
				next, invRows = invRows[0], invRows[1:]
			default: // the same pair both ways: once
				next, ownRows, invRows = ownRows[0], ownRows[1:], invRows[1:]
			}
		}
		merged = append(merged, next)
	}
	if offset >= len(merged) {
		return nil, nil
	}
	merged = merged[offset:]
	return merged[:min(limit, len(merged))], nil
}
