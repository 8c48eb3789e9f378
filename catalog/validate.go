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

// ValidateRaw checks a decoded document (JSON shapes) against Backstage's
// envelope, metadata, field-format and per-kind spec rules. It returns every
// problem found, each naming its field.
func ValidateRaw(raw map[string]any) []FieldError {
	var ps problems
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		switch k {
		case "apiVersion", "kind", "metadata", "spec", "relations", "status":
		default:
			ps.add(k, "unknown top-level field (an entity has apiVersion, kind, metadata, spec)")
		}
	}
	apiVersion := checkAPIVersion(&ps, raw["apiVersion"])
	kind, rule, known := checkKind(&ps, raw["kind"], apiVersion)
	md, ok := raw["metadata"].(map[string]any)
	switch {
	case raw["metadata"] == nil:
		ps.add("metadata", "missing")
	case !ok:
		ps.add("metadata", "must be a mapping")
	default:
		ps = append(ps, validateMetadata(md)...)
	}
	if s, present := raw["spec"]; present && s != nil {
		spec, ok := s.(map[string]any)
		if !ok {
			ps.add("spec", "must be a mapping")
		} else if known {
			ps = append(ps, validateSpec(kind, rule, spec)...)
		}
	} else if known {
		// Every kind's schema requires spec, even Location's, which requires nothing in it.
		if req := requiredNames(rule); len(req) > 0 {
			ps.add("spec", "missing (kind %s needs %s)", kind, strings.Join(req, ", "))
		} else {
			ps.add("spec", "missing (kind %s needs a spec, even an empty one)", kind)
		}
	}
	return ps
}

// checkAPIVersion checks the apiVersion field and returns it, or "" when it
// is not one (reported once, not again against the kind).
func checkAPIVersion(ps *problems, v any) string {
	apiVersion, ok := v.(string)
	switch {
	case v == nil:
		ps.add("apiVersion", "missing")
	case !ok:
		ps.add("apiVersion", "must be a string")
	case !validAPIVersion(apiVersion):
		ps.add("apiVersion", "%q is not a valid apiVersion", apiVersion)
	default:
		return apiVersion
	}
	return ""
}

// checkKind checks the kind field, and apiVersion against it; known is
// false for a kind callboard has no rule for.
func checkKind(ps *problems, v any, apiVersion string) (kind string, rule kindRule, known bool) {
	kind, ok := v.(string)
	switch {
	case v == nil:
		ps.add("kind", "missing")
	case !ok:
		ps.add("kind", "must be a string")
	case !reKind.MatchString(kind) || len(kind) > 63:
		ps.add("kind", "%q is not a valid kind", kind)
	default:
		rule, known = kinds[kind]
		switch {
		case !known:
			if c, ok := canonicalKind(kind); ok {
				ps.add("kind", "unknown kind %q (did you mean %q?)", kind, c)
			} else {
				ps.add("kind", "unknown kind %q; callboard knows %s", kind, strings.Join(Kinds(), ", "))
			}
		case apiVersion != "":
			group, ver, _ := strings.Cut(apiVersion, "/")
			if group != rule.group || !slices.Contains(rule.vers, ver) {
				want := make([]string, len(rule.vers))
				for i, v := range rule.vers {
					want[i] = rule.group + "/" + v
				}
				ps.add("apiVersion", "%s is not an apiVersion of kind %s (want %s)", apiVersion, kind, strings.Join(want, " or "))
			}
		}
	}
	return kind, rule, known
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
