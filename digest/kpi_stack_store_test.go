package digest

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest/kpi"
)

// TestRecordStacks: language bytes are replaced whole when read again and
// kept when not read; a manifest's dependencies are replaced, each keeping
// when it was first seen; a removed or unparsable manifest declares
// nothing; a bad batch writes nothing.
func TestRecordStacks(t *testing.T) {
	rs := NewStore(openStore(t, "").db)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(7 * 24 * time.Hour)
	load := func() map[string]kpi.Repo {
		t.Helper()
		var f kpi.Facts
		if err := rs.LoadKPIFacts(ctx, &f, time.Time{}, nil); err != nil {
			t.Fatal(err)
		}
		out := map[string]kpi.Repo{}
		for _, r := range f.Repos {
			out[r.Name] = r
		}
		return out
	}
	frameworks := func(r kpi.Repo) string {
		s := ""
		for _, f := range r.Frameworks {
			s += fmt.Sprintf("%s since %s; ", f.Name, f.Since.Format("01-02"))
		}
		return s
	}
	goMod := func(reqs string) []byte { return []byte("module x\n\ngo 1.22\n\nrequire (\n" + reqs + ")\n") }
	if err := rs.RecordStacks(ctx, []catalog.RepoStack{
		{Repo: "acme/api", Language: "Go", Languages: map[string]int64{"Go": 900, "Shell": 100},
			Manifests: map[string][]byte{"go.mod": goMod("\tgithub.com/gin-gonic/gin v1.9.0\n"), "package.json": nil, "pom.xml": nil}},
		{Repo: "acme/web", Language: "TypeScript", Manifests: map[string][]byte{"package.json": []byte(`{"dependencies": {"react": "^18.2.0"}}`)}},
	}, t0); err != nil {
		t.Fatal(err)
	}
	// A week later: api gains echo (gin bumped within v1), its bytes are
	// read again; web's package.json no longer parses; no languages read
	// for web.
	if err := rs.RecordStacks(ctx, []catalog.RepoStack{
		{Repo: "acme/api", Languages: map[string]int64{"Go": 2000}, Manifests: map[string][]byte{
			"go.mod": goMod("\tgithub.com/gin-gonic/gin v1.10.0\n\tgithub.com/labstack/echo/v4 v4.12.0\n")}},
		{Repo: "acme/web", Manifests: map[string][]byte{"package.json": []byte(`{"dependencies": `)}},
	}, t1); err != nil {
		t.Fatal(err)
	}
	got := load()
	api, web := got["acme/api"], got["acme/web"]
	if !maps.Equal(api.Languages, map[string]int64{"Go": 2000}) || api.Language != "Go" || !api.FirstSeen.Equal(t0) {
		t.Errorf("acme/api: %+v, want Go 2000 bytes only, primary Go, first seen %v", api, t0)
	}
	if want := "github.com/gin-gonic/gin@v1 since 11-02; github.com/labstack/echo@v4 since 11-09; "; frameworks(api) != want {
		t.Errorf("acme/api frameworks: %s\nwant %s", frameworks(api), want)
	}
	if web.Languages != nil || web.Language != "TypeScript" || len(web.Frameworks) != 0 {
		t.Errorf("acme/web: %+v, want no bytes, primary TypeScript, no frameworks (its package.json does not parse)", web)
	}
	// go.mod removed: api declares nothing.
	if err := rs.RecordStacks(ctx, []catalog.RepoStack{{Repo: "acme/api", Manifests: map[string][]byte{"go.mod": nil}}}, t1); err != nil {
		t.Fatal(err)
	}
	if api := load()["acme/api"]; len(api.Frameworks) != 0 || len(api.Languages) != 1 {
		t.Errorf("acme/api after its go.mod was removed: %+v, want no frameworks and its bytes kept", api)
	}
	// A batch with one bad entry writes nothing.
	err := rs.RecordStacks(ctx, []catalog.RepoStack{
		{Repo: "acme/new", Language: "Rust"},
		{Repo: "acme/odd", Manifests: map[string][]byte{"../etc/passwd": []byte("x")}},
	}, t1)
	if err == nil {
		t.Error("a manifest path that is not one of go.mod, package.json, pom.xml was recorded")
	}
	if _, ok := load()["acme/new"]; ok {
		t.Error("half a failed batch was written")
	}
}
