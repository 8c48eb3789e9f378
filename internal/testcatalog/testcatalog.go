// Package testcatalog gives tests a real catalog: a SQLite file in the
// test's temporary directory, closed when the test ends.
package testcatalog

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/sqlite"
)

// Open returns an empty catalog.
func Open(t testing.TB) *store.Store {
	t.Helper()
	_, st := OpenDB(t)
	return st
}

// OpenDB returns a new database and the empty catalog over it, for tests
// that need other stores in the same file too.
func OpenDB(t testing.TB) (*sqlite.DB, *store.Store) {
	t.Helper()
	return OpenAt(t, filepath.Join(t.TempDir(), "callboard.db"))
}

// OpenAt opens (creating if needed) the database at path and the catalog
// over it, both closed when the test ends.
func OpenAt(t testing.TB, path string) (*sqlite.DB, *store.Store) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(ctx, db)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		db.Close()
	})
	return db, st
}

// Demo returns a catalog seeded with the demo organisation (Acme).
func Demo(t testing.TB) *store.Store {
	t.Helper()
	_, st := DemoDB(t)
	return st
}

// DemoDB is Demo with the database it is in.
func DemoDB(t testing.TB) (*sqlite.DB, *store.Store) {
	t.Helper()
	db, st := OpenDB(t)
	if _, err := demo.Seed(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return db, st
}
