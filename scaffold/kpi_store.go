package scaffold

import (
	"context"
	"fmt"
	"time"
)

// Requested is a scaffold request as the adoption KPIs see it: who asked,
// for which repository, and when the request reached callboard.
type Requested struct {
	Author string
	Target string // org/repo
	At     time.Time
}

// RequestsSince returns the requests that name a repository to create,
// received at or after since (at most 100,000, oldest first).
func (s *Store) RequestsSince(ctx context.Context, since time.Time) ([]Requested, error) {
	rows, err := s.db.Query(ctx, `SELECT author, target, created_at FROM scaffold_requests
		WHERE target != '' AND created_at >= ? ORDER BY created_at LIMIT 100000`, since.UTC().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reading scaffold requests: %w", err)
	}
	defer rows.Close()
	var out []Requested
	for rows.Next() {
		var r Requested
		var at int64
		if err := rows.Scan(&r.Author, &r.Target, &at); err != nil {
			return nil, fmt.Errorf("reading scaffold requests: %w", err)
		}
		r.At = time.UnixMilli(at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
