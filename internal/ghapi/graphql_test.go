package ghapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

func TestGraphQLRequestPost(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name          string
		status        int
		header        map[string]string
		body          string
		needRetryWhen bool
		want          string // the answer, or "" for an error
		unavailable   bool   // the error is ErrGraphQLUnavailable
		transient     bool   // the error is Classify's Retry or Wait
	}{
		{name: "an answer", status: 200, body: `{"data":{}}`, want: `{"data":{}}`},
		{name: "a 502 is transient", status: 502, body: "bad gateway", transient: true},
		{name: "a 429 is transient", status: 429, header: map[string]string{"Retry-After": "3"}, transient: true},
		{name: "a 403 is transient by default", status: 403, body: `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#secondary-rate-limits"}`, transient: true},
		{name: "a 403 without Retry-After is a refusal when one is needed", status: 403, body: `{"message":"nope"}`, needRetryWhen: true, unavailable: true},
		{name: "a 403 with Retry-After is transient when one is needed", status: 403, header: map[string]string{"Retry-After": "3"}, body: `{"message":"slow down"}`, needRetryWhen: true, transient: true},
		{name: "a 404 is a refusal", status: 404, body: "not found", unavailable: true},
		{name: "an answer over the bound is a refusal", status: 200, body: `{"data":{"x":"` + strings.Repeat("a", 300) + `"}}`, unavailable: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotType string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotType = r.Header.Get("Content-Type")
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			req := GraphQLRequest{GH: github.NewClient(srv.Client()), Endpoint: srv.URL + "/graphql", Body: []byte(`{"query":"{viewer{login}}"}`),
				Max: 256, ForbiddenNeedsRetryAfter: tc.needRetryWhen}
			got, err := req.Post(context.Background())
			if gotType != "application/json" {
				t.Errorf("Content-Type sent = %q, want application/json", gotType)
			}
			if tc.want != "" {
				if err != nil || string(got) != tc.want {
					t.Fatalf("Post = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Post = %q, nil; want an error", got)
			}
			if u := errors.Is(err, ErrGraphQLUnavailable); u != tc.unavailable {
				t.Errorf("errors.Is(%v, ErrGraphQLUnavailable) = %v, want %v", err, u, tc.unavailable)
			}
			if tr := Classify(err, now).Transient(); tr != tc.transient {
				t.Errorf("Classify(%v).Transient() = %v, want %v", err, tr, tc.transient)
			}
		})
	}
}
