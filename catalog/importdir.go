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
	"sync"
)

// Replacer replaces what sources declared; the store satisfies it.
type Replacer interface {
	ReplaceSource(ctx context.Context, source string, decl []Declared, opts ReplaceOptions) (ReplaceResult, error)
	ReplaceSources(ctx context.Context, batches []SourceBatch) ([]ReplaceResult, error)
	// PrepareSources and ReplacePrepared are ReplaceSources in two steps:
	// the first needs no database, so an import prepares one group while
	// the previous one is written.
	PrepareSources(batches []SourceBatch) (PreparedSources, error)
	ReplacePrepared(ctx context.Context, p PreparedSources) ([]ReplaceResult, error)
}

// Files are written to the store in groups, one transaction each: a commit
// per file would make a large import wait on the disk thousands of times.
const (
	importBatchFiles    = 300
	importBatchEntities = 300
)

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

	// Parsing runs a whole batch ahead of the writer, so the two cores share
	// the work: while one batch is written, the next is read and parsed. The
	// reader stops when ctx ends or the writer fails.
	type group struct {
		batches  []SourceBatch
		prepared PreparedSources
		err      error // preparing failed
		displays []string
		part     ImportReport // what reading the files found
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan group)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		var g group
		entities := 0
		for i, f := range files {
			b, display, ok := readCatalogFile(abs, f, &g.part)
			if ok {
				g.batches = append(g.batches, b)
				g.displays = append(g.displays, display)
				entities += len(b.Entities)
			}
			if len(g.batches) < importBatchFiles && entities < importBatchEntities && i < len(files)-1 {
				continue
			}
			if len(g.batches) > 0 {
				g.prepared, g.err = r.PrepareSources(g.batches)
			}
			select {
			case ch <- g:
			case <-ctx.Done():
				return
			}
			g, entities = group{}, 0
		}
	}()
	defer func() {
		cancel() // a writer that stopped early must not leave the reader blocked
		wg.Wait()
	}()

	for g := range ch {
		rep.Files += g.part.Files
		rep.Entities += g.part.Entities
		rep.Skipped = append(rep.Skipped, g.part.Skipped...)
		rep.Problems = append(rep.Problems, g.part.Problems...)
		if len(g.batches) == 0 {
			continue
		}
		if g.err != nil {
			return rep, fmt.Errorf("importing %s: %w", dir, g.err)
		}
		results, err := r.ReplacePrepared(ctx, g.prepared)
		if err != nil {
			return rep, fmt.Errorf("importing %s: %w", dir, err)
		}
		for i, res := range results {
			for j := range res.Conflicts {
				res.Conflicts[j].File = g.displays[i]
			}
			rep.Problems = append(rep.Problems, res.Conflicts...)
			rep.Added += len(res.Added)
			rep.Updated += len(res.Updated)
			rep.Unchanged += len(res.Unchanged)
			rep.Removed += len(res.Removed)
		}
	}
	return rep, ctx.Err()
}

// readCatalogFile parses one file into what its source should hold; ok is
// false for a file that holds no entities at all or cannot be read.
func readCatalogFile(root, path string, rep *ImportReport) (b SourceBatch, display string, ok bool) {
	display = path
	if rel, err := filepath.Rel(root, path); err == nil && root != path {
		display = rel
	}
	data, err := readBounded(path, MaxFileSize)
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{File: display, Message: err.Error()})
		return b, display, false
	}
	parsed, problems := ParseFile(display, data, dirResolver(root, filepath.Dir(path)))
	if len(parsed) == 0 && !IsCatalogFileName(path) && allNotEntity(problems) {
		rep.Skipped = append(rep.Skipped, display)
		return b, display, false
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
		decl = append(decl, Declared{Entity: e, Location: location, Line: p.Line})
	}
	rep.Entities += len(decl)
	rep.Problems = append(rep.Problems, problems...)
	return SourceBatch{Source: location, Entities: decl, Options: ReplaceOptions{KeepMissing: len(problems) > 0}}, display, true
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
