package check

import (
	"sort"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// changes compares the base's entities with the head's.
func changes(base, head []*catalog.Entity, headValid bool) []Change {
	if !headValid && len(head) == 0 {
		return nil // an unreadable file says nothing about removals
	}
	before := map[string]*catalog.Entity{}
	for _, e := range base {
		before[e.Ref().String()] = e
	}
	var out []Change
	seen := map[string]bool{}
	for _, e := range head {
		ref := e.Ref().String()
		seen[ref] = true
		old, ok := before[ref]
		if !ok {
			out = append(out, Change{Ref: ref, Kind: "added"})
			continue
		}
		if o, n := ownerOf(old), ownerOf(e); o != n {
			out = append(out, Change{Ref: ref, Kind: "owner", From: o, To: n})
		}
		if o, n := old.SpecString("lifecycle"), e.SpecString("lifecycle"); o != n {
			out = append(out, Change{Ref: ref, Kind: "lifecycle", From: o, To: n})
		}
	}
	if headValid {
		for ref := range before {
			if !seen[ref] {
				out = append(out, Change{Ref: ref, Kind: "removed"})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return changeOrder[out[i].Kind] < changeOrder[out[j].Kind]
		}
		return out[i].Ref < out[j].Ref
	})
	return out
}

var changeOrder = map[string]int{"owner": 0, "removed": 1, "added": 2, "lifecycle": 3}

// ownerOf prints an entity's owner the way people say it: "payments", or
// "user:alice" for a user.
func ownerOf(e *catalog.Entity) string {
	ref, ok := e.OwnerRef()
	if !ok {
		return ""
	}
	if strings.EqualFold(ref.Kind, "group") && ref.Namespace == catalog.DefaultNamespace {
		return strings.ToLower(ref.Name)
	}
	return ref.String()
}
