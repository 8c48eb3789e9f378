package catalog

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestEntityJSONRoundTrip(t *testing.T) {
	// What Backstage's API serves for an entity, with metadata fields that
	// Backstage does not define (a processor's, an organisation's own).
	const in = `{
		"apiVersion": "backstage.io/v1alpha1",
		"kind": "Component",
		"metadata": {
			"uid": "0e9b0b1a-0000-4000-8000-000000000001",
			"etag": "abc",
			"name": "payments",
			"namespace": "default",
			"title": "Payments",
			"description": "Takes the money",
			"labels": {"tier": "1"},
			"annotations": {"github.com/project-slug": "acme/payments"},
			"tags": ["go", "grpc"],
			"links": [{"url": "https://example.com", "title": "Home", "icon": "web", "type": "website"}],
			"costCenter": "cc-42",
			"x-acme": {"oncall": ["alice", "bob"], "tier": 1, "public": false}
		},
		"spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
		"relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}]
	}`
	var e Entity
	if err := json.Unmarshal([]byte(in), &e); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	wantExtra := map[string]any{
		"costCenter": "cc-42",
		"x-acme":     map[string]any{"oncall": []any{"alice", "bob"}, "tier": float64(1), "public": false},
	}
	if !reflect.DeepEqual(e.Metadata.Extra, wantExtra) {
		t.Errorf("Metadata.Extra = %#v, want %#v", e.Metadata.Extra, wantExtra)
	}
	wantMeta := Metadata{
		UID: "0e9b0b1a-0000-4000-8000-000000000001", Etag: "abc", Name: "payments", Namespace: "default",
		Title: "Payments", Description: "Takes the money",
		Labels:      map[string]string{"tier": "1"},
		Annotations: map[string]string{"github.com/project-slug": "acme/payments"},
		Tags:        []string{"go", "grpc"},
		Links:       []Link{{URL: "https://example.com", Title: "Home", Icon: "web", Type: "website"}},
		Extra:       wantExtra,
	}
	if !reflect.DeepEqual(e.Metadata, wantMeta) {
		t.Errorf("Metadata = %#v\nwant %#v", e.Metadata, wantMeta)
	}

	out, err := json.Marshal(&e)
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	var got, want any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the entity:\n got %s\nwant %s", out, in)
	}
}

func TestMetadataJSONLeavesOutEmptyFields(t *testing.T) {
	tests := []struct {
		name string
		in   Metadata
		want string
	}{
		{name: "name only", in: Metadata{Name: "a"}, want: `{"name":"a"}`},
		{name: "empty but present lists are kept", in: Metadata{Name: "a", Tags: []string{}, Labels: map[string]string{}}, want: `{"labels":{},"name":"a","tags":[]}`},
		{name: "extra only", in: Metadata{Name: "a", Extra: map[string]any{"x": 1}}, want: `{"name":"a","x":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("Marshal = %s, want %s", b, tt.want)
			}
		})
	}
}

func TestMetadataUnmarshalRejectsWrongTypes(t *testing.T) {
	for _, in := range []string{
		`{"name": 5}`,
		`{"labels": {"a": 1}}`,
		`{"tags": "go"}`,
		`{"links": {"url": "x"}}`,
		`[]`,
	} {
		t.Run(in, func(t *testing.T) {
			var m Metadata
			if err := json.Unmarshal([]byte(in), &m); err == nil {
				t.Errorf("Unmarshal(%s) = %#v, want an error", in, m)
			}
		})
	}
}

func TestEntityClone(t *testing.T) {
	e := &Entity{
		APIVersion: "backstage.io/v1alpha1",
		Kind:       "Group",
		Metadata:   Metadata{Name: "team-a", Labels: map[string]string{"a": "b"}, Extra: map[string]any{"x": "y"}},
		Spec:       map[string]any{"type": "team", "children": []any{"team-b"}},
		Relations:  []Relation{{Type: RelParentOf, TargetRef: "group:default/team-b"}},
	}
	c := e.Clone()
	if !reflect.DeepEqual(c, e) {
		t.Fatalf("Clone = %#v, want %#v", c, e)
	}
	c.Metadata.Labels["a"] = "changed"
	c.Spec["children"].([]any)[0] = "changed"
	c.Metadata.Extra["x"] = "changed"
	c.Relations[0].TargetRef = "changed"
	if e.Metadata.Labels["a"] != "b" || e.SpecStrings("children")[0] != "team-b" || e.Metadata.Extra["x"] != "y" || e.Relations[0].TargetRef != "group:default/team-b" {
		t.Errorf("changing the clone changed the original: %#v", e)
	}
}

func TestEntityAccessors(t *testing.T) {
	e := &Entity{
		Kind:     "User",
		Metadata: Metadata{Name: "jdoe"},
		Spec: map[string]any{
			"profile":  map[string]any{"displayName": "Jenny Doe", "email": "jenny-doe@example.com"},
			"memberOf": []any{"team-b", 5, "employees"},
			"owner":    "team-a",
		},
	}
	if got, want := e.DisplayName(), "Jenny Doe"; got != want {
		t.Errorf("DisplayName() = %q, want %q (the profile's)", got, want)
	}
	if got, want := e.Email(), "jenny-doe@example.com"; got != want {
		t.Errorf("Email() = %q, want %q", got, want)
	}
	if got, want := e.SpecStrings("memberOf"), []string{"team-b", "employees"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SpecStrings(memberOf) = %q, want %q (non-strings skipped)", got, want)
	}
	if got := e.SpecString("memberOf"); got != "" {
		t.Errorf("SpecString(memberOf) = %q, want empty for a list", got)
	}
	if got := e.SpecMap("owner"); got != nil {
		t.Errorf("SpecMap(owner) = %v, want nil for a string", got)
	}
	e.Metadata.Title = "J. Doe"
	if got, want := e.DisplayName(), "J. Doe"; got != want {
		t.Errorf("DisplayName() = %q, want the title %q", got, want)
	}
	bare := &Entity{Kind: "Group", Metadata: Metadata{Name: "team-a"}}
	if got, want := bare.DisplayName(), "team-a"; got != want {
		t.Errorf("DisplayName() = %q, want the name %q", got, want)
	}
	if got := bare.Email(); got != "" {
		t.Errorf("Email() = %q, want empty without a profile", got)
	}
}
