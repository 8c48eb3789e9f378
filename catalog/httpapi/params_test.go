package httpapi

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/callboard/callboard/catalog"
)

func TestParseFilter(t *testing.T) {
	tests := []struct {
		name    string
		params  []string
		want    catalog.Filter
		wantErr bool
	}{
		{name: "none", params: nil, want: nil},
		{
			name:   "one condition",
			params: []string{"kind=component"},
			want:   catalog.Filter{{{Key: "kind", Values: []string{"component"}}}},
		},
		{
			name:   "AND within, OR across, keys lower-cased, spaces trimmed",
			params: []string{" Kind = Component , spec.Type=service", "kind=api"},
			want: catalog.Filter{
				{{Key: "kind", Values: []string{"Component"}}, {Key: "spec.type", Values: []string{"service"}}},
				{{Key: "kind", Values: []string{"api"}}},
			},
		},
		{
			name:   "repeated key is any of",
			params: []string{"kind=api,kind=component"},
			want:   catalog.Filter{{{Key: "kind", Values: []string{"api", "component"}}}},
		},
		{
			name:   "bare key is exists",
			params: []string{"spec.owner"},
			want:   catalog.Filter{{{Key: "spec.owner"}}},
		},
		{
			name:   "empty value is a value",
			params: []string{"spec.owner="},
			want:   catalog.Filter{{{Key: "spec.owner", Values: []string{""}}}},
		},
		{
			name:   "value keeps its own = signs",
			params: []string{"metadata.annotations.a=b=c"},
			want:   catalog.Filter{{{Key: "metadata.annotations.a", Values: []string{"b=c"}}}},
		},
		{
			name:   "empty parameters are ignored",
			params: []string{"", " , ", "kind=api"},
			want:   catalog.Filter{{{Key: "kind", Values: []string{"api"}}}},
		},
		{name: "empty key", params: []string{"=api"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFilter(tc.params)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestParseFilterBounded(t *testing.T) {
	params := make([]string, MaxFilterTerms+1)
	for i := range params {
		params[i] = "kind=api"
	}
	_, err := parseFilter(params)
	var ae *apiError
	if !errors.As(err, &ae) || ae.name != "InputError" {
		t.Errorf("%d conditions: error %v, want InputError", len(params), err)
	}
}

func TestProject(t *testing.T) {
	e := &catalog.Entity{
		APIVersion: "backstage.io/v1alpha1",
		Kind:       "Component",
		Metadata: catalog.Metadata{
			Name:        "svc",
			Annotations: map[string]string{"backstage.io/techdocs-ref": "dir:.", "github.com/project-slug": "org/svc"},
			Tags:        []string{"go"},
		},
		Spec:      map[string]any{"type": "service", "owner": "team-a", "deep": map[string]any{"a.b": map[string]any{"c": float64(1)}}},
		Relations: []catalog.Relation{{Type: "ownedBy", TargetRef: "group:default/team-a"}},
	}
	tests := []struct {
		fields []string
		want   string
	}{
		{[]string{"kind"}, `{"kind":"Component"}`},
		{[]string{"metadata.name", "spec.owner"}, `{"metadata":{"name":"svc"},"spec":{"owner":"team-a"}}`},
		{[]string{"metadata.annotations.backstage.io/techdocs-ref"}, `{"metadata":{"annotations":{"backstage.io/techdocs-ref":"dir:."}}}`},
		{[]string{"spec.deep.a.b.c"}, `{"spec":{"deep":{"a.b":{"c":1}}}}`},
		{[]string{"metadata.tags", "relations"}, `{"metadata":{"tags":["go"]},"relations":[{"type":"ownedBy","targetRef":"group:default/team-a"}]}`},
		{[]string{"metadata.name", "metadata"}, `{"metadata":{"name":"svc","annotations":{"backstage.io/techdocs-ref":"dir:.","github.com/project-slug":"org/svc"},"tags":["go"]}}`},
		{[]string{"Kind", "spec.owner.name", "nothing"}, `{}`},
	}
	for _, tc := range tests {
		got, err := project(e, tc.fields)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(got)
		var gotV, wantV any
		json.Unmarshal(b, &gotV)
		if err := json.Unmarshal([]byte(tc.want), &wantV); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotV, wantV) {
			t.Errorf("fields %q gave %s, want %s", tc.fields, b, tc.want)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := queryCursor{
		Filter:      toWireFilter(catalog.Filter{{{Key: "kind", Values: []string{"api", "component"}}, {Key: "spec.owner"}}, {{Key: "kind", Values: []string{"group"}}}}),
		OrderFields: toWireOrder([]catalog.Order{{Field: "metadata.name", Desc: true}, {Field: "kind"}}),
		FullText:    &wireFullText{Term: "pay", Fields: []string{"metadata.name"}},
		Offset:      40,
		Limit:       20,
	}
	s := c.encode()
	got, err := decodeCursor(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip gave %+v, want %+v", got, c)
	}
	var raw map[string]any
	b, _ := json.Marshal(got)
	json.Unmarshal(b, &raw)
	if _, ok := raw["query"]; ok {
		t.Errorf("cursor has a query key, which sends the client to the predicate endpoint: %s", b)
	}
}
