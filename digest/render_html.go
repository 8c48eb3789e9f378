package digest

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
)

// The HTML is built for mail clients: tables for layout, inline CSS only,
// bars drawn as sized table cells and blocks, no images, fonts, scripts or
// anything fetched from elsewhere.

//go:embed templates/digest.html.tmpl
var htmlSource string

//go:embed templates/onboarding.html.tmpl
var htmlOnboarding string

var htmlTemplate = template.Must(template.Must(template.New("digest").Funcs(template.FuncMap(phrases)).Parse(htmlSource)).Parse(htmlOnboarding))

// Colours, as inline CSS wants them.
const (
	colourUp   = "#1a7f37"
	colourDown = "#cf222e"
	colourFlat = "#59636e"
)

type htmlView struct {
	view
	Rows         []htmlPlugin
	CoverageRows []htmlCoverage
}

type htmlPlugin struct {
	PluginUsage
	BarWidth     int // percent of the widest plugin's events
	ChangeText   string
	ChangeColour string
	Bars         []htmlBar
}

type htmlBar struct {
	Week   Week
	Events int
	Height int // pixels
	Zero   bool
	Colour string // this week's bar is darker
}

type htmlCoverage struct {
	CoverageRow
	Width       int // percent, 0 to 100
	DeltaText   string
	DeltaColour string
	Whole       int
}

func changeColour(c Change) string {
	switch {
	case c.New, c.Pct > 0:
		return colourUp
	case c.Pct < 0:
		return colourDown
	}
	return colourFlat
}

// HTML renders the digest as an HTML document, the email's second part and
// the page GET /digest shows.
func HTML(d *Digest) (string, error) {
	v := htmlView{view: newView(d)}
	widest := 0
	for _, p := range d.Plugins {
		widest = max(widest, p.Events)
	}
	for _, p := range d.Plugins {
		hp := htmlPlugin{PluginUsage: p, ChangeText: p.Change.String(), ChangeColour: changeColour(p.Change)}
		if widest > 0 && p.Events > 0 {
			hp.BarWidth = max(1, int(math.Round(100*float64(p.Events)/float64(widest))))
		}
		hi := 0
		for _, n := range p.Trend {
			hi = max(hi, n)
		}
		for i, n := range p.Trend {
			b := htmlBar{Week: d.Trend[i], Events: n, Zero: n == 0, Colour: "#9cd1ff"}
			if i == len(p.Trend)-1 {
				b.Colour = "#0969da"
			}
			if hi > 0 && n > 0 {
				b.Height = max(2, int(math.Round(28*float64(n)/float64(hi))))
			}
			hp.Bars = append(hp.Bars, b)
		}
		v.Rows = append(v.Rows, hp)
	}
	for _, r := range d.Coverage.Rows {
		hc := htmlCoverage{CoverageRow: r, Width: int(math.Round(min(max(r.Pct, 0), 100))), Whole: d.Coverage.Repositories}
		if r.HasDelta {
			hc.DeltaText = points(r.Delta)
			hc.DeltaColour = colourFlat
			if math.Round(r.Delta*10) > 0 {
				hc.DeltaColour = colourUp
			} else if math.Round(r.Delta*10) < 0 {
				hc.DeltaColour = colourDown
			}
		}
		v.CoverageRows = append(v.CoverageRows, hc)
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return "", fmt.Errorf("rendering the digest of %s: %w", d.Week, err)
	}
	return b.String(), nil
}
