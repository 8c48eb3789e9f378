package check

import (
	"fmt"
	"strings"
	"unicode/utf8"
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

// Title is the one-line verdict, the most important finding first: the
// check run's title and the comment's heading.
func (r *Report) Title() string {
	if len(r.Findings) == 0 {
		return "Ownership and docs check passed"
	}
	t := shorten(r.Findings[0].Message, 140)
	if n := len(r.Findings) - 1; n > 0 {
		t += fmt.Sprintf(" (and %d more)", n)
	}
	return t
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Comment is the pull request comment, its marker first. (A pull request
// where everything passes gets no comment unless one is there to update:
// that is the caller's to decide.)
func (r *Report) Comment(checksURL string) string {
	var b strings.Builder
	b.WriteString(Marker + "\n")
	if r.Conclusion == Success {
		b.WriteString("### ✅ callboard: ownership and docs check passed\n\n")
		b.WriteString(passed + "\n\n")
		r.writeChanges(&b, commentRows)
		return cut(b.String(), MaxComment)
	}
	fmt.Fprintf(&b, "### %s callboard: %s\n\n", verdictIcon(r.Conclusion), r.headline())
	r.writeChanges(&b, commentRows)
	b.WriteString(r.findingsTable(commentRows))
	link := ""
	if checksURL != "" {
		link = fmt.Sprintf("[%s](%s)", CheckRunName, checksURL)
	}
	if n := len(r.Findings) - commentRows; n > 0 {
		fmt.Fprintf(&b, "\n…and %d more", n)
		if link != "" {
			b.WriteString(", each on its line in " + link)
		}
		b.WriteString(".\n")
	} else if link != "" && len(r.Annotations()) > 0 {
		b.WriteString("\nLines are marked in " + link + ".\n")
	}
	if r.Suggested != "" {
		fmt.Fprintf(&b, "\nAdd this as `%s` to put the repository in the catalog, so `/owner` and the catalog API can answer for it (check the owner and the type):\n\n```yaml\n", r.catalogPath)
		b.WriteString(r.Suggested)
		b.WriteString("```\n")
	}
	return cut(b.String(), MaxComment)
}

const passed = "The catalog file is valid, every owner exists, CODEOWNERS agrees with the catalog, and there are docs."

// headline says how many problems there are and what they mean for merging.
func (r *Report) headline() string {
	errs, warns := r.Errors(), r.Warnings()
	switch {
	case errs > 0 && warns > 0:
		return fmt.Sprintf("%s to fix before merging, and %s", plural(errs, "error"), plural(warns, "warning"))
	case errs > 0:
		return plural(errs, "error") + " to fix before merging"
	case r.Conclusion == Failure:
		return plural(warns, "warning") + " to fix before merging (this organisation's checks are strict)"
	}
	return plural(warns, "warning") + "; nothing blocks merging"
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

// writeChanges lists the first max changes, ownership moves first.
func (r *Report) writeChanges(b *strings.Builder, max int) {
	if len(r.Changes) == 0 {
		return
	}
	b.WriteString("**What this pull request changes in the catalog**\n\n")
	for _, c := range r.Changes[:min(max, len(r.Changes))] {
		from, to := valueOrNone(c.From), valueOrNone(c.To)
		ref := codeSpan(c.Ref)
		switch c.Kind {
		case "owner":
			fmt.Fprintf(b, "- %s owner: %s → %s\n", ref, from, to)
		case "lifecycle":
			fmt.Fprintf(b, "- %s lifecycle: %s → %s\n", ref, from, to)
		case "added":
			fmt.Fprintf(b, "- %s added\n", ref)
		case "removed":
			fmt.Fprintf(b, "- %s removed\n", ref)
		}
	}
	if n := len(r.Changes) - max; n > 0 {
		fmt.Fprintf(b, "- …and %d more\n", n)
	}
	b.WriteString("\n")
}

// valueOrNone shows a value from a file as code, or says there is none.
func valueOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return codeSpan(shorten(s, 100))
}

// findingsTable lists the first max findings, most severe first.
func (r *Report) findingsTable(max int) string {
	if len(r.Findings) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("| | check | where | what |\n|---|---|---|---|\n")
	for _, f := range r.Findings[:min(max, len(r.Findings))] {
		where := f.File
		if f.Line > 0 {
			where = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if where != "" {
			where = mdCell(codeSpan(where))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", icon[f.Severity], f.Check, where, mdCell(markdown(shorten(f.Message, maxCell))))
	}
	return b.String()
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
	var b strings.Builder
	if r.Conclusion == Success {
		b.WriteString(passed + "\n\n")
	} else {
		b.WriteString(capitalize(r.headline()) + ".\n\n")
	}
	r.writeChanges(&b, summaryRows)
	b.WriteString(r.findingsTable(summaryRows))
	if n := len(r.Findings) - summaryRows; n > 0 {
		fmt.Fprintf(&b, "\n…and %d more.", n)
		if len(r.Findings) > MaxAnnotations {
			fmt.Fprintf(&b, " The first %d are marked on their lines.", MaxAnnotations)
		} else {
			b.WriteString(" Each is marked on its line.")
		}
		b.WriteString("\n")
	}
	if r.Suggested != "" {
		fmt.Fprintf(&b, "\nA `%s` to start from:\n\n```yaml\n%s```\n", r.catalogPath, r.Suggested)
	}
	return cut(strings.TrimRight(b.String(), "\n")+"\n", MaxComment)
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
