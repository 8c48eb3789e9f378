package digest

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callboard/callboard/digest/kpi"
)

// sampleSeries is a KPI over eight weeks with a gap (not enough data) in
// the third week.
func sampleSeries(key, unit string, values ...float64) kpi.Series {
	s := kpi.Series{Def: kpi.Def{Key: key, Name: key, Unit: unit}}
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for i, v := range values {
		to := end.AddDate(0, 0, -7*(len(values)-1-i))
		f := kpi.Figure{}
		if v >= 0 {
			f.Value = &v
		}
		s.Weeks = append(s.Weeks, kpi.Week{From: to.AddDate(0, 0, -7), To: to, Figure: f})
	}
	return s
}

func sampleWeeks(n int) []Week {
	var ws []Week
	for i := range n {
		ws = append(ws, Week{Year: 2026, Num: 49 - n + i})
	}
	return ws
}

// TestCharts: the PNG decodes at 2× the chart's size, the SVG is one XML
// document, the same series draws the same bytes, and a week without data
// draws no point. With CALLBOARD_SCREENSHOTS set the charts are written
// there to be looked at.
func TestCharts(t *testing.T) {
	for _, s := range []kpi.Series{
		sampleSeries("lead_time", "hours", 30, 22, -1, 12.5, 9, 8, 6.25, 4),
		sampleSeries("flat", "%", 50, 50, 50, 50, 50, 50, 50, 50),
		sampleSeries("empty", "%", -1, -1, -1, -1, -1, -1, -1, -1),
	} {
		t.Run(s.Key, func(t *testing.T) {
			pngBytes, err := ChartPNG(s, sampleWeeks(8))
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(pngBytes))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != 480 || b.Dy() != 160 {
				t.Errorf("PNG is %d×%d, want 480×160", b.Dx(), b.Dy())
			}
			again, _ := ChartPNG(s, sampleWeeks(8))
			if !bytes.Equal(pngBytes, again) {
				t.Error("the same series drew different PNG bytes")
			}
			svg, err := ChartSVG(s, sampleWeeks(8))
			if err != nil {
				t.Fatal(err)
			}
			d := xml.NewDecoder(bytes.NewReader(svg))
			for {
				if _, err := d.Token(); err != nil {
					if err.Error() != "EOF" {
						t.Fatalf("SVG does not parse: %v", err)
					}
					break
				}
			}
			if dir := os.Getenv("CALLBOARD_SCREENSHOTS"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, "chart-"+s.Key+".png"), pngBytes, 0o644)
				_ = os.WriteFile(filepath.Join(dir, "chart-"+s.Key+".svg"), svg, 0o644)
			}
		})
	}
}
