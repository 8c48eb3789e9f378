package store

import (
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// columnKeys are filter keys the entities table answers itself, from
// indexed columns (the search rows hold them too, for facets and sorting).
var columnKeys = map[string]string{
	"kind":               "e.kind",
	"metadata.name":      "e.name",
	"metadata.namespace": "e.namespace",
	"metadata.uid":       "e.uid",
}

// lowCardinality are the columns a condition on should not drive a query
// when another condition of the same conjunction can: kind=component holds
// most of a catalog, an owner a handful.
var lowCardinality = map[string]bool{"kind": true, "metadata.namespace": true}

// keyID is the search key's id, as an SQL expression.
const keyID = `(SELECT id FROM search_keys WHERE key = ?)`

// notNullRow is true for a search row (aliased s) that holds a value: a
// null, or a value too long to index, is stored as ” with no original.
const notNullRow = `NOT (s.value = '' AND s.original IS NULL)`

// sqlExpr is an SQL expression and its arguments.
type sqlExpr struct {
	sql  string
	args []any
}

var (
	sqlTrue  = sqlExpr{sql: "1"}
	sqlFalse = sqlExpr{sql: "0"}
)

// wherePredicate renders p as an SQL condition over the entities table
// aliased e. Every condition is answered from an index: search rows by
// key and value, relations by target or by type, or the entities' columns.
func wherePredicate(p catalog.Predicate) sqlExpr {
	return renderPredicate(p, false)
}

func renderPredicate(p catalog.Predicate, noIndex bool) sqlExpr {
	switch p.Op {
	case catalog.PredAll:
		if len(p.Preds) == 0 {
			return sqlTrue
		}
		// A low-cardinality column drives the query only when nothing else
		// of the conjunction can.
		selective := slices.ContainsFunc(p.Preds, isSelective)
		parts := make([]sqlExpr, 0, len(p.Preds))
		for _, sub := range p.Preds {
			parts = append(parts, renderPredicate(sub, noIndex || selective && isLowCardinality(sub)))
		}
		return join(parts, " AND ")
	case catalog.PredAny:
		if len(p.Preds) == 0 {
			return sqlFalse
		}
		parts := make([]sqlExpr, 0, len(p.Preds))
		for _, sub := range p.Preds {
			parts = append(parts, renderPredicate(sub, noIndex))
		}
		return join(parts, " OR ")
	case catalog.PredNot:
		if len(p.Preds) != 1 {
			return sqlFalse
		}
		inner := renderPredicate(p.Preds[0], noIndex)
		return sqlExpr{"NOT " + inner.sql, inner.args}
	case catalog.PredField:
		return renderField(p.Key, p.Match, noIndex)
	}
	return sqlFalse
}

func join(parts []sqlExpr, sep string) sqlExpr {
	var out sqlExpr
	sqls := make([]string, 0, len(parts))
	for _, p := range parts {
		sqls = append(sqls, p.sql)
		out.args = append(out.args, p.args...)
	}
	out.sql = "(" + strings.Join(sqls, sep) + ")"
	return out
}

// isSelective reports whether p can drive a query through an index that
// selects few entities.
func isSelective(p catalog.Predicate) bool {
	if p.Op != catalog.PredField {
		return false
	}
	switch {
	case lowCardinality[strings.ToLower(p.Key)]:
		return false
	case p.Match.Kind == catalog.MatchExists:
		return false
	case p.Match.Kind == catalog.MatchRelation:
		return len(p.Match.Values) > 0
	}
	return true
}

func isLowCardinality(p catalog.Predicate) bool {
	return p.Op == catalog.PredField && lowCardinality[strings.ToLower(p.Key)]
}

// lower lower-cases and de-duplicates values, as they are indexed.
func lower(values []string) []any {
	out := make([]any, 0, len(values))
	seen := map[string]bool{}
	for _, v := range values {
		v = strings.ToLower(v)
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func placeholders(n int) string {
	return "(?" + strings.Repeat(",?", n-1) + ")"
}

// inList is an IN list of vs, its length rounded up to a
// power of two by repeating the last value, which changes no answer: lists
// of similar lengths are then one statement text, prepared once (see
// sqlite.ReadTx), rather than one text per length.
func inList(vs []any) (string, []any) {
	if len(vs) == 0 {
		return "(NULL)", nil // matches nothing
	}
	n := 1
	for n < len(vs) {
		n *= 2
	}
	padded := slices.Grow(slices.Clone(vs), n-len(vs))
	for len(padded) < n {
		padded = append(padded, vs[len(vs)-1])
	}
	return placeholders(n), padded
}

// prefixRange is the range of strings that start with prefix, for an
// index: [prefix, prefix+U+10FFFF).
func prefixRange(prefix string) (string, string) {
	p := strings.ToLower(prefix)
	return p, p + "\U0010FFFF"
}

func renderField(key string, m catalog.Match, noIndex bool) sqlExpr {
	key = strings.ToLower(key)
	if key == "relations" && m.Kind == catalog.MatchRelation {
		if len(m.Values) == 0 {
			return renderRelation(m.RelationType, catalog.Match{Kind: catalog.MatchExists, Exists: true})
		}
		return renderRelation(m.RelationType, catalog.Match{Kind: catalog.MatchValues, Values: m.Values})
	}
	if t, ok := strings.CutPrefix(key, "relations."); ok && t != "" {
		return renderRelation(t, m)
	}
	if col := columnKeys[key]; col != "" {
		if noIndex {
			col = "+" + col
		}
		return renderColumn(col, m)
	}
	return renderSearchKey(key, m)
}

// renderColumn matches one of the entities' own columns (kind, namespace,
// name).
func renderColumn(col string, m catalog.Match) sqlExpr {
	switch m.Kind {
	case catalog.MatchValues:
		if len(m.Values) == 0 {
			return sqlFalse
		}
		in, vs := inList(lower(m.Values))
		return sqlExpr{col + " IN " + in, vs}
	case catalog.MatchExists:
		if m.Exists {
			return sqlTrue // every entity has them
		}
		return sqlFalse
	case catalog.MatchPrefix:
		lo, hi := prefixRange(m.Values[0])
		return sqlExpr{"(" + col + " >= ? AND " + col + " < ?)", []any{lo, hi}}
	}
	return sqlFalse
}

// renderSearchKey matches a field through the search rows.
func renderSearchKey(key string, m catalog.Match) sqlExpr {
	switch m.Kind {
	case catalog.MatchValues:
		if len(m.Values) == 0 {
			return sqlFalse
		}
		in, vs := inList(lower(m.Values))
		return sqlExpr{`e.id IN (SELECT entity_id FROM search_rows WHERE key_id = ` + keyID + ` AND value IN ` + in + `)`,
			append([]any{key}, vs...)}
	case catalog.MatchExists:
		q := `e.id IN (SELECT entity_id FROM search_rows WHERE key_id = ` + keyID + `)`
		if !m.Exists {
			q = "NOT " + q
		}
		return sqlExpr{q, []any{key}}
	case catalog.MatchPrefix:
		lo, hi := prefixRange(m.Values[0])
		return sqlExpr{`e.id IN (SELECT entity_id FROM search_rows WHERE key_id = ` + keyID + ` AND value >= ? AND value < ?)`, []any{key, lo, hi}}
	}
	return sqlFalse
}

// renderRelation matches entities by their relations of one type: the edges
// their own spec declares (relations.entity_id), and the opposite of those
// other entities declare to them (relations.target_ref).
func renderRelation(lowerType string, m catalog.Match) sqlExpr {
	typ := catalog.RelationType(lowerType)
	inv := catalog.InverseRelation(typ)
	if typ == "" || inv == "" {
		// No entity has a relation of a type callboard does not know.
		if m.Kind == catalog.MatchExists && !m.Exists {
			return sqlTrue
		}
		return sqlFalse
	}
	const (
		fwd = `e.id IN (SELECT entity_id FROM relations WHERE type = ?`
		rev = `e.ref IN (SELECT r.target_ref FROM relations r JOIN entities t ON t.id = r.entity_id WHERE r.type = ?`
	)
	switch m.Kind {
	case catalog.MatchValues:
		if len(m.Values) == 0 {
			return sqlFalse
		}
		in, vs := inList(lower(m.Values))
		args := append(append([]any{typ}, vs...), inv)
		return sqlExpr{"(" + fwd + ` AND target_ref IN ` + in + `) OR ` + rev + ` AND t.ref IN ` + in + `))`, append(args, vs...)}
	case catalog.MatchExists:
		q := `(e.id IN (SELECT entity_id FROM relations WHERE type = ?) OR e.ref IN (SELECT target_ref FROM relations WHERE type = ?))`
		if !m.Exists {
			q = "NOT " + q
		}
		return sqlExpr{q, []any{typ, inv}}
	case catalog.MatchPrefix:
		lo, hi := prefixRange(m.Values[0])
		return sqlExpr{"(" + fwd + ` AND target_ref >= ? AND target_ref < ?) OR ` + rev + ` AND t.ref >= ? AND t.ref < ?))`,
			[]any{typ, lo, hi, inv, lo, hi}}
	}
	return sqlFalse
}

// relationKey returns the relation type a key like "relations.ownedby"
// names, when it names one callboard knows.
func relationKey(key string) (string, bool) {
	t, ok := strings.CutPrefix(key, "relations.")
	if !ok {
		return "", false
	}
	typ := catalog.RelationType(t)
	return typ, typ != "" && catalog.InverseRelation(typ) != ""
}

// relationValues is a subquery of (eid, v): every entity's relations of
// type typ by target, those its spec declares and the opposite of those
// declared to it, each pair once (as the key relations.TYPE holds them in
// Backstage's search table).
func relationValues(typ string) sqlExpr {
	return sqlExpr{`(SELECT entity_id AS eid, target_ref AS v FROM relations WHERE type = ?
		UNION SELECT x.id, t.ref FROM relations r JOIN entities t ON t.id = r.entity_id JOIN entities x ON x.ref = r.target_ref WHERE r.type = ?)`,
		[]any{typ, catalog.InverseRelation(typ)}}
}
