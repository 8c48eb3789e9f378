package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/callboard/callboard/catalog"
)

// EntityJSON returns the entity with ref as the catalog API serves it (the
// bytes json.Marshal gives for what Entity returns), or catalog.ErrNotFound.
// The stored body is written out as it is, with the identity and relations
// spliced in, rather than decoded and encoded again: a by-name request then
// costs a third of the time.
func (s *Store) EntityJSON(ctx context.Context, ref catalog.Ref) ([]byte, error) {
	uid, etag, body, err := s.stored(ctx, ref)
	if err != nil {
		return nil, err
	}
	// attachRelations reads an entity's relations by its ref alone.
	rel := &catalog.Entity{Kind: ref.Kind, Metadata: catalog.Metadata{Name: ref.Name, Namespace: ref.Namespace}}
	if err := s.attachRelations(ctx, []*catalog.Entity{rel}); err != nil {
		return nil, err
	}
	rels, err := json.Marshal(rel.Relations)
	if err != nil {
		return nil, err
	}
	out, ok := spliceEntity(body, uid, etag, rels)
	if !ok {
		// Not the shape encode writes: take the long way.
		e, err := decode(uid, etag, body)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", ref, err)
		}
		return marshalEntity(e, rel.Relations)
	}
	return out, nil
}

// marshalEntity encodes e as the catalog API serves it, with rels as its
// relations.
func marshalEntity(e *catalog.Entity, rels []catalog.Relation) ([]byte, error) {
	c := *e
	c.Metadata.UID, c.Metadata.Etag, c.Relations = "", "", nil
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	if rels == nil {
		rels = []catalog.Relation{}
	}
	r, err := json.Marshal(rels)
	if err != nil {
		return nil, err
	}
	out, ok := spliceEntity(b, e.Metadata.UID, e.Metadata.Etag, r)
	if !ok {
		return nil, fmt.Errorf("encoding %s: unexpected shape", e.Ref())
	}
	return out, nil
}

var metadataKey = []byte(`,"metadata":{`)

// spliceEntity writes a stored body (an entity as encode wrote it: no uid,
// etag or relations) with its uid and etag first in metadata and its
// relations last ([] when it has none, as Backstage always writes them),
// as json.Marshal writes a catalog.Entity (whose Metadata writes its
// identity first). ok is false for a body of another shape.
func spliceEntity(body []byte, uid, etag string, rels []byte) ([]byte, bool) {
	// apiVersion and kind come first and cannot hold a quote unescaped, so
	// the first `,"metadata":{` is the key itself.
	i := bytes.Index(body, metadataKey)
	if i < 0 || len(body) < 2 || body[len(body)-1] != '}' {
		return nil, false
	}
	i += len(metadataKey) - 1 // at the metadata object's '{'
	// The identity as Metadata writes it, first: {"uid":…,"etag":…}.
	id, err := json.Marshal(catalog.Metadata{UID: uid, Etag: etag})
	if err != nil {
		return nil, false
	}
	rest := body[i+1 : len(body)-1] // the stored metadata's fields, and the entity's after it
	out := make([]byte, 0, len(body)+96+len(rels))
	out = append(out, body[:i]...)
	out = append(out, id[:len(id)-1]...)
	if len(id) > 2 && len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	out = append(out, rest...)
	out = append(out, `,"relations":`...)
	if len(rels) == 0 || string(rels) == "null" {
		out = append(out, "[]"...)
	} else {
		out = append(out, rels...)
	}
	return append(out, '}'), true
}
