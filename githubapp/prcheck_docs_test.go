package githubapp

import (
	"testing"
	"testing/fstest"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/check"
)

// The TechDocs folders a check judges are read from the head as an fs.FS:
// the default docs folder, or the docs_dir a mkdocs.yml names.
func TestTechDocsOverAnFS(t *testing.T) {
	decl := func(name, dir string) string {
		return "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name +
			"\n  annotations: {backstage.io/techdocs-ref: 'dir:" + dir + "'}\nspec: {type: service, lifecycle: production, owner: payments}\n"
	}
	head := fstest.MapFS{
		"catalog-info.yaml":          {Data: []byte(decl("root", ".") + "---\n" + decl("api", "services/api") + "---\n" + decl("web", "web"))},
		"mkdocs.yml":                 {Data: []byte("site_name: root\n")},
		"docs/index.md":              {Data: []byte("# root")},
		"services/api/mkdocs.yml":    {Data: []byte("site_name: api\ndocs_dir: handbook # the team's\n")},
		"services/api/handbook/a.md": {Data: []byte("# a")},
		"web/mkdocs.yaml":            {Data: []byte("site_name: web\n")},
		"web/src/index.ts":           {Data: []byte("")},
	}
	parsed, problems := catalog.ParseFile("catalog-info.yaml", head["catalog-info.yaml"].Data, nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	in := check.Input{CatalogPath: "catalog-info.yaml", Parsed: parsed}
	if err := techDocs(head, &in); err != nil {
		t.Fatal(err)
	}
	want := map[string]check.TechDocs{
		".":            {Mkdocs: true, DocsPath: "docs", DocsDir: true},
		"services/api": {Mkdocs: true, DocsPath: "services/api/handbook", DocsDir: true},
		"web":          {Mkdocs: true, DocsPath: "web/docs", DocsDir: false},
	}
	for dir, w := range want {
		if got := in.TechDocs[dir]; got != w {
			t.Errorf("%s: %+v, want %+v", dir, got, w)
		}
	}
}
