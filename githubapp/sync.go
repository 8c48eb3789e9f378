package githubapp

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
)

// Store is what the GitHub handlers write to; the SQLite store satisfies it.
type Store interface {
	catalog.Replacer
	// SyncInstalledRepository and PutInstalledRepository record the
	// installation a repository was seen through (0: as stored).
	SyncInstalledRepository(ctx context.Context, inst int64, r *catalog.Repository, decl []catalog.Declared, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error)
	PutInstalledRepository(ctx context.Context, inst int64, r *catalog.Repository) error
	InstalledRepositories(ctx context.Context, inst int64) ([]string, error)
	Repository(ctx context.Context, fullName string) (*catalog.Repository, error)
	RepositoryByID(ctx context.Context, id int64) (*catalog.Repository, error)
	DeleteRepository(ctx context.Context, fullName string) ([]string, error)
	EntitiesOfSource(ctx context.Context, source string) ([]*catalog.Entity, error)
}

// maxTargets bounds the files one root Location may pull in.
const maxTargets = 200

// repoInfo is what a payload or the API says of a repository.
type repoInfo struct {
	ID            int64
	FullName      string
	DefaultBranch string
	Description   string
	HTMLURL       string
	Private       bool
	Archived      bool
	UpdatedAt     time.Time // archiving a repository updates it
}

func infoOf(r *github.Repository) repoInfo {
	return repoInfo{
		ID: r.GetID(), FullName: r.GetFullName(), DefaultBranch: r.GetDefaultBranch(), Description: r.GetDescription(),
		HTMLURL: r.GetHTMLURL(), Private: r.GetPrivate(), Archived: r.GetArchived(), UpdatedAt: r.GetUpdatedAt().Time,
	}
}

func (ri repoInfo) ref() repoRef {
	owner, name, _ := strings.Cut(ri.FullName, "/")
	return repoRef{owner: owner, name: name, branch: ri.DefaultBranch}
}

func sourceOf(id int64) string { return fmt.Sprintf("repo:%d", id) }

// syncer keeps the catalog's view of repositories and organisations current.
type syncer struct {
	store       Store
	catalogFile string
	graphql     string // GraphQL endpoint; "" reads through REST only
	now         func() time.Time
}

// readAhead reads, in one GraphQL call, the files a sync or a check will
// look at first (and extra ones). On any answer GraphQL cannot give, ref is
// returned as is and the files are read through REST.
func (s *syncer) readAhead(ctx context.Context, gh *github.Client, ref repoRef, parts readParts, extra ...string) (repoRef, error) {
	if s.graphql == "" {
		return ref, nil
	}
	var paths []string
	if parts.catalog {
		paths = append(paths, strings.TrimPrefix(s.catalogFile, "/"))
	}
	if parts.codeowners {
		paths = append(paths, catalog.CodeownersLocations...)
	}
	paths = append(paths, extra...)
	if len(paths) == 0 {
		return ref, nil
	}
	pf, err := prefetchFiles(ctx, gh, s.graphql, ref, paths)
	if err != nil {
		return ref, err
	}
	ref.cache = pf
	return ref, nil
}

// repoRow returns the stored row for a repository, or a new one, updated
// with what the event says about it.
func (s *syncer) repoRow(ctx context.Context, ri repoInfo) (*catalog.Repository, error) {
	r, err := s.store.RepositoryByID(ctx, ri.ID)
	if errors.Is(err, catalog.ErrNotFound) {
		r = newRepoRow(ri)
	} else if err != nil {
		return nil, err
	}
	applyInfo(r, ri)
	return r, nil
}

// newRepoRow is the row of a repository callboard has not stored yet.
func newRepoRow(ri repoInfo) *catalog.Repository {
	return &catalog.Repository{GitHubID: ri.ID, CatalogStatus: catalog.StatusMissing}
}

// applyInfo updates a repository's row with what an event says about it.
func applyInfo(r *catalog.Repository, ri repoInfo) {
	r.FullName = ri.FullName
	r.Source = sourceOf(ri.ID)
	r.Private = ri.Private
	r.Archived = ri.Archived
	if ri.DefaultBranch != "" {
		r.DefaultBranch = ri.DefaultBranch
	}
	if ri.Description != "" || r.Description == "" {
		r.Description = ri.Description
	}
	if ri.HTMLURL != "" {
		r.HTMLURL = ri.HTMLURL
	}
}

// what a sync reads
type readParts struct {
	catalog, codeowners bool
}

var readAll = readParts{catalog: true, codeowners: true}

// syncRepo reads a repository's catalog files and CODEOWNERS (the parts
// asked for) and stores what they say, in one transaction. An archived
// repository is recorded without reading anything, and leaves the catalog.
func (s *syncer) syncRepo(ctx context.Context, gh *github.Client, inst int64, ri repoInfo, parts readParts) (catalog.ReplaceResult, error) {
	row, err := s.repoRow(ctx, ri)
	if err != nil {
		return catalog.ReplaceResult{}, err
	}
	return s.syncRow(ctx, gh, inst, ri, row, parts)
}

// syncRow is syncRepo for a row already read and updated (repoRow); the
// row ends as stored, with its catalog status and problems.
func (s *syncer) syncRow(ctx context.Context, gh *github.Client, inst int64, ri repoInfo, row *catalog.Repository, parts readParts) (catalog.ReplaceResult, error) {
	if row.Archived {
		// Its entities leave the catalog; who owned them stays on the row.
		es, err := s.store.EntitiesOfSource(ctx, row.Source)
		if err != nil {
			return catalog.ReplaceResult{}, err
		}
		at := ri.UpdatedAt
		if at.IsZero() && s.now != nil {
			at = s.now()
		}
		row.RecordArchive(at, es)
		row.CatalogStatus = catalog.StatusMissing
		row.CatalogProblems, row.CatalogFiles = nil, nil
		return s.store.SyncInstalledRepository(ctx, inst, row, nil, catalog.ReplaceOptions{})
	}
	row.RecordArchive(time.Time{}, nil)
	ref := ri.ref()
	ref.branch = row.DefaultBranch
	ref, err := s.readAhead(ctx, gh, ref, parts)
	if err != nil {
		return catalog.ReplaceResult{}, err
	}
	if ref.cache != nil && row.DefaultBranch == "" {
		row.DefaultBranch = ref.cache.branch
	}
	if parts.codeowners {
		if err := s.readCodeowners(ctx, gh, ref, row); err != nil {
			return catalog.ReplaceResult{}, err
		}
		if ref.branch == "" {
			ref.branch = row.DefaultBranch
		}
	}
	if !parts.catalog {
		return catalog.ReplaceResult{}, s.store.PutInstalledRepository(ctx, inst, row)
	}
	decl, _, err := s.readCatalog(ctx, gh, ref, row)
	if err != nil {
		return catalog.ReplaceResult{}, err
	}
	return s.store.SyncInstalledRepository(ctx, inst, row, decl, catalog.ReplaceOptions{KeepMissing: row.CatalogStatus == catalog.StatusInvalid})
}

func (s *syncer) readCodeowners(ctx context.Context, gh *github.Client, ref repoRef, row *catalog.Repository) error {
	row.Codeowners, row.CodeownersPath = nil, ""
	p, data, branch, tooLarge, err := firstCodeowners(ctx, gh, ref)
	if err != nil {
		return err
	}
	if row.DefaultBranch == "" && branch != "" {
		row.DefaultBranch = branch
	}
	if tooLarge {
		row.CodeownersPath = p // recorded, though GitHub ignores it
		return nil
	}
	if p == "" {
		return nil
	}
	if c, err := catalog.ParseCodeowners(data); err == nil {
		row.Codeowners, row.CodeownersPath = c, p
	}
	return nil
}

// firstCodeowners reads the CODEOWNERS file GitHub uses: the first of its
// places that holds one (p is "" when none does). A file over the size
// limit ends the search, as on GitHub, which ignores it (tooLarge). branch
// is the branch the reads learned, when ref names none.
func firstCodeowners(ctx context.Context, gh *github.Client, ref repoRef) (p string, data []byte, branch string, tooLarge bool, err error) {
	for _, p := range catalog.CodeownersLocations {
		data, b, found, err := getFile(ctx, gh, ref, p, catalog.MaxCodeownersSize)
		if isTooLarge(err) {
			return p, nil, branch, true, nil
		}
		if err != nil {
			return "", nil, "", false, err
		}
		if branch == "" {
			branch = b
		}
		if found {
			return p, data, branch, false, nil
		}
	}
	return "", nil, branch, false, nil
}

// readCatalog reads the root catalog file and, when it is a Location, the
// files its targets name in the same repository.
// It also returns the parsed entities, with their lines, for the checks.
func (s *syncer) readCatalog(ctx context.Context, gh *github.Client, ref repoRef, row *catalog.Repository) ([]catalog.Declared, []*catalog.Parsed, error) {
	return s.walkCatalog(ctx, gh, ref, row, newWalk())
}

// walkCatalog is readCatalog within one walk's budget.
func (s *syncer) walkCatalog(ctx context.Context, gh *github.Client, ref repoRef, row *catalog.Repository, w *catalogWalk) ([]catalog.Declared, []*catalog.Parsed, error) {
	row.CatalogProblems, row.CatalogFiles = nil, nil
	root := strings.TrimPrefix(s.catalogFile, "/")
	data, branch, found, err := getFile(ctx, gh, ref, root, catalog.MaxFileSize)
	if isTooLarge(err) {
		row.CatalogPath, row.CatalogStatus = root, catalog.StatusInvalid
		row.CatalogProblems = []catalog.Problem{{File: root, Message: err.Error()}}
		row.CatalogFiles = []string{root}
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !found {
		row.CatalogPath, row.CatalogStatus = "", catalog.StatusMissing
		return nil, nil, nil
	}
	if row.DefaultBranch == "" {
		row.DefaultBranch = branch
	}
	ref.branch = row.DefaultBranch
	row.CatalogPath = root
	var decl []catalog.Declared
	var all []*catalog.Parsed
	var problems []catalog.Problem
	queue := []string{root}
	contents := map[string][]byte{root: data}
	seen := map[string]bool{}
	var tree []string
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		row.CatalogFiles = append(row.CatalogFiles, p)
		body, ok := contents[p]
		if !ok {
			if !w.mayRead() {
				problems = append(problems, w.overProblem(p))
				continue
			}
			b, found, err := w.read(ctx, gh, ref, p, catalog.MaxFileSize)
			switch {
			case isTooLarge(err):
				problems = append(problems, catalog.Problem{File: p, Message: err.Error()})
				continue
			case err != nil:
				return nil, nil, err
			case !found:
				problems = append(problems, catalog.Problem{File: p, Message: "a Location target names this file, but it does not exist on " + ref.branch})
				continue
			}
			body = b
		}
		parsed, probs := catalog.ParseFile(p, body, s.resolver(ctx, gh, ref, p, w))
		problems = append(problems, probs...)
		all = append(all, parsed...)
		for _, pe := range parsed {
			e := pe.Entity
			catalog.StampRepoEntity(e, row, p)
			decl = append(decl, catalog.Declared{Entity: e, Location: catalog.RepoLocation(row, p)})
			if !strings.EqualFold(e.Kind, "Location") {
				continue
			}
			targets := e.SpecStrings("targets")
			if t := e.SpecString("target"); t != "" {
				targets = append(targets, t)
			}
			for _, t := range targets {
				tp, ok := resolveTarget(p, t)
				if !ok {
					continue // another repository or a URL: not followed
				}
				if !w.follows(tp) {
					continue // a fork's head: only what the default branch names
				}
				if !hasGlob(tp) {
					queue = append(queue, tp)
					continue
				}
				// Kept with the files, so a push adding a matching file re-reads the repository.
				if !slices.Contains(row.CatalogFiles, tp) {
					row.CatalogFiles = append(row.CatalogFiles, tp)
				}
				if tree == nil {
					if tree, _, err = listTree(ctx, gh, ref); err != nil {
						return nil, nil, err
					}
				}
				for _, f := range tree {
					if ok, _ := path.Match(tp, f); ok && w.follows(f) {
						queue = append(queue, f)
					}
				}
			}
			if len(seen)+len(queue) > maxTargets {
				problems = append(problems, catalog.Problem{File: p, Message: fmt.Sprintf("Location targets name more than %d files; the rest are not read", maxTargets)})
				queue = nil
			}
		}
	}
	row.CatalogProblems = problems
	row.CatalogStatus = catalog.StatusRegistered
	if len(problems) > 0 {
		row.CatalogStatus = catalog.StatusInvalid
	}
	return decl, all, nil
}

// resolver reads $text/$json/$yaml placeholders from the same repository,
// within the walk's budget; a fork's head resolves none (they stay links).
func (s *syncer) resolver(ctx context.Context, gh *github.Client, ref repoRef, from string, w *catalogWalk) catalog.Resolver {
	return func(target string) ([]byte, error) {
		p, ok := resolveTarget(from, target)
		if !ok || w.untrusted {
			return nil, catalog.ErrNotFetched
		}
		if !w.mayRead() {
			return nil, fmt.Errorf("not read: %s", w.over)
		}
		b, found, err := w.read(ctx, gh, ref, p, 1<<20)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("%s does not exist", p)
		}
		if w.bytes -= len(b); w.bytes < 0 {
			w.over = fmt.Sprintf("the placeholders of these catalog files pull in more than %d MB", maxWalkBytes>>20)
			w.reads = 0
			return nil, fmt.Errorf("not read: %s", w.over)
		}
		return b, nil
	}
}

// touches reports which parts of a repository a set of changed paths
// concerns: its catalog files (and the globs its Location targets use), and
// the places GitHub reads CODEOWNERS from.
func (s *syncer) touches(row *catalog.Repository, paths []string) readParts {
	var parts readParts
	root := strings.TrimPrefix(s.catalogFile, "/")
	for _, p := range paths {
		if slices.Contains(catalog.CodeownersLocations, p) {
			parts.codeowners = true
		}
		if p == root || slices.Contains(row.CatalogFiles, p) {
			parts.catalog = true
		}
		for _, f := range row.CatalogFiles {
			if hasGlob(f) {
				if ok, _ := path.Match(f, p); ok {
					parts.catalog = true
				}
			}
		}
	}
	return parts
}
