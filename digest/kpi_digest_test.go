package digest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/internal/browsertest"
	"github.com/chromedp/chromedp"
)

// sampleAdoption is week 2026-W47's KPIs as an organisation of some forty
// engineers might see them: a number is a week's figure, -1 a week without
// enough data.
func sampleAdoption(t *testing.T, w Week) *Adoption {
	t.Helper()
	values := map[string][]float64{
		"days_to_first_pr":        {-1, -1, 6, 5.5, 7, 4, 4.5, 3},
		"days_to_tenth_pr":        {-1, -1, -1, 41, 39, 36, 35, 33},
		"deploys_per_developer":   {1.2, 1.4, 1.1, 1.6, 1.5, 1.9, 1.7, 2.1},
		"lead_time":               {30, 26, 28, 22, 19, 21, 12.5, 9.5},
		"t_shapedness":            {18, 19, 19.5, 21, 22.22, 22.5, 23, 24.32},
		"language_fragmentation":  {1.92, 1.92, 1.95, 1.95, 1.95, 1.97, 1.97, 1.97},
		"framework_fragmentation": {4.1, 4.1, 4.15, 4.2, 4.2, 4.18, 4.25, 4.31},
		"template_fragmentation":  {0.92, 0.92, 0.92, 0.97, 0.97, 0.97, 0.97, 0.97},
		"scaffold_lead_time":      {-1, -1, -1, -1, -1, 4, -1, -1},
		"scaffold_share":          {-1, 40, -1, 50, 60, -1, 66.67, 71.43},
		"monthly_active_users":    {22, 25, 27, 30, 31, 34, 36, 41},
		"dau_mau":                 {18, 17.5, 19, 21, 20, 22, 23.5, 19.5},
		"plugins":                 {6, 6, 7, 7, 7, 8, 8, 9},
		"outside_contributions":   {10, 12.5, 14, 11, 16, 18, 17, 20},
		"dx_pulse":                {-1, -1, -1, -1, 6.9, 6.9, 6.9, 7.4},
	}
	p90 := map[string]float64{"days_to_first_pr": 9, "days_to_tenth_pr": 58, "lead_time": 46}
	parts := map[string][]kpi.Part{
		"language_fragmentation":  {{Name: "Go", Value: ptrTo(52.5)}, {Name: "TypeScript", Value: ptrTo(30)}, {Name: "Python", Value: ptrTo(12.5)}},
		"framework_fragmentation": {{Name: "github.com/stretchr/testify@v1", Value: ptrTo(61.54)}, {Name: "react@18", Value: ptrTo(23.08)}, {Name: "org.springframework.boot:spring-boot-starter-web@3", Value: ptrTo(11.54)}},
		"monthly_active_users":    {{Name: "PR checks", Value: ptrTo(6.2), Second: ptrTo(28)}, {Name: "Slack", Value: ptrTo(4.1), Second: ptrTo(19)}, {Name: "web view", Value: nil}},
		"plugins":                 {{Name: "platform", Value: ptrTo(2)}, {Name: "sre", Value: ptrTo(1)}},
		"dx_pulse":                {{Name: "eNPS", Value: ptrTo(12)}, {Name: "response rate", Value: ptrTo(46)}},
	}
	var series []kpi.Series
	end := w.End(time.UTC)
	for _, d := range kpi.Defs {
		s := kpi.Series{Def: d}
		for i, v := range values[d.Key] {
			to := end.AddDate(0, 0, -7*(kpi.TrendWeeks-1-i))
			f := kpi.Figure{People: 40, Count: 40, Reason: "not enough data"}
			if v >= 0 {
				f.Value, f.Reason = ptrTo(v), ""
				if p, ok := p90[d.Key]; ok {
					f.P90 = ptrTo(p)
				}
				if i == kpi.TrendWeeks-1 {
					f.Parts = parts[d.Key]
				}
			} else {
				f.People, f.Count = 3, 3
			}
			s.Weeks = append(s.Weeks, kpi.Week{From: to.AddDate(0, 0, -7), To: to, Figure: f})
		}
		series = append(series, s)
	}
	return NewAdoption(w, series)
}

func ptrTo(v float64) *float64 { return &v }

func TestMovements(t *testing.T) {
	a := sampleAdoption(t, Week{2026, 47})
	// Relative changes: days to first PR 4.5 → 3 (−33.3 %), lead time
	// 12.5 → 9.5 (−24 %), deploys 1.7 → 2.1 (+23.5 %), DAU/MAU 23.5 → 19.5
	// (−17 %), MAU 36 → 41 (+13.9 %), ...: the first three.
	want := []string{
		"Days to first merged PR fell from 4.5 days to 3 days (−33 %): better.",
		"Lead time for changes fell from 12.5 hours to 9.5 hours (−24 %): better.",
		"Production deploys per developer rose from 1.7 a week to 2.1 a week (+24 %): better.",
	}
	if strings.Join(a.Changes, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(a.Changes, "\n"), strings.Join(want, "\n"))
	}
}

// TestAdoptionGolden: the digest with its KPIs, as email (HTML and text)
// and Slack summary. The email is then shown in headless Chromium, its
// charts served for their cid: references as a mail client would, and a
// screenshot written (CALLBOARD_SCREENSHOTS) to be looked at.
func TestAdoptionGolden(t *testing.T) {
	d := Build(sampleInput(t))
	d.URL = "https://callboard.example.com/digest?week=2026-W47"
	d.Adoption = sampleAdoption(t, d.Week)
	html, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "adoption.html", []byte(html))
	checkGolden(t, "adoption.txt", []byte(Text(d)))
	blocks, text := Slack(d)
	raw := slackJSON(t, blocks, text)
	checkBlockKit(t, raw)
	checkGolden(t, "adoption.slack.json", raw)
	charts, err := d.Adoption.Charts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		if !strings.Contains(html, `src="cid:`+c.CID+`"`) {
			t.Errorf("the email does not show %s", c.CID)
		}
	}
	if owner := d.ForOwner("platform@acme.example"); owner != nil {
		oh, _ := HTML(owner)
		if strings.Contains(oh, "Adoption KPIs") || strings.Contains(Text(owner), "ADOPTION KPIS") {
			t.Error("a plugin owner's digest carries the organisation's KPIs")
		}
	}

	// The email as a reader sees it.
	byCID := map[string][]byte{}
	for _, c := range charts {
		byCID[c.CID] = c.PNG
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if png, ok := byCID[strings.TrimPrefix(r.URL.Path, "/cid/")]; ok {
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(png)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(strings.ReplaceAll(html, `src="cid:`, `src="/cid/`)))
	}))
	defer srv.Close()
	b := browsertest.New(t)
	b.Do("opening the email", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("img")))
	broken := browsertest.Eval[int](b, `Array.from(document.images).filter(i => !i.complete || i.naturalWidth !== 480).length`)
	if broken != 0 {
		t.Errorf("%d charts did not load at 480 px", broken)
	}
	t.Logf("email screenshots: %s, %s", b.Screenshot("digest-email", 700), b.Screenshot("digest-email", 390))
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
