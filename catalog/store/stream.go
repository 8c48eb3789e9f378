package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// queryer is what reads run on: the read pool, or one read transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writeChunk is how many entities are read (with their relations) at once
// while a list of ids is written: what such a list holds in memory beside
// its ids.
const writeChunk = 500

// storedEntity is an entity's row as a list reads it.
type storedEntity struct {
	ref, uid, etag string
	body           []byte
	own            []byte             // the relations its spec declares, as JSON (own_relations)
	inverse        []catalog.Relation // the opposite of those others declare to it
}

// json is the entity as the catalog API serves it: the stored body with
// its uid and etag, and its relations in both directions.
func (se *storedEntity) json() ([]byte, error) {
	rels := se.own
	if len(se.inverse) > 0 {
		var all []catalog.Relation
		if err := json.Unmarshal(se.own, &all); err != nil {
			return nil, fmt.Errorf("reading the relations of %s: %w", se.ref, err)
		}
		all = append(all, se.inverse...)
		sortRelations(all)
		b, err := json.Marshal(slices.Compact(all))
		if err != nil {
			return nil, err
		}
		rels = b
	}
	if b, ok := spliceEntity(se.body, se.uid, se.etag, rels); ok {
		return b, nil
	}
	// Not the shape encode writes: take the long way.
	e, err := decode(se.uid, se.etag, se.body)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", se.ref, err)
	}
	var all []catalog.Relation
	if err := json.Unmarshal(rels, &all); err != nil {
		return nil, fmt.Errorf("reading the relations of %s: %w", se.ref, err)
	}
	return marshalEntity(e, all)
}

// writeEntities reads the entities ids name, in that order (an id may
// repeat), and hands each to emit as the catalog API serves it; nil for an
// id that names no entity (0, say). It reads writeChunk entities at a
// time, so a list of any length costs the memory of one chunk.
func writeEntities(ctx context.Context, q queryer, ids []int64, emit func([]byte) error) error {
	for len(ids) > 0 {
		chunk := ids[:min(writeChunk, len(ids))]
		ids = ids[len(chunk):]
		if err := ctx.Err(); err != nil {
			return err
		}
		stored, err := readChunk(ctx, q, chunk)
		if err != nil {
			return err
		}
		for _, id := range chunk {
			var b []byte
			if se := stored[id]; se != nil {
				if b, err = se.json(); err != nil {
					return err
				}
			}
			if err := emit(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// readChunk reads the rows and relations of a few entities by id.
func readChunk(ctx context.Context, q queryer, ids []int64) (map[int64]*storedEntity, error) {
	uniq := make([]any, 0, len(ids))
	out := make(map[int64]*storedEntity, len(ids))
	for _, id := range ids {
		if _, seen := out[id]; !seen {
			out[id] = nil
			uniq = append(uniq, id)
		}
	}
	in, args := inList(uniq)
	planned(`SELECT id, ref, uid, etag, body, own_relations FROM entities WHERE id IN `+in, args)
	rows, err := q.QueryContext(ctx, `SELECT id, ref, uid, etag, body, own_relations FROM entities WHERE id IN `+in, args...)
	if err != nil {
		return nil, fmt.Errorf("reading entities: %w", err)
	}
	byRef := make(map[string]*storedEntity, len(uniq))
	refs := make([]any, 0, len(uniq))
	for rows.Next() {
		var id int64
		se := &storedEntity{}
		if err := rows.Scan(&id, &se.ref, &se.uid, &se.etag, &se.body, &se.own); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading entities: %w", err)
		}
		out[id] = se
		byRef[se.ref] = se
		refs = append(refs, se.ref)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading entities: %w", err)
	}
	if len(refs) == 0 {
		return out, nil
	}
	in, args = inList(refs)
	planned(`SELECT r.target_ref, r.type, e.ref FROM relations r JOIN entities e ON e.id = r.entity_id WHERE r.target_ref IN `+in, args)
	rows, err = q.QueryContext(ctx, `SELECT r.target_ref, r.type, e.ref FROM relations r JOIN entities e ON e.id = r.entity_id WHERE r.target_ref IN `+in, args...)
	if err != nil {
		return nil, fmt.Errorf("reading relations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var target, typ, source string
		if err := rows.Scan(&target, &typ, &source); err != nil {
			return nil, fmt.Errorf("reading relations: %w", err)
		}
		if se, inv := byRef[target], catalog.InverseRelation(typ); se != nil && inv != "" {
			se.inverse = append(se.inverse, catalog.Relation{Type: inv, TargetRef: source})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading relations: %w", err)
	}
	return out, nil
}

// streamEntities writes every entity that matches where, in ref order, as
// the catalog API serves it, reading as it writes: one pass over the
// entities in ref order, and beside it one pass over the relations in
// target order for the opposite edges, merged. Memory stays that of one
// entity however many match; for a few entities, writeEntities costs less.
func streamEntities(ctx context.Context, tx queryer, where sqlExpr, emit func([]byte) error) error {
	planned(`SELECT e.ref, e.uid, e.etag, e.body, e.own_relations FROM entities e WHERE `+where.sql+` ORDER BY e.ref`, where.args)
	rows, err := tx.QueryContext(ctx, `SELECT e.ref, e.uid, e.etag, e.body, e.own_relations FROM entities e WHERE `+where.sql+` ORDER BY e.ref`, where.args...)
	if err != nil {
		return fmt.Errorf("listing entities: %w", err)
	}
	defer rows.Close()
	planned(`SELECT r.target_ref, r.type, s.ref FROM relations r JOIN entities s ON s.id = r.entity_id ORDER BY r.target_ref`, nil)
	inv, err := tx.QueryContext(ctx, `SELECT r.target_ref, r.type, s.ref FROM relations r JOIN entities s ON s.id = r.entity_id ORDER BY r.target_ref`)
	if err != nil {
		return fmt.Errorf("listing relations: %w", err)
	}
	defer inv.Close()
	pending := inverseCursor{rows: inv}
	if err := pending.advance(); err != nil {
		return fmt.Errorf("listing relations: %w", err)
	}
	for n := 0; rows.Next(); n++ {
		if n%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var se storedEntity
		if err := rows.Scan(&se.ref, &se.uid, &se.etag, &se.body, &se.own); err != nil {
			return fmt.Errorf("listing entities: %w", err)
		}
		if se.inverse, err = pending.upTo(se.ref); err != nil {
			return fmt.Errorf("listing relations: %w", err)
		}
		b, err := se.json()
		if err != nil {
			return err
		}
		if err := emit(b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inverseCursor walks the relations in target order beside the entities
// in ref order.
type inverseCursor struct {
	rows                *sql.Rows
	ok                  bool
	target, typ, source string
}

func (c *inverseCursor) advance() error {
	c.ok = c.rows.Next()
	if !c.ok {
		return c.rows.Err()
	}
	return c.rows.Scan(&c.target, &c.typ, &c.source)
}

// upTo reads the relations to targets up to ref, and returns the opposite
// edges of those to ref.
func (c *inverseCursor) upTo(ref string) ([]catalog.Relation, error) {
	var inverse []catalog.Relation
	for c.ok && c.target <= ref {
		if c.target == ref {
			if t := catalog.InverseRelation(c.typ); t != "" {
				inverse = append(inverse, catalog.Relation{Type: t, TargetRef: c.source})
			}
		}
		if err := c.advance(); err != nil {
			return inverse, err
		}
	}
	return inverse, nil
}

// sortRelations orders relations as Backstage serves them: by type, then target.
func sortRelations(rs []catalog.Relation) {
	slices.SortFunc(rs, func(a, b catalog.Relation) int {
		if c := strings.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return strings.Compare(a.TargetRef, b.TargetRef)
	})
}
