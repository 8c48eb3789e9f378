package digest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest/kpi"
)

func TestKPIHandler(t *testing.T) {
	st := openStore(t, "")
	ctx := t.Context()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC) // Wednesday of 2026-W49
	// Six people ask /owner on Monday of this week; four on Monday of the
	// week before.
	var evs []catalog.UsageEvent
	for i := range 6 {
		evs = append(evs, catalog.UsageEvent{Plugin: "slack.owner", Action: "ask", Actor: fmt.Sprintf("u%d", i), At: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)})
	}
	for i := range 4 {
		evs = append(evs, catalog.UsageEvent{Plugin: "slack.owner", Action: "ask", Actor: fmt.Sprintf("v%d", i), At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
	}
	if err := st.RecordUsage(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	h := KPIHandler(KPISources{Records: NewStore(st.db), Catalog: st, Usage: st},
		KPIOptions{Token: "s3cret", Now: func() time.Time { return now }})
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(query, token string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/kpis"+query, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	if resp, _ := get("", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := get("", "wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", resp.StatusCode)
	}
	if resp, body := get("?week=2026-W99", "s3cret"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "2026-W48") {
		t.Errorf("bad week: %d %s, want 400 naming the form", resp.StatusCode, body)
	}
	resp, body := get("", "s3cret")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/kpis: %d %s", resp.StatusCode, body)
	}
	var rep KPIReport
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Week != "2026-W49" || !rep.Partial || len(rep.KPIs) != len(kpi.Defs) || rep.MinPeople != 5 {
		t.Fatalf("report: week %s partial %v, %d KPIs, min %d; want 2026-W49, partial, %d, 5", rep.Week, rep.Partial, len(rep.KPIs), rep.MinPeople, len(kpi.Defs))
	}
	var mau KPIEntry
	for _, k := range rep.KPIs {
		if k.Definition == "" || k.Window == "" || len(k.Trend) != kpi.TrendWeeks {
			t.Errorf("%s: definition %q, window %q, %d trend weeks", k.Key, k.Definition, k.Window, len(k.Trend))
		}
		if k.Key == "monthly_active_users" {
			mau = k
		}
	}
	// This week: the six, and the four of last week are within 30 days: 10.
	// Last week: the four alone are too few.
	if mau.This.Value == nil || *mau.This.Value != 10 || mau.Last.Value != nil || mau.Last.Reason != "not enough data" {
		t.Errorf("MAU this week %v, last week %+v; want 10 and not enough data", show(mau.This.Value), mau.Last)
	}
	if first, last := mau.Trend[0].Week, mau.Trend[kpi.TrendWeeks-1].Week; first != "2026-W42" || last != "2026-W49" {
		t.Errorf("trend %s..%s, want 2026-W42..2026-W49", first, last)
	}
	// A value absent is null, never 0: a reader must not take "no data" for zero.
	if !strings.Contains(string(body), `"lastWeek":{"value":null`) {
		t.Errorf("no null value in %s", body[:min(len(body), 400)])
	}
}

func show(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}
