package catalog

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// FieldError is a validation failure of one field of an entity.
type FieldError struct {
	Field   string
	Message string
}

func (f FieldError) Error() string { return f.Field + ": " + f.Message }

// Backstage's field format rules (catalog-model's KubernetesValidatorFunctions).
var (
	reObjectName = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	reDNSLabel   = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	reKind       = regexp.MustCompile(`^[a-zA-Z][a-z0-9A-Z]*$`)
	reVersion    = regexp.MustCompile(`^[a-z0-9A-Z]+$`)
	reTag        = regexp.MustCompile(`^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`)
)

const (
	nameRule      = "a string of 1–63 characters [a-zA-Z0-9] separated by [-_.]"
	namespaceRule = "1–63 lower-case letters and digits separated by -"
	tagRule       = "1–63 lower-case letters, digits and : + # separated by -"
)

// ValidName reports whether s is a valid entity name.
func ValidName(s string) bool { return len(s) >= 1 && len(s) <= 63 && reObjectName.MatchString(s) }

// ValidNamespace reports whether s is a valid namespace.
func ValidNamespace(s string) bool { return len(s) >= 1 && len(s) <= 63 && reDNSLabel.MatchString(s) }

// ValidTag reports whether s is a valid tag.
func ValidTag(s string) bool { return len(s) >= 1 && len(s) <= 63 && reTag.MatchString(s) }

func validDNSSubdomain(s string) bool {
	if len(s) < 1 || len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !ValidNamespace(part) {
			return false
		}
	}
	return true
}

// validPrefixed checks "[prefix/]suffix" keys (labels, annotations, apiVersion).
func validPrefixed(s string, suffix func(string) bool) bool {
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 1:
		return suffix(parts[0])
	case 2:
		return validDNSSubdomain(parts[0]) && suffix(parts[1])
	}
	return false
}

func validAPIVersion(s string) bool {
	return validPrefixed(s, func(v string) bool { return len(v) <= 63 && reVersion.MatchString(v) })
}

func validKey(s string) bool { return validPrefixed(s, ValidName) }

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

// ValidateRaw checks a decoded document (JSON shapes) against Backstage's
// envelope, metadata, field-format and per-kind spec rules. It returns every
// problem found, each naming its field.
func ValidateRaw(raw map[string]any) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		switch k {
		case "apiVersion", "kind", "metadata", "spec", "relations", "status":
		default:
			add(k, "unknown top-level field (an entity has apiVersion, kind, metadata, spec)")
		}
	}
	apiVersion, ok := raw["apiVersion"].(string)
	switch {
	case raw["apiVersion"] == nil:
		add("apiVersion", "missing")
	case !ok:
		add("apiVersion", "must be a string")
	case !validAPIVersion(apiVersion):
		add("apiVersion", "%q is not a valid apiVersion", apiVersion)
		apiVersion = "" // reported once, not again against the kind
	}
	kind, ok := raw["kind"].(string)
	var rule kindRule
	known := false
	switch {
	case raw["kind"] == nil:
		add("kind", "missing")
	case !ok:
		add("kind", "must be a string")
	case !reKind.MatchString(kind) || len(kind) > 63:
		add("kind", "%q is not a valid kind", kind)
	default:
		rule, known = kinds[kind]
		if !known {
			if c, ok := canonicalKind(kind); ok {
				add("kind", "unknown kind %q (did you mean %q?)", kind, c)
			} else {
				add("kind", "unknown kind %q; callboard knows %s", kind, strings.Join(Kinds(), ", "))
			}
		} else if apiVersion != "" {
			group, ver, _ := strings.Cut(apiVersion, "/")
			if group != rule.group || !slices.Contains(rule.vers, ver) {
				want := make([]string, len(rule.vers))
				for i, v := range rule.vers {
					want[i] = rule.group + "/" + v
				}
				add("apiVersion", "%s is not an apiVersion of kind %s (want %s)", apiVersion, kind, strings.Join(want, " or "))
			}
		}
	}
	md, ok := raw["metadata"].(map[string]any)
	if raw["metadata"] == nil {
		add("metadata", "missing")
	} else if !ok {
		add("metadata", "must be a mapping")
	} else {
		errs = append(errs, validateMetadata(md)...)
	}
	if s, present := raw["spec"]; present && s != nil {
		spec, ok := s.(map[string]any)
		if !ok {
			add("spec", "must be a mapping")
		} else if known {
			errs = append(errs, validateSpec(kind, rule, spec)...)
		}
	} else if known {
		// Every kind's schema requires spec, even Location's, which requires nothing in it.
		if req := requiredNames(rule); len(req) > 0 {
			add("spec", "missing (kind %s needs %s)", kind, strings.Join(req, ", "))
		} else {
			add("spec", "missing (kind %s needs a spec, even an empty one)", kind)
		}
	}
	return errs
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

func validateMetadata(md map[string]any) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	name, ok := md["name"].(string)
	switch {
	case md["name"] == nil:
		add("metadata.name", "missing")
	case !ok:
		add("metadata.name", "must be a string")
	case !ValidName(name):
		add("metadata.name", "%q is not a valid name: %s", name, nameRule)
	}
	if v, present := md["namespace"]; present {
		ns, ok := v.(string)
		switch {
		case v == nil:
			add("metadata.namespace", "empty (leave it out for the default namespace)")
		case !ok:
			add("metadata.namespace", "must be a string")
		case !ValidNamespace(ns):
			add("metadata.namespace", "%q is not a valid namespace: %s", ns, namespaceRule)
		}
	}
	for _, f := range []string{"title", "description", "uid", "etag"} {
		if v, present := md[f]; present && v != nil {
			if _, ok := v.(string); !ok {
				add("metadata."+f, "must be a string")
			}
		}
	}
	if t, ok := md["title"].(string); ok && t == "" {
		add("metadata.title", "must not be empty")
	}
	checkMap := func(field string, value func(string) bool, valueRule string) {
		v, present := md[field]
		if !present || v == nil {
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			add("metadata."+field, "must be a mapping of strings")
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			p := "metadata." + field + "." + k
			if !validKey(k) {
				add(p, "%q is not a valid key: [prefix/]name, the prefix a DNS name, the name %s", k, nameRule)
			}
			s, ok := m[k].(string)
			if !ok {
				add(p, "must be a string (quote it)")
				continue
			}
			if value != nil && !value(s) {
				add(p, "%q is not a valid value: %s", s, valueRule)
			}
		}
	}
	checkMap("labels", func(s string) bool { return s == "" || ValidName(s) }, "empty, or "+nameRule)
	checkMap("annotations", nil, "")
	if v, present := md["tags"]; present && v != nil {
		tags, ok := v.([]any)
		if !ok {
			add("metadata.tags", "must be a list of strings")
		}
		for i, t := range tags {
			s, ok := t.(string)
			if !ok || !ValidTag(s) {
				add(fmt.Sprintf("metadata.tags[%d]", i), "%q is not a valid tag: %s", fmt.Sprint(t), tagRule)
			}
		}
	}
	if v, present := md["links"]; present && v != nil {
		links, ok := v.([]any)
		if !ok {
			add("metadata.links", "must be a list of links")
		}
		for i, l := range links {
			p := fmt.Sprintf("metadata.links[%d]", i)
			lm, ok := l.(map[string]any)
			if !ok {
				add(p, "must be a mapping with url")
				continue
			}
			switch u, ok := lm["url"].(string); {
			case lm["url"] == nil:
				add(p+".url", "missing")
			case !ok:
				add(p+".url", "must be a string")
			case !validURL(u):
				add(p+".url", "%q is not an absolute URL", u)
			}
			for _, f := range []string{"title", "icon", "type"} {
				if fv, present := lm[f]; present {
					if s, ok := fv.(string); !ok || s == "" {
						add(p+"."+f, "must be a non-empty string")
					}
				}
			}
		}
	}
	return errs
}

func validateSpec(kind string, rule kindRule, spec map[string]any) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range rule.fields {
		p := "spec." + f.name
		v, present := spec[f.name]
		if !present || v == nil {
			if f.required {
				add(p, "missing (required for kind %s)", kind)
			}
			continue
		}
		switch f.typ {
		case tString:
			s, ok := v.(string)
			if !ok {
				add(p, "must be a string")
				continue
			}
			if s == "" {
				add(p, "must not be empty")
				continue
			}
			if len(f.enum) > 0 && !slices.Contains(f.enum, s) {
				add(p, "%q is not one of %s", s, strings.Join(f.enum, ", "))
			}
			if f.refKind != "" {
				if msg := checkRef(s, f.refKind); msg != "" {
					add(p, "%s", msg)
				}
			}
		case tStrings:
			items, ok := v.([]any)
			if !ok {
				add(p, "must be a list of strings")
				continue
			}
			for i, it := range items {
				ip := fmt.Sprintf("%s[%d]", p, i)
				s, ok := it.(string)
				if !ok || s == "" {
					add(ip, "must be a non-empty string")
					continue
				}
				if f.refKind != "" {
					if msg := checkRef(s, f.refKind); msg != "" {
						add(ip, "%s", msg)
					}
				}
			}
		case tObject:
			if _, ok := v.(map[string]any); !ok {
				add(p, "must be a mapping")
			}
		case tObjects:
			items, ok := v.([]any)
			if !ok {
				add(p, "must be a list of mappings")
				continue
			}
			for i, it := range items {
				if _, ok := it.(map[string]any); !ok {
					add(fmt.Sprintf("%s[%d]", p, i), "must be a mapping")
				}
			}
		case tObjectOrObjects:
			switch t := v.(type) {
			case map[string]any:
			case []any:
				for i, it := range t {
					if _, ok := it.(map[string]any); !ok {
						add(fmt.Sprintf("%s[%d]", p, i), "must be a mapping")
					}
				}
			default:
				add(p, "must be a mapping or a list of mappings")
			}
		}
	}
	switch kind {
	case "Group", "User":
		if p, ok := spec["profile"].(map[string]any); ok {
			errs = append(errs, checkProfile(p)...)
		}
	case "Template":
		steps, _ := spec["steps"].([]any)
		for i, st := range steps {
			m, ok := st.(map[string]any)
			if !ok {
				continue // reported above
			}
			p := fmt.Sprintf("spec.steps[%d].action", i)
			if a, ok := m["action"].(string); !ok || a == "" {
				if m["action"] == nil {
					add(p, "missing (each step names its action, e.g. fetch:template)")
				} else {
					add(p, "must be a non-empty string")
				}
			}
		}
	}
	return errs
}

// validURL is Backstage's isValidUrl (new URL(s) succeeds): an absolute URL.
func validURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return u.Host != ""
	}
	return true
}

func checkProfile(p map[string]any) []FieldError {
	var errs []FieldError
	for _, k := range []string{"displayName", "email", "picture"} {
		if v, present := p[k]; present && v != nil {
			if s, ok := v.(string); !ok || s == "" {
				errs = append(errs, FieldError{Field: "spec.profile." + k, Message: "must be a non-empty string"})
			}
		}
	}
	return errs
}

func checkRef(s, defaultKind string) string {
	d := RefDefaults{}
	if defaultKind != "*" {
		d.Kind = defaultKind
	}
	// Only the shape is checked, as Backstage's processors do with parseEntityRef:
	// Backstage accepts owner: web@example.com (its own templates do), so a name
	// that would not be a valid entity name is a dangling ref, not a broken file.
	if _, err := ParseRef(s, d); err != nil {
		if defaultKind == "*" && !strings.Contains(s, ":") {
			return fmt.Sprintf("%q must name its kind (e.g. component:%s or resource:%s)", s, s, s)
		}
		return err.Error()
	}
	return ""
}
