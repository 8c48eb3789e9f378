package nunjucks

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The corpus of TestRenderMatchesNunjucks.

var backstageTemplates = filepath.Join("..", "..", "..", "shared", "testdata", "backstage-templates")

// templateFiles are the Backstage templates of the corpus: the shared real
// ones, the create-app example, and callboard's kitchen sink.
func templateFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(backstageTemplates, "*", "*", "template.yaml"))
	if err != nil || len(files) != 5 {
		t.Fatalf("templates %v (%v), want 5", files, err)
	}
	return append(files,
		filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "create-app", "templates", "default-app", "examples", "template", "template.yaml"),
		filepath.Join("..", "testdata", "kitchen-sink", "template.yaml"))
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// skeletonDirs are the skeletons rendered whole: the shared ones and
// callboard's kitchen sink.
var skeletonDirs = []string{
	filepath.Join(backstageTemplates, "software-templates", "docs-template", "skeleton"),
	filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "create-app", "templates", "default-app", "examples", "template", "content"),
	filepath.Join("..", "testdata", "kitchen-sink", "skeleton"),
	filepath.Join("..", "testdata", "kitchen-sink", "docs-skeleton"),
}

// sharedTemplateCases renders, for every template of templateFiles, each
// step's input and if:, the output links and each ${{ }} on its own, with
// every answer given and with the optional ones left out; and every file
// and path of the skeletons, as fetch:template renders them (with values
// only).
func sharedTemplateCases(t *testing.T) []renderCase {
	t.Helper()
	var out []renderCase
	for _, file := range templateFiles(t) {
		spec := readSpec(t, file)
		name := filepath.Base(filepath.Dir(file))
		for _, full := range []bool{true, false} {
			vars := map[string]any{"parameters": sampleParameters(spec, full), "steps": sampleStepOutputs(), "user": sampleUser}
			label := name + map[bool]string{true: " (all answers)", false: " (required answers)"}[full]
			steps, _ := spec["steps"].([]any)
			for _, s := range steps {
				step, _ := s.(map[string]any)
				where := label + " step " + str(step["id"])
				if cond, ok := step["if"]; ok {
					out = append(out, renderCase{Name: where + " if", Mode: "if", Src: cond, Vars: vars})
				}
				if in, ok := step["input"].(map[string]any); ok {
					out = append(out, renderCase{Name: where + " input", Mode: "value", Src: in, Vars: vars})
				}
			}
			if o, ok := spec["output"]; ok {
				out = append(out, renderCase{Name: label + " output", Mode: "value", Src: o, Vars: vars})
			}
			for _, e := range expressionsIn(spec) {
				out = append(out, renderCase{Name: label + " " + e, Mode: "text", Src: e, Vars: vars})
			}
		}
	}
	for _, dir := range skeletonDirs {
		n := 0
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil || bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			vars := map[string]any{"values": sampleValues()}
			out = append(out,
				renderCase{Name: "skeleton path " + rel, Mode: "text", Src: filepath.ToSlash(rel), Vars: vars},
				renderCase{Name: "skeleton file " + p, Mode: "text", Src: string(b), Vars: vars})
			n++
			return nil
		})
		if err != nil || n == 0 {
			t.Fatalf("skeleton %s: %d files (%v)", dir, n, err)
		}
	}
	return out
}

func readSpec(t *testing.T, file string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	// As the catalog keeps it: JSON.
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	if err := json.Unmarshal(js, &data); err != nil {
		t.Fatal(err)
	}
	spec, _ := data["spec"].(map[string]any)
	if spec == nil {
		t.Fatalf("%s has no spec", file)
	}
	return spec
}

var reDollarExpr = regexp.MustCompile(`\$\{\{.*?\}\}`)

// expressionsIn lists every ${{ }} in v's strings, each once.
func expressionsIn(v any) []string {
	seen := map[string]bool{}
	eachString(v, func(s string) {
		for _, e := range reDollarExpr.FindAllString(s, -1) {
			seen[e] = true
		}
	})
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// eachString calls f with every string in v, however deep.
func eachString(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, x := range v {
			eachString(x, f)
		}
	case map[string]any:
		for _, x := range v {
			eachString(x, f)
		}
	}
}

// sampleParameters answers every parameter of a template's pages (only the
// required ones unless full) with a value of its type.
func sampleParameters(spec map[string]any, full bool) map[string]any {
	params := map[string]any{}
	pages, _ := spec["parameters"].([]any)
	if m, ok := spec["parameters"].(map[string]any); ok {
		pages = []any{m}
	}
	for _, pg := range pages {
		page, _ := pg.(map[string]any)
		props, _ := page["properties"].(map[string]any)
		var required []string
		list, _ := page["required"].([]any)
		for _, r := range list {
			required = append(required, str(r))
		}
		for name, p := range props {
			if !full && !contains(required, name) {
				continue
			}
			prop, _ := p.(map[string]any)
			params[name] = sampleOf(name, prop)
		}
	}
	return params
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sampleOf(name string, prop map[string]any) any {
	switch {
	case prop["ui:field"] == "RepoUrlPicker":
		return "github.com?owner=acme&repo=new-service"
	case prop["ui:field"] == "OwnerPicker":
		return "group:default/payments"
	case prop["default"] != nil:
		return prop["default"]
	}
	switch prop["type"] {
	case "boolean":
		return true
	case "number", "integer":
		return float64(8080)
	case "array":
		return []any{"one", "two"}
	case "object":
		return map[string]any{"team": "payments", "tier": float64(1)}
	}
	if strings.Contains(strings.ToLower(name), "name") {
		return "new-service"
	}
	return `A "quoted" description: with # and {braces}`
}

// sampleUser is the user variable of a request Alice made.
var sampleUser = map[string]any{"ref": "user:default/alice", "entity": map[string]any{"kind": "User", "metadata": map[string]any{"name": "Alice"}}}

func sampleStepOutputs() map[string]any {
	return map[string]any{
		"publish":  map[string]any{"output": map[string]any{"remoteUrl": "https://github.com/acme/new-service", "repoContentsUrl": "https://github.com/acme/new-service/blob/main"}},
		"register": map[string]any{"output": map[string]any{"entityRef": "component:default/new-service"}},
	}
}

// sampleValues are the values a fetch step gives its skeleton.
func sampleValues() map[string]any {
	return map[string]any{
		"name":        "new-service",
		"description": `A "quoted" description: with # and {braces}`,
		"owner":       "group:default/payments",
		"destination": map[string]any{"host": "github.com", "owner": "acme", "repo": "new-service"},
		"language":    "node",
		"tier":        float64(3),
		"regions":     []any{"eu-west-1", "ap-south-1, mumbai"},
		"http_port":   float64(8080),
	}
}
