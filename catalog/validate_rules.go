package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// problems collects what validation finds, in the order it finds it.
type problems []FieldError

func (ps *problems) add(field, format string, args ...any) {
	*ps = append(*ps, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// A valueCheck checks the value of the field at path (metadata.name,
// spec.owner), which is there and not null.
type valueCheck func(ps *problems, path string, v any)

// A metadataRule is Backstage's rule for one field of metadata.
type metadataRule struct {
	field string
	// absent is the problem when the field is missing or null; "" when it
	// may be left out.
	absent string
	// null is the problem when the field is written with no value; "" to
	// treat that as absent.
	null  string
	check valueCheck
}

// metadataRules are checked in this order, which is the order their
// problems are reported in.
var metadataRules = []metadataRule{
	{field: "name", absent: "missing", check: validString(ValidName, "name", nameRule)},
	{field: "namespace", null: "empty (leave it out for the default namespace)", check: validString(ValidNamespace, "namespace", namespaceRule)},
	{field: "title", check: isString},
	{field: "description", check: isString},
	{field: "uid", check: isString},
	{field: "etag", check: isString},
	{field: "title", check: notEmpty},
	{field: "labels", check: stringMap(func(s string) bool { return s == "" || ValidName(s) }, "empty, or "+nameRule)},
	{field: "annotations", check: stringMap(nil, "")},
	{field: "tags", check: checkTags},
	{field: "links", check: checkLinks},
}

func validateMetadata(md map[string]any) []FieldError {
	var ps problems
	for _, r := range metadataRules {
		path := "metadata." + r.field
		v, present := md[r.field]
		switch {
		case present && v == nil && r.null != "":
			ps.add(path, "%s", r.null)
		case v == nil:
			if r.absent != "" {
				ps.add(path, "%s", r.absent)
			}
		default:
			r.check(&ps, path, v)
		}
	}
	return ps
}

// validString wants a string that valid accepts: a what, by rule.
func validString(valid func(string) bool, what, rule string) valueCheck {
	return func(ps *problems, path string, v any) {
		switch s, ok := v.(string); {
		case !ok:
			ps.add(path, "must be a string")
		case !valid(s):
			ps.add(path, "%q is not a valid %s: %s", s, what, rule)
		}
	}
}

func isString(ps *problems, path string, v any) {
	if _, ok := v.(string); !ok {
		ps.add(path, "must be a string")
	}
}

// notEmpty refuses the empty string; a value of another type is isString's.
func notEmpty(ps *problems, path string, v any) {
	if s, ok := v.(string); ok && s == "" {
		ps.add(path, "must not be empty")
	}
}

// stringMap wants a mapping of valid keys to strings, each of which value
// accepts (any string when value is nil).
func stringMap(value func(string) bool, valueRule string) valueCheck {
	return func(ps *problems, path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			ps.add(path, "must be a mapping of strings")
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			p := path + "." + k
			if !validKey(k) {
				ps.add(p, "%q is not a valid key: [prefix/]name, the prefix a DNS name, the name %s", k, nameRule)
			}
			s, ok := m[k].(string)
			if !ok {
				ps.add(p, "must be a string (quote it)")
				continue
			}
			if value != nil && !value(s) {
				ps.add(p, "%q is not a valid value: %s", s, valueRule)
			}
		}
	}
}

func checkTags(ps *problems, path string, v any) {
	tags, ok := v.([]any)
	if !ok {
		ps.add(path, "must be a list of strings")
	}
	for i, t := range tags {
		s, ok := t.(string)
		if !ok || !ValidTag(s) {
			ps.add(fmt.Sprintf("%s[%d]", path, i), "%q is not a valid tag: %s", fmt.Sprint(t), tagRule)
		}
	}
}

func checkLinks(ps *problems, path string, v any) {
	links, ok := v.([]any)
	if !ok {
		ps.add(path, "must be a list of links")
	}
	for i, l := range links {
		checkLink(ps, fmt.Sprintf("%s[%d]", path, i), l)
	}
}

func checkLink(ps *problems, p string, l any) {
	lm, ok := l.(map[string]any)
	if !ok {
		ps.add(p, "must be a mapping with url")
		return
	}
	switch u, ok := lm["url"].(string); {
	case lm["url"] == nil:
		ps.add(p+".url", "missing")
	case !ok:
		ps.add(p+".url", "must be a string")
	case !validURL(u):
		ps.add(p+".url", "%q is not an absolute URL", u)
	}
	for _, f := range []string{"title", "icon", "type"} {
		if fv, present := lm[f]; present {
			if s, ok := fv.(string); !ok || s == "" {
				ps.add(p+"."+f, "must be a non-empty string")
			}
		}
	}
}

// specChecks check a spec field's value by the field's type.
var specChecks = map[fieldType]func(ps *problems, path string, v any, f specField){
	tString:          checkSpecString,
	tStrings:         checkSpecStrings,
	tObject:          func(ps *problems, path string, v any, _ specField) { checkMapping(ps, path, v) },
	tObjects:         checkSpecObjects,
	tObjectOrObjects: checkSpecObjectOrObjects,
}

// kindChecks are a kind's rules beyond the types of its fields.
var kindChecks = map[string]func(ps *problems, spec map[string]any){
	"Group":    checkProfileOf,
	"User":     checkProfileOf,
	"Template": checkStepActions,
}

func validateSpec(kind string, rule kindRule, spec map[string]any) []FieldError {
	var ps problems
	for _, f := range rule.fields {
		p := "spec." + f.name
		v, present := spec[f.name]
		if !present || v == nil {
			if f.required {
				ps.add(p, "missing (required for kind %s)", kind)
			}
			continue
		}
		if check := specChecks[f.typ]; check != nil {
			check(&ps, p, v, f)
		}
	}
	if check := kindChecks[kind]; check != nil {
		check(&ps, spec)
	}
	return ps
}

func checkSpecString(ps *problems, p string, v any, f specField) {
	s, ok := v.(string)
	switch {
	case !ok:
		ps.add(p, "must be a string")
		return
	case s == "":
		ps.add(p, "must not be empty")
		return
	}
	if len(f.enum) > 0 && !slices.Contains(f.enum, s) {
		ps.add(p, "%q is not one of %s", s, strings.Join(f.enum, ", "))
	}
	checkRefField(ps, p, s, f.refKind)
}

func checkSpecStrings(ps *problems, p string, v any, f specField) {
	eachItem(ps, p, v, "must be a list of strings", func(ip string, it any) {
		if s, ok := it.(string); !ok || s == "" {
			ps.add(ip, "must be a non-empty string")
		} else {
			checkRefField(ps, ip, s, f.refKind)
		}
	})
}

// eachItem calls check with each item of the list v and its path; when v
// is not a list, that is the problem notList.
func eachItem(ps *problems, p string, v any, notList string, check func(ip string, it any)) {
	items, ok := v.([]any)
	if !ok {
		ps.add(p, "%s", notList)
		return
	}
	for i, it := range items {
		check(fmt.Sprintf("%s[%d]", p, i), it)
	}
}

// checkRefField checks that s is an entity ref, when the field holds refs
// (refKind is set).
func checkRefField(ps *problems, p, s, refKind string) {
	if refKind == "" {
		return
	}
	if msg := checkRef(s, refKind); msg != "" {
		ps.add(p, "%s", msg)
	}
}

func checkMapping(ps *problems, p string, v any) {
	if _, ok := v.(map[string]any); !ok {
		ps.add(p, "must be a mapping")
	}
}

func checkSpecObjects(ps *problems, p string, v any, _ specField) {
	eachItem(ps, p, v, "must be a list of mappings", func(ip string, it any) { checkMapping(ps, ip, it) })
}

func checkSpecObjectOrObjects(ps *problems, p string, v any, f specField) {
	switch v.(type) {
	case map[string]any:
	case []any:
		checkSpecObjects(ps, p, v, f)
	default:
		ps.add(p, "must be a mapping or a list of mappings")
	}
}

func checkProfileOf(ps *problems, spec map[string]any) {
	p, ok := spec["profile"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"displayName", "email", "picture"} {
		if v, present := p[k]; present && v != nil {
			if s, ok := v.(string); !ok || s == "" {
				ps.add("spec.profile."+k, "must be a non-empty string")
			}
		}
	}
}

// checkStepActions wants each of a Template's steps to name its action.
func checkStepActions(ps *problems, spec map[string]any) {
	steps, _ := spec["steps"].([]any)
	for i, st := range steps {
		m, ok := st.(map[string]any)
		if !ok {
			continue // reported with the field's type
		}
		p := fmt.Sprintf("spec.steps[%d].action", i)
		if a, ok := m["action"].(string); !ok || a == "" {
			if m["action"] == nil {
				ps.add(p, "missing (each step names its action, e.g. fetch:template)")
			} else {
				ps.add(p, "must be a non-empty string")
			}
		}
	}
}
