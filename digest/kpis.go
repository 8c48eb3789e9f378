package digest

import (
	"cmp"
	"slices"
	"time"
)

// workDays counts the Mondays to Fridays of [from, to) that have begun by now.
func workDays(from, to, now time.Time) int {
	n := 0
	for d := from; d.Before(to) && d.Before(now); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

func kpis(in Input, from, to time.Time) KPIs {
	m := in.Merges
	k := KPIs{Merges: m.Merges, Authors: m.Authors, Since: m.Since, NewcomersFrom: m.NewcomersFrom}
	k.WorkDays = max(workDays(from, to, in.Now), 1)
	if m.Authors > 0 {
		k.PerDevPerDay = float64(m.Merges) / float64(m.Authors) / float64(k.WorkDays)
	}
	if m.PrevAuthors > 0 {
		k.HasPrev = true
		k.Prev = float64(m.PrevMerges) / float64(m.PrevAuthors) / 5
	}
	var days []float64
	for _, n := range m.Newcomers {
		if d, ok := n.DaysToTenth(); ok {
			days = append(days, d)
		}
	}
	k.Reached = len(days)
	k.MedianDays = median(days)
	k.Newcomers = slices.Clone(m.Newcomers)
	slices.SortFunc(k.Newcomers, func(a, b Newcomer) int {
		return cmp.Or(a.First.Compare(b.First), cmp.Compare(a.Login, b.Login))
	})
	if len(k.Newcomers) > maxNewcomers {
		k.MoreNewcomers = len(k.Newcomers) - maxNewcomers
		k.Newcomers = k.Newcomers[:maxNewcomers]
	}
	return k
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
