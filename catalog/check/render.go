package check

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/callboard/callboard/catalog"
)

// Marker finds callboard's comment on a pull request: one per pull request,
// edited in place.
const Marker = "<!-- callboard:pr-check -->"

// CheckRunName is the check run's name.
const CheckRunName = "callboard/ownership"

// MaxComment keeps a comment under GitHub's 65,536-character limit, with
// room for the note that says it was cut.
const MaxComment = 65000

// MaxAnnotations bounds the annotations of one check run: the rest of a
// file with thousands of problems is fixed the same way, and each 50 more
// cost an API call.
const MaxAnnotations = 500

// How many findings the comment and the summary list; the check run's
// annotations carry the rest.
const (
	commentRows = 10
	summaryRows = 100
	// maxCell bounds one message in a table: a problem may quote a
	// megabyte-long value from the file.
	maxCell = 300
)

var icon = map[Severity]string{Error: "❌", Warning: "⚠️", Notice: "ℹ️"}

//go:embed templates/*.md.tmpl
var templateFiles embed.FS

// templates write what a person reads: the comment, the check run's
// summary and title. Values reach them already written as markdown.
var templates = template.Must(template.New("check").Funcs(template.FuncMap{"plural": plural}).
	ParseFS(templateFiles, "templates/*.md.tmpl"))

// render runs one of the templates. They are fixed and the tests run each;
// an error here is a bug, and is shown rather than hidden.
func render(name string, data any) string {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		fmt.Fprintf(&b, "\n\n(callboard could not finish this text: %v)\n", err)
	}
	return b.String()
}

// Title is the one-line verdict, the most important finding first: the
// check run's title and the comment's heading.
func (r *Report) Title() string {
	v := struct {
		First string
		More  int
	}{}
	if len(r.Findings) > 0 {
		v.First, v.More = shorten(r.Findings[0].Message, 140), len(r.Findings)-1
	}
	return render("title", v)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// view is what the comment and summary templates read. Every string in it
// that came from a file is markdown already: code spans, escaped prose.
type view struct {
	Marker         string
	Passed         bool
	Icon           string
	Headline       string
	Changes        changesView
	Rows           []row
	More           int    // findings not in the table
	Link           string // a markdown link to the check run, or ""
	Annotated      bool   // the check run marks lines
	Capped         bool   // more findings than annotations
	MaxAnnotations int
	CatalogPath    string // a code span
	Suggested      string // a catalog file, YAML
	Pages          string // markdown links to the web view's pages, or ""
}

type changesView struct {
	Items []changeItem
	More  int
}

type changeItem struct{ Kind, Ref, From, To string }

// row is one finding in the table, each cell markdown.
type row struct{ Icon, Check, Where, What string }

func (r *Report) view(rows int) view {
	v := view{
		Marker:         Marker,
		Passed:         r.Conclusion == Success,
		Icon:           verdictIcon(r.Conclusion),
		Changes:        r.changes(rows),
		More:           max(len(r.Findings)-rows, 0),
		Capped:         len(r.Findings) > MaxAnnotations,
		MaxAnnotations: MaxAnnotations,
		CatalogPath:    codeSpan(r.catalogPath),
		Suggested:      r.Suggested,
	}
	if !v.Passed {
		v.Headline = r.headline()
	}
	for _, f := range r.Findings[:min(rows, len(r.Findings))] {
		where := f.File
		if f.Line > 0 {
			where = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if where != "" {
			where = mdCell(codeSpan(where))
		}
		v.Rows = append(v.Rows, row{icon[f.Severity], f.Check, where, mdCell(markdown(shorten(f.Message, maxCell)))})
	}
	return v
}

// Comment is the pull request comment, its marker first. (A pull request
// where everything passes gets no comment unless one is there to update:
// that is the caller's to decide.)
func (r *Report) Comment(checksURL string) string {
	v := r.view(commentRows)
	if v.Passed {
		v.Rows, v.More = nil, 0
	}
	if checksURL != "" {
		v.Link = fmt.Sprintf("[%s](%s)", CheckRunName, checksURL)
	}
	v.Annotated = len(r.Annotations()) > 0
	v.Pages = r.pagesLine()
	return cut(render("comment", v), MaxComment)
}

// headline says how many problems there are and what they mean for merging.
func (r *Report) headline() string {
	return render("headline", struct {
		Errors, Warnings int
		Strict           bool
	}{r.Errors(), r.Warnings(), r.Conclusion == Failure})
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func verdictIcon(conclusion string) string {
	if conclusion == Failure {
		return "❌"
	}
	return "⚠️"
}

// changes are the first max changes (ownership moves come first), each
// value from a file a code span.
func (r *Report) changes(n int) changesView {
	var v changesView
	for _, c := range r.Changes[:min(n, len(r.Changes))] {
		v.Items = append(v.Items, changeItem{Kind: c.Kind, Ref: codeSpan(c.Ref), From: valueOrNone(c.From), To: valueOrNone(c.To)})
	}
	v.More = max(len(r.Changes)-n, 0)
	return v
}

// maxPages bounds the entity pages a comment links.
const maxPages = 5

// pagesLine links the entities the catalog holds for the repository to
// their pages in the web view, when the check knows callboard's address; ""
// otherwise. Refs come from the catalog (validated names), not from the pull
// request's files.
func (r *Report) pagesLine() string {
	if r.baseURL == "" || len(r.pages) == 0 {
		return ""
	}
	var links []string
	for _, ref := range r.pages[:min(maxPages, len(r.pages))] {
		rf, err := catalog.ParseRef(ref, catalog.RefDefaults{})
		if err != nil {
			continue
		}
		links = append(links, fmt.Sprintf("[`%s`](%s%s)", ref, r.baseURL, catalog.PagePath(rf)))
	}
	if len(links) == 0 {
		return ""
	}
	line := "In callboard today: " + strings.Join(links, ", ")
	if n := len(r.pages) - maxPages; n > 0 {
		line += fmt.Sprintf(" and %d more", n)
	}
	return line + "."
}

// valueOrNone shows a value from a file as code, or says there is none.
func valueOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return codeSpan(shorten(s, 100))
}

// mdCell keeps markdown inside its table cell (GitHub reads \| as a pipe
// even inside a code span).
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", " ")
}

// shorten cuts s to at most n characters, marking the cut.
func shorten(s string, n int) string {
	count := 0
	for i := range s {
		if count == n-1 {
			if _, size := utf8.DecodeRuneInString(s[i:]); i+size < len(s) {
				return s[:i] + "…"
			}
			return s
		}
		count++
	}
	return s
}

// Summary is the check run's markdown summary.
func (r *Report) Summary() string {
	v := r.view(summaryRows)
	v.Headline = capitalize(v.Headline)
	return cut(strings.TrimRight(render("summary", v), "\n")+"\n", MaxComment)
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const note = "\n\n… cut here: the rest is in the check run's annotations.\n"
	s = s[:n-len(note)]
	// do not split a UTF-8 sequence
	for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] >= 0xC0 {
		s = s[:len(s)-1]
	}
	return s + note
}

// Annotation is a check-run annotation on a line.
type Annotation struct {
	Path    string
	Line    int
	Level   string // notice, warning, failure
	Title   string
	Message string
}

// Annotations are the findings that point at a line of a file, for the
// check run (a missing file has no line to point at), at most
// MaxAnnotations of them, the most severe first.
func (r *Report) Annotations() []Annotation {
	var out []Annotation
	for _, f := range r.Findings {
		if f.File == "" || f.Line == 0 {
			continue
		}
		level := "warning"
		switch f.Severity {
		case Error:
			level = "failure"
		case Notice:
			level = "notice"
		}
		line := f.Line
		title := f.Check
		if f.Field != "" {
			title += ": " + f.Field
		}
		out = append(out, Annotation{Path: f.File, Line: line, Level: level, Title: shorten(title, 255), Message: shorten(f.Message, 4000)})
		if len(out) == MaxAnnotations {
			break
		}
	}
	return out
}
