package scaffold

import (
	"fmt"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold/issueform"
)

// Actions callboard runs; a template with any other is refused before
// anything is created.
const (
	ActionFetchTemplate   = "fetch:template"
	ActionPublishGitHub   = "publish:github"
	ActionCatalogRegister = "catalog:register"
)

var supportedActions = []string{ActionFetchTemplate, ActionPublishGitHub, ActionCatalogRegister}

// Label is the label that marks an issue as a scaffold request.
const Label = issueform.Label

// Problem is one reason a request cannot run as written: the issue form's
// reading of the answers finds them, and so do the plan and the run.
type Problem = issueform.Problem

// code and mdEscape are the issue form's, for the comments' text.
func code(s string) string     { return issueform.Code(s) }
func mdEscape(s string) string { return issueform.MDEscape(s) }

// Template is a Backstage Template entity as callboard runs it.
type Template struct {
	Ref         catalog.Ref
	Title       string
	Description string
	// Location is the file that declared the template
	// (backstage.io/managed-by-location, without its "url:" prefix).
	Location string
	Pages    []issueform.Page
	Steps    []Step
	Output   map[string]any
}

// Step is one step of the template.
type Step struct {
	ID     string
	Name   string
	Action string
	Input  map[string]any
	If     any // the step's if: condition, nil when unconditional
}

// ParseTemplate reads a Template entity.
func ParseTemplate(e *catalog.Entity) (*Template, error) {
	if !strings.EqualFold(e.Kind, "Template") {
		return nil, fmt.Errorf("%s is a %s, not a Template", e.Ref(), e.Kind)
	}
	t := &Template{
		Ref:         e.Ref(),
		Title:       e.Metadata.Title,
		Description: e.Metadata.Description,
		Location:    strings.TrimPrefix(e.Metadata.Annotations[catalog.AnnotationManagedByLocation], "url:"),
		Output:      e.SpecMap("output"),
	}
	if t.Title == "" {
		t.Title = e.Metadata.Name
	}
	pages, err := issueform.ParsePages(e.Spec["parameters"])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Ref, err)
	}
	t.Pages = pages
	steps, _ := e.Spec["steps"].([]any)
	for i, it := range steps {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: spec.steps[%d] is not an object", t.Ref, i)
		}
		s := Step{ID: str(m["id"]), Name: str(m["name"]), Action: str(m["action"]), If: m["if"]}
		s.Input, _ = m["input"].(map[string]any)
		if s.ID == "" {
			s.ID = fmt.Sprintf("step-%d", i+1)
		}
		t.Steps = append(t.Steps, s)
	}
	return t, nil
}

// Params returns every page's parameters, in page order.
func (t *Template) Params() []*issueform.Param { return t.form().Params() }

// form is what the template's issue form is made from.
func (t *Template) form() *issueform.Template {
	return &issueform.Template{Ref: t.Ref, Title: t.Title, Description: t.Description, Pages: t.Pages}
}

// FormFor is a template's issue form (see issueform.FormFor).
func FormFor(t *Template, opts issueform.FormOptions) *issueform.RequestForm {
	return issueform.FormFor(t.form(), opts)
}

// Unsupported returns the actions of the template's steps that callboard does
// not run, each once, in step order.
func (t *Template) Unsupported() []string {
	var out []string
	for _, s := range t.Steps {
		if !slices.Contains(supportedActions, s.Action) && !slices.Contains(out, s.Action) {
			out = append(out, s.Action)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func stringsOf(v any) []string {
	var out []string
	for _, x := range anyList(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func anyList(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	}
	return nil
}
