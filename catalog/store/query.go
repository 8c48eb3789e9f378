package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/sqlite"
)

// likeEscape makes a LIKE pattern that finds s anywhere, with % and _ in s
// taken literally.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// defaultFullTextFields are searched when a full-text query names none.
var defaultFullTextFields = []string{"metadata.name", "metadata.title", "spec.profile.displayname"}

// fullText matches entities whose fields hold term, case-insensitively.
func fullText(term string, fields []string) sqlExpr {
	if len(fields) == 0 {
		fields = defaultFullTextFields
	}
	pattern := likeEscape(term)
	var ors []sqlExpr
	var keys []any
	for _, f := range fields {
		if f = strings.ToLower(f); f == "metadata.uid" {
			ors = append(ors, sqlExpr{`e.uid LIKE ? ESCAPE '\'`, []any{pattern}})
			continue
		}
		if typ, ok := relationKey(f); ok {
			rel := relationValues(typ)
			ors = append(ors, sqlExpr{`e.id IN (SELECT eid FROM ` + rel.sql + ` WHERE v LIKE ? ESCAPE '\')`, append(slices.Clone(rel.args), pattern)})
			continue
		}
		if !slices.Contains(keys, any(f)) {
			keys = append(keys, f)
		}
	}
	if len(ors) == 0 && len(keys) == 0 {
		return sqlFalse
	}
	if len(keys) > 0 {
		ors = append(ors, sqlExpr{`e.id IN (SELECT entity_id FROM search_rows WHERE key_id IN (SELECT id FROM search_keys WHERE key IN ` + placeholders(len(keys)) + `) AND value LIKE ? ESCAPE '\')`,
			append(keys, pattern)})
	}
	return join(ors, " OR ")
}

// readTx runs fn in one read transaction, so that the ids a list selects
// and the entities then read are of one snapshot; its queries run as
// statements prepared once (see sqlite.ReadTx).
func (s *Store) readTx(ctx context.Context, fn func(tx queryer) error) error {
	return s.db.ReadTx(ctx, func(tx *sqlite.ReadTx) error { return fn(tx) })
}

func queryIDs(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// orderedIDs selects the ids of the entities that match where, in order:
// by each order field (entities without it after those with it, an entity
// with several values at its first in that direction), then by uid; with
// no order field, by ref. Limit 0 is no limit.
func orderedIDs(ctx context.Context, q queryer, where sqlExpr, order []catalog.Order, offset, limit int) ([]int64, error) {
	var b strings.Builder
	args := []any{}
	b.WriteString(`SELECT e.id FROM entities e`)
	var terms []string
	for i, o := range order {
		key := strings.ToLower(o.Field)
		dir := "ASC"
		agg := "min"
		if o.Desc {
			dir, agg = "DESC", "max"
		}
		if key == "metadata.uid" {
			terms = append(terms, "e.uid "+dir)
			continue
		}
		// One pass over the key's rows, grouped: no look-up per entity.
		alias := fmt.Sprintf("o%d", i)
		if typ, ok := relationKey(key); ok {
			rel := relationValues(typ)
			fmt.Fprintf(&b, ` LEFT JOIN (SELECT eid AS id, %s(v) AS v FROM %s GROUP BY eid) %s ON %s.id = e.id`, agg, rel.sql, alias, alias)
			args = append(args, rel.args...)
		} else {
			fmt.Fprintf(&b, ` LEFT JOIN (SELECT s.entity_id AS id, %s(s.value) AS v FROM search_rows s WHERE s.key_id = `+keyID+` AND s.value <> '' GROUP BY s.entity_id) %s ON %s.id = e.id`, agg, alias, alias)
			args = append(args, key)
		}
		terms = append(terms, alias+".v IS NULL", alias+".v "+dir)
	}
	b.WriteString(" WHERE " + where.sql)
	args = append(args, where.args...)
	if len(order) > 0 {
		terms = append(terms, "e.uid")
	} else {
		terms = append(terms, "e.ref")
	}
	b.WriteString(" ORDER BY " + strings.Join(terms, ", "))
	switch {
	case limit > 0:
		b.WriteString(" LIMIT ? OFFSET ?")
		args = append(args, limit, offset)
	case offset > 0:
		b.WriteString(" LIMIT -1 OFFSET ?")
		args = append(args, offset)
	}
	ids, err := queryIDs(ctx, q, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("listing entities: %w", err)
	}
	return ids, nil
}

// ListEntities writes the entities that match q, as the catalog API serves
// them, to emit: in order (see catalog.ListQuery), from Offset, at most
// Limit of them (0: all). Before the first, page learns whether entities
// remain past the page. Memory stays that of one chunk of entities (and
// the ids of the list) however many match.
func (s *Store) ListEntities(ctx context.Context, q catalog.ListQuery, page func(more bool), emit func(entity []byte) error) error {
	return s.readTx(ctx, func(tx queryer) error {
		if q.Limit == 0 && q.Offset == 0 && len(q.Order) == 0 {
			// A whole list, in ref order: streamed when it is long.
			n, err := boundedCount(ctx, tx, wherePredicate(q.Where), smallSet+1)
			if err != nil {
				return err
			}
			if n > smallSet {
				page(false)
				return streamEntities(ctx, tx, renderPredicate(q.Where, true), emit)
			}
		}
		limit := q.Limit
		if limit > 0 {
			limit++ // one more says whether there is a next page
		}
		ids, err := orderedIDs(ctx, tx, wherePredicate(q.Where), q.Order, q.Offset, limit)
		if err != nil {
			return err
		}
		more := q.Limit > 0 && len(ids) > q.Limit
		if more {
			ids = ids[:q.Limit]
		}
		page(more)
		return writeEntities(ctx, tx, ids, emit)
	})
}

// planned, when set, is shown each read the catalog API's hot paths run
// (TestQueryPlans explains them); it does nothing outside that test.
var planned = func(query string, args []any) {}

// Query returns one page of the entities that match q, and how many match
// in all (the answers the owner, digest and CLI code read as entities).
func (s *Store) Query(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	var page catalog.Page
	err := s.readTx(ctx, func(tx queryer) error {
		where := wherePredicate(q.Filter.Predicate())
		if term := strings.TrimSpace(q.FullTextTerm); term != "" {
			ft := fullText(term, q.FullTextFields)
			where = sqlExpr{where.sql + " AND " + ft.sql, append(slices.Clone(where.args), ft.args...)}
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entities e WHERE `+where.sql, where.args...).Scan(&page.TotalItems); err != nil {
			return fmt.Errorf("counting entities: %w", err)
		}
		ids, err := orderedIDs(ctx, tx, where, q.Order, q.Offset, q.Limit)
		if err != nil {
			return err
		}
		stored, err := readAll(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			se := stored[id]
			if se == nil {
				continue
			}
			e, err := decode(se.uid, se.etag, se.body)
			if err != nil {
				return fmt.Errorf("reading %s: %w", se.ref, err)
			}
			if err := json.Unmarshal(se.own, &e.Relations); err != nil {
				return fmt.Errorf("reading the relations of %s: %w", se.ref, err)
			}
			e.Relations = append(e.Relations, se.inverse...)
			sortRelations(e.Relations)
			e.Relations = slices.Compact(e.Relations)
			page.Entities = append(page.Entities, e)
		}
		return nil
	})
	if err != nil {
		return catalog.Page{}, err
	}
	return page, nil
}

// readAll reads the entities ids name, with their relations, a chunk at a time.
func readAll(ctx context.Context, q queryer, ids []int64) (map[int64]*storedEntity, error) {
	out := make(map[int64]*storedEntity, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(writeChunk, len(ids))]
		ids = ids[len(chunk):]
		m, err := readChunk(ctx, q, chunk)
		if err != nil {
			return nil, err
		}
		for id, se := range m {
			out[id] = se
		}
	}
	return out, nil
}
