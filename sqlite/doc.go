// Package sqlite owns callboard's database: one SQLite file (the pure-Go
// modernc driver), its one writing connection and its pool of readers,
// the migrations, transactions (WithTx), and what the file's health is
// (damaged, disk full, quick_check, readiness, online backup).
//
// Every feature keeps its tables in this one file through its own store —
// the catalog's (catalog/store), the webhook delivery queue's
// (githubapp/queue), the PR check's records, the digest's, the
// scaffolder's — and each store takes a *DB. No *sql.DB leaves this
// package: reads go to the pool (Query, QueryRow, Prepare), writes to the
// writing connection (Exec, WithTx). SQLite runs in WAL mode, so the CLI
// reads while serve writes.
package sqlite
