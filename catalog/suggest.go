package catalog

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
)

// suggest returns close matches for a query that found nothing: names that
// contain it, start like it, or are a few edits away.
func suggest(ctx context.Context, r OwnerReader, q string) ([]string, error) {
	names, err := r.Names(ctx)
	if err != nil {
		return nil, err
	}
	return suggestAmong(q, names, maxSuggestions), nil
}

// normalQuery is the part of a query names are compared with: lower case,
// after the last ":" or "/" (a ref, org/repo), unless it is a URL.
func normalQuery(q string) string {
	q = strings.ToLower(q)
	if i := strings.LastIndexAny(q, ":/"); i >= 0 && !strings.Contains(q, "://") {
		q = q[i+1:]
	}
	return q
}

// Suggest ranks names by closeness to q and returns at most n of them, as
// what a person would type: the name for entities, org/repo for repositories.
func Suggest(q string, names []NameEntry, n int) []string {
	q = normalQuery(q)
	if q == "" {
		return nil
	}
	best := map[string]int{} // label → score, lower is closer
	entityNames := map[string]bool{}
	limit := max(2, len(q)/3)
	for _, ne := range names {
		name := ne.Name
		short := name
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			short = name[i+1:]
		}
		score := suggestScore(q, short, limit)
		if score < 0 {
			continue
		}
		label := name
		if strings.HasPrefix(ne.Ref, "repo:") {
			label = strings.TrimPrefix(ne.Ref, "repo:")
		} else {
			entityNames[name] = true
		}
		if old, ok := best[label]; !ok || score < old {
			best[label] = score
		}
	}
	for l := range best {
		// A repository whose entity is already suggested adds nothing.
		if i := strings.IndexByte(l, '/'); i >= 0 && entityNames[l[i+1:]] {
			delete(best, l)
		}
	}
	labels := slices.Collect(maps.Keys(best))
	sort.Slice(labels, func(i, j int) bool {
		if best[labels[i]] != best[labels[j]] {
			return best[labels[i]] < best[labels[j]]
		}
		return labels[i] < labels[j]
	})
	return append(make([]string, 0, n), labels[:min(n, len(labels))]...)
}

// suggestScore is how close name is to q: 0 the same, 1 one starts the
// other, 2 it holds q, more a few edits away; -1 not close.
func suggestScore(q, name string, limit int) int {
	switch {
	case name == q:
		return 0
	case strings.HasPrefix(name, q) || strings.HasPrefix(q, name) && len(name) >= 3:
		return 1
	case strings.Contains(name, q) && len(q) >= 3:
		return 2
	}
	if d := levenshtein(q, name, limit); d <= limit {
		return 2 + d
	}
	return -1
}

// levenshtein is the edit distance between a and b, or limit+1 once it is
// certain to exceed limit (so long names cost little).
func levenshtein(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
