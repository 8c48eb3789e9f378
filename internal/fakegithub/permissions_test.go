package fakegithub_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/callboard/callboard"
	"github.com/callboard/callboard/internal/fakegithub"
)

// TestIssue12_05_FakeGrantsExactlyAppYml: every installation of the fake
// grants what app.yml asks, no more: a request that needs another
// permission gets GitHub's 403, so no test can pass on a permission the
// real App lacks.
func TestIssue12_05_FakeGrantsExactlyAppYml(t *testing.T) {
	manifest, err := os.ReadFile("../../app.yml")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := fakegithub.ManifestPermissions(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if string(manifest) != string(callboard.AppManifest) {
		t.Fatal("the embedded manifest is not app.yml")
	}
	got := fakegithub.AppPermissions()
	if len(got) != len(fromFile) {
		t.Fatalf("the fake grants %v, app.yml asks %v", got, fromFile)
	}
	for k, v := range fromFile {
		if got[k] != v {
			t.Errorf("%s: the fake grants %q, app.yml asks %q", k, got[k], v)
		}
	}

	s := setup(t)
	ctx := context.Background()
	c := instClient(t, s, 1)
	forbidden := func(what string, err error) {
		t.Helper()
		var e *github.ErrorResponse
		if !errors.As(err, &e) || e.Response.StatusCode != http.StatusForbidden || e.Message != "Resource not accessible by integration" {
			t.Errorf("%s: got %v, want 403 Resource not accessible by integration", what, err)
		}
	}

	// app.yml asks no workflows permission: a tree that writes one is refused.
	_, _, err = c.Git.CreateTree(ctx, "acme", "api", "", []*github.TreeEntry{
		{Path: github.String(".github/workflows/ci.yml"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("on: push\n")},
	})
	forbidden("a workflow file without workflows: write", err)
	if _, resp, err := c.Git.CreateTree(ctx, "acme", "api", "", []*github.TreeEntry{
		{Path: github.String("README.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("hi\n")},
	}); err != nil || resp.StatusCode != http.StatusCreated {
		t.Errorf("a tree without workflows: %v", err)
	}

	// An installation that granted less: a read-only callboard.
	readOnly := fakegithub.AppPermissions()
	readOnly["contents"] = "read"
	delete(readOnly, "administration")
	s.SetPermissions(1, readOnly)
	_, _, err = c.Git.CreateBlob(ctx, "acme", "api", &github.Blob{Content: github.String("aGk="), Encoding: github.String("base64")})
	forbidden("a blob with contents: read", err)
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response.Header.Get("X-Accepted-GitHub-Permissions") != "contents=write" {
		t.Errorf("X-Accepted-GitHub-Permissions %q, want contents=write", e.Response.Header.Get("X-Accepted-GitHub-Permissions"))
	}
	_, _, err = c.Repositories.Create(ctx, "acme", &github.Repository{Name: github.String("new")})
	forbidden("a repository without administration", err)
	if _, _, err := c.Repositories.Get(ctx, "acme", "api"); err != nil {
		t.Errorf("reading with metadata: read: %v", err)
	}

	// The App sees each installation's permissions.
	inst, _, err := appClient(t, s).Apps.GetInstallation(ctx, 1)
	if err != nil || inst.GetPermissions().GetContents() != "read" || inst.GetPermissions().GetAdministration() != "" {
		t.Errorf("installation 1: %s (%v), want contents read and no administration", github.Stringify(inst.GetPermissions()), err)
	}
	withWorkflows := fakegithub.AppPermissions()
	withWorkflows["workflows"] = "write"
	s.SetPermissions(1, withWorkflows)
	if _, _, err := c.Git.CreateTree(ctx, "acme", "api", "", []*github.TreeEntry{
		{Path: github.String(".github/workflows/ci.yml"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("on: push\n")},
	}); err != nil {
		t.Errorf("a workflow file with workflows: write: %v", err)
	}
}

func TestMembership(t *testing.T) {
	s := setup(t)
	s.AddTeam("acme", fakegithub.Team{ID: 1, Slug: "platform"})
	s.SetTeamMembers("acme", "platform", "alice")
	s.AddMember("acme", "bob")
	ctx := context.Background()
	c := instClient(t, s, 1)
	for login, want := range map[string]bool{"alice": true, "bob": true, "mallory": false} {
		got, _, err := c.Organizations.IsMember(ctx, "acme", login)
		if err != nil || got != want {
			t.Errorf("IsMember(%s) = %v, %v; want %v", login, got, err, want)
		}
	}
	if m, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "alice"); err != nil || m.GetState() != "active" {
		t.Errorf("alice in platform: %v %v", m, err)
	}
	if _, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "bob"); statusOf(err) != http.StatusNotFound {
		t.Errorf("bob in platform: %v, want 404", err)
	}
}
