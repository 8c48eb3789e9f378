package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/sqlite"
)

// Migration 0011 changes how entities are stored (and indexed): the store
// re-encodes the ones already stored, in the migration's transaction.
func init() {
	sqlite.RegisterStep("0011_catalog_api.sql", reencodeEntities)
}

// reencodeEntities stores every entity again as this version encodes it
// (body, etag, search rows, relations, full-text row), from its stored body:
// the index gains what the new encoding adds without waiting for each
// source to be read again. Entities are read in batches, by id.
func reencodeEntities(ctx context.Context, tx *sql.Tx) error {
	st, err := prepare(ctx, tx)
	if err != nil {
		return fmt.Errorf("re-encoding entities: %w", err)
	}
	defer st.close()
	type row struct {
		id                                int64
		uid, etag, location, body, search string
		line                              int
		updated                           int64
	}
	const batch = 500
	var last int64
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, uid, etag, location, body, search, line, updated_at FROM entities WHERE id > ? ORDER BY id LIMIT ?`, last, batch)
		if err != nil {
			return fmt.Errorf("re-encoding entities: %w", err)
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.uid, &r.etag, &r.location, &r.body, &r.search, &r.line, &r.updated); err != nil {
				rows.Close()
				return fmt.Errorf("re-encoding entities: %w", err)
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("re-encoding entities: %w", err)
		}
		if len(rs) == 0 {
			return st.flush(ctx)
		}
		for _, r := range rs {
			last = r.id
			e, err := decode(r.uid, r.etag, []byte(r.body))
			if err != nil {
				return fmt.Errorf("re-encoding entity %d: %w", r.id, err)
			}
			d, err := encode(catalog.Declared{Entity: e, Location: r.location, Line: r.line})
			if err != nil {
				return fmt.Errorf("re-encoding %s: %w", e.Ref(), err)
			}
			searchRows, searchList, err := st.searchRows(ctx, &d)
			if err != nil {
				return fmt.Errorf("re-encoding %s: %w", e.Ref(), err)
			}
			if err := st.clear(ctx, r.id, r.search); err != nil {
				return fmt.Errorf("re-encoding %s: %w", e.Ref(), err)
			}
			if _, err := st.update.ExecContext(ctx, d.etag, d.location, d.body, searchList, r.updated, d.line, d.ownEdges, r.id); err != nil {
				return fmt.Errorf("re-encoding %s: %w", e.Ref(), err)
			}
			st.index(r.id, searchRows, &d)
		}
	}
}
