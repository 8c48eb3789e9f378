// Package check decides what callboard's pull-request check concludes about
// a repository at a pull request's head: is the catalog file there and
// valid, does every owner exist, do CODEOWNERS and the catalog agree, are
// there docs, and what the pull request changes in the catalog. It is pure:
// the GitHub plumbing gathers the files, this package judges and writes the
// words a person reads.
//
// It owns those words: the comment, the check run's summary and title are
// templates/*.md.tmpl, fed values that markdown.go has already made safe
// (every value from a file a code span, the prose around it escaped, no
// link made from it); the catalog file it suggests is written by the YAML
// encoder (suggest.go); and it reads a mkdocs.yml's docs_dir (DocsDir).
package check
