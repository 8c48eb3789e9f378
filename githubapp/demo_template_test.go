package githubapp

import (
	"context"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/callboard/callboard/scaffold"
	"github.com/callboard/callboard/scaffold/issueform"
)

// TestDemoTemplateScaffolds runs the demo organisation's Go service template
// (catalog/demo, as the README's walkthrough and internal/testgithub serve
// it) end to end: installed, requested through its own issue form with the
// repository given as a URL, created, and in the catalog.
func TestDemoTemplateScaffolds(t *testing.T) {
	h := newHarnessWith(t, Config{ScaffoldRepo: requestsRepo}, &scaffold.Policy{TemplateRepos: []string{"acme/service-templates"}})
	h.gh.AddInstallation(7, "acme")
	teams, users, err := demo.GitHubOrg()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		h.gh.AddUser(fakegithub.User{Login: u.Login, Name: u.Name, Email: u.Email})
	}
	for i, tm := range teams {
		h.gh.AddTeam("acme", fakegithub.Team{ID: int64(10 + i), Slug: tm.Slug, Name: tm.Name, ParentSlug: tm.Parent})
		h.gh.SetTeamMembers("acme", tm.Slug, tm.Members...)
	}
	repos, err := demo.GitHubRepos()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range repos {
		h.gh.AddRepo(7, fakegithub.Repo{ID: r.ID, FullName: r.FullName, DefaultBranch: r.DefaultBranch})
		for p, b := range r.Files {
			h.gh.SetFile(r.FullName, r.DefaultBranch, p, b)
		}
	}
	h.gh.AddRepo(7, fakegithub.Repo{ID: requestsRepoID, FullName: requestsRepo})
	guid := h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	h.mustState(guid, queue.StateDone)

	const ref = "template:default/go-service"
	e := h.entity(ref)
	if e == nil {
		t.Fatalf("%s is not in the catalog after the installation", ref)
	}
	tmpl, err := scaffold.ParseTemplate(e)
	if err != nil {
		t.Fatal(err)
	}
	if bad := tmpl.Unsupported(); len(bad) > 0 {
		t.Fatalf("the demo template uses %v, which callboard does not run", bad)
	}
	owners, err := scaffold.Owners(context.Background(), h.st)
	if err != nil {
		t.Fatal(err)
	}
	form := scaffold.FormFor(tmpl, issueform.FormOptions{Org: "acme", Owners: owners}).Form
	body := renderIssue(form, map[string]any{"name": "inventory-api", "description": "Stock levels per warehouse.",
		"owner": "payments", "repoUrl": "https://github.com/acme/inventory-api.git"})
	guid = h.deliver("issues", issuePayload(t, "opened", 1, body))
	h.settle()
	h.mustState(guid, queue.StateDone)

	files := h.gh.Files("acme/inventory-api", "")
	want := map[string][]string{
		"catalog-info.yaml": {`name: "inventory-api"`, `description: "Stock levels per warehouse."`, "lifecycle: experimental", `owner: "group:default/payments"`},
		"CODEOWNERS":        {"*       @acme/payments"},
		"go.mod":            {"module github.com/acme/inventory-api"},
		"main.go":           {"package main", `mux.HandleFunc("GET /healthz"`},
		"README.md":         {"# inventory-api", "Stock levels per warehouse."},
		"mkdocs.yml":        {"site_name: inventory-api"},
		"docs/index.md":     {"/owner inventory-api"},
	}
	if len(files) != len(want) {
		t.Errorf("files %v, want %d", keys(files), len(want))
	}
	for path, parts := range want {
		text := string(files[path])
		for _, p := range parts {
			if !strings.Contains(text, p) {
				t.Errorf("%s lacks %q:\n%s", path, p, text)
			}
		}
		if strings.Contains(text, "${{") || strings.Contains(text, ".njk") {
			t.Errorf("%s was not rendered:\n%s", path, text)
		}
	}
	svc := h.entity("component:default/inventory-api")
	if svc == nil {
		t.Fatal("component:default/inventory-api is not in the catalog")
	}
	if got := svc.SpecString("owner"); got != "group:default/payments" {
		t.Errorf("owner %q, want group:default/payments", got)
	}
	if got := svc.Metadata.Annotations[catalog.AnnotationTechDocsRef]; got != "dir:." {
		t.Errorf("techdocs-ref %q, want dir:.", got)
	}
	state, labels, _ := h.gh.Issue(requestsRepo, 1)
	if state != "closed" || !contains(labels, scaffold.ResultLabel) {
		t.Errorf("request issue is %s %v, want closed and %s", state, labels, scaffold.ResultLabel)
	}
}
