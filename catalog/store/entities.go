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
	have, err := st.existing(ctx, source)
	if err != nil {
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
		if err := st.write(ctx, source, &d, old, ok, now, &res); err != nil {
			return res, err
		}
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

// existing reads what source declares now, by ref.
func (st *statements) existing(ctx context.Context, source string) (map[string]existing, error) {
	have := map[string]existing{}
	rows, err := st.bySource.QueryContext(ctx, source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e existing
		var ref string
		if err := rows.Scan(&e.id, &ref, &e.uid, &e.etag, &e.location, &e.search, &e.line); err != nil {
			return nil, err
		}
		e.source = source
		have[ref] = e
	}
	return have, rows.Err()
}

// write updates a changed entity (old, when ok) or inserts a new one,
// and indexes it; an entity another source declares is a conflict.
func (st *statements) write(ctx context.Context, source string, d *encoded, old existing, ok bool, now int64, res *catalog.ReplaceResult) error {
	ref := d.ref
	var id int64
	searchRows, searchList, err := st.searchRows(ctx, d)
	if err != nil {
		return err
	}
	if ok {
		id = old.id
		if _, err := st.update.ExecContext(ctx, d.etag, d.location, d.body, searchList, now, d.line, d.ownEdges, id); err != nil {
			return err
		}
		if err := st.clear(ctx, id, old.search); err != nil {
			return err
		}
		res.Updated = append(res.Updated, ref)
	} else {
		// The insert does nothing when another source declares ref:
		// one statement instead of a look-up and an insert.
		uid := uuid.NewString()
		err := st.insert.QueryRowContext(ctx, ref, d.kind, d.namespace, d.name, uid, d.etag, source, d.location, d.body, searchList, now, now, d.line, d.ownEdges).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			var location, other string
			if err := st.byRef.QueryRowContext(ctx, ref).Scan(&location, &other); err != nil {
				return fmt.Errorf("reading who declares %s: %w", ref, err)
			}
			res.Conflicts = append(res.Conflicts, catalog.Problem{File: d.location, Entity: ref, DeclaredBy: other,
				Message: fmt.Sprintf("%s is already declared by %s; to declare it here, remove that first with: callboard unregister %s",
					ref, strings.TrimPrefix(location, "url:"), unregisterTarget(ctx, st.tx, other))})
			return nil
		}
		if err != nil {
			return err
		}
		res.Added = append(res.Added, ref)
	}
	st.index(id, searchRows, d)
	return nil
}
