package catalog

import (
	"encoding/json"
	"io/fs"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

func errFields(errs []FieldError) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

// backstageSchema is what the tests read from one of Backstage's kind schemas.
type backstageSchema struct {
	file        string
	kind        string
	apiVersions []string
	required    []string
	properties  map[string]map[string]any
	example     map[string]any
}

func loadBackstageSchemas(t *testing.T) []backstageSchema {
	t.Helper()
	files, err := filepath.Glob(sharedModelData("backstage", "packages", "catalog-model", "src", "schema", "kinds", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, sharedModelData("backstage", "plugins", "scaffolder-common", "src", "Template.v1beta3.schema.json"))
	if len(files) != 9 {
		t.Fatalf("found %d schema files, want Backstage's 8 kinds and Template", len(files))
	}
	var out []backstageSchema
	for _, f := range files {
		var doc struct {
			Examples []map[string]any `json:"examples"`
			AllOf    []struct {
				Required   []string `json:"required"`
				Properties struct {
					APIVersion struct {
						Enum []string `json:"enum"`
					} `json:"apiVersion"`
					Kind struct {
						Enum []string `json:"enum"`
					} `json:"kind"`
					Spec struct {
						Required   []string                  `json:"required"`
						Properties map[string]map[string]any `json:"properties"`
					} `json:"spec"`
				} `json:"properties"`
			} `json:"allOf"`
		}
		if err := json.Unmarshal(readModelFile(t, f), &doc); err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		if len(doc.AllOf) != 2 || len(doc.AllOf[1].Properties.Kind.Enum) != 1 || len(doc.Examples) == 0 {
			t.Fatalf("%s: not shaped like a Backstage kind schema", f)
		}
		k := doc.AllOf[1]
		if !slices.Contains(k.Required, "spec") {
			t.Fatalf("%s: spec is not required; the tests assume every kind requires it", f)
		}
		out = append(out, backstageSchema{
			file:        filepath.Base(f),
			kind:        k.Properties.Kind.Enum[0],
			apiVersions: k.Properties.APIVersion.Enum,
			required:    k.Properties.Spec.Required,
			properties:  k.Properties.Spec.Properties,
			example:     doc.Examples[0],
		})
	}
	return out
}

// minimalEntity builds the smallest entity the schema allows: every required
// spec field with a value of its type.
func (s backstageSchema) minimalEntity(t *testing.T) map[string]any {
	t.Helper()
	spec := map[string]any{}
	for _, f := range s.required {
		switch typ := s.properties[f]["type"]; typ {
		case "string":
			spec[f] = "x"
		case "array":
			spec[f] = []any{}
		case "object":
			spec[f] = map[string]any{}
		default:
			t.Fatalf("%s: spec.%s has type %v, which the test does not know", s.file, f, typ)
		}
	}
	return map[string]any{
		"apiVersion": s.apiVersions[0],
		"kind":       s.kind,
		"metadata":   map[string]any{"name": "example"},
		"spec":       spec,
	}
}

func TestValidateAgainstBackstageSchemas(t *testing.T) {
	schemas := loadBackstageSchemas(t)
	var schemaKinds []string
	for _, s := range schemas {
		schemaKinds = append(schemaKinds, s.kind)
	}
	sort.Strings(schemaKinds)
	if got := Kinds(); !reflect.DeepEqual(got, schemaKinds) {
		t.Errorf("Kinds() = %q, want the kinds Backstage has schemas for: %q", got, schemaKinds)
	}

	for _, s := range schemas {
		t.Run(s.kind, func(t *testing.T) {
			for _, v := range s.apiVersions {
				t.Run("valid with "+v, func(t *testing.T) {
					e := s.minimalEntity(t)
					e["apiVersion"] = v
					if errs := ValidateRaw(e); len(errs) != 0 {
						t.Errorf("ValidateRaw(%v) = %v, want no errors", e, errs)
					}
				})
			}
			for _, f := range s.required {
				t.Run("missing spec."+f, func(t *testing.T) {
					e := s.minimalEntity(t)
					delete(e["spec"].(map[string]any), f)
					if got, want := errFields(ValidateRaw(e)), []string{"spec." + f}; !reflect.DeepEqual(got, want) {
						t.Errorf("errors on %q, want %q", got, want)
					}
				})
			}
			t.Run("missing spec", func(t *testing.T) {
				e := s.minimalEntity(t)
				delete(e, "spec")
				if got, want := errFields(ValidateRaw(e)), []string{"spec"}; !reflect.DeepEqual(got, want) {
					t.Errorf("errors on %q, want %q", got, want)
				}
			})
			for _, f := range slices.Sorted(maps.Keys(anyMap(s.properties))) {
				t.Run("spec."+f+" of the wrong type", func(t *testing.T) {
					e := s.minimalEntity(t)
					e["spec"].(map[string]any)[f] = float64(42)
					errs := ValidateRaw(e)
					if got, want := errFields(errs), []string{"spec." + f}; !reflect.DeepEqual(got, want) {
						t.Errorf("errors on %q, want %q: %v", got, want, errs)
					}
				})
				prop := s.properties[f]
				if prop["type"] == "string" && prop["minLength"] == float64(1) {
					t.Run("spec."+f+" empty", func(t *testing.T) {
						e := s.minimalEntity(t)
						e["spec"].(map[string]any)[f] = ""
						if got, want := errFields(ValidateRaw(e)), []string{"spec." + f}; !reflect.DeepEqual(got, want) {
							t.Errorf("errors on %q, want %q", got, want)
						}
					})
				}
				if items, _ := prop["items"].(map[string]any); prop["type"] == "array" && items["type"] == "string" {
					t.Run("spec."+f+" with a number in it", func(t *testing.T) {
						e := s.minimalEntity(t)
						e["spec"].(map[string]any)[f] = []any{"component:x", float64(42)}
						if got, want := errFields(ValidateRaw(e)), []string{"spec." + f + "[1]"}; !reflect.DeepEqual(got, want) {
							t.Errorf("errors on %q, want %q", got, want)
						}
					})
				}
			}
			t.Run("schema example", func(t *testing.T) {
				e := deepCopy(t, s.example)
				md := e["metadata"].(map[string]any)
				// Backstage's own examples put free text in a label, which its
				// FieldFormatEntityPolicy refuses: check that we do too, then drop it.
				if labels, ok := md["labels"].(map[string]any); ok {
					errs := ValidateRaw(e)
					for k, v := range labels {
						if !slices.Contains(errFields(errs), "metadata.labels."+k) && !(v == "" || ValidName(v.(string))) {
							t.Errorf("label %s: %q not refused: %v", k, v, errs)
						}
					}
					delete(md, "labels")
				}
				if errs := ValidateRaw(e); len(errs) != 0 {
					t.Errorf("ValidateRaw(schema example) = %v, want no errors", errs)
				}
			})
			t.Run("apiVersion of another kind", func(t *testing.T) {
				e := s.minimalEntity(t)
				e["apiVersion"] = "scaffolder.backstage.io/v1beta3"
				if s.kind == "Template" {
					e["apiVersion"] = "backstage.io/v1alpha1"
				}
				if got, want := errFields(ValidateRaw(e)), []string{"apiVersion"}; !reflect.DeepEqual(got, want) {
					t.Errorf("errors on %q, want %q", got, want)
				}
			})
		})
	}
}

func anyMap[V any](m map[string]V) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func deepCopy(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBackstageTemplatesValidate(t *testing.T) {
	files := []string{sharedModelData("backstage", "packages", "create-app", "templates", "default-app", "examples", "template", "template.yaml")}
	err := filepath.WalkDir(sharedModelData("backstage-templates"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "template.yaml" {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("found %d templates, want the create-app example and the five in backstage-templates", len(files))
	}
	for _, path := range files {
		name, _ := filepath.Rel(sharedModelData(), path)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			parsed, problems := ParseFile(name, readModelFile(t, path), nil)
			for _, p := range problems {
				t.Errorf("problem: %v", p)
			}
			if len(parsed) != 1 {
				t.Fatalf("got %d entities, want one Template", len(parsed))
			}
			e := parsed[0].Entity
			if e.Kind != "Template" || e.APIVersion != "scaffolder.backstage.io/v1beta3" {
				t.Errorf("got %s %s, want a scaffolder.backstage.io/v1beta3 Template", e.APIVersion, e.Kind)
			}
			if len(e.Spec["steps"].([]any)) == 0 {
				t.Error("no steps read")
			}
		})
	}
}

func TestUnrenderedSkeletonIsRefused(t *testing.T) {
	path := sharedModelData("backstage", "packages", "create-app", "templates", "default-app", "examples", "template", "content", "catalog-info.yaml")
	parsed, problems := ParseFile("catalog-info.yaml", readModelFile(t, path), nil)
	if len(parsed) != 0 || len(problems) != 1 || problems[0].Field != "metadata.name" || problems[0].Line != 4 {
		t.Errorf("got %d entities and problems %v, want one problem on metadata.name at line 4 (${{ values.name | dump }} is not a name)", len(parsed), problems)
	}
}

func TestValidNames(t *testing.T) {
	const T, F = true, false
	tests := []struct {
		in                                string
		name, ns, tag, labelKey, apiVersn bool
	}{
		{"a", T, T, T, T, T},
		{"payments", T, T, T, T, T},
		{"v1alpha1", T, T, T, T, T},
		{"Payments", T, F, F, T, T},
		{"a-b", T, T, T, T, F},
		{"a_b", T, F, F, T, F},
		{"a.b", T, F, F, T, F},
		{"breanna.davison", T, F, F, T, F},
		{"a--b", T, F, F, T, F},
		{"a-_.b", T, F, F, T, F},
		{strings.Repeat("a", 63), T, T, T, T, T},
		{strings.Repeat("a", 64), F, F, F, F, F},
		{"-a", F, F, F, F, F},
		{"a-", F, F, F, F, F},
		{".a", F, F, F, F, F},
		{"a.", F, F, F, F, F},
		{"_a", F, F, F, F, F},
		{"a_", F, F, F, F, F},
		{"a b", F, F, F, F, F},
		{"", F, F, F, F, F},
		{"ä", F, F, F, F, F},
		{"web@example.com", F, F, F, F, F},
		{"go 1.15.3", F, F, F, F, F},
		{"c++", F, F, T, F, F},
		{"c#", F, F, T, F, F},
		{"team:backend", F, F, T, F, F},
		{"example.com/tier", F, F, F, T, T},
		{"backstage.io/v1alpha1", F, F, F, T, T},
		{"Example.com/tier", F, F, F, F, F},
		{"a/b/c", F, F, F, F, F},
		{"/tier", F, F, F, F, F},
		{"example.com/", F, F, F, F, F},
		{"example..com/tier", F, F, F, F, F},
		{"exa_mple.com/tier", F, F, F, F, F},
		{"example.com/" + strings.Repeat("a", 64), F, F, F, F, F},
		{strings.Repeat("a.", 126) + "a/tier", F, F, F, T, T}, // a 253-character prefix
		{strings.Repeat("a.", 127) + "a/tier", F, F, F, F, F},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			check := func(what string, got, want bool) {
				if got != want {
					t.Errorf("%s(%q) = %v, want %v", what, tt.in, got, want)
				}
			}
			check("ValidName", ValidName(tt.in), tt.name)
			check("ValidNamespace", ValidNamespace(tt.in), tt.ns)
			check("ValidTag", ValidTag(tt.in), tt.tag)
			check("validKey", validKey(tt.in), tt.labelKey)
			check("validAPIVersion", validAPIVersion(tt.in), tt.apiVersn)
		})
	}
}

// validComponent is a valid entity to break one field of at a time.
func validComponent() map[string]any {
	return map[string]any{
		"apiVersion": "backstage.io/v1alpha1",
		"kind":       "Component",
		"metadata": map[string]any{
			"name":        "payments",
			"namespace":   "default",
			"title":       "Payments",
			"description": "Takes the money",
			"labels":      map[string]any{"example.com/tier": "gold", "empty": ""},
			"annotations": map[string]any{"github.com/project-slug": "acme/payments", "backstage.io/techdocs-ref": "dir:."},
			"tags":        []any{"go", "c++"},
			"links":       []any{map[string]any{"url": "https://example.com", "title": "Home", "icon": "web"}},
		},
		"spec": map[string]any{
			"type":         "service",
			"lifecycle":    "production",
			"owner":        "group:default/team-a",
			"system":       "payments",
			"providesApis": []any{"payments-api"},
			"dependsOn":    []any{"resource:payments-db", "component:ops/ledger"},
		},
	}
}

func TestValidateRaw(t *testing.T) {
	md := func(e map[string]any) map[string]any { return e["metadata"].(map[string]any) }
	spec := func(e map[string]any) map[string]any { return e["spec"].(map[string]any) }
	tests := []struct {
		name    string
		mutate  func(e map[string]any)
		want    []string // fields with errors
		wantMsg string   // part of the first error's message
	}{
		{name: "valid", mutate: func(e map[string]any) {}},
		{name: "v1beta1", mutate: func(e map[string]any) { e["apiVersion"] = "backstage.io/v1beta1" }},
		{name: "relations and status are allowed", mutate: func(e map[string]any) { e["relations"] = []any{}; e["status"] = map[string]any{} }},
		{name: "null spec field", mutate: func(e map[string]any) { spec(e)["system"] = nil }},
		{name: "extra spec fields are allowed", mutate: func(e map[string]any) { spec(e)["x-acme"] = map[string]any{"a": 1.0} }},
		{name: "extra metadata fields are allowed", mutate: func(e map[string]any) { md(e)["costCenter"] = "cc-1" }},

		{name: "unknown top-level fields, in order", mutate: func(e map[string]any) { e["owner"] = "team-a"; e["Kind"] = "x" }, want: []string{"Kind", "owner"}, wantMsg: "unknown top-level field"},
		{name: "apiVersion missing", mutate: func(e map[string]any) { delete(e, "apiVersion") }, want: []string{"apiVersion"}, wantMsg: "missing"},
		{name: "apiVersion not a string", mutate: func(e map[string]any) { e["apiVersion"] = 1.0 }, want: []string{"apiVersion"}, wantMsg: "must be a string"},
		{name: "apiVersion malformed, reported once", mutate: func(e map[string]any) { e["apiVersion"] = "Backstage.io/v1alpha1" }, want: []string{"apiVersion"}, wantMsg: "not a valid apiVersion"},
		{name: "apiVersion unknown version", mutate: func(e map[string]any) { e["apiVersion"] = "backstage.io/v2" }, want: []string{"apiVersion"}, wantMsg: "want backstage.io/v1alpha1 or backstage.io/v1beta1"},
		{name: "apiVersion without group", mutate: func(e map[string]any) { e["apiVersion"] = "v1alpha1" }, want: []string{"apiVersion"}},
		{name: "Component rejects the Template apiVersion", mutate: func(e map[string]any) { e["apiVersion"] = "scaffolder.backstage.io/v1beta3" }, want: []string{"apiVersion"}, wantMsg: "not an apiVersion of kind Component"},
		{name: "kind missing", mutate: func(e map[string]any) { delete(e, "kind") }, want: []string{"kind"}, wantMsg: "missing"},
		{name: "kind malformed", mutate: func(e map[string]any) { e["kind"] = "1Component" }, want: []string{"kind"}, wantMsg: "not a valid kind"},
		{name: "kind with a dash", mutate: func(e map[string]any) { e["kind"] = "Com-ponent" }, want: []string{"kind"}, wantMsg: "not a valid kind"},
		{name: "kind too long", mutate: func(e map[string]any) { e["kind"] = "C" + strings.Repeat("o", 63) }, want: []string{"kind"}, wantMsg: "not a valid kind"},
		{name: "kind unknown", mutate: func(e map[string]any) { e["kind"] = "Website" }, want: []string{"kind"}, wantMsg: "callboard knows API, Component"},
		{name: "kind lower-case", mutate: func(e map[string]any) { e["kind"] = "component" }, want: []string{"kind"}, wantMsg: `did you mean "Component"?`},
		{name: "kind not a string", mutate: func(e map[string]any) { e["kind"] = []any{"Component"} }, want: []string{"kind"}, wantMsg: "must be a string"},

		{name: "metadata missing", mutate: func(e map[string]any) { delete(e, "metadata") }, want: []string{"metadata"}, wantMsg: "missing"},
		{name: "metadata a list", mutate: func(e map[string]any) { e["metadata"] = []any{} }, want: []string{"metadata"}, wantMsg: "must be a mapping"},
		{name: "name missing", mutate: func(e map[string]any) { delete(md(e), "name") }, want: []string{"metadata.name"}, wantMsg: "missing"},
		{name: "name a number", mutate: func(e map[string]any) { md(e)["name"] = 5.0 }, want: []string{"metadata.name"}, wantMsg: "must be a string"},
		{name: "name with a space", mutate: func(e map[string]any) { md(e)["name"] = "pay ments" }, want: []string{"metadata.name"}, wantMsg: `"pay ments" is not a valid name`},
		{name: "name 64 characters", mutate: func(e map[string]any) { md(e)["name"] = strings.Repeat("a", 64) }, want: []string{"metadata.name"}},
		{name: "name with a trailing separator", mutate: func(e map[string]any) { md(e)["name"] = "payments-" }, want: []string{"metadata.name"}},
		{name: "name with a leading separator", mutate: func(e map[string]any) { md(e)["name"] = ".payments" }, want: []string{"metadata.name"}},
		{name: "name with mixed separators", mutate: func(e map[string]any) { md(e)["name"] = "Pay_ments.v2-eu" }},
		{name: "namespace upper-case", mutate: func(e map[string]any) { md(e)["namespace"] = "Default" }, want: []string{"metadata.namespace"}, wantMsg: `"Default" is not a valid namespace`},
		{name: "namespace with underscore", mutate: func(e map[string]any) { md(e)["namespace"] = "my_ns" }, want: []string{"metadata.namespace"}},
		{name: "namespace null", mutate: func(e map[string]any) { md(e)["namespace"] = nil }, want: []string{"metadata.namespace"}},
		{name: "namespace a number", mutate: func(e map[string]any) { md(e)["namespace"] = 5.0 }, want: []string{"metadata.namespace"}, wantMsg: "must be a string"},
		{name: "title empty", mutate: func(e map[string]any) { md(e)["title"] = "" }, want: []string{"metadata.title"}},
		{name: "description a number", mutate: func(e map[string]any) { md(e)["description"] = 5.0 }, want: []string{"metadata.description"}},

		{name: "label key with bad prefix", mutate: func(e map[string]any) { md(e)["labels"] = map[string]any{"Example.com/tier": "gold"} }, want: []string{"metadata.labels.Example.com/tier"}, wantMsg: "not a valid key"},
		{name: "label key with two slashes", mutate: func(e map[string]any) { md(e)["labels"] = map[string]any{"a/b/c": "gold"} }, want: []string{"metadata.labels.a/b/c"}},
		{name: "label value with spaces", mutate: func(e map[string]any) { md(e)["labels"] = map[string]any{"product_name": "Random value Generator"} }, want: []string{"metadata.labels.product_name"}, wantMsg: "not a valid value"},
		{name: "label value a number", mutate: func(e map[string]any) { md(e)["labels"] = map[string]any{"tier": 1.0} }, want: []string{"metadata.labels.tier"}, wantMsg: "quote it"},
		{name: "labels a list", mutate: func(e map[string]any) { md(e)["labels"] = []any{"a"} }, want: []string{"metadata.labels"}},
		{name: "annotation value with spaces", mutate: func(e map[string]any) {
			md(e)["annotations"] = map[string]any{"example.com/note": "any text at all: fine"}
		}},
		{name: "annotation value empty", mutate: func(e map[string]any) { md(e)["annotations"] = map[string]any{"example.com/note": ""} }},
		{name: "annotation value a number", mutate: func(e map[string]any) { md(e)["annotations"] = map[string]any{"example.com/port": 8080.0} }, want: []string{"metadata.annotations.example.com/port"}, wantMsg: "quote it"},
		{name: "annotation value a bool", mutate: func(e map[string]any) { md(e)["annotations"] = map[string]any{"example.com/on": true} }, want: []string{"metadata.annotations.example.com/on"}},
		{name: "annotation key with a space", mutate: func(e map[string]any) { md(e)["annotations"] = map[string]any{"bad key": "x"} }, want: []string{"metadata.annotations.bad key"}},
		{name: "tag upper-case", mutate: func(e map[string]any) { md(e)["tags"] = []any{"go", "Go"} }, want: []string{"metadata.tags[1]"}, wantMsg: `"Go" is not a valid tag`},
		{name: "tag a number", mutate: func(e map[string]any) { md(e)["tags"] = []any{5.0} }, want: []string{"metadata.tags[0]"}},
		{name: "tag empty", mutate: func(e map[string]any) { md(e)["tags"] = []any{""} }, want: []string{"metadata.tags[0]"}},
		{name: "tags a string", mutate: func(e map[string]any) { md(e)["tags"] = "go" }, want: []string{"metadata.tags"}},
		{name: "link without url", mutate: func(e map[string]any) { md(e)["links"] = []any{map[string]any{"title": "Home"}} }, want: []string{"metadata.links[0].url"}, wantMsg: "missing"},
		{name: "link url not a URL", mutate: func(e map[string]any) { md(e)["links"] = []any{map[string]any{"url": "example.com"}} }, want: []string{"metadata.links[0].url"}, wantMsg: "not an absolute URL"},
		{name: "link url a number", mutate: func(e map[string]any) { md(e)["links"] = []any{map[string]any{"url": 5.0}} }, want: []string{"metadata.links[0].url"}},
		{name: "link mailto", mutate: func(e map[string]any) { md(e)["links"] = []any{map[string]any{"url": "mailto:team@example.com"}} }},
		{name: "link title empty", mutate: func(e map[string]any) {
			md(e)["links"] = []any{map[string]any{"url": "https://a.example"}, map[string]any{"url": "https://b.example", "title": ""}}
		}, want: []string{"metadata.links[1].title"}},
		{name: "link a string", mutate: func(e map[string]any) { md(e)["links"] = []any{"https://example.com"} }, want: []string{"metadata.links[0]"}},
		{name: "links a mapping", mutate: func(e map[string]any) { md(e)["links"] = map[string]any{"url": "https://example.com"} }, want: []string{"metadata.links"}},

		{name: "spec a list", mutate: func(e map[string]any) { e["spec"] = []any{} }, want: []string{"spec"}, wantMsg: "must be a mapping"},
		{name: "owner as group:payments", mutate: func(e map[string]any) { spec(e)["owner"] = "group:payments" }},
		{name: "owner as user:alice", mutate: func(e map[string]any) { spec(e)["owner"] = "user:alice" }},
		{name: "owner as payments", mutate: func(e map[string]any) { spec(e)["owner"] = "payments" }},
		{name: "owner malformed", mutate: func(e map[string]any) { spec(e)["owner"] = "a:b:c" }, want: []string{"spec.owner"}, wantMsg: "not of the form"},
		{name: "owner a list", mutate: func(e map[string]any) { spec(e)["owner"] = []any{"team-a"} }, want: []string{"spec.owner"}, wantMsg: "must be a string"},
		{name: "system in another namespace", mutate: func(e map[string]any) { spec(e)["system"] = "system:ops/payments" }},
		{name: "subcomponentOf with empty kind", mutate: func(e map[string]any) { spec(e)["subcomponentOf"] = ":payments" }, want: []string{"spec.subcomponentOf"}, wantMsg: "empty kind"},
		{name: "dependsOn without kind", mutate: func(e map[string]any) { spec(e)["dependsOn"] = []any{"resource:db", "ledger"} }, want: []string{"spec.dependsOn[1]"}, wantMsg: `"ledger" must name its kind`},
		{name: "dependencyOf without kind", mutate: func(e map[string]any) { spec(e)["dependencyOf"] = []any{"ledger"} }, want: []string{"spec.dependencyOf[0]"}},
		{name: "dependsOn a string", mutate: func(e map[string]any) { spec(e)["dependsOn"] = "resource:db" }, want: []string{"spec.dependsOn"}, wantMsg: "must be a list"},
		{name: "providesApis default kind", mutate: func(e map[string]any) { spec(e)["providesApis"] = []any{"payments-api", "api:ops/ledger-api"} }},
		{name: "consumesApis with an empty item", mutate: func(e map[string]any) { spec(e)["consumesApis"] = []any{""} }, want: []string{"spec.consumesApis[0]"}},
		{name: "lifecycle missing", mutate: func(e map[string]any) { delete(spec(e), "lifecycle") }, want: []string{"spec.lifecycle"}, wantMsg: "required for kind Component"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validComponent()
			tt.mutate(e)
			errs := ValidateRaw(e)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			if got := errFields(errs); !reflect.DeepEqual(got, want) {
				t.Fatalf("errors on %q, want %q: %v", got, want, errs)
			}
			if tt.wantMsg != "" && !strings.Contains(errs[0].Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", errs[0].Message, tt.wantMsg)
			}
		})
	}
}

func TestValidateRawOtherKinds(t *testing.T) {
	entity := func(apiVersion, kind string, spec map[string]any) map[string]any {
		e := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": "x"}}
		if spec != nil {
			e["spec"] = spec
		}
		return e
	}
	const bs = "backstage.io/v1alpha1"
	const sc = "scaffolder.backstage.io/v1beta3"
	steps := []any{map[string]any{"id": "fetch", "action": "fetch:template"}}
	tests := []struct {
		name    string
		e       map[string]any
		want    []string
		wantMsg string
	}{
		{name: "Location with targets", e: entity(bs, "Location", map[string]any{"type": "url", "targets": []any{"./a.yaml", "./b/*.yaml"}})},
		{name: "Location with an empty spec", e: entity(bs, "Location", map[string]any{})},
		{name: "Location without spec", e: entity(bs, "Location", nil), want: []string{"spec"}, wantMsg: "even an empty one"},
		{name: "Location presence", e: entity(bs, "Location", map[string]any{"presence": "optional"})},
		{name: "Location presence unknown", e: entity(bs, "Location", map[string]any{"presence": "sometimes"}), want: []string{"spec.presence"}, wantMsg: "not one of required, optional"},
		{name: "Group with empty children", e: entity(bs, "Group", map[string]any{"type": "team", "children": []any{}})},
		{name: "Group profile", e: entity(bs, "Group", map[string]any{"type": "team", "children": []any{}, "profile": map[string]any{"displayName": "A", "email": "a@example.com", "picture": "https://example.com/a.png"}})},
		{name: "Group profile with empty displayName", e: entity(bs, "Group", map[string]any{"type": "team", "children": []any{}, "profile": map[string]any{"displayName": ""}}), want: []string{"spec.profile.displayName"}},
		{name: "Group members in another namespace", e: entity(bs, "Group", map[string]any{"type": "team", "children": []any{}, "members": []any{"development/guest", "user:default/alice"}})},
		{name: "User cross-namespace memberOf", e: entity(bs, "User", map[string]any{"memberOf": []any{"group:default/team-a"}})},
		{name: "User profile email a number", e: entity(bs, "User", map[string]any{"memberOf": []any{}, "profile": map[string]any{"email": 5.0}}), want: []string{"spec.profile.email"}},
		{name: "User without memberOf", e: entity(bs, "User", map[string]any{}), want: []string{"spec.memberOf"}},
		{name: "Template", e: entity(sc, "Template", map[string]any{"type": "service", "steps": steps, "owner": "web@example.com"})},
		{name: "Template with parameters as a list", e: entity(sc, "Template", map[string]any{"type": "service", "steps": steps, "parameters": []any{map[string]any{"title": "A"}}})},
		{name: "Template with parameters as a string", e: entity(sc, "Template", map[string]any{"type": "service", "steps": steps, "parameters": "x"}), want: []string{"spec.parameters"}},
		{name: "Template with a parameter page that is not a mapping", e: entity(sc, "Template", map[string]any{"type": "service", "steps": steps, "parameters": []any{"x"}}), want: []string{"spec.parameters[0]"}},
		{name: "Template step without action", e: entity(sc, "Template", map[string]any{"type": "service", "steps": []any{map[string]any{"id": "fetch"}}}), want: []string{"spec.steps[0].action"}, wantMsg: "missing"},
		{name: "Template step with an empty action", e: entity(sc, "Template", map[string]any{"type": "service", "steps": []any{map[string]any{"action": ""}}}), want: []string{"spec.steps[0].action"}},
		{name: "Template step a string", e: entity(sc, "Template", map[string]any{"type": "service", "steps": []any{"fetch:template"}}), want: []string{"spec.steps[0]"}},
		{name: "Template with the v1beta2 apiVersion", e: entity("backstage.io/v1beta2", "Template", map[string]any{"type": "service", "steps": steps}), want: []string{"apiVersion"}, wantMsg: "want scaffolder.backstage.io/v1beta3"},
		{name: "Template with the Component apiVersion", e: entity(bs, "Template", map[string]any{"type": "service", "steps": steps}), want: []string{"apiVersion"}},
		{name: "Resource dependsOn", e: entity(bs, "Resource", map[string]any{"type": "database", "owner": "team-a", "dependsOn": []any{"resource:disk"}})},
		{name: "Domain subdomainOf", e: entity(bs, "Domain", map[string]any{"owner": "team-a", "subdomainOf": "audio"})},
		{name: "API without definition", e: entity(bs, "API", map[string]any{"type": "openapi", "lifecycle": "production", "owner": "team-a"}), want: []string{"spec.definition"}},
		{name: "unknown kind: spec not checked", e: entity(bs, "Website", map[string]any{"anything": 1.0}), want: []string{"kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := ValidateRaw(tt.e)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			if got := errFields(errs); !reflect.DeepEqual(got, want) {
				t.Fatalf("errors on %q, want %q: %v", got, want, errs)
			}
			if tt.wantMsg != "" && !strings.Contains(errs[0].Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", errs[0].Message, tt.wantMsg)
			}
		})
	}
}

func TestCanonicalKind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"component", "Component"},
		{"COMPONENT", "Component"},
		{"api", "API"},
		{"Api", "API"},
		{"template", "Template"},
		{"Website", "Website"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := CanonicalKind(tt.in); got != tt.want {
				t.Errorf("CanonicalKind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFieldErrorError(t *testing.T) {
	if got, want := (FieldError{Field: "spec.owner", Message: "missing"}).Error(), "spec.owner: missing"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
