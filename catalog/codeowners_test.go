package catalog

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// codeownersTestdata is where the shared CODEOWNERS fixtures live; CI checks shared/ out beside the repository.
var codeownersTestdata = filepath.Join("..", "..", "shared", "testdata", "codeowners")

func readCodeownersFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(codeownersTestdata, name))
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	return data
}

func parseCodeownersFixture(t testing.TB, name string) *Codeowners {
	t.Helper()
	c, err := ParseCodeowners(readCodeownersFixture(t, name))
	if err != nil {
		t.Fatalf("ParseCodeowners(%s): %v", name, err)
	}
	if len(c.Problems) != 0 {
		t.Fatalf("ParseCodeowners(%s) problems = %v, want none", name, c.Problems)
	}
	return c
}

// TestCodeownersPatternVectors runs hmarr/codeowners' shared vectors, each as a one-rule file.
func TestCodeownersPatternVectors(t *testing.T) {
	var vectors []struct {
		Name    string          `json:"name"`
		Pattern string          `json:"pattern"`
		Paths   map[string]bool `json:"paths"`
	}
	if err := json.Unmarshal(readCodeownersFixture(t, "fixtures/hmarr-codeowners/patterns.json"), &vectors); err != nil {
		t.Fatalf("decoding patterns.json: %v", err)
	}
	if len(vectors) == 0 {
		t.Fatal("patterns.json has no vectors")
	}
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			c, err := ParseCodeowners([]byte(v.Pattern + " @owner\n"))
			if err != nil {
				t.Fatalf("ParseCodeowners: %v", err)
			}
			if len(c.Problems) != 0 || len(c.Rules) != 1 {
				t.Fatalf("pattern %q: got %d rules and problems %v, want 1 rule and no problems", v.Pattern, len(c.Rules), c.Problems)
			}
			for path, want := range v.Paths {
				if _, got := c.Match(path); got != want {
					t.Errorf("pattern %q: Match(%q) = %v, want %v", v.Pattern, path, got, want)
				}
				// A leading slash names the same repository path.
				if _, got := c.Match("/" + path); got != want {
					t.Errorf("pattern %q: Match(%q) = %v, want %v", v.Pattern, "/"+path, got, want)
				}
			}
		})
	}
}

type codeownersLookup struct {
	path     string
	wantLine int // 0: no rule matches
	want     []string
}

func checkCodeownersLookups(t *testing.T, c *Codeowners, lookups []codeownersLookup) {
	t.Helper()
	for _, l := range lookups {
		r, ok := c.Match(l.path)
		if ok != (l.wantLine != 0) || r.Line != l.wantLine {
			t.Errorf("Match(%q) = line %d (matched %v), want line %d", l.path, r.Line, ok, l.wantLine)
			continue
		}
		if got := c.OwnersOf(l.path); !slices.Equal(got, l.want) {
			t.Errorf("OwnersOf(%q) = %q, want %q", l.path, got, l.want)
		}
	}
}

func TestCodeownersRealFiles(t *testing.T) {
	backstageMaint := []string{"@backstage/maintainers", "@backstage/reviewers"}
	backstageCatalog := []string{"@backstage/maintainers", "@backstage/reviewers", "@backstage/catalog-maintainers"}
	backstageLock := []string{"@backstage/maintainers", "@backstage-service"}
	promDefault := []string{"@prometheus/default-maintainers"}
	otelAll := []string{"@MrAlias", "@XSAM", "@dashpole", "@pellared", "@dmathieu", "@flc1125"}
	otelOwners := []string{"@MrAlias", "@pellared", "@dashpole", "@XSAM", "@dmathieu"}
	globals := []string{"@global-owner1", "@global-owner2"}

	tests := []struct {
		file      string
		wantRules int
		lookups   []codeownersLookup
	}{
		{
			file:      "backstage-backstage.CODEOWNERS",
			wantRules: 75,
			lookups: []codeownersLookup{
				{"README.md", 7, backstageMaint},
				{"yarn.lock", 8, backstageLock},
				{"packages/foo/yarn.lock", 8, backstageLock},
				{"packages/yarn.lock", 9, backstageLock},
				{".changeset/foo.md", 10, nil},
				{".changeset/config.json", 7, backstageMaint},
				{"docs/features/search/index.md", 12, []string{"@backstage/discoverability-maintainers"}},
				{"plugins/adr/src/index.ts", 18, []string{"@backstage/maintainers", "@backstage/reviewers", "@kuangp"}},
				{"plugins/adr-backend/src/index.ts", 19, []string{"@backstage/maintainers", "@backstage/reviewers", "@kuangp"}},
				{"plugins/adrx/src/index.ts", 7, backstageMaint},
				{"plugins/catalog/src/index.ts", 26, backstageCatalog},
				{"plugins/catalog-backend-module-gitlab/src/index.ts", 27, backstageCatalog},
				{"/plugins/catalog-backend-module-aws/x.ts", 28, append(slices.Clone(backstageCatalog), "@pjungermann")},
				{"plugins/catalog-backend-module-puppetdb/", 31, backstageCatalog},
				{"plugins/catalog-graph/package.json", 32, append(slices.Clone(backstageCatalog), "@backstage/sda-se-reviewers")},
				{"plugins/tech-insights-tech-insights-node/x.ts", 81, []string{"@backstage/maintainers", "@backstage/reviewers", "@xantier"}},
			},
		},
		{
			file:      "cli-cli.CODEOWNERS",
			wantRules: 6,
			lookups: []codeownersLookup{
				{"go.mod", 1, []string{"@cli/code-reviewers"}},
				{"pkg/cmd/codespace/x.go", 3, []string{"@cli/codespaces"}},
				{"pkg/cmd/codespace", 1, []string{"@cli/code-reviewers"}},
				{"internal/codespaces/api/api.go", 4, []string{"@cli/codespaces"}},
				{"vendor/internal/codespaces/api.go", 1, []string{"@cli/code-reviewers"}},
				{"pkg/cmd/attestation/verify/verify.go", 7, []string{"@cli/package-security"}},
				{"test/integration/attestation-cmd", 8, []string{"@cli/package-security"}},
				{"test/integration/attestation-cmd/run.sh", 8, []string{"@cli/package-security"}},
				{"test/integration/attestation-cmdx/run.sh", 1, []string{"@cli/code-reviewers"}},
				{"pkg/cmd/attestation/verification/embed/tuf-repo.github.com/root.json", 10, []string{"@cli/tuf-root-reviewers"}},
				{"pkg/cmd/attestation/verification/embed/tuf-repoXgithubXcom/root.json", 7, []string{"@cli/package-security"}},
			},
		},
		{
			file:      "prometheus-prometheus.CODEOWNERS",
			wantRules: 18,
			lookups: []codeownersLookup{
				{"Makefile", 10, []string{"@prometheus/default-maintainers", "@simonpasquier", "@SuperQ"}},
				{"cmd/Makefile", 7, promDefault},
				{"discovery/aliyun/aliyun.go", 7, promDefault},
				{"discovery/nomad/nomad.go", 7, promDefault},
				{"discovery/aws/ec2.go", 25, []string{"@prometheus/default-maintainers", "@matt-gp", "@sysadmind"}},
				{"discovery/aws/", 25, []string{"@prometheus/default-maintainers", "@matt-gp", "@sysadmind"}},
				{"discovery/aws", 7, promDefault},
				{"discovery/consul", 26, []string{"@prometheus/default-maintainers", "@mrvarmazyar"}},
				{"discovery/consul/consul.go", 26, []string{"@prometheus/default-maintainers", "@mrvarmazyar"}},
				{"web/ui/module/codemirror/index.ts", 15, []string{"@prometheus/default-maintainers", "@juliusv", "@nexucis"}},
				{"web/ui/mantine-ui/index.ts", 14, []string{"@prometheus/default-maintainers", "@juliusv"}},
				{"storage/remote/client.go", 17, []string{"@prometheus/default-maintainers", "@cstyan", "@bwplotka", "@tomwilkie", "@alexgreenbank"}},
				{"storage/remote/otlptranslator/x.go", 18, []string{"@prometheus/default-maintainers", "@aknuds1", "@jesusvazquez", "@ArthurSens"}},
				{"tsdb/agent/db.go", 20, []string{"@prometheus/default-maintainers", "@jesusvazquez", "@codesome", "@bwplotka", "@krajorama", "@kgeckhart"}},
			},
		},
		{
			file:      "opentelemetry-go.CODEOWNERS",
			wantRules: 2,
			lookups: []codeownersLookup{
				{"go.mod", 15, otelAll},
				{"CODEOWNERS", 17, otelOwners},
				{"sdk/CODEOWNERS", 17, otelOwners},
				{"CODEOWNERS.md", 15, otelAll},
			},
		},
		{
			file:      "fixtures/mszostok-codeowners-validator/pkg-codeowners-testdata.CODEOWNERS",
			wantRules: 7,
			lookups: []codeownersLookup{
				{"README.md", 8, globals},
				{"web/app.js", 14, []string{"@js-owner"}},
				{"cmd/main.go", 19, []string{"docs@example.com"}},
				{"build/logs/2024/run.log", 24, []string{"@doctocat"}},
				{"src/build/logs/run.log", 8, globals},
				{"docs/getting-started.md", 37, []string{"@doctocat"}},
				{"docs/build-app/troubleshooting.md", 37, []string{"@doctocat"}},
				{"src/docs/a.md", 8, globals},
				{"apps/web/page.tsx", 33, []string{"@octocat"}},
				{"src/apps/web/page.js", 33, []string{"@octocat"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := parseCodeownersFixture(t, tt.file)
			if len(c.Rules) != tt.wantRules {
				t.Errorf("got %d rules, want %d", len(c.Rules), tt.wantRules)
			}
			checkCodeownersLookups(t, c, tt.lookups)
		})
	}
}

// TestCodeownersNoTrailingNewline checks the last line of a file that does not end in a newline.
func TestCodeownersNoTrailingNewline(t *testing.T) {
	data := readCodeownersFixture(t, "fixtures/mszostok-codeowners-validator/pkg-codeowners-testdata.CODEOWNERS")
	if bytes.HasSuffix(data, []byte("\n")) {
		t.Fatal("fixture ends in a newline; this test needs one that does not")
	}
	c := parseCodeownersFixture(t, "fixtures/mszostok-codeowners-validator/pkg-codeowners-testdata.CODEOWNERS")
	last := c.Rules[len(c.Rules)-1]
	if last.Line != 37 || last.Pattern != "/docs/" || !slices.Equal(last.Owners, []string{"@doctocat"}) {
		t.Errorf("last rule = %d %q %q, want 37 \"/docs/\" [\"@doctocat\"]", last.Line, last.Pattern, last.Owners)
	}
}

func TestCodeownersCRLF(t *testing.T) {
	lf := parseCodeownersFixture(t, "cli-cli.CODEOWNERS")
	crlf := bytes.ReplaceAll(readCodeownersFixture(t, "cli-cli.CODEOWNERS"), []byte("\n"), []byte("\r\n"))
	got, err := ParseCodeowners(crlf)
	if err != nil {
		t.Fatalf("ParseCodeowners: %v", err)
	}
	if len(got.Problems) != 0 {
		t.Fatalf("problems = %v, want none", got.Problems)
	}
	if len(got.Rules) != len(lf.Rules) {
		t.Fatalf("got %d rules, want %d", len(got.Rules), len(lf.Rules))
	}
	for i, r := range got.Rules {
		want := lf.Rules[i]
		if r.Line != want.Line || r.Pattern != want.Pattern || !slices.Equal(r.Owners, want.Owners) {
			t.Errorf("rule %d = %d %q %q, want %d %q %q", i, r.Line, r.Pattern, r.Owners, want.Line, want.Pattern, want.Owners)
		}
	}
	checkCodeownersLookups(t, got, []codeownersLookup{
		{"test/integration/attestation-cmd/run.sh", 8, []string{"@cli/package-security"}},
		{"pkg/cmd/attestation/verification/embed/tuf-repo.github.com/root.json", 10, []string{"@cli/tuf-root-reviewers"}},
	})
}

func TestCodeownersProblems(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantRules []string // patterns of the rules kept
		want      []CodeownersProblem
	}{
		{
			name: "malformed rule",
			in:   "malformed rule\n",
			want: []CodeownersProblem{{Line: 1, Column: 11, Message: `invalid owner format "rule"`}},
		},
		{
			name: "negation",
			in:   "!negated @a\n",
			want: []CodeownersProblem{{Line: 1, Column: 1, Message: `negated pattern "!negated" is not supported`}},
		},
		{
			name: "bare word after a valid owner",
			in:   "/x @bad owner\n",
			want: []CodeownersProblem{{Line: 1, Column: 9, Message: `invalid owner format "owner"`}},
		},
		{
			name: "team without a slug",
			in:   "/x @org/\n",
			want: []CodeownersProblem{{Line: 1, Column: 4, Message: `invalid owner format "@org/"`}},
		},
		{
			name: "every bad owner on the line is reported",
			in:   "/x @ok @org/a/b x@y\n",
			want: []CodeownersProblem{
				{Line: 1, Column: 8, Message: `invalid owner format "@org/a/b"`},
				{Line: 1, Column: 17, Message: `invalid owner format "x@y"`},
			},
		},
		{
			name: "escaped leading hash",
			in:   "\\#literal @a\n",
			want: []CodeownersProblem{{Line: 1, Column: 1, Message: `escaping a leading "#" in pattern "\\#literal" is not supported`}},
		},
		{
			name: "unfinished escape",
			in:   "\t/x\\\n",
			want: []CodeownersProblem{{Line: 1, Column: 2, Message: `pattern "/x\\" ends in an unfinished escape`}},
		},
		{
			name: "root alone",
			in:   "/ @a\n",
			want: []CodeownersProblem{{Line: 1, Column: 1, Message: `pattern "/" matches no path`}},
		},
		{
			name: "columns count characters, tabs as one",
			in:   "\t/é\t@bad!\n",
			want: []CodeownersProblem{{Line: 1, Column: 5, Message: `invalid owner format "@bad!"`}},
		},
		{
			name:      "good lines around a bad one are kept",
			in:        "* @a\n/x @org/\n/y @org/team me@example.com\n",
			wantRules: []string{"*", "/y"},
			want:      []CodeownersProblem{{Line: 2, Column: 4, Message: `invalid owner format "@org/"`}},
		},
		{
			name:      "comments, blank lines and inline comments",
			in:        "# c\n\n   \n  # indented\n/x @a # not @an owner\n/y # unowned\n",
			wantRules: []string{"/x", "/y"},
		},
		{
			name:      "pattern without owners",
			in:        "/.changeset/*.md\n",
			wantRules: []string{"/.changeset/*.md"},
		},
		{
			name:      "hash inside a pattern is not a comment",
			in:        "/apps/#1 @a\n",
			wantRules: []string{"/apps/#1"},
		},
		{
			name: "line too long",
			in:   "/x " + strings.Repeat("@a ", maxCodeownersLine/3) + "\n",
			want: []CodeownersProblem{{Line: 1, Message: "line is 16386 bytes, over the 16384-byte limit"}},
		},
		{
			name: "too many segments",
			in:   strings.Repeat("/a", 64) + " @a\n",
			want: []CodeownersProblem{{Line: 1, Column: 1, Message: `pattern "` + strings.Repeat("/a", 64) + `" has more than 63 path segments`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCodeowners([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseCodeowners: %v", err)
			}
			var gotRules []string
			for _, r := range c.Rules {
				gotRules = append(gotRules, r.Pattern)
			}
			if !slices.Equal(gotRules, tt.wantRules) {
				t.Errorf("rules = %q, want %q", gotRules, tt.wantRules)
			}
			if !slices.Equal(c.Problems, tt.want) {
				t.Errorf("problems = %+v, want %+v", c.Problems, tt.want)
			}
		})
	}
}

func TestCodeownersProblemError(t *testing.T) {
	p := CodeownersProblem{Line: 3, Column: 11, Message: `invalid owner format "rule"`}
	if got, want := p.Error(), `line 3: invalid owner format "rule"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestCodeownersProblemsAreBounded(t *testing.T) {
	c, err := ParseCodeowners([]byte(strings.Repeat("!x @a\n", 3*maxCodeownersProblems)))
	if err != nil {
		t.Fatalf("ParseCodeowners: %v", err)
	}
	if got, want := len(c.Problems), maxCodeownersProblems+1; got != want {
		t.Fatalf("got %d problems, want %d", got, want)
	}
	if got, want := c.Problems[maxCodeownersProblems].Message, "too many problems; later ones are not reported"; got != want {
		t.Errorf("last problem = %q, want %q", got, want)
	}
}

func TestCodeownersSizeLimit(t *testing.T) {
	// Blank lines keep the at-limit input valid, so only its size is on trial.
	atLimit := bytes.Repeat([]byte("\n"), MaxCodeownersSize)
	if _, err := ParseCodeowners(atLimit); err != nil {
		t.Errorf("ParseCodeowners(%d bytes): %v, want no error", len(atLimit), err)
	}
	over := append(atLimit, '\n')
	c, err := ParseCodeowners(over)
	if err == nil {
		t.Errorf("ParseCodeowners(%d bytes) = %+v, want an error", len(over), c)
	}
}

func TestCodeownersMatch(t *testing.T) {
	const file = "\uFEFF* @default\n" +
		"path\\ with\\ spaces/ @spaces\n" +
		"/docs/* @docs\n" +
		"/lib/ @lib\n" +
		"/src/**/*.go @gophers\n" +
		"/apps/[id]/ @brackets\n" +
		"/Generated @gen\n"
	c, err := ParseCodeowners([]byte(file))
	if err != nil {
		t.Fatalf("ParseCodeowners: %v", err)
	}
	if len(c.Problems) != 0 {
		t.Fatalf("problems = %v, want none", c.Problems)
	}
	checkCodeownersLookups(t, c, []codeownersLookup{
		{"", 0, nil},
		{"/", 0, nil},
		{"README.md", 1, []string{"@default"}},
		{"a/path with spaces/x", 2, []string{"@spaces"}},
		{"a/path with spaces", 1, []string{"@default"}},
		{"docs/a.md", 3, []string{"@docs"}},
		{"docs/build/b.md", 1, []string{"@default"}},
		{"lib", 1, []string{"@default"}},
		{"lib/", 4, []string{"@lib"}},
		{"//lib//x.c", 4, []string{"@lib"}},
		{"src/main.go", 5, []string{"@gophers"}},
		{"src/a/b/c.go", 5, []string{"@gophers"}},
		{"src/a/b/c.go.txt", 1, []string{"@default"}},
		{"apps/[id]/page.tsx", 6, []string{"@brackets"}},
		{"apps/i/page.tsx", 1, []string{"@default"}},
		{"Generated/x", 7, []string{"@gen"}},
		{"generated/x", 1, []string{"@default"}}, // GitHub matches paths case-sensitively
	})
}

// TestCodeownersJSONRoundTrip checks that decoded rules get their matcher back.
func TestCodeownersJSONRoundTrip(t *testing.T) {
	orig := parseCodeownersFixture(t, "backstage-backstage.CODEOWNERS")
	data, err := json.Marshal(orig)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var got Codeowners
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if len(got.Rules) != len(orig.Rules) {
		t.Fatalf("got %d rules, want %d", len(got.Rules), len(orig.Rules))
	}
	for i, r := range got.Rules {
		if r.matcher == nil {
			t.Errorf("rule %d (%q) has no compiled matcher after decoding", i, r.Pattern)
		}
	}
	for _, path := range []string{"README.md", ".changeset/foo.md", "packages/foo/yarn.lock", "plugins/catalog-backend-module-aws/x.ts", "plugins/adrx/y"} {
		wantRule, wantOK := orig.Match(path)
		gotRule, gotOK := got.Match(path)
		if gotOK != wantOK || gotRule.Line != wantRule.Line || !slices.Equal(gotRule.Owners, wantRule.Owners) {
			t.Errorf("after round trip Match(%q) = line %d %q, want line %d %q", path, gotRule.Line, gotRule.Owners, wantRule.Line, wantRule.Owners)
		}
	}

	var bad Codeowners
	if err := json.Unmarshal([]byte(`{"rules":[{"line":1,"pattern":"!x","owners":[]}]}`), &bad); err == nil {
		t.Error("json.Unmarshal of a negated pattern: got no error, want one")
	}
}

// TestCodeownersHandBuilt checks rules that were never compiled still match.
func TestCodeownersHandBuilt(t *testing.T) {
	c := &Codeowners{Rules: []CodeownersRule{
		{Line: 1, Pattern: "*", Owners: []string{"@a"}},
		{Line: 2, Pattern: "/docs/", Owners: []string{"@org/docs"}},
		{Line: 3, Pattern: "!broken", Owners: []string{"@b"}},
	}}
	checkCodeownersLookups(t, c, []codeownersLookup{
		{"docs/x.md", 2, []string{"@org/docs"}},
		{"broken", 1, []string{"@a"}},
	})
	var none *Codeowners
	if _, ok := none.Match("x"); ok {
		t.Error("nil Codeowners matched, want no match")
	}
}

func TestCodeownersOwnerKinds(t *testing.T) {
	tests := []struct {
		owner    string
		wantTeam string
		wantUser string
	}{
		{"@octocat", "", "octocat"},
		{"@SuperQ", "", "SuperQ"},
		{"@mona_octo", "", "mona_octo"},
		{"@backstage-service", "", "backstage-service"},
		{"@backstage/maintainers", "backstage/maintainers", ""},
		{"@Org-1/team_a", "Org-1/team_a", ""},
		{"docs@example.com", "", ""},
		{"octocat", "", ""},
		{"@", "", ""},
		{"@org/", "", ""},
		{"@/team", "", ""},
		{"@org/a/b", "", ""},
		{"@-bad", "", ""},
		{"@org_x/team", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			if got := TeamSlug(tt.owner); got != tt.wantTeam {
				t.Errorf("TeamSlug(%q) = %q, want %q", tt.owner, got, tt.wantTeam)
			}
			if got := UserLogin(tt.owner); got != tt.wantUser {
				t.Errorf("UserLogin(%q) = %q, want %q", tt.owner, got, tt.wantUser)
			}
		})
	}
}

func TestCodeownersEmailOwners(t *testing.T) {
	tests := []struct {
		owner string
		want  bool
	}{
		{"docs@example.com", true},
		{"first.last+tag@mail.example.co.uk", true},
		{"a@b.technology", true},
		{"x@y", false},
		{"@example.com", false},
		{"a@b@example.com", false},
		{"a@example..com", false},
		{"a@example.c0m", false},
		{"a b@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			if got := isCodeownersEmail(tt.owner); got != tt.want {
				t.Errorf("isCodeownersEmail(%q) = %v, want %v", tt.owner, got, tt.want)
			}
		})
	}
}

func BenchmarkCodeownersMatch(b *testing.B) {
	c := parseCodeownersFixture(b, "backstage-backstage.CODEOWNERS")
	paths := []string{
		"README.md",
		"plugins/catalog-backend-module-aws/src/providers/AwsS3EntityProvider.ts",
		"packages/core-components/src/components/Table/Table.tsx",
		"plugins/techdocs-backend/src/service/router.ts",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Match(paths[i%len(paths)])
	}
}
