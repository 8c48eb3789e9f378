package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/internal/testcatalog"
)

const (
	benchTeams    = 100
	benchEntities = 10000 // teams included
)

// benchStore is a catalog of 10,000 entities: 100 teams with a channel, an
// email and an on-call link, and 9,900 services spread over them.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	ctx := context.Background()
	st := testcatalog.Open(b)
	var decl []catalog.Declared
	for i := range benchTeams {
		name := fmt.Sprintf("team-%03d", i)
		decl = append(decl, catalog.Declared{Location: "file:/bench/teams.yaml", Entity: &catalog.Entity{
			APIVersion: "backstage.io/v1alpha1", Kind: "Group",
			Metadata: catalog.Metadata{Name: name, Title: fmt.Sprintf("Team %d", i),
				Annotations: map[string]string{catalog.AnnotationSlackChannel: "#" + name, catalog.AnnotationTeamSlug: "bench/" + name},
				Links:       []catalog.Link{{URL: "https://oncall.example/" + name, Title: "On-call rota"}}},
			Spec: map[string]any{"type": "team", "children": []any{}, "profile": map[string]any{"email": name + "@bench.example"}},
		}})
	}
	for i := range benchEntities - benchTeams {
		name := fmt.Sprintf("svc-%05d", i)
		decl = append(decl, catalog.Declared{Location: "url:https://github.com/bench/" + name + "/blob/main/catalog-info.yaml", Entity: &catalog.Entity{
			APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: catalog.Metadata{Name: name, Description: "Service number " + fmt.Sprint(i),
				Annotations: map[string]string{
					catalog.AnnotationProjectSlug:       "bench/" + name,
					catalog.AnnotationManagedByLocation: "url:https://github.com/bench/" + name + "/blob/main/catalog-info.yaml",
					catalog.AnnotationTechDocsRef:       "dir:.",
				}},
			Spec: map[string]any{"type": "service", "lifecycle": "production", "owner": fmt.Sprintf("team-%03d", i%benchTeams)},
		}})
	}
	if _, err := st.ReplaceSource(ctx, "bench", decl, catalog.ReplaceOptions{}); err != nil {
		b.Fatal(err)
	}
	if n, err := st.Count(ctx); err != nil || n != benchEntities {
		b.Fatalf("%d entities (%v), want %d", n, err, benchEntities)
	}
	return st
}

// BenchmarkOwnerCommand signs and serves /owner for one of 10,000 entities,
// through the real handler and store. The p50 and p99 are the handler's time
// (what Slack waits for); ns/op also includes signing the request. With
// usage recorded, as in production, each command also writes an event after
// its reply, which competes for the same CPUs.
func BenchmarkOwnerCommand(b *testing.B) {
	st := benchStore(b)
	b.Run("usage-recorded", func(b *testing.B) { benchOwner(b, st, st) })
	b.Run("no-usage", func(b *testing.B) { benchOwner(b, st, nil) })
}

func benchOwner(b *testing.B, st *store.Store, usage catalog.UsageRecorder) {
	now := time.Now().Truncate(time.Second)
	bot := New(Config{
		SigningSecret: testSecret, Catalog: st, Usage: usage,
		Now:        func() time.Time { return now },
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		HTTPClient: &http.Client{Transport: refuseTransport{}},
	})
	bodies := make([]string, 100)
	for i := range bodies {
		bodies[i] = commandBody(b, "/owner", fmt.Sprintf("svc-%05d", i*97), "")
	}
	// One answer checked before timing, so the benchmark measures answers.
	if w := serve(bot, signedRequest(bodies[1], now.Unix(), testSecret)); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "is owned by *Team 97*") {
		b.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	var took []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := signedRequest(bodies[i%len(bodies)], now.Unix(), testSecret)
		w := httptest.NewRecorder()
		start := time.Now()
		bot.ServeHTTP(w, r)
		took = append(took, time.Since(start))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
	b.StopTimer()
	if err := bot.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	slices.Sort(took)
	pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
}
