package githubapp

import (
	"context"
	"testing"

	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/internal/fakegithub"
)

// stackOrg is five repositories of Octocoders as GitHub knows them:
// language bytes and root manifests.
func stackOrg(gh *fakegithub.Server, withStacks bool) {
	repos := []fakegithub.Repo{
		{ID: 901, FullName: "Octocoders/a", Language: "Go", Languages: map[string]int64{"Go": 900, "Shell": 100}},
		{ID: 902, FullName: "Octocoders/b", Language: "Go", Languages: map[string]int64{"Go": 1000}},
		{ID: 903, FullName: "Octocoders/c", Language: "TypeScript", Languages: map[string]int64{"TypeScript": 750, "JavaScript": 250}},
		{ID: 904, FullName: "Octocoders/d", Language: "Java", Languages: map[string]int64{"Java": 1000}},
		{ID: 905, FullName: "Octocoders/e", Language: "Python"}, // GitHub's primary language only
	}
	for _, r := range repos {
		if !withStacks {
			r.Language, r.Languages = "", nil
		}
		gh.AddRepo(1, r)
	}
	if !withStacks {
		return
	}
	gh.SetFile("Octocoders/a", "main", "go.mod", []byte(`module github.com/octocoders/a

go 1.22

require (
	github.com/gin-gonic/gin v1.10.0
	github.com/stretchr/testify v1.9.0
	golang.org/x/sys v0.20.0 // indirect
)
`))
	gh.SetFile("Octocoders/b", "main", "go.mod", []byte("module github.com/octocoders/b\n\ngo 1.22\n\nrequire github.com/labstack/echo/v4 v4.12.0\nrequire github.com/stretchr/testify v1.8.4\n"))
	gh.SetFile("Octocoders/c", "main", "package.json", []byte(`{"name": "c", "dependencies": {"express": "^4.18.2", "react": "^18.2.0"}, "devDependencies": {"jest": "^29.7.0"}}`))
	gh.SetFile("Octocoders/d", "main", "pom.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.octocoders</groupId>
  <artifactId>d</artifactId>
  <version>1.0.0</version>
  <properties><spring.version>3.2.0</spring.version></properties>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId><version>${spring.version}</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
  </dependencies>
</project>
`))
}

func figureOf(t *testing.T, series []kpi.Series, key string) kpi.Series {
	t.Helper()
	for _, s := range series {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("no KPI %s", key)
	return kpi.Series{}
}

func partsOf(f kpi.Figure) map[string]float64 {
	out := map[string]float64{}
	for _, p := range f.Parts {
		out[p.Name] = *p.Value
	}
	return out
}

// TestFragmentationFromBackfillAndPush: the backfill reads language bytes
// and root manifests in its one batched query (no call more than for the
// same organisation without them), a push re-reads a manifest only when
// its commits touched it, in one call, and language and framework
// fragmentation come out as worked out by hand.
func TestFragmentationFromBackfillAndPush(t *testing.T) {
	ctx := context.Background()
	sync := func(withStacks bool) (*kpiWorld, int, int) {
		w := newKPIWorld(t)
		stackOrg(w.h.gh, withStacks)
		w.at(day(2, 0))
		w.h.gh.ResetCalls()
		if _, err := w.h.app.Sync(ctx, SyncOptions{}); err != nil {
			t.Fatal(err)
		}
		return w, len(w.h.gh.Calls()), w.h.gh.CallCount("POST /graphql")
	}
	_, plainCalls, plainQueries := sync(false)
	w, calls, queries := sync(true)
	if calls != plainCalls || queries != plainQueries {
		t.Errorf("backfill with language bytes and manifests: %d calls (%d GraphQL), without: %d (%d); want no more", calls, queries, plainCalls, plainQueries)
	}
	if rejected := w.h.gh.GraphQLRejected(); len(rejected) > 0 {
		t.Errorf("GitHub's schema refused queries: %v", rejected)
	}

	// A push that touches no manifest makes no call; one that changes
	// c's package.json (react to 19, express dropped) reads it in one.
	push := func(files []any) {
		w.at(day(25, 12))
		w.h.gh.ResetCalls()
		w.deliver("push", w.example("push/with-installation.payload.json", map[string]any{
			"ref": "refs/heads/main", "deleted": false, "created": false, "forced": false,
			"after":         "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
			"repository.id": 903, "repository.name": "c", "repository.full_name": "Octocoders/c",
			"repository.default_branch": "main", "repository.language": "TypeScript",
			"commits": []any{map[string]any{"id": "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "message": "deps",
				"added": []any{}, "removed": []any{}, "modified": files}},
		}))
	}
	push([]any{"README.md"})
	if n := len(w.h.gh.Calls()); n != 0 {
		t.Errorf("a push touching no manifest made %d calls: %v", n, w.h.gh.Calls())
	}
	w.h.gh.SetFile("Octocoders/c", "main", "package.json", []byte(`{"name": "c", "dependencies": {"react": "^19.0.0"}}`))
	push([]any{"package.json", "src/index.ts"})
	if n, q := len(w.h.gh.Calls()), w.h.gh.CallCount("POST /graphql"); n != 1 || q != 1 {
		t.Errorf("a push touching package.json made %d calls (%d GraphQL), want one GraphQL query: %v", n, q, w.h.gh.Calls())
	}

	ds := digest.NewStore(w.h.st.db)
	f := &kpi.Facts{}
	if err := ds.LoadKPIFacts(ctx, f, day(1, 0), nil); err != nil {
		t.Fatal(err)
	}
	series := kpi.Compute(f, day(30, 0)) // this week [23 Nov, 30 Nov), last week [16, 23)

	// Languages, each repository counting once split by its bytes:
	// a Go .9 Shell .1, b Go 1, c TypeScript .75 JavaScript .25, d Java 1,
	// e Python 1 (its primary language, GitHub reporting no bytes but the
	// fake's one for it). Over 5 repositories: Go .38, Java .2, Python .2,
	// TypeScript .15, JavaScript .05, Shell .02.
	// H = .38·1.396 + 2·(.2·2.322) + .15·2.737 + .05·4.322 + .02·5.644
	//   = .5305 + .9288 + .4105 + .2161 + .1129 = 2.1987 → 2.2 bits.
	lang := figureOf(t, series, "language_fragmentation")
	if got := lang.This(); got.Value == nil || *got.Value != 2.2 || got.Count != 5 {
		t.Errorf("language fragmentation %+v, want 2.2 bits over 5 repositories", got)
	}
	if got := partsOf(lang.This()); got["Go"] != 38 || got["Java"] != 20 || got["Python"] != 20 || len(got) != 3 {
		t.Errorf("top languages %v, want Go 38 %%, Java 20 %%, Python 20 %%", got)
	}

	// Frameworks now: a gin@v1 testify@v1 (x/sys is indirect), b echo@v4
	// testify@v1, c react@19 (since the push), d spring-boot-starter-web@3
	// (junit is a test dependency): 6 declarations, testify twice.
	// H = (2/6)·log2(3) + 4·(1/6)·log2(6) = .5283 + 1.7233 = 2.2516 → 2.25.
	// Last week react@19 was not declared yet: 5 declarations over a, b, d,
	// H = (2/5)·log2(2.5) + 3·(1/5)·log2(5) = .5288 + 1.3932 = 1.922 → 1.92.
	fw := figureOf(t, series, "framework_fragmentation")
	if got := fw.This(); got.Value == nil || *got.Value != 2.25 || got.Count != 4 {
		t.Errorf("framework fragmentation this week %+v, want 2.25 bits over 4 repositories", got)
	}
	if got := fw.Last(); got.Value == nil || *got.Value != 1.92 || got.Count != 3 {
		t.Errorf("framework fragmentation last week %+v, want 1.92 bits over 3 repositories", got)
	}
	// testify is declared by 2 of the 4 repositories with a manifest; then,
	// by name among those declared once, echo and gin (1 of 4 each).
	want := map[string]float64{"github.com/stretchr/testify@v1": 50, "github.com/gin-gonic/gin@v1": 25, "github.com/labstack/echo@v4": 25}
	if got := partsOf(fw.This()); len(got) != 3 || got["github.com/stretchr/testify@v1"] != 50 || got["github.com/gin-gonic/gin@v1"] != 25 || got["github.com/labstack/echo@v4"] != 25 {
		t.Errorf("top frameworks %v, want %v", got, want)
	}
}
