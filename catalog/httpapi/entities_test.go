package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
)

// filterCases are filters with the entities of Backstage's examples they
// select; the routes that take a filter share them.
var filterCases = []struct {
	name    string
	filters []string // one filter parameter each
	want    []string
}{
	{
		name:    "kind",
		filters: []string{"kind=domain"},
		want:    []string{"domain:default/artists", "domain:default/audio", "domain:default/playback"},
	},
	{
		name:    "kind and value case-insensitive",
		filters: []string{"KIND=Domain"},
		want:    []string{"domain:default/artists", "domain:default/audio", "domain:default/playback"},
	},
	{
		name:    "conditions in one filter AND",
		filters: []string{"kind=component,spec.type=website"},
		want:    []string{"component:default/queue-proxy", "component:default/www-artist"},
	},
	{
		name:    "filter parameters OR",
		filters: []string{"kind=domain", "kind=system,spec.type=feature-set"},
		want:    []string{"domain:default/artists", "domain:default/audio", "domain:default/playback", "system:default/audio-playback", "system:default/podcast"},
	},
	{
		name:    "repeated key is any of its values",
		filters: []string{"kind=component,spec.type=Website,spec.type=library"},
		want:    []string{"component:default/playback-sdk", "component:default/queue-proxy", "component:default/www-artist"},
	},
	{
		name:    "bare key means the key exists",
		filters: []string{"kind=group,spec.parent"},
		want: []string{"group:default/backstage", "group:default/boxoffice", "group:default/infrastructure",
			"group:default/team-a", "group:default/team-b", "group:default/team-c", "group:default/team-d"},
	},
	{
		name:    "a value beside a bare key wins",
		filters: []string{"kind,kind=domain"},
		want:    []string{"domain:default/artists", "domain:default/audio", "domain:default/playback"},
	},
	{
		name:    "list items",
		filters: []string{"metadata.tags=JAVA"},
		want:    []string{"component:default/artist-lookup", "component:default/playback-order", "component:default/podcast-api"},
	},
	{
		name:    "annotation key with dots and slashes",
		filters: []string{"metadata.annotations.backstage.io/source-template=template:default/react-ssr-template"},
		want:    []string{"component:default/www-artist"},
	},
	{
		name:    "relations.ownedby with a full ref, any case",
		filters: []string{"relations.ownedBy=Group:Default/Team-B"},
		want:    []string{"api:default/starwars-graphql", "component:default/podcast-api", "component:default/queue-proxy", "system:default/podcast"},
	},
	{
		name:    "relations.memberof with kind",
		filters: []string{"kind=user,relations.memberof=group:default/team-d"},
		want:    []string{"user:default/eva.macdowell", "user:default/lucy.sheehan"},
	},
	{
		name:    "namespace",
		filters: []string{"kind=user,metadata.namespace=development"},
		want:    []string{"user:development/guest"},
	},
	{
		name:    "nothing matches",
		filters: []string{"kind=template"},
		want:    []string{},
	},
	{
		name:    "default namespace of an entity that names none",
		filters: []string{"kind=domain,metadata.namespace=default"},
		want:    []string{"domain:default/artists", "domain:default/audio", "domain:default/playback"},
	},
	{
		name:    "list item as a key (metadata.tags.java)",
		filters: []string{"metadata.tags.java"},
		want:    []string{"component:default/artist-lookup", "component:default/playback-order", "component:default/podcast-api"},
	},
	{
		name:    "list item as a key with its value",
		filters: []string{"kind=component,metadata.tags.java=true"},
		want:    []string{"component:default/artist-lookup", "component:default/playback-order", "component:default/podcast-api"},
	},
	{
		// As Backstage: a key exists when it has a value, not when an
		// object holds keys below it.
		name:    "an object's key alone matches nothing",
		filters: []string{"metadata.annotations"},
		want:    []string{},
	},
	{
		name:    "a relation of the type at all",
		filters: []string{"kind=system,relations.hasPart"},
		want:    []string{"system:default/artist-engagement-portal", "system:default/audio-playback", "system:default/podcast"},
	},
}

func filterQuery(filters []string) url.Values {
	return url.Values{"filter": filters}
}

func TestGetEntitiesFilter(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			var got []*catalog.Entity
			get(t, srv.URL+"/api/catalog/entities?"+filterQuery(tc.filters).Encode()).decode(t, &got)
			if !reflect.DeepEqual(sorted(refsOf(got)), tc.want) {
				t.Errorf("filter %q selected\n%v\nwant\n%v", tc.filters, sorted(refsOf(got)), tc.want)
			}
		})
	}
}

func TestGetEntitiesAll(t *testing.T) {
	st := seededStore(t)
	srv := newServer(t, st, Options{})
	var got []json.RawMessage
	res := get(t, srv.URL+"/api/catalog/entities")
	res.decode(t, &got)
	if n, _ := st.Count(t.Context()); len(got) != n {
		t.Errorf("GET /entities gave %d entities, want all %d", len(got), n)
	}
	if link := res.header.Get("Link"); link != "" {
		t.Errorf("Link %q on a complete answer, want none", link)
	}
}

func TestGetEntitiesFields(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{
			name:   "leaves",
			fields: []string{"metadata.name,spec.owner"},
			want:   `[{"metadata":{"name":"www-artist"},"spec":{"owner":"team-a"}}]`,
		},
		{
			name:   "repeated parameter",
			fields: []string{"kind", "metadata.name"},
			want:   `[{"kind":"Component","metadata":{"name":"www-artist"}}]`,
		},
		{
			name:   "annotation with dots in its key",
			fields: []string{"metadata.annotations.backstage.io/source-template"},
			want:   `[{"metadata":{"annotations":{"backstage.io/source-template":"template:default/react-ssr-template"}}}]`,
		},
		{
			name:   "subtree",
			fields: []string{"spec"},
			want:   `[{"spec":{"consumesApis":["component:artist-lookup"],"lifecycle":"production","owner":"team-a","system":"artist-engagement-portal","type":"website"}}]`,
		},
		{
			name:   "missing paths are left out",
			fields: []string{"metadata.name,spec.nothing,nothing.at.all"},
			want:   `[{"metadata":{"name":"www-artist"}}]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{"filter": {"kind=component,metadata.name=www-artist"}, "fields": tc.fields}
			var got any
			get(t, srv.URL+"/api/catalog/entities?"+v.Encode()).decode(t, &got)
			var want any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				b, _ := json.Marshal(got)
				t.Errorf("fields %q gave\n%s\nwant\n%s", tc.fields, b, tc.want)
			}
		})
	}
}

var linkRE = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

func TestGetEntitiesPages(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	tests := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{
			name:  "order desc, limit 2, following Link",
			query: url.Values{"filter": {"kind=domain", "kind=system"}, "order": {"desc:metadata.name"}, "limit": {"2"}},
			want: []string{"system:default/podcast", "domain:default/playback", "system:default/audio-playback",
				"domain:default/audio", "domain:default/artists", "system:default/artist-engagement-portal"},
		},
		{
			name:  "offset then Link",
			query: url.Values{"filter": {"kind=domain"}, "order": {"asc:metadata.name"}, "limit": {"1"}, "offset": {"1"}},
			want:  []string{"domain:default/audio", "domain:default/playback"},
		},
		{
			// Paged, entities without the field come after those with it
			// (by uid, which is random: only one of them here).
			name:  "order by a field some lack, paged",
			query: url.Values{"filter": {"kind=group,metadata.name=team-a", "kind=system,spec.type=service"}, "order": {"desc:spec.type"}, "limit": {"1"}},
			want:  []string{"group:default/team-a", "system:default/artist-engagement-portal"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			next := "/api/catalog/entities?" + tc.query.Encode()
			for pages := 0; next != ""; pages++ {
				if pages > len(tc.want) {
					t.Fatalf("more than %d pages; links loop", len(tc.want))
				}
				res := get(t, srv.URL+next)
				var page []*catalog.Entity
				res.decode(t, &page)
				got = append(got, refsOf(page)...)
				next = ""
				if link := res.header.Get("Link"); link != "" {
					m := linkRE.FindStringSubmatch(link)
					if m == nil {
						t.Fatalf("Link %q is not <url>; rel=\"next\"", link)
					}
					next = m[1]
					if !strings.HasPrefix(next, Prefix+"/") {
						next = Prefix + next // Backstage writes it relative to the API
					}
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("pages gave\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestGetEntityByName(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	tests := []struct {
		path       string
		wantStatus int
		wantRef    string
		wantError  string
	}{
		{path: "component/default/artist-lookup", wantStatus: http.StatusOK, wantRef: "component:default/artist-lookup"},
		{path: "Component/Default/Artist-Lookup", wantStatus: http.StatusOK, wantRef: "component:default/artist-lookup"},
		{path: "user/development/guest", wantStatus: http.StatusOK, wantRef: "user:development/guest"},
		{path: "api/default/artist-lookup", wantStatus: http.StatusNotFound, wantError: "No entity named 'artist-lookup' found, with kind 'api' in namespace 'default'"},
		{path: "component/other/artist-lookup", wantStatus: http.StatusNotFound, wantError: "No entity named 'artist-lookup' found, with kind 'component' in namespace 'other'"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			res := get(t, srv.URL+"/api/catalog/entities/by-name/"+tc.path)
			if res.status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", res.status, tc.wantStatus, res.body)
			}
			if tc.wantStatus != http.StatusOK {
				checkError(t, res, "GET", "/api/catalog/entities/by-name/"+tc.path, "NotFoundError", tc.wantError)
				return
			}
			var e catalog.Entity
			res.decode(t, &e)
			if got := e.Ref().String(); got != tc.wantRef {
				t.Errorf("got %s, want %s", got, tc.wantRef)
			}
			if !strings.Contains(string(res.body), `"relations":[`) {
				t.Errorf("entity has no relations: %s", res.body)
			}
		})
	}
}

// TestGetEntitiesUnpagedOrder: issue 16, point 4. Without paging, an order
// sorts as by-query does (Backstage streams it through by-query): by the
// first field only, without the entities that lack it.
func TestGetEntitiesUnpagedOrder(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	var got []*catalog.Entity
	get(t, srv.URL+"/api/catalog/entities?filter=kind=domain&filter=kind=system&order=desc:spec.type&order=asc:metadata.name").decode(t, &got)
	var all []*catalog.Entity
	get(t, srv.URL+"/api/catalog/entities?filter=kind=domain&filter=kind=system").decode(t, &all)
	with := 0
	for _, e := range all {
		if e.SpecString("type") != "" {
			with++
		}
	}
	if len(got) != with || with == len(all) {
		t.Errorf("%d entities, want the %d of %d that have spec.type", len(got), with, len(all))
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].SpecString("type") < got[i].SpecString("type") {
			t.Errorf("%s (%s) before %s (%s), want descending", got[i-1].Ref(), got[i-1].SpecString("type"), got[i].Ref(), got[i].SpecString("type"))
		}
	}
}

// TestEntityShape: issue 16, points 6 and 11. An entity is served as
// Backstage serves it: metadata.namespace always there ("default" when the
// file leaves it out), relations always there ([] when none), and the
// relation lists of the spec sorted.
func TestEntityShape(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	var e map[string]any
	get(t, srv.URL+"/api/catalog/entities/by-name/component/default/petstore").decode(t, &e)
	md := e["metadata"].(map[string]any)
	if md["namespace"] != "default" {
		t.Errorf("metadata.namespace %v, want default", md["namespace"])
	}
	if got := e["spec"].(map[string]any)["providesApis"]; !reflect.DeepEqual(got, []any{"hello-world", "petstore", "streetlights"}) {
		t.Errorf("spec.providesApis %v, want sorted", got)
	}
	var loc map[string]any
	get(t, srv.URL+"/api/catalog/entities/by-name/location/default/example-groups").decode(t, &loc)
	if rels, ok := loc["relations"].([]any); !ok || len(rels) != 0 {
		t.Errorf("relations of an entity with none: %#v, want []", loc["relations"])
	}
	var list []map[string]any
	get(t, srv.URL+"/api/catalog/entities?filter=kind=location").decode(t, &list)
	for _, l := range list {
		if _, ok := l["relations"].([]any); !ok {
			t.Errorf("%v: no relations list", l["metadata"])
		}
		if l["metadata"].(map[string]any)["namespace"] == nil {
			t.Errorf("%v: no namespace", l["metadata"])
		}
	}
}

// TestGetEntityByUID: issue 16, point 9.
func TestGetEntityByUID(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	byName := get(t, srv.URL+"/api/catalog/entities/by-name/component/default/artist-lookup")
	var e catalog.Entity
	byName.decode(t, &e)
	byUID := get(t, srv.URL+"/api/catalog/entities/by-uid/"+e.Metadata.UID)
	if byUID.status != http.StatusOK || string(byUID.body) != string(byName.body) {
		t.Errorf("by-uid: %d %s\nwant by-name's %s", byUID.status, byUID.body, byName.body)
	}
	miss := get(t, srv.URL+"/api/catalog/entities/by-uid/00000000-0000-0000-0000-000000000000")
	if miss.status != http.StatusNotFound {
		t.Fatalf("status %d, want 404", miss.status)
	}
	checkError(t, miss, "GET", "/api/catalog/entities/by-uid/00000000-0000-0000-0000-000000000000", "NotFoundError", "No entity with uid 00000000-0000-0000-0000-000000000000")
}

// TestRoutesAsBackstageRoutesThem: a trailing slash is ignored, HEAD
// answers as GET, a name with an encoded slash is one segment.
func TestRoutesAsBackstageRoutesThem(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	for _, path := range []string{
		"/api/catalog/entities/?filter=kind=domain",
		"/api/catalog/entities/by-query/?filter=kind=domain",
		"/api/catalog/entity-facets/?facet=kind",
		"/api/catalog/entities/by-name/component/default/artist-lookup/",
	} {
		if r := get(t, srv.URL+path); r.status != http.StatusOK {
			t.Errorf("GET %s: %d %s, want 200", path, r.status, r.body)
		}
	}
	if r := do(t, http.MethodHead, srv.URL+"/api/catalog/entities/by-query?filter=kind=domain", "", nil); r.status != http.StatusOK || len(r.body) != 0 {
		t.Errorf("HEAD: %d with %d bytes, want 200 without a body", r.status, len(r.body))
	}
	r := get(t, srv.URL+"/api/catalog/entities/by-name/component/default/a%2Fb")
	checkError(t, r, "GET", "/api/catalog/entities/by-name/component/default/a%2Fb", "NotFoundError", "No entity named 'a/b' found, with kind 'component' in namespace 'default'")
}
