package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/callboard/callboard/catalog/store"
	"github.com/gofrs/flock"
)

// openExisting opens the database of a command that reads or changes a
// catalog: only serve, import and migrate create one, so a command run in
// the wrong folder says where it looked instead of answering from an empty
// catalog it just made.
func openExisting(ctx context.Context, cfg config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DB, store.Options{MustExist: true})
	if errors.Is(err, store.ErrNoDatabase) {
		where := cfg.DB
		if abs, err := filepath.Abs(cfg.DB); err == nil {
			where = abs
		}
		return nil, fmt.Errorf("no database at %s: set CALLBOARD_DB to callboard's database file, or run where it is (callboard serve, import and migrate create one)", where)
	}
	return st, err
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
