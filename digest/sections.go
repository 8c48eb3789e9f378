package digest

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// The digest's sections other than plugin usage: coverage, pull-request
// checks and the questions /owner could not answer.

func coverageReport(c catalog.Coverage, prev *Snapshot) CoverageReport {
	r := CoverageReport{Repositories: c.Repositories, Entities: c.Entities, Invalid: c.Invalid}
	row := func(label string, part int, prevPart, prevWhole int) CoverageRow {
		cr := CoverageRow{Label: label, Part: part, Pct: catalog.Percent(part, c.Repositories)}
		if prev != nil {
			cr.HasDelta = true
			cr.Delta = round1(cr.Pct) - round1(catalog.Percent(prevPart, prevWhole))
		}
		return cr
	}
	var p catalog.Coverage
	if prev != nil {
		p = prev.Coverage
		w := prev.Week
		r.Since = &w
		r.RepositoryDelta = c.Repositories - p.Repositories
		r.EntityDelta = c.Entities - p.Entities
	}
	r.Rows = []CoverageRow{
		row("valid catalog file", c.Registered, p.Registered, p.Repositories),
		row("owner resolves", c.Owned, p.Owned, p.Repositories),
		row("documented", c.Documented, p.Documented, p.Repositories),
	}
	return r
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// prChecks reads the pull-request check events: a repository is failing when
// its latest check of the week failed, fixed when its latest check passed
// (success, or neutral: warnings only) after a failure earlier this week or
// as last week's final word.
func prChecks(prev, cur []catalog.UsageEvent) (failing, fixed []string) {
	last := map[string]string{}
	failedBefore := map[string]bool{}
	for _, e := range prev {
		if e.Plugin == catalog.PluginPRCheck && e.Entity != "" {
			last[strings.ToLower(e.Entity)] = e.Outcome
		}
	}
	for repo, o := range last {
		if o == catalog.OutcomeFailure {
			failedBefore[repo] = true
		}
	}
	names := map[string]string{}
	latest := map[string]string{}
	for _, e := range cur { // oldest first
		if e.Entity == "" {
			continue
		}
		k := strings.ToLower(e.Entity)
		names[k] = e.Entity
		if latest[k] == catalog.OutcomeFailure {
			failedBefore[k] = true
		}
		latest[k] = e.Outcome
	}
	for k, o := range latest {
		switch {
		case o == catalog.OutcomeFailure:
			failing = append(failing, names[k])
		case failedBefore[k] && (o == catalog.OutcomeSuccess || o == "neutral"):
			fixed = append(fixed, names[k])
		}
	}
	slices.Sort(failing)
	slices.Sort(fixed)
	return failing, fixed
}

func unanswered(evs []catalog.UsageEvent) []Question {
	type agg struct {
		text   string
		count  int
		askers map[string]bool
	}
	by := map[string]*agg{}
	for _, e := range evs {
		if e.Outcome != catalog.OutcomeUnanswered {
			continue
		}
		text := strings.Join(strings.Fields(e.Detail), " ")
		if text == "" {
			continue
		}
		k := strings.ToLower(text)
		a := by[k]
		if a == nil {
			a = &agg{text: text, askers: map[string]bool{}}
			by[k] = a
		}
		a.count++
		if e.Actor != "" {
			a.askers[strings.ToLower(e.Actor)] = true
		}
	}
	out := make([]Question, 0, len(by))
	for _, a := range by {
		out = append(out, Question{Text: a.text, Count: a.count, Askers: len(a.askers)})
	}
	slices.SortFunc(out, func(a, b Question) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(strings.ToLower(a.Text), strings.ToLower(b.Text)))
	})
	return out
}
