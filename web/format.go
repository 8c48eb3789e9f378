package web

import (
	"fmt"
	"math"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// EntityPath is the web view's page of an entity (catalog.PagePath).
func EntityPath(ref catalog.Ref) string { return catalog.PagePath(ref) }

// refPath is EntityPath for a ref as stored (kind:namespace/name); "" when it does not parse.
func refPath(ref string) string {
	r, err := catalog.ParseRef(ref, catalog.RefDefaults{})
	if err != nil {
		return ""
	}
	return EntityPath(r)
}

// refName is the name part of a stored ref.
func refName(ref string) string {
	if i := strings.LastIndexAny(ref, ":/"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

// refKind is the kind part of a stored ref, as Backstage spells it.
func refKind(ref string) string {
	k, _, ok := strings.Cut(ref, ":")
	if !ok {
		return ""
	}
	return catalog.CanonicalKind(k)
}

// pct writes part of whole as a whole percentage.
func pct(part, whole int) string {
	return fmt.Sprintf("%.0f%%", math.Floor(catalog.Percent(part, whole)))
}

// kindPlural names a kind's entities: "components", "APIs".
func kindPlural(kind string, n int) string {
	k := catalog.CanonicalKind(kind)
	switch k {
	case "API":
		if n == 1 {
			return "API"
		}
		return "APIs"
	case "":
		return "entities"
	}
	w := strings.ToLower(k)
	if n == 1 {
		return w
	}
	if strings.HasSuffix(w, "y") {
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
}

// statusLabel is how a page names a repository status.
func statusLabel(s string) string {
	switch s {
	case catalog.RepoRegistered:
		return "Registered"
	case catalog.RepoInvalid:
		return "Invalid catalog file"
	case catalog.RepoCodeowners:
		return "CODEOWNERS only"
	case catalog.RepoNothing:
		return "Nothing"
	case catalog.RepoArchived:
		return "Archived"
	}
	return s
}

// checkLabel is how a page names a pull-request check's conclusion.
func checkLabel(outcome string) string {
	switch outcome {
	case "success":
		return "passing"
	case "neutral":
		return "passing with warnings"
	case "failure":
		return "failing"
	}
	return outcome
}

func lower(s string) string { return strings.ToLower(s) }
