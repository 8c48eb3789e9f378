package store

import (
	"context"
	"fmt"
	"time"

	"github.com/callboard/callboard/catalog"
)

// UsageActorDays returns, for [from, to), one event per plugin, person and
// UTC day they used it (At is the day's start): what active-user counts
// need, in rows bounded by people × plugins × days rather than by events.
func (s *Store) UsageActorDays(ctx context.Context, from, to time.Time) ([]catalog.UsageEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT plugin, min(actor), at / 86400000 AS d FROM usage_events
		WHERE at >= ? AND at < ? AND actor != '' GROUP BY plugin, lower(actor), d ORDER BY d LIMIT 5000000`,
		from.UTC().UnixMilli(), to.UTC().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reading usage by person and day: %w", err)
	}
	defer rows.Close()
	var out []catalog.UsageEvent
	for rows.Next() {
		var e catalog.UsageEvent
		var d int64
		if err := rows.Scan(&e.Plugin, &e.Actor, &d); err != nil {
			return nil, fmt.Errorf("reading usage by person and day: %w", err)
		}
		e.At = time.UnixMilli(d * 86400000).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
