package store_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/internal/testcatalog"
)

// EntityJSON splices the identity and relations into the stored body; its
// bytes must be exactly those of encoding what Entity returns, for every
// shape of entity: the demo organisation and all of Backstage's examples
// (extra metadata fields, labels, links, inline definitions, templates).
func TestEntityJSONIsTheEncodedEntity(t *testing.T) {
	ctx := context.Background()
	st := testcatalog.Open(t)
	if _, err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	examples := filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "catalog-model", "examples")
	rep, err := catalog.ImportDir(ctx, st, examples)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added < 50 {
		t.Fatalf("imported %d examples, want them all: %+v", rep.Added, rep.Problems)
	}
	page, err := st.Query(ctx, catalog.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	withRelations := 0
	for _, listed := range page.Entities {
		ref := listed.Ref()
		e, err := st.Entity(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Relations) == 0 {
			// The API always writes relations, as Backstage does.
			want = append(want[:len(want)-1], `,"relations":[]}`...)
		}
		// Asked for as people type it: the case of a ref does not matter.
		asked := catalog.Ref{Kind: e.Kind, Namespace: e.Metadata.Namespace, Name: e.Metadata.Name}
		if asked.Namespace == "" {
			asked.Namespace = catalog.DefaultNamespace
		}
		got, err := st.EntityJSON(ctx, asked)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\nEntityJSON %s\nMarshal    %s", ref, got, want)
		}
		if len(e.Relations) > 0 {
			withRelations++
		}
	}
	if len(page.Entities) < 60 || withRelations < 30 {
		t.Errorf("compared %d entities, %d with relations; want the whole catalog", len(page.Entities), withRelations)
	}
	if _, err := st.EntityJSON(ctx, catalog.MustParseRef("component:default/nope")); err == nil {
		t.Error("EntityJSON of a missing entity: no error")
	}
}
