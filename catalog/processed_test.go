package catalog

import (
	"reflect"
	"testing"
)

// TestProcessed: issue 16, points 6 and 11. The catalog keeps an entity as
// Backstage's processing leaves it: metadata.namespace set, and the spec's
// relation lists sorted as JavaScript sorts strings (duplicates kept).
func TestProcessed(t *testing.T) {
	e := &Entity{
		Kind:     "Component",
		Metadata: Metadata{Name: "svc"},
		Spec: map[string]any{
			"providesApis": []any{"search-api", "billing-api", "search-api"},
			"dependsOn":    []any{"resource:z", "component:MixedCase", "component:a"},
			"consumesApis": []any{"b", map[string]any{"not": "a string"}, "a"},
			"tags":         []any{"z", "a"}, // not a relation list
			"owner":        "team-a",
		},
	}
	before := e.Clone()
	p := e.Processed()
	if p.Metadata.Namespace != "default" {
		t.Errorf("namespace %q, want default", p.Metadata.Namespace)
	}
	want := map[string]any{
		"providesApis": []any{"billing-api", "search-api", "search-api"},
		"dependsOn":    []any{"component:MixedCase", "component:a", "resource:z"},
		"consumesApis": []any{"b", map[string]any{"not": "a string"}, "a"},
		"tags":         []any{"z", "a"},
		"owner":        "team-a",
	}
	if !reflect.DeepEqual(p.Spec, want) {
		t.Errorf("spec %v, want %v", p.Spec, want)
	}
	if !reflect.DeepEqual(e, before) {
		t.Errorf("Processed changed its receiver: %v, was %v", e, before)
	}
	other := (&Entity{Metadata: Metadata{Name: "x", Namespace: "other"}}).Processed()
	if other.Metadata.Namespace != "other" {
		t.Errorf("namespace %q, want other kept", other.Metadata.Namespace)
	}
}

func TestCompareUTF16(t *testing.T) {
	// JavaScript sorts by UTF-16 code units: U+1F600 (a surrogate pair,
	// 0xD83D…) before U+FF21 (0xFF21), though its UTF-8 bytes sort after.
	if compareUTF16("\U0001F600", "\uFF21") >= 0 {
		t.Errorf("U+1F600 sorts after U+FF21, want before (as JavaScript sorts)")
	}
	if compareUTF16("B", "a") >= 0 || compareUTF16("a", "a") != 0 || compareUTF16("é", "e") <= 0 {
		t.Errorf("ASCII and Latin order differ from code-unit order")
	}
}
