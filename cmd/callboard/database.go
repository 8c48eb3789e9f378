package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/callboard/callboard/catalog/store"
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

