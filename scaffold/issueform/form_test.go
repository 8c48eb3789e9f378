package issueform

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callboard/callboard/internal/golden"

	"github.com/callboard/callboard/catalog"
	"go.yaml.in/yaml/v3"
)

var backstageTemplates = filepath.Join("..", "..", "..", "shared", "testdata", "backstage-templates")

// templateFiles are the Backstage templates the form must handle: the
// shared real ones, the create-app example, and the kitchen sink.
func templateFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(backstageTemplates, "*", "*", "template.yaml"))
	if err != nil || len(files) != 5 {
		t.Fatalf("templates %v (%v), want 5", files, err)
	}
	files = append(files,
		filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "create-app", "templates", "default-app", "examples", "template", "template.yaml"),
		filepath.Join("..", "testdata", "kitchen-sink", "template.yaml"))
	return files
}

func loadTemplate(t *testing.T, file string) *Template {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ps, probs := catalog.ParseFile(filepath.Base(file), b, nil)
	if len(probs) > 0 || len(ps) != 1 {
		t.Fatalf("%s: %d entities, problems %v", file, len(ps), probs)
	}
	e := ps[0].Entity
	pages, err := ParsePages(e.Spec["parameters"])
	if err != nil {
		t.Fatal(err)
	}
	return &Template{Ref: e.Ref(), Title: cmp.Or(e.Metadata.Title, e.Metadata.Name), Description: e.Metadata.Description, Pages: pages}
}

var formOpts = FormOptions{Org: "acme", Owners: []string{"payments", "platform", "search"}}

func TestFormsGitHubAccepts(t *testing.T) {
	for _, file := range templateFiles(t) {
		tmpl := loadTemplate(t, file)
		t.Run(tmpl.Ref.Name, func(t *testing.T) {
			data := FormFor(tmpl, formOpts).Form.YAML()
			for _, e := range validateIssueForm(data) {
				t.Errorf("GitHub would refuse the form: %s", e)
			}
			checkGolden(t, filepath.Join("testdata", tmpl.Ref.Name+".form.yml.golden"), data)
		})
	}
}

func TestFormLabelsAndIdentifiesItsTemplate(t *testing.T) {
	tmpl := loadTemplate(t, filepath.Join("..", "testdata", "kitchen-sink", "template.yaml"))
	f := FormFor(tmpl, formOpts).Form
	if !slices.Equal(f.Labels, []string{Label}) {
		t.Errorf("labels %v, want [scaffold]", f.Labels)
	}
	fields := f.Fields()
	if fields[0].ID != TemplateFieldID || !slices.Equal(fields[0].Options, []string{"template:default/kitchen-sink"}) {
		t.Errorf("first field %+v, want the template dropdown", fields[0])
	}
	var ids []string
	for _, fd := range fields {
		ids = append(ids, fd.ID+":"+fd.Kind)
	}
	want := []string{"template:dropdown", "name:input", "language:dropdown", "notes:textarea", "public:checkboxes", "tier:input", "owner:dropdown",
		"aliases:textarea", "flavour:dropdown", "labels:textarea", "my-param:input", "regions:dropdown", "repoUrl:input"}
	if !slices.Equal(ids, want) {
		t.Errorf("fields\n%v\nwant\n%v", ids, want)
	}
}

// A body rendered from each form, as GitHub renders it, parses back to the
// values put in.
func TestFormRoundTrip(t *testing.T) {
	for _, file := range templateFiles(t) {
		tmpl := loadTemplate(t, file)
		t.Run(tmpl.Ref.Name, func(t *testing.T) {
			rf := FormFor(tmpl, formOpts)
			answers, want := sampleAnswers(rf)
			body := renderBody(rf.Form, answers)
			got, problems := rf.Read(ParseIssue(body, rf.Fields))
			if len(problems) > 0 {
				t.Fatalf("problems %v for the body\n%s", problems, body)
			}
			if got.Owner != "platform" {
				t.Errorf("owner %q, want platform", got.Owner)
			}
			for name, w := range want {
				if !reflect.DeepEqual(got.Params[name], w) {
					t.Errorf("%s = %#v, want %#v", name, got.Params[name], w)
				}
			}
			for name := range got.Params {
				if _, ok := want[name]; !ok {
					t.Errorf("unexpected parameter %s = %#v", name, got.Params[name])
				}
			}
		})
	}
}

const awkwardText = "First line, with ### inside.\n\n```md\n### Not a heading\n```\n\n### Name\n\nA pasted heading that names an earlier field."

// sampleAnswers fills every field with a value, and returns what each
// parameter should read as.
func sampleAnswers(rf *RequestForm) (map[string]any, map[string]any) {
	answers := map[string]any{}
	want := map[string]any{}
	for _, p := range rf.Template.Params() {
		if p.hidden() || p.secret() {
			if p.Default != nil {
				want[p.Name] = p.Default
			}
		}
	}
	for _, f := range rf.Fields {
		p := f.Param
		switch {
		case f.Role == RoleTemplate:
		case f.Role == RoleOwner:
			answers[f.ID] = "platform"
		case f.Role == RoleRepoName:
			answers[f.ID] = "new-service"
			want[p.Name] = "github.com?owner=acme&repo=new-service"
		case f.Kind == KindCheckboxes:
			answers[f.ID] = []string{f.Options[0]}
			want[p.Name] = true
		case f.Kind == KindDropdown && f.Multiple:
			answers[f.ID] = strings.Join(f.Options[len(f.Options)-2:], ", ")
			want[p.Name] = f.values[len(f.values)-2:]
		case f.Kind == KindDropdown:
			answers[f.ID] = f.Options[len(f.Options)-1]
			want[p.Name] = f.values[len(f.values)-1]
		case p.Type == "integer" || p.Type == "number":
			answers[f.ID] = "3"
			want[p.Name] = float64(3)
		case p.Type == "array":
			answers[f.ID] = "one\n- two\n\nthree"
			want[p.Name] = []any{"one", "two", "three"}
		case p.Type == "object":
			answers[f.ID] = "team: payments\ntier: 1"
			want[p.Name] = map[string]any{"team": "payments", "tier": float64(1)}
		case f.Kind == KindTextarea:
			answers[f.ID] = awkwardText
			want[p.Name] = awkwardText
		case p.UIField == "EntityNamePicker" || p.Name == "name":
			answers[f.ID] = "new-service"
			want[p.Name] = "new-service"
		case strings.Contains(p.Name, "package"):
			answers[f.ID] = "io.backstage.demo"
			want[p.Name] = "io.backstage.demo"
		default:
			answers[f.ID] = "A service: does things, well ### really"
			want[p.Name] = "A service: does things, well ### really"
		}
	}
	return answers, want
}

// renderBody renders answers (by field id) as GitHub renders a submitted
// form: "### Label", a blank line, the value, or _No response_; checkboxes as
// a task list; CRLF line ends.
func renderBody(f *Form, answers map[string]any) string {
	var parts []string
	for _, it := range f.Body {
		if it.Type == KindMarkdown {
			continue
		}
		text := ""
		switch it.Type {
		case KindCheckboxes:
			ticked, _ := answers[it.ID].([]string)
			var lines []string
			for _, o := range it.Attributes.Options {
				label := o.(map[string]any)["label"].(string)
				box := "- [ ] "
				if slices.Contains(ticked, label) {
					box = "- [X] "
				}
				lines = append(lines, box+label)
			}
			text = strings.Join(lines, "\n")
		case KindDropdown:
			text, _ = answers[it.ID].(string)
			if text == "" && it.Attributes.Default != nil {
				text = it.Attributes.Options[*it.Attributes.Default].(string)
			}
		default:
			s, ok := answers[it.ID].(string)
			if !ok {
				s = it.Attributes.Value
			}
			text = s
			if it.Attributes.Render != "" && s != "" {
				text = "```" + it.Attributes.Render + "\n" + s + "\n```"
			}
		}
		if text == "" {
			text = NoResponse
		}
		parts = append(parts, "### "+it.Attributes.Label+"\n\n"+text)
	}
	return strings.ReplaceAll(strings.Join(parts, "\n\n"), "\n", "\r\n")
}

// validateIssueForm checks a form against GitHub's issue-form schema, as
// "Syntax for issue forms", "Syntax for GitHub's form schema" and "Common
// validation errors when creating issue forms" describe it.
func validateIssueForm(data []byte) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []string{"not YAML: " + err.Error()}
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return []string{"not a mapping"}
	}
	// GitHub reads YAML 1.1: plain yes/no/on/off are booleans there.
	yaml11Bool := regexp.MustCompile(`^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	str := func(n *yaml.Node, where string, required bool) string {
		switch {
		case n == nil:
			if required {
				fail("%s: required", where)
			}
			return ""
		case n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Style == 0 && yaml11Bool.MatchString(n.Value):
			fail("%s: must be a string", where)
			return ""
		case strings.TrimSpace(n.Value) == "":
			fail("%s: must not be empty", where)
		}
		return n.Value
	}
	keys := func(m *yaml.Node, where string, allowed ...string) map[string]*yaml.Node {
		out := map[string]*yaml.Node{}
		if m == nil || m.Kind != yaml.MappingNode {
			fail("%s: must be a mapping", where)
			return out
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i].Value
			if !slices.Contains(allowed, k) {
				fail("%s: %s is not a permitted key", where, k)
			}
			if _, dup := out[k]; dup {
				fail("%s: %s given twice", where, k)
			}
			out[k] = m.Content[i+1]
		}
		return out
	}
	top := keys(doc.Content[0], "top level", "name", "description", "body", "assignees", "labels", "title", "projects", "type")
	str(top["name"], "name", true)
	str(top["description"], "description", true)
	if n := top["title"]; n != nil {
		str(n, "title", false)
	}
	if n := top["labels"]; n != nil {
		var labels []string
		if n.Kind == yaml.SequenceNode {
			for i, l := range n.Content {
				labels = append(labels, str(l, fmt.Sprintf("labels[%d]", i), true))
			}
		} else {
			for _, l := range strings.Split(str(n, "labels", true), ",") {
				labels = append(labels, strings.TrimSpace(l))
			}
		}
		if len(dedupe(labels)) != len(labels) {
			fail("labels: %v are not unique", labels)
		}
	}
	body := top["body"]
	if body == nil || body.Kind != yaml.SequenceNode || len(body.Content) == 0 {
		fail("body: required, and cannot be empty")
		return errs
	}
	ids := map[string]bool{}
	labels := map[string]bool{}  // labels of user input fields
	unnamed := map[string]bool{} // parameterized labels of fields without an id
	var boxLabels []string       // every checkbox option's label
	labelsWithoutID := map[string]bool{}
	inputs := 0
	idRule := regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	for i, it := range body.Content {
		where := fmt.Sprintf("body[%d]", i)
		el := keys(it, where, "type", "id", "attributes", "validations")
		typ := str(el["type"], where+".type", true)
		allowed := map[string][]string{
			KindMarkdown:   {"value"},
			KindInput:      {"label", "description", "placeholder", "value"},
			KindTextarea:   {"label", "description", "placeholder", "value", "render"},
			KindDropdown:   {"label", "description", "multiple", "options", "default"},
			KindCheckboxes: {"label", "description", "options"},
		}[typ]
		if allowed == nil {
			fail("%s: %q is not a valid input type", where, typ)
			continue
		}
		attrs := keys(el["attributes"], where+".attributes", allowed...)
		if n := el["id"]; n != nil {
			id := str(n, where+".id", true)
			if typ == KindMarkdown {
				fail("%s: a markdown element takes no id", where)
			}
			if !idRule.MatchString(id) {
				fail("%s: id %q can only contain numbers, letters, -, _", where, id)
			}
			if ids[id] {
				fail("%s: id %q is not unique", where, id)
			}
			ids[id] = true
		}
		if v := el["validations"]; v != nil {
			if typ == KindMarkdown {
				fail("%s: markdown takes no validations", where)
			}
			vs := keys(v, where+".validations", "required")
			if r := vs["required"]; r != nil && r.Tag != "!!bool" {
				fail("%s: validations.required must be a boolean", where)
			}
		}
		for _, k := range []string{"description", "placeholder", "value", "render"} {
			if n := attrs[k]; n != nil {
				str(n, where+".attributes."+k, false)
			}
		}
		if typ == KindMarkdown {
			str(attrs["value"], where+".attributes.value", true)
			continue
		}
		inputs++
		label := str(attrs["label"], where+".attributes.label", true)
		if labels[label] {
			fail("%s: label %q is not unique", where, label)
		}
		labels[label] = true
		if (typ == KindInput || typ == KindTextarea) && strings.Contains(strings.ToLower(label), "password") {
			fail("%s: label %q contains a forbidden word", where, label)
		}
		if el["id"] == nil {
			p := strings.Trim(regexp.MustCompile(`[^a-z0-9_-]+`).ReplaceAllString(strings.ToLower(label), "-"), "-")
			if unnamed[p] {
				fail("%s: label %q is too similar to another", where, label)
			}
			unnamed[p] = true
			labelsWithoutID[label] = true
		}
		switch typ {
		case KindDropdown:
			opts := attrs["options"]
			if opts == nil || opts.Kind != yaml.SequenceNode || len(opts.Content) == 0 {
				fail("%s: options are required and cannot be empty", where)
				continue
			}
			var seen []string
			for j, o := range opts.Content {
				s := str(o, fmt.Sprintf("%s.options[%d]", where, j), true)
				if strings.EqualFold(s, "none") {
					fail("%s: options must not include the reserved word, none", where)
				}
				if slices.Contains(seen, s) {
					fail("%s: options must be unique (%q)", where, s)
				}
				seen = append(seen, s)
			}
			if m := attrs["multiple"]; m != nil && m.Tag != "!!bool" {
				fail("%s: multiple must be a boolean", where)
			}
			if d := attrs["default"]; d != nil {
				var n int
				if d.Tag != "!!int" || d.Decode(&n) != nil || n < 0 || n >= len(seen) {
					fail("%s: default %q is not the index of an option", where, d.Value)
				}
			}
		case KindCheckboxes:
			opts := attrs["options"]
			if opts == nil || opts.Kind != yaml.SequenceNode || len(opts.Content) == 0 {
				fail("%s: options are required and cannot be empty", where)
				continue
			}
			var seen []string
			for j, o := range opts.Content {
				ow := fmt.Sprintf("%s.options[%d]", where, j)
				ok := keys(o, ow, "label", "required")
				l := str(ok["label"], ow+".label", true)
				if r := ok["required"]; r != nil && r.Tag != "!!bool" {
					fail("%s.required must be a boolean", ow)
				}
				if slices.Contains(seen, l) {
					fail("%s: options must be unique (%q)", where, l)
				}
				seen = append(seen, l)
				boxLabels = append(boxLabels, l)
			}
		}
	}
	for _, l := range boxLabels {
		if labelsWithoutID[l] {
			fail("checkbox label %q is also the label of a field without an id", l)
		}
	}
	if inputs == 0 {
		fail("body must contain at least one non-markdown field")
	}
	return errs
}

// The validator is held to real forms (which GitHub accepts) and to the
// mistakes GitHub documents (which it refuses).
func TestValidatorOnRealForms(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(issueForms, "templates", "*.y*ml"))
	for _, dir := range []string{"github-issue-parser/example", "github-issue-parser/no-ids", "github-issue-parser/missing"} {
		files = append(files, filepath.Join(issueForms, dir, "template.yml"))
	}
	if len(files) < 7 {
		t.Fatalf("forms %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if errs := validateIssueForm(b); len(errs) > 0 {
			t.Errorf("%s: %v", f, errs)
		}
	}
}

func TestValidatorRefusesWhatGitHubRefuses(t *testing.T) {
	head := "name: x\ndescription: y\nbody:\n"
	cases := map[string]string{
		"no name":              "description: y\nbody:\n- type: input\n  attributes: {label: a}\n",
		"only markdown":        head + "- type: markdown\n  attributes: {value: hi}\n",
		"duplicate ids":        head + "- type: input\n  id: a\n  attributes: {label: A}\n- type: input\n  id: a\n  attributes: {label: B}\n",
		"duplicate labels":     head + "- type: input\n  attributes: {label: A}\n- type: textarea\n  attributes: {label: A}\n",
		"bad id":               head + "- type: input\n  id: first name\n  attributes: {label: A}\n",
		"unknown type":         head + "- type: select\n  attributes: {label: A}\n",
		"unknown attribute":    head + "- type: input\n  attributes: {label: A, options: [a]}\n",
		"none option":          head + "- type: dropdown\n  attributes: {label: A, options: [a, None]}\n",
		"duplicate option":     head + "- type: dropdown\n  attributes: {label: A, options: [a, a]}\n",
		"boolean option":       head + "- type: dropdown\n  attributes: {label: A, options: [Yes, No]}\n",
		"empty options":        head + "- type: dropdown\n  attributes: {label: A, options: []}\n",
		"default out of range": head + "- type: dropdown\n  attributes: {label: A, options: [a], default: 1}\n",
		"password label":       head + "- type: input\n  attributes: {label: Password}\n",
		"checkbox label clash": head + "- type: textarea\n  attributes: {label: Name}\n- type: checkboxes\n  attributes: {label: B, options: [{label: Name}]}\n",
		"empty description":    "name: x\ndescription: ''\nbody:\n- type: input\n  attributes: {label: a}\n",
	}
	for name, form := range cases {
		if errs := validateIssueForm([]byte(form)); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got)
}
