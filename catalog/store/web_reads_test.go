package store

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
)

// reposFixture stores one repository of each status, and the entities of
// the registered one.
func reposFixture(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	co := func(s string) *catalog.Codeowners {
		c, err := catalog.ParseCodeowners([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	repos := []*catalog.Repository{
		{FullName: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogStatus: catalog.StatusRegistered, Codeowners: co("* @acme/payments\n")},
		{FullName: "acme/broken", CatalogPath: "catalog-info.yaml", CatalogStatus: catalog.StatusInvalid},
		{FullName: "acme/legacy-billing", Codeowners: co("* @acme/payments\n")},
		{FullName: "acme/empty-owners", Codeowners: co("# only comments\n")}, // a file with no rule names no owner
		{FullName: "acme/scratch"},
		{FullName: "acme/old", Archived: true, CatalogStatus: catalog.StatusRegistered},
		{FullName: "acme/under_score%"},
	}
	for _, r := range repos {
		if err := st.PutRepository(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	reg := repos[0]
	decl := parse(t, "catalog-info.yaml", fileV1)
	if _, err := st.SyncRepository(ctx, reg, decl, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestRepositoryList(t *testing.T) {
	st := openTest(t)
	reposFixture(t, st)
	ctx := context.Background()
	names := func(p catalog.RepoListPage) []string {
		var out []string
		for _, r := range p.Repositories {
			out = append(out, r.FullName)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		q     catalog.RepoListQuery
		want  []string
		total int
	}{
		{"all by name", catalog.RepoListQuery{}, []string{"acme/broken", "acme/empty-owners", "acme/legacy-billing", "acme/old", "acme/payments-api", "acme/scratch", "acme/under_score%"}, 7},
		{"registered", catalog.RepoListQuery{Status: catalog.RepoRegistered}, []string{"acme/payments-api"}, 1},
		{"codeowners only", catalog.RepoListQuery{Status: catalog.RepoCodeowners}, []string{"acme/legacy-billing"}, 1},
		{"nothing", catalog.RepoListQuery{Status: catalog.RepoNothing}, []string{"acme/empty-owners", "acme/scratch", "acme/under_score%"}, 3},
		{"archived wins", catalog.RepoListQuery{Status: catalog.RepoArchived}, []string{"acme/old"}, 1},
		{"invalid", catalog.RepoListQuery{Status: catalog.RepoInvalid}, []string{"acme/broken"}, 1},
		{"text", catalog.RepoListQuery{Text: "PAY"}, []string{"acme/payments-api"}, 1},
		{"text is not a pattern", catalog.RepoListQuery{Text: "_"}, []string{"acme/under_score%"}, 1},
		{"by status", catalog.RepoListQuery{Sort: catalog.RepoSortStatus, Limit: 3}, []string{"acme/payments-api", "acme/broken", "acme/legacy-billing"}, 7},
		{"by status, reversed", catalog.RepoListQuery{Sort: catalog.RepoSortStatus, Desc: true, Limit: 1}, []string{"acme/old"}, 7},
		{"second page", catalog.RepoListQuery{Offset: 5, Limit: 5}, []string{"acme/scratch", "acme/under_score%"}, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := st.RepositoryList(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p); !slices.Equal(got, tc.want) {
				t.Errorf("repositories %v, want %v", got, tc.want)
			}
			if p.Total != tc.total {
				t.Errorf("total %d, want %d", p.Total, tc.total)
			}
		})
	}
	p, err := st.RepositoryList(ctx, catalog.RepoListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := map[string]int{"registered": 1, "invalid": 1, "codeowners": 1, "none": 3, "archived": 1}
	if !maps.Equal(p.ByStatus, wantCounts) {
		t.Errorf("counts %v, want %v", p.ByStatus, wantCounts)
	}
	if got := p.Owners["acme/payments-api"]; !slices.Equal(got, []string{"group:default/payments"}) {
		t.Errorf("owners of acme/payments-api %v, want group:default/payments", got)
	}
	// The SQL status agrees with the Go rule for every row.
	for _, r := range p.Repositories {
		want := catalog.RepoStatusOf(r)
		one, err := st.RepositoryList(ctx, catalog.RepoListQuery{Status: want, Text: r.FullName})
		if err != nil || !slices.Contains(names(one), r.FullName) {
			t.Errorf("%s: the SQL status disagrees with RepoStatusOf (%s): %v", r.FullName, want, err)
		}
	}
}

func TestUsageReads(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	week := time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)
	at := func(d int, h int) time.Time { return week.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour) }
	events := []catalog.UsageEvent{
		{Plugin: "slack.owner", Action: "owner", Actor: "U1", At: at(0, 1), Entity: "component:default/payments-api"},
		{Plugin: "slack.owner", Action: "owner", Actor: "U2", At: at(8, 1), Entity: "component:default/payments-api"},
		{Plugin: "github.pr-check", Action: "evaluate", Actor: "alice", At: at(8, 2), Entity: "acme/payments-api", Outcome: "failure"},
		{Plugin: "github.pr-check", Action: "evaluate", Actor: "bob", At: at(9, 2), Entity: "acme/payments-api", Outcome: "success"},
		{Plugin: "github.pr-check", Action: "evaluate", Actor: "carol", At: at(9, 3), Entity: "acme/other", Outcome: "failure"},
		{Plugin: "slack.owner", Action: "owner", Actor: "U1", At: at(20, 1), Entity: "component:default/payments-api"}, // after the range
	}
	if err := st.RecordUsage(ctx, events...); err != nil {
		t.Fatal(err)
	}
	last, err := st.LatestUsage(ctx, "github.pr-check", "acme/payments-api")
	if err != nil || last == nil || last.Outcome != "success" || last.Actor != "bob" {
		t.Errorf("latest check %+v, %v; want bob's success", last, err)
	}
	if none, err := st.LatestUsage(ctx, "github.pr-check", "acme/nothing"); none != nil || err != nil {
		t.Errorf("latest check of a repository never checked: %+v, %v", none, err)
	}
	bounds := []time.Time{week, week.AddDate(0, 0, 7), week.AddDate(0, 0, 14)}
	got, err := st.UsageOfEntities(ctx, []string{"component:default/payments-api", "acme/payments-api"}, bounds)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{"slack.owner": {1, 1}, "github.pr-check": {0, 2}}
	if len(got) != len(want) || !slices.Equal(got["slack.owner"], want["slack.owner"]) || !slices.Equal(got["github.pr-check"], want["github.pr-check"]) {
		t.Errorf("usage by week %v, want %v", got, want)
	}
	n, people, err := st.UsageTotals(ctx, week.AddDate(0, 0, 7), week.AddDate(0, 0, 14))
	if err != nil || n != 4 || people != 4 {
		t.Errorf("totals of the second week: %d events by %d people, %v; want 4 by 4", n, people, err)
	}
}

func TestWebKey(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	a, err := st.WebKey(ctx, "session")
	if err != nil || len(a) != 32 {
		t.Fatalf("key %x, %v; want 32 random bytes", a, err)
	}
	b, err := st.WebKey(ctx, "session")
	if err != nil || !bytes.Equal(a, b) {
		t.Errorf("second read %x, want the first key %x", b, a)
	}
	other, err := st.WebKey(ctx, "other")
	if err != nil || bytes.Equal(a, other) {
		t.Errorf("another name's key %x equals the first", other)
	}
}

func TestCountsForPages(t *testing.T) {
	st := openTest(t)
	reposFixture(t, st)
	ctx := context.Background()
	kinds, err := st.KindCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"component": 1, "api": 1, "group": 1}; !maps.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	owned, err := st.OwnedCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"group:default/payments": 2}; !maps.Equal(owned, want) {
		t.Errorf("owned %v, want %v", owned, want)
	}
}

func TestCatalogVersion(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	version := func() string {
		t.Helper()
		v, err := st.CatalogVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	empty := version()
	if version() != empty {
		t.Fatal("the version of an unchanged catalog changed")
	}
	reposFixture(t, st)
	filled := version()
	if filled == empty {
		t.Error("adding repositories and entities left the version as it was")
	}
	if _, err := st.ReplaceSource(ctx, "repo:acme/payments-api", nil, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	if version() == filled {
		t.Error("removing entities left the version as it was")
	}
}

func TestDeclaredLine(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	api := catalog.Ref{Kind: "API", Namespace: "default", Name: "payments-rest"}
	declare := func(yaml string, keepLines bool) catalog.ReplaceResult {
		t.Helper()
		ps, problems := catalog.ParseFile("catalog-info.yaml", []byte(yaml), nil)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		var decl []catalog.Declared
		for _, p := range ps {
			d := catalog.Declared{Entity: p.Entity, Location: "file:catalog-info.yaml"}
			if keepLines {
				d.Line = p.Line
			}
			decl = append(decl, d)
		}
		res, err := st.ReplaceSource(ctx, "file:catalog-info.yaml", decl, catalog.ReplaceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	line := func() int {
		t.Helper()
		n, err := st.DeclaredLine(ctx, api)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	declare(fileV1, true)
	first := line()
	if first < 5 {
		t.Fatalf("the API's document starts on line %d, want its line in the file", first)
	}
	// Two comment lines above it: the entity is unchanged, its line moves.
	res := declare("# comment\n# another\n"+fileV1, true)
	if len(res.Updated) != 0 || line() != first+2 {
		t.Errorf("after moving: updated %v, line %d; want none updated and line %d", res.Updated, line(), first+2)
	}
	// Declared again without lines (a rename): the line known is kept.
	declare(fileV1, false)
	if line() != first+2 {
		t.Errorf("line %d after a declaration without lines, want %d kept", line(), first+2)
	}
	if _, err := st.DeclaredLine(ctx, catalog.Ref{Kind: "API", Namespace: "default", Name: "nope"}); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("the line of an entity not in the catalog: %v, want ErrNotFound", err)
	}
}
