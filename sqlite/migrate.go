package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"sync"

	"github.com/callboard/callboard/migrations"
)

// steps is Go work some migrations need beyond their SQL.
var steps struct {
	mu sync.Mutex
	m  map[string]func(ctx context.Context, tx *sql.Tx) error
}

// RegisterStep adds Go work to the migration named name (its file name),
// run in the migration's transaction after its SQL. The package whose rows
// the migration changes registers it, from an init function, since only it
// knows how those rows are encoded (the catalog store re-encodes its
// entities, say).
func RegisterStep(name string, fn func(ctx context.Context, tx *sql.Tx) error) {
	steps.mu.Lock()
	defer steps.mu.Unlock()
	if steps.m == nil {
		steps.m = map[string]func(ctx context.Context, tx *sql.Tx) error{}
	}
	steps.m[name] = fn
}

func stepOf(name string) func(ctx context.Context, tx *sql.Tx) error {
	steps.mu.Lock()
	defer steps.mu.Unlock()
	return steps.m[name]
}

func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// Migrate applies pending migrations, each in its own transaction, and
// returns the names applied.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return nil, fmt.Errorf("creating schema_migrations: %w", err)
	}
	names, err := migrationNames()
	if err != nil {
		return nil, err
	}
	// What is applied is skipped without taking the write lock: the CLI's
	// read commands open the database while serve or an import is writing.
	done, err := db.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		if done[name] {
			continue
		}
		ok, err := db.apply(ctx, name)
		if err != nil {
			return applied, err
		}
		if ok {
			applied = append(applied, name)
		}
	}
	return applied, nil
}

func (db *DB) appliedMigrations(ctx context.Context) (map[string]bool, error) {
	rows, err := db.w.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("reading schema_migrations: %w", err)
		}
		done[name] = true
	}
	return done, rows.Err()
}

// apply applies one migration unless another process did meanwhile.
func (db *DB) apply(ctx context.Context, name string) (applied bool, err error) {
	err = db.WithTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return fmt.Errorf("checking migration %s: %w", name, err)
		}
		if n > 0 {
			return nil
		}
		body, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("applying migration %s: %w", name, err)
		}
		if step := stepOf(name); step != nil {
			if err := step(ctx, tx); err != nil {
				return fmt.Errorf("applying migration %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, db.Now().Unix()); err != nil {
			return fmt.Errorf("recording migration %s: %w", name, err)
		}
		applied = true
		return nil
	})
	return applied && err == nil, err
}

// Ready checks that the database answers, every migration is applied, the
// file is not known to be damaged and the disk has room (once it was found
// full).
func (db *DB) Ready(ctx context.Context) error {
	if err := db.healthy(ctx); err != nil {
		return err
	}
	names, err := migrationNames()
	if err != nil {
		return err
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("reading schema_migrations: %w", err)
	}
	if n < len(names) {
		return fmt.Errorf("%w: %d of %d applied", ErrPendingMigrations, n, len(names))
	}
	return nil
}
