package kpi

import (
	"slices"
	"strings"
	"time"
)

// shipment is a production deployment and the merged pull requests it
// shipped first.
type shipment struct {
	Deploy Deploy
	PRs    []Merge
}

// shipments follows each repository's production deployments in time order:
// a deployment ships the pull requests merged into its repository up to the
// deployed commit (the merge whose commit it deploys; when the commit is not
// a recorded merge, up to the deployment itself) that no earlier
// deployment shipped. Merges happen on the default branch one after the
// other, so "merged no later than the deployed merge" is "contained in it".
func shipments(f *Facts) []shipment {
	type commit struct{ repo, sha string }
	bySHA := map[commit]Merge{}
	byRepo := map[string][]Merge{}
	for _, m := range f.Merges {
		repo := strings.ToLower(m.Repo)
		if m.SHA != "" {
			bySHA[commit{repo, strings.ToLower(m.SHA)}] = m
		}
		byRepo[repo] = append(byRepo[repo], m)
	}
	for _, ms := range byRepo {
		slices.SortFunc(ms, func(a, b Merge) int { return a.MergedAt.Compare(b.MergedAt) })
	}
	deploys := slices.Clone(f.Deploys)
	slices.SortStableFunc(deploys, func(a, b Deploy) int { return a.At.Compare(b.At) })
	next := map[string]int{} // per repository, the first merge not shipped yet
	var out []shipment
	for _, d := range deploys {
		repo := strings.ToLower(d.Repo)
		upTo := d.At
		if m, ok := bySHA[commit{repo, strings.ToLower(d.SHA)}]; ok && m.MergedAt.Before(upTo) {
			upTo = m.MergedAt
		}
		ms := byRepo[repo]
		i := next[repo]
		s := shipment{Deploy: d}
		for ; i < len(ms) && !ms[i].MergedAt.After(upTo); i++ {
			s.PRs = append(s.PRs, ms[i])
		}
		next[repo] = i
		out = append(out, s)
	}
	return out
}

// deploysPerDeveloper is the production deployments of [from, to), each
// counted once for every author of a pull request it shipped, divided by
// the developers of the week (those who merged a pull request in it, or
// whose pull request was shipped in it).
func deploysPerDeveloper(f *Facts, ships []shipment, from, to time.Time) Figure {
	devs := map[string]bool{}
	for _, m := range f.Merges {
		if in(m.MergedAt, from, to) && !isBot(m.Author) {
			devs[strings.ToLower(m.Author)] = true
		}
	}
	credited, deploys := 0, 0
	for _, s := range ships {
		if !in(s.Deploy.At, from, to) {
			continue
		}
		deploys++
		authors := map[string]bool{}
		for _, pr := range s.PRs {
			if !isBot(pr.Author) {
				authors[strings.ToLower(pr.Author)] = true
			}
		}
		for a := range authors {
			devs[a] = true
		}
		credited += len(authors)
	}
	if len(devs) < MinPeople {
		return notEnough(len(devs), deploys)
	}
	return Figure{Value: ptr(round(float64(credited) / float64(len(devs)))), People: len(devs), Count: deploys}
}

// leadTime is, in hours, the time from a pull request's merge to the first
// production deployment that shipped it, for the deployments of [from, to).
func leadTime(ships []shipment, from, to time.Time) Figure {
	var hours []float64
	authors := map[string]bool{}
	for _, s := range ships {
		if !in(s.Deploy.At, from, to) {
			continue
		}
		for _, pr := range s.PRs {
			if isBot(pr.Author) {
				continue
			}
			authors[strings.ToLower(pr.Author)] = true
			hours = append(hours, s.Deploy.At.Sub(pr.MergedAt).Hours())
		}
	}
	return durations(hours, len(authors))
}
