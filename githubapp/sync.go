package githubapp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/repofs"
	"github.com/google/go-github/v62/github"
)

// Store is what the GitHub handlers write to; the SQLite store satisfies it.
type Store interface {
	catalog.Replacer
	// SyncInstalledRepository and PutInstalledRepository record the
	// installation a repository was seen through (0: as stored).
	SyncInstalledRepository(ctx context.Context, inst int64, r *catalog.Repository, decl []catalog.Declared, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error)
	PutInstalledRepository(ctx context.Context, inst int64, r *catalog.Repository) error
	// SyncInstalledRepositories is SyncInstalledRepository for a batch, in
	// one transaction (a backfill's).
	SyncInstalledRepositories(ctx context.Context, inst int64, repos []*catalog.Repository, batch []catalog.SourceBatch) ([]catalog.ReplaceResult, error)
	InstalledRepositories(ctx context.Context, inst int64) ([]string, error)
	RepositoryByID(ctx context.Context, id int64) (*catalog.Repository, error)
	DeleteRepository(ctx context.Context, fullName string) ([]string, error)
	EntitiesOfSource(ctx context.Context, source string) ([]*catalog.Entity, error)
}

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

func sourceOf(id int64) string { return fmt.Sprintf("repo:%d", id) }

// syncer keeps the catalog's view of repositories and organisations current.
type syncer struct {
	store       Store
	catalogFile string
	graphql     string // GraphQL endpoint; "" reads through REST only
	now         func() time.Time
}

// readAhead reads, in one GraphQL call, the files a sync or a check will
// look at first (and extra ones).
func (s *syncer) readAhead(fsys *repofs.FS, parts readParts, extra ...string) error {
	var paths []string
	if parts.catalog {
		paths = append(paths, s.root())
	}
	if parts.codeowners {
		paths = append(paths, catalog.CodeownersLocations...)
	}
	return fsys.ReadAhead(s.graphql, append(paths, extra...))
}

// root is the repository's root catalog file.
func (s *syncer) root() string { return strings.TrimPrefix(s.catalogFile, "/") }

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
		return s.archived(ctx, inst, ri, row)
	}
	row.RecordArchive(time.Time{}, nil)
	fsys := repofs.New(ctx, gh, row.FullName, row.DefaultBranch)
	if err := s.readAhead(fsys, parts); err != nil {
		return catalog.ReplaceResult{}, err
	}
	if parts.codeowners {
		if err := readCodeowners(fsys, row); err != nil {
			return catalog.ReplaceResult{}, err
		}
	}
	if row.DefaultBranch == "" {
		row.DefaultBranch = fsys.Branch()
	}
	if !parts.catalog {
		return catalog.ReplaceResult{}, s.store.PutInstalledRepository(ctx, inst, row)
	}
	decl, _, err := s.readCatalog(ctx, fsys, row, catalog.TreeOptions{})
	if err != nil {
		return catalog.ReplaceResult{}, err
	}
	return s.store.SyncInstalledRepository(ctx, inst, row, decl, catalog.ReplaceOptions{KeepMissing: row.CatalogStatus == catalog.StatusInvalid})
}

// archived records an archived repository without reading anything: its
// entities leave the catalog; who owned them stays on the row.
func (s *syncer) archived(ctx context.Context, inst int64, ri repoInfo, row *catalog.Repository) (catalog.ReplaceResult, error) {
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

// readCodeowners records the CODEOWNERS file GitHub uses, and its rules.
func readCodeowners(fsys fs.FS, row *catalog.Repository) error {
	row.Codeowners, row.CodeownersPath = nil, ""
	p, data, tooLarge, err := catalog.FindCodeowners(fsys)
	if err != nil {
		return err
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

// repoFile names the repository a catalog file is read from, for the
// placeholders that name its files by URL (the default branch, or the
// revision fsys reads).
func repoFile(row *catalog.Repository, fsys *repofs.FS) *catalog.RepoFile {
	ref := fsys.Branch()
	if ref == "" {
		ref = row.DefaultBranch
	}
	return &catalog.RepoFile{
		WebURL: strings.TrimSuffix(row.URL(), "/"+row.FullName),
		Owner:  row.Org(),
		Repo:   row.Name(),
		Ref:    ref,
	}
}

// readCatalog reads the repository's catalog files (catalog.ReadTree from
// the root catalog file) into row (status, files, problems) and returns
// what they declare, stamped with where, and the parsed entities, with
// their lines, for the checks.
func (s *syncer) readCatalog(ctx context.Context, fsys *repofs.FS, row *catalog.Repository, opts catalog.TreeOptions) ([]catalog.Declared, []*catalog.Parsed, error) {
	row.CatalogProblems, row.CatalogFiles = nil, nil
	root := s.root()
	opts.Rev = fsys.Branch()
	if opts.Repo == nil {
		opts.Repo = repoFile(row, fsys)
	}
	tree, err := catalog.ReadTree(ctx, fsys, root, opts)
	var tl *catalog.TooLargeError
	switch {
	case errors.As(err, &tl):
		row.CatalogPath, row.CatalogStatus = root, catalog.StatusInvalid
		row.CatalogProblems = []catalog.Problem{{File: root, Message: err.Error()}}
		row.CatalogFiles = []string{root}
		return nil, nil, nil
	case err != nil:
		return nil, nil, err
	case !tree.Found:
		row.CatalogPath, row.CatalogStatus = "", catalog.StatusMissing
		return nil, nil, nil
	}
	if row.DefaultBranch == "" {
		row.DefaultBranch = fsys.Branch()
	}
	row.CatalogPath, row.CatalogFiles, row.CatalogProblems = root, tree.Files, tree.Problems
	row.CatalogStatus = catalog.StatusRegistered
	if len(tree.Problems) > 0 {
		row.CatalogStatus = catalog.StatusInvalid
	}
	decl := make([]catalog.Declared, 0, len(tree.Entities))
	parsed := make([]*catalog.Parsed, 0, len(tree.Entities))
	for _, te := range tree.Entities {
		catalog.StampRepoEntity(te.Entity, row, te.Path)
		decl = append(decl, catalog.Declared{Entity: te.Entity, Location: catalog.RepoLocation(row, te.Path), Line: te.Parsed.Line})
		parsed = append(parsed, te.Parsed)
	}
	return decl, parsed, nil
}

// touches reports which parts of a repository a set of changed paths
// concerns: its catalog files (and the globs its Location targets use), and
// the places GitHub reads CODEOWNERS from.
func (s *syncer) touches(row *catalog.Repository, paths []string) readParts {
	var parts readParts
	root := s.root()
	for _, p := range paths {
		if slices.Contains(catalog.CodeownersLocations, p) {
			parts.codeowners = true
		}
		if p == root || slices.ContainsFunc(row.CatalogFiles, func(f string) bool { return catalog.NamesFile(f, p) }) {
			parts.catalog = true
		}
	}
	return parts
}
