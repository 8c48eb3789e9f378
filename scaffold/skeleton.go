package scaffold

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold/nunjucks"
)

// Limits on a skeleton: what one request may read and write.
const (
	maxSkeletonFiles = 2000
	maxSkeletonBytes = 50 << 20
)

// File modes a new repository's files may have.
const (
	ModeFile       = "100644"
	ModeExecutable = "100755"
)

// File is one file: of a skeleton, or of the new repository.
type File struct {
	Path    string
	Content []byte
	Mode    string // ModeFile or ModeExecutable
	// literal is the path as the template wrote it, before rendering.
	literal string
}

// placedByAnswers reports a file an answer put under .github/workflows/: a
// template may ship workflows (they run with the repository's secrets), but
// an answer used as a path must not create one.
func placedByAnswers(f File) bool {
	return inWorkflows(f.Path) && !strings.Contains("/"+f.literal, "/"+workflowsDir)
}

// fetchOptions are fetch:template's inputs that shape the output.
type fetchOptions struct {
	targetPath        string
	literalTarget     string   // targetPath as the template wrote it
	copyWithout       []string // globs: copied without rendering the contents
	templateExtension string   // only files with it are rendered ("" = all)
}

// renderSkeleton renders a skeleton's files: their contents (unless binary,
// or matched by copyWithoutTemplating) and their paths. A file whose path
// renders to an empty segment is left out, as in Backstage.
func renderSkeleton(m *nunjucks.Meter, files []File, vars map[string]any, opts fetchOptions) ([]File, error) {
	for _, g := range opts.copyWithout {
		if !catalog.ValidGlob(strings.TrimPrefix(g, "./")) {
			return nil, fmt.Errorf("glob %q is malformed", g)
		}
	}
	var out []File
	for _, f := range files {
		p, err := m.RenderString(f.Path, vars)
		if err != nil {
			return nil, fmt.Errorf("rendering the path %s: %w", f.Path, err)
		}
		if skippedPath(p) {
			continue
		}
		render := !binary(f.Content) && !copiedAsIs(opts.copyWithout, f.Path)
		if opts.templateExtension != "" {
			if strings.HasSuffix(p, opts.templateExtension) {
				p = strings.TrimSuffix(p, opts.templateExtension)
			} else {
				render = false
			}
		}
		dst, err := cleanPath(path.Join(opts.targetPath, p))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		content := f.Content
		if render {
			s, err := m.RenderString(string(f.Content), vars)
			if err != nil {
				return nil, fmt.Errorf("rendering %s: %w", f.Path, err)
			}
			content = []byte(s)
		}
		out = append(out, File{Path: dst, Content: content, Mode: f.Mode, literal: path.Join(opts.literalTarget, f.Path)})
	}
	return out, nil
}

func skippedPath(p string) bool {
	if p == "" || strings.HasSuffix(p, "/") {
		return true
	}
	for _, seg := range strings.Split(p, "/") {
		if strings.TrimSpace(seg) == "" {
			return true
		}
	}
	return false
}

// cleanPath refuses paths that leave the repository.
func cleanPath(p string) (string, error) {
	c := path.Clean(p)
	if strings.HasPrefix(p, "/") || strings.Contains(p, "\x00") || c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("path %q is not inside the repository", p)
	}
	if c == ".git" || strings.HasPrefix(c, ".git/") {
		return "", fmt.Errorf("path %q is inside .git", p)
	}
	return c, nil
}

// binary reports content that is not text: it is copied as it is.
func binary(b []byte) bool {
	return bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b)
}

// copiedAsIs reports whether a copyWithoutTemplating glob names the
// skeleton path p, as Backstage's globby reads the glob (catalog.Glob's
// rules, a leading ./ ignored): a glob that names a folder names
// everything in it.
func copiedAsIs(globs []string, p string) bool {
	for _, g := range globs {
		g = strings.TrimPrefix(g, "./")
		if catalog.MatchGlob(g, p) || catalog.MatchGlob(g+"/**", p) {
			return true
		}
	}
	return false
}

// mergeFiles lays later files over earlier ones with the same path (several
// fetch steps write one workspace), and sorts them by path.
func mergeFiles(sets ...[]File) []File {
	byPath := map[string]File{}
	for _, set := range sets {
		for _, f := range set {
			byPath[f.Path] = f
		}
	}
	out := make([]File, 0, len(byPath))
	for _, f := range byPath {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// subtree returns the files under dir, with paths relative to it.
func subtree(files []File, dir string) []File {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	if dir == "" {
		return files
	}
	var out []File
	for _, f := range files {
		if rest, ok := strings.CutPrefix(f.Path, dir+"/"); ok {
			f.Path = rest
			out = append(out, f)
		}
	}
	return out
}
