package store

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/migrations"
)

// openAt makes a database with the migrations before 0008 applied, as a
// release before issue 13 left it, runs setup on it, then opens it as a store.
func openAt(t *testing.T, setup ...string) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "callboard.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`)
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if name >= "0008" {
			break
		}
		body, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations VALUES (?, 1)`, name)
	}
	for _, q := range setup {
		exec(q)
	}
	db.Close()
	return openFile(t, path)
}

// oldSample is the sample organisation as serve --demo stored it before it
// had sources of its own: acme's teams, and four repositories of ids 900001-900004.
var oldSample = []string{
	`INSERT INTO repositories (github_id, full_name, name, source, updated_at) VALUES
		(900001, 'acme/payments-api', 'payments-api', 'repo:900001', 1),
		(900002, 'acme/search-service', 'search-service', 'repo:900002', 1),
		(900003, 'acme/checkout-web', 'checkout-web', 'repo:900003', 1),
		(900004, 'acme/legacy-billing', 'legacy-billing', 'repo:900004', 1)`,
	`INSERT INTO entities (ref, kind, namespace, name, uid, etag, source, location, body, created_at, updated_at) VALUES
		('group:default/payments', 'group', 'default', 'payments', 'u1', 'e1', 'github-org:acme', 'url:x', '{}', 1, 1),
		('component:default/payments-api', 'component', 'default', 'payments-api', 'u2', 'e2', 'repo:900001', 'url:y', '{}', 1, 1)`,
}

// A database that serve --demo seeded before keeps its sample as the demo's
// sources, so unregister demo removes it and --demo accepts it; real data
// of an organisation that happens to be called acme is left alone.
func TestMigrationKeepsAnOldSampleApart(t *testing.T) {
	ctx := context.Background()
	st := openAt(t, oldSample...)
	got, err := st.SourcesWithPrefix(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"demo:github-org:acme", "demo:repo:900001"}; !slices.Equal(got, want) {
		t.Errorf("sources after the migration: %v, want %v", got, want)
	}
	if e, r, err := st.CountOutside(ctx, catalog.DemoSourcePrefix); err != nil || e+r != 0 {
		t.Errorf("outside the sample: %d entities, %d repositories (%v), want none", e, r, err)
	}

	real := append(slices.Clone(oldSample),
		`INSERT INTO repositories (github_id, full_name, name, source, installation_id, updated_at) VALUES (77, 'acme/real', 'real', 'repo:77', 5, 1)`)
	st = openAt(t, real...)
	got, err = st.SourcesWithPrefix(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"demo:repo:900001", "github-org:acme"}; !slices.Equal(got, want) {
		t.Errorf("with an installed acme repository, sources after the migration: %v, want %v", got, want)
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct{ prefix, in, out string }{
		{"file:/a/", "file:/a/b", "file:/a0"},
		{"demo:", "demo:repo:1", "demo;"},
	} {
		end := prefixEnd(tc.prefix)
		if !(tc.in >= tc.prefix && tc.in < end) || (tc.out >= tc.prefix && tc.out < end) {
			t.Errorf("prefixEnd(%q) = %q: %q should be in, %q out", tc.prefix, end, tc.in, tc.out)
		}
	}
}
