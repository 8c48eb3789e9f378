package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/sqlite"
)

const mixedFile = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  tags: [java, go]
spec:
  type: Service
  lifecycle: production
  owner: payments
  providesApis: [payments-rest, audit]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  title: Ledger
spec:
  type: service
  lifecycle: experimental
  owner: payments
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  children: []
  members: [bob, alice]
`

func seedMixed(t *testing.T) *Store {
	t.Helper()
	st := openTest(t)
	if _, err := st.ReplaceSource(context.Background(), "file:mixed.yaml", parse(t, "mixed.yaml", mixedFile), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestFacetsFromTheIndex(t *testing.T) {
	st := seedMixed(t)
	got, err := st.Facets(context.Background(), catalog.All(), []string{"spec.type", "Kind", "metadata.tags", "relations.ownedBy", "relations.memberOf", "metadata.etag"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]catalog.FacetCount{
		// Values as written, counted apart, in byte order.
		"spec.type":          {{Value: "Service", Count: 1}, {Value: "service", Count: 1}, {Value: "team", Count: 1}},
		"Kind":               {{Value: "Component", Count: 2}, {Value: "Group", Count: 1}},
		"metadata.tags":      {{Value: "go", Count: 1}, {Value: "java", Count: 1}},
		"relations.ownedBy":  {{Value: "group:default/payments", Count: 2}},
		"relations.memberOf": {}, // bob and alice are not in the catalog
		"metadata.etag":      {}, // as Backstage: not a searchable field
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("facets\n%v\nwant\n%v", got, want)
	}
	filtered, err := st.Facets(context.Background(), catalog.FieldIn("spec.lifecycle", "production"), []string{"spec.type"})
	if err != nil {
		t.Fatal(err)
	}
	if w := []catalog.FacetCount{{Value: "Service", Count: 1}}; !reflect.DeepEqual(filtered["spec.type"], w) {
		t.Errorf("filtered facets %v, want %v", filtered["spec.type"], w)
	}
}

// collect runs a page query and returns the names it wrote and its info.
func collect(t *testing.T, st *Store, q catalog.PageQuery) ([]string, catalog.PageInfo) {
	t.Helper()
	var names []string
	info, err := st.QueryPage(context.Background(), q, func(b []byte) error {
		var e catalog.Entity
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		names = append(names, e.Metadata.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names, info
}

// TestQueryPageKeyset: pages go on from a row, in both directions, the
// same whether the matches are few (sorted by SQLite) or many (walked
// along the index).
func TestQueryPageKeyset(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	var batch []catalog.SourceBatch
	for i := range 60 {
		e := &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: catalog.Metadata{Name: fmt.Sprintf("svc-%02d", i)},
			Spec:     map[string]any{"type": []string{"service", "website", "library"}[i%3], "lifecycle": "production", "owner": "team"}}
		if i%10 == 0 {
			delete(e.Spec, "type")
		}
		src := fmt.Sprintf("file:%d", i)
		batch = append(batch, catalog.SourceBatch{Source: src, Entities: []catalog.Declared{{Entity: e, Location: src}}})
	}
	if _, err := st.ReplaceSources(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, estimate := range []int{-1, 0, smallSet + 1} { // -1: counted; 0: few; past smallSet: many
		t.Run(fmt.Sprintf("estimate %d", estimate), func(t *testing.T) {
			var all []string
			q := catalog.PageQuery{Where: catalog.FieldIn("kind", "component"), SortField: "spec.type", Desc: true, Limit: 7, Count: true, Estimate: estimate}
			var pages []catalog.PageInfo
			for {
				names, info := collect(t, st, q)
				all = append(all, names...)
				pages = append(pages, info)
				if !info.More {
					break
				}
				q.After, q.Count = info.Last, false
			}
			if len(all) != 54 || pages[0].TotalItems != 54 {
				t.Fatalf("%d entities (total %d), want the 54 with spec.type", len(all), pages[0].TotalItems)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(all)))) != 54 {
				t.Errorf("an entity served twice: %v", all)
			}
			// Back from the third page to the second.
			back := catalog.PageQuery{Where: q.Where, SortField: q.SortField, Desc: true, Limit: 7, After: pages[2].First, Backward: true, Estimate: estimate}
			names, info := collect(t, st, back)
			if !reflect.DeepEqual(names, all[7:14]) || !info.More {
				t.Errorf("backward from page 3 gave %v (more %v), want page 2 %v", names, info.More, all[7:14])
			}
		})
	}
}

// TestQueryPageByRelation: sorted by relations.memberOf, a user comes once
// per group, whether the user's spec names the group, the group's members
// name the user, or both; pages go on from a row both ways, in both
// directions.
func TestQueryPageByRelation(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	var decl []catalog.Declared
	want := map[string]bool{} // user → group pairs
	for g := range 3 {
		var members []any
		for u := range 12 {
			if (u+g)%3 == 0 {
				members = append(members, fmt.Sprintf("user-%02d", u)) // declared by the group
				want[fmt.Sprintf("user-%02d group:default/g%d", u, g)] = true
			}
		}
		decl = append(decl, catalog.Declared{Entity: &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Group",
			Metadata: catalog.Metadata{Name: fmt.Sprintf("g%d", g)}, Spec: map[string]any{"type": "team", "children": []any{}, "members": members}}, Location: "file:x"})
	}
	for u := range 12 {
		memberOf := []any{fmt.Sprintf("g%d", u%3)} // and by the user (for u%3 == 0 both)
		want[fmt.Sprintf("user-%02d group:default/g%d", u, u%3)] = true
		decl = append(decl, catalog.Declared{Entity: &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "User",
			Metadata: catalog.Metadata{Name: fmt.Sprintf("user-%02d", u)}, Spec: map[string]any{"memberOf": memberOf}}, Location: "file:x"})
	}
	if _, err := st.ReplaceSource(ctx, "file:x", decl, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, desc := range []bool{false, true} {
		for _, estimate := range []int{0, smallSet + 1} {
			t.Run(fmt.Sprintf("desc %v estimate %d", desc, estimate), func(t *testing.T) {
				q := catalog.PageQuery{Where: catalog.FieldIn("kind", "user"), SortField: "relations.memberof", Desc: desc, Limit: 5, Count: true, Estimate: estimate}
				var got []string
				var values []string
				var pages []catalog.PageInfo
				for range 20 {
					names, info := collect(t, st, q)
					pages = append(pages, info)
					if len(names) > 0 {
						got = append(got, names...)
					}
					// The sort values of the page's rows are not returned one
					// by one; the first and last are.
					if info.First != nil {
						values = append(values, *info.First[0], *info.Last[0])
					}
					if !info.More {
						break
					}
					q.After, q.Count = info.Last, false
				}
				if len(got) != len(want) || pages[0].TotalItems != 12 {
					t.Fatalf("%d rows (total %d), want %d rows (one per user and group) of 12 users: %v", len(got), pages[0].TotalItems, len(want), got)
				}
				sorted := slices.IsSorted(values)
				if desc {
					sorted = slices.IsSortedFunc(values, func(a, b string) int { return strings.Compare(b, a) })
				}
				if !sorted {
					t.Errorf("pages' sort values out of order: %v", values)
				}
				back := catalog.PageQuery{Where: q.Where, SortField: q.SortField, Desc: desc, Limit: 5, After: pages[2].First, Backward: true, Estimate: estimate}
				names, _ := collect(t, st, back)
				if !reflect.DeepEqual(names, got[5:10]) {
					t.Errorf("backward from page 3 gave %v, want page 2 %v", names, got[5:10])
				}
			})
		}
	}
}

// TestListEntitiesOrder: GET /entities pages sort entities that lack the
// field after those that have it, by uid.
func TestListEntitiesOrder(t *testing.T) {
	st := seedMixed(t)
	var names []string
	err := st.ListEntities(context.Background(), catalog.ListQuery{Where: catalog.All(), Order: []catalog.Order{{Field: "metadata.title"}}}, func(bool) {}, func(b []byte) error {
		var e catalog.Entity
		json.Unmarshal(b, &e)
		names = append(names, e.Metadata.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 3 || names[0] != "ledger" {
		t.Errorf("order %v, want ledger (the one with a title) first", names)
	}
}

// TestMigration0011ReencodesEntities: a catalog written before 0011 has
// bodies without a namespace, unsorted relation lists, no list-item rows
// and no original values; the migration re-encodes every entity.
func TestMigration0011ReencodesEntities(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "callboard.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReplaceSource(ctx, "file:mixed.yaml", parse(t, "mixed.yaml", mixedFile), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	// Make it what the previous version wrote.
	for _, q := range []string{
		`DELETE FROM schema_migrations WHERE name = '0011_catalog_api.sql'`,
		`DROP INDEX relations_type`,
		`UPDATE entities SET body = json_remove(body, '$.metadata.namespace')`,
		`UPDATE entities SET body = json_replace(body, '$.spec.providesApis', json('["payments-rest","audit"]')) WHERE name = 'payments-api'`,
		`DELETE FROM search_rows WHERE key_id IN (SELECT id FROM search_keys WHERE key LIKE '%.java' OR key LIKE '%.go')`,
		`ALTER TABLE search_rows DROP COLUMN original`,
		`ALTER TABLE entities DROP COLUMN own_relations`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st.Close()
	db.Close()

	st = openFile(t, path)
	b, err := st.EntityJSON(ctx, catalog.MustParseRef("component:default/payments-api"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"namespace":"default"`) || !strings.Contains(string(b), `"providesApis":["audit","payments-rest"]`) {
		t.Errorf("after the migration: %s, want the namespace written and providesApis sorted", b)
	}
	facets, err := st.Facets(ctx, catalog.All(), []string{"spec.type"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []catalog.FacetCount{{Value: "Service", Count: 1}, {Value: "service", Count: 1}, {Value: "team", Count: 1}}; !reflect.DeepEqual(facets["spec.type"], want) {
		t.Errorf("facets after the migration %v, want %v", facets["spec.type"], want)
	}
	page, err := st.Query(ctx, catalog.Query{Filter: catalog.Filter{{{Key: "metadata.tags.java"}}}})
	if err != nil || page.TotalItems != 1 {
		t.Errorf("metadata.tags.java matches %d entities (%v), want 1", page.TotalItems, err)
	}
}
