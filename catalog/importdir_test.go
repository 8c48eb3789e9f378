package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/testcatalog"
)

// writeServices writes n repositories of one component each under dir.
func writeServices(t *testing.T, dir string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		d := filepath.Join(dir, fmt.Sprintf("svc-%04d", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc-%04d, description: service %d}\nspec: {type: service, lifecycle: production, owner: team-a}\n", i, i)
		if err := os.WriteFile(filepath.Join(d, "catalog-info.yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// An import larger than one write group: every group is written, problems
// and conflicts name their own file whichever group they fall in, and a
// second import changes nothing.
func TestImportDirAcrossManyGroups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const n = 1000
	writeServices(t, dir, n)
	// A broken file in the middle, and a late file that declares an entity
	// an early file already declared.
	if err := os.WriteFile(filepath.Join(dir, "svc-0500", "catalog-info.yaml"), []byte("kind: [oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dup := "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc-0001}\nspec: {type: service, lifecycle: production, owner: team-b}\n"
	if err := os.MkdirAll(filepath.Join(dir, "zz-late"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "zz-late", "dup.catalog.yaml"), []byte(dup), 0o644); err != nil {
		t.Fatal(err)
	}
	st := testcatalog.Open(t)
	rep, err := catalog.ImportDir(ctx, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != n+1 || rep.Added != n-1 || rep.Entities != n {
		t.Errorf("files %d, entities %d, added %d; want %d, %d, %d", rep.Files, rep.Entities, rep.Added, n+1, n, n-1)
	}
	var files []string
	for _, p := range rep.Problems {
		files = append(files, p.File)
	}
	want := []string{filepath.Join("svc-0500", "catalog-info.yaml"), filepath.Join("zz-late", "dup.catalog.yaml")}
	if strings.Join(files, ",") != strings.Join(want, ",") {
		t.Errorf("problems in %v, want %v: %v", files, want, rep.Problems)
	}
	e, err := st.Entity(ctx, catalog.MustParseRef("component:svc-0001"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Spec["owner"] != "team-a" {
		t.Errorf("svc-0001 owned by %v, want the first declaration's team-a", e.Spec["owner"])
	}
	for _, name := range []string{"svc-0000", "svc-0499", "svc-0501", "svc-0999"} {
		if es, err := st.Search(ctx, name, 5); err != nil || len(es) != 1 {
			t.Errorf("search %s: %d results, %v", name, len(es), err)
		}
	}

	again, err := catalog.ImportDir(ctx, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Unchanged != n-1 || again.Added+again.Updated+again.Removed != 0 {
		t.Errorf("second import: %+v", again)
	}
}

// failingReplacer fails its second write.
type failingReplacer struct {
	catalog.ImportStore
	writes int
}

func (f *failingReplacer) PrepareSources(batches []catalog.SourceBatch) (catalog.PreparedWrite, error) {
	write, err := f.ImportStore.PrepareSources(batches)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) ([]catalog.ReplaceResult, error) {
		f.writes++
		if f.writes == 2 {
			return nil, errors.New("disk full")
		}
		return write(ctx)
	}, nil
}

// A write that fails stops the import with the error, and the reader
// stops too (the test would hang otherwise); a cancelled import says so.
func TestImportDirStopsOnWriteErrorAndCancel(t *testing.T) {
	dir := t.TempDir()
	writeServices(t, dir, 1000)
	st := testcatalog.Open(t)
	_, err := catalog.ImportDir(context.Background(), &failingReplacer{ImportStore: st}, dir)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("import with a failing write: %v, want disk full", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := catalog.ImportDir(ctx, st, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled import: %v, want context.Canceled", err)
	}
}

// A Template whose skeleton sits beside its folder (url: ../skeletons/x)
// is read after the skeleton: what the skeleton's files declared goes
// again, and their problems are not reported.
func TestImportDirSkeletonBesideTheTemplate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("templates/skeletons/svc/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: \"${{ values.name }}\"}\nspec: {type: service, lifecycle: experimental, owner: \"${{ values.owner }}\"}\n")
	write("templates/skeletons/svc/example.catalog.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: skeleton-example}\nspec: {type: service, lifecycle: experimental, owner: team-a}\n")
	write("templates/svc/template.yaml", `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: svc}
spec:
  owner: team-a
  type: service
  steps:
    - id: fetch
      action: fetch:template
      input: {url: ../skeletons/svc}
`)
	write("real/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: real}\nspec: {type: service, lifecycle: production, owner: team-a}\n")
	st := testcatalog.Open(t)
	rep, err := catalog.ImportDir(ctx, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 || rep.Files != 2 || len(rep.Skipped) != 2 {
		t.Errorf("problems %v, %d files, skipped %v; want none, 2 files (template, real) and the 2 skeleton files skipped", rep.Problems, rep.Files, rep.Skipped)
	}
	if _, err := st.Entity(ctx, catalog.MustParseRef("component:skeleton-example")); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("the skeleton's example component is in the catalog (%v)", err)
	}
	again, err := catalog.ImportDir(ctx, st, dir)
	if err != nil || again.Added+again.Removed != 0 || again.Unchanged != 2 {
		t.Errorf("second import: %+v, %v; want 2 unchanged and nothing else", again, err)
	}
}
