package githubapp

import (
	"context"
	"fmt"
	"path"
	"slices"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
)

// Limits on one read of a repository's catalog files (a sync, or one side
// of a pull-request check): Location targets and placeholder targets share
// one budget of reads, and the placeholders one budget of bytes, counted
// at each use (a file named by 600 placeholders is read once, but its
// content is used 600 times).
const (
	maxWalkReads = maxTargets
	maxWalkBytes = 16 << 20
)

// catalogWalk is what one read of a repository's catalog files may still
// do, and the files it read (by path: one walk reads one ref).
type catalogWalk struct {
	reads int
	bytes int
	over  string // why the budget ran out, once it did
	cache map[string]walkFile
	// untrusted is a fork's head: it follows only the Location targets the
	// default branch already names (known: paths and globs) and resolves no
	// placeholder, so that a stranger's pull request costs no more than the
	// repository's own files.
	untrusted bool
	known     []string
}

type walkFile struct {
	content []byte
	found   bool
	err     error
}

func newWalk() *catalogWalk {
	return &catalogWalk{reads: maxWalkReads, bytes: maxWalkBytes, cache: map[string]walkFile{}}
}

// untrustedWalk is the walk of a fork's head: known are the catalog files
// the default branch's catalog reads.
func untrustedWalk(known []string) *catalogWalk {
	w := newWalk()
	w.untrusted, w.known = true, known
	return w
}

func (w *catalogWalk) mayRead() bool {
	if w.reads > 0 {
		return true
	}
	if w.over == "" {
		w.over = fmt.Sprintf("the catalog files and their placeholders name more than %d files", maxWalkReads)
	}
	return false
}

func (w *catalogWalk) overProblem(p string) catalog.Problem {
	return catalog.Problem{File: p, Message: "not read: " + w.over}
}

// read reads a file once per walk; the cache answers again.
func (w *catalogWalk) read(ctx context.Context, gh *github.Client, ref repoRef, p string, limit int) ([]byte, bool, error) {
	if f, ok := w.cache[p]; ok {
		return f.content, f.found, f.err
	}
	w.reads--
	b, _, found, err := getFile(ctx, gh, ref, p, limit)
	if err == nil || isTooLarge(err) {
		w.cache[p] = walkFile{content: b, found: found, err: err}
	}
	return b, found, err
}

// follows reports whether the walk reads a Location target.
func (w *catalogWalk) follows(p string) bool {
	if !w.untrusted {
		return true
	}
	return slices.ContainsFunc(w.known, func(k string) bool {
		if k == p {
			return true
		}
		ok, _ := path.Match(k, p)
		return hasGlob(k) && ok
	})
}
