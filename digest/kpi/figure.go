package kpi

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// MinPeople is the fewest people a figure may be built on; below it the
// figure is "not enough data".
const MinPeople = 5

// Figure is one KPI over one window.
type Figure struct {
	// Value is the figure; nil when there is not enough data.
	Value *float64 `json:"value"`
	// P90 is the 90th percentile, for the KPIs that are durations.
	P90 *float64 `json:"p90,omitempty"`
	// People is how many people the figure is built on (0 for figures
	// about repositories).
	People int `json:"people"`
	// Count is how many items (pull requests, deployments, repositories,
	// answers) it is built on.
	Count int `json:"count"`
	// Parts break the figure down (top languages, features); a part built on
	// too few people has no value either.
	Parts []Part `json:"parts,omitempty"`
	// Reason says why there is no value.
	Reason string `json:"reason,omitempty"`
}

// Part is one line of a figure's breakdown.
type Part struct {
	Name   string   `json:"name"`
	Value  *float64 `json:"value"`
	Second *float64 `json:"second,omitempty"`
}

// Enough reports whether the figure has a value.
func (f Figure) Enough() bool { return f.Value != nil }

func ptr(v float64) *float64 { return &v }

// notEnough is a figure built on too few people.
func notEnough(people, count int) Figure {
	return Figure{People: people, Count: count, Reason: "not enough data"}
}

// median is the middle value (the mean of the two middle ones for an even count).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// p90 is the nearest-rank 90th percentile: the ceil(0.9·n)-th smallest value.
func p90(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	k := int(math.Ceil(0.9*float64(len(s)))) - 1
	return s[max(k, 0)]
}

// durations is a median and p90 figure, or not enough data below MinPeople.
func durations(xs []float64, people int) Figure {
	if people < MinPeople || len(xs) == 0 {
		return notEnough(people, len(xs))
	}
	return Figure{Value: ptr(round(median(xs))), P90: ptr(round(p90(xs))), People: people, Count: len(xs)}
}

// round keeps two decimals, so figures compare and print the same everywhere.
func round(v float64) float64 { return math.Round(v*100) / 100 }

// entropy is the Shannon entropy, in bits, of a distribution given as
// weights (counts, or shares of repositories), with its top values as
// shares (percent) of the whole, largest first.
func entropy(weights map[string]float64, top int) (float64, []Part) {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	type kv struct {
		k string
		w float64
	}
	var all []kv
	h := 0.0
	for k, w := range weights {
		if w <= 0 {
			continue
		}
		p := w / total
		h -= p * math.Log2(p)
		all = append(all, kv{k, w})
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Or(cmp.Compare(b.w, a.w), strings.Compare(a.k, b.k)) })
	var parts []Part
	for _, e := range all[:min(top, len(all))] {
		parts = append(parts, Part{Name: e.k, Value: ptr(round(100 * e.w / total))})
	}
	// -0 (one value everywhere) prints as 0.
	return round(h) + 0, parts
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// isBot reports a GitHub App account (dependabot[bot]), left out of every KPI.
func isBot(login string) bool { return strings.HasSuffix(strings.ToLower(login), "[bot]") }

const day = 24 * time.Hour
