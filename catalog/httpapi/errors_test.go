package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/callboard/callboard/catalog"
)

// checkError checks a Backstage error body.
func checkError(t *testing.T, res response, method, url, wantName, wantMessage string) {
	t.Helper()
	if ct := res.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q, want application/json; charset=utf-8", ct)
	}
	var got errorBody
	if err := json.Unmarshal(res.body, &got); err != nil {
		t.Fatalf("error body %s: %v", res.body, err)
	}
	var want errorBody
	want.Error.Name = wantName
	want.Error.Message = got.Error.Message
	if wantMessage != "" {
		want.Error.Message = wantMessage
	}
	want.Request.Method = method
	want.Request.URL = strings.TrimPrefix(url, Prefix) // as Backstage writes it: relative to the API
	want.Response.StatusCode = res.status
	if got != want {
		t.Errorf("error body\n%+v\nwant\n%+v", got, want)
	}
	if got.Error.Message == "" {
		t.Errorf("error body has no message: %s", res.body)
	}
}

func TestInputErrors(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	tests := []struct {
		name, method, url, body string
		wantStatus              int
		wantName                string
	}{
		{"negative limit", "GET", "/api/catalog/entities?limit=-1", "", 400, "InputError"},
		{"non-numeric limit", "GET", "/api/catalog/entities/by-query?limit=ten", "", 400, "InputError"},
		{"non-numeric offset", "GET", "/api/catalog/entities?offset=1.5", "", 400, "InputError"},
		{"repeated limit", "GET", "/api/catalog/entities/by-query?limit=1&limit=2", "", 400, "InputError"},
		{"empty filter key", "GET", "/api/catalog/entities?filter==component", "", 400, "InputError"},
		{"array field", "GET", "/api/catalog/entities?fields=metadata.tags[0]", "", 400, "InputError"},
		{"bad order", "GET", "/api/catalog/entities?order=sideways:metadata.name", "", 400, "InputError"},
		{"bad orderField", "GET", "/api/catalog/entities/by-query?orderField=metadata.name,up", "", 400, "InputError"},
		{"bad cursor", "GET", "/api/catalog/entities/by-query?cursor=not-a-cursor", "", 400, "InputError"},
		{"cursor without isPrevious", "GET", "/api/catalog/entities/by-query?cursor=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(`{"orderFields":[],"orderFieldValues":[]}`))), "", 400, "InputError"},
		{"cursor with a bad order", "GET", "/api/catalog/entities/by-query?cursor=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(`{"orderFields":[{"field":"x","order":"up"}],"orderFieldValues":[],"isPrevious":false}`))), "", 400, "InputError"},
		{"cursor with a bad query", "GET", "/api/catalog/entities/by-query?cursor=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(`{"orderFields":[],"orderFieldValues":[],"isPrevious":false,"query":{"$nope":1}}`))), "", 400, "InputError"},
		{"bad after", "GET", "/api/catalog/entities?after=%25%25%25", "", 400, "InputError"},
		{"bad totalItems", "GET", "/api/catalog/entities/by-query?totalItems=some", "", 400, "InputError"},
		{"malformed query string", "GET", "/api/catalog/entities?filter=%zz", "", 400, "InputError"},
		{"unknown parameter", "GET", "/api/catalog/entities?filters=kind=api", "", 400, "InputError"},
		{"a parameter by-name does not take", "GET", "/api/catalog/entities/by-name/component/default/x?fields=kind", "", 400, "InputError"},
		{"empty parameter", "GET", "/api/catalog/entity-facets?facet=", "", 400, "InputError"},
		{"facets without facet", "GET", "/api/catalog/entity-facets?filter=kind=api", "", 400, "InputError"},
		{"by-refs without entityRefs", "POST", "/api/catalog/entities/by-refs", `{"fields":["kind"]}`, 400, "InputError"},
		{"by-refs not JSON", "POST", "/api/catalog/entities/by-refs", `entityRefs=a`, 400, "InputError"},
		{"by-refs refs not strings", "POST", "/api/catalog/entities/by-refs", `{"entityRefs":[1,2]}`, 400, "InputError"},
		{"by-refs query not a predicate", "POST", "/api/catalog/entities/by-refs", `{"entityRefs":[],"query":{"kind":{"$regex":"a"}}}`, 400, "InputError"},
		{"predicate with two operators", "POST", "/api/catalog/entities/by-query", `{"query":{"$all":[],"$any":[]}}`, 400, "InputError"},
		{"predicate facets without facets", "POST", "/api/catalog/entity-facets", `{"facets":[]}`, 400, "InputError"},
		{"ancestry", "GET", "/api/catalog/entities/by-name/component/default/x/ancestry", "", 501, "NotImplementedError"},
		{"unknown route", "GET", "/api/catalog/locations", "", 404, "NotFoundError"},
		{"write route", "DELETE", "/api/catalog/entities/by-uid/abc", "", 404, "NotFoundError"},
		{"wrong method", "POST", "/api/catalog/entities", "{}", 404, "NotFoundError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var header map[string]string
			if strings.HasPrefix(tc.body, "{") {
				header = map[string]string{"Content-Type": "application/json"}
			}
			res := do(t, tc.method, srv.URL+tc.url, tc.body, header)
			if res.status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", res.status, tc.wantStatus, res.body)
			}
			checkError(t, res, tc.method, tc.url, tc.wantName, "")
		})
	}
}

func TestToken(t *testing.T) {
	st := seededStore(t)
	const path = "/api/catalog/entities/by-name/component/default/artist-lookup"
	tests := []struct {
		name       string
		token      string // Options.Token
		header     string // Authorization
		wantStatus int
	}{
		{"no token configured, none sent", "", "", 200},
		{"no token configured, one sent", "", "Bearer anything", 200},
		{"token configured, none sent", "s3cret", "", 401},
		{"token configured, wrong one", "s3cret", "Bearer s3cre", 401},
		{"token configured, wrong scheme", "s3cret", "Basic s3cret", 401},
		{"token configured, right one", "s3cret", "Bearer s3cret", 200},
		{"scheme is case-insensitive", "s3cret", "bearer s3cret", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, st, Options{Token: tc.token})
			for _, p := range []string{path, "/api/catalog/nowhere"} {
				res := do(t, "GET", srv.URL+p, "", map[string]string{"Authorization": tc.header})
				want := tc.wantStatus
				if p != path && want == 200 {
					want = 404
				}
				if res.status != want {
					t.Fatalf("GET %s: status %d, want %d; body %s", p, res.status, want, res.body)
				}
				if want == 401 {
					checkError(t, res, "GET", p, "AuthenticationError", "")
					if res.header.Get("WWW-Authenticate") == "" {
						t.Errorf("401 without WWW-Authenticate")
					}
					if strings.Contains(string(res.body), "s3cret") {
						t.Errorf("401 body echoes the token: %s", res.body)
					}
				}
			}
		})
	}
}

// failingReader is a Reader whose every call fails the way a broken
// database does.
type failingReader struct{ calls int }

var errDisk = errors.New("sqlite: disk I/O error at /var/lib/callboard/callboard.db")

func (f *failingReader) EntityJSON(context.Context, catalog.Ref) ([]byte, error) {
	f.calls++
	return nil, errDisk
}

func (f *failingReader) EntityJSONByUID(context.Context, string) ([]byte, error) {
	f.calls++
	return nil, errDisk
}

func (f *failingReader) ListEntities(context.Context, catalog.ListQuery, func(bool), func([]byte) error) error {
	f.calls++
	return errDisk
}

func (f *failingReader) QueryPage(context.Context, catalog.PageQuery, func([]byte) error) (catalog.PageInfo, error) {
	f.calls++
	return catalog.PageInfo{}, errDisk
}

func (f *failingReader) EntitiesByRefsJSON(context.Context, []string, catalog.Predicate, func([]byte) error) error {
	f.calls++
	return errDisk
}

func (f *failingReader) Facets(context.Context, catalog.Predicate, []string) (map[string][]catalog.FacetCount, error) {
	f.calls++
	return nil, errDisk
}

func TestStoreErrors(t *testing.T) {
	tests := []struct{ method, url, body string }{
		{"GET", "/api/catalog/entities", ""},
		{"GET", "/api/catalog/entities/by-query?filter=kind=api", ""},
		{"GET", "/api/catalog/entities/by-name/component/default/x", ""},
		{"GET", "/api/catalog/entities/by-uid/x", ""},
		{"POST", "/api/catalog/entities/by-refs", `{"entityRefs":["component:default/x"]}`},
		{"POST", "/api/catalog/entities/by-query", `{"query":{"kind":"api"}}`},
		{"GET", "/api/catalog/entity-facets?facet=kind", ""},
		{"POST", "/api/catalog/entity-facets", `{"facets":["kind"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			var logs bytes.Buffer
			rd := &failingReader{}
			srv := newServer(t, rd, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			res := do(t, tc.method, srv.URL+tc.url, tc.body, map[string]string{"Content-Type": "application/json"})
			if res.status != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500; body %s", res.status, res.body)
			}
			checkError(t, res, tc.method, tc.url, "Error", "")
			if strings.Contains(string(res.body), "sqlite") || strings.Contains(string(res.body), "/var/lib") {
				t.Errorf("500 body shows internals: %s", res.body)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], "disk I/O error") {
				t.Errorf("logged %d lines, want the error once:\n%s", len(lines), logs.String())
			}
		})
	}
}

func TestOnRequest(t *testing.T) {
	var (
		mu  sync.Mutex
		got []string
	)
	srv := newServer(t, seededStore(t), Options{Token: "t", OnRequest: func(r *http.Request, action string) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, action)
	}})
	auth := map[string]string{"Authorization": "Bearer t"}
	do(t, "GET", srv.URL+"/api/catalog/entities?filter=kind=api", "", auth)
	do(t, "GET", srv.URL+"/api/catalog/entities/by-query", "", auth)
	do(t, "GET", srv.URL+"/api/catalog/entities/by-name/api/default/petstore", "", auth)
	do(t, "GET", srv.URL+"/api/catalog/entities/by-uid/x", "", auth)
	do(t, "POST", srv.URL+"/api/catalog/entities/by-refs", `{"entityRefs":[]}`, map[string]string{"Authorization": "Bearer t", "Content-Type": "application/json"})
	do(t, "POST", srv.URL+"/api/catalog/entities/by-query", `{}`, auth)
	do(t, "GET", srv.URL+"/api/catalog/entity-facets?facet=kind", "", auth)
	do(t, "POST", srv.URL+"/api/catalog/entity-facets", `{"facets":["kind"]}`, map[string]string{"Authorization": "Bearer t", "Content-Type": "application/json"})
	do(t, "GET", srv.URL+"/api/catalog/entities", "", nil)   // refused: not counted
	do(t, "GET", srv.URL+"/api/catalog/elsewhere", "", auth) // no such action: not counted
	mu.Lock()
	defer mu.Unlock()
	want := []string{"get-entities", "query-entities", "get-entity-by-name", "get-entity-by-uid", "get-entities-by-refs", "query-entities-by-predicate", "get-entity-facets", "get-entity-facets-by-predicate"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("OnRequest saw %q, want %q", got, want)
	}
}
