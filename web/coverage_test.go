package web_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/web"
)

// countingSource is a coverage source that counts its measurements and
// says its catalog's version.
type countingSource struct {
	mu       sync.Mutex
	measured int
	version  string
}

func (c *countingSource) Coverage(context.Context) (catalog.Coverage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.measured++
	return catalog.Coverage{Repositories: c.measured}, nil
}

func (c *countingSource) CatalogVersion(context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version, nil
}

func (c *countingSource) set(v string) {
	c.mu.Lock()
	c.version = v
	c.mu.Unlock()
}

func TestCoverageCache(t *testing.T) {
	ctx := context.Background()
	src := &countingSource{version: "v1"}
	cache := web.NewCoverageCache(src, time.Nanosecond, slog.New(slog.DiscardHandler)) // every read is stale
	defer cache.Close()

	cov, at, err := cache.Measured(ctx)
	if err != nil || cov.Repositories != 1 {
		t.Fatalf("first read: %+v, %v; want the first measurement", cov, err)
	}
	// Stale, but the catalog did not change: the worker only confirms it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, at2, _ := cache.Measured(ctx)
		if at2.After(at) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a stale measurement was never confirmed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if cov, _ := cache.Coverage(ctx); cov.Repositories != 1 {
		t.Errorf("after a refresh of an unchanged catalog: measurement %d, want still the first", cov.Repositories)
	}
	// The catalog changed: the next read starts a new measurement.
	src.set("v2")
	for {
		cov, _ := cache.Coverage(ctx)
		if cov.Repositories == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the catalog changed and coverage was not measured again (measurement %d)", cov.Repositories)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cache.Close()
	cache.Close() // twice is harmless
}
