package scaffold

import (
	"fmt"
	"strings"
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
	var b strings.Builder
	b.WriteString(Marker + "\n")
	n := len(r.Problems)
	fmt.Fprintf(&b, "### This request cannot run yet\n\n")
	if r.Template != "" {
		fmt.Fprintf(&b, "callboard read this issue as a request for **%s** (`%s`) and found %s:\n\n", mdEscape(r.Template), r.Ref, plural(n, "problem"))
	} else {
		fmt.Fprintf(&b, "callboard found %s:\n\n", plural(n, "problem"))
	}
	for _, p := range r.Problems {
		if p.Field != "" {
			fmt.Fprintf(&b, "- **%s**: %s\n", mdEscape(p.Field), p.Message)
		} else {
			fmt.Fprintf(&b, "- %s\n", p.Message)
		}
	}
	if len(r.Templates) > 0 {
		b.WriteString("\nTemplates in the catalog: ")
		for i, t := range r.Templates {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "`%s`", t)
		}
		b.WriteString(".\n")
	}
	if r.NotAllowed {
		b.WriteString("\nAsk one of them to open the request.\n")
		return b.String()
	}
	b.WriteString("\nNothing was created. Edit the issue to fix the answers, and callboard checks it again.\n")
	return b.String()
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
	var b strings.Builder
	b.WriteString(Marker + "\n")
	if p.Failed != "" {
		fmt.Fprintf(&b, "### Creating %s stopped\n\n", p.Repository)
		fmt.Fprintf(&b, "At step %s: %s.\n\n", p.Step, strings.TrimSuffix(oneLine(p.Failed), "."))
		if p.Created != "" {
			fmt.Fprintf(&b, "What was done stays: %s. ", p.Created)
		} else {
			b.WriteString("Nothing was created. ")
		}
		b.WriteString("Edit the issue to try again; callboard carries on from where it stopped.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "### Creating %s\n\n", p.Repository)
	fmt.Fprintf(&b, "callboard accepted this request for **%s** and is creating the repository **%s**, owned by `%s`. ", mdEscape(p.Template), p.Repository, p.Owner)
	b.WriteString("A comment follows when it is ready.\n\n")
	fmt.Fprintf(&b, "Steps: %s\n", strings.Join(p.Steps, " → "))
	return b.String()
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
	var b strings.Builder
	b.WriteString(ResultMarker + "\n")
	fmt.Fprintf(&b, "### %s is ready\n\n", r.Repository)
	fmt.Fprintf(&b, "- Repository: %s\n", r.RepositoryURL)
	switch {
	case r.Entity != "" && r.EntityURL != "":
		fmt.Fprintf(&b, "- In the catalog: [`%s`](%s)\n", r.Entity, r.EntityURL)
	case r.Entity != "":
		fmt.Fprintf(&b, "- In the catalog: `%s`\n", r.Entity)
	}
	fmt.Fprintf(&b, "- Owner: `%s`", r.Owner)
	if r.TeamAccess != "" {
		fmt.Fprintf(&b, " (%s)", r.TeamAccess)
	}
	b.WriteString("\n")
	for _, l := range r.Links {
		fmt.Fprintf(&b, "- [%s](%s)\n", mdEscape(l.Title), l.URL)
	}
	fmt.Fprintf(&b, "\nCreated from **%s**", mdEscape(r.Template))
	if r.Author != "" {
		fmt.Fprintf(&b, " for @%s", r.Author)
	}
	b.WriteString(". callboard closes this issue: the service is in the catalog.\n")
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
