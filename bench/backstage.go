package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// Backstage's figures for issue 16's queries, measured on this machine
// with the real catalog backend (backend-defaults 0.19, catalog-backend
// 4.0.5, PostgreSQL 15) on the same catalog: the issue's table, and the
// run e2e/backstage/speed.mjs recorded in speed.json (under load), read
// from there by speedKey.
var backstageIssue = map[string]string{
	speedOwner:     "3.4 / 9.5 ms",
	speedAll:       "140–172 ms (5.5 MB)",
	speedOrder:     "35 ms",
	speedFacetKind: "6.6 ms",
	speedFacetType: "34.6 ms",
}

// The figures' names in speed.json.
const (
	speedOwner     = "by-query?filter=kind=component,relations.ownedBy=group:default/team-K&limit=100"
	speedAll       = "GET /entities?filter=kind=component"
	speedOrder     = "by-query?filter=kind=component&orderField=spec.type,asc&limit=100"
	speedFacetKind = "entity-facets?facet=kind"
	speedFacetType = "entity-facets?facet=spec.type"
)

// backstageFigure is Backstage's figure for a query: the issue's, and the
// recorded run's p50 / p99.
func backstageFigure(recorded map[string]speedFigure, key string) string {
	s := "issue: " + backstageIssue[key]
	if f, ok := recorded[key]; ok {
		s += fmt.Sprintf("; speed.json: %.1f / %.1f ms", f.P50, f.P99)
	}
	return s
}

type speedFigure struct {
	P50 float64 `json:"p50ms"`
	P99 float64 `json:"p99ms"`
}

// recordedSpeed reads e2e/backstage/speed.json's figures (none when it
// cannot be read: the issue's figures are still shown).
func recordedSpeed() map[string]speedFigure {
	var doc struct {
		Figures map[string]speedFigure `json:"figures"`
	}
	b, err := os.ReadFile(filepath.Join("e2e", "backstage", "speed.json"))
	if err != nil || json.Unmarshal(b, &doc) != nil {
		return nil
	}
	return doc.Figures
}

// examplesDir holds Backstage's example entities, which the Backstage run
// had beside the generated catalog.
var examplesDir = filepath.Join("..", "shared", "testdata", "backstage", "packages", "catalog-model", "examples")

// generateSpeedCatalog writes the catalog of issue 16's table (and of
// e2e/backstage/speed.mjs): 1,000 groups, and 10,000 components in files of
// 500, five types, three lifecycles, owned round-robin.
func generateSpeedCatalog(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	types := []string{"service", "website", "library", "documentation", "tool"}
	lifecycles := []string{"production", "experimental", "deprecated"}
	var docs []string
	for g := 0; g < 1000; g++ {
		docs = append(docs, fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-%d\nspec:\n  type: team\n  profile: {displayName: Team %d, email: team-%d@speed.example}\n  children: []\n", g, g, g))
	}
	if err := os.WriteFile(filepath.Join(dir, "groups.yaml"), []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		return err
	}
	for f := 0; f*500 < 10000; f++ {
		docs = docs[:0]
		for i := f * 500; i < (f+1)*500; i++ {
			docs = append(docs, fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: component-%05d\n  description: Component number %d\n  tags: [go, tier-%d]\n  annotations:\n    github.com/project-slug: speed/component-%d\nspec:\n  type: %s\n  lifecycle: %s\n  owner: team-%d\n",
				i, i, i%3, i, types[i%len(types)], lifecycles[i%len(lifecycles)], i%1000))
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("components-%02d.yaml", f)), []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// backstageFigures times issue 16's four queries against callboard serve,
// on the catalog Backstage was timed on, each beside Backstage's figure.
func backstageFigures(bin, dir string, requests int, beside map[string]string) ([]figure, error) {
	src := filepath.Join(dir, "speed-catalog")
	if err := generateSpeedCatalog(src); err != nil {
		return nil, err
	}
	db := filepath.Join(dir, "speed.db")
	env := append(os.Environ(), "CALLBOARD_DB="+db)
	imp := exec.Command(bin, "import", src, examplesDir)
	imp.Env = env
	if out, err := imp.CombinedOutput(); err != nil && !strings.Contains(string(out), "what they name was not loaded") { // the example Backstage refuses too
		return nil, fmt.Errorf("import: %v\n%s", err, out)
	}
	srv, base, err := startServe(bin, env)
	if err != nil {
		return nil, err
	}
	defer stopServe(srv)
	other, err := sqlite.Open(context.Background(), db, sqlite.Options{MustExist: true}) // as another process changing the catalog
	if err != nil {
		return nil, err
	}
	defer other.Close()
	sr := &speedRun{
		client:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 60 * time.Second},
		base:     base,
		requests: requests,
		recorded: recordedSpeed(),
		beside:   beside,
		db:       other,
	}
	for _, step := range []func(pid int) error{sr.ownerAndAll, sr.orders, sr.cursorPage, sr.facets} {
		if err := step(srv.Process.Pid); err != nil {
			return nil, err
		}
	}
	return sr.figs, nil
}

// speedRun times queries against a running callboard serve, one keep-alive
// client, and gathers the figures.
type speedRun struct {
	client   *http.Client
	base     string
	requests int
	recorded map[string]speedFigure
	beside   map[string]string
	figs     []figure
	db       *sqlite.DB
}

func (sr *speedRun) fetch(path string) (int, error) {
	resp, err := sr.client.Get(sr.base + path)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return int(n), err
}

// timed runs path(i) n times after n/10 untimed ones, and returns p50,
// p99, max and the last answer's size.
func (sr *speedRun) timed(n int, path func(i int) string) (p50, p99, worst time.Duration, size int, stolen string, err error) {
	var lat []time.Duration
	var mark cpuMark
	for i := -n / 10; i < n; i++ {
		if i == 0 {
			mark = markCPU()
		}
		p := path(i) // outside the time: it may change the catalog first
		t0 := time.Now()
		if size, err = sr.fetch(p); err != nil {
			return
		}
		if i >= 0 {
			d := time.Since(t0)
			lat = append(lat, d)
			worst = max(worst, d)
		}
	}
	p50, p99 = percentiles(lat)
	return p50, p99, worst, size, mark.stolen(), nil
}

// ownerAndAll times a team's components by owner, and the whole list of
// components with serve's memory before and after.
func (sr *speedRun) ownerAndAll(pid int) error {
	rng := rand.New(rand.NewPCG(16, 16))
	p50, p99, _, size, stolen, err := sr.timed(sr.requests, func(int) string {
		return "/api/catalog/entities/by-query?filter=kind=component,relations.ownedBy=group:default/team-" + strconv.Itoa(rng.IntN(1000)) + "&limit=100"
	})
	if err != nil {
		return err
	}
	f := figure{name: fmt.Sprintf("`by-query?filter=kind=component,relations.ownedBy=group:default/team-K&limit=100`, p50 / p99 (%d B)", size),
		value: ms(p50) + " / " + ms(p99), target: "< 1 / < 3 ms", stolen: stolen}
	sr.beside[f.name] = backstageFigure(sr.recorded, speedOwner)
	sr.figs = append(sr.figs, f)

	rssBefore := peakRSS(pid)
	p50, _, worst, size, stolen, err := sr.timed(20, func(int) string { return "/api/catalog/entities?filter=kind=component" })
	if err != nil {
		return err
	}
	f = figure{name: fmt.Sprintf("`GET /entities?filter=kind=component` (all 10,000, %.1f MB), p50 / slowest of 20", float64(size)/1e6),
		value: ms(p50) + " / " + ms(worst), target: "< 100 ms", stolen: stolen}
	sr.beside[f.name] = backstageFigure(sr.recorded, speedAll)
	sr.figs = append(sr.figs, f,
		figure{name: "serve peak RSS before / after those 20 answers", value: fmt.Sprintf("%.0f / %.0f MB", rssBefore, peakRSS(pid)), target: "bounded (streamed)"},
	)
	return nil
}

// orders times a first page in each sort order.
func (sr *speedRun) orders(int) error {
	for _, field := range []string{"spec.type", "metadata.name", "spec.owner", "spec.lifecycle", "metadata.tags", "kind", "relations.ownedBy", "metadata.uid"} {
		for _, dir := range []string{"asc", "desc"} {
			path := "/api/catalog/entities/by-query?filter=kind=component&orderField=" + url.QueryEscape(field+","+dir) + "&limit=100"
			p50, p99, _, _, stolen, err := sr.timed(max(sr.requests/25, 20), func(int) string { return path })
			if err != nil {
				return err
			}
			f := figure{name: fmt.Sprintf("`by-query?filter=kind=component&orderField=%s,%s&limit=100`, p50 / p99", field, dir),
				value: ms(p50) + " / " + ms(p99), target: "< 20 ms", stolen: stolen}
			if field == "spec.type" && dir == "asc" {
				sr.beside[f.name] = backstageFigure(sr.recorded, speedOrder)
			}
			sr.figs = append(sr.figs, f)
		}
	}
	// The count a first page answers is kept until the catalog changes:
	// timed again with a change before each request, it is counted each
	// time.
	for _, field := range []string{"spec.type", "relations.ownedBy"} {
		path := "/api/catalog/entities/by-query?filter=kind=component&orderField=" + url.QueryEscape(field+",asc") + "&limit=100"
		p50, p99, _, _, stolen, err := sr.timed(max(sr.requests/25, 20), sr.afterChange(path))
		if err != nil {
			return err
		}
		sr.figs = append(sr.figs, figure{name: fmt.Sprintf("… `orderField=%s,asc`, the catalog changed before each request (counted afresh)", field),
			value: ms(p50) + " / " + ms(p99), target: "< 20 ms", stolen: stolen})
		if field != "spec.type" {
			continue
		}
		p50, _, worst, _, stolen, err := sr.timed(20, sr.afterSettled(path))
		if err != nil {
			return err
		}
		sr.figs = append(sr.figs, figure{name: "… `orderField=spec.type,asc`, the catalog changed 1.6 s before each request (counted again in the background), p50 / slowest of 20",
			value: ms(p50) + " / " + ms(worst), target: "< 20 ms", stolen: stolen})
	}
	return nil
}

// afterSettled is path, 1.6 s after a change: time for serve to see the
// change settle (a tick of 250 ms to see it, one to see it stay; rounds a
// second apart at least) and count again what was asked for lately.
func (sr *speedRun) afterSettled(path string) func(int) string {
	changed := sr.afterChange(path)
	return func(i int) string {
		p := changed(i)
		time.Sleep(1600 * time.Millisecond)
		return p
	}
}

// afterChange is path, after the catalog's version is raised as any change
// to an entity raises it: what serve kept for the version before is
// computed again.
func (sr *speedRun) afterChange(path string) func(int) string {
	return func(int) string {
		if _, err := sr.db.Exec(context.Background(), `UPDATE catalog_version SET n = n + 1 WHERE id = 1`); err != nil {
			panic(fmt.Sprintf("changing the catalog's version: %v", err))
		}
		return path
	}
}

// cursorPage times the next page, from the cursor of a first page: a deep
// page costs what a first one does (the cursor is a position, not an
// offset).
func (sr *speedRun) cursorPage(int) error {
	resp, err := sr.client.Get(sr.base + "/api/catalog/entities/by-query?filter=kind=component&orderField=metadata.name,asc&limit=100&offset=9000&fields=metadata.name")
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var cursor string
	if i := strings.Index(string(b), `"nextCursor":"`); i >= 0 {
		cursor = strings.SplitN(string(b)[i+len(`"nextCursor":"`):], `"`, 2)[0]
	}
	if cursor == "" {
		return nil
	}
	p50, p99, _, _, stolen, err := sr.timed(max(sr.requests/25, 20), func(int) string {
		return "/api/catalog/entities/by-query?cursor=" + url.QueryEscape(cursor) + "&limit=100"
	})
	if err != nil {
		return err
	}
	sr.figs = append(sr.figs, figure{name: "… its page 92 (`cursor=` from a page at offset 9,000), p50 / p99", value: ms(p50) + " / " + ms(p99), target: "< 20 ms", stolen: stolen})
	return nil
}

// facets times the entity facets.
func (sr *speedRun) facets(int) error {
	for _, f := range []struct{ facet, target, backstage string }{
		{"kind", "< 5 ms", backstageFigure(sr.recorded, speedFacetKind)},
		{"spec.type", "< 20 ms", backstageFigure(sr.recorded, speedFacetType)},
		{"relations.ownedBy", "", ""},
	} {
		path := "/api/catalog/entity-facets?facet=" + f.facet
		p50, p99, _, _, stolen, err := sr.timed(max(sr.requests/25, 20), func(int) string { return path })
		if err != nil {
			return err
		}
		fig := figure{name: fmt.Sprintf("`entity-facets?facet=%s`, p50 / p99", f.facet), value: ms(p50) + " / " + ms(p99), target: f.target, stolen: stolen}
		if f.backstage != "" {
			sr.beside[fig.name] = f.backstage
		}
		sr.figs = append(sr.figs, fig)
		if p50, p99, _, _, stolen, err = sr.timed(max(sr.requests/25, 20), sr.afterChange(path)); err != nil {
			return err
		}
		sr.figs = append(sr.figs, figure{name: "… the catalog changed before each request (counted afresh)", value: ms(p50) + " / " + ms(p99), target: f.target, stolen: stolen})
		if f.facet == "kind" {
			p50, _, worst, _, stolen, err := sr.timed(20, sr.afterSettled(path))
			if err != nil {
				return err
			}
			sr.figs = append(sr.figs, figure{name: "… the catalog changed 1.6 s before each request (counted again in the background), p50 / slowest of 20", value: ms(p50) + " / " + ms(worst), target: f.target, stolen: stolen})
		}
	}
	return nil
}

// peakRSS is a process's peak resident memory so far, in MB (Linux).
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// loadAverage is the machine's 1-minute load average, as /proc says it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
