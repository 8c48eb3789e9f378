package catalog

import (
	"context"
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
	type cand struct {
		label string
		score int
	}
	best := map[string]int{}
	entityNames := map[string]bool{}
	limit := max(2, len(q)/3)
	for _, ne := range names {
		name := ne.Name
		short := name
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			short = name[i+1:]
		}
		score := -1
		switch {
		case short == q:
			score = 0
		case strings.HasPrefix(short, q) || strings.HasPrefix(q, short) && len(short) >= 3:
			score = 1
		case strings.Contains(short, q) && len(q) >= 3:
			score = 2
		default:
			if d := levenshtein(q, short, limit); d <= limit {
				score = 2 + d
			}
		}
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
	cands := make([]cand, 0, len(best))
	for l, s := range best {
		// A repository whose entity is already suggested adds nothing.
		if i := strings.IndexByte(l, '/'); i >= 0 && entityNames[l[i+1:]] {
			continue
		}
		cands = append(cands, cand{l, s})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score < cands[j].score
		}
		return cands[i].label < cands[j].label
	})
	out := make([]string, 0, n)
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, c.label)
	}
	return out
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
