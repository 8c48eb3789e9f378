// Package repofs reads a GitHub repository at one revision as an fs.FS
// (fs.ReadFileFS, fs.StatFS, fs.GlobFS, and catalog.FileLister), so that
// the rules about a repository's files — catalog.ReadTree's Location
// targets and globs, CODEOWNERS, TechDocs folders — are the same pure
// functions for a repository as for a folder on disk.
//
// A file is read through the contents API (one call), unless ReadAhead
// read it already: one GraphQL call for the files a sync or a check looks
// at first. Glob and ListFiles list the revision's tree once.
package repofs
