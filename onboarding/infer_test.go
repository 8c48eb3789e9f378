package onboarding

import (
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/golden"
)

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func testOrg() Org {
	return Org{
		Groups: map[string]Group{
			"payments": {Ref: "group:default/payments", Name: "payments", TeamSlug: "acme/payments"},
			"search":   {Ref: "group:default/search", Name: "search", TeamSlug: "acme/search"},
			"platform": {Ref: "group:default/platform", Name: "platform"},
		},
		MemberOf: map[string][]string{"alice": {"payments"}, "bob": {"payments"}, "carol": {"search"}},
		Systems:  map[string][]string{"group:default/payments": {"billing"}, "group:default/search": {"a", "b"}},
	}
}

func codeowners(t *testing.T, text string) *catalog.Codeowners {
	t.Helper()
	c, err := catalog.ParseCodeowners([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestProposalAsTheOwnerReadsIt pins the pull request body and the file a
// team receives.
func TestProposalAsTheOwnerReadsIt(t *testing.T) {
	f := Facts{Repo: "acme/Payments_API.v2", Description: "Takes card payments: authorisations, captures, refunds.",
		Topics: []string{"payments", "PCI DSS"}, Language: "Go", Homepage: "https://payments.acme.example/docs",
		DefaultBranch: "main", CreatedAt: now.AddDate(-2, 0, 0), PushedAt: now.AddDate(0, 0, -3),
		Files:          []string{"Dockerfile", "go.mod", "mkdocs.yml", "README.md", ".github/workflows/ci.yml"},
		Codeowners:     codeowners(t, "# Payments owns it all\n* @acme/payments\n/docs/ @acme/tech-writers\n"),
		CodeownersPath: ".github/CODEOWNERS"}
	p, err := Infer(f, testOrg(), now)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/proposal.body.golden", []byte(p.Title+"\n\n"+p.Body))
	golden.Check(t, "testdata/proposal.catalog-info.yaml.golden", p.File)
	parsed, problems := catalog.ParseFile("catalog-info.yaml", p.File, nil)
	if len(problems) > 0 || len(parsed) != 1 {
		t.Fatalf("the file does not parse: %v", problems)
	}
	e := parsed[0].Entity
	if e.Metadata.Name != "payments_api.v2" || e.SpecString("system") != "billing" || e.Metadata.Annotations[catalog.AnnotationTechDocsRef] != "dir:." {
		t.Errorf("entity %+v", e)
	}
}

func TestOwnerEvidenceChain(t *testing.T) {
	tests := []struct {
		name  string
		f     Facts
		owner string
		why   string
	}{
		{"CODEOWNERS root team", Facts{Codeowners: codeowners(t, "* @acme/search @alice\n"), CodeownersPath: "CODEOWNERS",
			TeamPermissions: map[string]string{"payments": "admin"}}, "group:default/search", "`CODEOWNERS` line 1"},
		{"CODEOWNERS names a user only: the team permission", Facts{Codeowners: codeowners(t, "* @alice\n"),
			TeamPermissions: map[string]string{"payments": "admin"}}, "group:default/payments", "admin permission"},
		{"CODEOWNERS names an unknown team", Facts{Codeowners: codeowners(t, "* @acme/ghosts\n"),
			TeamPermissions: map[string]string{"search": "maintain"}}, "group:default/search", "maintain permission"},
		{"admin beats maintain", Facts{TeamPermissions: map[string]string{"search": "maintain", "payments": "admin"}}, "group:default/payments", "admin"},
		{"push is not ownership", Facts{TeamPermissions: map[string]string{"search": "push"}, Committers: []string{"carol", "carol", "bob"}}, "", ""},
		{"committers' team", Facts{Committers: []string{"alice", "bob", "carol", "alice"}}, "group:default/payments", "2 of the 3 people"},
		{"committers split evenly", Facts{Committers: []string{"alice", "carol"}}, "", ""},
		{"no evidence", Facts{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Repo, tt.f.PushedAt = "acme/x", now
			p, err := Infer(tt.f, testOrg(), now)
			if err != nil {
				t.Fatal(err)
			}
			if p.Owner != tt.owner {
				t.Fatalf("owner %q, want %q (%+v)", p.Owner, tt.owner, p.Evidence)
			}
			if tt.owner == "" {
				if !p.NeedsOwner() || len(p.File) != 0 {
					t.Errorf("a repository without an owner got a file")
				}
				return
			}
			if !strings.Contains(p.Evidence[0].Why, tt.why) {
				t.Errorf("evidence %q, want it to say %q", p.Evidence[0].Why, tt.why)
			}
		})
	}
}

func TestTypeAndLifecycle(t *testing.T) {
	tests := []struct {
		files     []string
		created   time.Time
		pushed    time.Time
		typ, life string
	}{
		{[]string{"Dockerfile", "go.mod"}, now.AddDate(-1, 0, 0), now.AddDate(0, 0, -2), "service", "production"},
		{[]string{"go.mod", ".github/workflows/release.yml"}, now.AddDate(-1, 0, 0), now.AddDate(0, -3, 0), "service", "production"},
		{[]string{"package.json"}, now.AddDate(-1, 0, 0), now.AddDate(0, -2, 0), "library", "experimental"},
		{[]string{"package.json", "docusaurus.config.js"}, now.AddDate(0, 0, -10), now, "website", "experimental"},
		{[]string{"README.md", "mkdocs.yml"}, now.AddDate(-1, 0, 0), now, "documentation", "production"},
		{[]string{"main.c"}, now.AddDate(-1, 0, 0), now, "service", "production"},
	}
	for _, tt := range tests {
		f := Facts{Files: tt.files, CreatedAt: tt.created, PushedAt: tt.pushed}
		typ := inferType(f)
		life := inferLifecycle(f, typ, now)
		if typ.Value != tt.typ || life.Value != tt.life {
			t.Errorf("%v: %s/%s, want %s/%s (%s; %s)", tt.files, typ.Value, life.Value, tt.typ, tt.life, typ.Why, life.Why)
		}
	}
}

func TestNameAndTags(t *testing.T) {
	for in, want := range map[string]string{
		"payments-api": "payments-api", "Payments API": "payments-api", "a..b__c": "a.b_c", "-x-": "x",
		"日本": "repository", strings.Repeat("a", 70): strings.Repeat("a", 63), "x_.-y": "x_y",
	} {
		if got := Name(in); got != want || !catalog.ValidName(got) {
			t.Errorf("Name(%q) = %q, want %q (valid: %v)", in, got, want, catalog.ValidName(got))
		}
	}
	got := Tags([]string{"payments", "PCI DSS", "c++", "---"}, "Jupyter Notebook")
	want := []string{"payments", "pci-dss", "c++", "jupyter-notebook"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Tags = %v, want %v", got, want)
	}
}
