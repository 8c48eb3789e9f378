package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
)

func httptestRecorder(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func batch(n int, at string) string {
	var b strings.Builder
	b.WriteString(`{"events":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"plugin":"deploys","action":"promote","actor":"dev%d","timestamp":%q}`, i, at)
	}
	b.WriteString(`]}`)
	return b.String()
}

func TestUsageHandler(t *testing.T) {
	now := utc("2026-11-18T12:00:00Z")
	const token = "t0ken"
	backstage := `{"action":"navigate","subject":"/docs/default/component/payments-api","value":1,
		"attributes":{"to":"/docs"},"context":{"pluginId":"TechDocs","routeRef":"techdocs:reader-page","extension":"App","entityRef":"component:default/payments-api","userEntityRef":"user:default/alice"}}`
	tests := []struct {
		name      string
		auth      string
		ctype     string
		body      string
		code      int
		wantError string // in the error message
		field     string
		index     int
		stored    []catalog.UsageEvent
	}{
		{name: "no token", body: `{"plugin":"deploys","action":"promote","actor":"a"}`, code: 401, wantError: "Bearer"},
		{name: "wrong token", auth: "Bearer nope", body: `{"plugin":"deploys","action":"promote","actor":"a"}`, code: 401, wantError: "invalid credentials"},
		{name: "token in another scheme", auth: "Basic " + token, body: `{"plugin":"deploys","action":"promote","actor":"a"}`, code: 401},
		{name: "malformed JSON", auth: "Bearer " + token, body: `{"plugin":"deploys",`, code: 400, wantError: "malformed JSON"},
		{name: "not an object", auth: "Bearer " + token, body: `"hello"`, code: 400, wantError: "malformed JSON"},
		{name: "empty batch", auth: "Bearer " + token, body: `{"events":[]}`, code: 400, wantError: "empty"},
		{name: "10,000 events", auth: "Bearer " + token, body: batch(10000, "2026-11-18T11:00:00Z"), code: 413, wantError: "10000 events; the limit is 1000"},
		{name: "a body over 1 MB", auth: "Bearer " + token, body: `{"plugin":"d","action":"a","actor":"x","detail":"` + strings.Repeat("x", 1<<20) + `"}`, code: 413, wantError: "over 1 MB"},
		{name: "1,001 small events", auth: "Bearer " + token,
			body: "[" + strings.TrimSuffix(strings.Repeat(`{"plugin":"d","action":"a","actor":"x"},`, 1001), ",") + "]", code: 413, wantError: "the limit is 1000"},
		{name: "future timestamp beyond the skew", auth: "Bearer " + token, body: batch(3, "2026-11-18T12:06:00Z"), code: 400,
			wantError: "6m0s in the future", field: "timestamp", index: 0},
		{name: "one bad event spoils the batch", auth: "Bearer " + token,
			body: `{"events":[{"plugin":"deploys","action":"promote","actor":"a"},{"plugin":"Deploys!","action":"promote","actor":"b"}]}`,
			code: 400, wantError: "not a plugin id", field: "plugin", index: 1},
		// Only callboard records its own features: a forged failing check or
		// Slack answer would show on entity pages and in the digest.
		{name: "a forged PR check", auth: "Bearer " + token,
			body: `{"events":[{"plugin":"deploys","action":"promote","actor":"a"},{"plugin":"github.pr-check","action":"evaluate","actor":"bob","entityRef":"acme/payments-api","outcome":"failure"}]}`,
			code: 400, wantError: "one of callboard's own features", field: "plugin", index: 1},
		{name: "callboard's Slack family", auth: "Bearer " + token, body: `{"plugin":"Slack.Anything","action":"a","actor":"x"}`,
			code: 400, wantError: "one of callboard's own features", field: "plugin"},
		{name: "a Backstage event naming callboard's catalog API", auth: "Bearer " + token,
			body: `{"action":"fetch","subject":"x","context":{"pluginId":"catalog-api"}}`,
			code: 400, wantError: "one of callboard's own features", field: "context.pluginId"},
		{name: "timestamp too old", auth: "Bearer " + token, body: batch(1, "2026-08-01T00:00:00Z"), code: 400, wantError: "older than 90 days", field: "timestamp"},
		{name: "timestamp not RFC 3339", auth: "Bearer " + token, body: batch(1, "18/11/2026"), code: 400, wantError: "RFC 3339", field: "timestamp"},
		{name: "missing actor", auth: "Bearer " + token, body: `{"plugin":"deploys","action":"promote"}`, code: 400, field: "actor"},
		{name: "action of the wrong type", auth: "Bearer " + token, body: `{"plugin":"deploys","action":7,"actor":"a"}`, code: 400, field: "action"},
		{name: "detail too long", auth: "Bearer " + token, body: `{"plugin":"deploys","action":"a","actor":"a","detail":"` + strings.Repeat("x", 1001) + `"}`, code: 400, field: "detail"},
		{name: "Backstage event without pluginId", auth: "Bearer " + token, body: `{"action":"click","subject":"x","context":{"routeRef":"r"}}`, code: 400, field: "context.pluginId"},
		{name: "not JSON", auth: "Bearer " + token, ctype: "text/plain", body: `plugin=x`, code: 415},
		{
			name: "callboard events within the skew", auth: "Bearer " + token, code: 202,
			body: `{"events":[{"plugin":"deploys","action":"promote","actor":"dev1","timestamp":"2026-11-18T12:04:00Z","entityRef":"component:default/payments-api","outcome":"success"},
				{"plugin":"deploys","action":"rollback","actor":"dev2"}]}`,
			stored: []catalog.UsageEvent{
				{Plugin: "deploys", Action: "rollback", Actor: "dev2", At: now},
				{Plugin: "deploys", Action: "promote", Actor: "dev1", At: utc("2026-11-18T12:04:00Z"), Entity: "component:default/payments-api", Outcome: "success"},
			},
		},
		{
			name: "a Backstage analytics event", auth: "bearer " + token, code: 202, body: backstage,
			stored: []catalog.UsageEvent{{Plugin: "techdocs", Action: "navigate", Actor: "user:default/alice", At: now,
				Entity: "component:default/payments-api", Detail: "/docs/default/component/payments-api"}},
		},
		{
			name: "Backstage events as a forwarding module batches them", auth: "Bearer " + token, code: 202,
			body:   `[{"event":{"action":"search","subject":"ledger","context":{"pluginId":"search","routeRef":"unknown","extension":"App"}},"timestamp":"2026-11-18T11:59:00.123Z"}]`,
			stored: []catalog.UsageEvent{{Plugin: "search", Action: "search", At: utc("2026-11-18T11:59:00.123Z"), Detail: "ledger"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t, "")
			h := UsageHandler(st, UsageOptions{Token: token, Now: func() time.Time { return now }, Logger: quietLogger()})
			req := httptest.NewRequest("POST", "/api/usage", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			stored, err := st.UsageBetween(t.Context(), time.Unix(0, 0), now.AddDate(1, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if tc.code != 202 {
				var body usageErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("error body %s: %v", rec.Body, err)
				}
				if !strings.Contains(body.Error.Message, tc.wantError) {
					t.Errorf("error %q, want it to say %q", body.Error.Message, tc.wantError)
				}
				if tc.field != "" && (body.Error.Field != tc.field || body.Error.Index == nil || *body.Error.Index != tc.index) {
					t.Errorf("error names field %q of event %v, want %q of event %d: %s", body.Error.Field, body.Error.Index, tc.field, tc.index, rec.Body)
				}
				if tc.code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				if len(stored) != 0 {
					t.Errorf("a refused request stored %d events", len(stored))
				}
				return
			}
			if want := fmt.Sprintf(`{"accepted":%d}`, len(tc.stored)); strings.TrimSpace(rec.Body.String()) != want {
				t.Errorf("body %s, want %s", rec.Body, want)
			}
			if len(stored) != len(tc.stored) {
				t.Fatalf("stored %+v, want %+v", stored, tc.stored)
			}
			for i := range stored {
				if !stored[i].At.Equal(tc.stored[i].At) {
					t.Errorf("event %d at %s, want %s", i, stored[i].At, tc.stored[i].At)
				}
				stored[i].At = tc.stored[i].At
				if stored[i] != tc.stored[i] {
					t.Errorf("event %d stored as %+v, want %+v", i, stored[i], tc.stored[i])
				}
			}
		})
	}
}

func TestUsageHandlerWithoutToken(t *testing.T) {
	st := openStore(t, "")
	h := UsageHandler(st, UsageOptions{Logger: quietLogger()})
	req := httptest.NewRequest("POST", "/api/usage", strings.NewReader(`{"plugin":"deploys","action":"promote","actor":"a"}`))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 202 {
		t.Errorf("status %d without a token configured, want 202: %s", rec.Code, rec.Body)
	}
}

type failingRecorder struct{ calls int }

func (f *failingRecorder) RecordUsage(context.Context, ...catalog.UsageEvent) error {
	f.calls++
	return fmt.Errorf("disk full")
}

func TestUsageHandlerStoreFailure(t *testing.T) {
	rec := &failingRecorder{}
	h := UsageHandler(rec, UsageOptions{Logger: quietLogger()})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/api/usage", strings.NewReader(`{"plugin":"deploys","action":"promote","actor":"a"}`)))
	if w.Code != 500 || strings.Contains(w.Body.String(), "disk full") || rec.calls != 1 {
		t.Errorf("status %d, body %s, %d calls; want 500 without the internal error, 1 call", w.Code, w.Body, rec.calls)
	}
}
