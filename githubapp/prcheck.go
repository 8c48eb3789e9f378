package githubapp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/check"
	"github.com/callboard/callboard/githubapp/repofs"
	"github.com/callboard/callboard/internal/ghapi"
	"github.com/google/go-github/v62/github"
)

// prTarget is one pull request to evaluate.
type prTarget struct {
	repo    repoInfo
	number  int    // 0 for a check suite with no pull request
	headSHA string // the commit evaluated
	baseRef string // branch the pull request merges into
	author  string
	// prAuthor is who opened the pull request, when the event says (a
	// re-run names only who asked for it).
	prAuthor    string
	installID   int64
	commentable bool
	// untrusted: the head may come from a fork (or from nobody known): its
	// catalog files are read only where the default branch's are, and
	// their placeholders are not resolved.
	untrusted bool
}

// prChecker runs the ownership and docs check on pull requests.
type prChecker struct {
	clients  *clients
	sync     *syncer // reads the repository's files, and what the catalog holds of it
	reader   Reader  // the catalog's owners
	comments prComments
	strict   bool
	baseURL  string // callboard's address, for links to the web view's pages
	usage    usageLog
	results  CheckResults // the latest check of each open pull request
}

// run checks one pull request (or commit) and records the use.
func (c *prChecker) run(ctx context.Context, log *slog.Logger, t prTarget) error {
	r, err := c.evaluate(ctx, t)
	if err != nil {
		return err
	}
	c.usage.record(ctx, log, catalog.UsageEvent{Plugin: catalog.PluginPRCheck, Action: "evaluate", Actor: t.author,
		Entity: t.repo.FullName, Outcome: r.Conclusion})
	if t.number > 0 {
		web := cmp.Or(strings.TrimRight(t.repo.HTMLURL, "/"), "https://github.com/"+t.repo.FullName)
		if err := c.results.record(ctx, t.repo.ID, catalog.PullRequestCheck{Repository: t.repo.FullName, Number: t.number,
			URL: fmt.Sprintf("%s/pull/%d", web, t.number), Author: t.prAuthor, Conclusion: r.Conclusion, At: c.usage.now()}); err != nil {
			return fmt.Errorf("recording the check of %s#%d: %w", t.repo.FullName, t.number, err)
		}
	}
	log.Info("pull request checked", "repository", t.repo.FullName, "pr", t.number, "sha", t.headSHA, "conclusion", r.Conclusion, "findings", len(r.Findings))
	return nil
}

// recheck evaluates a commit again, for each pull request it belongs to
// (or once, without a comment, when it belongs to none).
func (c *prChecker) recheck(ctx context.Context, log *slog.Logger, inst int64, repo *github.Repository, sha string, prs []*github.PullRequest, actor string) error {
	ri := infoOf(repo)
	if len(prs) == 0 {
		// A commit of no pull request GitHub names here: it may be a fork's.
		return c.run(ctx, log, prTarget{repo: ri, headSHA: sha, installID: inst, author: actor, untrusted: true})
	}
	for _, pr := range prs {
		t := prTarget{repo: ri, number: pr.GetNumber(), headSHA: sha, baseRef: pr.GetBase().GetRef(),
			installID: inst, author: actor, commentable: true,
			untrusted: pr.GetHead().GetRepo().GetID() != repo.GetID()}
		if err := c.run(ctx, log, t); err != nil {
			return err
		}
	}
	return nil
}

// evaluate reads what the checks need at the head, judges, and writes the
// check run and the comment.
func (c *prChecker) evaluate(ctx context.Context, t prTarget) (*check.Report, error) {
	gh, err := c.clients.Installation(t.installID)
	if err != nil {
		return nil, err
	}
	owner, name, _ := strings.Cut(t.repo.FullName, "/")
	head := repofs.New(ctx, gh, t.repo.FullName, t.headSHA)
	in := check.Input{Repository: t.repo.FullName, Description: t.repo.Description, CatalogPath: c.sync.root(), Strict: c.strict,
		BaseURL: c.baseURL}
	if err := c.readHead(ctx, head, t, &in); err != nil {
		return nil, err
	}
	if err := c.known(ctx, gh, owner, &in); err != nil {
		return nil, err
	}
	if in.Base, err = c.base(ctx, gh, t); err != nil {
		return nil, err
	}
	report := check.Evaluate(in)
	checksURL, err := c.writeCheckRun(ctx, gh, owner, name, t, report)
	if err != nil {
		return report, err
	}
	if t.commentable && t.number > 0 {
		if err := c.writeComment(ctx, gh, owner, name, t, report, checksURL); err != nil {
			return report, err
		}
	}
	return report, nil
}

// readHead reads what the check looks at in the head: its catalog files
// (a fork's head only where the default branch has them), CODEOWNERS, the
// README and the TechDocs folders.
func (c *prChecker) readHead(ctx context.Context, head *repofs.FS, t prTarget, in *check.Input) error {
	// The catalog file, the CODEOWNERS places and the README in one call.
	if err := c.sync.readAhead(head, readAll, "README.md"); err != nil {
		return err
	}
	opts := catalog.TreeOptions{Untrusted: t.untrusted}
	if t.untrusted {
		if stored, err := c.sync.store.RepositoryByID(ctx, t.repo.ID); err == nil {
			opts.Known = stored.CatalogFiles
		} else if !errors.Is(err, catalog.ErrNotFound) {
			return err
		}
	}
	// The row is a scratch copy: a pull request is checked, never ingested.
	// Its branch is the head commit, so that Location targets and
	// placeholders are read there too, not on the default branch.
	row := &catalog.Repository{GitHubID: t.repo.ID, FullName: t.repo.FullName, DefaultBranch: t.headSHA, HTMLURL: t.repo.HTMLURL}
	// A placeholder URL names the base branch; the head's file is read.
	opts.Repo = repoFile(row, head)
	opts.Repo.Base = t.baseRef
	_, parsed, err := c.sync.readCatalog(ctx, head, row, opts)
	if err != nil {
		return err
	}
	in.CatalogFound = row.CatalogStatus != catalog.StatusMissing
	in.Parsed, in.Problems = parsed, row.CatalogProblems

	p, data, tooLarge, err := catalog.FindCodeowners(head)
	if err != nil {
		return err
	}
	if p != "" && !tooLarge { // GitHub ignores one over the limit
		in.Codeowners = &check.File{Path: p, Content: data}
	}
	if in.Readme, err = readme(ctx, head, t.repo.FullName); err != nil {
		return err
	}
	return techDocs(head, in)
}

// readme is the README GitHub shows at head, nil when there is none.
func readme(ctx context.Context, head *repofs.FS, fullName string) (*check.File, error) {
	if data, ok := head.Prefetched("README.md"); ok {
		return &check.File{Path: "README.md", Content: data}, nil
	}
	// README.rst, docs/README.md, …: GitHub knows where it looks.
	owner, name, _ := strings.Cut(fullName, "/")
	fc, resp, err := head.Client().Repositories.GetReadme(ctx, owner, name, &github.RepositoryContentGetOptions{Ref: head.Branch()})
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the README of %s: %w", fullName, err)
	}
	body, err := fc.GetContent()
	if err != nil {
		return nil, ghapi.Permanent(fmt.Errorf("decoding the README of %s: %w", fullName, err))
	}
	return &check.File{Path: fc.GetPath(), Content: []byte(body)}, nil
}

// base is what the catalog held for the repository before the pull request:
// the stored entities when it merges into the default branch (the one the
// catalog follows) and the repository is known, else what the base branch
// declares.
func (c *prChecker) base(ctx context.Context, gh *github.Client, t prTarget) ([]*catalog.Entity, error) {
	st := c.sync.store
	ref := t.baseRef
	if ref == "" || ref == t.repo.DefaultBranch {
		_, err := st.RepositoryByID(ctx, t.repo.ID)
		if err == nil {
			return st.EntitiesOfSource(ctx, sourceOf(t.repo.ID))
		}
		if !errors.Is(err, catalog.ErrNotFound) {
			return nil, err
		}
		ref = t.repo.DefaultBranch
	}
	if ref == "" {
		return nil, nil
	}
	row := &catalog.Repository{GitHubID: t.repo.ID, FullName: t.repo.FullName, DefaultBranch: ref}
	decl, _, err := c.sync.readCatalog(ctx, repofs.New(ctx, gh, t.repo.FullName, ref), row, catalog.TreeOptions{})
	if err != nil {
		return nil, err
	}
	var out []*catalog.Entity
	for _, d := range decl {
		out = append(out, d.Entity)
	}
	return out, nil
}

// maxMkdocsReads bounds the mkdocs.yml files read for their docs_dir.
const maxMkdocsReads = 5

// techDocs fills what the head has in each folder a techdocs-ref points
// to. One listing of its files answers for every folder; a mkdocs.yml is
// read only where the default docs folder is absent, for the docs_dir it
// may name.
func techDocs(head fs.FS, in *check.Input) error {
	var dirs []string
	for _, p := range in.Parsed {
		if d, ok := check.TechDocsDir(p, in.CatalogPath); ok && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	paths, err := catalog.Files(head)
	if err != nil {
		return err
	}
	in.TechDocs = map[string]check.TechDocs{}
	if t, ok := head.(interface{ Truncated() bool }); ok && t.Truncated() {
		return nil // too large to list: the docs are not judged
	}
	l := &docsLister{head: head, files: map[string]bool{}}
	for _, p := range paths {
		l.files[p] = true
	}
	for _, d := range dirs {
		td, err := l.folder(d)
		if err != nil {
			return err
		}
		in.TechDocs[d] = td
	}
	return nil
}

// docsLister answers, from one listing of the head's files, what each
// techdocs folder has; it reads at most maxMkdocsReads mkdocs.yml files.
type docsLister struct {
	head  fs.FS
	files map[string]bool
	reads int
}

// folder is what the techdocs folder d has: a mkdocs.yml, and files in its
// docs folder (docs, or the docs_dir mkdocs.yml names).
func (l *docsLister) folder(d string) (check.TechDocs, error) {
	mkdocs := ""
	for _, n := range []string{"mkdocs.yml", "mkdocs.yaml"} {
		if l.files[path.Join(d, n)] {
			mkdocs = path.Join(d, n)
			break
		}
	}
	td := check.TechDocs{Mkdocs: mkdocs != "", DocsPath: path.Join(d, "docs")}
	if !td.Mkdocs {
		return td, nil
	}
	td.DocsDir = l.hasFileIn(td.DocsPath)
	if td.DocsDir || l.reads >= maxMkdocsReads {
		return td, nil
	}
	l.reads++
	data, err := catalog.ReadFile(l.head, mkdocs, 1<<20)
	var tl *catalog.TooLargeError
	if err != nil && !errors.As(err, &tl) && !errors.Is(err, fs.ErrNotExist) {
		return td, err
	}
	if dd := check.DocsDir(data); err == nil && dd != "" {
		td.DocsPath = path.Join(d, dd)
		td.DocsDir = l.hasFileIn(td.DocsPath)
	}
	return td, nil
}

func (l *docsLister) hasFileIn(dir string) bool {
	for f := range l.files {
		if dir == "." || strings.HasPrefix(f, dir+"/") {
			return true
		}
	}
	return false
}

// maxTeamLookups bounds the GitHub teams looked up for owners the catalog
// does not know.
const maxTeamLookups = 5

// known fills which owners exist (the catalog's groups and users, with
// their GitHub team, or else the organisation's GitHub teams) and the names
// for suggestions.
func (c *prChecker) known(ctx context.Context, gh *github.Client, org string, in *check.Input) error {
	st := c.reader
	in.KnownOwners = map[string]string{}
	missed := map[string]bool{}
	for _, p := range in.Parsed {
		ref, ok := p.Entity.OwnerRef()
		if !ok || missed[ref.String()] {
			continue
		}
		if _, done := in.KnownOwners[ref.String()]; done {
			continue
		}
		e, err := st.EntityWithoutRelations(ctx, ref)
		if err == nil {
			in.KnownOwners[ref.String()] = e.Metadata.Annotations[catalog.AnnotationTeamSlug]
			continue
		}
		if !errors.Is(err, catalog.ErrNotFound) {
			return err
		}
		missed[ref.String()] = true
		// A team made on GitHub moments ago may not be in the catalog yet.
		if strings.EqualFold(ref.Kind, "group") && ref.Namespace == catalog.DefaultNamespace && len(missed) <= maxTeamLookups {
			if err := githubTeam(ctx, gh, org, ref, in); err != nil {
				return err
			}
		}
	}
	names, err := st.Names(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		if strings.HasPrefix(n.Ref, "group:") || strings.HasPrefix(n.Ref, "user:") {
			in.OwnerNames = append(in.OwnerNames, n)
		}
	}
	return nil
}

// githubTeam records the owner ref as known when the organisation has a
// GitHub team of its name.
func githubTeam(ctx context.Context, gh *github.Client, org string, ref catalog.Ref, in *check.Input) error {
	team, resp, err := gh.Teams.GetTeamBySlug(ctx, org, ref.Name)
	switch {
	case err == nil:
		in.KnownOwners[ref.String()] = org + "/" + team.GetSlug()
	case resp != nil && resp.StatusCode == http.StatusNotFound:
	default:
		return fmt.Errorf("looking up team %s/%s: %w", org, ref.Name, err)
	}
	return nil
}
