package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// The differential test is only as good as its comparison: these cases pin
// what it must report and what it must let pass.
func TestBackstageDiffComparison(t *testing.T) {
	norm := diffNormalizer{servedFrom: "http://127.0.0.1:17008"}
	page := func(t *testing.T, status int, body string, headers ...string) diffResponse {
		t.Helper()
		r := diffResponse{Step: "first", Status: status, Headers: map[string]string{"content-type": "application/json; charset=utf-8"}}
		for i := 0; i+1 < len(headers); i += 2 {
			r.Headers[headers[i]] = headers[i+1]
		}
		if err := json.Unmarshal([]byte(body), &r.Body); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return r
	}
	paths := func(ds []diffEntry) string {
		var s []string
		for _, d := range ds {
			s = append(s, d.path)
		}
		return strings.Join(s, " ")
	}
	entity := func(ns, name, extra string) string {
		nsField := ""
		if ns != "" {
			nsField = `"namespace":"` + ns + `",`
		}
		return `{"kind":"Component","metadata":{` + nsField + `"name":"` + name + `","uid":"u-` + name + `","etag":"e"` + extra + `}}`
	}

	cases := []struct {
		name      string
		req       diffRequest
		want, got []diffResponse
		paths     string // the paths reported, in order; "" for none
		note      string // a word the first note must hold
	}{
		{
			name: "uids, etags, cursors and location annotations differ by nature",
			req:  diffRequest{Name: "n"},
			want: []diffResponse{page(t, 200, `{"items":[{"kind":"Group","metadata":{"name":"a","uid":"<uid>","etag":"<etag>","annotations":{
				"backstage.io/managed-by-location":"url:http://127.0.0.1:17008/fixtures/a.yaml",
				"backstage.io/view-url":"http://127.0.0.1:17008/fixtures/a.yaml","x":"1"}}}],"pageInfo":{"nextCursor":"<cursor>"},"totalItems":1}`)},
			got: []diffResponse{page(t, 200, `{"items":[{"kind":"Group","metadata":{"name":"a","uid":"7a1e","etag":"ff","annotations":{
				"backstage.io/managed-by-location":"file:/tmp/x/a.yaml","x":"1"}}}],"pageInfo":{"nextCursor":"eyJvIjoxfQ"},"totalItems":1}`)},
		},
		{
			name:  "a key callboard leaves out is named by its path",
			req:   diffRequest{Name: "n"},
			want:  []diffResponse{page(t, 200, entity("default", "a", ""))},
			got:   []diffResponse{page(t, 200, entity("", "a", ""))},
			paths: "body.metadata.namespace",
		},
		{
			name:  "a differing status is reported once, with both answers",
			req:   diffRequest{Name: "n"},
			want:  []diffResponse{page(t, 400, `{"error":{"name":"InputError","message":"bad"},"request":{"method":"GET","url":"/x"},"response":{"statusCode":400}}`)},
			got:   []diffResponse{page(t, 200, `[]`)},
			paths: "status",
			note:  "InputError",
		},
		{
			name:  "an ordered list in another order",
			req:   diffRequest{Name: "n"},
			want:  []diffResponse{page(t, 200, `[`+entity("default", "a", "")+`,`+entity("default", "b", "")+`]`)},
			got:   []diffResponse{page(t, 200, `[`+entity("default", "b", "")+`,`+entity("default", "a", "")+`]`)},
			paths: "body[0]",
			note:  "order",
		},
		{
			name: "an unordered list in another order is the same",
			req:  diffRequest{Name: "n", Unordered: true},
			want: []diffResponse{page(t, 200, `[`+entity("default", "a", "")+`,`+entity("default", "b", "")+`]`)},
			got:  []diffResponse{page(t, 200, `[`+entity("default", "b", "")+`,`+entity("default", "a", "")+`]`)},
		},
		{
			name:  "entities are paired by ref, with the namespace defaulted",
			req:   diffRequest{Name: "n", Unordered: true},
			want:  []diffResponse{page(t, 200, `[`+entity("default", "a", "")+`,`+entity("other", "a", "")+`]`)},
			got:   []diffResponse{page(t, 200, `[`+entity("", "a", `,"title":"T"`)+`,`+entity("default", "c", "")+`]`)},
			paths: "body{component:default/a}.metadata.namespace body{component:default/a}.metadata.title body{component:other/a} body{component:default/c}",
		},
		{
			name: "ties of an order key in any order",
			req:  diffRequest{Name: "n", OrderKey: []string{"spec.type"}},
			want: []diffResponse{page(t, 200, `{"items":[{"metadata":{"name":"a"},"spec":{"type":"lib"}},{"metadata":{"name":"b"},"spec":{"type":"lib"}},{"metadata":{"name":"c"},"spec":{"type":"Svc"}}]}`)},
			got:  []diffResponse{page(t, 200, `{"items":[{"metadata":{"name":"b"},"spec":{"type":"lib"}},{"metadata":{"name":"a"},"spec":{"type":"lib"}},{"metadata":{"name":"c"},"spec":{"type":"Svc"}}]}`)},
		},
		{
			name:  "an order key out of order",
			req:   diffRequest{Name: "n", OrderKey: []string{"spec.type"}},
			want:  []diffResponse{page(t, 200, `{"items":[{"metadata":{"name":"a"},"spec":{"type":"lib"}},{"metadata":{"name":"c"},"spec":{"type":"svc"}}]}`)},
			got:   []diffResponse{page(t, 200, `{"items":[{"metadata":{"name":"c"},"spec":{"type":"svc"}},{"metadata":{"name":"a"},"spec":{"type":"lib"}}]}`)},
			paths: "body.items (run 0 of equal spec.type)",
			note:  "order by spec.type",
		},
		{
			name:  "facets compared by value",
			req:   diffRequest{Name: "n"},
			want:  []diffResponse{page(t, 200, `{"facets":{"kind":[{"value":"API","count":2},{"value":"Group","count":1}]}}`)},
			got:   []diffResponse{page(t, 200, `{"facets":{"kind":[{"value":"Group","count":1},{"value":"API","count":3},{"value":"User","count":1}]}}`)},
			paths: "body.facets.kind{API}.count body.facets.kind{User} body.facets.kind",
		},
		{
			name:  "a list with an element more",
			req:   diffRequest{Name: "n"},
			want:  []diffResponse{page(t, 200, `{"relations":[{"type":"ownedBy","targetRef":"group:default/a"}]}`)},
			got:   []diffResponse{page(t, 200, `{"relations":[{"type":"ownedBy","targetRef":"group:default/a"},{"type":"partOf","targetRef":"system:default/s"}]}`)},
			paths: "body.relations[?]",
			note:  "only callboard",
		},
		{
			name: "Link cursors differ by nature, even when already replaced",
			req:  diffRequest{Name: "n"},
			want: []diffResponse{page(t, 200, `[]`, "link", `</api/catalog/entities?limit=5&after=<cursor>>; rel="next"`)},
			got:  []diffResponse{page(t, 200, `[]`, "link", `</api/catalog/entities?limit=5&after=eyJsIjo1fQ>; rel="next"`)},
		},
		{
			name:  "a page more to follow",
			req:   diffRequest{Name: "n", Follow: []string{"next*"}, Unordered: true},
			want:  []diffResponse{page(t, 200, `{"items":[`+entity("default", "a", "")+`]}`)},
			got:   []diffResponse{page(t, 200, `{"items":[`+entity("default", "a", "")+`]}`), page(t, 200, `{"items":[`+entity("default", "b", "")+`]}`)},
			paths: "responses",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := diffCompare(c.req, c.want, c.got, norm)
			if got := paths(ds); got != c.paths {
				t.Errorf("paths %q, want %q; differences:\n%v", got, c.paths, ds)
			}
			if c.note != "" && (len(ds) == 0 || !strings.Contains(ds[0].note, c.note)) {
				t.Errorf("first note does not mention %q: %v", c.note, ds)
			}
		})
	}
}
