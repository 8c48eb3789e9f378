package issueform

import (
	"maps"
	"slices"
	"strings"
)

// A template's parameters, as its form is made from them.

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

func parsePage(m map[string]any) Page {
	pg := Page{Title: str(m["title"]), Description: str(m["description"])}
	props, _ := m["properties"].(map[string]any)
	required := texts(m["required"])
	for _, name := range propertyOrder(props, required, texts(m["ui:order"])) {
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
		Enum: list(m["enum"]), EnumNames: texts(m["enumNames"]), Default: m["default"], Const: m["const"],
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

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
