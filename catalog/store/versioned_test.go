package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
)

// componentsFile declares n components owned by team-a, of type service.
func componentsFile(from, n int) string {
	var docs []string
	for i := from; i < from+n; i++ {
		docs = append(docs, fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: c-%d}\nspec: {type: service, lifecycle: production, owner: team-a}\n", i))
	}
	return strings.Join(docs, "---\n")
}

// firstPage counts the components sorted by spec.type and returns the
// count, and how many count queries the store ran for it.
func firstPage(t *testing.T, st *Store) (total, counted int) {
	t.Helper()
	planned = func(q string, _ []any) {
		if strings.HasPrefix(q, "SELECT count(*) FROM entities e WHERE") {
			counted++
		}
	}
	defer func() { planned = func(string, []any) {} }()
	info, err := st.QueryPage(context.Background(), catalog.PageQuery{Where: catalog.FieldIn("kind", "component"), SortField: "spec.type", Limit: 2, Count: true, Estimate: -1}, func([]byte) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return info.TotalItems, counted
}

func serviceFacet(t *testing.T, st *Store) int {
	t.Helper()
	got, err := st.Facets(context.Background(), catalog.FieldIn("kind", "component"), []string{"spec.type"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got["spec.type"] {
		if c.Value == "service" {
			return c.Count
		}
	}
	return 0
}

// A first page's count and a facet are computed once per version of the
// catalog, and again after any change: this process's, or another's
// writing the same file (the CLI importing while serve runs).
func TestCountsKeptUntilTheCatalogChanges(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "callboard.db")
	st := openFile(t, path)
	other := openFile(t, path) // another process's store over the same file
	if _, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", componentsFile(0, 5)), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	if total, counted := firstPage(t, st); total != 5 || counted != 1 {
		t.Fatalf("first page: totalItems %d after %d count queries, want 5 after 1", total, counted)
	}
	if total, counted := firstPage(t, st); total != 5 || counted != 0 {
		t.Fatalf("again, catalog unchanged: totalItems %d after %d count queries, want 5 after 0", total, counted)
	}
	if n := serviceFacet(t, st); n != 5 {
		t.Fatalf("facet spec.type=service counts %d, want 5", n)
	}

	// This process adds three.
	if _, err := st.ReplaceSource(ctx, "file:b.yaml", parse(t, "b.yaml", componentsFile(5, 3)), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	if total, counted := firstPage(t, st); total != 8 || counted != 1 {
		t.Fatalf("after adding 3: totalItems %d after %d count queries, want 8 after 1", total, counted)
	}
	if n := serviceFacet(t, st); n != 8 {
		t.Fatalf("after adding 3, facet spec.type=service counts %d, want 8", n)
	}

	// Another process removes a file and changes a type.
	if _, err := other.RemoveSources(ctx, []string{"file:b.yaml"}); err != nil {
		t.Fatal(err)
	}
	if total, _ := firstPage(t, st); total != 5 {
		t.Fatalf("after another process removed 3: totalItems %d, want 5", total)
	}
	if n := serviceFacet(t, st); n != 5 {
		t.Fatalf("after another process removed 3, facet spec.type=service counts %d, want 5", n)
	}
	changed := strings.Replace(componentsFile(0, 5), "c-0}\nspec: {type: service", "c-0}\nspec: {type: website", 1)
	if _, err := other.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", changed), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := serviceFacet(t, st); n != 4 {
		t.Fatalf("after another process changed a type, facet spec.type=service counts %d, want 4", n)
	}
}

// What is kept is bounded: a newer version empties it, a full one starts
// again (by entries or by weight), an older version's answer is not kept
// over a newer one's, and an overlong key or a heavy answer is not kept.
func TestVersionedBounds(t *testing.T) {
	var c versioned[int]
	c.put(3, "a", 1, 1)
	if v, ok := c.get(3, "a"); !ok || v != 1 {
		t.Fatalf("get(3, a) = %d, %v", v, ok)
	}
	if _, ok := c.get(4, "a"); ok {
		t.Fatal("an answer of version 3 served at version 4")
	}
	c.put(4, "b", 2, 1)
	c.put(3, "a", 1, 1)
	if _, ok := c.get(3, "a"); ok {
		t.Fatal("version 3 kept after version 4")
	}
	for i := 0; i < versionedEntries+10; i++ {
		c.put(4, fmt.Sprint(i), i, 1)
	}
	if len(c.m) > versionedEntries {
		t.Fatalf("%d entries kept, at most %d", len(c.m), versionedEntries)
	}
	for i := 0; i < 2*versionedWeight/versionedWeightMax; i++ {
		c.put(4, fmt.Sprint("heavy", i), i, versionedWeightMax)
		if c.weight > versionedWeight {
			t.Fatalf("weight %d kept, at most %d", c.weight, versionedWeight)
		}
	}
	c.put(4, "heaviest", 1, versionedWeightMax+1)
	if _, ok := c.get(4, "heaviest"); ok {
		t.Fatal("an answer heavier than the bound was kept")
	}
	c.put(4, strings.Repeat("k", versionedKeyMax+1), 1, 1)
	if _, ok := c.get(4, strings.Repeat("k", versionedKeyMax+1)); ok {
		t.Fatal("an overlong key was kept")
	}
}

// Two filters whose values, run together, read alike (a NUL in a value)
// are kept apart: each first page counts its own matches.
func TestCountsKeptApartWhateverTheValues(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if _, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", componentsFile(0, 2)), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	count := func(names ...string) int {
		info, err := st.QueryPage(ctx, catalog.PageQuery{Where: catalog.FieldIn("metadata.name", names...), SortField: "spec.type", Limit: 1, Count: true, Estimate: -1}, func([]byte) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return info.TotalItems
	}
	if n := count("x\x00string:y", "c-1"); n != 1 {
		t.Fatalf("names x\\0string:y, c-1: totalItems %d, want 1", n)
	}
	if n := count("x", "y\x00string:c-1"); n != 0 {
		t.Fatalf("names x, y\\0string:c-1: totalItems %d, want 0 (the other filter's count served)", n)
	}
	if queryKey(nil, "a", "b") == queryKey(nil, "a\"\"b") {
		t.Fatal("two parts and one part read alike")
	}
}

// Sorting by a field every entity has counts the filter alone: that holds
// only if every stored entity has an indexed value of each such field, a
// namespace the file left out and a 63-character name included.
func TestEveryEntityHasItsIdentity(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	long := strings.Repeat("n", 63)
	file := componentsFile(0, 3) + "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: " + long + ", namespace: " + long + "}\nspec: {type: team, children: []}\n" +
		"---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: where}\nspec: {targets: [./a.yaml]}\n"
	if _, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", file), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	for key := range everyEntityHas {
		if key == "metadata.uid" {
			continue // a column of its own
		}
		var missing int
		err := st.readTx(ctx, func(tx queryer) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM entities e WHERE e.id NOT IN (SELECT s.entity_id FROM search_rows s WHERE s.key_id = `+keyID+` AND s.value <> '')`, key).Scan(&missing)
		})
		if err != nil || missing != 0 {
			t.Errorf("%d entities without an indexed %s (%v)", missing, key, err)
		}
	}
	for _, key := range []string{"kind", "metadata.name", "metadata.namespace", "spec.type"} {
		info, err := st.QueryPage(ctx, catalog.PageQuery{Where: catalog.All(), SortField: key, Limit: 10, Count: true, Estimate: -1}, func([]byte) error { return nil })
		want := 5
		if key == "spec.type" {
			want = 4 // the Location has none
		}
		if err != nil || info.TotalItems != want {
			t.Errorf("sorted by %s: totalItems %d (%v), want %d", key, info.TotalItems, err, want)
		}
	}
}
