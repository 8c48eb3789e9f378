package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// catalogFigures imports a generated catalog of n entities and times
// by-name over HTTP and owner answers against it.
func catalogFigures(bin, dir string, n, requests int) ([]figure, error) {
	src := filepath.Join(dir, fmt.Sprintf("catalog-%d", n))
	names, err := generate(src, n)
	if err != nil {
		return nil, err
	}
	db := filepath.Join(dir, fmt.Sprintf("bench-%d.db", n))
	env := append(os.Environ(), "CALLBOARD_DB="+db)
	figs, err := importFigures(bin, src, env, n)
	if err != nil {
		return nil, err
	}
	// One sequence of names for by-name and the owner answers.
	rng := rand.New(rand.NewPCG(1, 2))
	byName, err := byNameFigures(bin, env, names, rng, n, requests)
	if err != nil {
		return nil, err
	}
	// Owner answers, the domain function the CLI and Slack share, in a
	// process of their own (its peak RSS is theirs).
	owner, err := ownerFigures(db, n, requests, func(t string) string { return targetAt(n, t) })
	if err != nil {
		return nil, err
	}
	figs = append(append(figs, byName...), owner...)
	if size, err := fileSize(db); err == nil {
		figs = append(figs, figure{fmt.Sprintf("SQLite file at %d entities", n), fmt.Sprintf("%.0f MB", float64(size)/(1<<20)), "", ""})
	}
	return figs, nil
}

// targetAt is the target t where the issues set it: at 10,000 entities.
func targetAt(n int, t string) string {
	if n == 10000 {
		return t
	}
	return ""
}

// importFigures times "callboard import" of src and reads its peak RSS.
func importFigures(bin, src string, env []string, n int) ([]figure, error) {
	imp := exec.Command(bin, "import", src)
	imp.Env = env
	rss := measured(imp)
	mark := markCPU()
	start := time.Now()
	if outp, err := imp.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("import: %v\n%s", err, outp)
	}
	took := time.Since(start)
	return []figure{
		{fmt.Sprintf("import %d entities (`callboard import`)", n), fmt.Sprintf("%.2f s", took.Seconds()), targetAt(n, "< 3 s"), mark.stolen()},
		{fmt.Sprintf("import peak RSS at %d entities", n), fmt.Sprintf("%.0f MB", rss()), targetAt(n, "< 60 MB"), ""},
	}, nil
}

// byNameFigures serves the catalog and times by-name over HTTP (the first
// tenth of the requests warms up), then reads serve's peak RSS.
func byNameFigures(bin string, env, names []string, rng *rand.Rand, n, requests int) ([]figure, error) {
	srv, base, rss, err := startServeMeasured(bin, env)
	if err != nil {
		return nil, err
	}
	defer srv.Process.Kill()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	lat := make([]time.Duration, 0, requests)
	mark := markCPU()
	for i := 0; i < requests+requests/10; i++ {
		name := names[rng.IntN(len(names))]
		t0 := time.Now()
		resp, err := client.Get(base + "/api/catalog/entities/by-name/component/default/" + name)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("by-name %s: status %d", name, resp.StatusCode)
		}
		if i >= requests/10 { // the first tenth warms up
			lat = append(lat, d)
		}
	}
	p50, p99 := percentiles(lat)
	figs := []figure{{fmt.Sprintf("by-name over HTTP at %d entities, p50 / p99", n), fmt.Sprintf("%s / %s", ms(p50), ms(p99)), targetAt(n, "p99 < 1 ms"), mark.stolen()}}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	return append(figs, figure{fmt.Sprintf("serve peak RSS at %d entities (after the by-name run)", n), fmt.Sprintf("%.0f MB", rss()), targetAt(n, "< 60 MB"), ""}), nil
}
