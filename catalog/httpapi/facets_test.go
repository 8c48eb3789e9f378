package httpapi

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/callboard/callboard/catalog"
)

func TestGetEntityFacets(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	tests := []struct {
		name  string
		query url.Values
		want  map[string][]catalog.FacetCount
	}{
		{
			name:  "kind over everything",
			query: url.Values{"facet": {"kind"}},
			// As Backstage: values as written, in byte order.
			want: map[string][]catalog.FacetCount{"kind": {
				{Value: "API", Count: 6}, {Value: "Component", Count: 13}, {Value: "Domain", Count: 3}, {Value: "Group", Count: 8},
				{Value: "Location", Count: 8}, {Value: "Resource", Count: 1}, {Value: "System", Count: 3}, {Value: "User", Count: 17},
			}},
		},
		{
			name:  "several facets under a filter",
			query: url.Values{"facet": {"spec.type", "metadata.tags"}, "filter": {"kind=component"}},
			want: map[string][]catalog.FacetCount{
				"spec.type":     {{Value: "library", Count: 1}, {Value: "service", Count: 10}, {Value: "website", Count: 2}},
				"metadata.tags": {{Value: "data", Count: 1}, {Value: "go", Count: 3}, {Value: "java", Count: 3}, {Value: "playback", Count: 1}, {Value: "website", Count: 1}},
			},
		},
		{
			name:  "filters OR",
			query: url.Values{"facet": {"spec.owner"}, "filter": {"kind=domain", "kind=resource"}},
			want:  map[string][]catalog.FacetCount{"spec.owner": {{Value: "acme-corp", Count: 1}, {Value: "team-a", Count: 2}, {Value: "user:frank.tiernan", Count: 1}}},
		},
		{
			// Issue 16, point 3: relations count, both directions, by target.
			name:  "relations",
			query: url.Values{"facet": {"relations.ownedBy", "relations.hasMember"}, "filter": {"kind=system", "kind=group,metadata.name=team-d"}},
			want: map[string][]catalog.FacetCount{
				"relations.ownedBy":   {{Value: "group:default/team-a", Count: 1}, {Value: "group:default/team-b", Count: 1}, {Value: "group:default/team-c", Count: 1}},
				"relations.hasMember": {{Value: "user:default/eva.macdowell", Count: 1}, {Value: "user:default/lucy.sheehan", Count: 1}},
			},
		},
		{
			name:  "a relation type callboard does not know",
			query: url.Values{"facet": {"relations.likes"}},
			want:  map[string][]catalog.FacetCount{"relations.likes": {}},
		},
		{
			name:  "a facet no entity has",
			query: url.Values{"facet": {"spec.nothing"}},
			want:  map[string][]catalog.FacetCount{"spec.nothing": {}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				Facets map[string][]catalog.FacetCount `json:"facets"`
			}
			get(t, srv.URL+"/api/catalog/entity-facets?"+tc.query.Encode()).decode(t, &got)
			if !reflect.DeepEqual(got.Facets, tc.want) {
				t.Errorf("got\n%v\nwant\n%v", got.Facets, tc.want)
			}
		})
	}
}

// The counts agree with what GET /entities returns for the same filter.
func TestGetEntityFacetsAgreeWithEntities(t *testing.T) {
	srv := newServer(t, seededStore(t), Options{})
	var all []*catalog.Entity
	get(t, srv.URL+"/api/catalog/entities?filter=kind=api&filter=kind=component").decode(t, &all)
	want := map[string]int{}
	for _, e := range all {
		want[e.Metadata.Name]++
	}
	var got struct {
		Facets map[string][]catalog.FacetCount `json:"facets"`
	}
	get(t, srv.URL+"/api/catalog/entity-facets?facet=metadata.name&filter=kind=api&filter=kind=component").decode(t, &got)
	gotCounts := map[string]int{}
	for _, c := range got.Facets["metadata.name"] {
		gotCounts[c.Value] = c.Count
	}
	if !reflect.DeepEqual(gotCounts, want) {
		t.Errorf("facet counts %v, want %v", gotCounts, want)
	}
}
