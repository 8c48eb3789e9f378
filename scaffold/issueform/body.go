package issueform

import (
	"regexp"
	"slices"
	"strings"
)

// NoResponse is what GitHub writes for an optional field left empty.
const NoResponse = "_No response_"

// Section is a "### Heading" of an issue body and the text under it.
type Section struct {
	Heading string
	Text    string // trimmed of blank lines around it
	// lines of the body the section spans: its heading, and its end (exclusive)
	start, end int
}

// Sections splits an issue body the way GitHub renders a form submission:
// each answer is a "### Label" line, a blank line and the value. A "###"
// line inside a fenced code block is part of the value. Text before the
// first heading is not a section.
func Sections(body string) []Section {
	lines := splitLines(body)
	var out []Section
	fence := ""
	for i, l := range lines {
		if fence != "" {
			if closesFence(l, fence) {
				fence = ""
			}
			continue
		}
		if f := opensFence(l); f != "" {
			fence = f
			continue
		}
		if h, ok := heading(l); ok {
			if n := len(out); n > 0 {
				out[n-1].end = i
			}
			out = append(out, Section{Heading: h, start: i, end: len(lines)})
		}
	}
	for i := range out {
		out[i].Text = joinTrimmed(lines[out[i].start+1 : out[i].end])
	}
	return out
}

func splitLines(body string) []string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	return strings.Split(body, "\n")
}

// heading reads a level-3 ATX heading: "### text" (up to three spaces of
// indentation; closing hashes dropped). "###" alone is an empty heading.
func heading(l string) (string, bool) {
	t := strings.TrimLeft(l, " ")
	if len(l)-len(t) > 3 || !strings.HasPrefix(t, "###") {
		return "", false
	}
	rest := t[3:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false // "####" or "###text"
	}
	rest = strings.TrimSpace(rest)
	if trimmed := strings.TrimRight(rest, "#"); trimmed != rest && (trimmed == "" || strings.HasSuffix(trimmed, " ")) {
		rest = strings.TrimSpace(trimmed)
	}
	return rest, true
}

func opensFence(l string) string {
	t := strings.TrimLeft(l, " ")
	if len(l)-len(t) > 3 {
		return ""
	}
	for _, c := range []string{"`", "~"} {
		n := len(t) - len(strings.TrimLeft(t, c))
		if n >= 3 {
			if c == "`" && strings.Contains(t[n:], "`") {
				return "" // an info string may not hold a backtick
			}
			return strings.Repeat(c, n)
		}
	}
	return ""
}

func closesFence(l, fence string) bool {
	t := strings.TrimLeft(l, " ")
	if len(l)-len(t) > 3 || !strings.HasPrefix(t, fence) {
		return false
	}
	return strings.TrimSpace(strings.TrimLeft(t, fence[:1])) == ""
}

// joinTrimmed joins lines, dropping blank lines at either end and trailing
// spaces.
func joinTrimmed(lines []string) string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(out, "\n")
}

// Answer is what an issue says for one field.
type Answer struct {
	// Text is the value as written: the input or textarea text, or the
	// dropdown's selection; "" when the field was left empty.
	Text string
	// Selected are the dropdown options chosen or the boxes ticked;
	// Unselected the boxes left clear.
	Selected, Unselected []string
	// Empty reports a field answered with nothing (_No response_, None, or
	// no text at all).
	Empty bool
}

// Submission is an issue body read against a form.
type Submission struct {
	Answers map[string]*Answer // by field id; fields the body lacks are absent
	// Extra are sections whose heading names no field of the form (or that
	// follow a field that cannot hold them); they are not answers.
	Extra []Section
}

// ParseIssue reads an issue body against the form's fields. A heading counts
// as the start of an answer when it is the label of a field that comes later
// in the form than the one being read; any other "###" line inside a textarea
// answer is part of it (people paste Markdown), and elsewhere it starts an
// extra section.
func ParseIssue(body string, fields []Field) *Submission {
	lines := splitLines(body)
	sub := &Submission{Answers: map[string]*Answer{}}
	pos := func(h string) int {
		for i, f := range fields {
			if f.Label == h {
				return i
			}
		}
		for i, f := range fields {
			if normLabel(f.Label) == normLabel(h) {
				return i
			}
		}
		return -1
	}
	cur, last := -1, -1 // the field being read (-1: none), and the last one read
	var from, upto int  // the lines of its value
	flush := func() {
		if cur >= 0 {
			f := fields[cur]
			sub.Answers[f.ID] = answer(f, joinTrimmed(lines[from:upto]))
		}
		cur = -1
	}
	for _, s := range Sections(body) {
		i := pos(s.Heading)
		switch {
		case i > last:
			flush()
			cur, last, from, upto = i, i, s.start+1, s.end
		case cur >= 0 && fields[cur].Kind == KindTextarea:
			upto = s.end
		default:
			flush()
			sub.Extra = append(sub.Extra, s)
		}
	}
	flush()
	return sub
}

// TemplateAnswer is what an issue body says in its Template field: the
// template to run; "" when the field is missing or left empty.
func TemplateAnswer(body string) string {
	for _, sec := range Sections(body) {
		if normLabel(sec.Heading) == TemplateFieldID {
			if named := strings.TrimSpace(sec.Text); named != NoResponse {
				return named
			}
			return ""
		}
	}
	return ""
}

func normLabel(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func answer(f Field, text string) *Answer {
	a := &Answer{Text: text}
	switch f.Kind {
	case KindCheckboxes:
		a.Selected, a.Unselected = checkboxes(text, f.Options)
		a.Text = ""
		a.Empty = len(a.Selected) == 0
		return a
	case KindDropdown:
		if text == "" || text == NoResponse || text == "None" && !slices.Contains(f.Options, "None") {
			a.Text, a.Empty = "", true
			return a
		}
		a.Selected = dropdownSelection(text, f.Options, f.Multiple)
		return a
	case KindTextarea:
		if text == NoResponse {
			a.Text, a.Empty = "", true
			return a
		}
		if f.Render != "" {
			text = unfence(text)
		}
		a.Text = text
	default:
		if text == NoResponse {
			a.Text, a.Empty = "", true
			return a
		}
	}
	a.Empty = a.Text == ""
	return a
}

var reTask = regexp.MustCompile(`^\s*[-*+] \[([ xX]?)\]\s?(.*)$`)

// checkboxes reads a task list: "- [x] label" ticked ("[X]" too), "- [ ]"
// or "- []" clear. Labels the form does not list are kept as written.
func checkboxes(text string, options []string) (selected, unselected []string) {
	selected, unselected = []string{}, []string{}
	for _, l := range strings.Split(text, "\n") {
		m := reTask.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		label := strings.TrimSpace(m[2])
		if strings.EqualFold(m[1], "x") {
			selected = append(selected, label)
		} else {
			unselected = append(unselected, label)
		}
	}
	return selected, unselected
}

// IsTaskList reports whether text is nothing but a task list.
func IsTaskList(text string) bool {
	if strings.TrimSpace(text) == "" {
		return false
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) != "" && !reTask.MatchString(l) {
			return false
		}
	}
	return true
}

// dropdownSelection reads a dropdown's answer. GitHub joins a multiple
// selection with ", "; an option that itself holds ", " is matched whole.
func dropdownSelection(text string, options []string, multiple bool) []string {
	if !multiple || slices.Contains(options, text) {
		return []string{text}
	}
	parts := strings.Split(text, ", ")
	var out []string
	for i := 0; i < len(parts); {
		// The longest run of parts that is an option, else the one part.
		n := 1
		for j := len(parts); j > i+1; j-- {
			if slices.Contains(options, strings.Join(parts[i:j], ", ")) {
				n = j - i
				break
			}
		}
		out = append(out, strings.Join(parts[i:i+n], ", "))
		i += n
	}
	return out
}

// unfence drops the code fence GitHub puts around a textarea with render:.
func unfence(text string) string {
	lines := strings.Split(text, "\n")
	if len(lines) < 2 {
		return text
	}
	f := opensFence(lines[0])
	if f == "" || !closesFence(lines[len(lines)-1], f) {
		return text
	}
	return strings.Join(lines[1:len(lines)-1], "\n")
}
