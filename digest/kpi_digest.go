package digest

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/callboard/callboard/digest/kpi"
)

// Adoption is the KPI part of a digest: every KPI over the trend's weeks,
// and what moved most since last week.
type Adoption struct {
	Weeks  []Week // the trend's weeks, oldest first; the last is the digest's
	Series []kpi.Series
	// Changes are the largest movements since last week (at most three),
	// in words.
	Changes []string
}

// AdoptionRow is one KPI as the digest shows it.
type AdoptionRow struct {
	Key, Name   string
	This, Last  string // the figures in words ("4 hours (p90 23)", "not enough data")
	Footnote    int    // its number among the footnotes
	Definition  string
	Window      string
	Basis       string // what this week's figure is built on
	Parts       string // its breakdown, when it has one
	ChartCID    string // the chart's Content-ID in the email
	ChartLabel  string // the chart in words, for screen readers and mail without images
	HasValue    bool
	ChangeClass string // up, down or flat: better, worse, unchanged
}

// maxChanges is how many movements the summary names.
const maxChanges = 3

// NewAdoption shapes the series of week w (kpi.TrendWeeks of them, ending
// with w) for the digest.
func NewAdoption(w Week, series []kpi.Series) *Adoption {
	a := &Adoption{Series: series}
	for i := kpi.TrendWeeks - 1; i >= 0; i-- {
		a.Weeks = append(a.Weeks, w.Add(-i))
	}
	a.Changes = movements(series, maxChanges)
	return a
}

// adoption computes the digest's KPIs; nil when they are not configured.
func (s *Service) adoption(ctx context.Context, w Week) (*Adoption, error) {
	if s.cfg.KPIs == nil {
		return nil, nil
	}
	series, err := ComputeKPIs(ctx, *s.cfg.KPIs, w.End(s.cfg.Location))
	if err != nil {
		return nil, err
	}
	return NewAdoption(w, series), nil
}

// Rows are the KPIs as the digest's table shows them, footnoted in order.
func (a *Adoption) Rows() []AdoptionRow {
	var rows []AdoptionRow
	for i, s := range a.Series {
		this, last := s.This(), s.Last()
		r := AdoptionRow{
			Key: s.Key, Name: s.Name, This: figureText(s.Def, this), Last: figureText(s.Def, last),
			Footnote: i + 1, Definition: s.Definition, Window: s.Window, Basis: basis(s.Def, this),
			Parts: partsText(s.Def, this.Parts), ChartCID: chartCID(s.Key), ChartLabel: chartLabel(s, a.Weeks),
			HasValue: this.Enough(), ChangeClass: "flat",
		}
		if this.Enough() && last.Enough() && *this.Value != *last.Value {
			up := *this.Value > *last.Value
			if up == (s.Better == "up") {
				r.ChangeClass = "up"
			} else {
				r.ChangeClass = "down"
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// chartCID is the Content-ID of a KPI's chart in the email.
func chartCID(key string) string { return "kpi-" + key + ".png" }

// Charts draws each KPI's trend as a PNG, by Content-ID, for the email.
func (a *Adoption) Charts() ([]Inline, error) {
	var out []Inline
	for _, s := range a.Series {
		png, err := ChartPNG(s, a.Weeks)
		if err != nil {
			return nil, err
		}
		out = append(out, Inline{CID: chartCID(s.Key), PNG: png})
	}
	return out, nil
}

// Inline is an image the email shows by Content-ID.
type Inline struct {
	CID string
	PNG []byte
}

// number prints a figure: whole numbers without decimals, others with up to two.
func number(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

func withUnit(d kpi.Def, v float64) string {
	switch d.Unit {
	case "%":
		return number(v) + " %"
	case "of 10":
		return number(v) + " of 10"
	case "per week":
		return number(v) + " a week"
	case "people", "plugins":
		if v == 1 {
			return "1 " + map[string]string{"people": "person", "plugins": "plugin"}[d.Unit]
		}
	}
	return number(v) + " " + d.Unit
}

// figureText is a figure in words: "4 hours (p90 23)", "not enough data".
func figureText(d kpi.Def, f kpi.Figure) string {
	if !f.Enough() {
		if f.Reason == "" {
			return "not enough data"
		}
		return f.Reason
	}
	s := withUnit(d, *f.Value)
	if f.P90 != nil {
		s += " (p90 " + number(*f.P90) + ")"
	}
	return s
}

// basis says what a figure is built on: people, or for the figures about
// repositories and plugins, those.
func basis(d kpi.Def, f kpi.Figure) string {
	switch {
	case f.People > 0:
		return plural(f.People, "person", "people")
	case f.Count > 0 && d.Key == "plugins":
		return plural(f.Count, "plugin", "plugins")
	case f.Count > 0:
		return plural(f.Count, "repository", "repositories")
	}
	return ""
}

func partsText(d kpi.Def, ps []kpi.Part) string {
	var out []string
	for _, p := range ps {
		switch {
		case p.Value == nil:
			// A part built on too few people is left out of the line.
		case p.Second != nil:
			out = append(out, fmt.Sprintf("%s: %s a day, %s a month", p.Name, number(*p.Value), number(*p.Second)))
		case d.Key == "plugins":
			out = append(out, fmt.Sprintf("%s: %s", p.Name, plural(int(*p.Value), "plugin", "plugins")))
		case d.Key == "framework_fragmentation":
			out = append(out, fmt.Sprintf("%s in %s %%", p.Name, number(*p.Value)))
		case p.Name == "eNPS":
			out = append(out, fmt.Sprintf("eNPS %s", number(*p.Value)))
		default:
			out = append(out, fmt.Sprintf("%s %s %%", p.Name, number(*p.Value)))
		}
	}
	if d.Key == "framework_fragmentation" && len(out) > 0 {
		out[len(out)-1] += " of repositories"
	}
	return strings.Join(out, ", ")
}

// chartLabel is the chart in words.
func chartLabel(s kpi.Series, weeks []Week) string {
	var pts []string
	for i, w := range s.Weeks {
		v := "no data"
		if w.Figure.Value != nil {
			v = number(*w.Figure.Value)
		}
		pts = append(pts, weeks[i].String()+" "+v)
	}
	return s.Name + ", " + strings.Join(pts, "; ")
}

// minMovement is the smallest relative change worth a line: below it a
// figure is taken to have held steady.
const minMovement = 0.02

// movements are the largest changes since last week, in words, largest
// first: the relative change of the KPIs with a figure both weeks.
func movements(series []kpi.Series, n int) []string {
	type mv struct {
		s     kpi.Series
		score float64
	}
	var mvs []mv
	for _, s := range series {
		this, last := s.This(), s.Last()
		if !this.Enough() || !last.Enough() || *this.Value == *last.Value {
			continue
		}
		score := 1.0 // from zero: as large as doubling
		if *last.Value != 0 {
			score = math.Abs(*this.Value-*last.Value) / math.Abs(*last.Value)
		}
		if score < minMovement {
			continue
		}
		mvs = append(mvs, mv{s, score})
	}
	slices.SortStableFunc(mvs, func(a, b mv) int { return cmp.Compare(b.score, a.score) })
	var out []string
	for _, m := range mvs[:min(n, len(mvs))] {
		out = append(out, movementText(m.s))
	}
	return out
}

func movementText(s kpi.Series) string {
	this, last := *s.This().Value, *s.Last().Value
	verb := "rose"
	if this < last {
		verb = "fell"
	}
	better := (this > last) == (s.Better == "up")
	judgement := "better"
	if !better {
		judgement = "worse"
	}
	change := ""
	if s.Unit == "%" {
		change = fmt.Sprintf("%+.1f points", this-last)
	} else if last != 0 {
		change = fmt.Sprintf("%+.0f %%", 100*(this-last)/math.Abs(last))
	}
	if change != "" {
		change = " (" + strings.Replace(change, "-", "−", 1) + ")"
	}
	return fmt.Sprintf("%s %s from %s to %s%s: %s.", s.Name, verb, withUnit(s.Def, last), withUnit(s.Def, this), change, judgement)
}
