package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"
)

// ReplaceSource makes the catalog hold exactly decl for source, in one
// transaction: new entities are added, changed ones updated (keeping their
// uid), and the source's entities that decl no longer names are removed.
func (s *Store) ReplaceSource(ctx context.Context, source string, decl []catalog.Declared, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error) {
	res, err := s.ReplaceSources(ctx, []catalog.SourceBatch{{Source: source, Entities: decl, Options: opts}})
	if err != nil {
		return catalog.ReplaceResult{}, err
	}
	return res[0], nil
}

// ReplaceSources replaces several sources in one transaction (an import of
// many files): each is replaced exactly as ReplaceSource would, and either all
// of them are or none is.
func (s *Store) ReplaceSources(ctx context.Context, batches []catalog.SourceBatch) ([]catalog.ReplaceResult, error) {
	write, err := s.PrepareSources(batches)
	if err != nil {
		return nil, err
	}
	return write(ctx)
}

// PrepareSources encodes batches and returns the write that replaces them;
// encoding does not touch the database, so it can run while another group
// is written.
func (s *Store) PrepareSources(batches []catalog.SourceBatch) (catalog.PreparedWrite, error) {
	enc, err := encodeAll(batches)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) ([]catalog.ReplaceResult, error) { return s.replaceEncoded(ctx, batches, enc) }, nil
}

// replaceEncoded replaces batches, encoded as enc, in one transaction.
func (s *Store) replaceEncoded(ctx context.Context, batches []catalog.SourceBatch, enc [][]encoded) ([]catalog.ReplaceResult, error) {
	out := make([]catalog.ReplaceResult, len(batches))
	err := s.replacing(ctx, "replacing entities", func(_ *sql.Tx, st *statements) error {
		for i, b := range batches {
			var err error
			if out[i], err = s.replace(ctx, st, b.Source, enc[i], b.Options); err != nil {
				return fmt.Errorf("replacing %s: %w", b.Source, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// replacing runs fn in a write transaction with the statements that
// replace entities, and writes what they leave waiting before it commits.
// An error of the transaction itself is wrapped in fail; fn's are not.
func (s *Store) replacing(ctx context.Context, fail string, fn func(tx *sql.Tx, st *statements) error) error {
	var inner error
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		st, err := prepare(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		if inner = fn(tx, st); inner != nil {
			return inner
		}
		return st.flush(ctx)
	})
	s.wrote() // even when it failed: a cache that refreshes once too often is harmless
	if err != nil && err != inner && fail != "" {
		return fmt.Errorf("%s: %w", fail, err)
	}
	return err
}

// encoded is an entity made ready for the database before the transaction
// opens, so the one writing connection spends its time writing.
type encoded struct {
	ref, kind, namespace, name string
	location                   string
	line                       int
	body, etag                 string
	search                     []keyValue
	edges                      []catalog.Edge
	ownEdges                   string // the relations its own spec declares, as served: JSON, sorted
	fts                        [5]string
}

// encodeAll encodes every entity of batches, on all cores: worker w takes
// every nth entity.
func encodeAll(batches []catalog.SourceBatch) ([][]encoded, error) {
	out := make([][]encoded, len(batches))
	for i, b := range batches {
		out[i] = make([]encoded, len(b.Entities))
	}
	n := runtime.GOMAXPROCS(0)
	var g errgroup.Group
	for w := range n {
		g.Go(func() error {
			k := 0
			for i, b := range batches {
				for j, d := range b.Entities {
					if k++; (k-1)%n != w {
						continue
					}
					enc, err := encode(d)
					if err != nil {
						return err
					}
					out[i][j] = enc
				}
			}
			return nil
		})
	}
	return out, g.Wait()
}

// encode returns the stored form of an entity. The etag is a hash of the
// body, so an unchanged file writes nothing.
func encode(d catalog.Declared) (encoded, error) {
	// Stored as Backstage's processing leaves an entity, which is how the
	// API serves it: namespace set, relation lists sorted.
	e := *d.Entity.Processed()
	e.Relations = nil
	e.Metadata.UID, e.Metadata.Etag = "", ""
	b, err := json.Marshal(&e)
	if err != nil {
		return encoded{}, fmt.Errorf("encoding %s: %w", e.Ref(), err)
	}
	sum := sha256.Sum256(append(b, d.Location...))
	r := e.Ref()
	edges := catalog.DeriveEdges(&e)
	own, err := ownRelations(r.String(), edges)
	if err != nil {
		return encoded{}, fmt.Errorf("encoding %s: %w", r, err)
	}
	return encoded{
		ref:       r.String(),
		kind:      strings.ToLower(r.Kind),
		namespace: strings.ToLower(r.Namespace),
		name:      strings.ToLower(r.Name),
		location:  d.Location,
		line:      d.Line,
		body:      string(b),
		etag:      base64.RawURLEncoding.EncodeToString(sum[:15]),
		search:    flatten(b),
		edges:     edges,
		ownEdges:  own,
		fts:       [5]string{e.Metadata.Name, e.DisplayName(), e.Metadata.Description, strings.Join(e.Metadata.Tags, " "), strings.ToLower(e.Kind)},
	}, nil
}

// ownRelations is the JSON of the relations an entity's own spec declares
// (self is its ref), sorted and once each, as the API serves them beside
// the opposite of those other entities declare to it.
func ownRelations(self string, edges []catalog.Edge) (string, error) {
	rels := make([]catalog.Relation, 0, len(edges))
	for _, e := range edges {
		if e.Source.String() == self {
			rels = append(rels, catalog.Relation{Type: e.Type, TargetRef: e.Target.String()})
		}
	}
	sortRelations(rels)
	b, err := json.Marshal(slices.Compact(rels))
	return string(b), err
}

type existing struct {
	id       int64
	search   string
	uid      string
	etag     string
	location string
	source   string
	line     int
}

func (s *Store) replace(ctx context.Context, st *statements, source string, decl []encoded, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error) {
	var res catalog.ReplaceResult
	have := map[string]existing{}
	rows, err := st.bySource.QueryContext(ctx, source)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var e existing
		var ref string
		if err := rows.Scan(&e.id, &ref, &e.uid, &e.etag, &e.location, &e.search, &e.line); err != nil {
			rows.Close()
			return res, err
		}
		e.source = source
		have[ref] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}

	now := s.Now().UnixMilli()
	seen := map[string]bool{}
	for _, d := range decl {
		ref := d.ref
		if seen[ref] {
			res.Conflicts = append(res.Conflicts, catalog.Problem{File: d.location, Entity: ref, Message: fmt.Sprintf("%s is declared twice", ref)})
			continue
		}
		seen[ref] = true
		old, ok := have[ref]
		if ok && d.line == 0 {
			d.line = old.line // a rename re-declares entities without reading the file
		}
		if ok && old.etag == d.etag {
			if d.line != old.line { // lines above it moved; the entity did not change
				if _, err := st.setLine.ExecContext(ctx, d.line, old.id); err != nil {
					return res, err
				}
			}
			res.Unchanged = append(res.Unchanged, ref)
			continue
		}
		var id int64
		uid := old.uid
		searchRows, searchList, err := st.searchRows(ctx, &d)
		if err != nil {
			return res, err
		}
		if ok {
			id = old.id
			if _, err := st.update.ExecContext(ctx, d.etag, d.location, d.body, searchList, now, d.line, d.ownEdges, id); err != nil {
				return res, err
			}
			if err := st.clear(ctx, id, old.search); err != nil {
				return res, err
			}
			res.Updated = append(res.Updated, ref)
		} else {
			// The insert does nothing when another source declares ref:
			// one statement instead of a look-up and an insert.
			uid = uuid.NewString()
			err := st.insert.QueryRowContext(ctx, ref, d.kind, d.namespace, d.name, uid, d.etag, source, d.location, d.body, searchList, now, now, d.line, d.ownEdges).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				var location, other string
				if err := st.byRef.QueryRowContext(ctx, ref).Scan(&location, &other); err != nil {
					return res, fmt.Errorf("reading who declares %s: %w", ref, err)
				}
				res.Conflicts = append(res.Conflicts, catalog.Problem{File: d.location, Entity: ref, DeclaredBy: other,
					Message: fmt.Sprintf("%s is already declared by %s; to declare it here, remove that first with: callboard unregister %s",
						ref, strings.TrimPrefix(location, "url:"), unregisterTarget(ctx, st.tx, other))})
				continue
			}
			if err != nil {
				return res, err
			}
			res.Added = append(res.Added, ref)
		}
		st.index(id, searchRows, &d)
	}
	if !opts.KeepMissing {
		for ref, old := range have {
			if seen[ref] {
				continue
			}
			if err := st.remove(ctx, old.id, old.search); err != nil {
				return res, err
			}
			res.Removed = append(res.Removed, ref)
		}
	}
	sort.Strings(res.Removed)
	return res, nil
}

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
