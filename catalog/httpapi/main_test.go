package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/gorilla/mux"
)

var examplesDir = filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "catalog-model", "examples")

// seededStore opens a SQLite file in a temporary directory and loads
// Backstage's example entities into it, one source per file.
func seededStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st := testcatalog.Open(t)
	notFetched := func(string) ([]byte, error) { return nil, catalog.ErrNotFetched }
	n := 0
	err := filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(examplesDir, path)
		parsed, _ := catalog.ParseFile(rel, data, notFetched) // the invalid example and OpenAPI files are meant to fail
		var decl []catalog.Declared
		for _, p := range parsed {
			decl = append(decl, catalog.Declared{Entity: p.Entity, Location: "file:" + filepath.ToSlash(rel)})
		}
		res, err := st.ReplaceSource(ctx, "file:"+filepath.ToSlash(rel), decl, catalog.ReplaceOptions{})
		if err != nil {
			return err
		}
		if len(res.Conflicts) > 0 {
			t.Fatalf("seeding %s: %v", rel, res.Conflicts)
		}
		n += len(res.Added)
		return nil
	})
	if err != nil {
		t.Fatalf("seeding the examples: %v", err)
	}
	if n < 50 {
		t.Fatalf("seeded %d entities from %s; want the Backstage examples (about 60)", n, examplesDir)
	}
	return st
}

// newServer serves the API over rd, as callboard's router would.
func newServer(t *testing.T, rd Reader, opts Options) *httptest.Server {
	t.Helper()
	r := mux.NewRouter()
	Register(r, rd, opts)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, method, url, body string, header map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

func get(t *testing.T, url string) response {
	t.Helper()
	return do(t, http.MethodGet, url, "", nil)
}

// decode reads a 200 JSON answer into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q, want application/json; charset=utf-8", ct)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// refsOf returns the refs of entities in a JSON answer, in order.
func refsOf(es []*catalog.Entity) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Ref().String())
	}
	return out
}

func sorted(s []string) []string {
	s = append([]string{}, s...)
	sort.Strings(s)
	return s
}
