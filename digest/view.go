package digest

import (
	"strings"
	"unicode/utf8"
)

// view is what every rendering of a digest reads: the digest, and what the
// templates would otherwise work out each for themselves.
type view struct {
	*Digest
	Title              string // "callboard weekly digest", or "callboard digest for SCOPE"
	Dates              string
	Summary            string
	TrendFrom, TrendTo string
	Scaffolded         []string   // what was scaffolded, and by whom
	Questions          []Question // the first maxQuestions unanswered
	MoreQs             int        // and how many more
}

func newView(d *Digest) view {
	v := view{Digest: d, Title: "callboard weekly digest", Dates: dateRange(d.From, d.To), Summary: summary(d)}
	if d.Scope != "" {
		v.Title = "callboard digest for " + d.Scope
	}
	if len(d.Trend) > 0 {
		v.TrendFrom, v.TrendTo = d.Trend[0].String(), d.Trend[len(d.Trend)-1].String()
	}
	for _, s := range d.Scaffolded {
		if s.Actor != "" {
			v.Scaffolded = append(v.Scaffolded, s.What+" by "+s.Actor)
		} else {
			v.Scaffolded = append(v.Scaffolded, s.What)
		}
	}
	v.Questions = d.Unanswered
	if len(v.Questions) > maxQuestions {
		v.MoreQs = len(v.Questions) - maxQuestions
		v.Questions = v.Questions[:maxQuestions]
	}
	return v
}

// textView is what the plain-text template reads besides the view: its
// column widths and the catalog's lists.
type textView struct {
	view
	IDWidth    int // of the plugin column
	LoginWidth int // of the newcomers' logins
	Lists      []namedList
}

// namedList is a line of "THIS WEEK IN THE CATALOG".
type namedList struct {
	Label string
	Names []string
}

func newTextView(d *Digest) textView {
	v := textView{view: newView(d), IDWidth: len("plugin")}
	for _, p := range d.Plugins {
		v.IDWidth = max(v.IDWidth, utf8.RuneCountInString(p.ID))
	}
	for _, n := range d.KPIs.Newcomers {
		v.LoginWidth = max(v.LoginWidth, utf8.RuneCountInString(n.Login))
	}
	v.Lists = []namedList{
		{"New entities", d.NewEntities},
		{"Services scaffolded", v.Scaffolded},
		{"PR checks failing", d.ChecksFailing},
		{"PR checks fixed", d.ChecksFixed},
	}
	return v
}

// execute runs one of the text templates. They are fixed and the tests run
// each; an error here is a bug, and is shown rather than hidden.
func execute(name string, data any) string {
	var b strings.Builder
	if err := textTemplates.ExecuteTemplate(&b, name, data); err != nil {
		b.WriteString("\n\n(callboard could not finish this digest: " + err.Error() + ")\n")
	}
	return b.String()
}
