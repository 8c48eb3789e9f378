package kpi

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkCompute is a large organisation's year: 2,000 engineers, 1,000
// repositories, 200,000 merges, 20,000 production deployments, 300,000
// person-days of usage; every KPI over eight weeks.
func BenchmarkCompute(b *testing.B) {
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	f := &Facts{RepoCreated: map[string]time.Time{}, Teams: map[string][]string{}, PlatformTeam: "platform"}
	for i := range 1000 {
		f.Repos = append(f.Repos, Repo{Name: fmt.Sprintf("o/r%d", i), Language: []string{"Go", "TypeScript", "Java", "Python"}[i%4],
			Systems: []string{fmt.Sprintf("s%d", i%50)}, Domains: []string{fmt.Sprintf("d%d", i%7)}, Owner: []string{"platform", "x"}[i%2]})
	}
	for i := range 200000 {
		at := end.Add(-time.Duration(i) * 157 * time.Second)
		f.Merges = append(f.Merges, Merge{Repo: fmt.Sprintf("o/r%d", i%1000), Number: i, Author: fmt.Sprintf("e%d", i%2000), SHA: fmt.Sprintf("%x", i), MergedAt: at})
	}
	for i := range 20000 {
		f.Deploys = append(f.Deploys, Deploy{Repo: fmt.Sprintf("o/r%d", i%1000), SHA: fmt.Sprintf("%x", i*10), Environment: "production", At: end.Add(-time.Duration(i)*1570*time.Second + time.Hour)})
	}
	for i := range 300000 {
		f.Usage = append(f.Usage, Use{Plugin: "slack.owner", Actor: fmt.Sprintf("e%d", i%2000), At: end.Add(-time.Duration(i%90) * 24 * time.Hour)})
	}
	b.ResetTimer()
	for b.Loop() {
		Compute(f, end)
	}
}
