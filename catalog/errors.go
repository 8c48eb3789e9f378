package catalog

import "errors"

// ErrNotFound is returned when an entity or repository does not exist.
var ErrNotFound = errors.New("not found")

// ErrStorageFull is returned when the database cannot take a write because
// its disk is full: worth trying again once there is room.
var ErrStorageFull = errors.New("the disk is full")

// ErrDamaged is returned when the database file is damaged (SQLite's
// SQLITE_CORRUPT): answers that read it cannot be trusted.
var ErrDamaged = errors.New("the database is damaged")
