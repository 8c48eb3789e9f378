package store

import (
	"context"
	"fmt"
	"time"
)

// EntitiesCreatedBetween returns the refs of the entities first stored in
// [from, to), in ref order. An entity that a source dropped and declared
// again counts from its return.
func (s *Store) EntitiesCreatedBetween(ctx context.Context, from, to time.Time) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT ref FROM entities WHERE created_at >= ? AND created_at < ? ORDER BY ref`,
		from.UTC().UnixMilli(), to.UTC().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reading new entities: %w", err)
	}
	out, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("reading new entities: %w", err)
	}
	return out, nil
}
