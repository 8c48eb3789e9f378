// Package migrations holds callboard's numbered SQL migrations, embedded in
// the binary and applied in order at start, each in its own transaction.
package migrations

import "embed"

// FS holds the migration files, named NNNN_what.sql.
//
//go:embed *.sql
var FS embed.FS
