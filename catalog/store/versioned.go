package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// What is computed over many entities and asked again and again (how many
// entities a first page's filter matches, a facet's counts) is kept for the
// version of the catalog it was computed on (migration 0017: a number every
// change to the entities raises, whichever process makes it). A read
// transaction reads the version with the rows it answers from, so a kept
// answer is served only while it is still exact: the first read after a
// change computes it again.

// Bounds of what is kept: entries per version, their weight in all (a
// count weighs 1, a facet 1 + its values), the heaviest entry kept (a facet
// of uids or names has a value per entity: counted each time rather than
// held), and the longest key (a filter is bounded by the request's size).
const (
	versionedEntries   = 1024
	versionedWeight    = 100_000
	versionedWeightMax = 2_000
	versionedKeyMax    = 4096
)

// versioned holds answers of one catalog version; a newer version empties it.
type versioned[V any] struct {
	mu      sync.Mutex
	version int64
	m       map[string]V
	weight  int
}

func (c *versioned[V]) get(version int64, key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	if c.m == nil || c.version != version {
		return zero, false
	}
	v, ok := c.m[key]
	return v, ok
}

// put keeps v, of the weight given, for version.
func (c *versioned[V]) put(version int64, key string, v V, weight int) {
	if len(key) > versionedKeyMax || weight > versionedWeightMax {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok && version == c.version {
		return
	}
	switch {
	case version < c.version:
		return // computed on an older snapshot than what is kept
	case version > c.version || c.m == nil || len(c.m) >= versionedEntries || c.weight+weight > versionedWeight:
		c.version, c.m, c.weight = version, make(map[string]V), 0
	}
	c.m[key] = v
	c.weight += weight
}

// catalogVersion reads the catalog's version in tx (its first read, so the
// rows tx reads after are of that version).
func catalogVersion(ctx context.Context, tx queryer) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT n FROM catalog_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading the catalog's version: %w", err)
	}
	return v, nil
}

// queryKey names a query (its parts) and its arguments for a versioned
// cache, each quoted, so that no two queries (whatever bytes a filter's
// values hold) share a name.
func queryKey(args []any, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(strconv.Quote(p))
	}
	for _, a := range args {
		b.WriteString(strconv.Quote(fmt.Sprintf("%T:%v", a, a)))
	}
	return b.String()
}

// keptAnswer is the answer named key at version: kept in c, or computed by
// compute and kept there (weighing weight). Either way it is noted as
// asked for, so that the refresher computes it again after a change.
func keptAnswer[V any](ctx context.Context, s *Store, tx queryer, version int64, c *versioned[V], key string, weight func(V) int, compute func(context.Context, queryer) (V, error)) (V, error) {
	answer := func(ctx context.Context, tx queryer, version int64) (V, error) {
		if v, ok := c.get(version, key); ok {
			return v, nil
		}
		v, err := compute(ctx, tx)
		if err != nil {
			return v, err
		}
		c.put(version, key, v, weight(v))
		return v, nil
	}
	s.asked(key, func(ctx context.Context, tx queryer, version int64) error {
		_, err := answer(ctx, tx, version)
		return err
	})
	return answer(ctx, tx, version)
}

// countMatches counts the entities of `SELECT count(*) FROM entities e
// WHERE where`, once per catalog version.
func (s *Store) countMatches(ctx context.Context, tx queryer, where sqlExpr) (int, error) {
	version, err := catalogVersion(ctx, tx)
	if err != nil {
		return 0, err
	}
	query := `SELECT count(*) FROM entities e WHERE ` + where.sql
	one := func(int) int { return 1 }
	return keptAnswer(ctx, s, tx, version, &s.counts, queryKey(where.args, query), one, func(ctx context.Context, tx queryer) (int, error) {
		planned(query, where.args)
		var n int
		if err := tx.QueryRowContext(ctx, query, where.args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("counting entities: %w", err)
		}
		return n, nil
	})
}
