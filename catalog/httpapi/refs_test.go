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
			body: `{"entityRefs":["system:default/podcast","component:default/no-such-thing","api:default/petstore","user:development/guest"],"fields":["kind","metadata.name","metadata.namespace"]}`,
			want: `{"items":[{"kind":"System","metadata":{"name":"podcast","namespace":"default"}},null,{"kind":"API","metadata":{"name":"petstore","namespace":"default"}},{"kind":"User","metadata":{"name":"guest","namespace":"development"}}]}`,
		},
		{
			// As Backstage: a ref is whole (kind:namespace/name), in any case.
			name: "refs any case, a short or broken ref is null",
			body: `{"entityRefs":["Component:Default/Artist-Lookup","not a ref:/","component:artist-lookup","artist-lookup"],"fields":["metadata.name"]}`,
			want: `{"items":[{"metadata":{"name":"artist-lookup"}},null,null,null]}`,
		},
		{
			// Issue 16, point 7: each copy is the whole entity.
			name: "a ref twice",
			body: `{"entityRefs":["component:default/artist-lookup","component:default/artist-lookup"],"fields":["metadata.name","relations"]}`,
			want: `{"items":[{"metadata":{"name":"artist-lookup"},"relations":[{"type":"apiConsumedBy","targetRef":"component:default/www-artist"},{"type":"dependsOn","targetRef":"resource:default/artists-db"},{"type":"ownedBy","targetRef":"group:default/team-a"},{"type":"partOf","targetRef":"system:default/artist-engagement-portal"}]},{"metadata":{"name":"artist-lookup"},"relations":[{"type":"apiConsumedBy","targetRef":"component:default/www-artist"},{"type":"dependsOn","targetRef":"resource:default/artists-db"},{"type":"ownedBy","targetRef":"group:default/team-a"},{"type":"partOf","targetRef":"system:default/artist-engagement-portal"}]}]}`,
		},
		{
			name: "a predicate query in the body",
			body: `{"entityRefs":["component:default/artist-lookup","component:default/www-artist"],"fields":["metadata.name"],"query":{"spec.type":"website"}}`,
			want: `{"items":[null,{"metadata":{"name":"www-artist"}}]}`,
		},
		{
			name:   "filter rules entities out",
			filter: "?filter=spec.type=service",
			body:   `{"entityRefs":["component:default/artist-lookup","component:default/www-artist","system:default/artist-engagement-portal","api:default/petstore"],"fields":["metadata.name"]}`,
			want:   `{"items":[{"metadata":{"name":"artist-lookup"}},null,{"metadata":{"name":"artist-engagement-portal"}},null]}`,
		},
		{
			name:   "filters OR",
			filter: "?filter=kind=api&filter=spec.type=website",
			body:   `{"entityRefs":["component:default/artist-lookup","component:default/www-artist","api:default/petstore"],"fields":["metadata.name"]}`,
			want:   `{"items":[null,{"metadata":{"name":"www-artist"}},{"metadata":{"name":"petstore"}}]}`,
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
	do(t, "POST", srv.URL+"/api/catalog/entities/by-refs", `{"entityRefs":["component:default/artist-lookup"]}`, map[string]string{"Content-Type": "application/json"}).decode(t, &got)
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
		// As Backstage, no count of refs: the body's size bounds them.
		{"1001 refs", refs(1001), http.StatusOK},
		{"20,000 refs", refs(20000), http.StatusOK},
		{"body over 1 MB", `{"entityRefs":["` + strings.Repeat("a", MaxBodyBytes) + `"]}`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, "POST", srv.URL+"/api/catalog/entities/by-refs", tc.body, map[string]string{"Content-Type": "application/json"})
			if res.status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %.300s", res.status, tc.wantStatus, res.body)
			}
			if tc.wantStatus != http.StatusOK {
				checkError(t, res, "POST", "/api/catalog/entities/by-refs", "InputError", "")
			}
		})
	}
}
