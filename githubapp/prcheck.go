package githubapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/check"
	"github.com/google/go-github/v62/github"
)

// maxAnnotations is how many annotations GitHub takes in one request.
const maxAnnotations = 50

// prTarget is one pull request to evaluate.
type prTarget struct {
	repo        repoInfo
	number      int    // 0 for a check suite with no pull request
	headSHA     string // the commit evaluated
	baseRef     string // branch the pull request merges into
	author      string
	installID   int64
	htmlURL     string
	commentable bool
}

// prChecker runs the ownership and docs check on pull requests.
type prChecker struct {
	app    *App
	strict bool
}

// evaluate reads what the checks need at the head, judges, and writes the
// check run and the comment. It returns the API calls it made.
func (c *prChecker) evaluate(ctx context.Context, t prTarget) (*check.Report, error) {
	a := c.app
	gh, err := a.installationClient(t.installID)
	if err != nil {
		return nil, err
	}
	owner, name, _ := strings.Cut(t.repo.FullName, "/")
	head := repoRef{owner: owner, name: name, branch: t.headSHA}

	in := check.Input{Repository: t.repo.FullName, Description: t.repo.Description, CatalogPath: strings.TrimPrefix(a.cfg.CatalogFile, "/"), Strict: c.strict}
	// The row is a scratch copy: a pull request is checked, never ingested.
	row := &catalog.Repository{GitHubID: t.repo.ID, FullName: t.repo.FullName, DefaultBranch: t.repo.DefaultBranch}
	_, parsed, err := a.sync.readCatalog(ctx, gh, head, row)
	if err != nil {
		return nil, err
	}
	in.CatalogFound = row.CatalogStatus != catalog.StatusMissing
	in.Parsed, in.Problems = parsed, row.CatalogProblems

	for _, p := range catalog.CodeownersLocations {
		data, _, found, err := getFile(ctx, gh, head, p, catalog.MaxCodeownersSize)
		if err != nil && !isTooLarge(err) {
			return nil, err
		}
		if found {
			in.Codeowners = &check.File{Path: p, Content: data}
			break
		}
	}
	readme, _, err := gh.Repositories.GetReadme(ctx, owner, name, &github.RepositoryContentGetOptions{Ref: t.headSHA})
	var er *github.ErrorResponse
	switch {
	case err == nil:
		body, _ := readme.GetContent()
		in.Readme = &check.File{Path: readme.GetPath(), Content: []byte(body)}
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound:
	default:
		return nil, fmt.Errorf("reading the README of %s: %w", t.repo.FullName, err)
	}
	if techDocsDir(parsed) != "" {
		dir := techDocsDir(parsed)
		mk := strings.TrimPrefix(dir+"/mkdocs.yml", "./")
		_, _, found, err := getFile(ctx, gh, head, strings.TrimPrefix(mk, "/"), 1<<20)
		if err != nil && !isTooLarge(err) {
			return nil, err
		}
		in.MkdocsFound = found
		if found {
			_, dirContent, resp, err := gh.Repositories.GetContents(ctx, owner, name, strings.TrimPrefix(strings.TrimPrefix(dir+"/docs", "./"), "/"), &github.RepositoryContentGetOptions{Ref: t.headSHA})
			if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
				return nil, err
			}
			in.DocsDirFound = len(dirContent) > 0
		}
	}
	if err := c.known(ctx, &in); err != nil {
		return nil, err
	}
	if t.baseRef == "" || t.baseRef == t.repo.DefaultBranch {
		in.Base, err = a.sync.store.EntitiesOfSource(ctx, sourceOf(t.repo.ID))
		if err != nil {
			return nil, err
		}
	} else {
		base := *row
		decl, _, err := a.sync.readCatalog(ctx, gh, repoRef{owner: owner, name: name, branch: t.baseRef}, &base)
		if err != nil {
			return nil, err
		}
		for _, d := range decl {
			in.Base = append(in.Base, d.Entity)
		}
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

// techDocsDir is the folder backstage.io/techdocs-ref dir: points to, "" when unset.
func techDocsDir(ps []*catalog.Parsed) string {
	for _, p := range ps {
		ref := p.Entity.Metadata.Annotations[catalog.AnnotationTechDocsRef]
		if d, ok := strings.CutPrefix(ref, "dir:"); ok {
			d = strings.Trim(d, "/")
			if d == "" || d == "." {
				return "."
			}
			return d
		}
	}
	return ""
}

// known fills which owners exist (the catalog's groups and users, with
// their GitHub team) and the names for suggestions.
func (c *prChecker) known(ctx context.Context, in *check.Input) error {
	st := c.app.reader
	in.KnownOwners = map[string]string{}
	for _, p := range in.Parsed {
		ref, ok := p.Entity.OwnerRef()
		if !ok {
			continue
		}
		e, err := st.Entity(ctx, ref)
		if errors.Is(err, catalog.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		in.KnownOwners[ref.String()] = e.Metadata.Annotations[catalog.AnnotationTeamSlug]
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

// writeCheckRun creates the completed check run at the head commit, its
// annotations sent in batches of 50.
func (c *prChecker) writeCheckRun(ctx context.Context, gh *github.Client, owner, name string, t prTarget, r *check.Report) (string, error) {
	anns := r.Annotations()
	batch := func(i int) []*github.CheckRunAnnotation {
		var out []*github.CheckRunAnnotation
		for _, a := range anns[i:min(i+maxAnnotations, len(anns))] {
			out = append(out, &github.CheckRunAnnotation{
				Path: github.String(a.Path), StartLine: github.Int(a.Line), EndLine: github.Int(a.Line),
				AnnotationLevel: github.String(a.Level), Title: github.String(a.Title), Message: github.String(a.Message),
			})
		}
		return out
	}
	output := &github.CheckRunOutput{Title: github.String(r.Title()), Summary: github.String(r.Summary()), Annotations: batch(0)}
	run, _, err := gh.Checks.CreateCheckRun(ctx, owner, name, github.CreateCheckRunOptions{
		Name: check.CheckRunName, HeadSHA: t.headSHA, Status: github.String("completed"),
		Conclusion: github.String(r.Conclusion), Output: output,
	})
	if err != nil {
		return "", fmt.Errorf("creating the check run on %s@%s: %w", t.repo.FullName, t.headSHA, err)
	}
	for i := maxAnnotations; i < len(anns); i += maxAnnotations {
		_, _, err := gh.Checks.UpdateCheckRun(ctx, owner, name, run.GetID(), github.UpdateCheckRunOptions{
			Name:   check.CheckRunName,
			Output: &github.CheckRunOutput{Title: github.String(r.Title()), Summary: github.String(r.Summary()), Annotations: batch(i)},
		})
		if err != nil {
			return "", fmt.Errorf("adding annotations to the check run on %s: %w", t.repo.FullName, err)
		}
	}
	return run.GetHTMLURL(), nil
}

// writeComment keeps one comment per pull request, found by its marker and
// edited in place; a pull request that passes gets none unless one exists.
func (c *prChecker) writeComment(ctx context.Context, gh *github.Client, owner, name string, t prTarget, r *check.Report, checksURL string) error {
	db := c.app.deliveries.w
	var id int64
	err := db.QueryRowContext(ctx, `SELECT comment_id FROM pr_comments WHERE repository_id = ? AND number = ?`, t.repo.ID, t.number).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if id == 0 {
		// Not recorded (first run, or a database restored from backup): look for the marker.
		if id, err = findComment(ctx, gh, owner, name, t.number); err != nil {
			return err
		}
	}
	body := r.Comment(checksURL)
	if id != 0 {
		_, resp, err := gh.Issues.EditComment(ctx, owner, name, id, &github.IssueComment{Body: github.String(body)})
		if err == nil {
			return c.rememberComment(ctx, t, id)
		}
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			return fmt.Errorf("editing the comment on %s#%d: %w", t.repo.FullName, t.number, err)
		}
		// Someone deleted it: write a new one.
	}
	if r.Conclusion == check.Success {
		return nil
	}
	cm, _, err := gh.Issues.CreateComment(ctx, owner, name, t.number, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return fmt.Errorf("commenting on %s#%d: %w", t.repo.FullName, t.number, err)
	}
	return c.rememberComment(ctx, t, cm.GetID())
}

func (c *prChecker) rememberComment(ctx context.Context, t prTarget, id int64) error {
	_, err := c.app.deliveries.w.ExecContext(ctx, `INSERT INTO pr_comments (repository_id, number, comment_id) VALUES (?, ?, ?)
		ON CONFLICT (repository_id, number) DO UPDATE SET comment_id = excluded.comment_id`, t.repo.ID, t.number, id)
	return err
}

func findComment(ctx context.Context, gh *github.Client, owner, name string, number int) (int64, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		cs, resp, err := gh.Issues.ListComments(ctx, owner, name, number, opts)
		if err != nil {
			return 0, fmt.Errorf("listing comments on %s/%s#%d: %w", owner, name, number, err)
		}
		for _, cm := range cs {
			if strings.HasPrefix(cm.GetBody(), check.Marker) {
				return cm.GetID(), nil
			}
		}
		if resp.NextPage == 0 {
			return 0, nil
		}
		opts.Page = resp.NextPage
	}
}
