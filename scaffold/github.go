package scaffold

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/ghapi"
	"github.com/google/go-github/v62/github"
)

// GitHub is what the scaffolder asks of GitHub for one request, through
// the App's installation in the organisation being scaffolded into.
// Lookups of what does not exist answer catalog.ErrNotFound. Client
// answers all of it but what only the GitHub App can: Permissions and
// Register (githubapp adds them).
type GitHub interface {
	Repository(ctx context.Context, fullName string) (*Repo, error)
	// Files returns the files under a folder at a ref: src.RefPath is the
	// branch followed by the folder.
	Files(ctx context.Context, src Source) ([]File, error)
	// CreateRepository creates a repository with a first commit (GitHub's
	// Git data API does not write to an empty repository); ErrRepoExists
	// when the name is taken.
	CreateRepository(ctx context.Context, org string, r NewRepo) (*Repo, error)
	// Head returns a branch's commit and how many parents it has ("" when
	// the branch does not exist).
	Head(ctx context.Context, fullName, branch string) (sha string, parents int, err error)
	// Publish writes files as one parentless commit and points branch at it.
	Publish(ctx context.Context, fullName, branch string, files []File, message string) (string, error)
	SetDefaultBranch(ctx context.Context, fullName, branch, old string) error
	GrantTeam(ctx context.Context, org, slug, fullName, permission string) error
	// Comment creates a comment (id 0) or edits one; it returns its id.
	// Editing a comment that was deleted creates a new one.
	Comment(ctx context.Context, fullName string, number int, id int64, body string) (int64, error)
	// FindComment returns the id of the issue's first comment holding marker, or 0.
	FindComment(ctx context.Context, fullName string, number int, marker string) (int64, error)
	CloseIssue(ctx context.Context, fullName string, number int, label string) error
	// IsMember reports whether login is a member of the organisation.
	IsMember(ctx context.Context, org, login string) (bool, error)
	// InTeam reports whether login is an active member of the team org/slug.
	InTeam(ctx context.Context, org, slug, login string) (bool, error)
	// Permissions returns what the App's installation grants (contents:
	// write, …), so that a request the App could not finish is refused
	// before anything is created; nil when it is not known (not checked).
	Permissions(ctx context.Context) (map[string]string, error)
	// Register ingests a new repository's catalog file at once, as a push
	// to it would, without waiting for the webhook.
	Register(ctx context.Context, repo *Repo, catalogPath string) (Registered, error)
}

// Registered is what ingesting a new repository's catalog file gave.
type Registered struct {
	Refs     []string // the entities now in the catalog
	Problems []string // why the file, or some of it, was not ingested
}

// Repo is a GitHub repository.
type Repo struct {
	ID            int64
	FullName      string
	HTMLURL       string
	DefaultBranch string
	Description   string
	Private       bool
	CreatedAt     time.Time
}

// NewRepo is a repository to create.
type NewRepo struct {
	Name, Description, Visibility string
	Homepage                      string
}

// ErrRepoExists reports a repository name that is taken.
var ErrRepoExists = errors.New("a repository with that name exists")

// NewClient adapts a go-github client (an installation's) to GitHub, all
// but Permissions and Register. appID is the App's: FindComment takes only
// comments the App wrote for callboard's.
func NewClient(gh *github.Client, appID int64) *Client { return &Client{gh, appID} }

// Client is GitHub's API as the scaffolder uses it (see NewClient).
type Client struct {
	gh    *github.Client
	appID int64
}

func split(fullName string) (string, string) {
	o, n, _ := strings.Cut(fullName, "/")
	return o, n
}

func status(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

func repoOf(r *github.Repository) *Repo {
	return &Repo{ID: r.GetID(), FullName: r.GetFullName(), HTMLURL: r.GetHTMLURL(), DefaultBranch: r.GetDefaultBranch(),
		Description: r.GetDescription(), Private: r.GetPrivate(), CreatedAt: r.GetCreatedAt().Time}
}

func (c *Client) Repository(ctx context.Context, fullName string) (*Repo, error) {
	o, n := split(fullName)
	r, resp, err := c.gh.Repositories.Get(ctx, o, n)
	if status(resp) == http.StatusNotFound {
		return nil, fmt.Errorf("%w: repository %s", catalog.ErrNotFound, fullName)
	}
	if err != nil {
		return nil, fmt.Errorf("reading repository %s: %w", fullName, err)
	}
	return repoOf(r), nil
}

func (c *Client) CreateRepository(ctx context.Context, org string, r NewRepo) (*Repo, error) {
	req := &github.Repository{
		Name: github.String(r.Name), Description: github.String(r.Description), Visibility: github.String(r.Visibility),
		Private: github.Bool(r.Visibility != "public"), AutoInit: github.Bool(true),
	}
	if r.Homepage != "" {
		req.Homepage = github.String(r.Homepage)
	}
	created, resp, err := c.gh.Repositories.Create(ctx, org, req)
	if status(resp) == http.StatusUnprocessableEntity && strings.Contains(strings.ToLower(errorText(err)), "already exists") {
		return nil, fmt.Errorf("%w: %s/%s", ErrRepoExists, org, r.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("creating repository %s/%s: %w", org, r.Name, err)
	}
	return repoOf(created), nil
}

func errorText(err error) string {
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		return ""
	}
	s := er.Message
	for _, e := range er.Errors {
		s += " " + e.Message
	}
	return s
}

func (c *Client) Head(ctx context.Context, fullName, branch string) (string, int, error) {
	o, n := split(fullName)
	ref, resp, err := c.gh.Git.GetRef(ctx, o, n, "heads/"+branch)
	if s := status(resp); s == http.StatusNotFound || s == http.StatusConflict {
		return "", 0, nil // no such branch, or an empty repository
	}
	if err != nil {
		return "", 0, fmt.Errorf("reading %s@%s: %w", fullName, branch, err)
	}
	sha := ref.GetObject().GetSHA()
	commit, _, err := c.gh.Git.GetCommit(ctx, o, n, sha)
	if err != nil {
		return "", 0, fmt.Errorf("reading commit %s of %s: %w", sha, fullName, err)
	}
	return sha, len(commit.Parents), nil
}

func (c *Client) Publish(ctx context.Context, fullName, branch string, files []File, message string) (string, error) {
	o, n := split(fullName)
	entries := make([]*github.TreeEntry, 0, len(files))
	for _, f := range files {
		e := &github.TreeEntry{Path: github.String(f.Path), Mode: github.String(cmp.Or(f.Mode, ModeFile)), Type: github.String("blob")}
		if utf8.Valid(f.Content) && !binary(f.Content) {
			e.Content = github.String(string(f.Content))
		} else {
			blob, _, err := c.gh.Git.CreateBlob(ctx, o, n, &github.Blob{
				Content: github.String(base64.StdEncoding.EncodeToString(f.Content)), Encoding: github.String("base64"),
			})
			if err != nil {
				return "", fmt.Errorf("writing %s to %s: %w", f.Path, fullName, err)
			}
			e.SHA = blob.SHA
		}
		entries = append(entries, e)
	}
	tree, _, err := c.gh.Git.CreateTree(ctx, o, n, "", entries)
	if err != nil {
		return "", fmt.Errorf("writing the tree of %s: %w", fullName, err)
	}
	commit, _, err := c.gh.Git.CreateCommit(ctx, o, n, &github.Commit{Message: github.String(message), Tree: &github.Tree{SHA: tree.SHA}}, nil)
	if err != nil {
		return "", fmt.Errorf("writing the commit of %s: %w", fullName, err)
	}
	ref := &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: commit.SHA}}
	_, resp, err := c.gh.Git.GetRef(ctx, o, n, "heads/"+branch)
	if err != nil && status(resp) != http.StatusNotFound && status(resp) != http.StatusConflict {
		return "", fmt.Errorf("reading %s@%s: %w", fullName, branch, err)
	}
	if err != nil {
		_, _, err = c.gh.Git.CreateRef(ctx, o, n, ref)
	} else {
		// The branch holds GitHub's first commit (or this request's earlier
		// attempt): the new repository's history starts with this commit.
		_, _, err = c.gh.Git.UpdateRef(ctx, o, n, ref, true)
	}
	if err != nil {
		return "", fmt.Errorf("pointing %s@%s at the new commit: %w", fullName, branch, err)
	}
	return commit.GetSHA(), nil
}

func (c *Client) SetDefaultBranch(ctx context.Context, fullName, branch, old string) error {
	o, n := split(fullName)
	if _, _, err := c.gh.Repositories.Edit(ctx, o, n, &github.Repository{DefaultBranch: github.String(branch)}); err != nil {
		return fmt.Errorf("making %s the default branch of %s: %w", branch, fullName, err)
	}
	if old != "" && old != branch {
		resp, err := c.gh.Git.DeleteRef(ctx, o, n, "heads/"+old)
		if err != nil && status(resp) != http.StatusNotFound && status(resp) != http.StatusUnprocessableEntity {
			return fmt.Errorf("deleting the first branch %s of %s: %w", old, fullName, err)
		}
	}
	return nil
}

func (c *Client) GrantTeam(ctx context.Context, org, slug, fullName, permission string) error {
	o, n := split(fullName)
	_, err := c.gh.Teams.AddTeamRepoBySlug(ctx, org, slug, o, n, &github.TeamAddTeamRepoOptions{Permission: permission})
	if err != nil {
		return fmt.Errorf("giving %s/%s %s access to %s: %w", org, slug, permission, fullName, err)
	}
	return nil
}

func (c *Client) Comment(ctx context.Context, fullName string, number int, id int64, body string) (int64, error) {
	return ghapi.Sticky{GH: c.gh, AppID: c.appID, FullName: fullName, Number: number}.Write(ctx, id, body, true)
}

func (c *Client) FindComment(ctx context.Context, fullName string, number int, marker string) (int64, error) {
	return ghapi.Sticky{GH: c.gh, AppID: c.appID, FullName: fullName, Number: number, Marker: marker}.Find(ctx)
}

func (c *Client) IsMember(ctx context.Context, org, login string) (bool, error) {
	ok, _, err := c.gh.Organizations.IsMember(ctx, org, login)
	if err != nil {
		return false, fmt.Errorf("checking that %s is a member of %s: %w", login, org, err)
	}
	return ok, nil
}

func (c *Client) InTeam(ctx context.Context, org, slug, login string) (bool, error) {
	m, resp, err := c.gh.Teams.GetTeamMembershipBySlug(ctx, org, slug, login)
	if status(resp) == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("checking that %s is in the team %s/%s: %w", login, org, slug, err)
	}
	return m.GetState() == "active", nil
}

func (c *Client) CloseIssue(ctx context.Context, fullName string, number int, label string) error {
	o, n := split(fullName)
	if label != "" {
		if _, _, err := c.gh.Issues.AddLabelsToIssue(ctx, o, n, number, []string{label}); err != nil {
			return fmt.Errorf("labelling %s#%d: %w", fullName, number, err)
		}
	}
	if _, _, err := c.gh.Issues.Edit(ctx, o, n, number, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("completed")}); err != nil {
		return fmt.Errorf("closing %s#%d: %w", fullName, number, err)
	}
	return nil
}

// permanentError is a failure retrying cannot fix: the request stops and
// says why.
type permanentError struct{ msg string }

func (e permanentError) Error() string { return e.msg }

func permanentf(format string, args ...any) error {
	return permanentError{fmt.Sprintf(format, args...)}
}

// retryError is an error worth retrying although GitHub answered 4xx: a
// repository created a moment ago may not answer everywhere yet.
type retryError struct{ err error }

func (e retryError) Error() string { return e.err.Error() }
func (e retryError) Unwrap() error { return e.err }

// notThereYet reports GitHub's 404 or 409: what a new repository answers
// before its Git data is everywhere.
func notThereYet(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil &&
		(er.Response.StatusCode == http.StatusNotFound || er.Response.StatusCode == http.StatusConflict)
}

// Transient reports an error worth retrying: GitHub's 5xx, rate limits, a
// refused installation token (the delivery's worker decides whether it is
// final) and network failures, and anything that is not GitHub saying no
// (the database, say). A 4xx from GitHub, or a problem with the template,
// is not.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var pe permanentError
	if errors.As(err, &pe) || errors.Is(err, ErrRepoExists) {
		return false
	}
	var re retryError
	if errors.As(err, &re) {
		return true
	}
	f := ghapi.Classify(err, time.Now())
	if f.Kind == ghapi.Other {
		return !errors.Is(err, catalog.ErrNotFound)
	}
	return f.Transient() || f.Token
}
