package check

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/callboard/callboard/internal/golden"

	"github.com/callboard/callboard/catalog"
)

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), []byte(got))
}

func parse(t *testing.T, repo, path, yaml string) []*catalog.Parsed {
	t.Helper()
	ps, problems := catalog.ParseFile(path, []byte(yaml), nil)
	if len(problems) > 0 {
		t.Fatalf("fixture does not parse: %v", problems)
	}
	r := &catalog.Repository{FullName: repo, DefaultBranch: "main"}
	for _, p := range ps {
		catalog.StampRepoEntity(p.Entity, r, path)
	}
	return ps
}

var known = map[string]string{
	"group:default/payments": "acme/payments",
	"group:default/search":   "acme/search",
	"user:default/alice":     "",
}

var names = []catalog.NameEntry{{Name: "payments", Ref: "group:default/payments"}, {Name: "search", Ref: "group:default/search"}, {Name: "alice", Ref: "user:default/alice"}}

const goodReadme = "# payments-api\n\nCharges cards, issues refunds and reports payouts for every Acme storefront. " +
	"Run it locally with `make run`; it needs PostgreSQL 15. The on-call runbook lives in docs/runbook.md and the " +
	"API is described in openapi.yaml.\n"

const serviceV1 = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: Charges cards
spec:
  type: service
  lifecycle: production
  owner: payments
`

func TestEvaluate(t *testing.T) {
	base := parse(t, "acme/payments-api", "catalog-info.yaml", serviceV1)
	tests := []struct {
		name       string
		in         Input
		conclusion string
		findings   []string // check: message prefix
	}{
		{
			name: "missing catalog file",
			in: Input{Repository: "acme/legacy-billing", Description: "Invoice generation", CatalogPath: "catalog-info.yaml",
				Codeowners: &File{Path: ".github/CODEOWNERS", Content: []byte("* @acme/payments\n")},
				Readme:     &File{Path: "README.md", Content: []byte(goodReadme)}},
			conclusion: Neutral,
			findings:   []string{`catalog file: "catalog-info.yaml" is missing`},
		},
		{
			name: "valid, owned, documented",
			in: Input{Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true,
				Parsed:     parse(t, "acme/payments-api", "catalog-info.yaml", serviceV1),
				Codeowners: &File{Path: ".github/CODEOWNERS", Content: []byte("* @acme/payments\n")},
				Readme:     &File{Path: "README.md", Content: []byte(goodReadme)}},
			conclusion: Success,
		},
		{
			name: "unknown owner",
			in: Input{Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true,
				Parsed: parse(t, "acme/payments-api", "catalog-info.yaml", strings.Replace(serviceV1, "owner: payments", "owner: paymnts", 1)),
				Readme: &File{Path: "README.md", Content: []byte(goodReadme)}},
			conclusion: Failure,
			findings:   []string{`owner: "component:default/payments-api": owner "paymnts" is not a known group or user (did you mean "payments"?)`},
		},
		{
			name: "CODEOWNERS disagrees, thin README",
			in: Input{Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true,
				Parsed:     parse(t, "acme/payments-api", "catalog-info.yaml", serviceV1),
				Codeowners: &File{Path: "CODEOWNERS", Content: []byte("# owners\n* @acme/search\n")},
				Readme:     &File{Path: "README.md", Content: []byte("# payments-api\n\nTODO\n")}},
			conclusion: Neutral,
			findings: []string{
				`CODEOWNERS: CODEOWNERS gives "catalog-info.yaml" to "@acme/search", but the catalog's owner is "payments", GitHub team "@acme/payments"`,
				"docs: the README has 4 characters",
			},
		},
		{
			name: "strict turns warnings into failure",
			in: Input{Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true, Strict: true,
				Parsed: parse(t, "acme/payments-api", "catalog-info.yaml", serviceV1)},
			conclusion: Failure,
			findings:   []string{"docs: there is no README"},
		},
		{
			name: "techdocs without mkdocs",
			in: Input{Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true,
				Parsed: parse(t, "acme/payments-api", "catalog-info.yaml", strings.Replace(serviceV1, "  description: Charges cards\n", "  description: Charges cards\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n", 1)),
				Readme: &File{Path: "README.md", Content: []byte(goodReadme)}},
			conclusion: Neutral,
			findings:   []string{`docs: "component:default/payments-api" sets backstage.io/techdocs-ref but there is no mkdocs.yml in the repository root`},
		},
		{
			name: "ownership moves",
			in: Input{Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true, Base: entitiesOf(base),
				Parsed: parse(t, "acme/payments-api", "catalog-info.yaml", strings.Replace(serviceV1, "owner: payments", "owner: search", 1)),
				Readme: &File{Path: "README.md", Content: []byte(goodReadme)}},
			conclusion: Success,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.KnownOwners, tt.in.OwnerNames = known, names
			r := Evaluate(tt.in)
			if r.Conclusion != tt.conclusion {
				t.Errorf("conclusion %s, want %s; findings %+v", r.Conclusion, tt.conclusion, r.Findings)
			}
			if len(r.Findings) != len(tt.findings) {
				t.Fatalf("%d findings %+v, want %d", len(r.Findings), r.Findings, len(tt.findings))
			}
			for i, f := range r.Findings {
				if got := f.Check + ": " + f.Message; !strings.HasPrefix(got, tt.findings[i]) {
					t.Errorf("finding %d: %q, want it to start with %q", i, got, tt.findings[i])
				}
			}
		})
	}
}

func entitiesOf(ps []*catalog.Parsed) []*catalog.Entity {
	var out []*catalog.Entity
	for _, p := range ps {
		out = append(out, p.Entity)
	}
	return out
}

func TestChanges(t *testing.T) {
	base := entitiesOf(parse(t, "acme/x", "catalog-info.yaml", serviceV1+`---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-rest}
spec: {type: openapi, lifecycle: production, owner: payments, definition: "openapi: 3.0.0"}
`))
	head := entitiesOf(parse(t, "acme/x", "catalog-info.yaml", strings.NewReplacer("owner: payments", "owner: search", "lifecycle: production", "lifecycle: deprecated").Replace(serviceV1)+`---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: payments-db}
spec: {type: database, owner: payments}
`))
	got := changes(base, head, true)
	want := []Change{
		{Ref: "component:default/payments-api", Kind: "owner", From: "payments", To: "search"},
		{Ref: "api:default/payments-rest", Kind: "removed"},
		{Ref: "resource:default/payments-db", Kind: "added"},
		{Ref: "component:default/payments-api", Kind: "lifecycle", From: "production", To: "deprecated"},
	}
	if len(got) != len(want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestWhatPeopleRead(t *testing.T) {
	base := entitiesOf(parse(t, "acme/payments-api", "catalog-info.yaml", serviceV1))
	cases := map[string]Input{
		"missing": {Repository: "acme/legacy-billing", Description: "Invoice generation (pre-2019)", CatalogPath: "catalog-info.yaml",
			Codeowners: &File{Path: ".github/CODEOWNERS", Content: []byte("* @acme/payments\n/reports/ @acme/platform\n")},
			Readme:     &File{Path: "README.md", Content: []byte(goodReadme)}},
		"unknown-owner-and-move": {Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true, Base: base, BaseURL: "https://callboard.acme.example",
			Parsed:     parse(t, "acme/payments-api", "catalog-info.yaml", strings.Replace(serviceV1, "owner: payments", "owner: paymnts", 1)),
			Codeowners: &File{Path: ".github/CODEOWNERS", Content: []byte("* @acme/payments\n")},
			Readme:     &File{Path: "README.md", Content: []byte(goodReadme)}},
		"passed": {Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true, Base: base, BaseURL: "https://callboard.acme.example/",
			Parsed:     parse(t, "acme/payments-api", "catalog-info.yaml", serviceV1),
			Codeowners: &File{Path: ".github/CODEOWNERS", Content: []byte("* @acme/payments\n")},
			Readme:     &File{Path: "README.md", Content: []byte(goodReadme)}},
	}
	var problems []catalog.Problem
	for i := range 23 {
		problems = append(problems, catalog.Problem{File: "catalog-info.yaml", Line: 6 + i, Field: fmt.Sprintf("metadata.tags[%d]", i),
			Message: fmt.Sprintf("%q is not a valid tag: 1–63 lower-case letters, digits and : + # separated by -", fmt.Sprintf("Tag_%d", i))})
	}
	cases["many-problems"] = Input{Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true, Base: base,
		Problems: problems, Readme: &File{Path: "README.md", Content: []byte(goodReadme)}}
	cases["codeowners-disagrees"] = Input{Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true, Base: base,
		Parsed:     parse(t, "acme/payments-api", "catalog-info.yaml", strings.Replace(serviceV1, "owner: payments", "owner: search", 1)),
		Codeowners: &File{Path: ".github/CODEOWNERS", Content: []byte("* @acme/payments\n")},
		Readme:     &File{Path: "README.md", Content: []byte("# payments-api\n\nTODO\n")}}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			in.KnownOwners, in.OwnerNames = known, names
			r := Evaluate(in)
			checkGolden(t, name+".comment.md", r.Comment("https://github.com/acme/x/pull/7/checks"))
			checkGolden(t, name+".summary.md", "title: "+r.Title()+"\n\n"+r.Summary())
		})
	}
}

func TestCommentStaysUnderGitHubsLimit(t *testing.T) {
	long := strings.Repeat("a tag that is far too long and invalid ", 3000) // a value quoted from the file
	var problems []catalog.Problem                                          // and no README: 3,001 findings
	for i := 0; i < 3000; i++ {
		problems = append(problems, catalog.Problem{File: "catalog-info.yaml", Line: i + 1, Field: "metadata.tags[0]", Message: long})
	}
	r := Evaluate(Input{Repository: "acme/x", CatalogPath: "catalog-info.yaml", CatalogFound: true, Problems: problems})
	c := r.Comment("https://github.com/acme/x/runs/1")
	if len(c) > 65536 || len(r.Summary()) > 65535 {
		t.Fatalf("comment is %d bytes and summary %d, over GitHub's limits", len(c), len(r.Summary()))
	}
	if !strings.HasPrefix(c, Marker) || !strings.Contains(c, "…and 2991 more, each on its line in [callboard/ownership](https://github.com/acme/x/runs/1).") {
		t.Errorf("the comment must keep its marker and say how many more there are:\n%s", c[len(c)-300:])
	}
	if n := strings.Count(c, "\n| ❌ |"); n != commentRows {
		t.Errorf("the comment lists %d findings, want %d", n, commentRows)
	}
	anns := r.Annotations()
	if len(anns) != MaxAnnotations {
		t.Errorf("%d annotations, want %d", len(anns), MaxAnnotations)
	}
	if n := len([]rune(anns[0].Message)); n > 4000 {
		t.Errorf("an annotation message of %d characters, want at most 4000 (GitHub takes 64 KB)", n)
	}
	if got := cut(strings.Repeat("é", 40000), MaxComment); len(got) > MaxComment || !utf8.ValidString(got) || !strings.HasSuffix(got, "… cut here: the rest is in the check run's annotations.\n") {
		t.Errorf("cut: %d bytes, valid UTF-8 %v, ends %q", len(got), utf8.ValidString(got), got[len(got)-60:])
	}
}

func TestSuggestedFileReadsBack(t *testing.T) {
	for _, desc := range []string{"Invoice generation (pre-2019)", "42", "yes", "- a list?", "key: value", "# not a comment", " padded ", `quote " and \ backslash`, "<b>&co: é</b>", ""} {
		t.Run(desc, func(t *testing.T) {
			in := Input{Repository: "acme/Ledger", Description: desc, CatalogPath: "catalog-info.yaml",
				Codeowners: &File{Path: "CODEOWNERS", Content: []byte("* @alice\n")}}
			file := suggestFile(in)
			ps, problems := catalog.ParseFile("catalog-info.yaml", []byte(file), nil)
			if len(problems) > 0 || len(ps) != 1 {
				t.Fatalf("the suggested file does not parse: %v\n%s", problems, file)
			}
			e := ps[0].Entity
			want := strings.TrimSpace(desc)
			if desc == "" {
				want = "TODO: one line on what ledger does"
			}
			if e.Metadata.Name != "ledger" || e.Metadata.Description != want || e.SpecString("owner") != "user:alice" {
				t.Errorf("name %q, description %q, owner %q; want ledger, %q, user:alice", e.Metadata.Name, e.Metadata.Description, e.SpecString("owner"), want)
			}
		})
	}
}

func TestManyChangesAreListedShort(t *testing.T) {
	var head []*catalog.Entity
	for i := range 2000 {
		head = append(head, entitiesOf(parse(t, "acme/x", "catalog-info.yaml", strings.Replace(serviceV1, "payments-api", fmt.Sprintf("svc-%d", i), 1)))...)
	}
	r := &Report{Conclusion: Success, Changes: changes(nil, head, true)}
	c := r.Comment("")
	if n := strings.Count(c, "` added\n"); n != commentRows || !strings.Contains(c, "- …and 1990 more\n") {
		t.Errorf("the comment lists %d of 2,000 added entities, want %d and how many more:\n%s", n, commentRows, c)
	}
	if s := r.Summary(); strings.Count(s, "` added\n") != summaryRows {
		t.Errorf("the summary lists %d added entities, want %d", strings.Count(s, "` added\n"), summaryRows)
	}
}
