package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/internal/benchorg"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/callboard/callboard/web"
	"github.com/gorilla/mux"
)

// BenchmarkPages renders each page of a 10,000-entity organisation through
// the real handler (go test ./web -bench Pages -run '^$'). The issue's
// target is 50 ms of server time a page.
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	db, st := testcatalog.OpenAt(b, filepath.Join(b.TempDir(), "bench.db"))
	org, err := benchorg.Build(ctx, st, 10000, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	cov := web.NewCoverageCache(st, time.Hour, slog.New(slog.DiscardHandler))
	defer cov.Close()
	if _, err := cov.Coverage(ctx); err != nil { // the first measurement, before any page is timed
		b.Fatal(err)
	}
	dg, err := digest.New(digest.Config{Catalog: web.DigestCatalog(st, cov), Records: digest.NewStore(db)})
	if err != nil {
		b.Fatal(err)
	}
	site, err := web.New(ctx, web.Config{Store: st, Digest: dg, Coverage: cov, Mode: web.ModeNone, BaseURL: "http://localhost", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer site.Close(ctx)
	r := mux.NewRouter()
	site.Register(r)
	service := org.Services[len(org.Services)/2]
	team := org.Teams[len(org.Teams)/3]
	for _, path := range []string{
		"/",
		"/?q=payments+ledger",
		"/catalog/component/default/" + service,
		"/teams/" + team,
		"/repositories",
		"/repositories?status=none&sort=updated&page=3",
		"/digest",
	} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				w := httptest.NewRecorder()
				r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d\n%s", path, w.Code, w.Body)
				}
				_, _ = io.Copy(io.Discard, w.Body)
			}
		})
	}
	// The page keeps a digest 30 s; building one is what a view costs then.
	b.Run("digest.Service.Digest", func(b *testing.B) {
		for b.Loop() {
			if _, err := dg.Digest(ctx, dg.ThisWeek()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
