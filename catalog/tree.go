package catalog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Limits on one read of a tree's catalog files (a sync, one side of a
// pull-request check, one imported file): Location targets and placeholder
// targets share one budget of reads, and the placeholders one budget of
// bytes, counted at each use (a file named by 600 placeholders is read
// once, but its content is used 600 times).
const (
	MaxTreeFiles = 200      // files a root file's Locations may name, and reads
	maxTreeBytes = 16 << 20 // bytes the placeholders may pull in
)

// TreeOptions tunes ReadTree.
type TreeOptions struct {
	// Rev names the revision fsys holds in problems ("main", a commit).
	Rev string
	// Untrusted is a fork's head: only the Location targets Known names
	// (paths and globs, as Tree.Files kept them from the default branch)
	// are followed, and no placeholder is resolved (it stays a link), so
	// that a stranger's pull request costs no more than the repository's
	// own files.
	Untrusted bool
	Known     []string
	// Folder is set when fsys is a folder on disk (callboard import):
	// problems name it ("the imported directory"), and a placeholder that
	// names a file outside it is a problem rather than a link.
	Folder string
	// NoTargets reads the root file alone: an import reads every file of
	// its folder by itself.
	NoTargets bool
	// Repo is the repository fsys holds (its Path is ignored): a
	// placeholder may then name a file of it by its GitHub URL, read as
	// the path it names (see ParseRepoFile). Without it a URL is refused.
	Repo *RepoFile
}

// Tree is what ReadTree read.
type Tree struct {
	// Found is false when the root file does not exist.
	Found bool
	// Files are the catalog files read, the root first, then the Location
	// targets, and the globs the targets use (a change to a file a glob
	// matches is a change to the catalog).
	Files []string
	// Entities are the entities read, each with the file that declares it.
	Entities []TreeEntity
	Problems []Problem
}

// TreeEntity is an entity read and the file that declares it.
type TreeEntity struct {
	Path string
	*Parsed
}

// ReadTree reads the catalog file root of fsys as Backstage does: when it
// holds a Location, the files its targets name in the same tree (relative
// paths, and globs by Glob's rules) are read too, within MaxTreeFiles, and
// so on; $text, $json and $yaml placeholders are read from the tree, within
// the budget. A missing root file is Found false; a root that cannot be
// read (too large: *TooLargeError) is an error, as is any read that fails
// for another reason than a missing or oversized file. Problems with the
// other files are Problems.
func ReadTree(ctx context.Context, fsys fs.FS, root string, opts TreeOptions) (*Tree, error) {
	data, err := ReadFile(fsys, root, MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return &Tree{}, nil
	}
	if err != nil {
		return nil, err
	}
	w := &treeWalk{
		fsys: fsys, opts: opts, root: root, rootData: data, reads: MaxTreeFiles, bytes: maxTreeBytes,
		seen: map[string]bool{}, queue: []string{root}, tree: &Tree{Found: true},
	}
	for len(w.queue) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := w.next(); err != nil {
			return nil, err
		}
	}
	return w.tree, nil
}

// treeWalk is one ReadTree: what it may still read, and what it read.
type treeWalk struct {
	fsys     fs.FS
	opts     TreeOptions
	root     string
	rootData []byte
	reads    int
	bytes    int
	over     string              // why the budget ran out, once it did
	cache    map[string]treeRead // made on the first read past the root
	seen     map[string]bool
	queue    []string
	tree     *Tree
}

// treeRead is a file read once by a walk: its content, or why not.
type treeRead struct {
	data []byte
	err  error
}

// next reads the next file of the queue and queues what its Locations name.
func (w *treeWalk) next() error {
	p := w.queue[0]
	w.queue = w.queue[1:]
	if w.seen[p] {
		return nil
	}
	w.seen[p] = true
	w.tree.Files = append(w.tree.Files, p)
	body, ok, err := w.file(p)
	if err != nil || !ok {
		return err
	}
	var parsed []*Parsed
	var problems []Problem
	if w.opts.Repo != nil {
		rf := *w.opts.Repo
		rf.Path = p
		parsed, problems = ParseRepoFile(rf, body, w.resolver(p))
	} else {
		parsed, problems = ParseFile(p, body, w.resolver(p))
	}
	w.tree.Problems = append(w.tree.Problems, problems...)
	for _, pe := range parsed {
		w.tree.Entities = append(w.tree.Entities, TreeEntity{Path: p, Parsed: pe})
		if w.opts.NoTargets || !strings.EqualFold(pe.Entity.Kind, "Location") {
			continue
		}
		if err := w.follow(p, pe.Entity); err != nil {
			return err
		}
		if len(w.seen)+len(w.queue) > MaxTreeFiles {
			w.problem(p, fmt.Sprintf("Location targets name more than %d files; the rest are not read", MaxTreeFiles))
			w.queue = nil
		}
	}
	return nil
}

// file is the content of a file of the queue; ok is false (and a problem
// says why) when it cannot be read.
func (w *treeWalk) file(p string) (body []byte, ok bool, err error) {
	if p == w.root {
		return w.rootData, true, nil
	}
	if !w.mayRead() {
		w.problem(p, "not read: "+w.over)
		return nil, false, nil
	}
	body, err = w.read(p, MaxFileSize)
	var tl *TooLargeError
	switch {
	case errors.As(err, &tl):
		w.problem(p, err.Error())
	case errors.Is(err, fs.ErrNotExist):
		w.problem(p, "a Location target names this file, but it does not exist on "+w.opts.Rev)
	case err != nil:
		return nil, false, err
	default:
		return body, true, nil
	}
	return nil, false, nil
}

func (w *treeWalk) problem(file, msg string) {
	w.tree.Problems = append(w.tree.Problems, Problem{File: file, Message: msg})
}

// follow queues the files a Location's targets name in the tree.
func (w *treeWalk) follow(from string, e *Entity) error {
	targets := e.SpecStrings("targets")
	if t := e.SpecString("target"); t != "" {
		targets = append(targets, t)
	}
	for _, t := range targets {
		tp, ok := resolveTarget(from, t)
		if !ok || !w.follows(tp) {
			continue // another repository or a URL, or not for a fork's head
		}
		if !HasGlob(tp) {
			w.queue = append(w.queue, tp)
			continue
		}
		if !slices.Contains(w.tree.Files, tp) {
			w.tree.Files = append(w.tree.Files, tp)
		}
		matches, err := Glob(w.fsys, tp)
		if err != nil {
			return err
		}
		for _, f := range matches {
			if w.follows(f) {
				w.queue = append(w.queue, f)
			}
		}
	}
	return nil
}

// follows reports whether the walk reads a Location target.
func (w *treeWalk) follows(p string) bool {
	return !w.opts.Untrusted || slices.ContainsFunc(w.opts.Known, func(k string) bool { return NamesFile(k, p) })
}

func (w *treeWalk) mayRead() bool {
	if w.reads > 0 {
		return true
	}
	if w.over == "" {
		w.over = fmt.Sprintf("the catalog files and their placeholders name more than %d files", MaxTreeFiles)
	}
	return false
}

// read reads a file once per walk; the walk's cache answers again.
func (w *treeWalk) read(p string, limit int64) ([]byte, error) {
	if f, ok := w.cache[p]; ok {
		return f.data, f.err
	}
	w.reads--
	data, err := ReadFile(w.fsys, p, limit)
	var tl *TooLargeError
	if err == nil || errors.As(err, &tl) || errors.Is(err, fs.ErrNotExist) {
		if w.cache == nil {
			w.cache = map[string]treeRead{}
		}
		w.cache[p] = treeRead{data: data, err: err}
	}
	return data, err
}

// resolver reads the $text/$json/$yaml placeholders of the file from,
// from the same tree and within the walk's budget.
func (w *treeWalk) resolver(from string) Resolver {
	return func(target string) ([]byte, error) {
		if strings.Contains(target, "://") || w.opts.Untrusted {
			return nil, ErrNotFetched
		}
		p, ok := resolveTarget(from, target)
		if !ok && w.opts.Folder != "" {
			return nil, fmt.Errorf("the file is outside %s", w.opts.Folder)
		}
		if !ok {
			return nil, ErrNotFetched // another repository's: it stays a link
		}
		if !w.mayRead() {
			return nil, fmt.Errorf("not read: %s", w.over)
		}
		b, err := w.read(p, maxPlaceholder)
		if err != nil {
			return nil, w.unread(p, err)
		}
		if w.bytes -= len(b); w.bytes < 0 {
			w.over = fmt.Sprintf("the placeholders of these catalog files pull in more than %d MB", maxTreeBytes>>20)
			w.reads = 0
			return nil, fmt.Errorf("not read: %s", w.over)
		}
		return b, nil
	}
}

// unread says why a placeholder's file could not be read.
func (w *treeWalk) unread(p string, err error) error {
	var pe *fs.PathError
	var tl *TooLargeError
	switch {
	case errors.As(err, &tl):
		return err
	case errors.Is(err, fs.ErrNotExist) && w.opts.Folder != "":
		return fmt.Errorf("no such file in %s", w.opts.Folder)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist", p)
	case errors.As(err, &pe) && w.opts.Folder != "":
		// os.Root's refusal of a link out of the folder, say.
		return fmt.Errorf("cannot be read inside %s: %v", w.opts.Folder, pe.Err)
	}
	return err
}
