package scaffold

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
)

// Markers find callboard's comments on a request: the status comment,
// edited in place (problems, progress, a failure), and the result.
const (
	Marker       = "<!-- callboard:scaffold -->"
	ResultMarker = "<!-- callboard:scaffold-result -->"
)

// ResultLabel is the label a request gets when its service exists.
const ResultLabel = "scaffolded"

// Refusal is what the status comment says when a request cannot run.
type Refusal struct {
	Template string // title, "" when the issue names none that exists
	Ref      string
	Problems []Problem
	// Templates lists the templates there are, when the issue named none.
	Templates []string
	// NotAllowed: the person asking may not; editing the issue cannot fix it.
	NotAllowed bool
}

// Comment renders the refusal.
func (r Refusal) Comment() string {
	return comment("refusal", r)
}

// Progress is what the status comment says while a request runs, and when it
// stopped.
type Progress struct {
	Template   string
	Repository string // org/name
	Owner      string
	Steps      []string // "id (action)", in order
	// Failed, when set, says the request stopped: at Step, because of Failed.
	Failed, Step string
	// Created says what exists already (the repository), when it failed.
	Created string
}

// Comment renders the progress.
func (p Progress) Comment() string {
	return comment("progress", p)
}

// Link is a link of the result comment.
type Link struct {
	Title, URL string
}

// Result is the comment posted when the service exists.
type Result struct {
	Repository    string // org/name
	RepositoryURL string
	Entity        string // ref of the service in the catalog, "" when none
	EntityURL     string
	Owner         string
	TeamAccess    string // e.g. "acme/payments has write access"; "" when none was given
	Links         []Link // the template's output links
	Template      string
	Author        string
}

// Comment renders the result.
func (r Result) Comment() string {
	return comment("result", r)
}

//go:embed templates/*.md.tmpl
var commentFiles embed.FS

// commentTemplates write the comments on a request. Template titles and field
// names are escaped here (md); refs, repository names and messages arrive
// as the service wrote them.
var commentTemplates = template.Must(template.New("scaffold").Funcs(template.FuncMap{
	"marker":       func() string { return Marker },
	"resultMarker": func() string { return ResultMarker },
	"md":           mdEscape,
	"plural":       plural,
	"join":         strings.Join,
	// sentence is an error as one line, without its full stop (the
	// template adds one).
	"sentence": func(s string) string { return strings.TrimSuffix(oneLine(s), ".") },
}).ParseFS(commentFiles, "templates/*.md.tmpl"))

// comment runs one of the comment templates. They are fixed and the tests run each;
// an error here is a bug, and is shown rather than hidden.
func comment(name string, data any) string {
	var b strings.Builder
	if err := commentTemplates.ExecuteTemplate(&b, name, data); err != nil {
		fmt.Fprintf(&b, "\n\n(callboard could not finish this comment: %v)\n", err)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
