package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/callboard/callboard/catalog"
)

// RecordUsage stores usage events, all or none.
func (s *Store) RecordUsage(ctx context.Context, events ...catalog.UsageEvent) error {
	if len(events) == 0 {
		return nil
	}
	return s.db.Observe(s.recordUsage(ctx, events))
}

func (s *Store) recordUsage(ctx context.Context, events []catalog.UsageEvent) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO usage_events (at, plugin, action, actor, entity, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range events {
			at := e.At
			if at.IsZero() {
				at = s.Now()
			}
			if _, err := stmt.ExecContext(ctx, at.UTC().UnixMilli(), e.Plugin, e.Action, e.Actor, e.Entity, e.Outcome, e.Detail); err != nil {
				return fmt.Errorf("recording usage: %w", err)
			}
		}
		return nil
	})
}

// UsageBetween returns the usage events in [from, to), oldest first.
func (s *Store) UsageBetween(ctx context.Context, from, to time.Time) ([]catalog.UsageEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT at, plugin, action, actor, entity, outcome, detail FROM usage_events WHERE at >= ? AND at < ? ORDER BY at, id`,
		from.UTC().UnixMilli(), to.UTC().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reading usage: %w", err)
	}
	defer rows.Close()
	var out []catalog.UsageEvent
	for rows.Next() {
		var e catalog.UsageEvent
		var at int64
		if err := rows.Scan(&at, &e.Plugin, &e.Action, &e.Actor, &e.Entity, &e.Outcome, &e.Detail); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
