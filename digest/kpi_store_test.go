package digest

import (
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/digest/kpi"
)

// TestKPIFactsAreIdempotent: a redelivered event changes nothing, the
// earliest join and first success are kept, and which environments are
// production is decided when reading.
func TestKPIFactsAreIdempotent(t *testing.T) {
	st := openStore(t, "")
	rs := NewStore(st.db)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rs.RecordMerge(ctx, "acme/shop", 1, "ana", t0))
	must(rs.RecordMergeCommit(ctx, "acme/shop", 1, "ABC123"))
	must(rs.RecordMergeCommit(ctx, "acme/shop", 1, "abc123"))
	must(rs.RecordJoin(ctx, "ana", t0))
	must(rs.RecordJoin(ctx, "ANA", t0.Add(-time.Hour)))
	must(rs.RecordJoin(ctx, "ana", t0.Add(time.Hour)))
	for i, env := range []string{"Production", "staging", "prod-eu", "preproduction"} {
		id := int64(i + 1)
		must(rs.RecordDeploy(ctx, "acme/shop", id, "ABC123", env, t0.Add(2*time.Hour)))
		must(rs.RecordDeploy(ctx, "acme/shop", id, "abc123", env, t0.Add(3*time.Hour))) // a later success of the same deployment
	}
	must(rs.RecordRepo(ctx, "acme/shop", "Go", time.Time{}, t0))
	must(rs.RecordRepo(ctx, "acme/shop", "", time.Time{}, t0.Add(time.Hour)))
	if err := rs.RecordDeploy(ctx, "shop", 9, "abc", "production", t0); err == nil {
		t.Error("a deployment of a repository that is not org/repo was recorded")
	}
	var f kpi.Facts
	must(rs.LoadKPIFacts(ctx, &f, time.Time{}, DefaultProductionEnvironments))
	if len(f.Merges) != 1 || f.Merges[0].SHA != "abc123" {
		t.Errorf("merges = %+v, want #1 with commit abc123", f.Merges)
	}
	if len(f.Joins) != 1 || !f.Joins[0].At.Equal(t0.Add(-time.Hour)) {
		t.Errorf("joins = %+v, want ana at 09:00", f.Joins)
	}
	var envs []string
	for _, d := range f.Deploys {
		envs = append(envs, d.Environment)
		if !d.At.Equal(t0.Add(2 * time.Hour)) {
			t.Errorf("deployment to %s at %v, want its first success %v", d.Environment, d.At, t0.Add(2*time.Hour))
		}
	}
	slices.Sort(envs)
	if len(envs) != 2 || envs[0] != "Production" || envs[1] != "prod-eu" {
		t.Errorf("production deployments to %v, want Production and prod-eu", envs)
	}
	if len(f.Repos) != 1 || f.Repos[0].Language != "Go" || !f.Repos[0].FirstSeen.Equal(t0) {
		t.Errorf("repos = %+v, want acme/shop in Go, first seen %v", f.Repos, t0)
	}
}
