package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/catalog"

	"github.com/callboard/callboard/migrations"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Store is the catalog's SQLite database.
type Store struct {
	w   *sql.DB // the one writing connection
	r   *sql.DB // readers
	Now func() time.Time

	// Prepared once: preparing costs more than running these hot reads.
	byRef, relsOfRef *sql.Stmt

	health health

	// gen counts this process's writes, so caches know when to refresh.
	gen   atomic.Int64
	names struct {
		mu   sync.Mutex
		list []catalog.NameEntry
		gen  int64
		at   time.Time
	}
}

// wrote marks the catalog changed by this process.
func (s *Store) wrote() { s.gen.Add(1) }

// Options tunes Open.
type Options struct {
	// NoMigrate opens without applying migrations (callboard migrate does it
	// itself); reads are then not prepared, and Ready reports what is pending.
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
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
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
	s := &Store{w: w, Now: time.Now}
	if !opts.NoMigrate {
		if _, err := s.Migrate(ctx); err != nil {
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
	s.r = r
	if !opts.NoMigrate {
		if err := s.prepareReads(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	for _, st := range []*sql.Stmt{s.byRef, s.relsOfRef} {
		if st != nil {
			st.Close()
		}
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

const relationsOfRefSQL = `SELECT e.ref, r.type, r.target_ref, 0 FROM relations r JOIN entities e ON e.id = r.entity_id WHERE e.ref = ?1
	UNION
	SELECT r.target_ref, r.type, e.ref, 1 FROM relations r JOIN entities e ON e.id = r.entity_id WHERE r.target_ref = ?1`

func (s *Store) prepareReads(ctx context.Context) error {
	var err error
	if s.byRef, err = s.r.PrepareContext(ctx, `SELECT uid, etag, body FROM entities WHERE ref = ?`); err != nil {
		return fmt.Errorf("preparing reads: %w", err)
	}
	if s.relsOfRef, err = s.r.PrepareContext(ctx, relationsOfRefSQL); err != nil {
		return fmt.Errorf("preparing reads: %w", err)
	}
	return nil
}

// DB returns the writing connection, for packages that keep their own tables
// (deliveries, usage) in the same file.
func (s *Store) DB() *sql.DB { return s.w }

// ReadDB returns the read pool.
func (s *Store) ReadDB() *sql.DB { return s.r }

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
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return nil, fmt.Errorf("creating schema_migrations: %w", err)
	}
	names, err := migrationNames()
	if err != nil {
		return nil, err
	}
	// What is applied is skipped without taking the write lock: the CLI's
	// read commands open the store while serve or an import is writing.
	done, err := s.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		if done[name] {
			continue
		}
		ok, err := s.apply(ctx, name)
		if err != nil {
			return applied, err
		}
		if ok {
			applied = append(applied, name)
		}
	}
	return applied, nil
}

func (s *Store) appliedMigrations(ctx context.Context) (map[string]bool, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT name FROM schema_migrations`)
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

func (s *Store) apply(ctx context.Context, name string) (bool, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return false, fmt.Errorf("checking migration %s: %w", name, err)
	}
	if n > 0 {
		return false, nil
	}
	body, err := fs.ReadFile(migrations.FS, name)
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return false, fmt.Errorf("applying migration %s: %w", name, err)
	}
	if after := afterMigration[name]; after != nil {
		if err := after(ctx, tx); err != nil {
			return false, fmt.Errorf("applying migration %s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, s.Now().Unix()); err != nil {
		return false, fmt.Errorf("recording migration %s: %w", name, err)
	}
	return true, tx.Commit()
}

// Created is when the database was created: when its first migration was applied.
func (s *Store) Created(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT min(applied_at) FROM schema_migrations`).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("reading schema_migrations: %w", err)
	}
	if !at.Valid {
		return s.Now(), nil
	}
	return time.Unix(at.Int64, 0), nil
}

// Ready checks that the database answers, every migration is applied, the
// file is not known to be damaged and the disk has room (once it was found
// full).
func (s *Store) Ready(ctx context.Context) error {
	if err := s.healthy(ctx); err != nil {
		return err
	}
	names, err := migrationNames()
	if err != nil {
		return err
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("reading schema_migrations: %w", err)
	}
	if n < len(names) {
		return fmt.Errorf("%w: %d of %d applied", ErrPendingMigrations, n, len(names))
	}
	return nil
}

// Backup writes a consistent snapshot of the database to path (VACUUM INTO),
// while the server keeps running.
func (s *Store) Backup(ctx context.Context, path string) error {
	if strings.ContainsRune(path, 0) {
		return fmt.Errorf("invalid backup path")
	}
	if _, err := s.r.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backing up to %s: %w", path, err)
	}
	return nil
}
