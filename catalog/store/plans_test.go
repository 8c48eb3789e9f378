package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
)

// TestQueryPlans: the catalog API's four hot queries (issue 16) are read
// through indexes, as EXPLAIN QUERY PLAN shows them on a catalog larger
// than smallSet (so the paths taken are those of a large catalog): what the
// README's "Measured" section names.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	var batch []catalog.SourceBatch
	var groups []catalog.Declared
	for g := range 50 {
		groups = append(groups, catalog.Declared{Entity: &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Group",
			Metadata: catalog.Metadata{Name: fmt.Sprintf("team-%d", g)}, Spec: map[string]any{"type": "team", "children": []any{}}}, Location: "file:groups"})
	}
	batch = append(batch, catalog.SourceBatch{Source: "file:groups", Entities: groups})
	var comps []catalog.Declared
	for i := range smallSet + 500 {
		comps = append(comps, catalog.Declared{Entity: &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: catalog.Metadata{Name: fmt.Sprintf("component-%05d", i)},
			Spec:     map[string]any{"type": []string{"service", "website", "library"}[i%3], "lifecycle": "production", "owner": fmt.Sprintf("team-%d", i%50)}}, Location: "file:components"})
	}
	batch = append(batch, catalog.SourceBatch{Source: "file:components", Entities: comps})
	if _, err := st.ReplaceSources(ctx, batch); err != nil {
		t.Fatal(err)
	}

	components := catalog.FieldIn("kind", "component")
	discard := func([]byte) error { return nil }
	tests := []struct {
		name string
		run  func() error
		// want: each read's plan must hold one of these (the index it
		// reads through), and none may sort its rows afterwards.
		want []string
	}{
		{"by-query?filter=kind=component,relations.ownedBy=group:default/team-K&limit=100", func() error {
			where := catalog.Filter{{{Key: "kind", Values: []string{"component"}}, {Key: "relations.ownedBy", Values: []string{"group:default/team-7"}}}}.Predicate()
			_, err := st.QueryPage(ctx, catalog.PageQuery{Where: where, Limit: 100, Count: true, Estimate: -1}, discard)
			return err
		}, []string{"relations_target", "relations_type", "sqlite_autoindex_entities_2", "INTEGER PRIMARY KEY"}},
		{"GET /entities?filter=kind=component", func() error {
			return st.ListEntities(ctx, catalog.ListQuery{Where: components}, func(bool) {}, discard)
		}, []string{"sqlite_autoindex_entities_1", "relations_target"}},
		{"by-query?filter=kind=component&orderField=spec.type,asc&limit=100", func() error {
			_, err := st.QueryPage(ctx, catalog.PageQuery{Where: components, SortField: "spec.type", Limit: 100, Count: true, Estimate: -1}, discard)
			return err
		}, []string{"PRIMARY KEY (key_id=?)", "INTEGER PRIMARY KEY", "entities_kind", "relations_target"}},
		{"by-query?filter=kind=component&orderField=relations.ownedBy,desc&limit=100", func() error {
			_, err := st.QueryPage(ctx, catalog.PageQuery{Where: components, SortField: "relations.ownedby", Desc: true, Limit: 100, Count: true, Estimate: -1}, discard)
			return err
		}, []string{"relations_type", "INTEGER PRIMARY KEY", "entities_kind", "relations_target"}},
		{"entity-facets?facet=kind", func() error {
			_, err := st.Facets(ctx, catalog.All(), []string{"kind"})
			return err
		}, []string{"PRIMARY KEY (key_id=?)"}},
		{"entity-facets?facet=spec.type", func() error {
			_, err := st.Facets(ctx, catalog.All(), []string{"spec.type"})
			return err
		}, []string{"PRIMARY KEY (key_id=?)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type read struct {
				query string
				args  []any
			}
			var reads []read
			planned = func(q string, args []any) { reads = append(reads, read{q, args}) }
			defer func() { planned = func(string, []any) {} }()
			if err := tt.run(); err != nil {
				t.Fatal(err)
			}
			planned = func(string, []any) {}
			if len(reads) == 0 {
				t.Fatal("no read seen")
			}
			for _, r := range reads {
				plan := explain(t, st, r.query, r.args)
				t.Logf("%s\n%s", r.query, plan)
				if !containsAny(plan, tt.want) {
					t.Errorf("plan of %s\n%s\nreads through none of %v", r.query, plan, tt.want)
				}
				// A count reads every match once whatever it does; a page of
				// few matches (at most smallSet: "|| ''" and "+ 0" mark it)
				// reads them through the filter's index and sorts them; the
				// opposite edges of a relation sort (the few a group or a
				// system declares about others) are sorted beside the walk.
				maySort := strings.HasPrefix(r.query, "SELECT count(*)") || strings.Contains(r.query, "(e.uid || '')") || strings.Contains(r.query, "(e.id + 0)") ||
					strings.Contains(r.query, "JOIN entities e ON e.ref = r.target_ref")
				for _, line := range strings.Split(plan, "\n") {
					// A facet groups along the index too (a group of values
					// differing in case only is split apart afterwards).
					if strings.Contains(line, "TEMP B-TREE FOR GROUP BY") && !strings.Contains(r.query, "s.value = ?") && !strings.HasPrefix(r.query, "SELECT p.v") {
						t.Errorf("plan of %s sorts its rows to group them:\n%s", r.query, plan)
					}
					if !maySort && (strings.Contains(line, "TEMP B-TREE FOR ORDER BY") || strings.Contains(line, "TEMP B-TREE FOR LAST TERM")) {
						t.Errorf("plan of %s sorts its rows:\n%s", r.query, plan)
					}
					if l := strings.TrimSpace(line); (strings.HasPrefix(l, "SCAN e") || strings.HasPrefix(l, "SCAN s") || strings.HasPrefix(l, "SCAN search_rows") || strings.HasPrefix(l, "SCAN relations")) && !strings.Contains(l, "INDEX") {
						t.Errorf("plan of %s reads a whole table:\n%s", r.query, plan)
					}
				}
			}
		})
	}
}

func explain(t *testing.T, st *Store, query string, args []any) string {
	t.Helper()
	rows, err := st.db.Query(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explaining %s: %v", query, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  %s\n", detail)
	}
	return b.String()
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
