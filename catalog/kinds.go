package catalog

import (
	"maps"
	"slices"
	"strings"
)

type fieldType int

const (
	tString fieldType = iota
	tStrings
	tObject
	tObjects
	tObjectOrObjects
	tBool
)

type specField struct {
	name     string
	typ      fieldType
	required bool
	refKind  string // when set, the field holds entity refs with this default kind ("*" = kind required)
	enum     []string
	emptyOK  bool // a required list may be empty
}

type kindRule struct {
	group  string // apiVersion group, e.g. backstage.io
	vers   []string
	fields []specField
}

var ownerField = specField{name: "owner", typ: tString, required: true, refKind: "Group"}

// kinds lists every kind callboard understands, with Backstage's schema for its spec.
var kinds = map[string]kindRule{
	"Component": {group: "backstage.io", vers: []string{"v1alpha1", "v1beta1"}, fields: []specField{
		{name: "type", typ: tString, required: true},
		{name: "lifecycle", typ: tString, required: true},
		ownerField,
		{name: "system", typ: tString, refKind: "System"},
		{name: "subcomponentOf", typ: tString, refKind: "Component"},
		{name: "providesApis", typ: tStrings, refKind: "API"},
		{name: "consumesApis", typ: tStrings, refKind: "API"},
		{name: "dependsOn", typ: tStrings, refKind: "*"},
		{name: "dependencyOf", typ: tStrings, refKind: "*"},
	}},
	"API": {group: "backstage.io", vers: []string{"v1alpha1", "v1beta1"}, fields: []specField{
		{name: "type", typ: tString, required: true},
		{name: "lifecycle", typ: tString, required: true},
		ownerField,
		{name: "definition", typ: tString, required: true},
		{name: "system", typ: tString, refKind: "System"},
	}},
	"Resource": {group: "backstage.io", vers: []string{"v1alpha1", "v1beta1"}, fields: []specField{
		{name: "type", typ: tString, required: true},
		ownerField,
		{name: "system", typ: tString, refKind: "System"},
		{name: "dependsOn", typ: tStrings, refKind: "*"},
		{name: "dependencyOf", typ: tStrings, refKind: "*"},
	}},
	"System": {group: "backstage.io", vers: []string{"v1alpha1", "v1beta1"}, fields: []specField{
		ownerField,
		{name: "domain", typ: tString, refKind: "Domain"},
		{name: "type", typ: tString},
	}},
	"Domain": {group: "backstage.io", vers: []string{"v1alpha1", "v1beta1"}, fields: []specField{
		ownerField,
		{name: "subdomainOf", typ: tString, refKind: "Domain"},
		{name: "type", typ: tString},
	}},
	"Group": {group: "backstage.io", vers: []string{"v1alpha1", "v1beta1"}, fields: []specField{
		{name: "type", typ: tString, required: true},
		{name: "children", typ: tStrings, required: true, emptyOK: true, refKind: "Group"},
		{name: "profile", typ: tObject},
		{name: "parent", typ: tString, refKind: "Group"},
		{name: "members", typ: tStrings, refKind: "User"},
	}},
	"User": {group: "backstage.io", vers: []string{"v1alpha1", "v1beta1"}, fields: []specField{
		{name: "memberOf", typ: tStrings, required: true, emptyOK: true, refKind: "Group"},
		{name: "profile", typ: tObject},
	}},
	"Location": {group: "backstage.io", vers: []string{"v1alpha1", "v1beta1"}, fields: []specField{
		{name: "type", typ: tString},
		{name: "target", typ: tString},
		{name: "targets", typ: tStrings},
		{name: "presence", typ: tString, enum: []string{"required", "optional"}},
	}},
	"Template": {group: "scaffolder.backstage.io", vers: []string{"v1beta3"}, fields: []specField{
		{name: "type", typ: tString, required: true},
		{name: "owner", typ: tString, refKind: "Group"},
		{name: "parameters", typ: tObjectOrObjects},
		{name: "presentation", typ: tObject},
		{name: "steps", typ: tObjects, required: true, emptyOK: true},
		{name: "output", typ: tObject},
		{name: "EXPERIMENTAL_recovery", typ: tObject},
		{name: "EXPERIMENTAL_formDecorators", typ: tObjects},
	}},
}

// Kinds returns the kinds callboard understands, sorted.
func Kinds() []string {
	return slices.Sorted(maps.Keys(kinds))
}

// canonicalKind returns the kind as Backstage spells it, matching case-insensitively.
func canonicalKind(k string) (string, bool) {
	for name := range kinds {
		if strings.EqualFold(name, k) {
			return name, true
		}
	}
	return "", false
}

// CanonicalKind returns the kind as Backstage spells it ("component" → "Component"),
// or the input when it is not a known kind.
func CanonicalKind(k string) string {
	if c, ok := canonicalKind(k); ok {
		return c
	}
	return k
}

func requiredNames(r kindRule) []string {
	var out []string
	for _, f := range r.fields {
		if f.required {
			out = append(out, "spec."+f.name)
		}
	}
	return out
}
