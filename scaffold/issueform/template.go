package issueform

import (
	"fmt"

	"github.com/callboard/callboard/catalog"
)

// Template is what a form is made from: a template's name and its
// parameters.
type Template struct {
	Ref         catalog.Ref
	Title       string
	Description string
	Pages       []Page
}

// Params returns every page's parameters, in page order.
func (t *Template) Params() []*Param {
	var out []*Param
	for _, pg := range t.Pages {
		out = append(out, pg.Params...)
	}
	return out
}

// ParsePages reads a template's spec.parameters: one JSON Schema object,
// or a list of them (the form's pages).
func ParsePages(parameters any) ([]Page, error) {
	var pages []Page
	switch p := parameters.(type) {
	case map[string]any:
		pages = append(pages, parsePage(p))
	case []any:
		for i, it := range p {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("spec.parameters[%d] is not an object", i)
			}
			pages = append(pages, parsePage(m))
		}
	case nil:
	default:
		return nil, fmt.Errorf("spec.parameters is neither an object nor a list")
	}
	return pages, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// texts are the strings of a list.
func texts(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
