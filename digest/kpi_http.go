package digest

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/internal/bearer"
)

// KPIOptions configure GET /api/kpis.
type KPIOptions struct {
	// Token is the bearer token a request must carry (CALLBOARD_API_TOKEN); "" requires none.
	Token    string
	Location *time.Location // DIGEST_TIMEZONE; UTC when nil
	Now      func() time.Time
	Logger   *slog.Logger
}

// KPIReport is the body of GET /api/kpis.
type KPIReport struct {
	Week        string     `json:"week"`
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	Partial     bool       `json:"partial"`
	GeneratedAt time.Time  `json:"generatedAt"`
	MinPeople   int        `json:"minPeople"`
	KPIs        []KPIEntry `json:"kpis"`
}

// KPIEntry is one KPI in GET /api/kpis: what it is, this week's and last
// week's figures, and the trend of kpi.TrendWeeks weeks, oldest first.
type KPIEntry struct {
	kpi.Def
	This  kpi.Figure   `json:"thisWeek"`
	Last  kpi.Figure   `json:"lastWeek"`
	Trend []TrendPoint `json:"trend"`
}

// TrendPoint is one week of a KPI's trend.
type TrendPoint struct {
	Week string `json:"week"`
	kpi.Figure
}

// NewKPIReport shapes the series of week w for the API.
func NewKPIReport(w Week, loc *time.Location, now time.Time, series []kpi.Series) KPIReport {
	r := KPIReport{Week: w.String(), From: w.Start(loc), To: w.End(loc), Partial: now.Before(w.End(loc)),
		GeneratedAt: now.UTC(), MinPeople: kpi.MinPeople, KPIs: []KPIEntry{}}
	for _, s := range series {
		k := KPIEntry{Def: s.Def, This: s.This(), Last: s.Last()}
		for i, wk := range s.Weeks {
			k.Trend = append(k.Trend, TrendPoint{Week: w.Add(i - (len(s.Weeks) - 1)).String(), Figure: wk.Figure})
		}
		r.KPIs = append(r.KPIs, k)
	}
	return r
}

// KPIHandler serves GET /api/kpis[?week=2026-W48] (default: this week,
// partial until it ends): every KPI with this week, last week, the 8-week
// trend, its definition and window. 401 without the token, 400 for a week
// that does not parse, 500 (logged, no detail) when the facts cannot be read.
func KPIHandler(src KPISources, opts KPIOptions) http.Handler {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	token := bearer.New(opts.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, _ := token.Check(r.Header.Get("Authorization")); !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="callboard"`)
			writeJSON(w, http.StatusUnauthorized, apiError("missing or invalid credentials: send Authorization: Bearer <CALLBOARD_API_TOKEN>"))
			return
		}
		now := opts.Now()
		week := WeekOf(now, opts.Location)
		if q := r.URL.Query().Get("week"); q != "" {
			wk, err := ParseWeek(q)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, apiError("week: "+err.Error()+"; want an ISO week such as 2026-W48"))
				return
			}
			week = wk
		}
		series, err := ComputeKPIs(r.Context(), src, week.End(opts.Location))
		if err != nil {
			opts.Logger.Error("computing KPIs", "week", week.String(), "err", err)
			writeJSON(w, http.StatusInternalServerError, apiError("the KPIs could not be computed; the server log says why"))
			return
		}
		writeJSON(w, http.StatusOK, NewKPIReport(week, opts.Location, now, series))
	})
}

func apiError(msg string) any {
	return map[string]map[string]string{"error": {"message": msg}}
}
