package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
)

// Entity returns the entity with ref, with its relations, or catalog.ErrNotFound.
func (s *Store) Entity(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error) {
	e, err := s.EntityWithoutRelations(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := s.attachRelations(ctx, []*catalog.Entity{e}); err != nil {
		return nil, err
	}
	return e, nil
}

// EntityWithoutRelations returns the entity with ref, leaving Relations
// empty, or catalog.ErrNotFound.
func (s *Store) EntityWithoutRelations(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error) {
	uid, etag, body, err := s.stored(ctx, ref)
	if err != nil {
		return nil, err
	}
	e, err := decode(uid, etag, body)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	return e, nil
}

// stored reads the row of the entity with ref, or catalog.ErrNotFound.
func (s *Store) stored(ctx context.Context, ref catalog.Ref) (uid, etag string, body []byte, err error) {
	err = s.byRef.QueryRowContext(ctx, ref.String()).Scan(&uid, &etag, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil, fmt.Errorf("%w: %s", catalog.ErrNotFound, ref)
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	return uid, etag, body, nil
}

// EntityLocation returns the file that declared the entity and the source that ingested it.
func (s *Store) EntityLocation(ctx context.Context, ref catalog.Ref) (location, source string, err error) {
	err = s.db.QueryRow(ctx, `SELECT location, source FROM entities WHERE ref = ?`, ref.String()).Scan(&location, &source)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("%w: %s", catalog.ErrNotFound, ref)
	}
	return location, source, err
}

// EntitiesByName returns every entity named name (any kind, any namespace).
func (s *Store) EntitiesByName(ctx context.Context, name string) ([]*catalog.Entity, error) {
	return s.list(ctx, `SELECT uid, etag, body FROM entities WHERE name = ? ORDER BY ref`, strings.ToLower(name))
}

// EntitiesByRefs returns the entities for refs, in the same order, nil where
// an entity does not exist.
func (s *Store) EntitiesByRefs(ctx context.Context, refs []string) ([]*catalog.Entity, error) {
	out := make([]*catalog.Entity, len(refs))
	found := make([]*catalog.Entity, 0, len(refs))
	for i, r := range refs {
		ref, err := catalog.ParseRef(r, catalog.RefDefaults{})
		if err != nil {
			continue
		}
		e, err := s.EntityWithoutRelations(ctx, ref)
		if errors.Is(err, catalog.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = e
		found = append(found, e)
	}
	return out, s.attachRelations(ctx, found)
}

// EntitiesWithAnnotation returns the entities whose annotation key has value
// (case-insensitive), e.g. every entity of repository org/repo.
func (s *Store) EntitiesWithAnnotation(ctx context.Context, key, value string) ([]*catalog.Entity, error) {
	return s.list(ctx, `SELECT e.uid, e.etag, e.body FROM entities e WHERE e.id IN (SELECT entity_id FROM search WHERE key = ? AND value = ?) ORDER BY e.ref`,
		"metadata.annotations."+strings.ToLower(key), strings.ToLower(value))
}

// EntitiesOfSource returns every entity a source declared.
func (s *Store) EntitiesOfSource(ctx context.Context, source string) ([]*catalog.Entity, error) {
	return s.list(ctx, `SELECT uid, etag, body FROM entities WHERE source = ? ORDER BY ref`, source)
}

// RelatedRefs returns the targets of ref's relations of type relType, in
// either direction (ownerOf is read from the entities that are ownedBy ref).
func (s *Store) RelatedRefs(ctx context.Context, ref catalog.Ref, relType string) ([]string, error) {
	rows, err := s.db.Query(ctx, `
		SELECT r.target_ref FROM relations r JOIN entities e ON e.id = r.entity_id WHERE e.ref = ? AND r.type = ?
		UNION
		SELECT e.ref FROM relations r JOIN entities e ON e.id = r.entity_id WHERE r.target_ref = ? AND r.type = ?
		ORDER BY 1`, ref.String(), relType, ref.String(), catalog.InverseRelation(relType))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// NameEntry is a name something can be asked by, for "did you mean".
type NameEntry = catalog.NameEntry

// namesTTL bounds how stale the names for suggestions may be when another
// process (the CLI) wrote; this process's own writes clear the cache at once.
const namesTTL = 10 * time.Second

// Names returns every entity's and repository's name, for close-match
// suggestions. The list is cached: a miss in Slack should not read the
// whole catalog each time.
func (s *Store) Names(ctx context.Context) ([]catalog.NameEntry, error) {
	s.names.mu.Lock()
	if s.names.list != nil && s.names.gen == s.gen.Load() && time.Since(s.names.at) < namesTTL {
		list := s.names.list
		s.names.mu.Unlock()
		return list, nil
	}
	s.names.mu.Unlock()
	gen := s.gen.Load()
	list, err := s.readNames(ctx)
	if err != nil {
		return nil, err
	}
	s.names.mu.Lock()
	s.names.list, s.names.gen, s.names.at = list, gen, time.Now()
	s.names.mu.Unlock()
	return list, nil
}

func (s *Store) readNames(ctx context.Context) ([]catalog.NameEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT name, ref FROM entities UNION ALL SELECT lower(full_name), 'repo:' || lower(full_name) FROM repositories`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []catalog.NameEntry
	for rows.Next() {
		var n catalog.NameEntry
		if err := rows.Scan(&n.Name, &n.Ref); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Count returns how many entities the catalog holds.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM entities`).Scan(&n)
	return n, err
}

func (s *Store) list(ctx context.Context, q string, args ...any) ([]*catalog.Entity, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []*catalog.Entity
	for rows.Next() {
		var uid, etag string
		var body []byte
		if err := rows.Scan(&uid, &etag, &body); err != nil {
			rows.Close()
			return nil, err
		}
		e, err := decode(uid, etag, body)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func decode(uid, etag string, body []byte) (*catalog.Entity, error) {
	var e catalog.Entity
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("decoding stored entity: %w", err)
	}
	e.Metadata.UID, e.Metadata.Etag = uid, etag
	return &e, nil
}

// attachRelations fills each entity's relations, in batches: the edges its
// own spec declares, and the opposite of the edges other entities declare to it.
func (s *Store) attachRelations(ctx context.Context, es []*catalog.Entity) error {
	const batch = 400
	byRef := make(map[string]*catalog.Entity, len(es))
	for _, e := range es {
		e.Relations = []catalog.Relation{}
		byRef[e.Ref().String()] = e
	}
	refs := make([]any, 0, len(byRef))
	for r := range byRef {
		refs = append(refs, r)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].(string) < refs[j].(string) })
	for i := 0; i < len(refs); i += batch {
		chunk := refs[i:min(i+batch, len(refs))]
		var rows *sql.Rows
		var err error
		if len(chunk) == 1 {
			rows, err = s.relsOfRef.QueryContext(ctx, chunk[0])
		} else {
			in := `(?` + strings.Repeat(",?", len(chunk)-1) + `)`
			q := `SELECT e.ref, r.type, r.target_ref, 0 FROM relations r JOIN entities e ON e.id = r.entity_id WHERE e.ref IN ` + in + `
			UNION
			SELECT r.target_ref, r.type, e.ref, 1 FROM relations r JOIN entities e ON e.id = r.entity_id WHERE r.target_ref IN ` + in
			rows, err = s.db.Query(ctx, q, append(append([]any{}, chunk...), chunk...)...)
		}
		if err != nil {
			return fmt.Errorf("reading relations: %w", err)
		}
		for rows.Next() {
			var src, typ, target string
			var inv bool
			if err := rows.Scan(&src, &typ, &target, &inv); err != nil {
				rows.Close()
				return err
			}
			if inv {
				typ = catalog.InverseRelation(typ)
			}
			if e := byRef[src]; e != nil && typ != "" {
				e.Relations = append(e.Relations, catalog.Relation{Type: typ, TargetRef: target})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, e := range es {
		sort.Slice(e.Relations, func(i, j int) bool {
			if e.Relations[i].Type != e.Relations[j].Type {
				return e.Relations[i].Type < e.Relations[j].Type
			}
			return e.Relations[i].TargetRef < e.Relations[j].TargetRef
		})
		e.Relations = slices.Compact(e.Relations)
	}
	return nil
}
