package catalog

import (
	"cmp"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultNamespace is the namespace of an entity or ref that names none.
const DefaultNamespace = "default"

// Ref identifies an entity: kind, namespace and name. Comparison is
// case-insensitive; String prints it lower-case as kind:namespace/name.
type Ref struct {
	Kind      string
	Namespace string
	Name      string
}

// String prints the ref in its canonical, lower-case form.
func (r Ref) String() string {
	return strings.ToLower(r.Kind) + ":" + strings.ToLower(r.Namespace) + "/" + strings.ToLower(r.Name)
}

// IsZero reports whether r names nothing.
func (r Ref) IsZero() bool { return r.Name == "" }

// Equal compares refs case-insensitively.
func (r Ref) Equal(o Ref) bool { return r.String() == o.String() }

// RefDefaults are what a ref that omits its kind or namespace falls back to.
type RefDefaults struct {
	Kind      string
	Namespace string
}

// ParseRef reads "[kind:][namespace/]name". A ref without a kind takes
// d.Kind (an error when that is empty too); without a namespace, d.Namespace
// or "default".
func ParseRef(s string, d RefDefaults) (Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, fmt.Errorf("entity ref is empty")
	}
	r, err := splitRef(s)
	if err != nil {
		return Ref{}, err
	}
	if r.Kind == "" {
		if d.Kind == "" {
			return Ref{}, fmt.Errorf("entity ref %q names no kind and none is implied", s)
		}
		r.Kind = d.Kind
	}
	if r.Namespace == "" {
		r.Namespace = cmp.Or(d.Namespace, DefaultNamespace)
	}
	for _, part := range []string{r.Kind, r.Namespace, r.Name} {
		if strings.IndexFunc(part, badRefRune) >= 0 || !utf8.ValidString(part) {
			return Ref{}, fmt.Errorf("entity ref %q contains spaces, control characters or invalid UTF-8", s)
		}
	}
	if strings.ContainsAny(r.Kind, ":/") || strings.ContainsAny(r.Namespace, ":/") {
		return Ref{}, fmt.Errorf("entity ref %q is not of the form [kind:][namespace/]name", s)
	}
	return r, nil
}

// splitRef splits "[kind:][namespace/]name" into its parts, as written.
func splitRef(s string) (Ref, error) {
	var r Ref
	rest := s
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		r.Kind, rest = rest[:i], rest[i+1:]
		if r.Kind == "" {
			return Ref{}, fmt.Errorf("entity ref %q has an empty kind", s)
		}
		if strings.Contains(r.Kind, "/") {
			// "ns/a:b": the colon is in the name, which a name may not hold.
			return Ref{}, fmt.Errorf("entity ref %q is not of the form [kind:][namespace/]name", s)
		}
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		r.Namespace, rest = rest[:i], rest[i+1:]
		if r.Namespace == "" {
			return Ref{}, fmt.Errorf("entity ref %q has an empty namespace", s)
		}
	}
	r.Name = rest
	if r.Name == "" {
		return Ref{}, fmt.Errorf("entity ref %q has an empty name", s)
	}
	if strings.ContainsAny(r.Name, ":/") {
		return Ref{}, fmt.Errorf("entity ref %q is not of the form [kind:][namespace/]name", s)
	}
	return r, nil
}

// MustParseRef is ParseRef for refs known to be valid (tests, built-in data).
func MustParseRef(s string) Ref {
	r, err := ParseRef(s, RefDefaults{})
	if err != nil {
		panic(err)
	}
	return r
}

func badRefRune(c rune) bool {
	return unicode.IsSpace(c) || unicode.IsControl(c) || c == utf8.RuneError
}
