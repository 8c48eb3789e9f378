package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/sqlite"
	"github.com/gofrs/flock"
)

// openExisting opens the database of a command that reads or changes a
// catalog: only serve, import and migrate create one, so a command run in
// the wrong folder says where it looked instead of answering from an empty
// catalog it just made.
func openExisting(ctx context.Context, cfg config) (*sqlite.DB, *store.Store, func(), error) {
	db, st, done, err := openCatalog(ctx, cfg.DB, sqlite.Options{MustExist: true})
	if errors.Is(err, sqlite.ErrNoDatabase) {
		where := cfg.DB
		if abs, err := filepath.Abs(cfg.DB); err == nil {
			where = abs
		}
		return nil, nil, nil, fmt.Errorf("no database at %s: set CALLBOARD_DB to callboard's database file, or run where it is (callboard serve, import and migrate create one)", where)
	}
	return db, st, done, err
}

// openCatalog opens the database at path and the catalog store over it;
// done closes both.
func openCatalog(ctx context.Context, path string, opts sqlite.Options) (db *sqlite.DB, st *store.Store, done func(), err error) {
	if db, err = sqlite.Open(ctx, path, opts); err != nil {
		return nil, nil, nil, err
	}
	if st, err = store.New(ctx, db); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, st, func() {
		st.Close()
		db.Close()
	}, nil
}

// lockServe takes the database's serve lock (DB.lock beside it, an flock
// the kernel releases when the process ends, however it ends): callboard
// runs as one instance per database, and a second serve would run the
// first one's in-flight deliveries again.
func lockServe(cfg config) (unlock func(), err error) {
	fl := flock.New(cfg.DB + ".lock")
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("taking the serve lock %s: %w", fl.Path(), err)
	}
	if !ok {
		return nil, fmt.Errorf("another callboard serve is running on %s (it holds %s); callboard runs as one instance per database: stop that one first, or set CALLBOARD_DB to another file", cfg.DB, fl.Path())
	}
	return func() { _ = fl.Unlock() }, nil
}

// serving reports whether a callboard serve holds the database's lock now.
func serving(cfg config) bool {
	fl := flock.New(cfg.DB + ".lock")
	ok, err := fl.TryRLock()
	if err != nil {
		return false
	}
	if ok {
		_ = fl.Unlock()
	}
	return !ok
}
