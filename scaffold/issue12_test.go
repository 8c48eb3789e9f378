package scaffold

import (
	"context"
	"strings"
	"testing"

	"github.com/callboard/callboard/scaffold/nunjucks"
)

// TestIssue12_15_AnswersCannotPlaceWorkflows: an answer used as a path
// cannot put a file under .github/workflows/ (where it would run with the
// repository's secrets), through the file's path, the target path or the
// publish step's source path; a template that puts a workflow there itself
// still may.
func TestIssue12_15_AnswersCannotPlaceWorkflows(t *testing.T) {
	skeleton := []File{
		{Path: "${{ values.dir }}/deploy.yml", Content: []byte("run: ${{ values.cmd }}\n")},
		{Path: ".github/workflows/ci.yml", Content: []byte("on: push\n")},
		{Path: "README.md", Content: []byte("# ${{ values.name }}\n")},
	}
	read := func(Source) ([]File, error) { return skeleton, nil }
	plan := func(dir, target, source string) *Plan {
		f := Fetch{Step: "fetch", Values: map[string]any{"dir": dir, "name": "svc", "cmd": "make"}}
		f.opts.targetPath, f.opts.literalTarget = target, "${{ parameters.target }}"
		if target == "" {
			f.opts.literalTarget = ""
		}
		return &Plan{Fetches: []Fetch{f}, Publish: Publish{SourcePath: source}}
	}
	cases := []struct {
		name, dir, target, source string
		refused                   bool
	}{
		{"a folder of the template's own", "deploy", "", "", false},
		{"an answer naming the workflows folder", ".github/workflows", "", "", true},
		{"an answer climbing into it", "x/../.github/workflows", "", "", true},
		{"an answer as the target path", "deploy", ".github/workflows", "", true},
		{"an answer as the source path", "pipelines/.github/workflows", "", "pipelines", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files, err := plan(tc.dir, tc.target, tc.source).Files(context.Background(), nunjucks.DefaultBudget, read)
			if tc.refused {
				if err == nil || !strings.Contains(err.Error(), "under `.github/workflows/`, where the template puts no file of its own") {
					t.Fatalf("got %v, want a refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, f := range files {
				paths = append(paths, f.Path)
			}
			if strings.Join(paths, " ") != ".github/workflows/ci.yml README.md deploy/deploy.yml" {
				t.Errorf("files %v", paths)
			}
		})
	}
}

// TestIssue12_06_LoopsThatWriteNothingEndInPlans: nested loops that write
// nothing, in a step's input, stop at the step budget, and MakePlan says
// why (the renderer's side is nunjucks' TestIssue12_06_LoopsThatWriteNothingEnd).
func TestIssue12_06_LoopsThatWriteNothingEndInPlans(t *testing.T) {
	items := make([]any, 1000)
	for i := range items {
		items[i] = float64(i)
	}
	src := `{% for a in values.items %}{% for b in values.items %}{% for c in values.items %}{% endfor %}{% endfor %}{% endfor %}done`
	tmpl := &Template{Steps: []Step{{ID: "fetch", Action: ActionFetchTemplate, Input: map[string]any{"url": strings.ReplaceAll(src, "values.", "parameters.")}}}}
	_, problems, err := MakePlan(context.Background(), tmpl, map[string]any{"items": items}, PlanOptions{})
	if err != nil || len(problems) == 0 || !strings.Contains(problems[0].Message, "steps") {
		t.Errorf("MakePlan: problems %v, err %v; want the step budget named", problems, err)
	}
}
