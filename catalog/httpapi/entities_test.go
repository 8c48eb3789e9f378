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
	// storeGap names a store shortcoming that makes the case fail for
	// now; the case is skipped with that reason until the store is fixed.
	storeGap string
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
		name:     "default namespace of an entity that names none",
		filters:  []string{"kind=domain,metadata.namespace=default"},
		want:     []string{"domain:default/artists", "domain:default/audio", "domain:default/playback"},
		storeGap: "store: an entity without metadata.namespace is not indexed as metadata.namespace=default",
	},
	{
		name:     "list item as a key (metadata.tags.java)",
		filters:  []string{"metadata.tags.java"},
		want:     []string{"component:default/artist-lookup", "component:default/playback-order", "component:default/podcast-api"},
		storeGap: "store: list items are not indexed as <path>.<item>=true",
	},
}

func filterQuery(filters []string) url.Values {
	return url.Values{"filter": filters}
}

func TestGetEntitiesFilter(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.storeGap != "" {
				t.Skip(tc.storeGap)
			}
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
			name:  "order by a spec field, then by ref",
			query: url.Values{"filter": {"kind=component,spec.type=website", "kind=component,spec.type=library"}, "order": {"asc:spec.type"}},
			want:  []string{"component:default/playback-sdk", "component:default/queue-proxy", "component:default/www-artist"},
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
