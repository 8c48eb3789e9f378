package catalog

import (
	"context"
	"hash/maphash"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

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
	decl := im.declare(rel, location, parsed)
	rep.Entities += len(decl)
	rep.Problems = append(rep.Problems, problems...)
	return SourceBatch{Source: location, Entities: decl, Options: ReplaceOptions{KeepMissing: len(problems) > 0}}, display, true
}

// declare makes the entities of the file rel, at location, what its source
// declares, and notes the skeletons of its Templates.
func (im *importer) declare(rel, location string, parsed []*Parsed) []Declared {
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
	return decl
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
