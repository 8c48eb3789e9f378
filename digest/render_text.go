package digest

import (
	"embed"
	"text/template"

	"github.com/callboard/callboard/internal/slacktext"
)

//go:embed templates/*.txt.tmpl templates/*.md.tmpl
var textFiles embed.FS

// textTemplates write the plain-text digest and the text of its Slack
// summary; Slack's text is escaped with the kit's bold and esc.
var textTemplates = template.Must(template.New("digest").Funcs(template.FuncMap(phrases)).Funcs(template.FuncMap{
	"bold": slacktext.Bold,
	"esc":  slacktext.Escape,
	"link": slacktext.Link,
}).ParseFS(textFiles, "templates/*.txt.tmpl", "templates/*.md.tmpl"))

// Text renders the digest as plain text, the email's first part and what
// `callboard digest` prints.
func Text(d *Digest) string {
	return execute("text", newTextView(d))
}
