package catalog

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf16"
)

// sortedSpecLists are the spec fields Backstage's processing sorts (its
// BuiltinKindsEntityProcessor), when every item is a string: they are
// relation lists, whose order means nothing.
var sortedSpecLists = []string{"providesApis", "consumesApis", "dependsOn", "dependencyOf", "memberOf", "children", "members"}

// Processed returns the entity as Backstage's processing leaves it, which is
// how the catalog stores and serves it: metadata.namespace is always set
// ("default" when the file leaves it out), and the relation lists of the
// spec are sorted. e itself is not changed.
func (e *Entity) Processed() *Entity {
	out := *e
	if out.Metadata.Namespace == "" {
		out.Metadata.Namespace = DefaultNamespace
	}
	var spec map[string]any
	for _, field := range sortedSpecLists {
		items, ok := e.Spec[field].([]any)
		if !ok || len(items) < 2 || !allStrings(items) {
			continue
		}
		sorted := slices.Clone(items)
		slices.SortStableFunc(sorted, func(a, b any) int { return compareUTF16(a.(string), b.(string)) })
		if slices.Equal(sorted, items) {
			continue
		}
		if spec == nil {
			spec = maps.Clone(e.Spec)
		}
		spec[field] = sorted
	}
	if spec != nil {
		out.Spec = spec
	}
	return &out
}

func allStrings(items []any) bool {
	for _, it := range items {
		if _, ok := it.(string); !ok {
			return false
		}
	}
	return true
}

// compareUTF16 orders strings as JavaScript's default sort does: by UTF-16
// code units (byte order, except that characters beyond U+FFFF come before
// U+E000–U+FFFF).
func compareUTF16(a, b string) int {
	if isASCII(a) && isASCII(b) {
		return strings.Compare(a, b)
	}
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
