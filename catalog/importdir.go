package catalog

import (
	"context"
	"fmt"
	"hash/maphash"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Replacer replaces what sources declared; the store satisfies it.
type Replacer interface {
	ReplaceSource(ctx context.Context, source string, decl []Declared, opts ReplaceOptions) (ReplaceResult, error)
	ReplaceSources(ctx context.Context, batches []SourceBatch) ([]ReplaceResult, error)
}

// ImportStore is what an import writes to: sources replaced, and the
// sources an earlier import of the same folder left behind found and removed.
type ImportStore interface {
	Replacer
	// PrepareSources is ReplaceSources in two steps: it readies batches
	// without the database, and returns the write that replaces them, so
	// an import readies one group while the one before is written.
	PrepareSources(batches []SourceBatch) (PreparedWrite, error)
	// SourcesWithPrefix lists the sources whose name starts with prefix.
	SourcesWithPrefix(ctx context.Context, prefix string) ([]string, error)
	// RemoveSources removes every entity of sources in one transaction and
	// returns their refs.
	RemoveSources(ctx context.Context, sources []string) ([]string, error)
}

// Files are written to the store in groups, one transaction each: a commit
// per file would make a large import wait on the disk thousands of times.
const (
	importBatchFiles    = 300
	importBatchEntities = 300
)

// ImportReport says what an import did.
type ImportReport struct {
	Files    int       // catalog files read
	Skipped  []Skipped // YAML files read that hold no entity, and template content, not read
	Entities int       // valid entities found
	// NotRegular are entries inside the folder that are not regular files
	// (symbolic links, named pipes, devices): never read.
	NotRegular                         []Skipped
	Added, Updated, Unchanged, Removed int
	Problems                           []Problem
}

// Skipped is a file an import passed over, and why.
type Skipped struct {
	File string // as shown: relative to the imported folder
	Why  string
}

// IsCatalogFileName reports whether a file name is one callboard treats as a
// catalog file wherever it is: catalog-info.yaml and *.catalog.yaml.
func IsCatalogFileName(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	return base == "catalog-info.yaml" || base == "catalog-info.yml" ||
		strings.HasSuffix(base, ".catalog.yaml") || strings.HasSuffix(base, ".catalog.yml")
}

// FileSource is the source (and location) of the entities a file declares
// when it is imported: file: and its absolute path.
func FileSource(abs string) string { return "file:" + abs }

// ImportDir loads every catalog file under dir (or the file dir names).
// Files named catalog-info.yaml or *.catalog.yaml must hold entities; other
// YAML files are read too and passed over when they hold no entity at all.
// Each file is its own source: an entity removed from a file leaves the
// catalog, and a file with problems keeps what it declared before.
//
// The import replaces what earlier imports of dir (or of a folder inside it)
// declared: a file that is gone, or holds no entity any more, takes its
// entities with it. Only regular files inside dir are read (os.Root): a
// symbolic link, a named pipe or a device is skipped and named. The files
// under a Template's skeleton (what its fetch:template step copies) are
// template content, not catalog files, and are not read.
func ImportDir(ctx context.Context, r ImportStore, dir string) (ImportReport, error) {
	var rep ImportReport
	src, err := openImport(ctx, dir, &rep)
	if err != nil {
		return rep, err
	}
	defer src.root.Close()
	im := &importer{fsys: dirFS{src.root}, rootDir: src.rootDir}
	// The files this import looked at, by source, with what writing them
	// did; kept by the writer (this goroutine).
	seen := seenFiles{seed: maphash.MakeSeed(), files: map[uint64]fileSeen{}}
	if err := im.readAndWrite(ctx, r, dir, src.files, &rep, seen); err != nil {
		return rep, err
	}
	justAdded := im.lateSkeletons(&rep, seen, src.files)

	// What earlier imports of this folder declared in files that are gone
	// (or hold no entity now) goes.
	have, err := r.SourcesWithPrefix(ctx, src.prefix)
	if err != nil {
		return rep, fmt.Errorf("importing %s: %w", dir, err)
	}
	var gone []string
	for _, s := range have {
		if _, ok := seen.get(s); !ok {
			gone = append(gone, s)
		}
	}
	if len(gone) > 0 {
		removed, err := r.RemoveSources(ctx, gone)
		if err != nil {
			return rep, fmt.Errorf("importing %s: removing what files no longer declare: %w", dir, err)
		}
		// What the late skeleton files added this time was not there before.
		rep.Removed += len(removed) - justAdded
	}
	return rep, nil
}

// importSource is what an import reads: a folder (or the folder of the one
// file it names) and the YAML files in it.
type importSource struct {
	root    *os.Root
	rootDir string
	prefix  string   // the sources of its files start with this
	files   []string // slash-separated, relative to root, in the order they are read
}

// openImport opens dir (or the folder of the file dir names) and lists its
// YAML files; the entries that are not regular files go in rep.
func openImport(ctx context.Context, dir string, rep *ImportReport) (*importSource, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	src := &importSource{rootDir: abs, prefix: FileSource(abs + string(filepath.Separator))}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("reading %s: not a regular file or a folder", dir)
		}
		src.rootDir, src.prefix = filepath.Dir(abs), FileSource(abs)
	}
	if src.root, err = os.OpenRoot(src.rootDir); err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	if !info.IsDir() {
		src.files = []string{filepath.Base(abs)}
	} else if src.files, rep.NotRegular, err = listYAML(ctx, src.root); err != nil {
		src.root.Close()
		return nil, fmt.Errorf("walking %s: %w", dir, err)
	}
	// A folder's own files before those of its subfolders, so a Template is
	// read before the skeleton folder beside it.
	slices.SortFunc(src.files, func(a, b string) int {
		da, fa := path.Split(a)
		db, fb := path.Split(b)
		if c := strings.Compare(da, db); c != 0 {
			return c
		}
		return strings.Compare(fa, fb)
	})
	return src, nil
}

// importGroup is files read and parsed, written in one transaction.
type importGroup struct {
	batches  []SourceBatch
	write    PreparedWrite
	err      error // preparing failed
	displays []string
	seen     []seenFile   // the files looked at
	part     ImportReport // what reading the files found
}

// readAndWrite reads the files and writes what they declare. Parsing runs
// a whole group ahead of the writer, so the two cores share the work:
// while one group is written, the next is read and parsed. The reader
// stops when ctx ends or the writer fails.
func (im *importer) readAndWrite(ctx context.Context, r ImportStore, dir string, files []string, rep *ImportReport, seen seenFiles) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	groups := make(chan importGroup)
	var g errgroup.Group
	g.Go(func() error {
		defer close(groups)
		im.readGroups(ctx, r, files, groups)
		return nil
	})
	defer func() {
		cancel() // a writer that stopped early must not leave the reader blocked
		g.Wait()
	}()
	for grp := range groups {
		if err := im.writeGroup(ctx, grp, rep, seen); err != nil {
			return fmt.Errorf("importing %s: %w", dir, err)
		}
	}
	return ctx.Err()
}

// readGroups reads files into groups of up to importBatchFiles files or
// importBatchEntities entities and sends each, prepared, on groups.
func (im *importer) readGroups(ctx context.Context, r ImportStore, files []string, groups chan<- importGroup) {
	var g importGroup
	entities := 0
	for i, f := range files {
		if ctx.Err() != nil {
			return
		}
		b, display, ok := im.read(ctx, f, &g.part, &g.seen)
		if ok {
			g.batches = append(g.batches, b)
			g.displays = append(g.displays, display)
			entities += len(b.Entities)
		}
		if len(g.batches) < importBatchFiles && entities < importBatchEntities && i < len(files)-1 {
			continue
		}
		if len(g.batches) > 0 {
			g.write, g.err = r.PrepareSources(g.batches)
		}
		select {
		case groups <- g:
		case <-ctx.Done():
			return
		}
		g, entities = importGroup{}, 0
	}
}

// writeGroup writes one group and adds what reading and writing it did to rep.
func (im *importer) writeGroup(ctx context.Context, g importGroup, rep *ImportReport, seen seenFiles) error {
	rep.Files += g.part.Files
	rep.Entities += g.part.Entities
	rep.Skipped = append(rep.Skipped, g.part.Skipped...)
	rep.Problems = append(rep.Problems, g.part.Problems...)
	for _, f := range g.seen {
		seen.set(f.source, fileSeen{read: f.read})
	}
	if len(g.batches) == 0 {
		return nil
	}
	if g.err != nil {
		return g.err
	}
	results, err := g.write(ctx)
	if err != nil {
		return err
	}
	for i, res := range results {
		b := g.batches[i]
		seen.set(b.Source, fileSeen{read: true, entities: int32(len(b.Entities)),
			added: int32(len(res.Added)), updated: int32(len(res.Updated)), unchanged: int32(len(res.Unchanged))})
		for j, c := range res.Conflicts {
			res.Conflicts[j].File = g.displays[i]
			if _, ok := seen.get(c.DeclaredBy); ok {
				// Both files are in this folder: unregistering one would not help.
				res.Conflicts[j].Message = fmt.Sprintf("%s is also declared by %s; keep one of the two",
					c.Entity, im.display(c.DeclaredBy))
			}
		}
		rep.Problems = append(rep.Problems, res.Conflicts...)
		rep.Added += len(res.Added)
		rep.Updated += len(res.Updated)
		rep.Unchanged += len(res.Unchanged)
		rep.Removed += len(res.Removed)
	}
	return nil
}
