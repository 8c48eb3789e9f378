package digest

import (
	"embed"
	"text/template"

	"github.com/callboard/callboard/internal/slacktext"
)

//go:embed templates/*.txt.tmpl templates/*.md.tmpl
var textFiles embed.FS

// textTemplates write the plain-text digest and the text of its Slack
// summary; format.go's helpers say the numbers and the phrases.
var textTemplates = template.Must(template.New("digest").Funcs(template.FuncMap{
	"num":       num,
	"pct":       pct,
	"points":    points,
	"signed":    signed,
	"day":       day,
	"plural":    plural,
	"sparkline": sparkline,
	"actions":   actionsLine,
	"owner":     ownerLine,
	"rate":      rateLine,
	"tenth":     tenthLine,
	"joined":    list,
	"trunc":     truncate,
	"newcomer":  newcomerLine,
	"bold":      slacktext.Bold,
	"esc":       slacktext.Escape,
}).ParseFS(textFiles, "templates/*.txt.tmpl", "templates/*.md.tmpl"))

// Text renders the digest as plain text, the email's first part and what
// `callboard digest` prints.
func Text(d *Digest) string {
	return execute("text", newTextView(d))
}
