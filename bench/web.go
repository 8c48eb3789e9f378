package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/internal/benchorg"
	"github.com/callboard/callboard/sqlite"
)

// webFigures builds an organisation of n entities as the GitHub sync leaves
// it (repositories of every catalog status, CODEOWNERS, eight weeks of
// usage), serves it with "callboard serve" (CALLBOARD_WEB_AUTH=none on
// loopback) and reads each page of the web view requests times. The figure
// is the server's own time, from the Server-Timing header each page sends:
// from the request to the page rendered, before it is written.
func webFigures(bin, dir string, n, requests int) ([]figure, error) {
	db := filepath.Join(dir, fmt.Sprintf("web-%d.db", n))
	ctx := context.Background()
	sdb, st, err := openStore(ctx, db)
	if err != nil {
		return nil, err
	}
	org, err := benchorg.Build(ctx, st, n, time.Now())
	st.Close()
	sdb.Close()
	if err != nil {
		return nil, fmt.Errorf("building the organisation: %w", err)
	}
	env := append(os.Environ(), "CALLBOARD_DB="+db, "CALLBOARD_WEB_AUTH=none")
	srv, base, err := startServe(bin, env)
	if err != nil {
		return nil, err
	}
	defer stopServe(srv)
	pc := pageClient{client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 30 * time.Second}, base: base}
	// The first page waits for the first coverage measurement: not timed.
	if _, err := pc.serverTime("/"); err != nil {
		return nil, err
	}
	var figs []figure
	for _, p := range []struct{ name, path string }{
		{"home with coverage and teams", "/"},
		{"search", "/?q=payments+ledger"},
		{"entity", "/catalog/component/default/" + org.Services[len(org.Services)/2]},
		{"team", "/teams/" + org.Teams[len(org.Teams)/3]},
		{"repositories", "/repositories"},
		{"repositories, filtered, sorted, page 3", "/repositories?status=none&sort=updated&page=3"},
		{"digest", "/digest"},
	} {
		f, err := pc.figure(p.name, p.path, n, requests)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	f, err := digestFigure(ctx, db, n)
	if err != nil {
		return nil, err
	}
	return append(figs, f), nil
}

// pageClient reads the web view's pages of a serving callboard.
type pageClient struct {
	client *http.Client
	base   string
}

// serverTime gets the page at path and returns the server's own time for
// it, from its Server-Timing header.
func (pc pageClient) serverTime(path string) (time.Duration, error) {
	resp, err := pc.client.Get(pc.base + path)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	v, ok := strings.CutPrefix(resp.Header.Get("Server-Timing"), "render;dur=")
	ms, err := strconv.ParseFloat(v, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("GET %s: no Server-Timing in %q", path, resp.Header.Get("Server-Timing"))
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// figure times the page at path requests times, after a tenth to warm up.
func (pc pageClient) figure(name, path string, n, requests int) (figure, error) {
	lat := make([]time.Duration, 0, requests)
	mark := markCPU()
	for i := 0; i < requests+requests/10; i++ {
		d, err := pc.serverTime(path)
		if err != nil {
			return figure{}, err
		}
		if i >= requests/10 {
			lat = append(lat, d)
		}
	}
	p50, p99 := percentiles(lat)
	return figure{fmt.Sprintf("web page `%s` (%s) at %d entities, server time p50 / p99", path, name, n),
		fmt.Sprintf("%s / %s", ms(p50), ms(p99)), targetAt(n, "< 50 ms"), mark.stolen()}, nil
}

// digestFigure times building this week's digest. /digest keeps it 30 s;
// building it is what the view that finds it stale pays. Timed in
// process, as the page builds it.
func digestFigure(ctx context.Context, db string, n int) (figure, error) {
	sdb, st, err := openStore(ctx, db)
	if err != nil {
		return figure{}, err
	}
	defer sdb.Close()
	defer st.Close()
	cov, err := st.Coverage(ctx) // the page reads coverage from its background measurement
	if err != nil {
		return figure{}, err
	}
	dg, err := digest.New(digest.Config{Catalog: fixedCoverage{st, cov}, Records: digest.NewStore(sdb)})
	if err != nil {
		return figure{}, err
	}
	lat := make([]time.Duration, 0, 50)
	mark := markCPU()
	for range 55 {
		t0 := time.Now()
		if _, err := dg.Digest(ctx, dg.ThisWeek()); err != nil {
			return figure{}, err
		}
		lat = append(lat, time.Since(t0))
	}
	p50, p99 := percentiles(lat[5:])
	return figure{fmt.Sprintf("this week's digest built (what `/digest` pays every 30 s) at %d entities, p50 / p99", n),
		fmt.Sprintf("%s / %s", ms(p50), ms(p99)), targetAt(n, "< 50 ms"), mark.stolen()}, nil
}

// fixedCoverage is the store with its coverage already measured.
type fixedCoverage struct {
	*store.Store
	cov catalog.Coverage
}

func (f fixedCoverage) Coverage(context.Context) (catalog.Coverage, error) { return f.cov, nil }

// openStore opens the database at path (migrating it) and the catalog store
// over it; closing the store leaves the database to be closed.
func openStore(ctx context.Context, path string) (*sqlite.DB, *store.Store, error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, nil, err
	}
	st, err := store.New(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, st, nil
}
