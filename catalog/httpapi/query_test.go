package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
)

type queryPage struct {
	Items      []*catalog.Entity `json:"items"`
	TotalItems int               `json:"totalItems"`
	PageInfo   struct {
		NextCursor string `json:"nextCursor"`
		PrevCursor string `json:"prevCursor"`
	} `json:"pageInfo"`
}

// followCursor reads every page of a by-query answer, from the first
// request's parameters on, and returns the refs in the order served.
func followCursor(t *testing.T, base string, first url.Values) (refs []string, total int, pages int) {
	t.Helper()
	next := first.Encode()
	total = -1
	for next != "" {
		pages++
		if pages > 200 {
			t.Fatalf("more than 200 pages; cursors loop")
		}
		var p queryPage
		get(t, base+"/api/catalog/entities/by-query?"+next).decode(t, &p)
		if total >= 0 && p.TotalItems != total {
			t.Errorf("page %d says totalItems %d, the first said %d", pages, p.TotalItems, total)
		}
		total = p.TotalItems
		refs = append(refs, refsOf(p.Items)...)
		next = ""
		if p.PageInfo.NextCursor != "" {
			v := url.Values{"cursor": {p.PageInfo.NextCursor}}
			if l := first.Get("limit"); l != "" {
				v.Set("limit", l) // as the client sends it again
			}
			next = v.Encode()
		}
	}
	return refs, total, pages
}

func TestQueryEntitiesCursorToTheEnd(t *testing.T) {
	st := seededStore(t)
	srv := newServer(t, st, Options{})
	all, err := st.Query(t.Context(), catalog.Query{})
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]*catalog.Entity{}
	for _, e := range all.Entities {
		byRef[e.Ref().String()] = e
	}
	tests := []struct {
		name  string
		query url.Values
		// inOrder reports whether a comes no later than b in the requested order.
		inOrder func(a, b *catalog.Entity) bool
	}{
		{
			name:  "everything by name desc, 7 a page",
			query: url.Values{"orderField": {"metadata.name,desc"}, "limit": {"7"}},
			inOrder: func(a, b *catalog.Entity) bool {
				return strings.ToLower(a.Metadata.Name) >= strings.ToLower(b.Metadata.Name)
			},
		},
		{
			name:    "components by type (ties broken by ref), 4 a page",
			query:   url.Values{"filter": {"kind=component"}, "orderField": {"spec.type,asc"}, "limit": {"4"}},
			inOrder: func(a, b *catalog.Entity) bool { return a.SpecString("type") <= b.SpecString("type") },
		},
		{
			name:  "users or groups, no order, 1 a page",
			query: url.Values{"filter": {"kind=user", "kind=group"}, "limit": {"1"}},
		},
		{
			// Only the first order field sorts, as in Backstage.
			name:  "default limit of 200, 3 a page when asked",
			query: url.Values{"orderField": {"kind,desc", "metadata.name,asc"}, "limit": {"3"}},
			inOrder: func(a, b *catalog.Entity) bool {
				return strings.ToLower(a.Kind) >= strings.ToLower(b.Kind)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []*catalog.Entity
			get(t, srv.URL+"/api/catalog/entities?"+url.Values{"filter": tc.query["filter"]}.Encode()).decode(t, &want)

			got, total, pages := followCursor(t, srv.URL, tc.query)
			if total != len(want) {
				t.Errorf("totalItems %d, want %d", total, len(want))
			}
			seen := map[string]bool{}
			for _, r := range got {
				if seen[r] {
					t.Errorf("%s served twice", r)
				}
				seen[r] = true
			}
			if !reflect.DeepEqual(sorted(got), sorted(refsOf(want))) {
				t.Errorf("pages gave\n%v\nwant\n%v", sorted(got), sorted(refsOf(want)))
			}
			limit := DefaultQueryLimit
			if l := tc.query.Get("limit"); l != "" {
				limit, _ = strconv.Atoi(l)
			}
			if wantPages := (len(want) + limit - 1) / limit; pages != wantPages {
				t.Errorf("%d pages, want %d", pages, wantPages)
			}
			if tc.inOrder != nil {
				for i := 1; i < len(got); i++ {
					if !tc.inOrder(byRef[got[i-1]], byRef[got[i]]) {
						t.Errorf("%s served before %s, out of order", got[i-1], got[i])
					}
				}
			}
		})
	}
}

func TestQueryEntitiesPrevCursor(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	base := srv.URL + "/api/catalog/entities/by-query?"
	var first, second, back queryPage
	get(t, base+"filter=kind=api&orderField=metadata.name,asc&limit=3").decode(t, &first)
	if first.PageInfo.PrevCursor != "" {
		t.Errorf("first page has a prevCursor")
	}
	get(t, base+url.Values{"cursor": {first.PageInfo.NextCursor}}.Encode()).decode(t, &second)
	if second.PageInfo.PrevCursor == "" {
		t.Fatalf("second page has no prevCursor")
	}
	get(t, base+url.Values{"cursor": {second.PageInfo.PrevCursor}}.Encode()).decode(t, &back)
	if !reflect.DeepEqual(refsOf(back.Items), refsOf(first.Items)) {
		t.Errorf("prevCursor of page 2 gave %v, want page 1 %v", refsOf(back.Items), refsOf(first.Items))
	}
	if got := refsOf(second.Items); len(got) != 3 || got[0] <= refsOf(first.Items)[2] {
		t.Errorf("page 2 %v does not follow page 1 %v", got, refsOf(first.Items))
	}
}

func TestQueryEntitiesCursorKeepsQuery(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	base := srv.URL + "/api/catalog/entities/by-query?"
	var first, second, viaPost queryPage
	get(t, base+"filter=kind=domain&orderField=metadata.name,desc&limit=1").decode(t, &first)
	// Parameters beside a cursor are ignored, as in Backstage: the cursor
	// carries the query.
	get(t, base+url.Values{"cursor": {first.PageInfo.NextCursor}, "filter": {"kind=user"}, "orderField": {"metadata.name,asc"}, "limit": {"1"}}.Encode()).decode(t, &second)
	if got := refsOf(second.Items); !reflect.DeepEqual(got, []string{"domain:default/audio"}) {
		t.Errorf("second page %v, want [domain:default/audio]", got)
	}
	// As Backstage's, the cursor holds the query, so @backstage/catalog-client
	// sends it to the predicate endpoint, which reads it the same way.
	b, err := base64.StdEncoding.DecodeString(first.PageInfo.NextCursor)
	if err != nil || !strings.Contains(string(b), `"query":{"kind":"domain"}`) {
		t.Errorf("cursor %s (%v) does not carry the query as Backstage's do", b, err)
	}
	r := do(t, "POST", base[:len(base)-1], `{"cursor":"`+first.PageInfo.NextCursor+`","limit":1}`, map[string]string{"Content-Type": "application/json"})
	r.decode(t, &viaPost)
	if !reflect.DeepEqual(refsOf(viaPost.Items), refsOf(second.Items)) || viaPost.TotalItems != 3 {
		t.Errorf("POST with the cursor gave %v (total %d), want %v (3)", refsOf(viaPost.Items), viaPost.TotalItems, refsOf(second.Items))
	}
}

func TestQueryEntitiesFullText(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	tests := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{
			name:  "term in names and titles by default",
			query: url.Values{"fullTextFilterTerm": {"wayback-arch"}},
			want: []string{"component:default/wayback-archive",
				"component:default/wayback-archive-ingestion", "component:default/wayback-archive-storage"},
		},
		{
			name:  "case-insensitive, trimmed, with a filter",
			query: url.Values{"fullTextFilterTerm": {"  PETSTORE "}, "filter": {"kind=api"}},
			want:  []string{"api:default/petstore", "api:default/petstore-webhook"},
		},
		{
			name:  "named fields",
			query: url.Values{"fullTextFilterTerm": {"team-d"}, "fullTextFilterFields": {"spec.owner,metadata.name"}},
			want:  []string{"component:default/wayback-archive-ingestion", "group:default/team-d"},
		},
		{
			name:  "the first sort field when no fields are named",
			query: url.Values{"fullTextFilterTerm": {"feature"}, "orderField": {"spec.type,asc"}},
			want:  []string{"system:default/audio-playback", "system:default/podcast"},
		},
		{
			name:  "no match",
			query: url.Values{"fullTextFilterTerm": {"zzz-nothing"}},
			want:  []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.query.Set("limit", "2")
			got, total, _ := followCursor(t, srv.URL, tc.query)
			if !reflect.DeepEqual(sorted(got), tc.want) {
				t.Errorf("got %v, want %v", sorted(got), tc.want)
			}
			if total != len(tc.want) {
				t.Errorf("totalItems %d, want %d", total, len(tc.want))
			}
		})
	}
}

func TestQueryEntitiesShape(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{
			name:  "fields",
			query: "filter=kind=domain&orderField=metadata.name,asc&fields=metadata.name&limit=2",
			want:  `{"items":[{"metadata":{"name":"artists"}},{"metadata":{"name":"audio"}}],"totalItems":3,"pageInfo":{"nextCursor":"*"}}`,
		},
		{
			name:  "totalItems excluded",
			query: "filter=kind=domain&fields=kind&totalItems=exclude&limit=5",
			want:  `{"items":[{"kind":"Domain"},{"kind":"Domain"},{"kind":"Domain"}],"totalItems":0,"pageInfo":{}}`,
		},
		{
			name:  "limit 0 counts",
			query: "filter=kind=domain&limit=0",
			want:  `{"items":[],"totalItems":3,"pageInfo":{}}`,
		},
		{
			// As Backstage: a first page has no previous one, offset or not.
			name:  "offset on a first page",
			query: "filter=kind=domain&orderField=metadata.name,asc&fields=metadata.name&offset=2",
			want:  `{"items":[{"metadata":{"name":"playback"}}],"totalItems":3,"pageInfo":{}}`,
		},

		{
			name:  "nothing",
			query: "filter=kind=nothing",
			want:  `{"items":[],"totalItems":0,"pageInfo":{}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]any
			get(t, srv.URL+"/api/catalog/entities/by-query?"+tc.query).decode(t, &got)
			// Cursors are opaque: only that they are there matters here.
			if pi, ok := got["pageInfo"].(map[string]any); ok {
				for k := range pi {
					pi[k] = "*"
				}
			}
			var want map[string]any
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

// TestQueryEntitiesSortFieldMissing: issue 16, point 4. Sorting on a field
// some entities lack leaves them out of the page and of totalItems, as
// Backstage does.
func TestQueryEntitiesSortFieldMissing(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	var all, sorted queryPage
	get(t, srv.URL+"/api/catalog/entities/by-query?filter=kind=system,kind=domain").decode(t, &all)
	get(t, srv.URL+"/api/catalog/entities/by-query?filter=kind=system,kind=domain&orderField=spec.type,asc").decode(t, &sorted)
	with := 0
	for _, e := range all.Items {
		if e.SpecString("type") != "" {
			with++
		}
	}
	if with == 0 || with == len(all.Items) {
		t.Fatalf("%d of %d systems and domains have spec.type; the test wants some without", with, len(all.Items))
	}
	if sorted.TotalItems != with || len(sorted.Items) != with {
		t.Errorf("sorted by spec.type: %d items, totalItems %d; want the %d that have it", len(sorted.Items), sorted.TotalItems, with)
	}
	for i, e := range sorted.Items {
		if i > 0 && strings.ToLower(sorted.Items[i-1].SpecString("type")) > strings.ToLower(e.SpecString("type")) {
			t.Errorf("%s before %s: out of order", sorted.Items[i-1].Ref(), e.Ref())
		}
	}
}

func TestQueryEntitiesLargeLimit(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	var p queryPage
	get(t, srv.URL+"/api/catalog/entities/by-query?limit=999999999").decode(t, &p)
	if len(p.Items) != p.TotalItems || p.PageInfo.NextCursor != "" {
		t.Errorf("got %d of %d items and nextCursor %q, want all and none", len(p.Items), p.TotalItems, p.PageInfo.NextCursor)
	}
	var keys []string
	for _, e := range p.Items {
		keys = append(keys, e.Metadata.UID)
	}
	if !sort.StringsAreSorted(keys) {
		t.Errorf("without orderField, want uid order, as Backstage: %v", keys)
	}
}

// TestQueryEntitiesCursorWithoutTotal: a cursor that does not carry the
// total (one written by hand, or by an older client) has it counted, as
// Backstage counts it.
func TestQueryEntitiesCursorWithoutTotal(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	cursor := base64.StdEncoding.EncodeToString([]byte(`{"orderFields":[],"orderFieldValues":[],"isPrevious":false,"query":{"kind":"domain"}}`))
	var page queryPage
	get(t, srv.URL+"/api/catalog/entities/by-query?"+url.Values{"cursor": {cursor}}.Encode()).decode(t, &page)
	if page.TotalItems != 3 || len(page.Items) != 3 {
		t.Errorf("%d items, total %d; want the 3 domains, counted", len(page.Items), page.TotalItems)
	}
}
