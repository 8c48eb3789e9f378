package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/gorilla/mux"
)

// BenchmarkFacets50 asks for 50 facets over 10,000 entities: the request
// a review found taking the CPU for tens of seconds when each facet read
// every entity again.
func BenchmarkFacets50(b *testing.B) {
	ctx := context.Background()
	st := testcatalog.Open(b)
	var batch []catalog.SourceBatch
	for i := 0; i < 10000; i++ {
		spec := map[string]any{"type": "service", "lifecycle": "production", "owner": fmt.Sprintf("team-%d", i%100)}
		for f := range 45 {
			spec[fmt.Sprintf("f%d", f)] = fmt.Sprintf("v%d", (i+f)%10) // every facet asked for has values
		}
		e := &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: catalog.Metadata{Name: fmt.Sprintf("svc-%05d", i), Tags: []string{"go", fmt.Sprintf("t%d", i%7)}},
			Spec:     spec}
		src := fmt.Sprintf("file:%d", i)
		batch = append(batch, catalog.SourceBatch{Source: src, Entities: []catalog.Declared{{Entity: e, Location: src}}})
	}
	if _, err := st.ReplaceSources(ctx, batch); err != nil {
		b.Fatal(err)
	}
	r := mux.NewRouter()
	Register(r, st, Options{})
	q := url.Values{}
	for _, f := range []string{"kind", "spec.type", "spec.owner", "spec.lifecycle", "metadata.tags"} {
		q.Add("facet", f)
	}
	for f := range 45 {
		q.Add("facet", fmt.Sprintf("spec.f%d", f))
	}
	target := Prefix + "/entity-facets?" + q.Encode()
	for b.Loop() {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
