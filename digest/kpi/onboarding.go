package kpi

import (
	"slices"
	"strings"
	"time"
)

// NewcomerWindow is how recently an engineer must have joined to count as a
// newcomer; Warmup is how long after callboard began recording merges a
// first merge is trusted to be someone's first.
const (
	NewcomerWindow = 90 * day
	Warmup         = 28 * day
)

// daysToNth is the days from joining (first org membership, or first merged
// PR when no membership was seen earlier) to the nth merged PR, for the
// engineers who joined in the 90 days before to and got there before to.
// Days to the first merged PR count only those seen joining before it.
func daysToNth(f *Facts, to time.Time, nth int) Figure {
	joined := map[string]time.Time{}
	viaMembership := map[string]bool{}
	for _, j := range f.Joins {
		l := strings.ToLower(j.Login)
		if t, ok := joined[l]; !ok || j.At.Before(t) {
			joined[l] = j.At
			viaMembership[l] = true
		}
	}
	merged := map[string][]time.Time{}
	for _, m := range f.Merges {
		if isBot(m.Author) || !m.MergedAt.Before(to) {
			continue
		}
		l := strings.ToLower(m.Author)
		merged[l] = append(merged[l], m.MergedAt)
	}
	for l, ts := range merged {
		first := slices.MinFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		if t, ok := joined[l]; !ok || first.Before(t) {
			joined[l] = first
			viaMembership[l] = false
		}
	}
	var days []float64
	for l, at := range joined {
		if !in(at, to.Add(-NewcomerWindow), to) {
			continue
		}
		if !viaMembership[l] && (nth == 1 || at.Before(f.Since.Add(Warmup))) {
			// Joined by a first merge: 0 days to it by definition (it would
			// only drag the median), and within the warm-up perhaps only the
			// first merge callboard saw.
			continue
		}
		ts := merged[l]
		if len(ts) < nth {
			continue
		}
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		days = append(days, ts[nth-1].Sub(at).Hours()/24)
	}
	return durations(days, len(days))
}
