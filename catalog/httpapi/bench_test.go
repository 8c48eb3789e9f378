package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/gorilla/mux"
)

// BenchmarkByName serves GET /entities/by-name at 10,000 entities through
// the real router, without a network in between.
func BenchmarkByName(b *testing.B) {
	ctx := context.Background()
	st := testcatalog.Open(b)
	var batch []catalog.SourceBatch
	for i := 0; i < 10000; i++ {
		e := &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: catalog.Metadata{Name: fmt.Sprintf("svc-%05d", i), Description: "a service", Tags: []string{"go"},
				Annotations: map[string]string{"github.com/project-slug": fmt.Sprintf("bench/svc-%05d", i)}},
			Spec: map[string]any{"type": "service", "lifecycle": "production", "owner": fmt.Sprintf("team-%d", i%100), "system": "sys"}}
		src := fmt.Sprintf("file:%d", i)
		batch = append(batch, catalog.SourceBatch{Source: src, Entities: []catalog.Declared{{Entity: e, Location: src}}})
	}
	if _, err := st.ReplaceSources(ctx, batch); err != nil {
		b.Fatal(err)
	}
	r := mux.NewRouter()
	Register(r, st, Options{})
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/catalog/entities/by-name/component/default/svc-%05d", i%10000), nil)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
