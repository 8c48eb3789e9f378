package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/gorilla/mux"
)

// TestIssue12_08_RequestsAreBounded: repeated facets, order terms and
// filter sets are merged; past the caps the answer is a 400 naming the cap,
// never a 500 or a long query.
func TestIssue12_08_RequestsAreBounded(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	repeat := func(name string, n int, value func(i int) string) url.Values {
		q := url.Values{}
		for i := range n {
			q.Add(name, value(i))
		}
		return q
	}
	same := func(v string) func(int) string { return func(int) string { return v } }
	cases := []struct {
		name   string
		path   string
		query  url.Values
		status int
		want   string
	}{
		{"100 copies of one facet", "/entity-facets", repeat("facet", 100, same("kind")), 200, `{"value":"User","count":17}`},
		{"100 facets", "/entity-facets", repeat("facet", 100, func(i int) string { return fmt.Sprintf("spec.f%d", i) }), 400, "too many facets: 100, at most 50 per request"},
		{"60 copies of one order term", "/entities", repeat("order", 60, same("asc:metadata.name")), 200, `"kind":`},
		{"60 order terms", "/entities", repeat("order", 60, func(i int) string { return fmt.Sprintf("asc:spec.f%d", i) }), 400, "more than 10 fields to sort by"},
		// by-query sorts by the first only (as Backstage): the rest cost nothing.
		{"60 orderFields", "/entities/by-query", repeat("orderField", 60, func(i int) string { return fmt.Sprintf("spec.f%d,desc", i) }), 200, `"totalItems":0`},
		{"1,001 copies of one condition", "/entities", url.Values{"filter": {strings.TrimSuffix(strings.Repeat("kind=domain,", 1001), ",")}}, 200, `"kind":"Domain"`},
		{"1,001 distinct values", "/entities", url.Values{"filter": {func() string {
			var b strings.Builder
			for i := range 1001 {
				fmt.Fprintf(&b, "metadata.name=n%d,", i)
			}
			return b.String()
		}()}}, 400, "more than 1000 conditions"},
		{"400 copies of one filter", "/entities", repeat("filter", 400, same("kind=component,spec.type=service")), 200, `"kind":"Component"`},
		{"999 filter sets", "/entities", repeat("filter", 999, func(i int) string { return fmt.Sprintf("kind=k%d", i) }), 400, "more than 100 filter parameters"},
		{"999 filter sets on facets", "/entity-facets", func() url.Values {
			q := repeat("filter", 999, func(i int) string { return fmt.Sprintf("kind=k%d", i) })
			q.Set("facet", "kind")
			return q
		}(), 400, "more than 100 filter parameters"},
		{"1,001 parameters", "/entities", repeat("fields", 1001, same("kind")), 400, "more than 1000 parameters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, srv.URL+Prefix+tc.path+"?"+tc.query.Encode())
			if r.status != tc.status || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("status %d, body %.300s; want %d and %q", r.status, r.body, tc.status, tc.want)
			}
		})
	}
}

// TestIssue12_08_GoneClientsQueryStops: when the client goes away the store
// stops reading (the context ends), and no 500 is logged as a failure.
func TestIssue12_08_GoneClientsQueryStops(t *testing.T) {
	st := seededStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.Facets(ctx, catalog.All(), []string{"kind", "spec.type"}); !errors.Is(err, context.Canceled) {
		t.Errorf("facets with a gone client: %v, want context.Canceled", err)
	}
	if _, err := st.QueryPage(ctx, catalog.PageQuery{SortField: "spec.type", Limit: 10, Count: true}, func([]byte) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("query with a gone client: %v, want context.Canceled", err)
	}

	var logs bytes.Buffer
	r := mux.NewRouter()
	Register(r, st, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	for _, path := range []string{"/entity-facets?facet=kind", "/entities?order=asc:spec.type", "/entities/by-query?orderField=spec.type"} {
		req := httptest.NewRequest(http.MethodGet, Prefix+path, nil).WithContext(ctx)
		r.ServeHTTP(httptest.NewRecorder(), req)
	}
	if strings.Contains(logs.String(), "request failed") {
		t.Errorf("a gone client was logged as a failure:\n%s", logs.String())
	}
}
