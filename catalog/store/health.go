package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/callboard/callboard/catalog"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// health is what the store has learned of its file: damaged (sticky until
// restart) or full (until a write fits again).
type health struct {
	mu      sync.Mutex
	damaged string
	full    bool
}

// Observe reads an error the database gave: a damaged file (SQLITE_CORRUPT,
// SQLITE_NOTADB) makes the store unready for good, a full disk
// (SQLITE_FULL) until there is room again. The error comes back wrapped in
// catalog.ErrDamaged or catalog.ErrStorageFull when it is one of those.
func (s *Store) Observe(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		if s.health.damaged == "" {
			s.health.damaged = se.Error()
		}
		return fmt.Errorf("%w: %w", catalog.ErrDamaged, err)
	case sqlite3.SQLITE_FULL:
		s.health.full = true
		return fmt.Errorf("%w: %w", catalog.ErrStorageFull, err)
	}
	return err
}

// QuickCheck runs SQLite's quick_check (the structure of every page, not
// the indexes' contents) and marks the store damaged when it finds
// anything. ctx bounds it: on a large file it is cut short and says
// nothing.
func (s *Store) QuickCheck(ctx context.Context) error {
	rows, err := s.r.QueryContext(ctx, `PRAGMA quick_check(10)`)
	if err != nil {
		return s.Observe(fmt.Errorf("checking the database: %w", err))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.Observe(fmt.Errorf("checking the database: %w", err))
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.Observe(fmt.Errorf("checking the database: %w", err))
	}
	if len(problems) == 0 {
		return nil
	}
	s.health.mu.Lock()
	if s.health.damaged == "" {
		s.health.damaged = "quick_check: " + strings.Join(problems, "; ")
	}
	s.health.mu.Unlock()
	return fmt.Errorf("%w: quick_check: %s", catalog.ErrDamaged, strings.Join(problems, "; "))
}

// roomProbe is the page the probe writes, and removes in the same
// transaction: it needs a new page of the file, as a real write would.
const roomProbe = 8 << 10

// healthy reports a damaged file, or a disk that was full and still is.
func (s *Store) healthy(ctx context.Context) error {
	s.health.mu.Lock()
	damaged, full := s.health.damaged, s.health.full
	s.health.mu.Unlock()
	if damaged != "" {
		return fmt.Errorf("%w (%s): restore it from a backup (callboard backup)", catalog.ErrDamaged, damaged)
	}
	if !full {
		return nil
	}
	err := s.probeRoom(ctx)
	if err == nil {
		s.health.mu.Lock()
		s.health.full = false
		s.health.mu.Unlock()
		return nil
	}
	return s.Observe(err)
}

func (s *Store) probeRoom(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{`INSERT INTO health_probe (id, page) VALUES (1, zeroblob(?))`, `DELETE FROM health_probe`} {
		var args []any
		if strings.Contains(q, "?") {
			args = append(args, roomProbe)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}
