package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// EntityJSONByUID returns the entity whose metadata.uid is uid, as the
// catalog API serves it, or catalog.ErrNotFound.
func (s *Store) EntityJSONByUID(ctx context.Context, uid string) ([]byte, error) {
	var out []byte
	err := s.readTx(ctx, func(tx queryer) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM entities WHERE uid = ?`, uid).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: uid %s", catalog.ErrNotFound, uid)
		}
		if err != nil {
			return fmt.Errorf("reading entity %s: %w", uid, err)
		}
		return writeEntities(ctx, tx, []int64{id}, func(b []byte) error {
			out = b
			return nil
		})
	})
	if err == nil && out == nil {
		err = fmt.Errorf("%w: uid %s", catalog.ErrNotFound, uid)
	}
	return out, err
}

// EntitiesByRefsJSON writes to emit, for each of refs in order, the entity
// it names as the catalog API serves it, or nil when none does or the
// entity does not match where. A ref must be whole (kind:namespace/name),
// in any case, as Backstage matches them; a ref may repeat.
func (s *Store) EntitiesByRefsJSON(ctx context.Context, refs []string, where catalog.Predicate, emit func(entity []byte) error) error {
	return s.readTx(ctx, func(tx queryer) error {
		w := wherePredicate(where)
		ids := make([]int64, len(refs))
		byRef := map[string][]int{}
		for i, r := range refs {
			r = strings.ToLower(r)
			byRef[r] = append(byRef[r], i)
		}
		uniq := make([]any, 0, len(byRef))
		for r := range byRef {
			uniq = append(uniq, r)
		}
		for len(uniq) > 0 {
			chunk := uniq[:min(writeChunk, len(uniq))]
			uniq = uniq[len(chunk):]
			in, refArgs := inList(chunk)
			rows, err := tx.QueryContext(ctx, `SELECT e.id, e.ref FROM entities e WHERE e.ref IN `+in+` AND `+w.sql,
				append(refArgs, w.args...)...)
			if err != nil {
				return fmt.Errorf("reading entities by ref: %w", err)
			}
			for rows.Next() {
				var id int64
				var ref string
				if err := rows.Scan(&id, &ref); err != nil {
					rows.Close()
					return fmt.Errorf("reading entities by ref: %w", err)
				}
				for _, i := range byRef[ref] {
					ids[i] = id
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("reading entities by ref: %w", err)
			}
		}
		return writeEntities(ctx, tx, ids, emit)
	})
}
