package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/internal/golden"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/callboard/callboard/web"
)

// TestDigestPageAdoption: the digest page leads with what changed and shows
// every KPI with its footnote and its chart as SVG; the KPI part of the page
// is a golden file (each chart reduced to its size and digest, the charts
// themselves being TestCharts' in digest).
func TestDigestPageAdoption(t *testing.T) {
	db, st := testcatalog.DemoDB(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	// Seven people use Slack this week and last; two more only this week.
	var evs []catalog.UsageEvent
	for _, at := range []time.Time{now.AddDate(0, 0, -8), now.Add(-time.Hour)} {
		for i := range 7 {
			evs = append(evs, catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: fmt.Sprintf("U%d", i), At: at})
		}
	}
	evs = append(evs, catalog.UsageEvent{Plugin: catalog.PluginWeb, Action: "digest", Actor: "alice", At: now.Add(-time.Hour)},
		catalog.UsageEvent{Plugin: catalog.PluginWeb, Action: "digest", Actor: "bob", At: now.Add(-time.Hour)})
	if err := st.RecordUsage(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	dg, err := digest.New(digest.Config{Catalog: st, Records: digest.NewStore(db), Now: func() time.Time { return now },
		KPIs: &digest.KPISources{Records: digest.NewStore(db), Catalog: st, Usage: st}})
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, web.ModeNone, func(c *web.Config) { c.Digest = dg; c.Now = func() time.Time { return now } })
	resp, body := newBrowser(t).get(s.URL + "/digest")
	wantStatus(t, "GET /digest", resp, body, 200)
	changes := between(t, body, `<div class="changes"`, "</div>")
	section := between(t, body, `<section class="card" aria-labelledby="adoption-title">`, "</section>")
	if strings.Index(body, changes) > strings.Index(body, "Usage by plugin") {
		t.Error("what changed is not at the top of the page")
	}
	charts := regexp.MustCompile(`data:image/svg(\+|&#43;)xml;base64,([A-Za-z0-9+/=&#;]+)`)
	n := 0
	section = charts.ReplaceAllStringFunc(section, func(m string) string {
		n++
		_, data, _ := strings.Cut(html.UnescapeString(m), ",")
		svg, err := base64.StdEncoding.DecodeString(data)
		if err != nil || !strings.Contains(string(svg), "<svg") {
			t.Errorf("chart %d is not an SVG: %v", n, err)
		}
		return fmt.Sprintf("data:image/svg+xml;base64,[%d bytes of SVG, sha256 %x]", len(svg), sha256.Sum256(svg))
	})
	if n != len(kpi.Defs) {
		t.Errorf("%d charts, want one per KPI (%d)", n, len(kpi.Defs))
	}
	golden.Check(t, "testdata/digest-adoption.html.golden", []byte(changes+"\n"+section+"\n"))
}

func between(t *testing.T, s, start, end string) string {
	t.Helper()
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("no %q in the page", start)
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		t.Fatalf("no %q after %q", end, start)
	}
	return s[i : i+j+len(end)]
}
