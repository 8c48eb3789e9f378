package onboarding

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/internal/ghapi"
	"github.com/google/go-github/v62/github"
)

// Clients gives GitHub clients: the App's own and one per installation
// (githubapp.App does, counted and with its tokens).
type Clients interface {
	AppClient() (*github.Client, error)
	InstallationClient(id int64) (*github.Client, error)
}

// Installation is one installation of the App.
type Installation struct {
	ID      int64
	Account string
}

// Repo is a repository as GitHub lists it.
type Repo struct {
	ID            int64
	FullName      string
	DefaultBranch string
	Description   string
	Topics        []string
	Language      string
	Homepage      string
	Fork          bool
	Archived      bool
	Size          int // KB; 0 for an empty repository
	PushedAt      time.Time
	CreatedAt     time.Time
}

// Head is a branch's head commit and tree.
type Head struct {
	Commit, Tree string
}

// PullRequest is what onboarding reads of a pull request.
type PullRequest struct {
	Number  int
	URL     string
	State   string // open, closed
	Merged  bool
	HeadSHA string
	Created time.Time
	Closed  time.Time
}

// errBranchExists is GitHub refusing to create a branch that exists.
var errBranchExists = errors.New("the branch exists")

// GitHubAPI is the GitHub adapter onboarding uses, over go-github.
type GitHubAPI struct {
	c Clients

	mu   sync.Mutex
	rate map[int64]int // installation -> the rate budget left, as GitHub last said (-1: unknown)
}

// NewGitHub returns the adapter over c.
func NewGitHub(c Clients) *GitHubAPI { return &GitHubAPI{c: c, rate: map[int64]int{}} }

func (g *GitHubAPI) client(inst int64) (*github.Client, error) { return g.c.InstallationClient(inst) }

// saw notes the rate budget a response reports.
func (g *GitHubAPI) saw(inst int64, resp *github.Response) {
	if resp == nil || resp.Rate.Limit == 0 {
		return
	}
	g.mu.Lock()
	g.rate[inst] = resp.Rate.Remaining
	g.mu.Unlock()
}

// Installations lists the App's installations.
func (g *GitHubAPI) Installations(ctx context.Context) ([]Installation, error) {
	app, err := g.c.AppClient()
	if err != nil {
		return nil, err
	}
	var out []Installation
	opts := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := app.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing installations: %w", err)
		}
		for _, in := range list {
			out = append(out, Installation{ID: in.GetID(), Account: in.GetAccount().GetLogin()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Repositories lists an installation's repositories (100 a call).
func (g *GitHubAPI) Repositories(ctx context.Context, inst int64) ([]Repo, error) {
	gh, err := g.client(inst)
	if err != nil {
		return nil, err
	}
	var out []Repo
	opts := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := gh.Apps.ListRepos(ctx, opts)
		g.saw(inst, resp)
		if err != nil {
			return nil, fmt.Errorf("listing the repositories of installation %d: %w", inst, err)
		}
		for _, r := range list.Repositories {
			out = append(out, Repo{ID: r.GetID(), FullName: r.GetFullName(), DefaultBranch: r.GetDefaultBranch(),
				Description: r.GetDescription(), Topics: r.Topics, Language: r.GetLanguage(), Homepage: r.GetHomepage(),
				Fork: r.GetFork(), Archived: r.GetArchived(), Size: r.GetSize(), PushedAt: r.GetPushedAt().Time, CreatedAt: r.GetCreatedAt().Time})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// RateRemaining is the installation's rate budget left: as the last
// response said, else asked (GET /rate_limit, which GitHub does not count).
func (g *GitHubAPI) RateRemaining(ctx context.Context, inst int64) (int, error) {
	g.mu.Lock()
	n, ok := g.rate[inst]
	g.mu.Unlock()
	if ok {
		return n, nil
	}
	gh, err := g.client(inst)
	if err != nil {
		return 0, err
	}
	lim, _, err := gh.RateLimit.Get(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the rate limit: %w", err)
	}
	g.mu.Lock()
	g.rate[inst] = lim.GetCore().Remaining
	g.mu.Unlock()
	return lim.GetCore().Remaining, nil
}

// TeamRepos lists the repositories a team has access to, with the
// highest permission on each (lower-case org/repo).
func (g *GitHubAPI) TeamRepos(ctx context.Context, inst int64, org, slug string) (map[string]string, error) {
	gh, err := g.client(inst)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	opts := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := gh.Teams.ListTeamReposBySlug(ctx, org, slug, opts)
		g.saw(inst, resp)
		if ghapi.Classify(err, time.Now()).Kind == ghapi.NotFound {
			return out, nil // the team is gone
		}
		if err != nil {
			return nil, fmt.Errorf("listing the repositories of team %s/%s: %w", org, slug, err)
		}
		for _, r := range list {
			out[strings.ToLower(r.GetFullName())] = highest(r.GetPermissions())
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

func highest(p map[string]bool) string {
	for _, level := range []string{"admin", "maintain", "push", "triage", "pull"} {
		if p[level] {
			return level
		}
	}
	return ""
}

// Head reads a branch's head commit and its tree.
func (g *GitHubAPI) Head(ctx context.Context, inst int64, repo, branch string) (Head, error) {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return Head{}, err
	}
	b, resp, err := gh.Repositories.GetBranch(ctx, owner, name, branch, 0)
	g.saw(inst, resp)
	if err != nil {
		return Head{}, fmt.Errorf("reading branch %s of %s: %w", branch, repo, err)
	}
	return Head{Commit: b.GetCommit().GetSHA(), Tree: b.GetCommit().GetCommit().GetTree().GetSHA()}, nil
}

// Files lists the paths of a tree (recursively) that WhatFiles keeps.
func (g *GitHubAPI) Files(ctx context.Context, inst int64, repo, tree string) ([]string, error) {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return nil, err
	}
	t, resp, err := gh.Git.GetTree(ctx, owner, name, tree, true)
	g.saw(inst, resp)
	if err != nil {
		return nil, fmt.Errorf("listing the files of %s: %w", repo, err)
	}
	var out []string
	for _, e := range t.Entries {
		if WhatFiles(e.GetPath()) {
			out = append(out, e.GetPath())
		}
	}
	return out, nil
}

// Committers are the authors' logins of the default branch's commits since a time (the newest 100).
func (g *GitHubAPI) Committers(ctx context.Context, inst int64, repo, branch string, since time.Time) ([]string, error) {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return nil, err
	}
	cs, resp, err := gh.Repositories.ListCommits(ctx, owner, name, &github.CommitsListOptions{SHA: branch, Since: since, ListOptions: github.ListOptions{PerPage: 100}})
	g.saw(inst, resp)
	if err != nil {
		return nil, fmt.Errorf("listing the recent commits of %s: %w", repo, err)
	}
	var out []string
	for _, c := range cs {
		if login := c.GetAuthor().GetLogin(); login != "" && !strings.HasSuffix(login, "[bot]") {
			out = append(out, login)
		}
	}
	return out, nil
}

// Commit writes one file on top of a base commit and returns the new commit.
func (g *GitHubAPI) Commit(ctx context.Context, inst int64, repo string, base Head, path string, content []byte, message string) (string, error) {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return "", err
	}
	tree, resp, err := gh.Git.CreateTree(ctx, owner, name, base.Tree, []*github.TreeEntry{{
		Path: github.String(path), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String(string(content)),
	}})
	g.saw(inst, resp)
	if err != nil {
		return "", fmt.Errorf("writing the tree of %s: %w", repo, err)
	}
	c, resp, err := gh.Git.CreateCommit(ctx, owner, name, &github.Commit{Message: github.String(message), Tree: tree,
		Parents: []*github.Commit{{SHA: github.String(base.Commit)}}}, nil)
	g.saw(inst, resp)
	if err != nil {
		return "", fmt.Errorf("writing the commit of %s: %w", repo, err)
	}
	return c.GetSHA(), nil
}

// CreateBranch creates Branch at sha; errBranchExists when it is there.
func (g *GitHubAPI) CreateBranch(ctx context.Context, inst int64, repo, sha string) error {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return err
	}
	_, resp, err := gh.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/" + Branch), Object: &github.GitObject{SHA: github.String(sha)}})
	g.saw(inst, resp)
	if f := ghapi.Classify(err, time.Now()); f.Status == http.StatusUnprocessableEntity {
		return errBranchExists
	}
	if err != nil {
		return fmt.Errorf("creating %s in %s: %w", Branch, repo, err)
	}
	return nil
}

// MoveBranch points Branch at sha, replacing what it held (the proposal is rewritten on its base's head).
func (g *GitHubAPI) MoveBranch(ctx context.Context, inst int64, repo, sha string) error {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return err
	}
	_, resp, err := gh.Git.UpdateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/" + Branch), Object: &github.GitObject{SHA: github.String(sha)}}, true)
	g.saw(inst, resp)
	if err != nil {
		return fmt.Errorf("updating %s in %s: %w", Branch, repo, err)
	}
	return nil
}

// OpenPull opens the pull request from Branch into base.
func (g *GitHubAPI) OpenPull(ctx context.Context, inst int64, repo, base, title, body string) (PullRequest, error) {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return PullRequest{}, err
	}
	pr, resp, err := gh.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{Title: github.String(title), Head: github.String(Branch),
		Base: github.String(base), Body: github.String(body), MaintainerCanModify: github.Bool(true)})
	g.saw(inst, resp)
	if err != nil {
		return PullRequest{}, fmt.Errorf("opening the pull request in %s: %w", repo, err)
	}
	return pullOf(pr), nil
}

// EditPull sets a pull request's title and body.
func (g *GitHubAPI) EditPull(ctx context.Context, inst int64, repo string, number int, title, body string) error {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return err
	}
	_, resp, err := gh.PullRequests.Edit(ctx, owner, name, number, &github.PullRequest{Title: github.String(title), Body: github.String(body)})
	g.saw(inst, resp)
	if err != nil {
		return fmt.Errorf("editing %s#%d: %w", repo, number, err)
	}
	return nil
}

// Pull reads a pull request.
func (g *GitHubAPI) Pull(ctx context.Context, inst int64, repo string, number int) (PullRequest, error) {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return PullRequest{}, err
	}
	pr, resp, err := gh.PullRequests.Get(ctx, owner, name, number)
	g.saw(inst, resp)
	if err != nil {
		return PullRequest{}, fmt.Errorf("reading %s#%d: %w", repo, number, err)
	}
	return pullOf(pr), nil
}

// PullsFromBranch lists the pull requests ever opened from Branch, newest first.
func (g *GitHubAPI) PullsFromBranch(ctx context.Context, inst int64, repo string) ([]PullRequest, error) {
	gh, owner, name, err := g.repo(inst, repo)
	if err != nil {
		return nil, err
	}
	list, resp, err := gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "all", Head: owner + ":" + Branch})
	g.saw(inst, resp)
	if err != nil {
		return nil, fmt.Errorf("listing the pull requests from %s in %s: %w", Branch, repo, err)
	}
	out := make([]PullRequest, 0, len(list))
	for _, pr := range list {
		out = append(out, pullOf(pr))
	}
	return out, nil
}

func pullOf(pr *github.PullRequest) PullRequest {
	return PullRequest{Number: pr.GetNumber(), URL: pr.GetHTMLURL(), State: pr.GetState(), Merged: pr.GetMerged() || pr.MergedAt != nil && !pr.GetMergedAt().IsZero(),
		HeadSHA: pr.GetHead().GetSHA(), Created: pr.GetCreatedAt().Time, Closed: pr.GetClosedAt().Time}
}

func (g *GitHubAPI) repo(inst int64, repo string) (*github.Client, string, string, error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok {
		return nil, "", "", fmt.Errorf("repository %q is not org/repo", repo)
	}
	gh, err := g.client(inst)
	return gh, owner, name, err
}
