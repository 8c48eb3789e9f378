package catalog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// TooLargeError refuses a file over a size limit, unread.
type TooLargeError struct {
	Path        string
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %d bytes; the limit is %d", e.Path, e.Size, e.Limit)
}

// ReadFile reads the file name of fsys, refusing one over limit bytes
// (*TooLargeError) without reading it. A folder is no file: fs.ErrNotExist.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	if info.Size() > limit {
		return nil, &TooLargeError{Path: name, Size: info.Size(), Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: name, Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// FileLister is an fs.FS that lists all its files at once (a repository
// read through GitHub's API lists its tree in one call): Files and Glob
// then use the list rather than walk its folders.
type FileLister interface {
	ListFiles() ([]string, error)
}

// Files lists every file of fsys (slash-separated paths).
func Files(fsys fs.FS) ([]string, error) {
	if l, ok := fsys.(FileLister); ok {
		return l.ListFiles()
	}
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// Glob returns the files of fsys a glob matches, in path order, by
// doublestar's rules:
// callboard's one glob semantics (* within a folder, ** across folders,
// ? one character, [...] a class). A malformed glob matches nothing.
func Glob(fsys fs.FS, pattern string) ([]string, error) {
	if l, ok := fsys.(FileLister); ok {
		files, err := l.ListFiles()
		if err != nil {
			return nil, err
		}
		var out []string
		for _, f := range files {
			if MatchGlob(pattern, f) {
				out = append(out, f)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	out, err := doublestar.Glob(fsys, pattern, doublestar.WithFilesOnly())
	if errors.Is(err, doublestar.ErrBadPattern) {
		return nil, nil
	}
	slices.Sort(out)
	return out, err
}

// MatchGlob reports whether the slash-separated path p matches pattern,
// by doublestar's rules (see Glob); a malformed pattern matches nothing.
func MatchGlob(pattern, p string) bool {
	ok, _ := doublestar.Match(pattern, p)
	return ok
}

// ValidGlob reports whether pattern is a well-formed glob (see Glob).
func ValidGlob(pattern string) bool { return doublestar.ValidatePattern(pattern) }

// HasGlob reports whether p is a glob rather than a path.
func HasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// NamesFile reports whether a catalog file path or a Location glob (as
// Tree.Files keeps them) names the file p.
func NamesFile(pathOrGlob, p string) bool {
	return pathOrGlob == p || HasGlob(pathOrGlob) && MatchGlob(pathOrGlob, p)
}

// resolveTarget turns a Location (or placeholder) target into a path of
// the tree relative to the file that names it; ok is false for a URL and
// for a path outside the tree.
func resolveTarget(from, target string) (string, bool) {
	if strings.Contains(target, "://") {
		return "", false
	}
	p := path.Clean(path.Join(path.Dir(from), target))
	if p == "." || strings.HasPrefix(p, "../") || p == ".." {
		return "", false
	}
	return strings.TrimPrefix(p, "/"), true
}

// FindCodeowners reads the CODEOWNERS file GitHub uses in fsys: the first
// of CodeownersLocations that holds one (p is "" when none does). A file
// over MaxCodeownersSize ends the search, as on GitHub, which then ignores
// it (tooLarge, with p and no data).
func FindCodeowners(fsys fs.FS) (p string, data []byte, tooLarge bool, err error) {
	for _, p := range CodeownersLocations {
		data, err := ReadFile(fsys, p, MaxCodeownersSize)
		var tl *TooLargeError
		switch {
		case errors.As(err, &tl):
			return p, nil, true, nil
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return "", nil, false, err
		}
		return p, data, false, nil
	}
	return "", nil, false, nil
}
