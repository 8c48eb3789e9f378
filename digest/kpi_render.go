package digest

import (
	_ "embed"
	"html/template"
)

//go:embed templates/adoption.html.tmpl
var adoptionHTMLSource string

// The adoption section is its own template file, parsed into the digest's
// HTML template set (digest.html.tmpl calls it).
var _ = template.Must(htmlTemplate.Funcs(template.FuncMap{"dec": func(n int) int { return n - 1 }}).Parse(adoptionHTMLSource))
