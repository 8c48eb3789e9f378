package digest

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"github.com/callboard/callboard/digest/kpi"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Charts are small line charts of a KPI's weeks, drawn by gonum/plot in pure
// Go: PNG for the email (inline, by Content-ID), SVG for the page. A week
// without enough data is a gap in the line, never a zero.

// Chart size in points (1/72 in); the PNG is drawn at 2× for sharp screens.
const (
	chartW   = vg.Length(240)
	chartH   = vg.Length(80)
	chartDPI = 144
)

var (
	chartLine  = color.RGBA{R: 0x09, G: 0x69, B: 0xda, A: 0xff}
	chartMuted = color.RGBA{R: 0x59, G: 0x63, B: 0x6e, A: 0xff}
	chartGrid  = color.RGBA{R: 0xd0, G: 0xd7, B: 0xde, A: 0xff}
)

// kpiPlot draws s over weeks (the labels under each point).
func kpiPlot(s kpi.Series, weeks []Week) (*plot.Plot, error) {
	p := plot.New()
	p.HideAxes()
	p.BackgroundColor = color.White
	all, err := plotLine(p, s)
	if err != nil {
		return nil, err
	}
	lo, hi := 0.0, 1.0
	if len(all) > 0 {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, pt := range all {
			lo, hi = min(lo, pt.Y), max(hi, pt.Y)
		}
		if err := plotDots(p, s, all); err != nil {
			return nil, err
		}
	}
	dataHi := hi
	// Every KPI is a count, share, duration or entropy: the axis starts at
	// zero, so a small movement looks small.
	lo = min(lo, 0)
	if hi <= lo {
		hi = lo + 1
	}
	pad := (hi - lo) * 0.12
	p.Y.Min, p.Y.Max = lo-2.2*pad, hi+pad
	// Room on the left for the value labels.
	p.X.Min, p.X.Max = -1.6, float64(len(s.Weeks)-1)+0.7
	var labels plotter.XYLabels
	if len(all) > 0 {
		if labels, err = plotLevels(p, dataHi); err != nil {
			return nil, err
		}
	} else {
		labels.XYs = append(labels.XYs, plotter.XY{X: float64(len(s.Weeks)-1) / 2, Y: (p.Y.Min + p.Y.Max) / 2})
		labels.Labels = append(labels.Labels, "not enough data in these weeks")
	}
	values := len(labels.XYs)
	n := len(s.Weeks)
	for i := range n {
		if i%2 == (n-1)%2 {
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(i), Y: p.Y.Min})
			labels.Labels = append(labels.Labels, fmt.Sprintf("W%02d", weeks[i].Num))
		}
	}
	return p, plotLabels(p, labels, values, len(all) == 0)
}

// plotLine draws the weeks with a figure as a line broken where a week has
// none, and returns their points.
func plotLine(p *plot.Plot, s kpi.Series) (plotter.XYs, error) {
	var segment, all plotter.XYs
	flush := func() error {
		if len(segment) == 0 {
			return nil
		}
		l, err := plotter.NewLine(segment)
		if err != nil {
			return err
		}
		l.LineStyle.Width = vg.Points(1.6)
		l.LineStyle.Color = chartLine
		p.Add(l)
		segment = nil
		return nil
	}
	for i, w := range s.Weeks {
		v := w.Figure.Value
		if v == nil {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		pt := plotter.XY{X: float64(i), Y: *v}
		segment = append(segment, pt)
		all = append(all, pt)
	}
	return all, flush()
}

// plotDots marks each point, this week's larger.
func plotDots(p *plot.Plot, s kpi.Series, all plotter.XYs) error {
	dots, err := plotter.NewScatter(all)
	if err != nil {
		return err
	}
	dots.GlyphStyle = draw.GlyphStyle{Color: chartLine, Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
	p.Add(dots)
	if last := s.Weeks[len(s.Weeks)-1].Figure.Value; last != nil {
		this, err := plotter.NewScatter(plotter.XYs{{X: float64(len(s.Weeks) - 1), Y: *last}})
		if err != nil {
			return err
		}
		this.GlyphStyle = draw.GlyphStyle{Color: chartLine, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(this)
	}
	return nil
}

// plotLevels draws faint lines at the highest figure and at zero, and
// returns their labels.
func plotLevels(p *plot.Plot, dataHi float64) (plotter.XYLabels, error) {
	var labels plotter.XYLabels
	levels := []float64{dataHi, 0}
	if dataHi == 0 {
		levels = levels[:1]
	}
	for _, y := range levels {
		g, err := plotter.NewLine(plotter.XYs{{X: -0.4, Y: y}, {X: p.X.Max, Y: y}})
		if err != nil {
			return labels, err
		}
		g.LineStyle.Width = vg.Points(0.5)
		g.LineStyle.Color = chartGrid
		g.LineStyle.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(g)
		labels.XYs = append(labels.XYs, plotter.XY{X: p.X.Min, Y: y})
		labels.Labels = append(labels.Labels, short(y))
	}
	return labels, nil
}

// plotLabels adds the labels: the first values ones beside the levels (or
// the one saying there is no data, centred), then the weeks under the line.
func plotLabels(p *plot.Plot, labels plotter.XYLabels, values int, noData bool) error {
	if len(labels.XYs) == 0 {
		return nil
	}
	ls, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	for i := range ls.TextStyle {
		ls.TextStyle[i].Font.Variant = "Sans"
		ls.TextStyle[i].Font.Size = vg.Points(9.5)
		ls.TextStyle[i].Color = chartMuted
		switch {
		case noData && i == 0:
			ls.TextStyle[i].XAlign, ls.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
		case i < values:
			ls.TextStyle[i].YAlign = draw.YCenter
		default:
			ls.TextStyle[i].XAlign = draw.XCenter
			ls.TextStyle[i].YAlign = draw.YTop
		}
	}
	p.Add(ls)
	return nil
}

// short prints a figure in at most four significant characters.
func short(v float64) string {
	switch a := math.Abs(v); {
	case a >= 10000:
		return fmt.Sprintf("%.0fk", v/1000)
	case a >= 100 || v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// ChartPNG draws a KPI's trend as a PNG.
func ChartPNG(s kpi.Series, weeks []Week) ([]byte, error) {
	p, err := kpiPlot(s, weeks)
	if err != nil {
		return nil, fmt.Errorf("charting %s: %w", s.Key, err)
	}
	c := vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(chartDPI))
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("charting %s: %w", s.Key, err)
	}
	return b.Bytes(), nil
}

// ChartSVG draws a KPI's trend as an SVG document.
func ChartSVG(s kpi.Series, weeks []Week) ([]byte, error) {
	p, err := kpiPlot(s, weeks)
	if err != nil {
		return nil, fmt.Errorf("charting %s: %w", s.Key, err)
	}
	c := vgsvg.New(chartW, chartH)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("charting %s: %w", s.Key, err)
	}
	return b.Bytes(), nil
}
