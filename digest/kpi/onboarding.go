package kpi

import (
	"slices"
	"sort"
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

// person is an engineer as onboarding sees them: when they were first seen
// as a member (zero: never), their merges in time order, and their first
// merge ever when it is older than those (zero otherwise).
type person struct {
	member  time.Time
	merges  []time.Time
	earlier time.Time
}

// people indexes the joins and merges by login, once for every week.
func (v *view) people() map[string]*person {
	if v.byLogin != nil {
		return v.byLogin
	}
	v.byLogin = map[string]*person{}
	get := func(login string) *person {
		l := strings.ToLower(login)
		p := v.byLogin[l]
		if p == nil {
			p = &person{}
			v.byLogin[l] = p
		}
		return p
	}
	for _, j := range v.Joins {
		if p := get(j.Login); p.member.IsZero() || j.At.Before(p.member) {
			p.member = j.At
		}
	}
	for _, m := range v.Merges {
		if !isBot(m.Author) {
			p := get(m.Author)
			p.merges = append(p.merges, m.MergedAt)
		}
	}
	for _, p := range v.byLogin {
		slices.SortFunc(p.merges, func(a, b time.Time) int { return a.Compare(b) })
	}
	for login, first := range v.FirstMerge {
		if isBot(login) {
			continue
		}
		if p := get(login); len(p.merges) == 0 || first.Before(p.merges[0]) {
			p.earlier = first
		}
	}
	return v.byLogin
}

// joined is when p joined, as of to (before is how many of p's loaded
// merges came before it): first org membership, or the first merged PR
// when that is earlier (viaMembership false).
func (p *person) joined(before int, to time.Time) (joined time.Time, viaMembership bool) {
	joined, viaMembership = p.member, !p.member.IsZero()
	first := time.Time{}
	if before > 0 {
		first = p.merges[0]
	}
	if !p.earlier.IsZero() && p.earlier.Before(to) {
		// A merge older than those loaded: they joined before it, and
		// counting merges from the loaded ones would be wrong.
		first = p.earlier
	}
	if !first.IsZero() && (joined.IsZero() || first.Before(joined)) {
		joined, viaMembership = first, false
	}
	return joined, viaMembership
}

// daysToNth is the days from joining (first org membership, or first merged
// PR when no membership was seen earlier) to the nth merged PR, for the
// engineers who joined in the 90 days before to and got there before to.
// Days to the first merged PR count only those seen joining before it.
func daysToNth(v *view, to time.Time, nth int) Figure {
	var days []float64
	for _, p := range v.people() {
		before := sort.Search(len(p.merges), func(i int) bool { return !p.merges[i].Before(to) })
		joined, viaMembership := p.joined(before, to)
		if !p.earlier.IsZero() && joined.Before(to.Add(-NewcomerWindow)) {
			continue
		}
		if joined.IsZero() || !in(joined, to.Add(-NewcomerWindow), to) {
			continue
		}
		if !viaMembership && (nth == 1 || joined.Before(v.Since.Add(Warmup))) {
			// Joined by a first merge: 0 days to it by definition (it would
			// only drag the median), and within the warm-up perhaps only the
			// first merge callboard saw.
			continue
		}
		if before < nth {
			continue
		}
		days = append(days, p.merges[nth-1].Sub(joined).Hours()/24)
	}
	return durations(days, len(days))
}
