package main

import (
	"fmt"
	"syscall"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/onboarding"
)

// onboardingFigures times onboarding's inference and its check of the
// proposed file (onboarding.Infer, onboarding.Check) over n repositories of
// mixed shapes, as an organisation's first run meets them; what GitHub and
// the database cost is counted in calls, not timed (the README says how many).
func onboardingFigures(n int) ([]figure, error) {
	org, facts, err := onboardingOrg(n)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	mark := markCPU()
	cpu0 := cpuTime()
	start := time.Now()
	proposed := 0
	for _, f := range facts {
		p, err := onboarding.Infer(f, org, now)
		if err != nil {
			return nil, err
		}
		if p.NeedsOwner() {
			continue
		}
		if err := onboarding.Check(p, org, "catalog-info.yaml"); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Repo, err)
		}
		proposed++
	}
	took, cpu := time.Since(start), cpuTime()-cpu0
	return []figure{{
		name: fmt.Sprintf("onboarding: inference and check per repository at %d repositories (%d proposals)", n, proposed),
		value: fmt.Sprintf("%.0f µs wall, %.0f µs CPU (%.2f s in all)", float64(took.Microseconds())/float64(n),
			float64(cpu.Microseconds())/float64(n), took.Seconds()),
		target: "< 1 ms", stolen: mark.stolen(),
	}}, nil
}

// onboardingOrg is an organisation of 100 teams and n repositories of
// mixed shapes: owned by CODEOWNERS, by team permissions, by committers,
// or by nobody.
func onboardingOrg(n int) (onboarding.Org, []onboarding.Facts, error) {
	const teams = 100
	org := onboarding.Org{Groups: map[string]onboarding.Group{}, MemberOf: map[string][]string{}, Systems: map[string][]string{}}
	for t := range teams {
		name := fmt.Sprintf("team-%d", t)
		org.Groups[name] = onboarding.Group{Ref: "group:default/" + name, Name: name, TeamSlug: "bench/" + name}
		for k := range 3 {
			org.MemberOf[fmt.Sprintf("dev-%d-%d", t, k)] = []string{name}
		}
		if t%3 == 0 {
			org.Systems["group:default/"+name] = []string{fmt.Sprintf("system-%d", t)}
		}
	}
	now := time.Now()
	facts := make([]onboarding.Facts, n)
	for i := range facts {
		team := fmt.Sprintf("team-%d", i%teams)
		f := onboarding.Facts{Repo: fmt.Sprintf("bench/Service_%05d.api", i), Description: "Service number " + fmt.Sprint(i),
			Topics: []string{"bench", "tier-" + fmt.Sprint(i%3)}, Language: "Go", Homepage: "https://bench.example/" + fmt.Sprint(i),
			CreatedAt: now.AddDate(-1, 0, 0), PushedAt: now.AddDate(0, 0, -i%60),
			Files: []string{"README.md", "go.mod", ".github/workflows/ci.yml"}}
		switch i % 4 {
		case 0:
			co, err := catalog.ParseCodeowners([]byte("# owners\n* @bench/" + team + "\n/docs/ @bench/writers\n"))
			if err != nil {
				return org, nil, err
			}
			f.Codeowners, f.CodeownersPath = co, ".github/CODEOWNERS"
			f.Files = append(f.Files, "Dockerfile")
		case 1:
			f.TeamPermissions = map[string]string{team: "admin", "team-99": "push"}
			f.Files = append(f.Files, "mkdocs.yml")
		case 2:
			f.Committers = []string{fmt.Sprintf("dev-%d-0", i%teams), fmt.Sprintf("dev-%d-1", i%teams), "outsider"}
		case 3: // no evidence: needs an owner
		}
		facts[i] = f
	}
	return org, facts, nil
}

// cpuTime is the CPU time this process has used (user and system): on a
// machine shared with other work, wall time says more about the others.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
