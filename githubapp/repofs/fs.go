package repofs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/ghapi"
	"github.com/google/go-github/v62/github"
)

// FS is a repository at one revision. It is made for one operation (a
// sync, one side of a pull-request check) and carries that operation's
// context, which fs.FS has no place for; it is not safe for concurrent use.
type FS struct {
	ctx         context.Context
	gh          *github.Client
	owner, name string
	rev         string // branch or commit; "" the default branch
	ahead       *prefetch
	branch      string // the default branch, once a read said which it is
	tree        *listing

	// batch.go: reads put off while a backfill walks a batch of repositories
	deferring bool
	wanted    []string
	wantsREST bool
	rest      map[string]bool // files only REST reads whole
}

// listing is the revision's tree, once listed.
type listing struct {
	files     []string
	truncated bool
}

// New returns the repository fullName (org/repo) at rev ("" for the
// default branch), read with gh.
func New(ctx context.Context, gh *github.Client, fullName, rev string) *FS {
	owner, name, _ := strings.Cut(fullName, "/")
	return &FS{ctx: ctx, gh: gh, owner: owner, name: name, rev: rev}
}

// ReadAhead reads paths in one GraphQL call at endpoint ("" reads nothing
// ahead). When GraphQL cannot answer (an old GitHub Enterprise Server),
// the files are read through REST as usual; an error is one worth retrying.
func (f *FS) ReadAhead(endpoint string, paths []string) error {
	if endpoint == "" || len(paths) == 0 {
		return nil
	}
	pf, err := prefetchFiles(f.ctx, f.gh, endpoint, f.owner, f.name, f.rev, paths)
	if err != nil {
		return err
	}
	if pf != nil {
		f.ahead = pf
		if f.branch == "" {
			f.branch = pf.branch
		}
	}
	return nil
}

// ReadAheadDone reports whether ReadAhead got its answer from GraphQL.
func (f *FS) ReadAheadDone() bool { return f.ahead != nil }

// Client is the client the repository is read with.
func (f *FS) Client() *github.Client { return f.gh }

// Branch is the revision read: rev, or the default branch once a read
// said which it is ("" until then).
func (f *FS) Branch() string {
	if f.rev != "" {
		return f.rev
	}
	return f.branch
}

// Prefetched returns a file ReadAhead read, when it found one.
func (f *FS) Prefetched(name string) ([]byte, bool) {
	if f.ahead == nil {
		return nil, false
	}
	p, ok := f.ahead.files[name]
	return p.content, ok && p.found
}

// Open opens a file: from the read-ahead, else through the contents API.
// A folder opens as a folder, with no entries.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f.ahead != nil {
		if p, ok := f.ahead.files[name]; ok {
			if !p.found {
				return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
			}
			return &file{name: name, size: int64(p.size), content: func() ([]byte, error) { return p.content, nil }}, nil
		}
	}
	if f.deferred(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	fc, _, resp, err := f.gh.Repositories.GetContents(f.ctx, f.owner, f.name, name, &github.RepositoryContentGetOptions{Ref: f.Branch()})
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s in %s/%s: %w", name, f.owner, f.name, err)
	}
	if fc == nil {
		return &file{name: name, dir: true}, nil
	}
	if f.Branch() == "" {
		f.branch = f.branchOf(fc.GetHTMLURL(), name)
	}
	return &file{name: name, size: int64(fc.GetSize()), content: func() ([]byte, error) {
		s, err := fc.GetContent()
		if err != nil {
			return nil, ghapi.Permanent(fmt.Errorf("decoding %s in %s/%s: %w", name, f.owner, f.name, err))
		}
		return []byte(s), nil
	}}, nil
}

// branchOf reads the branch out of https://github.com/o/r/blob/BRANCH/path.
func (f *FS) branchOf(htmlURL, p string) string {
	prefix := "/" + f.owner + "/" + f.name + "/blob/"
	i := strings.Index(htmlURL, prefix)
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(htmlURL[i+len(prefix):], "/"+p)
}

// ReadFile reads a whole file.
func (f *FS) ReadFile(name string) ([]byte, error) {
	fl, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer fl.Close()
	return io.ReadAll(fl)
}

// Stat describes a file (it costs what Open costs).
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	fl, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	return fl.Stat()
}

// ListFiles lists every file of the revision (its blobs), in one call the
// first time. When GitHub lists only part of a large tree, it is that part
// (Truncated says so).
func (f *FS) ListFiles() ([]string, error) {
	if f.tree != nil {
		return f.tree.files, nil
	}
	t, _, err := f.gh.Git.GetTree(f.ctx, f.owner, f.name, f.Branch(), true)
	if err != nil {
		return nil, fmt.Errorf("listing %s/%s@%s: %w", f.owner, f.name, f.Branch(), err)
	}
	l := &listing{truncated: t.GetTruncated()}
	for _, e := range t.Entries {
		if e.GetType() == "blob" {
			l.files = append(l.files, e.GetPath())
		}
	}
	f.tree = l
	return l.files, nil
}

// Truncated reports whether GitHub listed only part of the tree.
func (f *FS) Truncated() bool { return f.tree != nil && f.tree.truncated }

// Glob matches the listed files by catalog.Glob's rules (** included).
func (f *FS) Glob(pattern string) ([]string, error) {
	if !doublestar.ValidatePattern(pattern) {
		return nil, path.ErrBadPattern
	}
	return catalog.Glob(f, pattern)
}

// file is one file (or folder) read.
type file struct {
	name    string
	size    int64
	dir     bool
	content func() ([]byte, error) // decoded on the first Read
	r       io.Reader
}

func (fl *file) Stat() (fs.FileInfo, error) { return info{fl}, nil }
func (fl *file) Close() error               { return nil }

func (fl *file) Read(b []byte) (int, error) {
	if fl.dir {
		return 0, &fs.PathError{Op: "read", Path: fl.name, Err: errors.New("is a folder")}
	}
	if fl.r == nil {
		data, err := fl.content()
		if err != nil {
			return 0, err
		}
		fl.r = bytes.NewReader(data)
	}
	return fl.r.Read(b)
}

// info describes a file read.
type info struct{ fl *file }

func (i info) Name() string       { return path.Base(i.fl.name) }
func (i info) Size() int64        { return i.fl.size }
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.fl.dir }
func (i info) Sys() any           { return nil }

func (i info) Mode() fs.FileMode {
	if i.fl.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
