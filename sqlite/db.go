package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DB is callboard's database file: one writing connection, a pool of
// readers, and what is known of the file's health.
type DB struct {
	w *sql.DB // the one writing connection
	r *sql.DB // readers
	// Now stamps the migrations applied (default time.Now).
	Now func() time.Time

	health health
	stmts  stmtCache // the read statements ReadTx keeps prepared
}

// Options tunes Open.
type Options struct {
	// NoMigrate opens without applying migrations (callboard migrate does it
	// itself); Ready then reports what is pending.
	NoMigrate bool
	// Readers is the size of the read pool (default 4).
	Readers int
	// MustExist refuses to create the database: a command that reads (or
	// changes) a catalog must not start an empty one by accident.
	MustExist bool
}

// ErrNoDatabase is returned by Open with MustExist when there is no database at the path.
var ErrNoDatabase = errors.New("no database")

// ErrPendingMigrations is returned by Ready while the schema is behind the binary.
var ErrPendingMigrations = errors.New("migrations pending")

// dsn is the connection string; the writer takes its lock up front and a
// larger page cache than the readers.
func dsn(path string, writer, mustExist bool) string {
	q := url.Values{}
	if mustExist {
		q.Add("mode", "rw") // SQLite's own refusal to create, should the file vanish meanwhile
	}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "journal_mode(WAL)")
	if writer {
		q.Add("_txlock", "immediate")
		q.Add("_pragma", "cache_size(-8000)") // 8 MB: a large import touches many index pages
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies pending migrations.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.MustExist {
		info, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
		}
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", path, err)
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("opening %s: not a regular file", path)
		}
	}
	w, err := sql.Open("sqlite", dsn(path, true, opts.MustExist))
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	db := &DB{w: w, Now: time.Now}
	if !opts.NoMigrate {
		if _, err := db.Migrate(ctx); err != nil {
			w.Close()
			return nil, err
		}
	}
	r, err := sql.Open("sqlite", dsn(path, false, opts.MustExist))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening %s for reading: %w", path, err)
	}
	n := opts.Readers
	if n <= 0 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.r = r
	return db, nil
}

// Close closes the database. Statements prepared on it are closed first
// by their stores.
func (db *DB) Close() error {
	db.stmts.close()
	return errors.Join(db.r.Close(), db.w.Close())
}

// Query runs a read on the pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.r.QueryContext(ctx, query, args...)
}

// QueryRow runs a read of one row on the pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, query, args...)
}

// Prepare prepares a read on the pool, for reads run often enough that
// preparing them once pays.
func (db *DB) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return db.r.PrepareContext(ctx, query)
}

// Exec runs one write on the writing connection, as its own transaction.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.w.ExecContext(ctx, query, args...)
}

// WithTx runs fn in a transaction on the writing connection (which takes
// SQLite's write lock at once): committed when fn returns nil, rolled back
// when it returns an error, which WithTx returns as it is.
func (db *DB) WithTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return inTx(ctx, db.w, nil, fn)
}

// inTx runs fn in a transaction on pool, committed when fn succeeds.
func inTx(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Created is when the database was created: when its first migration was applied.
func (db *DB) Created(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT min(applied_at) FROM schema_migrations`).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("reading schema_migrations: %w", err)
	}
	if !at.Valid {
		return db.Now(), nil
	}
	return time.Unix(at.Int64, 0), nil
}

// Backup writes a consistent snapshot of the database to path (VACUUM INTO),
// while the server keeps running.
func (db *DB) Backup(ctx context.Context, path string) error {
	if strings.ContainsRune(path, 0) {
		return fmt.Errorf("invalid backup path")
	}
	if _, err := db.r.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backing up to %s: %w", path, err)
	}
	return nil
}
