package repofs

import (
	"context"
	"io/fs"
	"slices"

	"github.com/google/go-github/v62/github"
)

// Blob is a file a batched GraphQL query read (or found missing) for one
// repository: a backfill reads a hundred repositories' files in one call
// and hands each its own.
type Blob struct {
	Path    string
	Found   bool
	Content []byte
	Size    int
	// REST: the file is there but GraphQL could not give it whole (binary,
	// cut at GraphQL's size): only the contents API reads it.
	REST bool
}

// NewFromBlobs returns the repository fullName at its default branch
// (branch, as the query said) with files already read.
func NewFromBlobs(ctx context.Context, gh *github.Client, fullName, branch string, blobs []Blob) *FS {
	f := New(ctx, gh, fullName, "")
	f.branch = branch
	f.ahead = &prefetch{branch: branch, files: map[string]prefetched{}}
	f.AddBlobs(blobs)
	return f
}

// AddBlobs adds files read by a later batched query.
func (f *FS) AddBlobs(blobs []Blob) {
	if f.ahead == nil {
		f.ahead = &prefetch{branch: f.branch, files: map[string]prefetched{}}
	}
	for _, b := range blobs {
		if b.REST {
			if f.rest == nil {
				f.rest = map[string]bool{}
			}
			f.rest[b.Path] = true
			continue
		}
		f.ahead.files[b.Path] = prefetched{found: b.Found, content: b.Content, size: b.Size}
	}
}

// Defer makes a read of a file not read ahead fail as missing, and
// remembers it (Wanted), instead of reading it through REST: a backfill
// walks every repository of a batch this way, reads what the walks
// wanted in one more batched query, and walks again. Off, reads go to
// REST as usual.
func (f *FS) Defer(on bool) {
	f.deferring = on
	f.wanted = nil
	f.wantsREST = false
}

// Wanted returns the files a deferred walk asked for and did not have, and
// whether one of them can only be read through REST.
func (f *FS) Wanted() (paths []string, rest bool) {
	return slices.Clone(f.wanted), f.wantsREST
}

// deferred reports whether a read of name is put off (Defer).
func (f *FS) deferred(name string) bool {
	if !f.deferring {
		return false
	}
	if f.rest[name] {
		f.wantsREST = true
	} else if !slices.Contains(f.wanted, name) {
		f.wanted = append(f.wanted, name)
	}
	return true
}

var _ fs.FS = (*FS)(nil)
