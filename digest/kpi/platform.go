package kpi

import (
	"slices"
	"strings"
	"time"
)

// MAUWindow is the window of monthly active users.
const MAUWindow = 30 * day

// Feature groups usage plugin ids into what people use.
func Feature(plugin string) string {
	switch {
	case strings.HasPrefix(plugin, "slack."):
		return "Slack"
	case plugin == "github.pr-check":
		return "PR checks"
	case plugin == "web":
		return "web view"
	case plugin == "catalog-api":
		return "API"
	case plugin == "scaffolder":
		return "scaffolder"
	}
	return "other tools"
}

// activeUsers is the monthly active users of the 30 days before to, and per
// feature the daily active users (the mean over the days of [from, to) of
// the distinct people a day) with that feature's monthly ones.
func activeUsers(f *Facts, from, to time.Time) (mau Figure, ratio Figure) {
	month := map[string]bool{}
	featMonth := map[string]map[string]bool{}
	daily := map[string]map[int]map[string]bool{} // feature ("" for all) → day → people
	for _, u := range f.Usage {
		if u.Actor == "" || isBot(u.Actor) {
			continue
		}
		a := strings.ToLower(u.Actor)
		ft := Feature(u.Plugin)
		if in(u.At, to.Add(-MAUWindow), to) {
			month[a] = true
			if featMonth[ft] == nil {
				featMonth[ft] = map[string]bool{}
			}
			featMonth[ft][a] = true
		}
		if in(u.At, from, to) {
			d := int(u.At.Sub(from) / day)
			for _, k := range []string{"", ft} {
				if daily[k] == nil {
					daily[k] = map[int]map[string]bool{}
				}
				if daily[k][d] == nil {
					daily[k][d] = map[string]bool{}
				}
				daily[k][d][a] = true
			}
		}
	}
	days := to.Sub(from).Hours() / 24
	dau := func(k string) float64 {
		n := 0
		for _, ppl := range daily[k] {
			n += len(ppl)
		}
		return round(float64(n) / days)
	}
	var parts []Part
	feats := make([]string, 0, len(featMonth))
	for ft := range featMonth {
		feats = append(feats, ft)
	}
	slices.Sort(feats)
	for _, ft := range feats {
		p := Part{Name: ft}
		if n := len(featMonth[ft]); n >= MinPeople {
			p.Value, p.Second = ptr(dau(ft)), ptr(float64(n))
		}
		parts = append(parts, p)
	}
	if len(month) < MinPeople {
		nf := notEnough(len(month), 0)
		return nf, nf
	}
	mau = Figure{Value: ptr(float64(len(month))), People: len(month), Parts: parts}
	ratio = Figure{Value: ptr(round(100 * dau("") / float64(len(month)))), People: len(month)}
	return mau, ratio
}

// plugins is the distinct plugin ids with usage in [from, to), broken down
// by the teams that own them.
func plugins(f *Facts, from, to time.Time) Figure {
	seen := map[string]bool{}
	for _, u := range f.Usage {
		if in(u.At, from, to) {
			seen[u.Plugin] = true
		}
	}
	teams := map[string]int{}
	for p := range seen {
		if t := f.PluginOwners[p]; t != "" {
			teams[t]++
		}
	}
	var parts []Part
	for t, n := range teams {
		parts = append(parts, Part{Name: t, Value: ptr(float64(n))})
	}
	slices.SortFunc(parts, func(a, b Part) int {
		if *a.Value != *b.Value {
			return int(*b.Value - *a.Value)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return Figure{Value: ptr(float64(len(seen))), Count: len(seen), Parts: parts}
}

// outsideContributions is the share (percent) of the pull requests merged in
// [from, to) into the platform team's repositories whose authors are not
// members of the platform team.
func outsideContributions(f *Facts, from, to time.Time) Figure {
	if f.PlatformTeam == "" {
		return Figure{Reason: "no platform team configured"}
	}
	platform := strings.ToLower(f.PlatformTeam)
	owned := map[string]bool{}
	for _, r := range f.Repos {
		if strings.EqualFold(r.Owner, platform) {
			owned[strings.ToLower(r.Name)] = true
		}
	}
	people := map[string]bool{}
	total, outside := 0, 0
	for _, m := range f.Merges {
		if isBot(m.Author) || !in(m.MergedAt, from, to) || !owned[strings.ToLower(m.Repo)] {
			continue
		}
		a := strings.ToLower(m.Author)
		people[a] = true
		total++
		if !slices.Contains(f.Teams[a], platform) {
			outside++
		}
	}
	if len(people) < MinPeople {
		return notEnough(len(people), total)
	}
	return Figure{Value: ptr(round(100 * float64(outside) / float64(total))), People: len(people), Count: total}
}

// pulse is the latest DX pulse round started before to: its mean score
// (0–10), with the response rate (percent) and the eNPS (promoters 9–10
// minus detractors 0–6, in points) as parts.
func pulse(f *Facts, to time.Time) Figure {
	var last *PulseRound
	for i := range f.Pulse {
		r := &f.Pulse[i]
		if r.Start.Before(to) && (last == nil || r.Start.After(last.Start)) {
			last = r
		}
	}
	if last == nil {
		return Figure{Reason: "no pulse round yet"}
	}
	n := len(last.Scores)
	if n < MinPeople {
		return notEnough(n, n)
	}
	sum, promoters, detractors := 0, 0, 0
	for _, s := range last.Scores {
		sum += s
		switch {
		case s >= 9:
			promoters++
		case s <= 6:
			detractors++
		}
	}
	parts := []Part{{Name: "eNPS", Value: ptr(round(100 * float64(promoters-detractors) / float64(n)))}}
	if last.Asked > 0 {
		parts = append(parts, Part{Name: "response rate", Value: ptr(round(100 * float64(n) / float64(last.Asked)))})
	}
	return Figure{Value: ptr(round(float64(sum) / float64(n))), People: n, Count: n, Parts: parts}
}
