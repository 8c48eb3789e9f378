package digest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text renders the digest as plain text, the email's first part and what
// `callboard digest` prints.
func Text(d *Digest) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	title := "callboard weekly digest · " + d.Week.String()
	if d.Scope != "" {
		title = "callboard digest for " + d.Scope + " · " + d.Week.String()
	}
	p("%s\n%s (%s)", title, dateRange(d.From, d.To), d.Zone)
	if d.Partial {
		p(", so far: the week is not over")
	}
	p("\n\n")

	p("USAGE\n")
	p("  %s\n", summary(d))
	if len(d.Plugins) > 0 {
		w := len("plugin")
		for _, pu := range d.Plugins {
			w = max(w, utf8.RuneCountInString(pu.ID))
		}
		p("\n  %-*s  %7s  %6s  %12s  %s\n", w, "plugin", "events", "people", "vs last week", "8 weeks")
		for _, pu := range d.Plugins {
			p("  %-*s  %7s  %6s  %12s  %s\n", w, pu.ID, num(pu.Events), num(pu.Users), pu.Change, sparkline(pu.Trend))
			if pu.Events == 0 {
				p("  %-*s  no usage yet this week\n", w, "")
			}
			p("  %-*s  %s\n", w, "", ownerLine(pu))
			if a := actionsLine(pu); a != "" {
				p("  %-*s  %s\n", w, "", a)
			}
		}
		p("  (8 weeks: %s to %s, one character a week)\n", d.Trend[0], d.Trend[len(d.Trend)-1])
	}

	if d.Scope == "" {
		textOrgSections(&b, d)
	}

	if d.URL != "" {
		p("\nRead it in a browser: %s\n", d.URL)
	}
	return b.String()
}

func textOrgSections(b *strings.Builder, d *Digest) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	c := d.Coverage
	p("\nCATALOG COVERAGE")
	if c.Since != nil {
		p(" (changes since %s)", c.Since)
	}
	p("\n")
	p("  %s", plural(c.Repositories, "repository", "repositories"))
	if c.Since != nil {
		p(" (%s)", signed(c.RepositoryDelta))
	}
	p(", %s", plural(c.Entities, "entity", "entities"))
	if c.Since != nil {
		p(" (%s)", signed(c.EntityDelta))
	}
	p("\n")
	for _, r := range c.Rows {
		p("  %-19s %9s  %6s", r.Label, fmt.Sprintf("%s of %s", num(r.Part), num(c.Repositories)), pct(r.Pct))
		if r.HasDelta {
			p("  %s", points(r.Delta))
		}
		p("\n")
	}
	if c.Invalid > 0 {
		p("  %s a catalog file that does not validate.\n", plural(c.Invalid, "repository has", "repositories have"))
	}
	if c.Since == nil {
		p("  (The first snapshot: changes show from next week.)\n")
	}
	if m := d.MissingURLs; m != nil {
		p("  Repositories without a catalog file: %s (CODEOWNERS only), %s (neither)\n", m.CodeownersOnly, m.Neither)
	}

	p("\nTHIS WEEK IN THE CATALOG\n")
	line := func(label string, names []string) {
		if len(names) == 0 {
			p("  %s: none\n", label)
			return
		}
		p("  %s (%s): %s\n", label, num(len(names)), list(names))
	}
	line("New entities", d.NewEntities)
	var sc []string
	for _, s := range d.Scaffolded {
		if s.Actor != "" {
			sc = append(sc, s.What+" by "+s.Actor)
		} else {
			sc = append(sc, s.What)
		}
	}
	line("Services scaffolded", sc)
	line("PR checks failing", d.ChecksFailing)
	line("PR checks fixed", d.ChecksFixed)
	if len(d.Unanswered) == 0 {
		p("  Questions /owner could not answer: none\n")
	} else {
		p("  Questions /owner could not answer (%s):\n", num(len(d.Unanswered)))
		for i, q := range d.Unanswered {
			if i == maxQuestions {
				p("    and %s more\n", num(len(d.Unanswered)-maxQuestions))
				break
			}
			p("    %q ×%d (%s)\n", truncate(q.Text, 80), q.Count, plural(q.Askers, "person", "people"))
		}
	}

	k := d.KPIs
	p("\nKPIS FROM MERGED PULL REQUESTS\n")
	p("  Merge rate: %s.\n", rateLine(k))
	p("  Time to 10th merged PR: %s.\n", tenthLine(k))
	if len(k.Newcomers) > 0 {
		p("    (engineers whose first merged PR is since %s)\n", day(k.NewcomersFrom))
		w := 0
		for _, n := range k.Newcomers {
			w = max(w, utf8.RuneCountInString(n.Login))
		}
		for _, n := range k.Newcomers {
			p("    %-*s  first %s  %s\n", w, n.Login, day(n.First), newcomerLine(n))
		}
		if k.MoreNewcomers > 0 {
			p("    and %s more\n", num(k.MoreNewcomers))
		}
	}
}
