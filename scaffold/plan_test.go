package scaffold

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold/issueform"
	"github.com/callboard/callboard/scaffold/nunjucks"
)

func TestMakePlan(t *testing.T) {
	tmpl := loadTemplate(t, filepath.Join("testdata", "kitchen-sink", "template.yaml"))
	params := map[string]any{"name": "ledger-api", "public": false, "language": "go", "repoUrl": issueform.RepoURL("github.com", "acme", "ledger-api")}
	pl, problems, _ := MakePlan(context.Background(), tmpl, params, PlanOptions{Org: "acme", Owner: catalog.MustParseRef("group:default/payments"), Policy: Policy{MaxVisibility: "internal"}})
	if len(problems) > 0 {
		t.Fatalf("problems %v", problems)
	}
	want := Publish{Step: "publish", Org: "acme", Name: "ledger-api", Description: "The ledger-api service", Visibility: "internal",
		DefaultBranch: "trunk", CommitMessage: "initial commit"}
	if !reflect.DeepEqual(pl.Publish, want) {
		t.Errorf("publish %+v\nwant %+v", pl.Publish, want)
	}
	if len(pl.Fetches) != 1 || pl.Fetches[0].Source != (Source{Repo: "acme/templates", RefPath: "main/templates/kitchen-sink/skeleton"}) {
		t.Errorf("fetches %+v (the docs step is skipped: public is false)", pl.Fetches)
	}
	if dest := pl.Fetches[0].Values["destination"]; !reflect.DeepEqual(dest, map[string]any{"host": "github.com", "owner": "acme", "repo": "ledger-api"}) {
		t.Errorf("destination %#v", dest)
	}
	if pl.CatalogPath != "catalog-info.yaml" {
		t.Errorf("catalog path %q", pl.CatalogPath)
	}
}

func TestMakePlanRefuses(t *testing.T) {
	base := func(steps ...Step) *Template {
		return &Template{Ref: catalog.MustParseRef("template:default/t"), Location: "https://github.com/acme/templates/blob/main/t/template.yaml", Steps: steps}
	}
	fetch := Step{ID: "fetch", Action: ActionFetchTemplate, Input: map[string]any{"url": "./skeleton"}}
	publish := Step{ID: "publish", Action: ActionPublishGitHub, Input: map[string]any{"repoUrl": "${{ parameters.repoUrl }}"}}
	register := Step{ID: "register", Action: ActionCatalogRegister, Input: map[string]any{"repoContentsUrl": "${{ steps.publish.output.repoContentsUrl }}", "catalogInfoPath": "/catalog-info.yaml"}}
	params := map[string]any{"repoUrl": issueform.RepoURL("github.com", "acme", "svc")}
	cases := []struct {
		name string
		t    *Template
		want string
	}{
		{"unsupported actions", base(fetch, Step{ID: "x", Action: "fetch:plain"}, Step{ID: "y", Action: "debug:log"}, publish),
			"The template uses `fetch:plain`, `debug:log`, which callboard does not run"},
		{"no publish", base(fetch), "has no `publish:github` step"},
		{"two publishes", base(fetch, publish, publish), "publishes twice"},
		{"fetch after publish", base(publish, fetch), "fetches files after `publish:github`"},
		{"register before publish", base(fetch, register, publish), "registers a catalog file before"},
		{"another organisation", base(fetch, Step{ID: "publish", Action: ActionPublishGitHub, Input: map[string]any{"repoUrl": "github.com?owner=globex&repo=svc"}}),
			"would be created in `globex`, but callboard creates repositories in `acme`"},
		{"register elsewhere", base(fetch, publish, Step{ID: "register", Action: ActionCatalogRegister, Input: map[string]any{"catalogInfoUrl": "https://github.com/acme/other/blob/main/catalog-info.yaml"}}),
			"is not in the new repository acme/svc"},
		{"skeleton outside the repository", base(Step{ID: "fetch", Action: ActionFetchTemplate, Input: map[string]any{"url": "../../../x"}}, publish),
			"leaves the template's repository"},
		{"bad expression", base(fetch, Step{ID: "publish", Action: ActionPublishGitHub, Input: map[string]any{"repoUrl": "${{ parameters.repoUrl | nope }}"}}),
			`unknown filter "nope"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems, _ := MakePlan(context.Background(), tc.t, params, PlanOptions{Org: "acme"})
			var all []string
			for _, p := range problems {
				all = append(all, p.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("problems %q, want one saying %q", all, tc.want)
			}
		})
	}
}

func TestRenderSkeleton(t *testing.T) {
	files := []File{
		{Path: "README.md", Content: []byte("# ${{ values.name }}\n")},
		{Path: "src/${{ values.name }}/main.go", Content: []byte("package ${{ values.name }}\n")},
		{Path: ".github/workflows/ci.yml", Content: []byte("run: ${{ github.sha }}\n")},
		{Path: "vendor/lib/x.js", Content: []byte("${{ untouched }}")},
		{Path: "${{ 'optional.txt' if values.extra else '' }}", Content: []byte("x")},
		{Path: "logo.png", Content: []byte("\x89PNG\x00${{ values.name }}")},
		{Path: "app.yaml.njk", Content: []byte("name: ${{ values.name }}")},
	}
	vars := map[string]any{"values": map[string]any{"name": "svc"}}
	got, err := renderSkeleton(testMeter(), files, vars, fetchOptions{targetPath: "out", copyWithout: []string{".github/workflows/*", "./vendor"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"out/README.md":                "# svc\n",
		"out/src/svc/main.go":          "package svc\n",
		"out/.github/workflows/ci.yml": "run: ${{ github.sha }}\n",
		"out/vendor/lib/x.js":          "${{ untouched }}",
		"out/logo.png":                 "\x89PNG\x00${{ values.name }}",
		"out/app.yaml.njk":             "name: svc",
	}
	gotMap := map[string]string{}
	for _, f := range got {
		gotMap[f.Path] = string(f.Content)
	}
	if !reflect.DeepEqual(gotMap, want) {
		t.Errorf("got %v\nwant %v", gotMap, want)
	}
	got, err = renderSkeleton(testMeter(), files[6:], vars, fetchOptions{templateExtension: ".njk"})
	if err != nil || len(got) != 1 || got[0].Path != "app.yaml" {
		t.Errorf("templateFileExtension: %+v, %v", got, err)
	}
	if _, err := renderSkeleton(testMeter(), []File{{Path: "${{ '../../etc' }}/passwd"}}, vars, fetchOptions{}); err == nil {
		t.Errorf("a path out of the repository was accepted")
	}
}

func TestSetOwner(t *testing.T) {
	payments := catalog.MustParseRef("group:default/payments")
	in := "# The service\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc # its name\nspec:\n  type: service\n  lifecycle: experimental\n  owner: user:guest\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: loc}\nspec: {targets: [./a.yaml]}\n"
	out, changed, err := SetOwner([]byte(in), payments)
	if err != nil || !changed {
		t.Fatalf("changed %v, %v", changed, err)
	}
	for _, want := range []string{"owner: group:default/payments", "# The service", "name: svc # its name", "kind: Location"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	same := strings.Replace(in, "user:guest", "payments", 1)
	if out, changed, _ := SetOwner([]byte(same), payments); changed || string(out) != same {
		t.Errorf("an owner that names the team already was rewritten:\n%s", out)
	}
	missing := strings.Replace(in, "  owner: user:guest\n", "", 1)
	if out, _, _ := SetOwner([]byte(missing), payments); !strings.Contains(string(out), "owner: group:default/payments") {
		t.Errorf("no owner added:\n%s", out)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	s, _, _, _ := serviceSetup(t)
	r := &Request{RepoID: 1, Number: 2, Repository: "acme/requests", State: StateRunning, Step: stepCreated,
		Params: map[string]any{"name": "svc", "tier": float64(2)}, Target: "acme/svc", CreatedRepoID: 77}
	if err := s.Store.Save(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Store.Get(t.Context(), 1, 2)
	if err != nil || got.Target != "acme/svc" || got.CreatedRepoID != 77 || got.Params["tier"] != float64(2) || !got.done(stepCreated) || got.done(stepCommitted) {
		t.Errorf("%+v, %v", got, err)
	}
	other := &Request{RepoID: 1, Number: 3}
	if who, err := s.Store.Claimed(t.Context(), other, "ACME/SVC", 0); err != nil || who != "acme/requests#2" {
		t.Errorf("claimed by %q, %v", who, err)
	}
	if who, _ := s.Store.Claimed(t.Context(), r, "acme/svc", 77); who != "" {
		t.Errorf("a request claims against itself: %q", who)
	}
}

func testMeter() *nunjucks.Meter {
	return nunjucks.NewMeter(context.Background(), nunjucks.DefaultBudget)
}
