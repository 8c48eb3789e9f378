package catalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Replacer replaces what one source declared; the store satisfies it.
type Replacer interface {
	ReplaceSource(ctx context.Context, source string, decl []Declared, opts ReplaceOptions) (ReplaceResult, error)
}

// ImportReport says what an import did.
type ImportReport struct {
	Files                              int      // catalog files read
	Skipped                            []string // YAML files that hold no entity (OpenAPI documents, say)
	Entities                           int      // valid entities found
	Added, Updated, Unchanged, Removed int
	Problems                           []Problem
}

// IsCatalogFileName reports whether a file name is one callboard treats as a
// catalog file wherever it is: catalog-info.yaml and *.catalog.yaml.
func IsCatalogFileName(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	return base == "catalog-info.yaml" || base == "catalog-info.yml" ||
		strings.HasSuffix(base, ".catalog.yaml") || strings.HasSuffix(base, ".catalog.yml")
}

// ImportDir loads every catalog file under dir. Files named catalog-info.yaml
// or *.catalog.yaml must hold entities; other YAML files are read too and
// passed over when they hold no entity at all. Each file is its own source,
// replaced in one transaction: an entity removed from a file leaves the
// catalog, and a file with problems keeps what it declared before.
func ImportDir(ctx context.Context, r Replacer, dir string) (ImportReport, error) {
	var rep ImportReport
	abs, err := filepath.Abs(dir)
	if err != nil {
		return rep, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return rep, fmt.Errorf("reading %s: %w", dir, err)
	}
	var files []string
	if !info.IsDir() {
		files = []string{abs}
	} else {
		err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != abs && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
					return filepath.SkipDir
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(p))
			if ext == ".yaml" || ext == ".yml" {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("walking %s: %w", dir, err)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if err := importFile(ctx, r, abs, f, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func importFile(ctx context.Context, r Replacer, root, path string, rep *ImportReport) error {
	display := path
	if rel, err := filepath.Rel(root, path); err == nil && root != path {
		display = rel
	}
	data, err := readBounded(path, MaxFileSize)
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{File: display, Message: err.Error()})
		return nil
	}
	parsed, problems := ParseFile(display, data, dirResolver(root, filepath.Dir(path)))
	if len(parsed) == 0 && !IsCatalogFileName(path) && allNotEntity(problems) {
		rep.Skipped = append(rep.Skipped, display)
		return nil
	}
	rep.Files++
	location := "file:" + path
	decl := make([]Declared, 0, len(parsed))
	for _, p := range parsed {
		e := p.Entity
		if e.Metadata.Annotations == nil {
			e.Metadata.Annotations = map[string]string{}
		}
		e.Metadata.Annotations[AnnotationManagedByLocation] = location
		e.Metadata.Annotations[AnnotationManagedByOrigin] = location
		decl = append(decl, Declared{Entity: e, Location: location})
	}
	rep.Entities += len(decl)
	rep.Problems = append(rep.Problems, problems...)
	res, err := r.ReplaceSource(ctx, location, decl, ReplaceOptions{KeepMissing: len(problems) > 0})
	if err != nil {
		return fmt.Errorf("importing %s: %w", display, err)
	}
	for i := range res.Conflicts {
		res.Conflicts[i].File = display
	}
	rep.Problems = append(rep.Problems, res.Conflicts...)
	rep.Added += len(res.Added)
	rep.Updated += len(res.Updated)
	rep.Unchanged += len(res.Unchanged)
	rep.Removed += len(res.Removed)
	return nil
}

func allNotEntity(ps []Problem) bool {
	if len(ps) == 0 {
		return false
	}
	for _, p := range ps {
		if !p.NotEntity {
			return false
		}
	}
	return true
}

// readBounded reads a file, refusing one larger than limit without reading it all.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file is larger than the %d-byte limit", limit)
	}
	return data, nil
}

// dirResolver reads placeholder targets relative to the file, never outside
// root; URLs are not fetched.
func dirResolver(root, dir string) Resolver {
	return func(target string) ([]byte, error) {
		if strings.Contains(target, "://") {
			return nil, ErrNotFetched
		}
		p := filepath.Clean(filepath.Join(dir, filepath.FromSlash(target)))
		if p != root && !strings.HasPrefix(p, root+string(filepath.Separator)) {
			return nil, errors.New("the file is outside the imported directory")
		}
		return readBounded(p, maxPlaceholder)
	}
}
