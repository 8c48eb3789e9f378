package check

import (
	"fmt"
	"strings"

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

// suggestFile writes a catalog file a person can paste: the repository's
// name and description, and the owner CODEOWNERS gives the root.
func suggestFile(in Input) string {
	name := in.Repository
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToLower(name)
	owner := "TODO-your-team"
	if in.Codeowners != nil {
		if co, err := catalog.ParseCodeowners(in.Codeowners.Content); err == nil {
			if rule, ok := co.Match(in.CatalogPath); ok {
				for _, o := range rule.Owners {
					if slug := catalog.TeamSlug(o); slug != "" {
						_, team, _ := strings.Cut(slug, "/")
						owner = "group:" + strings.ToLower(team)
						break
					}
					if login := catalog.UserLogin(o); login != "" {
						owner = "user:" + strings.ToLower(login)
						break
					}
				}
			}
		}
	}
	desc := strings.TrimSpace(in.Description)
	if desc == "" {
		desc = "TODO: one line on what " + name + " does"
	}
	return fmt.Sprintf(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: %s
  description: %s
  annotations:
    github.com/project-slug: %s
spec:
  type: service
  lifecycle: production
  owner: %s
`, name, yamlScalar(desc), in.Repository, owner)
}

// yamlScalar quotes a value when YAML would read it as something else.
func yamlScalar(s string) string {
	if strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`") || strings.TrimSpace(s) != s {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return s
}

var icon = map[Severity]string{Error: "❌", Warning: "⚠️", Notice: "ℹ️"}

// Title is the one-line verdict, the most important finding first: the
// check run's title and the comment's heading.
func (r *Report) Title() string {
	if len(r.Findings) == 0 {
		return "Ownership and docs check passed"
	}
	t := r.Findings[0].Message
	if len(t) > 140 {
		t = t[:137] + "…"
	}
	if n := len(r.Findings) - 1; n > 0 {
		t += fmt.Sprintf(" (and %d more)", n)
	}
	return t
}

// Counts says how many errors and warnings there are.
func (r *Report) Counts() string {
	switch {
	case r.Errors() > 0 && r.Warnings() > 0:
		return fmt.Sprintf("%s and %s", plural(r.Errors(), "error"), plural(r.Warnings(), "warning"))
	case r.Errors() > 0:
		return plural(r.Errors(), "error")
	case r.Warnings() > 0:
		return plural(r.Warnings(), "warning")
	}
	return "no problems"
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
		b.WriteString("The catalog file is valid, every owner exists, CODEOWNERS agrees with the catalog, and there are docs.\n\n")
		r.writeChanges(&b)
		return b.String()
	}
	fmt.Fprintf(&b, "### %s callboard: %s\n\n", verdictIcon(r.Conclusion), r.Title())
	r.writeChanges(&b)
	fmt.Fprintf(&b, "**%s**\n\n", capitalize(r.Counts()))
	b.WriteString(r.findingsTable())
	if r.Suggested != "" {
		b.WriteString("\n<details><summary>A catalog-info.yaml to start from</summary>\n\n")
		b.WriteString("Add this file at the repository root; check the owner and the type. It puts the repository in the catalog, so `/owner` and the catalog API can answer for it.\n\n```yaml\n")
		b.WriteString(r.Suggested)
		b.WriteString("```\n\n</details>\n")
	}
	if checksURL != "" {
		fmt.Fprintf(&b, "\nDetails, with each problem on its line: [%s](%s).\n", CheckRunName, checksURL)
	}
	return cut(b.String(), MaxComment)
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

func (r *Report) writeChanges(b *strings.Builder) {
	if len(r.Changes) == 0 {
		return
	}
	b.WriteString("**What this pull request changes in the catalog**\n\n")
	for _, c := range r.Changes {
		switch c.Kind {
		case "owner":
			fmt.Fprintf(b, "- `%s` owner: %s → **%s**\n", c.Ref, orNone(c.From), orNone(c.To))
		case "lifecycle":
			fmt.Fprintf(b, "- `%s` lifecycle: %s → %s\n", c.Ref, orNone(c.From), orNone(c.To))
		case "added":
			fmt.Fprintf(b, "- `%s` added\n", c.Ref)
		case "removed":
			fmt.Fprintf(b, "- `%s` removed\n", c.Ref)
		}
	}
	b.WriteString("\n")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func (r *Report) findingsTable() string {
	if len(r.Findings) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("| | check | where | what |\n|---|---|---|---|\n")
	for _, f := range r.Findings {
		where := f.File
		if f.Line > 0 {
			where = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if where != "" {
			where = "`" + where + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", icon[f.Severity], f.Check, where, mdCell(f.Message))
	}
	return b.String()
}

// mdCell keeps a message inside its table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", " ")
}

// Summary is the check run's markdown summary.
func (r *Report) Summary() string {
	var b strings.Builder
	switch r.Conclusion {
	case Success:
		b.WriteString("The catalog file is valid, every owner exists, CODEOWNERS agrees with the catalog, and there are docs.\n")
	case Neutral:
		b.WriteString("Nothing blocks this pull request, but the catalog is missing something. Fixing it takes a minute:\n\n")
	case Failure:
		b.WriteString("This pull request would break the catalog. Fix these before merging:\n\n")
	}
	r.writeChanges(&b)
	b.WriteString(r.findingsTable())
	if r.Suggested != "" {
		b.WriteString("\nA catalog-info.yaml to start from:\n\n```yaml\n" + r.Suggested + "```\n")
	}
	return cut(b.String(), 65000)
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
// check run (a missing file has no line to point at).
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
		out = append(out, Annotation{Path: f.File, Line: line, Level: level, Title: title, Message: f.Message})
	}
	return out
}
