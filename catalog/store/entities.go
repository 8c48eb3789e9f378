package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/google/uuid"
)

// ReplaceSource makes the catalog hold exactly decl for source, in one
// transaction: new entities are added, changed ones updated (keeping their
// uid), and the source's entities that decl no longer names are removed.
func (s *Store) ReplaceSource(ctx context.Context, source string, decl []catalog.Declared, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error) {
	var res catalog.ReplaceResult
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("replacing %s: %w", source, err)
	}
	defer tx.Rollback()
	res, err = s.replace(ctx, tx, source, decl, opts)
	if err != nil {
		return catalog.ReplaceResult{}, fmt.Errorf("replacing %s: %w", source, err)
	}
	if err := tx.Commit(); err != nil {
		return catalog.ReplaceResult{}, fmt.Errorf("replacing %s: %w", source, err)
	}
	return res, nil
}

type existing struct {
	id       int64
	uid      string
	etag     string
	location string
	source   string
}

func (s *Store) replace(ctx context.Context, tx *sql.Tx, source string, decl []catalog.Declared, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error) {
	var res catalog.ReplaceResult
	have := map[string]existing{}
	rows, err := tx.QueryContext(ctx, `SELECT id, ref, uid, etag, location FROM entities WHERE source = ?`, source)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var e existing
		var ref string
		if err := rows.Scan(&e.id, &ref, &e.uid, &e.etag, &e.location); err != nil {
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

	st, err := prepare(ctx, tx)
	if err != nil {
		return res, err
	}
	defer st.close()

	now := s.Now().UnixMilli()
	seen := map[string]bool{}
	for _, d := range decl {
		e := d.Entity
		ref := e.Ref().String()
		if seen[ref] {
			res.Conflicts = append(res.Conflicts, catalog.Problem{File: d.Location, Entity: ref, Message: fmt.Sprintf("%s is declared twice", ref)})
			continue
		}
		seen[ref] = true
		old, ok := have[ref]
		if !ok {
			var other existing
			err := tx.QueryRowContext(ctx, `SELECT id, uid, etag, location, source FROM entities WHERE ref = ?`, ref).Scan(&other.id, &other.uid, &other.etag, &other.location, &other.source)
			switch {
			case err == nil:
				res.Conflicts = append(res.Conflicts, catalog.Problem{File: d.Location, Entity: ref, Message: fmt.Sprintf("%s is already declared by %s", ref, strings.TrimPrefix(other.location, "url:"))})
				continue
			case !errors.Is(err, sql.ErrNoRows):
				return res, err
			}
		}
		body, etag, uid, err := encode(e, old.uid)
		if err != nil {
			return res, fmt.Errorf("encoding %s: %w", ref, err)
		}
		if ok && old.etag == etag && old.location == d.Location {
			res.Unchanged = append(res.Unchanged, ref)
			continue
		}
		var id int64
		if ok {
			id = old.id
			if _, err := st.update.ExecContext(ctx, etag, d.Location, body, now, id); err != nil {
				return res, err
			}
			if err := st.clear(ctx, id); err != nil {
				return res, err
			}
			res.Updated = append(res.Updated, ref)
		} else {
			r := e.Ref()
			out, err := st.insert.ExecContext(ctx, ref, strings.ToLower(r.Kind), strings.ToLower(r.Namespace), strings.ToLower(r.Name), uid, etag, source, d.Location, body, now, now)
			if err != nil {
				return res, err
			}
			id, _ = out.LastInsertId()
			res.Added = append(res.Added, ref)
		}
		if err := st.index(ctx, id, e); err != nil {
			return res, fmt.Errorf("indexing %s: %w", ref, err)
		}
	}
	if !opts.KeepMissing {
		for ref, old := range have {
			if seen[ref] {
				continue
			}
			if err := st.remove(ctx, old.id); err != nil {
				return res, err
			}
			res.Removed = append(res.Removed, ref)
		}
	}
	sort.Strings(res.Removed)
	return res, nil
}

// RemoveSource deletes every entity of source and returns their refs.
func (s *Store) RemoveSource(ctx context.Context, source string) ([]string, error) {
	res, err := s.ReplaceSource(ctx, source, nil, catalog.ReplaceOptions{})
	return res.Removed, err
}

// encode returns the stored body (with uid and etag), the etag and the uid.
// The etag is a hash of the entity without uid/etag, so an unchanged file
// writes nothing.
func encode(e *catalog.Entity, uid string) (string, string, string, error) {
	c := *e
	c.Relations = nil
	c.Metadata.UID, c.Metadata.Etag = "", ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", "", "", err
	}
	sum := sha256.Sum256(b)
	etag := base64.RawURLEncoding.EncodeToString(sum[:15])
	if uid == "" {
		uid = uuid.NewString()
	}
	c.Metadata.UID, c.Metadata.Etag = uid, etag
	b, err = json.Marshal(&c)
	if err != nil {
		return "", "", "", err
	}
	return string(b), etag, uid, nil
}

type statements struct {
	tx                                                       *sql.Tx
	insert, update, search, relation, fts, delFTS, delSearch *sql.Stmt
	delRel, delEntity                                        *sql.Stmt
}

func prepare(ctx context.Context, tx *sql.Tx) (*statements, error) {
	st := &statements{tx: tx}
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&st.insert, `INSERT INTO entities (ref, kind, namespace, name, uid, etag, source, location, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&st.update, `UPDATE entities SET etag = ?, location = ?, body = ?, updated_at = ? WHERE id = ?`},
		{&st.search, `INSERT INTO search (entity_id, key, value) VALUES (?, ?, ?)`},
		{&st.relation, `INSERT INTO relations (originating_id, source_ref, type, target_ref) VALUES (?, ?, ?, ?)`},
		{&st.fts, `INSERT INTO entities_fts (rowid, name, title, description, tags, kind) VALUES (?, ?, ?, ?, ?, ?)`},
		{&st.delFTS, `DELETE FROM entities_fts WHERE rowid = ?`},
		{&st.delSearch, `DELETE FROM search WHERE entity_id = ?`},
		{&st.delRel, `DELETE FROM relations WHERE originating_id = ?`},
		{&st.delEntity, `DELETE FROM entities WHERE id = ?`},
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
	for _, s := range []*sql.Stmt{st.insert, st.update, st.search, st.relation, st.fts, st.delFTS, st.delSearch, st.delRel, st.delEntity} {
		if s != nil {
			s.Close()
		}
	}
}

func (st *statements) clear(ctx context.Context, id int64) error {
	for _, s := range []*sql.Stmt{st.delSearch, st.delRel, st.delFTS} {
		if _, err := s.ExecContext(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (st *statements) remove(ctx context.Context, id int64) error {
	if err := st.clear(ctx, id); err != nil {
		return err
	}
	_, err := st.delEntity.ExecContext(ctx, id)
	return err
}

func (st *statements) index(ctx context.Context, id int64, e *catalog.Entity) error {
	for _, kv := range flatten(e) {
		var v any
		if kv.value != nil {
			v = *kv.value
		}
		if _, err := st.search.ExecContext(ctx, id, kv.key, v); err != nil {
			return err
		}
	}
	for _, edge := range catalog.DeriveEdges(e) {
		if _, err := st.relation.ExecContext(ctx, id, edge.Source.String(), edge.Type, edge.Target.String()); err != nil {
			return err
		}
	}
	_, err := st.fts.ExecContext(ctx, id, e.Metadata.Name, e.DisplayName(), e.Metadata.Description, strings.Join(e.Metadata.Tags, " "), strings.ToLower(e.Kind))
	return err
}
