package fakegithub_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/callboard/callboard/internal/fakegithub"
)

// TestPullRequests: a branch with a commit becomes a pull request, found by
// its head, refused twice, edited, merged by the test as a person would.
func TestPullRequests(t *testing.T) {
	s := setup(t)
	ctx := context.Background()
	c := instClient(t, s, 1)
	s.SetFile("acme/api", "main", "README.md", []byte("# api\n"))

	if _, _, err := c.PullRequests.Create(ctx, "acme", "api", &github.NewPullRequest{Title: github.String("x"), Head: github.String("nope"), Base: github.String("main")}); statusOf(err) != http.StatusUnprocessableEntity {
		t.Errorf("a head that does not exist: %v, want 422", err)
	}
	s.SetFile("acme/api", "topic", "catalog-info.yaml", []byte("kind: Component\n"))
	if _, _, err := c.Git.CreateRef(ctx, "acme", "api", &github.Reference{Ref: github.String("refs/heads/same"), Object: &github.GitObject{SHA: github.String(s.BranchSHA("acme/api", "main"))}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PullRequests.Create(ctx, "acme", "api", &github.NewPullRequest{Title: github.String("x"), Head: github.String("same"), Base: github.String("main")}); statusOf(err) != http.StatusUnprocessableEntity {
		t.Errorf("a head with no commit of its own: %v, want 422", err)
	}
	pr, _, err := c.PullRequests.Create(ctx, "acme", "api", &github.NewPullRequest{Title: github.String("Add it"), Head: github.String("acme:topic"), Base: github.String("main"), Body: github.String("why")})
	if err != nil {
		t.Fatal(err)
	}
	if pr.GetState() != "open" || pr.GetHead().GetRef() != "topic" || pr.GetHead().GetSHA() != s.BranchSHA("acme/api", "topic") || pr.GetBody() != "why" {
		t.Errorf("created %+v", pr)
	}
	if _, _, err := c.PullRequests.Create(ctx, "acme", "api", &github.NewPullRequest{Title: github.String("again"), Head: github.String("topic"), Base: github.String("main")}); statusOf(err) != http.StatusUnprocessableEntity {
		t.Errorf("a second pull request from the same head: %v, want 422", err)
	}
	list, _, err := c.PullRequests.List(ctx, "acme", "api", &github.PullRequestListOptions{Head: "acme:topic", State: "all"})
	if err != nil || len(list) != 1 || list[0].GetNumber() != pr.GetNumber() {
		t.Fatalf("listed by head: %v %v", list, err)
	}
	if _, _, err := c.PullRequests.Edit(ctx, "acme", "api", pr.GetNumber(), &github.PullRequest{Title: github.String("Add it (new)"), Body: github.String("why, again")}); err != nil {
		t.Fatal(err)
	}
	got, _, err := c.PullRequests.Get(ctx, "acme", "api", pr.GetNumber())
	if err != nil || got.GetTitle() != "Add it (new)" || got.GetBody() != "why, again" {
		t.Errorf("after the edit: %+v %v", got, err)
	}

	head := s.MergePull("acme/api", pr.GetNumber())
	if files := s.Files("acme/api", ""); string(files["catalog-info.yaml"]) != "kind: Component\n" || string(files["README.md"]) != "# api\n" {
		t.Errorf("main after the merge: %v", files)
	}
	if s.BranchSHA("acme/api", "main") != head {
		t.Error("the merge did not move main")
	}
	got, _, _ = c.PullRequests.Get(ctx, "acme", "api", pr.GetNumber())
	if !got.GetMerged() || got.GetState() != "closed" {
		t.Errorf("merged pull request: merged %v state %s", got.GetMerged(), got.GetState())
	}
	if _, _, err := c.PullRequests.Edit(ctx, "acme", "api", pr.GetNumber(), &github.PullRequest{State: github.String("open")}); statusOf(err) != http.StatusUnprocessableEntity {
		t.Errorf("reopening a merged pull request: %v, want 422", err)
	}
	if open, _, _ := c.PullRequests.List(ctx, "acme", "api", nil); len(open) != 0 {
		t.Errorf("open pull requests after the merge: %d", len(open))
	}

	// Without pull_requests: write, no pull request.
	p := fakegithub.AppPermissions()
	p["pull_requests"] = "read"
	s.SetPermissions(1, p)
	s.SetFile("acme/api", "other", "x.txt", []byte("x"))
	if _, _, err := c.PullRequests.Create(ctx, "acme", "api", &github.NewPullRequest{Title: github.String("x"), Head: github.String("other"), Base: github.String("main")}); statusOf(err) != http.StatusForbidden {
		t.Errorf("creating with pull_requests: read: %v, want 403", err)
	}
}

// TestTeamReposCommitsBranchesRateLimit: what onboarding reads as evidence.
func TestTeamReposCommitsBranchesRateLimit(t *testing.T) {
	s := setup(t)
	ctx := context.Background()
	c := instClient(t, s, 1)
	s.AddTeam("acme", fakegithub.Team{ID: 7, Slug: "payments"})
	s.SetTeamRepo("acme", "payments", "acme/api", "maintain")
	repos, _, err := c.Teams.ListTeamReposBySlug(ctx, "acme", "payments", nil)
	if err != nil || len(repos) != 1 || repos[0].GetFullName() != "acme/api" || !repos[0].GetPermissions()["maintain"] || repos[0].GetPermissions()["admin"] {
		t.Fatalf("team repos: %v %v", repos, err)
	}
	if _, err := c.Teams.AddTeamRepoBySlug(ctx, "acme", "payments", "acme", "web", &github.TeamAddTeamRepoOptions{Permission: "admin"}); err != nil {
		t.Fatal(err)
	}
	if repos, _, _ = c.Teams.ListTeamReposBySlug(ctx, "acme", "payments", nil); len(repos) != 2 {
		t.Errorf("a grant through the API is kept: %d repositories", len(repos))
	}

	old := time.Now().AddDate(0, 0, -200)
	s.AddRepo(1, fakegithub.Repo{ID: 15, FullName: "acme/lib", CreatedAt: old.AddDate(0, 0, -1)})
	s.SetFileAs("acme/lib", "main", "a.go", []byte("package a\n"), "alice", old)
	s.SetFileAs("acme/lib", "main", "b.go", []byte("package a\n"), "bob", time.Now().AddDate(0, 0, -3))
	commits, _, err := c.Repositories.ListCommits(ctx, "acme", "lib", &github.CommitsListOptions{SHA: "main", Since: time.Now().AddDate(0, 0, -90)})
	if err != nil || len(commits) != 1 || commits[0].GetAuthor().GetLogin() != "bob" {
		t.Fatalf("commits of the last 90 days: %v %v", commits, err)
	}
	s.SetFileAs("acme/api", "main", "a.go", []byte("package a\n"), "alice", old)
	r, _, err := c.Repositories.Get(ctx, "acme", "api")
	if err != nil || r.GetPushedAt().IsZero() || r.GetSize() != 1 {
		t.Errorf("pushed_at %v size %d: %v", r.GetPushedAt(), r.GetSize(), err)
	}

	b, _, err := c.Repositories.GetBranch(ctx, "acme", "api", "main", 0)
	if err != nil || b.GetCommit().GetSHA() != s.BranchSHA("acme/api", "main") || b.GetCommit().GetCommit().GetTree().GetSHA() == "" {
		t.Errorf("branch: %+v %v", b, err)
	}

	s.AddRepo(1, fakegithub.Repo{ID: 14, FullName: "acme/empty", Empty: true})
	if _, _, err := c.Git.GetTree(ctx, "acme", "empty", "main", true); statusOf(err) != http.StatusConflict {
		t.Errorf("the tree of an empty repository: %v, want 409", err)
	}

	before, _, err := c.RateLimit.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after, _, _ := c.RateLimit.Get(ctx)
	if before.GetCore().Remaining != after.GetCore().Remaining {
		t.Errorf("asking for the rate limit used it: %d then %d", before.GetCore().Remaining, after.GetCore().Remaining)
	}
}
