package scaffold

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/golden"
	"github.com/callboard/callboard/scaffold/issueform"
)

var backstageTemplates = filepath.Join("..", "..", "shared", "testdata", "backstage-templates")

// templateFiles are the Backstage templates the scaffolder must handle: the
// shared real ones, the create-app example, and the kitchen sink.
func templateFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(backstageTemplates, "*", "*", "template.yaml"))
	if err != nil || len(files) != 5 {
		t.Fatalf("templates %v (%v), want 5", files, err)
	}
	return append(files,
		filepath.Join("..", "..", "shared", "testdata", "backstage", "packages", "create-app", "templates", "default-app", "examples", "template", "template.yaml"),
		filepath.Join("testdata", "kitchen-sink", "template.yaml"))
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
	catalog.StampRepoEntity(e, &catalog.Repository{FullName: "acme/templates", DefaultBranch: "main"}, "templates/"+e.Metadata.Name+"/template.yaml")
	tmpl, err := ParseTemplate(e)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got)
}

// renderBody renders answers (by field id) as GitHub renders a submitted
// form: "### Label", a blank line, the value, or _No response_; checkboxes as
// a task list; CRLF line ends.
func renderBody(f *issueform.Form, answers map[string]any) string {
	var parts []string
	for _, it := range f.Body {
		if it.Type == issueform.KindMarkdown {
			continue
		}
		text := ""
		switch it.Type {
		case issueform.KindCheckboxes:
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
		case issueform.KindDropdown:
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
			text = issueform.NoResponse
		}
		parts = append(parts, "### "+it.Attributes.Label+"\n\n"+text)
	}
	return strings.ReplaceAll(strings.Join(parts, "\n\n"), "\n", "\r\n")
}
