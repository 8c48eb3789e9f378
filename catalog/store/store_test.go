package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/sqlite"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	st := openFile(t, filepath.Join(t.TempDir(), "callboard.db"))
	st.Now = func() time.Time { return time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC) }
	return st
}

// openFile opens the database at path and the catalog store over it, both
// closed when the test ends.
func openFile(t *testing.T, path string) *Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(context.Background(), db)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		db.Close()
	})
	return st
}

func parse(t *testing.T, name, yaml string) []catalog.Declared {
	t.Helper()
	ps, problems := catalog.ParseFile(name, []byte(yaml), nil)
	if len(problems) > 0 {
		t.Fatalf("parsing %s: %v", name, problems)
	}
	var out []catalog.Declared
	for _, p := range ps {
		out = append(out, catalog.Declared{Entity: p.Entity, Location: "file:" + name})
	}
	return out
}

const fileV1 = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-api, tags: [go]}
spec: {type: service, lifecycle: production, owner: payments, providesApis: [payments-rest]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-rest}
spec: {type: openapi, lifecycle: production, owner: payments, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
`

// v2 drops the API, renames the component and moves ownership.
const fileV2 = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-service, tags: [go]}
spec: {type: service, lifecycle: production, owner: search}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
`

func TestReplaceSourceFollowsTheFile(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	res, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", fileV1), catalog.ReplaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Added); got != 3 {
		t.Fatalf("added %d entities, want 3: %+v", got, res)
	}
	g, err := st.Entity(ctx, catalog.MustParseRef("group:default/payments"))
	if err != nil {
		t.Fatal(err)
	}
	uid := g.Metadata.UID
	if !slices.Contains(g.Relations, catalog.Relation{Type: "ownerOf", TargetRef: "component:default/payments-api"}) {
		t.Errorf("group relations %v lack ownerOf payments-api", g.Relations)
	}

	// Same file again: nothing written.
	res, err = st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", fileV1), catalog.ReplaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() || len(res.Unchanged) != 3 {
		t.Errorf("re-import of an unchanged file: %+v, want 3 unchanged", res)
	}

	res, err = st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", fileV2), catalog.ReplaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"api:default/payments-rest", "component:default/payments-api"}; !slices.Equal(res.Removed, want) {
		t.Errorf("removed %v, want %v", res.Removed, want)
	}
	if want := []string{"component:default/payments-service"}; !slices.Equal(res.Added, want) {
		t.Errorf("added %v, want %v", res.Added, want)
	}
	for _, gone := range []string{"component:default/payments-api", "api:default/payments-rest"} {
		if _, err := st.Entity(ctx, catalog.MustParseRef(gone)); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("%s after removal: err %v, want ErrNotFound", gone, err)
		}
	}
	g, err = st.Entity(ctx, catalog.MustParseRef("group:default/payments"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Metadata.UID != uid {
		t.Errorf("group uid changed from %s to %s on re-import", uid, g.Metadata.UID)
	}
	if len(g.Relations) != 0 {
		t.Errorf("group still has relations %v after its component moved to search", g.Relations)
	}
	c, err := st.Entity(ctx, catalog.MustParseRef("component:payments-service"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []catalog.Relation{{Type: "ownedBy", TargetRef: "group:default/search"}}; !slices.Equal(c.Relations, want) {
		t.Errorf("relations %v, want %v", c.Relations, want)
	}
}

func TestReplaceSourceRefusesAnotherSourcesEntity(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if _, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", fileV1), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := st.ReplaceSource(ctx, "file:b.yaml", parse(t, "b.yaml", fileV2), catalog.ReplaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Conflicts) != 1 || res.Conflicts[0].Entity != "group:default/payments" {
		t.Fatalf("conflicts %+v, want one for group:default/payments", res.Conflicts)
	}
	loc, _, err := st.EntityLocation(ctx, catalog.MustParseRef("group:payments"))
	if err != nil || loc != "file:a.yaml" {
		t.Errorf("group location %q (%v), want file:a.yaml kept", loc, err)
	}
}

func TestQueryFilters(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if _, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", fileV1), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		filter catalog.Filter
		want   []string
	}{
		{"all", nil, []string{"api:default/payments-rest", "component:default/payments-api", "group:default/payments"}},
		{"kind, any case", catalog.Filter{{{Key: "KIND", Values: []string{"component"}}}}, []string{"component:default/payments-api"}},
		{"any of", catalog.Filter{{{Key: "kind", Values: []string{"API", "Group"}}}}, []string{"api:default/payments-rest", "group:default/payments"}},
		{"and", catalog.Filter{{{Key: "kind", Values: []string{"component"}}, {Key: "spec.type", Values: []string{"website"}}}}, nil},
		{"or", catalog.Filter{{{Key: "kind", Values: []string{"group"}}}, {{Key: "metadata.tags", Values: []string{"go"}}}}, []string{"component:default/payments-api", "group:default/payments"}},
		{"exists", catalog.Filter{{{Key: "spec.definition"}}}, []string{"api:default/payments-rest"}},
		{"relation", catalog.Filter{{{Key: "relations.ownedBy", Values: []string{"group:default/payments"}}}}, []string{"api:default/payments-rest", "component:default/payments-api"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := st.Query(ctx, catalog.Query{Filter: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range page.Entities {
				got = append(got, e.Ref().String())
			}
			if !slices.Equal(got, tt.want) || page.TotalItems != len(tt.want) {
				t.Errorf("got %v (total %d), want %v", got, page.TotalItems, tt.want)
			}
		})
	}
}

func TestRepositoryRenameKeepsRow(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	r := &catalog.Repository{GitHubID: 42, FullName: "acme/old", DefaultBranch: "main"}
	if _, err := st.SyncRepository(ctx, r, nil, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	r.FullName = "acme/new"
	if err := st.PutRepository(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Repository(ctx, "acme/old"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("old name still found (err %v)", err)
	}
	got, err := st.Repository(ctx, "ACME/New")
	if err != nil {
		t.Fatal(err)
	}
	if got.GitHubID != 42 || got.CatalogStatus != catalog.StatusMissing {
		t.Errorf("got %+v", got)
	}
}

// Full-text rows are written when the transaction ends; a source replaced
// twice in one transaction must still leave exactly the last version
// searchable.
func TestReplaceSourcesTwiceInOneTransactionKeepsSearchExact(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	v1 := `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger, description: counts zebras}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: doomed, description: soon gone}
spec: {type: service, lifecycle: production, owner: payments}
`
	v2 := `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger, description: counts giraffes}
spec: {type: service, lifecycle: production, owner: payments}
`
	_, err := st.ReplaceSources(ctx, []catalog.SourceBatch{
		{Source: "file:a.yaml", Entities: parse(t, "a.yaml", v1)},
		{Source: "file:a.yaml", Entities: parse(t, "a.yaml", v2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string][]string{
		"giraffes": {"component:default/ledger"},
		"zebras":   nil,
		"doomed":   nil,
		"ledger":   {"component:default/ledger"},
	} {
		es, err := st.Search(ctx, text, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Ref().String())
		}
		if !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", text, got, want)
		}
	}
	var rows int
	if err := st.db.QueryRow(ctx, `SELECT count(*) FROM entities_fts`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("entities_fts holds %d rows, want 1", rows)
	}
}

func TestSpliceEntityShapes(t *testing.T) {
	rels := []byte(`[{"type":"ownedBy","targetRef":"group:default/a"}]`)
	tests := []struct {
		body, want string
		ok         bool
	}{
		{`{"apiVersion":"v","kind":"K","metadata":{"name":"n"}}`, `{"apiVersion":"v","kind":"K","metadata":{"uid":"u","etag":"e","name":"n"},"relations":[{"type":"ownedBy","targetRef":"group:default/a"}]}`, true},
		{`{"apiVersion":"v","kind":"K","metadata":{},"spec":{"a":1}}`, `{"apiVersion":"v","kind":"K","metadata":{"uid":"u","etag":"e"},"spec":{"a":1},"relations":[{"type":"ownedBy","targetRef":"group:default/a"}]}`, true},
		{`{"kind":"K"}`, "", false},
		{`[]`, "", false},
		{``, "", false},
	}
	for _, tt := range tests {
		got, ok := spliceEntity([]byte(tt.body), "u", "e", rels)
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("spliceEntity(%s) = %s, %v; want %s, %v", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}

// Every field Backstage can order by sorts, the ones kept as columns too.
func TestQueryOrdersByColumnFields(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if _, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", fileV1), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	refs := func(field string, desc bool) []string {
		page, err := st.Query(ctx, catalog.Query{Order: []catalog.Order{{Field: field, Desc: desc}}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range page.Entities {
			out = append(out, e.Ref().String())
		}
		return out
	}
	for _, field := range []string{"metadata.uid", "metadata.name", "kind", "spec.type"} {
		asc, desc := refs(field, false), refs(field, true)
		desc = slices.Clone(desc)
		slices.Reverse(desc)
		if len(asc) < 2 || !slices.Equal(asc, desc) {
			t.Errorf("order by %s: ascending %v, descending reversed %v", field, asc, desc)
		}
	}
}
