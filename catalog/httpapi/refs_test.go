package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestGetEntitiesByRefs(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	tests := []struct {
		name   string
		filter string
		body   string
		want   string
	}{
		{
			name: "same order, null for a missing ref",
			body: `{"entityRefs":["system:default/podcast","component:default/no-such-thing","api:default/spotify","user:development/guest"],"fields":["kind","metadata.name","metadata.namespace"]}`,
			want: `{"items":[{"kind":"System","metadata":{"name":"podcast"}},null,{"kind":"API","metadata":{"name":"spotify"}},{"kind":"User","metadata":{"name":"guest","namespace":"development"}}]}`,
		},
		{
			name: "refs any case, a ref that does not parse is null",
			body: `{"entityRefs":["Component:Default/Artist-Lookup","not a ref:/","component:artist-lookup"],"fields":["metadata.name"]}`,
			want: `{"items":[{"metadata":{"name":"artist-lookup"}},null,{"metadata":{"name":"artist-lookup"}}]}`,
		},
		{
			name:   "filter rules entities out",
			filter: "?filter=spec.type=service",
			body:   `{"entityRefs":["component:default/artist-lookup","component:default/www-artist","system:default/artist-engagement-portal","api:default/spotify"],"fields":["metadata.name"]}`,
			want:   `{"items":[{"metadata":{"name":"artist-lookup"}},null,{"metadata":{"name":"artist-engagement-portal"}},null]}`,
		},
		{
			name:   "filters OR",
			filter: "?filter=kind=api&filter=spec.type=website",
			body:   `{"entityRefs":["component:default/artist-lookup","component:default/www-artist","api:default/spotify"],"fields":["metadata.name"]}`,
			want:   `{"items":[null,{"metadata":{"name":"www-artist"}},{"metadata":{"name":"spotify"}}]}`,
		},
		{
			name: "no refs",
			body: `{"entityRefs":[]}`,
			want: `{"items":[]}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			do(t, "POST", srv.URL+"/api/catalog/entities/by-refs"+tc.filter, tc.body, map[string]string{"Content-Type": "application/json"}).decode(t, &got)
			var want any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				b, _ := json.Marshal(got)
				t.Errorf("got\n%s\nwant\n%s", b, tc.want)
			}
		})
	}
}

func TestGetEntitiesByRefsWholeEntities(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	var got struct{ Items []json.RawMessage }
	do(t, "POST", srv.URL+"/api/catalog/entities/by-refs", `{"entityRefs":["component:default/artist-lookup"]}`, nil).decode(t, &got)
	one := get(t, srv.URL+"/api/catalog/entities/by-name/component/default/artist-lookup")
	if len(got.Items) != 1 || strings.TrimSpace(string(got.Items[0])) != strings.TrimSpace(string(one.body)) {
		t.Errorf("by-refs gave\n%s\nby-name gave\n%s", got.Items, one.body)
	}
}

func TestGetEntitiesByRefsLimits(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	refs := func(n int) string {
		rs := make([]string, n)
		for i := range rs {
			rs[i] = fmt.Sprintf("component:default/c%d", i)
		}
		b, _ := json.Marshal(map[string]any{"entityRefs": rs})
		return string(b)
	}
	tests := []struct {
		name       string
		body       string
		wantStatus int
	}{
		{"1000 refs", refs(MaxRefs), http.StatusOK},
		{"1001 refs", refs(MaxRefs + 1), http.StatusBadRequest},
		{"body over 1 MB", `{"entityRefs":["` + strings.Repeat("a", MaxBodyBytes) + `"]}`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, "POST", srv.URL+"/api/catalog/entities/by-refs", tc.body, nil)
			if res.status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %.300s", res.status, tc.wantStatus, res.body)
			}
			if tc.wantStatus != http.StatusOK {
				checkError(t, res, "POST", "/api/catalog/entities/by-refs", "InputError", "")
			}
		})
	}
}
