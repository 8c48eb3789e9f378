package issueform

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// issueForms is the shared folder of real issue forms and parser fixtures.
var issueForms = filepath.Join("..", "..", "..", "shared", "testdata", "issue-forms")

func readFixture(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{issueForms}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readJSON(t *testing.T, parts ...string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(readFixture(t, parts...), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func formFields(t *testing.T, parts ...string) []Field {
	t.Helper()
	f, err := ParseForm(readFixture(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	return f.Fields()
}

// The fixtures come from three parser libraries, each with its own output
// conventions; these adapters put ParseIssue's answers in each library's
// shape, so the fixtures' expected values are compared as they are.

// issueParserShape is github/issue-parser's (and issue-ops/parser's) output:
// dropdowns as lists, checkboxes as {selected, unselected}, empty answers left
// out.
func issueParserShape(sub *Submission, fields []Field) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		a, ok := sub.Answers[f.ID]
		if !ok {
			continue
		}
		switch f.Kind {
		case KindDropdown:
			sel := []any{}
			for _, s := range a.Selected {
				sel = append(sel, s)
			}
			out[f.ID] = sel
		case KindCheckboxes:
			out[f.ID] = map[string]any{"selected": anys(a.Selected), "unselected": anys(a.Unselected)}
		default:
			if a.Text != "" {
				out[f.ID] = a.Text
			}
		}
	}
	return out
}

// rawShape is the output without a template: slugified headings and the
// text as written.
func rawShape(body string) map[string]any {
	out := map[string]any{}
	for _, s := range Sections(body) {
		if s.Heading != "" && s.Text != "" {
			out[Slug(s.Heading)] = s.Text
		}
	}
	return out
}

// stefanbuckShape is stefanbuck/github-issue-parser's output: strings, and
// checkboxes as the list of ticked labels; sections the form does not know
// are kept under their slugified heading.
func stefanbuckShape(sub *Submission, fields []Field) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		a, ok := sub.Answers[f.ID]
		if !ok {
			continue
		}
		switch f.Kind {
		case KindCheckboxes:
			out[f.ID] = anys(a.Selected)
		case KindDropdown:
			if !a.Empty {
				out[f.ID] = strings.Join(a.Selected, ", ")
			}
		default:
			if a.Text != "" {
				out[f.ID] = a.Text
			}
		}
	}
	for _, s := range sub.Extra {
		if s.Heading == "" || s.Text == "" {
			continue
		}
		if IsTaskList(s.Text) {
			sel, _ := checkboxes(s.Text, nil)
			out[Slug(s.Heading)] = anys(sel)
		} else {
			out[Slug(s.Heading)] = s.Text
		}
	}
	return out
}

func anys(ss []string) []any {
	out := []any{}
	for _, s := range ss {
		out = append(out, s)
	}
	return out
}

func sameJSON(t *testing.T, got, want map[string]any) {
	t.Helper()
	g, _ := json.Marshal(got)
	var norm map[string]any
	_ = json.Unmarshal(g, &norm)
	if !reflect.DeepEqual(norm, want) {
		gj, _ := json.MarshalIndent(norm, "", "  ")
		wj, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("parsed:\n%s\nwant:\n%s", gj, wj)
	}
}

func TestIssueParserFixtures(t *testing.T) {
	dir := "github-issue-parser"
	cases := []struct {
		name, issue, form, want string
	}{
		{"blank", "blank/issue.md", "blank/template.yml", "blank/parsed-issue.json"},
		{"example", "example/issue.md", "example/template.yml", "example/parsed-issue.json"},
		{"extra", "extra/issue.md", "extra/template.yml", "extra/parsed-issue-template.json"},
		{"extra without a template", "extra/issue.md", "", "extra/parsed-issue-no-template.json"},
		{"header", "header/issue.md", "header/template.yml", "header/parsed-issue.json"},
		{"invalid", "invalid/issue.md", "invalid/template.yml", "invalid/parsed-issue.json"},
		{"missing", "missing/issue.md", "missing/template.yml", "missing/parsed-issue.json"},
		{"no-ids", "no-ids/issue.md", "no-ids/template.yml", "no-ids/parsed-issue.json"},
		{"no-template", "no-template/issue.md", "", "no-template/parsed-issue.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := string(readFixture(t, dir, tc.issue))
			want := readJSON(t, dir, tc.want)
			if tc.form == "" {
				sameJSON(t, rawShape(body), want)
				return
			}
			fields := formFields(t, dir, tc.form)
			sameJSON(t, issueParserShape(ParseIssue(body, fields), fields), want)
			// GitHub sends bodies with CRLF line ends.
			crlf := strings.ReplaceAll(body, "\n", "\r\n")
			sameJSON(t, issueParserShape(ParseIssue(crlf, fields), fields), want)
		})
	}
}

func TestIssueOpsParserFixtures(t *testing.T) {
	dir := "issue-ops-parser"
	t.Run("example with the template", func(t *testing.T) {
		fields := formFields(t, dir, "example/template.yml")
		sameJSON(t, issueParserShape(ParseIssue(string(readFixture(t, dir, "example/issue.md")), fields), fields), readJSON(t, dir, "example/parsed-issue-with-template.json"))
	})
	t.Run("example without a template", func(t *testing.T) {
		sameJSON(t, rawShape(string(readFixture(t, dir, "example/issue.md"))), readJSON(t, dir, "example/parsed-issue-no-template.json"))
	})
	t.Run("extra header after a dropdown", func(t *testing.T) {
		fields := formFields(t, dir, "extra/template.yml")
		sameJSON(t, issueParserShape(ParseIssue(string(readFixture(t, dir, "extra/issue.md")), fields), fields), readJSON(t, dir, "extra/parsed-issue.json"))
	})
}

func TestStefanbuckParserFixtures(t *testing.T) {
	dir := "stefanbuck-github-issue-parser"
	entries, err := os.ReadDir(filepath.Join(issueForms, dir))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			fields := formFields(t, dir, e.Name(), "form.yml")
			body, err := os.ReadFile(filepath.Join(issueForms, dir, e.Name(), "issue-body.md"))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			sameJSON(t, stefanbuckShape(ParseIssue(string(body), fields), fields), readJSON(t, dir, e.Name(), "expected.json"))
		})
	}
	if n != 8 {
		t.Errorf("%d stefanbuck cases, want 8", n)
	}
}

func TestSectionsKeepHeadingsInCodeFences(t *testing.T) {
	body := "### Notes\r\n\r\n```md\r\n### not a field\r\n```\r\n\r\n~~~~\r\n### nor this\r\n```\r\n~~~~\r\n\r\n#### deeper\r\n\r\n### Next ###\r\n\r\nvalue\r\n"
	got := Sections(body)
	if len(got) != 2 {
		t.Fatalf("sections %+v, want 2", got)
	}
	if want := "```md\n### not a field\n```\n\n~~~~\n### nor this\n```\n~~~~\n\n#### deeper"; got[0].Text != want {
		t.Errorf("first section %q, want %q", got[0].Text, want)
	}
	if got[1].Heading != "Next" || got[1].Text != "value" {
		t.Errorf("second section %+v", got[1])
	}
}

func TestAnswers(t *testing.T) {
	fields := []Field{
		{ID: "name", Label: "Name", Kind: KindInput},
		{ID: "langs", Label: "Languages", Kind: KindDropdown, Multiple: true, Options: []string{"Go", "C, C++", "Rust"}},
		{ID: "one", Label: "One", Kind: KindDropdown, Options: []string{"a, b", "c"}},
		{ID: "code", Label: "Code", Kind: KindTextarea, Render: "go"},
		{ID: "notes", Label: "Notes", Kind: KindTextarea},
		{ID: "agree", Label: "Agree", Kind: KindCheckboxes, Options: []string{"Yes"}},
	}
	body := "### Name\n\n_No response_\n\n### Languages\n\nGo, C, C++\n\n### One\n\na, b\n\n### Code\n\n```go\nfunc main() {}\n```\n\n" +
		"### Notes\n\n### Name\n\ntyped by hand\n\n### Agree\n\n- [X] Yes\n"
	sub := ParseIssue(body, fields)
	checks := []struct {
		id   string
		got  any
		want any
	}{
		{"name empty", sub.Answers["name"].Empty, true},
		{"langs", sub.Answers["langs"].Selected, []string{"Go", "C, C++"}},
		{"one", sub.Answers["one"].Selected, []string{"a, b"}},
		{"code unfenced", sub.Answers["code"].Text, "func main() {}"},
		{"notes keep an earlier field's heading", sub.Answers["notes"].Text, "### Name\n\ntyped by hand"},
		{"agree", sub.Answers["agree"].Selected, []string{"Yes"}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.id, c.got, c.want)
		}
	}
}
