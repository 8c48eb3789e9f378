package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// statements are a replacing transaction's prepared statements and the
// index rows it has yet to write.
type statements struct {
	tx                                 *sql.Tx
	insert, update, delFTS, delSearch  *sql.Stmt
	delRel, delEntity, bySource, byRef *sql.Stmt
	keyID, newKey, setLine             *sql.Stmt
	keys                               map[string]int64 // search key ids seen in this transaction
	// Index rows waiting to be written, by table, and the entities they
	// belong to. They go in many to a statement when the transaction ends:
	// a statement costs more in the driver than the rows it writes, and
	// FTS5 flushes its pending terms at the start of every statement, so
	// one row per statement would write (and later merge) a segment per
	// entity.
	waiting    [3][][]any
	waitingFor map[int64]bool
	// multi-row inserts, by table and row count: one statement per entity
	// instead of one per row costs far less in the driver.
	multi map[multiKey]*sql.Stmt
}

func prepare(ctx context.Context, tx *sql.Tx) (*statements, error) {
	st := &statements{tx: tx}
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&st.insert, `INSERT INTO entities (ref, kind, namespace, name, uid, etag, source, location, body, search, created_at, updated_at, line, own_relations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (ref) DO NOTHING RETURNING id`},
		{&st.update, `UPDATE entities SET etag = ?, location = ?, body = ?, search = ?, updated_at = ?, line = ?, own_relations = ? WHERE id = ?`},
		{&st.setLine, `UPDATE entities SET line = ? WHERE id = ?`},
		{&st.delFTS, `DELETE FROM entities_fts WHERE rowid = ?`},
		{&st.delSearch, `DELETE FROM search_rows WHERE key_id = ? AND value = ? AND entity_id = ?`},
		{&st.keyID, `SELECT id FROM search_keys WHERE key = ?`},
		{&st.newKey, `INSERT INTO search_keys (key) VALUES (?)`},
		{&st.delRel, `DELETE FROM relations WHERE entity_id = ?`},
		{&st.delEntity, `DELETE FROM entities WHERE id = ?`},
		{&st.bySource, `SELECT id, ref, uid, etag, location, search, line FROM entities WHERE source = ?`},
		{&st.byRef, `SELECT location, source FROM entities WHERE ref = ?`},
	} {
		s, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			st.close()
			return nil, err
		}
		*p.dst = s
	}
	return st, nil
}

func (st *statements) close() {
	for _, s := range []*sql.Stmt{st.insert, st.update, st.setLine, st.delFTS, st.delSearch, st.delRel, st.delEntity, st.bySource, st.byRef, st.keyID, st.newKey} {
		if s != nil {
			s.Close()
		}
	}
	for _, s := range st.multi {
		s.Close()
	}
}

// clear deletes an entity's index rows; search is its entities.search list.
func (st *statements) clear(ctx context.Context, id int64, search string) error {
	if st.waitingFor[id] { // rows to delete are still waiting
		if err := st.flush(ctx); err != nil {
			return err
		}
	}
	var rows [][2]any
	if err := json.Unmarshal([]byte(search), &rows); err != nil {
		return fmt.Errorf("reading the search rows of entity %d: %w", id, err)
	}
	for _, r := range rows {
		if _, err := st.delSearch.ExecContext(ctx, r[0], r[1], id); err != nil {
			return err
		}
	}
	for _, s := range []*sql.Stmt{st.delRel, st.delFTS} {
		if _, err := s.ExecContext(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (st *statements) remove(ctx context.Context, id int64, search string) error {
	if err := st.clear(ctx, id, search); err != nil {
		return err
	}
	_, err := st.delEntity.ExecContext(ctx, id)
	return err
}

// searchRows numbers an entity's search keys and returns its rows (less the
// entity id) and their list as stored in entities.search.
func (st *statements) searchRows(ctx context.Context, d *encoded) ([][]any, string, error) {
	rows := make([][]any, 0, len(d.search))
	list := make([][2]any, 0, len(d.search))
	for _, kv := range d.search {
		v, original := searchValue(kv)
		kid, err := st.searchKey(ctx, kv.key)
		if err != nil {
			return nil, "", err
		}
		rows = append(rows, []any{kid, v, nil, original})
		list = append(list, [2]any{kid, v})
	}
	b, err := json.Marshal(list)
	return rows, string(b), err
}

// searchValue is how a row's value is stored: value is lower-cased and ”
// for null (or a value too long to index); original is the value as
// written when that differs, ” for an empty string, NULL otherwise. So a
// row is null exactly when value is ” and original is NULL.
func searchValue(kv keyValue) (value string, original any) {
	if kv.value == nil {
		return "", nil
	}
	if kv.original != *kv.value || kv.original == "" {
		return *kv.value, kv.original
	}
	return *kv.value, nil
}

// The tables whose rows wait for the end of the transaction.
var waitingTables = [3]string{
	"OR IGNORE INTO search_rows (key_id, value, entity_id, original)",
	"OR IGNORE INTO relations (entity_id, type, target_ref)",
	"INTO entities_fts (rowid, name, title, description, tags, kind)",
}

// index queues an entity's index rows; flush writes them.
func (st *statements) index(id int64, search [][]any, d *encoded) {
	for _, r := range search {
		r[2] = id
	}
	st.waiting[0] = append(st.waiting[0], search...)
	self := d.ref
	for _, edge := range d.edges {
		if edge.Source.String() == self {
			st.waiting[1] = append(st.waiting[1], []any{id, edge.Type, edge.Target.String()})
		}
	}
	st.waiting[2] = append(st.waiting[2], []any{id, d.fts[0], d.fts[1], d.fts[2], d.fts[3], d.fts[4]})
	if st.waitingFor == nil {
		st.waitingFor = map[int64]bool{}
	}
	st.waitingFor[id] = true
}

// flush writes the index rows waiting, with as few statements as it can.
func (st *statements) flush(ctx context.Context) error {
	for i, table := range waitingTables {
		rows := st.waiting[i]
		st.waiting[i] = nil
		if err := st.insertRows(ctx, table, rows); err != nil {
			return err
		}
	}
	st.waitingFor = nil
	return nil
}

// maxParamsPerInsert bounds one multi-row insert (SQLite allows 32766
// parameters; past a thousand or so, longer statements gain nothing).
const maxParamsPerInsert = 960

type multiKey struct {
	table string
	n     int
}

// insertRows inserts rows (all of the table's arity) with as few statements as it can.
func (st *statements) insertRows(ctx context.Context, table string, rows [][]any) error {
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), maxParamsPerInsert/len(rows[0]))]
		rows = rows[len(chunk):]
		k := multiKey{table, len(chunk)}
		stmt := st.multi[k]
		if stmt == nil {
			tuple := "(?" + strings.Repeat(", ?", len(chunk[0])-1) + ")"
			q := "INSERT " + table + " VALUES " + tuple + strings.Repeat(", "+tuple, len(chunk)-1)
			var err error
			if stmt, err = st.tx.PrepareContext(ctx, q); err != nil {
				return err
			}
			if st.multi == nil {
				st.multi = map[multiKey]*sql.Stmt{}
			}
			st.multi[k] = stmt
		}
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// searchKey returns the id of a search key, numbering it when it is new.
func (st *statements) searchKey(ctx context.Context, key string) (int64, error) {
	if id, ok := st.keys[key]; ok {
		return id, nil
	}
	var id int64
	err := st.keyID.QueryRowContext(ctx, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		res, err := st.newKey.ExecContext(ctx, key)
		if err != nil {
			return 0, err
		}
		id, err = res.LastInsertId()
		if err != nil {
			return 0, err
		}
	} else if err != nil {
		return 0, err
	}
	if st.keys == nil {
		st.keys = map[string]int64{}
	}
	st.keys[key] = id
	return id, nil
}
