package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
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
		{
			name:   "a repeated value counts once",
			params: []string{"kind=api,kind=api,kind=api"},
			want:   catalog.Filter{{{Key: "kind", Values: []string{"api"}}}},
		},
		{
			// As Backstage: conditions are grouped by the key as written.
			name:   "keys written in another case are separate conditions",
			params: []string{"kind=api,KIND=component"},
			want:   catalog.Filter{{{Key: "kind", Values: []string{"api"}}, {Key: "kind", Values: []string{"component"}}}},
		},
		{
			name:   "repeated filter sets are merged",
			params: []string{"kind=api,spec.type=grpc", "spec.type=grpc,kind=api"},
			want:   catalog.Filter{{{Key: "kind", Values: []string{"api"}}, {Key: "spec.type", Values: []string{"grpc"}}}},
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
	params := make([]string, MaxFilterTerms)
	for i := range params {
		params[i] = fmt.Sprintf("metadata.name=n%d", i)
	}
	_, err := parseFilter([]string{strings.Join(params, ",")})
	var ae *apiError
	if !errors.As(err, &ae) || ae.name != "InputError" {
		t.Errorf("%d distinct conditions: error %v, want InputError", len(params), err)
	}
	if _, err := parseFilter(params[:MaxFilterTerms/2-1]); err == nil {
		t.Errorf("%d filter sets: no error, want one (at most %d sets)", MaxFilterTerms/2-1, MaxFilterSets)
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
	entity, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		b, err := project(entity, tc.fields)
		if err != nil {
			t.Fatal(err)
		}
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

// TestCursorFormat: cursors are Backstage's own (base64 JSON of
// orderFields, orderFieldValues, isPrevious, query, totalItems, ...): one
// callboard wrote reads back the same, and one Backstage wrote is read too.
func TestCursorFormat(t *testing.T) {
	name, uid := "lonely-group", "00000000-0000-0000-0000-000000000000"
	total := 3.0
	c := queryCursor{
		OrderFields:          []cursorOrder{{Field: "metadata.name", Order: "asc"}},
		OrderFieldValues:     []*string{&name, &uid},
		FirstSortFieldValues: []*string{&name, &uid},
		Query:                json.RawMessage(`{"kind":"group"}`),
		FullTextFilter:       &cursorFullText{Term: "team"},
		TotalItems:           &total,
	}
	got, where, err := decodeCursor(c.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip gave %+v, want %+v", got, c)
	}
	if want := catalog.FieldIn("kind", "group"); !reflect.DeepEqual(where, want) {
		t.Errorf("query read as %+v, want %+v", where, want)
	}
	// Written by Backstage 4.0.5 (the older filter form, padded base64).
	backstage := "eyJvcmRlckZpZWxkcyI6W3siZmllbGQiOiJtZXRhZGF0YS5uYW1lIiwib3JkZXIiOiJhc2MifV0sIm9yZGVyRmllbGRWYWx1ZXMiOlsibG9uZWx5LWdyb3VwIiwiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIl0sImZpbHRlciI6eyJrZXkiOiJraW5kIiwidmFsdWVzIjpbImdyb3VwIl19LCJpc1ByZXZpb3VzIjpmYWxzZSwidG90YWxJdGVtcyI6M30="
	got, where, err = decodeCursor(backstage)
	if err != nil {
		t.Fatal(err)
	}
	if *got.OrderFieldValues[0] != name || got.IsPrevious || *got.TotalItems != 3 || !reflect.DeepEqual(where, catalog.FieldIn("kind", "group")) {
		t.Errorf("Backstage's cursor read as %+v, where %+v", got, where)
	}
}

func TestParsePredicate(t *testing.T) {
	tests := []struct {
		in      string
		want    catalog.Predicate
		wantErr string
	}{
		{`{"kind":"Component"}`, catalog.FieldIn("kind", "Component"), ""},
		{`{"Kind":"API","spec.type":{"$in":["grpc",7,true]}}`, catalog.All(catalog.FieldIn("kind", "API"), catalog.FieldIn("spec.type", "grpc", "7", "true")), ""},
		{`{"$all":[{"kind":"api"},{"$not":{"metadata.namespace":"default"}}]}`, catalog.All(catalog.FieldIn("kind", "api"), catalog.Not(catalog.FieldIn("metadata.namespace", "default"))), ""},
		{`{"$any":[]}`, catalog.Predicate{Op: catalog.PredAny, Preds: []catalog.Predicate{}}, ""},
		{`{"spec.owner":{"$exists":false}}`, catalog.FieldExists("spec.owner", false), ""},
		{`{"metadata.name":{"$hasPrefix":"pay"}}`, catalog.Predicate{Op: catalog.PredField, Key: "metadata.name", Match: catalog.Match{Kind: catalog.MatchPrefix, Values: []string{"pay"}}}, ""},
		{`{"metadata.tags":{"$contains":"java"}}`, catalog.FieldIn("metadata.tags", "java"), ""},
		{`{"relations":{"$contains":{"type":"ownedBy","targetRef":{"$in":["group:default/a"]}}}}`, catalog.Predicate{Op: catalog.PredField, Key: "relations", Match: catalog.Match{Kind: catalog.MatchRelation, RelationType: "ownedby", Values: []string{"group:default/a"}}}, ""},
		{`"kind"`, catalog.Predicate{}, "must be an object"},
		{`{"$all":{"kind":"api"}}`, catalog.Predicate{}, "$all takes an array"},
		{`{"$all":[],"kind":"api"}`, catalog.Predicate{}, "operators must be a single"},
		{`{"$nor":[]}`, catalog.Predicate{}, "unknown operator $nor"},
		{`{"kind":null}`, catalog.Predicate{}, "must be a primitive value"},
		{`{"kind":{"$regex":"."}}`, catalog.Predicate{}, "must be a primitive value"},
		{`{"metadata.tags":{"$contains":{"a":1}}}`, catalog.Predicate{}, "Object form of $contains is not supported"},
		{`{"relations":{"$contains":{"targetRef":"x"}}}`, catalog.Predicate{}, `requires a "type" string property`},
		{strings.Repeat(`{"$not":`, 40) + `{"kind":"api"}` + strings.Repeat(`}`, 40), catalog.Predicate{}, "nested deeper than"},
	}
	for _, tc := range tests {
		t.Run(tc.in[:min(len(tc.in), 40)], func(t *testing.T) {
			got, err := parsePredicate(json.RawMessage(tc.in), "query")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
