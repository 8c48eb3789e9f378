package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// sharedModelData is the repository-wide test data, checked out beside main.
func sharedModelData(elem ...string) string {
	return filepath.Join(append([]string{"..", "..", "shared", "testdata"}, elem...)...)
}

var modelExamples = sharedModelData("backstage", "packages", "catalog-model", "examples")

// besideResolver reads placeholder targets beside the catalog file, as Backstage
// does for a relative $text, and leaves anything with a scheme unfetched. It
// records what it was asked for.
type besideResolver struct {
	dir   string
	asked []string
}

func (r *besideResolver) resolve(target string) ([]byte, error) {
	r.asked = append(r.asked, target)
	if strings.Contains(target, "://") {
		return nil, ErrNotFetched
	}
	return os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(target)))
}

func readModelFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lineOf returns the 1-based line of the first line of data that equals text.
func modelLineOf(t *testing.T, data []byte, text string) int {
	t.Helper()
	for i, l := range strings.Split(string(data), "\n") {
		if l == text {
			return i + 1
		}
	}
	t.Fatalf("no line %q in the file", text)
	return 0
}

var (
	docKindLine = regexp.MustCompile(`(?m)^kind:`)
	docKeyLine  = regexp.MustCompile(`^[a-zA-Z]+:`)
)

func TestParseBackstageExamples(t *testing.T) {
	var files []string
	err := filepath.WalkDir(modelExamples, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatalf("listing the Backstage examples: %v", err)
	}
	if len(files) < 40 {
		t.Fatalf("found %d example files in %s, want the whole catalog-model/examples folder", len(files), modelExamples)
	}
	total := 0
	for _, path := range files {
		rel, _ := filepath.Rel(modelExamples, path)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			data := readModelFile(t, path)
			r := &besideResolver{dir: filepath.Dir(path)}
			parsed, problems := ParseFile(rel, data, r.resolve)
			switch {
			case strings.HasSuffix(path, "invalid-component.yaml"):
				if len(parsed) != 0 {
					t.Errorf("got %d entities from the invalid example, want none", len(parsed))
				}
				if len(problems) != 2 {
					t.Errorf("got %d problems, want 2 (checked in detail in TestParseInvalidComponent): %v", len(problems), problems)
				}
			case refusedExamples[filepath.ToSlash(rel)]:
				// As Backstage refuses them: their $text names a file of
				// another repository (APIs-guru's).
				if len(parsed) != 0 || len(problems) != 1 || problems[0].Field != "spec.definition" || !strings.Contains(problems[0].Message, "may only reference files from the same repository") {
					t.Errorf("got %d entities and problems %v, want one problem naming spec.definition", len(parsed), problems)
				}
			case strings.HasSuffix(path, ".oas.yaml"):
				if len(parsed) != 0 {
					t.Errorf("got %d entities from an OpenAPI file, want none", len(parsed))
				}
				for _, p := range problems {
					if !p.NotEntity {
						t.Errorf("problem %v is not marked NotEntity", p)
					}
				}
				if len(problems) == 0 {
					t.Error("no problem for an OpenAPI file, want a NotEntity one")
				}
			default:
				for _, p := range problems {
					t.Errorf("problem: %v", p)
				}
				if want := len(docKindLine.FindAll(data, -1)); len(parsed) != want {
					t.Errorf("got %d entities, want %d (one per document with a kind)", len(parsed), want)
				}
			}
			lines := strings.Split(string(data), "\n")
			for _, p := range parsed {
				total++
				if p.Line < 1 || p.Line > len(lines) || !docKeyLine.MatchString(lines[p.Line-1]) {
					t.Errorf("%s: Line = %d, want the line of the document's first key", p.Entity.Ref(), p.Line)
				}
				if p.Entity.Relations != nil || p.Entity.Metadata.UID != "" {
					t.Errorf("%s: relations or uid read from the file", p.Entity.Ref())
				}
			}
		})
	}
	if total < 59 {
		t.Errorf("parsed %d entities from the examples, want the whole demo catalog but the three Backstage refuses (59)", total)
	}
}

// refusedExamples are Backstage's example files whose entity Backstage
// refuses too: a $text placeholder names a file of another repository.
var refusedExamples = map[string]bool{
	"apis/spotify-api.yaml":         true,
	"apis/wayback-archive-api.yaml": true,
	"apis/wayback-search-api.yaml":  true,
}

func TestParseInvalidComponent(t *testing.T) {
	path := filepath.Join(modelExamples, "components", "invalid-component.yaml")
	parsed, problems := ParseFile("components/invalid-component.yaml", readModelFile(t, path), nil)
	if len(parsed) != 0 {
		t.Errorf("got %d entities, want none", len(parsed))
	}
	want := []struct {
		line          int
		field         string
		value, prefix string
	}{
		{4, "metadata.name", `"invalid component"`, "components/invalid-component.yaml:4: metadata.name: "},
		{11, "metadata.tags[1]", `"go 1.15.3"`, "components/invalid-component.yaml:11: metadata.tags[1]: "},
	}
	if len(problems) != len(want) {
		t.Fatalf("got %d problems, want %d: %v", len(problems), len(want), problems)
	}
	for i, w := range want {
		p := problems[i]
		if p.Line != w.line || p.Field != w.field {
			t.Errorf("problem %d at line %d, field %q; want line %d, field %q", i, p.Line, p.Field, w.line, w.field)
		}
		if p.File != "components/invalid-component.yaml" {
			t.Errorf("problem %d File = %q, want the name ParseFile was given", i, p.File)
		}
		if p.Entity != "component:default/invalid component" {
			t.Errorf("problem %d Entity = %q, want component:default/invalid component", i, p.Entity)
		}
		if p.NotEntity {
			t.Errorf("problem %d is marked NotEntity", i)
		}
		msg := p.Error()
		if !strings.HasPrefix(msg, w.prefix) || !strings.Contains(msg, w.value) {
			t.Errorf("problem %d Error() = %q, want it to start with %q and quote %s", i, msg, w.prefix, w.value)
		}
	}
}

func TestParseOpenAPIFilesAreNotEntities(t *testing.T) {
	for _, name := range []string{"petstore.oas.yaml", "petstore-webhook.oas.yaml"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(modelExamples, "apis", name)
			r := &besideResolver{dir: filepath.Dir(path)}
			parsed, problems := ParseFile(name, readModelFile(t, path), r.resolve)
			if len(parsed) != 0 {
				t.Errorf("got %d entities, want none", len(parsed))
			}
			if len(problems) != 1 || !problems[0].NotEntity || problems[0].Line != 1 {
				t.Errorf("problems = %+v, want one NotEntity problem at line 1", problems)
			}
			if len(r.asked) != 0 {
				t.Errorf("resolver asked for %q, want no reads for a file that is not an entity", r.asked)
			}
		})
	}
}

func TestParseBackstagePlaceholders(t *testing.T) {
	apis := filepath.Join(modelExamples, "apis")
	tests := []struct {
		file   string
		target string
		want   string // the definition after resolution
	}{
		{"petstore-api.yaml", "./petstore.oas.yaml", string(readModelFile(t, filepath.Join(apis, "petstore.oas.yaml")))},
		{"petstore-webhook-api.yaml", "./petstore-webhook.oas.yaml", string(readModelFile(t, filepath.Join(apis, "petstore-webhook.oas.yaml")))},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := &besideResolver{dir: apis}
			parsed, problems := ParseFile(tt.file, readModelFile(t, filepath.Join(apis, tt.file)), r.resolve)
			if len(problems) != 0 || len(parsed) != 1 {
				t.Fatalf("got %d entities and problems %v, want one entity", len(parsed), problems)
			}
			if !reflect.DeepEqual(r.asked, []string{tt.target}) {
				t.Errorf("resolver asked for %q, want [%q]", r.asked, tt.target)
			}
			if got := parsed[0].Entity.SpecString("definition"); got != tt.want {
				t.Errorf("spec.definition = %.80q..., want %.80q...", got, tt.want)
			}
		})
	}
}

// TestParsePlaceholderURLs: issue 16, point 12. A placeholder URL that names
// a file of the catalog file's own repository, at the ref it is read at, is
// read through the resolver as the relative path it is; any other URL
// refuses the entity with a problem naming the field, as Backstage does
// ("may only reference files from the same repository as the entity").
func TestParsePlaceholderURLs(t *testing.T) {
	const doc = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: payments-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: %s\n"
	file := RepoFile{WebURL: "https://github.com", Owner: "acme", Repo: "payments", Ref: "main", Path: "services/api/catalog-info.yaml"}
	tests := []struct {
		name      string
		file      *RepoFile // nil: ParseFile, which knows no repository
		target    string
		wantAsked string // what the resolver is asked for; "" when refused
		wantMsg   string // the problem, when refused
	}{
		{"relative path", &file, "./openapi.yaml", "./openapi.yaml", ""},
		{"blob URL of the same repository", &file, "https://github.com/acme/payments/blob/main/services/api/openapi.yaml", "../../services/api/openapi.yaml", ""},
		{"another folder, names in another case", &file, "https://GitHub.com/ACME/Payments/blob/main/docs/openapi.yaml", "../../docs/openapi.yaml", ""},
		{"tree URL", &file, "https://github.com/acme/payments/tree/main/docs", "../../docs", ""},
		{"raw URL on the web host", &file, "https://github.com/acme/payments/raw/main/openapi.yaml", "../../openapi.yaml", ""},
		{"escaped characters in the path", &file, "https://github.com/acme/payments/blob/main/my%20api.yaml", "../../my api.yaml", ""},
		{"another repository", &file, "https://github.com/acme/billing/blob/main/openapi.yaml", "", "may only reference files from the same repository as the entity"},
		{"another organisation", &file, "https://github.com/other/payments/blob/main/openapi.yaml", "", "may only reference files from the same repository as the entity"},
		{"raw.githubusercontent.com", &file, "https://raw.githubusercontent.com/acme/payments/main/openapi.yaml", "", "may only reference files from the same repository as the entity"},
		{"another host", &file, "https://example.com/acme/payments/blob/main/openapi.yaml", "", "may only reference files from the same repository as the entity"},
		{"another ref", &file, "https://github.com/acme/payments/blob/v2/openapi.yaml", "", "names another ref than main"},
		{"up and out of the path", &file, "https://github.com/acme/payments/blob/main/../secrets.yaml", "", "may only reference files from the same repository as the entity"},
		{"an encoded dot-dot", &file, "https://github.com/acme/payments/blob/main/%2e%2e/x", "", "may only reference files from the same repository as the entity"},
		{"not a file URL", &file, "https://github.com/acme/payments/issues/1", "", "may only reference files from the same repository as the entity"},
		{"another scheme", &file, "ftp://github.com/acme/payments/blob/main/openapi.yaml", "", "may only reference files from the same repository as the entity"},
		{"no repository known (an imported folder)", nil, "https://github.com/acme/payments/blob/main/openapi.yaml", "", "may only reference files from the same repository as the entity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			resolve := func(target string) ([]byte, error) {
				asked = append(asked, target)
				return []byte("openapi: 3.0.0"), nil
			}
			data := []byte(fmt.Sprintf(doc, tt.target))
			var parsed []*Parsed
			var problems []Problem
			if tt.file != nil {
				parsed, problems = ParseRepoFile(*tt.file, data, resolve)
			} else {
				parsed, problems = ParseFile("catalog-info.yaml", data, resolve)
			}
			if tt.wantAsked != "" {
				if len(problems) != 0 || len(parsed) != 1 || !reflect.DeepEqual(asked, []string{tt.wantAsked}) {
					t.Fatalf("got %d entities, problems %v, resolver asked %q; want one entity, the resolver asked for %q", len(parsed), problems, asked, tt.wantAsked)
				}
				if got := parsed[0].Entity.SpecString("definition"); got != "openapi: 3.0.0" {
					t.Errorf("spec.definition = %q, want the file's text", got)
				}
				return
			}
			if len(parsed) != 0 || len(asked) != 0 {
				t.Errorf("got %d entities, resolver asked %q; want the entity refused and nothing read", len(parsed), asked)
			}
			if len(problems) != 1 || problems[0].Field != "spec.definition" || problems[0].Line != 9 || !strings.Contains(problems[0].Message, tt.wantMsg) {
				t.Errorf("problems %v, want one at line 9 naming spec.definition and saying %q", problems, tt.wantMsg)
			}
		})
	}
}

// TestParsePlaceholderURLNotFetched: a resolver that reads nothing (a
// fork's pull request) leaves a same-repository URL as the link it is, as
// it leaves a relative path.
func TestParsePlaceholderURLNotFetched(t *testing.T) {
	const doc = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: payments-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: https://github.com/acme/payments/blob/main/openapi.yaml\n"
	file := RepoFile{WebURL: "https://github.com", Owner: "acme", Repo: "payments", Ref: "main", Path: "catalog-info.yaml"}
	parsed, problems := ParseRepoFile(file, []byte(doc), func(string) ([]byte, error) { return nil, ErrNotFetched })
	if len(problems) != 0 || len(parsed) != 1 {
		t.Fatalf("got %d entities and problems %v, want one entity", len(parsed), problems)
	}
	if got := parsed[0].Entity.SpecString("definition"); got != "https://github.com/acme/payments/blob/main/openapi.yaml" {
		t.Errorf("spec.definition = %q, want the URL kept", got)
	}
}

func TestParsePlaceholderKinds(t *testing.T) {
	path := filepath.Join("testdata", "model", "placeholders", "catalog-info.yaml")
	r := &besideResolver{dir: filepath.Dir(path)}
	parsed, problems := ParseFile("catalog-info.yaml", readModelFile(t, path), r.resolve)
	if len(parsed) != 2 {
		t.Fatalf("got %d entities and problems %v, want two entities", len(parsed), problems)
	}
	if len(problems) != 1 || problems[0].Field != "spec.docs" || !strings.Contains(problems[0].Message, "may only reference files from the same repository") {
		t.Errorf("problems %v, want one naming spec.docs of docs-elsewhere: its URL is not in the file's repository", problems)
	}
	api, svc := parsed[0].Entity, parsed[1].Entity
	if got, want := api.SpecString("definition"), string(readModelFile(t, filepath.Join(filepath.Dir(path), "schema.graphql"))); got != want {
		t.Errorf("$text: definition = %q, want the file's text %q", got, want)
	}
	tests := []struct {
		field string
		want  any
	}{
		{"settings", map[string]any{
			"defaults":   map[string]any{"retries": float64(3), "timeout": "10s"},
			"production": map[string]any{"retries": float64(3), "timeout": "30s"},
		}},
		{"limits", map[string]any{"rps": float64(100), "burst": []any{float64(1), float64(2), float64(3)}, "enabled": true}},
		{"schema", map[string]any{"$json": map[string]any{"type": "object"}}},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if got := svc.Spec[tt.field]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("spec.%s = %#v, want %#v", tt.field, got, tt.want)
			}
		})
	}
	wantAsked := []string{"./schema.graphql", "./limits.json", "./settings.yaml"}
	if !reflect.DeepEqual(r.asked, wantAsked) {
		t.Errorf("resolver asked for %q, want %q (in key order, once each)", r.asked, wantAsked)
	}
}

func TestParsePlaceholderProblems(t *testing.T) {
	const doc = `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: petstore
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    %s: %s
`
	bomb := alias9x9()
	tests := []struct {
		name     string
		kind     string
		target   string
		resolve  Resolver
		wantMsg  string
		wantLine int
	}{
		{name: "no resolver", kind: "$text", target: "./openapi.yaml", resolve: nil, wantMsg: "cannot be read here"},
		{name: "missing file", kind: "$text", target: "./openapi.yaml", resolve: func(string) ([]byte, error) { return nil, fs.ErrNotExist }, wantMsg: "file does not exist"},
		{name: "empty target", kind: "$text", target: `""`, resolve: func(string) ([]byte, error) { return nil, nil }, wantMsg: "needs a file name or URL"},
		{name: "too big", kind: "$text", target: "./big", resolve: func(string) ([]byte, error) { return make([]byte, maxPlaceholder+1), nil }, wantMsg: "over the"},
		{name: "bad json", kind: "$json", target: "./x.json", resolve: func(string) ([]byte, error) { return []byte("{"), nil }, wantMsg: "placeholder $json ./x.json"},
		{name: "bad yaml", kind: "$yaml", target: "./x.yaml", resolve: func(string) ([]byte, error) { return []byte("a: [\n"), nil }, wantMsg: "placeholder $yaml ./x.yaml"},
		{name: "two yaml documents", kind: "$yaml", target: "./two-docs.yaml", resolve: (&besideResolver{dir: filepath.Join("testdata", "model", "placeholders")}).resolve, wantMsg: "more than one YAML document"},
		{name: "yaml alias bomb", kind: "$yaml", target: "./bomb.yaml", resolve: func(string) ([]byte, error) { return []byte(bomb), nil }, wantMsg: "aliases expand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parsed, problems := ParseFile("api.yaml", []byte(fmt.Sprintf(doc, tt.kind, tt.target)), tt.resolve)
			if len(parsed) != 0 {
				t.Errorf("got %d entities, want none", len(parsed))
			}
			if len(problems) != 1 {
				t.Fatalf("problems = %v, want one", problems)
			}
			p := problems[0]
			if p.File != "api.yaml" || p.Line != 9 || p.Field != "spec.definition" || !strings.Contains(p.Message, tt.wantMsg) {
				t.Errorf("problem = %+v, want api.yaml line 9, field spec.definition, a message containing %q", p, tt.wantMsg)
			}
		})
	}
}

func TestParseEmptyYAMLPlaceholder(t *testing.T) {
	const doc = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  extra:\n    $yaml: ./empty.yaml\n"
	parsed, problems := ParseFile("c.yaml", []byte(doc), func(string) ([]byte, error) { return []byte("# nothing\n"), nil })
	if len(problems) != 0 || len(parsed) != 1 {
		t.Fatalf("got %d entities and problems %v, want one entity", len(parsed), problems)
	}
	if v, ok := parsed[0].Entity.Spec["extra"]; !ok || v != nil {
		t.Errorf("spec.extra = %#v (present %v), want null", v, ok)
	}
}

// alias9x9 is a "billion laughs": nine levels of nine aliases, 9^9 leaves.
func alias9x9() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestParseHostileInput(t *testing.T) {
	const entity = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
	tests := []struct {
		name      string
		in        string
		wantMsg   string
		wantLine  int
		wantField string
	}{
		{name: "not YAML", in: "apiVersion: [unclosed\n", wantMsg: "not valid YAML", wantLine: 1},
		{name: "tab indentation", in: "metadata:\n\t- name\n", wantMsg: "not valid YAML", wantLine: 2},
		{name: "binary", in: "\x00\x01\x02", wantMsg: "not valid YAML"},
		{name: "alias bomb", in: alias9x9(), wantMsg: "aliases expand the document"},
		{name: "alias that contains itself", in: "apiVersion: &a [*a]\n", wantMsg: "inside the node it names", wantLine: 1},
		{name: "too big", in: strings.Repeat("#", 10<<20), wantMsg: "the limit is"},
		{name: "no kind", in: "apiVersion: backstage.io/v1alpha1\nmetadata:\n  name: a\nspec: {}\n", wantMsg: "missing", wantLine: 1, wantField: "kind"},
		{name: "unknown kind", in: strings.Replace(entity, "Component", "Website", 1), wantMsg: `unknown kind "Website"`, wantLine: 2, wantField: "kind"},
		{name: "lower-case kind", in: strings.Replace(entity, "Component", "component", 1), wantMsg: `did you mean "Component"?`, wantLine: 2, wantField: "kind"},
		{name: "list at top level", in: "- apiVersion: backstage.io/v1alpha1\n- kind: Component\n", wantMsg: "not a mapping", wantLine: 1},
		{name: "scalar at top level", in: "hello world\n", wantMsg: "not a mapping", wantLine: 1},
		{name: "duplicate key", in: entity + "metadata:\n  name: b\n", wantMsg: `key "metadata" appears twice`, wantLine: 9, wantField: "metadata"},
		{name: "duplicate nested key", in: strings.Replace(entity, "  owner: team-a\n", "  owner: team-a\n  owner: team-b\n", 1), wantMsg: `key "owner" appears twice`, wantLine: 9, wantField: "spec.owner"},
		{name: "deep nesting", in: "spec:\n  x: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n", wantMsg: "nests deeper than", wantLine: 2},
		{name: "deeper than yaml allows", in: strings.Repeat("[", 20000) + strings.Repeat("]", 20000), wantMsg: "not valid YAML"},
		{name: "mapping as a key", in: "? [a, b]\n: c\n", wantMsg: "must be a plain value", wantLine: 1},
		{name: "merge of a scalar", in: "spec:\n  <<: 5\n", wantMsg: "merge key", wantLine: 2, wantField: "spec"},
		{name: "huge scalar", in: "apiVersion: " + strings.Repeat("x", maxScalarLength+1) + "\n", wantMsg: "longer than", wantLine: 1, wantField: "apiVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parsed, problems := ParseFile("hostile.yaml", []byte(tt.in), nil)
			if len(parsed) != 0 {
				t.Errorf("got %d entities, want none", len(parsed))
			}
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(problems), problems)
			}
			p := problems[0]
			if !strings.Contains(p.Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", p.Message, tt.wantMsg)
			}
			if p.File != "hostile.yaml" {
				t.Errorf("File = %q, want hostile.yaml", p.File)
			}
			if tt.wantLine != 0 && p.Line != tt.wantLine {
				t.Errorf("Line = %d, want %d", p.Line, tt.wantLine)
			}
			if p.Field != tt.wantField {
				t.Errorf("Field = %q, want %q", p.Field, tt.wantField)
			}
			if p.NotEntity {
				t.Errorf("problem is marked NotEntity, want it reported")
			}
		})
	}
}

func TestParseAliasToAnotherDocument(t *testing.T) {
	// yaml's decoder lets an anchor carry over ---; YAML and Backstage do not.
	in := "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: a\nspec:\n  type: &t team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: b\nspec:\n  type: *t\n  children: []\n"
	parsed, problems := ParseFile("two.yaml", []byte(in), nil)
	if len(parsed) != 1 || parsed[0].Entity.Metadata.Name != "a" {
		t.Errorf("got %d entities, want only group a", len(parsed))
	}
	if len(problems) != 1 || problems[0].Line != 14 || !strings.Contains(problems[0].Message, "another document") {
		t.Errorf("problems = %+v, want one at line 14 about an anchor of another document", problems)
	}
}

func TestParseAliasBombIsCheap(t *testing.T) {
	in := []byte(alias9x9())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, problems := ParseFile("bomb.yaml", in, nil)
	runtime.ReadMemStats(&after)
	if len(problems) != 1 {
		t.Fatalf("problems = %v, want one", problems)
	}
	const limit = 2 << 20
	if got := after.TotalAlloc - before.TotalAlloc; got > limit {
		t.Errorf("parsing the alias bomb allocated %d bytes, want under %d", got, limit)
	}
}

func TestParseModestAliasesAreFine(t *testing.T) {
	// Aliases that add a few thousand nodes are ordinary: a shared block of
	// links or parameters repeated across a document.
	var b strings.Builder
	b.WriteString("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n")
	b.WriteString("  block: &block {")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "k%d: v, ", i)
	}
	b.WriteString("}\n  copies: [")
	for i := 0; i < 90; i++ {
		b.WriteString("*block, ")
	}
	b.WriteString("]\n")
	parsed, problems := ParseFile("ok.yaml", []byte(b.String()), nil)
	if len(problems) != 0 || len(parsed) != 1 {
		t.Fatalf("got %d entities and problems %v, want one entity", len(parsed), problems)
	}
	if got := len(parsed[0].Entity.Spec["copies"].([]any)); got != 90 {
		t.Errorf("len(spec.copies) = %d, want 90", got)
	}
}

// TestParseManyDocuments: issue 16, point 1. A generated file of 11,000
// entities is read whole, as Backstage reads it: a file is bounded by its
// bytes, not by how many documents it holds.
func TestParseManyDocuments(t *testing.T) {
	const entity = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g%d\nspec:\n  type: team\n  children: []\n---\n"
	var b strings.Builder
	for i := 0; i < 11000; i++ {
		fmt.Fprintf(&b, entity, i)
	}
	// With a leading --- and a trailing one, as many files are written.
	parsed, problems := ParseFile("many.yaml", []byte("---\n"+b.String()), nil)
	if len(problems) != 0 || len(parsed) != 11000 {
		t.Errorf("11,000 documents: got %d entities and problems %.200v, want 11,000 entities", len(parsed), problems)
	}
}

func TestParseManyEmptyDocuments(t *testing.T) {
	in := strings.Repeat("---\n", 1<<18)
	parsed, problems := ParseFile("empty.yaml", []byte(in), nil)
	if len(parsed) != 0 || len(problems) != 0 {
		t.Errorf("got %d entities and problems %v, want nothing: empty documents declare nothing", len(parsed), problems)
	}
}

// TestParseAliasesAreCountedPerFile: without a count of documents, the
// nodes aliases add are bounded across the file too, so many small
// documents that each expand within their own limit cannot add up.
func TestParseAliasesAreCountedPerFile(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c%d\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  block: &b [")
	for i := 0; i < 99; i++ {
		doc.WriteString("x, ")
	}
	doc.WriteString("x]\n  copies: [")
	for i := 0; i < 90; i++ {
		doc.WriteString("*b, ")
	}
	doc.WriteString("]\n---\n")
	var b strings.Builder
	const docs = 40 // each adds 90 × 101 = 9,090 nodes, within one document's 10,000
	for i := 0; i < docs; i++ {
		fmt.Fprintf(&b, doc.String(), i)
	}
	parsed, problems := ParseFile("aliases.yaml", []byte(b.String()), nil)
	perDoc := 90 * 101
	if want := maxAliasPerFile / perDoc; len(parsed) != want {
		t.Errorf("got %d entities, want the %d whose aliases fit the file's budget", len(parsed), want)
	}
	if len(problems) != docs-maxAliasPerFile/perDoc || !strings.Contains(problems[0].Message, "aliases expand the file by more than") {
		t.Errorf("problems %v, want one per document past the file's alias budget", problems)
	}
}

func TestParseMergeKeys(t *testing.T) {
	path := filepath.Join("testdata", "model", "merge.yaml")
	data := readModelFile(t, path)
	parsed, problems := ParseFile("merge.yaml", data, nil)
	if len(problems) != 0 || len(parsed) != 3 {
		t.Fatalf("got %d entities and problems %v, want three entities", len(parsed), problems)
	}
	t.Run("links", func(t *testing.T) {
		want := []Link{
			{URL: "https://github.com/acme/shop", Title: "Repository", Icon: "github"},
			{URL: "https://github.com/acme/shop/tree/main/basket", Title: "Basket code", Icon: "github"},
		}
		if got := parsed[0].Entity.Metadata.Links; !reflect.DeepEqual(got, want) {
			t.Errorf("links = %+v, want %+v", got, want)
		}
	})
	t.Run("list of mappings", func(t *testing.T) {
		want := []any{
			map[string]any{"id": "fetch", "name": "Fetch skeleton", "action": "fetch:template"},
			map[string]any{"id": "publish", "name": "Publish", "action": "publish:github"},
		}
		if got := parsed[1].Entity.Spec["steps"]; !reflect.DeepEqual(got, want) {
			t.Errorf("steps = %#v, want %#v", got, want)
		}
	})
	t.Run("first mapping wins, own keys win", func(t *testing.T) {
		want := map[string]any{"type": "website", "lifecycle": "experimental", "owner": "team-c", "system": "shop"}
		if got := parsed[2].Entity.Spec; !reflect.DeepEqual(got, want) {
			t.Errorf("spec = %#v, want %#v", got, want)
		}
		if got, want := parsed[2].LineOf("spec.owner"), modelLineOf(t, data, "  owner: team-c"); got != want {
			t.Errorf("LineOf(spec.owner) = %d, want %d (the key written in the mapping, not the merged one)", got, want)
		}
	})
}

func TestParseLines(t *testing.T) {
	path := filepath.Join(modelExamples, "acme", "team-a-group.yaml")
	data := readModelFile(t, path)
	parsed, problems := ParseFile("team-a-group.yaml", data, nil)
	if len(problems) != 0 || len(parsed) != 6 {
		t.Fatalf("got %d entities and problems %v, want six", len(parsed), problems)
	}
	tests := []struct {
		doc   int
		field string
		want  int
	}{
		{0, "apiVersion", 1},
		{0, "metadata.name", 4},
		{0, "spec.profile.email", 10},
		{0, "spec.children", 13},
		{1, "spec.memberOf", 24},
		{1, "spec.memberOf[0]", 24},
		{5, "metadata.namespace", 68},
		{5, "spec.memberOf[0]", 73},
		{5, "spec.owner", 69},      // not in the file: the line of spec
		{5, "status.items[0]", 64}, // nor its parent: the document's line
		{0, "metadata.annotations.backstage.io/x", 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%s", tt.doc, tt.field), func(t *testing.T) {
			if got := parsed[tt.doc].LineOf(tt.field); got != tt.want {
				t.Errorf("LineOf(%q) = %d, want %d", tt.field, got, tt.want)
			}
		})
	}
}

func TestParseKeepsGoodDocumentsBesideBadOnes(t *testing.T) {
	in := `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Bad Name
  tags: [ok, Not-OK]
spec:
  type: service
  owner: team-a
---
---
# a document with only a comment
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: alice
spec:
  memberOf: [team-a]
`
	parsed, problems := ParseFile("mixed.yaml", []byte(in), nil)
	var got []string
	for _, p := range parsed {
		got = append(got, p.Entity.Ref().String())
	}
	if want := []string{"group:default/team-a", "user:default/alice"}; !reflect.DeepEqual(got, want) {
		t.Errorf("entities = %q, want %q", got, want)
	}
	var gotProblems []string
	for _, p := range problems {
		gotProblems = append(gotProblems, fmt.Sprintf("%d %s", p.Line, p.Field))
	}
	// In line order; spec.lifecycle is missing, so it is reported at spec's line.
	want := []string{"12 metadata.name", "13 metadata.tags[1]", "14 spec.lifecycle"}
	if !reflect.DeepEqual(gotProblems, want) {
		t.Errorf("problems at %q, want %q: %v", gotProblems, want, problems)
	}
}

func TestParseScalars(t *testing.T) {
	in := `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: scalars
  annotations:
    quoted: "8080"
spec:
  type: service
  lifecycle: production
  owner: team-a
  port: 8080
  hex: 0x1F
  big: 123456789012345678901234567890
  ratio: 0.5
  inf: .inf
  on: true
  off: false
  nothing: ~
  date: 2024-01-02
  yes: yes
  text: |
    two
    lines
`
	parsed, problems := ParseFile("scalars.yaml", []byte(in), nil)
	if len(problems) != 0 || len(parsed) != 1 {
		t.Fatalf("got %d entities and problems %v, want one", len(parsed), problems)
	}
	spec := parsed[0].Entity.Spec
	tests := []struct {
		key  string
		want any
	}{
		{"port", float64(8080)},
		{"hex", float64(31)},
		{"big", 1.2345678901234568e29},
		{"ratio", 0.5},
		{"inf", ".inf"},
		{"on", true},
		{"off", false},
		{"nothing", nil},
		{"date", "2024-01-02"},
		{"yes", "yes"}, // YAML 1.2: only true and false are booleans
		{"text", "two\nlines\n"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := spec[tt.key]
			if !ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("spec.%s = %#v (present %v), want %#v", tt.key, got, ok, tt.want)
			}
		})
	}
	if got := parsed[0].Entity.Metadata.Annotations["quoted"]; got != "8080" {
		t.Errorf("annotation quoted = %q, want 8080", got)
	}
}

func TestParseUnquotedAnnotationValue(t *testing.T) {
	in := "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  annotations:\n    example.com/port: 8080\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
	_, problems := ParseFile("a.yaml", []byte(in), nil)
	if len(problems) != 1 || problems[0].Line != 6 || problems[0].Field != "metadata.annotations.example.com/port" || !strings.Contains(problems[0].Message, "quote it") {
		t.Errorf("problems = %+v, want one at line 6 on metadata.annotations.example.com/port asking to quote it", problems)
	}
}

func TestParseIgnoresRelationsAndUIDInTheFile(t *testing.T) {
	in := "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  uid: 1234\n  etag: abc\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\nrelations: not-a-list\nstatus: {items: []}\n"
	in = strings.Replace(in, "uid: 1234", `uid: "1234"`, 1)
	parsed, problems := ParseFile("a.yaml", []byte(in), nil)
	if len(problems) != 0 || len(parsed) != 1 {
		t.Fatalf("got %d entities and problems %v, want one", len(parsed), problems)
	}
	e := parsed[0].Entity
	if e.Relations != nil || e.Metadata.UID != "" || e.Metadata.Etag != "" {
		t.Errorf("relations %v, uid %q, etag %q kept; want them dropped (the catalog sets them)", e.Relations, e.Metadata.UID, e.Metadata.Etag)
	}
}

func TestProblemError(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"everything", Problem{File: "a.yaml", Line: 4, Field: "metadata.name", Message: "bad"}, "a.yaml:4: metadata.name: bad"},
		{"no line", Problem{File: "a.yaml", Message: "too big"}, "a.yaml: too big"},
		{"no field", Problem{File: "a.yaml", Line: 2, Message: "not a mapping"}, "a.yaml:2: not a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
	var err error = Problem{File: "a.yaml", Message: "x"}
	var p Problem
	if !errors.As(err, &p) || p.File != "a.yaml" {
		t.Errorf("errors.As(Problem) = %+v, want the problem back", p)
	}
}
