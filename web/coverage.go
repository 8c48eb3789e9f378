package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest"
)

// CoverageCache holds the catalog's coverage, measured in the background.
// Measuring reads every repository and every entity a repository declared
// (about half a second at 10,000 entities), far more than a page may take,
// so pages show the last measurement (and when it was taken) while a worker
// takes the next one once it is older than the refresh interval, and only
// when the catalog changed since (when the source tells its version).
type CoverageCache struct {
	src interface {
		Coverage(context.Context) (catalog.Coverage, error)
	}
	every time.Duration
	log   *slog.Logger

	mu      sync.Mutex
	val     catalog.Coverage
	at      time.Time
	err     error
	ready   chan struct{} // closed when the first measurement is in
	wake    chan struct{}
	stop    context.CancelFunc
	stopped chan struct{}
}

// NewCoverageCache starts measuring src at once, and again when a page asks
// for a measurement older than every. Close stops it.
func NewCoverageCache(src interface {
	Coverage(context.Context) (catalog.Coverage, error)
}, every time.Duration, log *slog.Logger) *CoverageCache {
	ctx, cancel := context.WithCancel(context.Background())
	c := &CoverageCache{src: src, every: every, log: log, ready: make(chan struct{}), wake: make(chan struct{}, 1),
		stop: cancel, stopped: make(chan struct{})}
	go c.run(ctx)
	return c
}

func (c *CoverageCache) run(ctx context.Context) {
	defer close(c.stopped)
	first := true
	version := "" // of the catalog the value was measured on
	for {
		now := ""
		if vs, ok := c.src.(versioned); ok {
			now, _ = vs.CatalogVersion(ctx) // on an error, measure anyway
		}
		if !first && now != "" && now == version {
			c.mu.Lock()
			c.at = time.Now() // the measurement still holds
			c.mu.Unlock()
			if !c.sleep(ctx) {
				return
			}
			continue
		}
		v, err := c.src.Coverage(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.log.Warn("measuring catalog coverage", "err", err)
		}
		c.mu.Lock()
		switch {
		case err == nil:
			c.val, c.at, c.err = v, time.Now(), nil
			version = now
		case first:
			c.err = err // c.at stays zero: the next page asks again
		}
		c.mu.Unlock()
		if first {
			close(c.ready)
			first = false
		}
		if !c.sleep(ctx) {
			return
		}
	}
}

// versioned is a coverage source that can say whether the catalog changed.
type versioned interface {
	CatalogVersion(context.Context) (string, error)
}

// sleep waits for a page to ask for a new measurement; false when stopped.
func (c *CoverageCache) sleep(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-c.wake:
		return true
	}
}

// Coverage returns the latest measurement and when it was taken; it waits
// for the first one. A stale measurement is returned at once and a new one
// started.
func (c *CoverageCache) Coverage(ctx context.Context) (catalog.Coverage, error) {
	v, _, err := c.Measured(ctx)
	return v, err
}

// Measured is Coverage with the time of the measurement.
func (c *CoverageCache) Measured(ctx context.Context) (catalog.Coverage, time.Time, error) {
	select {
	case <-c.ready:
	case <-ctx.Done():
		return catalog.Coverage{}, time.Time{}, ctx.Err()
	}
	c.mu.Lock()
	v, at, err := c.val, c.at, c.err
	c.mu.Unlock()
	if time.Since(at) > c.every {
		select {
		case c.wake <- struct{}{}:
		default: // a measurement is already asked for
		}
	}
	return v, at, err
}

// Close stops the worker; a measurement under way is abandoned. Calling it
// again does nothing.
func (c *CoverageCache) Close() {
	c.stop()
	<-c.stopped
}

// DigestCatalog is cat with its coverage read from c, for a digest built per
// page view.
func DigestCatalog(cat digest.Catalog, c *CoverageCache) digest.Catalog {
	return cachedCatalog{Catalog: cat, cov: c}
}

type cachedCatalog struct {
	digest.Catalog
	cov *CoverageCache
}

func (c cachedCatalog) Coverage(ctx context.Context) (catalog.Coverage, error) {
	return c.cov.Coverage(ctx)
}
