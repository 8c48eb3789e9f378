package catalog

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
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
	abs, err := filepath.Abs(dir)
	if err != nil {
		return rep, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return rep, fmt.Errorf("reading %s: %w", dir, err)
	}
	rootDir, prefix := abs, FileSource(abs+string(filepath.Separator))
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			return rep, fmt.Errorf("reading %s: not a regular file or a folder", dir)
		}
		rootDir, prefix = filepath.Dir(abs), FileSource(abs)
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return rep, fmt.Errorf("reading %s: %w", dir, err)
	}
	defer root.Close()

	var files []string // slash-separated, relative to root
	if !info.IsDir() {
		files = []string{filepath.Base(abs)}
	} else if files, rep.NotRegular, err = listYAML(ctx, root); err != nil {
		return rep, fmt.Errorf("walking %s: %w", dir, err)
	}
	// A folder's own files before those of its subfolders, so a Template is
	// read before the skeleton folder beside it.
	slices.SortFunc(files, func(a, b string) int {
		da, fa := path.Split(a)
		db, fb := path.Split(b)
		if c := strings.Compare(da, db); c != 0 {
			return c
		}
		return strings.Compare(fa, fb)
	})
	im := &importer{fsys: dirFS{root}, rootDir: rootDir}
	// The files this import looked at, by source, with what writing them
	// did; kept by the writer (this goroutine).
	seen := seenFiles{seed: maphash.MakeSeed(), files: map[uint64]fileSeen{}}

	// Parsing runs a whole batch ahead of the writer, so the two cores share
	// the work: while one batch is written, the next is read and parsed. The
	// reader stops when ctx ends or the writer fails.
	type group struct {
		batches  []SourceBatch
		write    PreparedWrite
		err      error // preparing failed
		displays []string
		seen     []seenFile   // the files looked at
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
		for _, f := range g.seen {
			seen.set(f.source, fileSeen{read: f.read})
		}
		if len(g.batches) == 0 {
			continue
		}
		if g.err != nil {
			return rep, fmt.Errorf("importing %s: %w", dir, g.err)
		}
		results, err := g.write(ctx)
		if err != nil {
			return rep, fmt.Errorf("importing %s: %w", dir, err)
		}
		for i, res := range results {
			seen.set(g.batches[i].Source, fileSeen{read: true, entities: int32(len(g.batches[i].Entities)),
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
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	justAdded := im.lateSkeletons(&rep, seen, files)

	// What earlier imports of this folder declared in files that are gone
	// (or hold no entity now) goes.
	have, err := r.SourcesWithPrefix(ctx, prefix)
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

// listYAML walks root and returns its YAML files (slash-separated paths),
// and names the entries that are not regular files: symbolic links are not
// followed, a named pipe is never opened.
func listYAML(ctx context.Context, root *os.Root) (files []string, notRegular []Skipped, err error) {
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return fs.SkipDir
			}
			return nil
		}
		yamlName := isYAMLName(name)
		switch t := d.Type(); {
		case t.IsRegular():
			if yamlName {
				files = append(files, p)
			}
		case t&fs.ModeSymlink != 0:
			notRegular = append(notRegular, Skipped{File: filepath.FromSlash(p), Why: "symbolic link"})
		case yamlName:
			notRegular = append(notRegular, Skipped{File: filepath.FromSlash(p), Why: fileKind(t)})
		}
		return nil
	})
	return files, notRegular, err
}

func isYAMLName(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "not a regular file"
}

// seenFile is a file an import looked at: read, or not readable (it then
// keeps what it declared before).
type seenFile struct {
	source string
	read   bool
}

// fileSeen is what reading and writing one file did.
type fileSeen struct {
	read                                bool
	entities, added, updated, unchanged int32
}

// seenFiles are the files an import looked at, by a hash of their source:
// a large import keeps no second copy of every path.
type seenFiles struct {
	seed  maphash.Seed
	files map[uint64]fileSeen
}

func (s seenFiles) set(source string, f fileSeen) { s.files[maphash.String(s.seed, source)] = f }

func (s seenFiles) get(source string) (fileSeen, bool) {
	f, ok := s.files[maphash.String(s.seed, source)]
	return f, ok
}

func (s seenFiles) remove(source string) { delete(s.files, maphash.String(s.seed, source)) }

// importer reads one import's files, in order, on the reader goroutine.
type importer struct {
	fsys    fs.FS // the folder, as dirFS reads it
	rootDir string
	// skeletons are the folders (and files) that Templates read so far copy
	// as template content, relative to root, slash-separated.
	skeletons []string
}

// read parses one file into what its source should hold; ok is false for a
// file that holds no entity, is template content, or cannot be read.
func (im *importer) read(ctx context.Context, rel string, rep *ImportReport, seen *[]seenFile) (b SourceBatch, display string, ok bool) {
	display = filepath.FromSlash(rel)
	abs := filepath.Join(im.rootDir, display)
	location := FileSource(abs)
	if t := im.skeletonOf(rel); t != "" {
		rep.Skipped = append(rep.Skipped, Skipped{File: display, Why: "template content (" + t + ")"})
		return b, display, false
	}
	// The walker every catalog file goes through, the file alone: an import
	// reads every file of the folder by itself.
	tree, err := ReadTree(ctx, im.fsys, rel, TreeOptions{Folder: "the imported directory", NoTargets: true})
	if err == nil && !tree.Found {
		err = &fs.PathError{Op: "open", Path: rel, Err: fs.ErrNotExist} // gone since the folder was listed
	}
	if err != nil {
		*seen = append(*seen, seenFile{source: location}) // not read is not removed
		rep.Problems = append(rep.Problems, Problem{File: display, Message: err.Error()})
		return b, display, false
	}
	parsed, problems := make([]*Parsed, len(tree.Entities)), tree.Problems
	for i, te := range tree.Entities {
		parsed[i] = te.Parsed
	}
	for i := range problems {
		problems[i].File = filepath.FromSlash(problems[i].File)
	}
	if len(parsed) == 0 && !IsCatalogFileName(rel) && allNotEntity(problems) {
		rep.Skipped = append(rep.Skipped, Skipped{File: display, Why: "holds no entity"})
		return b, display, false
	}
	*seen = append(*seen, seenFile{source: location, read: true})
	rep.Files++
	decl := make([]Declared, 0, len(parsed))
	for _, p := range parsed {
		e := p.Entity
		if e.Metadata.Annotations == nil {
			e.Metadata.Annotations = map[string]string{}
		}
		e.Metadata.Annotations[AnnotationManagedByLocation] = location
		e.Metadata.Annotations[AnnotationManagedByOrigin] = location
		decl = append(decl, Declared{Entity: e, Location: location, Line: p.Line})
		for _, s := range SkeletonPaths(e) {
			// A skeleton that holds the template itself (url: .) or lies
			// outside the folder marks nothing.
			p := path.Join(path.Dir(rel), s)
			if p != ".." && !strings.HasPrefix(p, "../") && !under(rel, p) {
				im.skeletons = append(im.skeletons, p+"\x00"+e.Ref().String())
			}
		}
	}
	rep.Entities += len(decl)
	rep.Problems = append(rep.Problems, problems...)
	return SourceBatch{Source: location, Entities: decl, Options: ReplaceOptions{KeepMissing: len(problems) > 0}}, display, true
}

// display is how a file source of this import is shown: relative to the folder.
func (im *importer) display(source string) string {
	p := strings.TrimPrefix(source, "file:")
	if rel, err := filepath.Rel(im.rootDir, p); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return p
}

// skeletonOf returns the ref of the Template whose skeleton holds rel, or "".
func (im *importer) skeletonOf(rel string) string {
	for _, s := range im.skeletons {
		dir, ref, _ := strings.Cut(s, "\x00")
		if under(rel, dir) {
			return ref
		}
	}
	return ""
}

// under reports whether the slash-separated path rel is dir or inside it.
func under(rel, dir string) bool {
	return dir == "." || rel == dir || strings.HasPrefix(rel, dir+"/")
}

// lateSkeletons handles the files read before the Template whose skeleton
// holds them (a skeleton beside the template's folder rather than inside
// it): they are template content after all, so they leave seen (what they
// declared goes with the stale sources), their counts and problems leave
// the report, and it returns how many entities they added this time.
func (im *importer) lateSkeletons(rep *ImportReport, seen seenFiles, files []string) (added int) {
	if len(im.skeletons) == 0 {
		return 0
	}
	late := map[string]bool{}
	for _, rel := range files {
		t := im.skeletonOf(rel)
		if t == "" {
			continue
		}
		display := filepath.FromSlash(rel)
		source := FileSource(filepath.Join(im.rootDir, display))
		f, ok := seen.get(source)
		if !ok {
			continue // skipped when it was reached: the template came first
		}
		late[display] = true
		seen.remove(source)
		if f.read {
			rep.Files--
		}
		rep.Entities -= int(f.entities)
		rep.Added -= int(f.added)
		rep.Updated -= int(f.updated)
		rep.Unchanged -= int(f.unchanged)
		added += int(f.added)
		rep.Skipped = append(rep.Skipped, Skipped{File: display, Why: "template content (" + t + ")"})
	}
	if len(late) > 0 {
		rep.Problems = slices.DeleteFunc(rep.Problems, func(p Problem) bool { return late[p.File] })
	}
	return added
}

// SkeletonPaths returns the relative paths a Template's fetch steps copy
// (fetch:template, fetch:plain and their :file forms): template content
// that sits beside the template, not catalog files.
func SkeletonPaths(e *Entity) []string {
	if !strings.EqualFold(e.Kind, "Template") {
		return nil
	}
	steps, _ := e.Spec["steps"].([]any)
	var out []string
	for _, s := range steps {
		step, _ := s.(map[string]any)
		action, _ := step["action"].(string)
		if !strings.HasPrefix(action, "fetch:") {
			continue
		}
		input, _ := step["input"].(map[string]any)
		u, _ := input["url"].(string)
		if u == "" || strings.Contains(u, "://") || strings.Contains(u, "${{") || path.IsAbs(u) {
			continue
		}
		out = append(out, path.Clean(u))
	}
	return out
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

// errNotRegular refuses a name inside the folder that is not a regular file.
var errNotRegular = errors.New("not a regular file")

// dirFS is a folder on disk as an import reads it: only what is inside it
// (os.Root refuses a link out of it), and only regular files and folders.
// It opens without blocking, so a name that became a named pipe since the
// folder was listed is refused rather than waited on.
type dirFS struct{ root *os.Root }

func (d dirFS) Open(name string) (fs.File, error) {
	f, err := d.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errNotRegular}
	}
	return f, nil
}
