package kpi

import (
	"strings"
	"time"
)

// TShapeWindow is how far back T-shapedness looks.
const TShapeWindow = 90 * day

// tShaped is the share (percent) of the engineers who merged a pull request
// in the 90 days before to whose merges reached repositories of two or more
// catalog Systems, or of two or more Domains, among those who merged into a
// repository the catalog places in a System at all.
func tShaped(f *Facts, to time.Time) Figure {
	repos := map[string]Repo{}
	for _, r := range f.Repos {
		repos[strings.ToLower(r.Name)] = r
	}
	systems := map[string]map[string]bool{}
	domains := map[string]map[string]bool{}
	for _, m := range f.Merges {
		if isBot(m.Author) || !in(m.MergedAt, to.Add(-TShapeWindow), to) {
			continue
		}
		a := strings.ToLower(m.Author)
		if systems[a] == nil {
			systems[a], domains[a] = map[string]bool{}, map[string]bool{}
		}
		r := repos[strings.ToLower(m.Repo)]
		for _, s := range r.Systems {
			systems[a][s] = true
		}
		for _, d := range r.Domains {
			domains[a][d] = true
		}
	}
	n, people := 0, 0
	for a := range systems {
		if len(systems[a]) == 0 {
			continue // merged only where the catalog names no System: not measurable
		}
		people++
		if len(systems[a]) >= 2 || len(domains[a]) >= 2 {
			n++
		}
	}
	if people < MinPeople {
		return notEnough(people, n)
	}
	return Figure{Value: ptr(round(100 * float64(n) / float64(people))), People: people, Count: n}
}

// fragmentation is the Shannon entropy (bits) of the repositories seen
// before to, by what of returns for each (the template they were made
// from; "" leaves a repository out), with the top three values. 0 bits is
// one value everywhere; each further bit doubles the number of equally
// common values.
func fragmentation(f *Facts, to time.Time, of func(Repo) string) Figure {
	return weightedFragmentation(f, to, func(r Repo) map[string]float64 {
		if v := of(r); v != "" {
			return map[string]float64{v: 1}
		}
		return nil
	})
}

// languageFragmentation is the entropy of the languages of the repositories
// seen before to, each repository counting once, split between its
// languages by GitHub's language bytes (a repository of 900 bytes of Go and
// 100 of Shell is 0.9 Go and 0.1 Shell); a repository whose bytes are not
// known counts wholly for its primary language.
func languageFragmentation(f *Facts, to time.Time) Figure {
	return weightedFragmentation(f, to, func(r Repo) map[string]float64 {
		var total int64
		for _, n := range r.Languages {
			total += max(n, 0)
		}
		if total == 0 {
			if r.Language == "" {
				return nil
			}
			return map[string]float64{r.Language: 1}
		}
		w := make(map[string]float64, len(r.Languages))
		for l, n := range r.Languages {
			if n > 0 {
				w[l] = float64(n) / float64(total)
			}
		}
		return w
	})
}

// weightedFragmentation is the entropy of the sum over the repositories
// seen before to of what of weighs for each (nil leaves one out), Count
// the repositories that weighed something.
func weightedFragmentation(f *Facts, to time.Time, of func(Repo) map[string]float64) Figure {
	sums := map[string]float64{}
	n := 0
	for _, r := range f.Repos {
		if !r.FirstSeen.Before(to) {
			continue
		}
		w := of(r)
		if len(w) == 0 {
			continue
		}
		for k, v := range w {
			sums[k] += v
		}
		n++
	}
	if n == 0 {
		return Figure{Reason: "no repositories"}
	}
	h, top := entropy(sums, 3)
	return Figure{Value: ptr(h), Count: n, Parts: top}
}

// frameworkFragmentation is the entropy of the dependencies (name and
// major version, see Manifests) that the root manifests of the
// repositories seen before to declared before to, each declaration
// counting once; its parts are the three most declared, as the share of
// those repositories that declare them.
func frameworkFragmentation(f *Facts, to time.Time) Figure {
	counts := map[string]float64{}
	n := 0
	for _, r := range f.Repos {
		if !r.FirstSeen.Before(to) {
			continue
		}
		declared := false
		for _, fw := range r.Frameworks {
			if fw.Since.Before(to) {
				counts[fw.Name]++
				declared = true
			}
		}
		if declared {
			n++
		}
	}
	if n == 0 {
		return Figure{Reason: "no repositories with a go.mod, package.json or pom.xml"}
	}
	h, top := entropy(counts, 3)
	for i := range top {
		top[i].Value = ptr(round(100 * counts[top[i].Name] / float64(n)))
	}
	return Figure{Value: ptr(h), Count: n, Parts: top}
}

// scaffoldLeadTime is, in minutes, the time from a scaffold request to
// GitHub's creation of its repository, for the repositories created in
// [from, to).
func scaffoldLeadTime(f *Facts, from, to time.Time) Figure {
	var mins []float64
	people := map[string]bool{}
	for _, s := range f.Scaffolds {
		created, ok := f.RepoCreated[strings.ToLower(s.Target)]
		if !ok || !in(created, from, to) || created.Before(s.Requested) {
			continue
		}
		mins = append(mins, created.Sub(s.Requested).Minutes())
		people[strings.ToLower(s.Author)] = true
	}
	return durations(mins, len(people))
}

// scaffoldShare is the share (percent) of the repositories created in
// [from, to) that a scaffold request created.
func scaffoldShare(f *Facts, from, to time.Time) Figure {
	scaffolded := map[string]bool{}
	for _, s := range f.Scaffolds {
		scaffolded[strings.ToLower(s.Target)] = true
	}
	created, fromTemplate := 0, 0
	for repo, at := range f.RepoCreated {
		if !in(at, from, to) {
			continue
		}
		created++
		if scaffolded[repo] {
			fromTemplate++
		}
	}
	if created < MinPeople {
		return Figure{Count: created, Reason: "not enough data"}
	}
	return Figure{Value: ptr(round(100 * float64(fromTemplate) / float64(created))), Count: created}
}
