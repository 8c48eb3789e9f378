package store

import (
	"context"
	"fmt"
	"time"
)

// UsageCounts returns how many usage events each plugin recorded in [from, to).
func (s *Store) UsageCounts(ctx context.Context, from, to time.Time) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT plugin, count(*) FROM usage_events WHERE at >= ? AND at < ? GROUP BY plugin`,
		from.UTC().UnixMilli(), to.UTC().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("counting usage: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("counting usage: %w", err)
		}
		out[p] = n
	}
	return out, rows.Err()
}
