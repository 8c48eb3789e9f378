package scaffold

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// Actions callboard runs; a template with any other is refused before
// anything is created.
const (
	ActionFetchTemplate   = "fetch:template"
	ActionPublishGitHub   = "publish:github"
	ActionCatalogRegister = "catalog:register"
)

var supportedActions = []string{ActionFetchTemplate, ActionPublishGitHub, ActionCatalogRegister}

// Template is a Backstage Template entity as callboard runs it.
type Template struct {
	Ref         catalog.Ref
	Title       string
	Description string
	// Location is the file that declared the template
	// (backstage.io/managed-by-location, without its "url:" prefix).
	Location string
	Pages    []Page
	Steps    []Step
	Output   map[string]any
}

// Page is one page of the template's form: a JSON Schema object.
type Page struct {
	Title       string
	Description string
	Params      []*Param
}

// Param is one property of a page: the JSON Schema keywords and ui: options
// the form is made from, and the whole schema answers are checked against.
type Param struct {
	Name        string
	Title       string
	Description string
	Type        string // string, number, integer, boolean, array, object ("" = string)
	Enum        []any
	EnumNames   []string
	Items       *Param // for arrays
	Default     any
	Const       any
	Required    bool
	UIField     string
	UIWidget    string
	UIHelp      string
	Placeholder string
	UIOptions   map[string]any
	// Schema is the property's JSON Schema as the template wrote it, which
	// answers are checked against.
	Schema map[string]any
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
	var pages []map[string]any
	switch p := e.Spec["parameters"].(type) {
	case map[string]any:
		pages = append(pages, p)
	case []any:
		for i, it := range p {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: spec.parameters[%d] is not an object", t.Ref, i)
			}
			pages = append(pages, m)
		}
	case nil:
	default:
		return nil, fmt.Errorf("%s: spec.parameters is neither an object nor a list", t.Ref)
	}
	for _, p := range pages {
		t.Pages = append(t.Pages, parsePage(p))
	}
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

func parsePage(m map[string]any) Page {
	pg := Page{Title: str(m["title"]), Description: str(m["description"])}
	props, _ := m["properties"].(map[string]any)
	required := stringsOf(m["required"])
	for _, name := range propertyOrder(props, required, stringsOf(m["ui:order"])) {
		pm, _ := props[name].(map[string]any)
		p := parseParam(name, pm)
		p.Required = slices.Contains(required, name)
		pg.Params = append(pg.Params, p)
	}
	return pg
}

// propertyOrder is the order fields appear in. The catalog keeps a
// template's spec as JSON, which loses the key order of the file, so
// ui:order (with its "*" wildcard) decides when given, and otherwise the
// required properties come first, in the order "required" lists them.
func propertyOrder(props map[string]any, required, uiOrder []string) []string {
	rest := slices.Sorted(maps.Keys(props))
	take := func(names []string) []string {
		var out []string
		for _, n := range names {
			if i := slices.Index(rest, n); i >= 0 {
				out = append(out, n)
				rest = slices.Delete(rest, i, i+1)
			}
		}
		return out
	}
	if len(uiOrder) > 0 {
		star := slices.Index(uiOrder, "*")
		if star < 0 {
			return append(take(uiOrder), rest...)
		}
		head := take(uiOrder[:star])
		tail := take(uiOrder[star+1:])
		return append(append(head, rest...), tail...)
	}
	return append(take(required), rest...)
}

func parseParam(name string, m map[string]any) *Param {
	p := &Param{
		Name: name, Title: str(m["title"]), Description: str(m["description"]), Type: str(m["type"]),
		Enum: anyList(m["enum"]), EnumNames: stringsOf(m["enumNames"]), Default: m["default"], Const: m["const"],
		UIField: str(m["ui:field"]), UIWidget: str(m["ui:widget"]), UIHelp: str(m["ui:help"]), Placeholder: str(m["ui:placeholder"]),
	}
	if tl, ok := m["type"].([]any); ok {
		// ["string", "null"]: the first non-null type decides the field.
		for _, x := range tl {
			if s, _ := x.(string); s != "" && s != "null" {
				p.Type = s
				break
			}
		}
	}
	p.UIOptions, _ = m["ui:options"].(map[string]any)
	p.Schema = m
	if items, ok := m["items"].(map[string]any); ok {
		p.Items = parseParam(name, items)
	}
	if p.Type == "" {
		p.Type = "string"
	}
	return p
}

// Params returns every page's parameters, in page order.
func (t *Template) Params() []*Param {
	var out []*Param
	for _, pg := range t.Pages {
		out = append(out, pg.Params...)
	}
	return out
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

// hidden reports fields the form does not show: they take their default.
func (p *Param) hidden() bool {
	return p.UIWidget == "hidden" || p.Type == "null"
}

// secret reports fields that would ask for a secret: an issue is no place
// for one (and GitHub refuses forms whose labels ask for passwords). They
// take their default.
func (p *Param) secret() bool {
	return p.UIWidget == "password" || p.UIField == "Secret" ||
		strings.Contains(strings.ToLower(p.Title+" "+p.Name), "password")
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
