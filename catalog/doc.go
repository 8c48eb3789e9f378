// Package catalog is callboard's software catalog: the Backstage entity model
// (kinds, refs, relations), the parsing and validation of catalog-info.yaml
// files, the rule that reads them from a tree of files (ReadTree: a catalog
// file, its Location targets and globs, its placeholders, within bounds, over
// any fs.FS — a repository at a ref, a folder on disk), and the answers built
// on them (who owns what, search, coverage).
//
// The rules here import no HTTP, Slack or GitHub code; the SQLite store lives
// in the store subpackage and satisfies the small interfaces declared here.
package catalog
