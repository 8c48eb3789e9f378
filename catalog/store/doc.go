// Package store is the catalog's store: its tables in callboard's database
// (package sqlite owns the file, its connections, migrations and
// transactions). It keeps entities, their relations, a filter index with
// Backstage's semantics, a full-text index, every repository callboard
// knows, and usage events, and answers the catalog's small interfaces
// (catalog.Replacer, the owner and search reads) with SQL kept here.
package store
