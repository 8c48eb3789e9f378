// Package store keeps the catalog in SQLite (the pure-Go modernc driver):
// entities, their relations, a filter index with Backstage's semantics, a
// full-text index, and every repository callboard knows.
//
// Writes go through one connection; reads use a small pool. SQLite runs in
// WAL mode so the CLI can read while serve writes.
package store
