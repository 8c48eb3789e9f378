package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/callboard/callboard/catalog"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// health is what the database has learned of its file: damaged (sticky until
// restart) or full (until a write fits again).
type health struct {
	mu      sync.Mutex
	damaged string
	full    bool
}

// Observe reads an error the database gave: a damaged file (SQLITE_CORRUPT,
// SQLITE_NOTADB) makes the database unready for good, a full disk
// (SQLITE_FULL) until there is room again. The error comes back wrapped in
// catalog.ErrDamaged or catalog.ErrStorageFull when it is one of those.
func (db *DB) Observe(err error) error {
	var se *msqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	db.health.mu.Lock()
	defer db.health.mu.Unlock()
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		if db.health.damaged == "" {
			db.health.damaged = se.Error()
		}
		return fmt.Errorf("%w: %w", catalog.ErrDamaged, err)
	case sqlite3.SQLITE_FULL:
		db.health.full = true
		return fmt.Errorf("%w: %w", catalog.ErrStorageFull, err)
	}
	return err
}

// QuickCheck runs SQLite's quick_check (the structure of every page, not
// the indexes' contents) and marks the database damaged when it finds
// anything. ctx bounds it: on a large file it is cut short and says
// nothing.
func (db *DB) QuickCheck(ctx context.Context) error {
	rows, err := db.r.QueryContext(ctx, `PRAGMA quick_check(10)`)
	if err != nil {
		return db.Observe(fmt.Errorf("checking the database: %w", err))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return db.Observe(fmt.Errorf("checking the database: %w", err))
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return db.Observe(fmt.Errorf("checking the database: %w", err))
	}
	if len(problems) == 0 {
		return nil
	}
	db.health.mu.Lock()
	if db.health.damaged == "" {
		db.health.damaged = "quick_check: " + strings.Join(problems, "; ")
	}
	db.health.mu.Unlock()
	return fmt.Errorf("%w: quick_check: %s", catalog.ErrDamaged, strings.Join(problems, "; "))
}

// roomProbe is the page the probe writes, and removes in the same
// transaction: it needs a new page of the file, as a real write would.
const roomProbe = 8 << 10

// healthy reports a damaged file, or a disk that was full and still is.
func (db *DB) healthy(ctx context.Context) error {
	db.health.mu.Lock()
	damaged, full := db.health.damaged, db.health.full
	db.health.mu.Unlock()
	if damaged != "" {
		return fmt.Errorf("%w (%s): restore it from a backup (callboard backup)", catalog.ErrDamaged, damaged)
	}
	if !full {
		return nil
	}
	err := db.probeRoom(ctx)
	if err == nil {
		db.health.mu.Lock()
		db.health.full = false
		db.health.mu.Unlock()
		return nil
	}
	return db.Observe(err)
}

func (db *DB) probeRoom(ctx context.Context) error {
	tx, err := db.w.BeginTx(ctx, nil)
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
