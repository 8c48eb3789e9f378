// Package check decides what callboard's pull-request check concludes about
// a repository at a pull request's head: is the catalog file there and
// valid, does every owner exist, do CODEOWNERS and the catalog agree, are
// there docs, and what the pull request changes in the catalog. It is pure:
// the GitHub plumbing gathers the files, this package judges and writes the
// words a person reads.
package check
