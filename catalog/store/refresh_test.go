package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
)

// After a change by another process, what a reader asked for is counted
// again in the background: the next first page finds its count kept, and
// it is the new catalog's.
func TestKeptAnswersRefreshedAfterAChange(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "callboard.db")
	st := openFile(t, path)
	other := openFile(t, path)
	if _, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", componentsFile(0, 5)), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	if total, counted := firstPage(t, st); total != 5 || counted != 1 {
		t.Fatalf("first page: totalItems %d after %d count queries, want 5 after 1", total, counted)
	}
	if n := serviceFacet(t, st); n != 5 {
		t.Fatalf("facet spec.type=service counts %d, want 5", n)
	}
	if _, err := other.ReplaceSource(ctx, "file:b.yaml", parse(t, "b.yaml", componentsFile(5, 2)), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	var version int64
	if err := st.readTx(ctx, func(tx queryer) error {
		var err error
		version, err = catalogVersion(ctx, tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Wait for the refresher (a tick to see the change, one to see it settled).
	deadline := time.Now().Add(10 * time.Second)
	for {
		st.counts.mu.Lock()
		refreshed := st.counts.version == version && len(st.counts.m) > 0
		st.counts.mu.Unlock()
		if refreshed || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if total, counted := firstPage(t, st); total != 7 || counted != 0 {
		t.Fatalf("after the change: totalItems %d after %d count queries, want 7 after 0 (counted in the background)", total, counted)
	}
	st.facets.mu.Lock()
	facetVersion := st.facets.version
	st.facets.mu.Unlock()
	if facetVersion != version {
		t.Fatalf("facets kept for version %d, want %d", facetVersion, version)
	}
	if n := serviceFacet(t, st); n != 7 {
		t.Fatalf("facet spec.type=service counts %d, want 7", n)
	}
}

// What is remembered as asked for is bounded, the oldest forgotten first,
// and nothing is remembered once the store is closed.
func TestAskedBounded(t *testing.T) {
	st := openTest(t)
	nothing := func(context.Context, queryer, int64) error { return nil }
	for i := 0; i < recentMax+10; i++ {
		st.asked(strings.Repeat("k", i+1), nothing)
		time.Sleep(time.Microsecond) // each asked at its own time
	}
	st.refresh.mu.Lock()
	n := len(st.refresh.recent)
	_, first := st.refresh.recent["k"]
	st.refresh.mu.Unlock()
	if n != recentMax || first {
		t.Fatalf("%d remembered (the first still: %v), want %d without the first", n, first, recentMax)
	}
	st.Close()
	st.Close() // twice: harmless
	st.asked("after", nothing)
	st.refresh.mu.Lock()
	_, after := st.refresh.recent["after"]
	st.refresh.mu.Unlock()
	if after {
		t.Fatal("remembered after the store closed")
	}
}
