// Package testcatalog gives tests a real catalog: a SQLite file in the
// test's temporary directory, closed when the test ends.
package testcatalog

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/catalog/store"
)

// Open returns an empty catalog.
func Open(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "callboard.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Demo returns a catalog seeded with the demo organisation (Acme).
func Demo(t testing.TB) *store.Store {
	t.Helper()
	st := Open(t)
	if _, err := demo.Seed(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}
