package fakegithub_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"

	"github.com/callboard/callboard/internal/fakegithub"
)

const appID = 42

var appKey = sync.OnceValue(func() []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
})

func newClient(t *testing.T, s *fakegithub.Server, tr http.RoundTripper) *github.Client {
	t.Helper()
	c := github.NewClient(&http.Client{Transport: tr})
	c.BaseURL, _ = url.Parse(s.URL + "/")
	return c
}

// appClient authenticates as the app, with a JWT.
func appClient(t *testing.T, s *fakegithub.Server) *github.Client {
	t.Helper()
	tr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, appID, appKey())
	if err != nil {
		t.Fatal(err)
	}
	tr.BaseURL = s.URL
	return newClient(t, s, tr)
}

// instClient authenticates as an installation, with tokens that ghinstallation fetches.
func instClient(t *testing.T, s *fakegithub.Server, installation int64) *github.Client {
	t.Helper()
	tr, err := ghinstallation.New(http.DefaultTransport, appID, installation, appKey())
	if err != nil {
		t.Fatal(err)
	}
	tr.BaseURL = s.URL
	return newClient(t, s, tr)
}

// setup is two organizations, each with its installation and repositories.
func setup(t *testing.T) *fakegithub.Server {
	s := fakegithub.New(t)
	s.AddInstallation(1, "acme")
	s.AddInstallation(2, "globex")
	s.AddRepo(1, fakegithub.Repo{ID: 11, FullName: "acme/api", Description: "The API", Private: true})
	s.AddRepo(1, fakegithub.Repo{ID: 12, FullName: "acme/web", DefaultBranch: "trunk"})
	s.AddRepo(1, fakegithub.Repo{ID: 13, FullName: "acme/old", Archived: true})
	s.AddRepo(2, fakegithub.Repo{ID: 21, FullName: "globex/core"})
	return s
}

func statusOf(err error) int {
	var e *github.ErrorResponse
	if errors.As(err, &e) {
		return e.Response.StatusCode
	}
	return 0
}

func TestAuthentication(t *testing.T) {
	s := setup(t)
	raw := func(t *testing.T, method, path, authz string) int {
		req, _ := http.NewRequest(method, s.URL+path, nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name, path, authz string
		want              int
	}{
		{"no credentials", "/repos/acme/api", "", 401},
		{"unknown token", "/repos/acme/api", "token ghs_fake_1_99", 401},
		{"JWT of two parts", "/app/installations", "Bearer a.b", 401},
		{"JWT for an installation endpoint", "/installation/repositories", "Bearer a.b.c", 401},
		{"JWT for an app endpoint", "/app/installations", "Bearer a.b.c", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := raw(t, "GET", tt.path, tt.authz); got != tt.want {
				t.Errorf("GET %s with %q: got status %d, want %d", tt.path, tt.authz, got, tt.want)
			}
		})
	}

	ctx := context.Background()
	s.ResetCalls()
	acme := instClient(t, s, 1)
	if _, _, err := acme.Repositories.Get(ctx, "acme", "api"); err != nil {
		t.Fatalf("own repo: %v", err)
	}
	if _, _, err := acme.Repositories.Get(ctx, "globex", "core"); statusOf(err) != 404 {
		t.Errorf("another installation's repo: got %v, want a 404", err)
	}
	if _, _, err := acme.Teams.ListTeams(ctx, "globex", nil); statusOf(err) != 404 {
		t.Errorf("another installation's org: got %v, want a 404", err)
	}
	if _, _, err := instClient(t, s, 2).Repositories.Get(ctx, "globex", "core"); err != nil {
		t.Fatalf("globex's repo: %v", err)
	}
	tokenCall := s.Calls()[0]
	if tokenCall.Path != "/app/installations/1/access_tokens" || tokenCall.Status != 201 || tokenCall.Installation != 0 {
		t.Errorf("first call: got %+v, want a 201 token request attributed to no installation", tokenCall)
	}
	var got []int64
	for _, c := range s.Calls() {
		if strings.HasPrefix(c.Path, "/repos/") {
			got = append(got, c.Installation)
		}
	}
	if want := []int64{1, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("installations of the repo calls: got %v, want %v", got, want)
	}
	if _, _, err := acme.Apps.ListInstallations(ctx, nil); statusOf(err) != 401 {
		t.Errorf("installation token on /app/installations: got %v, want a 401", err)
	}
}

func TestInstallationsAndRepos(t *testing.T) {
	s := setup(t)
	ctx := context.Background()
	app := appClient(t, s)

	first, resp, err := app.Apps.ListInstallations(ctx, &github.ListOptions{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0].GetID() != 1 || first[0].GetAccount().GetLogin() != "acme" || resp.NextPage != 2 || resp.LastPage != 2 {
		t.Errorf("first page: got %d installations, id %d, next %d, last %d; want acme (1) with next and last 2",
			len(first), first[0].GetID(), resp.NextPage, resp.LastPage)
	}
	second, resp, err := app.Apps.ListInstallations(ctx, &github.ListOptions{PerPage: 1, Page: 2})
	if err != nil || len(second) != 1 || second[0].GetAccount().GetLogin() != "globex" || resp.NextPage != 0 || resp.PrevPage != 1 {
		t.Errorf("second page: got %v, %v, next %d; want globex and no next page", second, err, resp.NextPage)
	}

	acme := instClient(t, s, 1)
	list, resp, err := acme.Apps.ListRepos(ctx, &github.ListOptions{PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range list.Repositories {
		names = append(names, r.GetFullName())
	}
	if list.GetTotalCount() != 3 || !slices.Equal(names, []string{"acme/api", "acme/web"}) || resp.NextPage != 2 {
		t.Errorf("ListRepos: got total %d, %v, next %d; want 3, [acme/api acme/web], 2", list.GetTotalCount(), names, resp.NextPage)
	}

	r, _, err := acme.Repositories.Get(ctx, "ACME", "api")
	if err != nil {
		t.Fatal(err)
	}
	if r.GetID() != 11 || r.GetName() != "api" || r.GetOwner().GetLogin() != "acme" || r.GetOwner().GetType() != "Organization" ||
		!r.GetPrivate() || r.GetArchived() || r.GetDescription() != "The API" || r.GetDefaultBranch() != "main" ||
		r.GetHTMLURL() != "https://github.com/acme/api" {
		t.Errorf("Get acme/api: got %s", github.Stringify(r))
	}
	if r, _, _ := acme.Repositories.Get(ctx, "acme", "web"); r.GetDefaultBranch() != "trunk" {
		t.Errorf("acme/web default branch: got %q, want trunk", r.GetDefaultBranch())
	}
}

func TestContents(t *testing.T) {
	s := setup(t)
	ctx := context.Background()
	long := strings.Repeat("catalog entry\n", 20) // longer than a base64 line
	s.SetFile("acme/api", "main", "catalog-info.yaml", []byte(long))
	s.SetFile("acme/api", "main", "docs/adr/0001.md", []byte("# ADR"))
	s.SetFile("acme/api", "main", "docs/README.md", []byte("docs"))
	s.SetFile("acme/api", "feature", "catalog-info.yaml", []byte("changed"))
	s.SetFile("acme/web", "trunk", "CODEOWNERS", []byte("* @acme/web"))
	c := instClient(t, s, 1)

	get := func(t *testing.T, repo, path, ref string) (*github.RepositoryContent, []*github.RepositoryContent, error) {
		file, dir, _, err := c.Repositories.GetContents(ctx, "acme", repo, path, &github.RepositoryContentGetOptions{Ref: ref})
		return file, dir, err
	}
	files := []struct{ name, repo, path, ref, want string }{
		{"default branch", "api", "catalog-info.yaml", "", long},
		{"branch", "api", "catalog-info.yaml", "feature", "changed"},
		{"a branch keeps the files it started from", "api", "docs/README.md", "feature", "docs"},
		{"nested", "api", "docs/adr/0001.md", "", "# ADR"},
		{"other default branch", "web", "CODEOWNERS", "", "* @acme/web"},
	}
	for _, tt := range files {
		t.Run(tt.name, func(t *testing.T) {
			file, _, err := get(t, tt.repo, tt.path, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := file.GetContent()
			if err != nil || got != tt.want {
				t.Errorf("content: got %q (%v), want %q", got, err, tt.want)
			}
			if file.GetType() != "file" || file.GetEncoding() != "base64" || file.GetPath() != tt.path || file.GetSize() != len(tt.want) || file.GetSHA() == "" {
				t.Errorf("metadata: got %s", github.Stringify(file))
			}
		})
	}

	t.Run("directory", func(t *testing.T) {
		_, dir, err := get(t, "api", "docs", "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range dir {
			got = append(got, e.GetType()+" "+e.GetPath())
		}
		if want := []string{"file docs/README.md", "dir docs/adr"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("root", func(t *testing.T) {
		_, dir, err := get(t, "api", "", "")
		if err != nil || len(dir) != 2 {
			t.Errorf("got %d entries (%v), want catalog-info.yaml and docs", len(dir), err)
		}
	})

	missing := []struct{ name, path, ref, wantMessage string }{
		{"missing file", "nope.yaml", "", "Not Found"},
		{"missing ref", "catalog-info.yaml", "nope", "No commit found for the ref nope"},
	}
	for _, tt := range missing {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := get(t, "api", tt.path, tt.ref)
			var e *github.ErrorResponse
			if !errors.As(err, &e) || e.Response.StatusCode != 404 || e.Message != tt.wantMessage || e.DocumentationURL == "" {
				t.Errorf("got %v, want a 404 %q", err, tt.wantMessage)
			}
		})
	}

	t.Run("deleted", func(t *testing.T) {
		s.DeleteFile("acme/api", "main", "catalog-info.yaml")
		if _, _, err := get(t, "api", "catalog-info.yaml", ""); statusOf(err) != 404 {
			t.Errorf("got %v, want a 404", err)
		}
		if _, _, err := get(t, "api", "catalog-info.yaml", "feature"); err != nil {
			t.Errorf("the feature branch's copy: %v", err)
		}
	})
}

func TestTeamsAndUsers(t *testing.T) {
	s := setup(t)
	s.AddTeam("acme", fakegithub.Team{ID: 100, Slug: "platform", Name: "Platform", Description: "Runs things"})
	s.AddTeam("acme", fakegithub.Team{ID: 101, Slug: "sre", Name: "SRE", ParentSlug: "platform"})
	s.AddTeam("globex", fakegithub.Team{ID: 200, Slug: "ops"})
	s.AddUser(fakegithub.User{ID: 7, Login: "ada", Name: "Ada Lovelace", Email: "ada@acme.test"})
	s.SetTeamMembers("acme", "platform", "ada", "bob")
	s.SetTeamMembers("acme", "sre", "carol", "ada")
	s.SetTeamMembers("globex", "ops", "dave")
	ctx := context.Background()
	c := instClient(t, s, 1)

	teams, _, err := c.Teams.ListTeams(ctx, "acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != 2 || teams[0].GetSlug() != "platform" || teams[0].GetDescription() != "Runs things" ||
		teams[0].Parent != nil || teams[1].GetParent().GetSlug() != "platform" || teams[1].GetID() != 101 {
		t.Errorf("teams: got %s", github.Stringify(teams))
	}

	team, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "sre")
	if err != nil || team.GetID() != 101 || team.GetParent().GetSlug() != "platform" {
		t.Errorf("team by slug: got %s (%v)", github.Stringify(team), err)
	}
	if _, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "ops"); statusOf(err) != 404 {
		t.Errorf("another org's team: got %v, want a 404", err)
	}

	members, _, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "sre", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := logins(members); !slices.Equal(got, []string{"carol", "ada"}) || members[1].GetID() != 7 || members[0].GetID() == 0 {
		t.Errorf("sre members: got %v (ids %d, %d), want [carol ada] with ada as 7", got, members[0].GetID(), members[1].GetID())
	}
	if _, _, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "nope", nil); statusOf(err) != 404 {
		t.Errorf("unknown team: got %v, want a 404", err)
	}

	org, _, err := c.Organizations.ListMembers(ctx, "acme", nil)
	if got := logins(org); err != nil || !slices.Equal(got, []string{"ada", "bob", "carol"}) {
		t.Errorf("org members: got %v (%v), want [ada bob carol]", got, err)
	}

	u, _, err := c.Users.Get(ctx, "ada")
	if err != nil || u.GetName() != "Ada Lovelace" || u.GetEmail() != "ada@acme.test" || u.GetID() != 7 || u.GetType() != "User" {
		t.Errorf("user: got %s (%v)", github.Stringify(u), err)
	}
	if _, _, err := c.Users.Get(ctx, "nobody"); statusOf(err) != 404 {
		t.Errorf("unknown user: got %v, want a 404", err)
	}
}

func logins(us []*github.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.GetLogin())
	}
	return out
}

func TestHookDeliveries(t *testing.T) {
	s := setup(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := int64(1); i <= 5; i++ {
		s.AddHookDelivery(fakegithub.HookDelivery{ID: i, GUID: "guid-" + string(rune('0'+i)), Event: "issues", Action: "opened",
			StatusCode: 200, DeliveredAt: at.Add(time.Duration(i) * time.Minute), InstallationID: 1, RepositoryID: 11})
	}
	s.AddHookDelivery(fakegithub.HookDelivery{ID: 6, GUID: "guid-6", Event: "push", StatusCode: 502, DeliveredAt: at.Add(time.Hour)})
	ctx := context.Background()
	app := appClient(t, s)

	var ids []int64
	var pages int
	opts := &github.ListCursorOptions{PerPage: 4}
	for {
		ds, resp, err := app.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			ids = append(ids, d.GetID())
		}
		pages++
		if resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	if want := []int64{6, 5, 4, 3, 2, 1}; !slices.Equal(ids, want) || pages != 2 {
		t.Errorf("got %v in %d pages, want %v in 2", ids, pages, want)
	}

	ds, _, _ := app.Apps.ListHookDeliveries(ctx, &github.ListCursorOptions{PerPage: 2})
	failed, ok := ds[0], ds[1]
	if failed.GetStatusCode() != 502 || failed.GetStatus() == "OK" || failed.GetEvent() != "push" || failed.Action != nil || failed.InstallationID != nil {
		t.Errorf("failed delivery: got %s", github.Stringify(failed))
	}
	if ok.GetGUID() != "guid-5" || ok.GetAction() != "opened" || ok.GetInstallationID() != 1 || ok.GetRepositoryID() != 11 ||
		!ok.GetDeliveredAt().Time.Equal(at.Add(5*time.Minute)) || ok.GetStatus() != "OK" {
		t.Errorf("delivery 5: got %s", github.Stringify(ok))
	}

	var accepted *github.AcceptedError
	if _, _, err := app.Apps.RedeliverHookDelivery(ctx, 6); !errors.As(err, &accepted) {
		t.Errorf("redeliver: got %v, want go-github's AcceptedError for a 202", err)
	}
	if _, _, err := app.Apps.RedeliverHookDelivery(ctx, 99); statusOf(err) != 404 {
		t.Errorf("redeliver unknown: got %v, want a 404", err)
	}
	if got := s.Redelivered(); !slices.Equal(got, []int64{6}) {
		t.Errorf("Redelivered: got %v, want [6]", got)
	}
}

func TestComments(t *testing.T) {
	s := setup(t)
	ctx := context.Background()
	c := instClient(t, s, 1)
	for _, body := range []string{"one", "two", "three"} {
		if _, _, err := c.Issues.CreateComment(ctx, "acme", "api", 7, &github.IssueComment{Body: github.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := c.Issues.CreateComment(ctx, "acme", "api", 8, &github.IssueComment{Body: github.String("elsewhere")}); err != nil {
		t.Fatal(err)
	}

	page, resp, err := c.Issues.ListComments(ctx, "acme", "api", 7, &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 2}})
	if err != nil || len(page) != 2 || resp.NextPage != 2 || resp.LastPage != 2 {
		t.Fatalf("first page: got %d comments, next %d, last %d (%v); want 2, 2, 2", len(page), resp.NextPage, resp.LastPage, err)
	}
	if page[0].GetUser().GetLogin() != "callboard[bot]" || page[0].GetUser().GetType() != "Bot" {
		t.Errorf("author: got %s, want callboard[bot], a Bot", github.Stringify(page[0].GetUser()))
	}
	edited, _, err := c.Issues.EditComment(ctx, "acme", "api", page[1].GetID(), &github.IssueComment{Body: github.String("two, edited")})
	if err != nil || edited.GetBody() != "two, edited" {
		t.Errorf("edit: got %q (%v)", edited.GetBody(), err)
	}
	if _, _, err := c.Issues.EditComment(ctx, "acme", "web", page[1].GetID(), &github.IssueComment{Body: github.String("x")}); statusOf(err) != 404 {
		t.Errorf("edit through another repo: got %v, want a 404", err)
	}

	var got []string
	for _, cm := range s.Comments("acme/api", 7) {
		got = append(got, cm.User+": "+cm.Body)
	}
	if want := []string{"callboard[bot]: one", "callboard[bot]: two, edited", "callboard[bot]: three"}; !slices.Equal(got, want) {
		t.Errorf("Comments: got %q, want %q", got, want)
	}
	if _, _, err := c.Issues.CreateComment(ctx, "acme", "old", 1, &github.IssueComment{Body: github.String("x")}); statusOf(err) != 403 {
		t.Errorf("comment on an archived repo: got %v, want a 403", err)
	}
	if !s.DeleteComment("acme/api", page[0].GetID()) || s.DeleteComment("acme/api", page[0].GetID()) {
		t.Errorf("DeleteComment: want true once, then false")
	}
	if _, _, err := c.Issues.EditComment(ctx, "acme", "api", page[0].GetID(), &github.IssueComment{Body: github.String("x")}); statusOf(err) != 404 {
		t.Errorf("edit of a deleted comment: got %v, want a 404", err)
	}
	if n := len(s.Comments("acme/api", 7)); n != 2 {
		t.Errorf("%d comments after a delete, want 2", n)
	}
}

func TestBranchSHA(t *testing.T) {
	s := setup(t)
	main := s.BranchSHA("acme/api", "main")
	s.SetFile("acme/api", "feature", "a.txt", []byte("a"))
	feature := s.BranchSHA("acme/api", "feature")
	if main == "" || feature == "" || feature == main || s.BranchSHA("acme/api", "nope") != "" {
		t.Fatalf("BranchSHA: main %q, feature %q, nope %q", main, feature, s.BranchSHA("acme/api", "nope"))
	}
	c := instClient(t, s, 1)
	fc, _, _, err := c.Repositories.GetContents(context.Background(), "acme", "api", "a.txt", &github.RepositoryContentGetOptions{Ref: feature})
	if err != nil || fc == nil {
		t.Fatalf("a.txt at the feature head: %v", err)
	}
	if _, _, _, err := c.Repositories.GetContents(context.Background(), "acme", "api", "a.txt", &github.RepositoryContentGetOptions{Ref: main}); statusOf(err) != 404 {
		t.Errorf("a.txt at the main head: got %v, want a 404", err)
	}
}

func TestIssueLabelsAndState(t *testing.T) {
	s := setup(t)
	ctx := context.Background()
	c := instClient(t, s, 1)
	labels, _, err := c.Issues.AddLabelsToIssue(ctx, "acme", "api", 3, []string{"catalog", "needs-owner"})
	if err != nil {
		t.Fatal(err)
	}
	labels, _, _ = c.Issues.AddLabelsToIssue(ctx, "acme", "api", 3, []string{"catalog", "triaged"})
	var names []string
	for _, l := range labels {
		names = append(names, l.GetName())
	}
	if want := []string{"catalog", "needs-owner", "triaged"}; !slices.Equal(names, want) {
		t.Errorf("labels: got %v, want %v", names, want)
	}

	is, _, err := c.Issues.Edit(ctx, "acme", "api", 3, &github.IssueRequest{State: github.String("closed")})
	if err != nil || is.GetState() != "closed" || is.ClosedAt == nil || is.GetNumber() != 3 || len(is.Labels) != 3 {
		t.Errorf("close: got %s (%v)", github.Stringify(is), err)
	}
	if _, _, err := c.Issues.Edit(ctx, "acme", "api", 3, &github.IssueRequest{State: github.String("shut")}); statusOf(err) != 422 {
		t.Errorf("bad state: got %v, want a 422", err)
	}
	if is, _, err := c.Issues.Get(ctx, "acme", "api", 3); err != nil || is.GetState() != "closed" || len(is.Labels) != 3 {
		t.Errorf("read back: got %s (%v), want closed with 3 labels", github.Stringify(is), err)
	}
	if is, _, err := c.Issues.Get(ctx, "acme", "api", 4); err != nil || is.GetState() != "open" {
		t.Errorf("untouched issue: got %s (%v), want open", github.Stringify(is), err)
	}
}

func TestCheckRuns(t *testing.T) {
	s := setup(t)
	ctx := context.Background()
	c := instClient(t, s, 1)
	annotations := func(n int) []*github.CheckRunAnnotation {
		var out []*github.CheckRunAnnotation
		for i := range n {
			out = append(out, &github.CheckRunAnnotation{Path: github.String("catalog-info.yaml"), StartLine: github.Int(i + 1),
				EndLine: github.Int(i + 1), AnnotationLevel: github.String("failure"), Message: github.String("bad")})
		}
		return out
	}

	run, _, err := c.Checks.CreateCheckRun(ctx, "acme", "api", github.CreateCheckRunOptions{
		Name: "callboard/catalog", HeadSHA: "abc123", Status: github.String("in_progress"),
	})
	if err != nil || run.GetStatus() != "in_progress" || run.Conclusion != nil || run.GetHeadSHA() != "abc123" {
		t.Fatalf("create: got %s (%v)", github.Stringify(run), err)
	}
	update := func(conclusion *string, n int) (*github.CheckRun, error) {
		run, _, err := c.Checks.UpdateCheckRun(ctx, "acme", "api", run.GetID(), github.UpdateCheckRunOptions{
			Name: "callboard/catalog", Conclusion: conclusion,
			Output: &github.CheckRunOutput{Title: github.String("2 problems"), Summary: github.String("see below"), Annotations: annotations(n)},
		})
		return run, err
	}
	if _, err := update(nil, 50); err != nil {
		t.Fatal(err)
	}
	if _, err := update(nil, 51); statusOf(err) != 422 {
		t.Errorf("51 annotations: got %v, want a 422", err)
	}
	done, err := update(github.String("failure"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if done.GetStatus() != "completed" || done.GetConclusion() != "failure" || done.CompletedAt == nil ||
		done.GetOutput().GetAnnotationsCount() != 52 || done.GetOutput().GetTitle() != "2 problems" {
		t.Errorf("completed run: got %s", github.Stringify(done))
	}
	if _, _, err := c.Checks.UpdateCheckRun(ctx, "acme", "api", 999, github.UpdateCheckRunOptions{Name: "x"}); statusOf(err) != 404 {
		t.Errorf("unknown run: got %v, want a 404", err)
	}

	runs := s.CheckRuns("acme/api")
	if len(runs) != 1 {
		t.Fatalf("CheckRuns: got %d, want 1", len(runs))
	}
	got := runs[0]
	var sizes []int
	for _, b := range got.AnnotationBatches {
		sizes = append(sizes, len(b))
	}
	if got.Status != "completed" || got.Conclusion != "failure" || got.Output["summary"] != "see below" || got.Output["annotations"] != nil ||
		!slices.Equal(sizes, []int{50, 2}) || got.AnnotationBatches[1][1]["start_line"] != float64(2) {
		t.Errorf("CheckRuns: got %+v with batches of %v, want completed/failure with batches of [50 2]", got, sizes)
	}
}

func TestCreateRepoAndTeamAccess(t *testing.T) {
	s := setup(t)
	s.AddTeam("acme", fakegithub.Team{ID: 100, Slug: "platform"})
	ctx := context.Background()
	c := instClient(t, s, 1)

	r, resp, err := c.Repositories.Create(ctx, "acme", &github.Repository{
		Name: github.String("svc-new"), Description: github.String("A new service"), Private: github.Bool(true), AutoInit: github.Bool(true),
	})
	if err != nil || resp.StatusCode != 201 || r.GetFullName() != "acme/svc-new" || !r.GetPrivate() || r.GetDefaultBranch() != "main" {
		t.Fatalf("create: got %s, %v", github.Stringify(r), err)
	}
	if _, _, err := c.Repositories.Create(ctx, "acme", &github.Repository{Name: github.String("svc-new")}); statusOf(err) != 422 {
		t.Errorf("taken name: got %v, want a 422", err)
	}
	if _, _, err := c.Repositories.Create(ctx, "globex", &github.Repository{Name: github.String("x")}); statusOf(err) != 404 {
		t.Errorf("another installation's org: got %v, want a 404", err)
	}
	list, _, _ := c.Apps.ListRepos(ctx, nil)
	if list.GetTotalCount() != 4 {
		t.Errorf("installation repos after create: got %d, want 4", list.GetTotalCount())
	}
	file, _, _, err := c.Repositories.GetContents(ctx, "acme", "svc-new", "README.md", nil)
	if got, _ := file.GetContent(); err != nil || got != "# svc-new\n\nA new service\n" {
		t.Errorf("auto_init README: got %q (%v)", got, err)
	}

	access := []struct {
		name, slug, repo string
		want             int
	}{
		{"grant", "platform", "svc-new", 204},
		{"unknown team", "nope", "svc-new", 404},
		{"unknown repo", "platform", "nope", 404},
	}
	for _, tt := range access {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Teams.AddTeamRepoBySlug(ctx, "acme", tt.slug, "acme", tt.repo, &github.TeamAddTeamRepoOptions{Permission: "maintain"})
			if resp == nil || resp.StatusCode != tt.want {
				t.Errorf("got %v, want status %d", err, tt.want)
			}
		})
	}
}

func TestGitDataCommit(t *testing.T) {
	s := setup(t)
	s.SetFile("acme/api", "main", "README.md", []byte("hello"))
	s.SetFile("acme/api", "main", "old/stale.txt", []byte("stale"))
	ctx := context.Background()
	c := instClient(t, s, 1)

	ref, _, err := c.Git.GetRef(ctx, "acme", "api", "heads/main")
	if err != nil || ref.GetRef() != "refs/heads/main" || ref.GetObject().GetType() != "commit" {
		t.Fatalf("get ref: got %s (%v)", github.Stringify(ref), err)
	}
	parent, _, err := c.Git.GetCommit(ctx, "acme", "api", ref.GetObject().GetSHA())
	if err != nil {
		t.Fatal(err)
	}
	blob, _, err := c.Git.CreateBlob(ctx, "acme", "api", &github.Blob{Content: github.String("a2luZDogQ29tcG9uZW50"), Encoding: github.String("base64")})
	if err != nil {
		t.Fatal(err)
	}
	tree, _, err := c.Git.CreateTree(ctx, "acme", "api", parent.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.String("catalog-info.yaml"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
		{Path: github.String(".github/CODEOWNERS"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("* @acme/platform\n")},
		{Path: github.String("old"), Mode: github.String("040000"), Type: github.String("tree")}, // SHA nil: delete
	})
	if err != nil {
		t.Fatalf("create tree: %v", err)
	}
	if len(tree.Entries) != 3 {
		t.Errorf("tree: got %d entries, want README.md, catalog-info.yaml and .github/CODEOWNERS", len(tree.Entries))
	}
	commit, _, err := c.Git.CreateCommit(ctx, "acme", "api", &github.Commit{
		Message: github.String("Add catalog entry"), Tree: tree, Parents: []*github.Commit{{SHA: parent.SHA}},
	}, nil)
	if err != nil || commit.GetMessage() != "Add catalog entry" || commit.Parents[0].GetSHA() != parent.GetSHA() {
		t.Fatalf("create commit: got %s (%v)", github.Stringify(commit), err)
	}

	if _, _, err := c.Git.CreateRef(ctx, "acme", "api", &github.Reference{Ref: github.String("refs/heads/scaffold"), Object: &github.GitObject{SHA: commit.SHA}}); err != nil {
		t.Fatalf("create ref: %v", err)
	}
	if _, _, err := c.Git.CreateRef(ctx, "acme", "api", &github.Reference{Ref: github.String("refs/heads/scaffold"), Object: &github.GitObject{SHA: commit.SHA}}); statusOf(err) != 422 {
		t.Errorf("existing ref: got %v, want a 422", err)
	}
	content := func(path, ref string) string {
		file, _, _, err := c.Repositories.GetContents(ctx, "acme", "api", path, &github.RepositoryContentGetOptions{Ref: ref})
		if err != nil {
			return "error: " + err.Error()
		}
		got, _ := file.GetContent()
		return got
	}
	if got := content("catalog-info.yaml", "scaffold"); got != "kind: Component" {
		t.Errorf("on the new branch: got %q", got)
	}
	if got := content("catalog-info.yaml", "main"); !strings.HasPrefix(got, "error") {
		t.Errorf("main before the update: got %q, want not found", got)
	}

	updated, _, err := c.Git.UpdateRef(ctx, "acme", "api", &github.Reference{Ref: github.String("refs/heads/main"), Object: &github.GitObject{SHA: commit.SHA}}, false)
	if err != nil || updated.GetObject().GetSHA() != commit.GetSHA() {
		t.Fatalf("update ref: got %s (%v)", github.Stringify(updated), err)
	}
	for path, want := range map[string]string{"catalog-info.yaml": "kind: Component", ".github/CODEOWNERS": "* @acme/platform\n", "README.md": "hello"} {
		if got := content(path, "main"); got != want {
			t.Errorf("%s on main: got %q, want %q", path, got, want)
		}
	}
	if got := content("old/stale.txt", "main"); !strings.HasPrefix(got, "error") {
		t.Errorf("deleted old/stale.txt: got %q, want not found", got)
	}

	orphan, _, _ := c.Git.CreateCommit(ctx, "acme", "api", &github.Commit{Message: github.String("orphan"), Tree: tree}, nil)
	ff := []struct {
		name  string
		force bool
		want  int
	}{{"not a fast forward", false, 422}, {"forced", true, 0}}
	for _, tt := range ff {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := c.Git.UpdateRef(ctx, "acme", "api", &github.Reference{Ref: github.String("heads/main"), Object: &github.GitObject{SHA: orphan.SHA}}, tt.force)
			if statusOf(err) != tt.want {
				t.Errorf("got %v, want status %d", err, tt.want)
			}
		})
	}
	if _, _, err := c.Git.GetRef(ctx, "acme", "api", "heads/nope"); statusOf(err) != 404 {
		t.Errorf("unknown ref: got %v, want a 404", err)
	}
}

func TestFailNext(t *testing.T) {
	s := setup(t)
	s.SetFile("acme/api", "main", "catalog-info.yaml", []byte("x"))
	ctx := context.Background()
	c := instClient(t, s, 1)
	get := func() error {
		_, _, _, err := c.Repositories.GetContents(ctx, "acme", "api", "catalog-info.yaml", nil)
		return err
	}

	s.FailNext("GET /repos/*/*/contents/*", 2, 502, nil, "")
	for i := range 2 {
		if err := get(); statusOf(err) != 502 {
			t.Errorf("call %d: got %v, want a 502", i+1, err)
		}
	}
	if err := get(); err != nil {
		t.Errorf("after the faults: %v", err)
	}
	if got := s.CallCount("GET /repos/acme/api/contents/*"); got != 3 {
		t.Errorf("CallCount: got %d, want 3", got)
	}
	var statuses []int
	for _, call := range s.Calls() {
		statuses = append(statuses, call.Status)
	}
	if want := []int{201, 502, 502, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses: got %v, want %v", statuses, want)
	}
	s.ResetCalls()
	if got := s.CallCount(""); got != 0 {
		t.Errorf("CallCount after ResetCalls: got %d, want 0", got)
	}

	s.FailNext("POST /repos/*/*/issues/*/comments", 1, 429, map[string]string{"Retry-After": "1"}, `{"message":"slow down"}`)
	_, _, err := c.Issues.CreateComment(ctx, "acme", "api", 1, &github.IssueComment{Body: github.String("hi")})
	var e *github.ErrorResponse
	if !errors.As(err, &e) || e.Response.StatusCode != 429 || e.Message != "slow down" || e.Response.Header.Get("Retry-After") != "1" {
		t.Errorf("429: got %v", err)
	}

	s.FailNext("GET /repos/*/*", 1, 403, map[string]string{"Retry-After": "1"},
		`{"message":"You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
	_, _, err = c.Repositories.Get(ctx, "acme", "api")
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.GetRetryAfter() != time.Second {
		t.Errorf("secondary rate limit: got %v, want go-github's AbuseRateLimitError with a 1s RetryAfter", err)
	}

	s.FailNext("POST /app/installations/*/access_tokens", 1, 500, nil, "")
	if _, _, err := instClient(t, s, 2).Repositories.Get(ctx, "globex", "core"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("token refresh failing: got %v, want ghinstallation's error for the 500", err)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	s := setup(t)
	ctx := context.Background()
	c := instClient(t, s, 1)
	_, first, err := c.Repositories.Get(ctx, "acme", "api")
	if err != nil {
		t.Fatal(err)
	}
	_, second, _ := c.Repositories.Get(ctx, "acme", "api")
	if first.Rate.Limit != 5000 || second.Rate.Remaining != first.Rate.Remaining-1 || !first.Rate.Reset.After(time.Now()) {
		t.Errorf("rate: got %+v then %+v, want a limit of 5000, remaining falling by one, reset ahead", first.Rate, second.Rate)
	}
}
