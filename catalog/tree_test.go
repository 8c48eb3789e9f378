package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func component(name string, extra ...string) string {
	return fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: %s\n%sspec: {type: service, lifecycle: production, owner: payments}\n", name, strings.Join(extra, ""))
}

func location(targets ...string) string {
	return "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec:\n  targets: [" + strings.Join(targets, ", ") + "]\n"
}

// api declares an API whose definition (and further fields) are given as YAML.
func api(name, definition string, more ...string) string {
	return "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: " + name + "}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: payments\n  definition: " + definition + "\n" + strings.Join(more, "")
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func readTree(t *testing.T, fsys fstest.MapFS, opts TreeOptions) *Tree {
	t.Helper()
	tree, err := ReadTree(context.Background(), fsys, "catalog-info.yaml", opts)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func entityPaths(tree *Tree) []string {
	var out []string
	for _, e := range tree.Entities {
		out = append(out, e.Path+":"+e.Entity.Metadata.Name)
	}
	return out
}

func problemTexts(tree *Tree) []string {
	var out []string
	for _, p := range tree.Problems {
		out = append(out, p.Error())
	}
	return out
}

// A Location's targets are followed (relative paths, and globs with **
// across folders); URLs and paths out of the tree are not.
func TestReadTreeFollowsLocations(t *testing.T) {
	fsys := fstest.MapFS{
		"catalog-info.yaml":                  file(location("./services/api.yaml", "'services/**/catalog-info.yaml'", "https://github.com/acme/other/blob/main/x.yaml", "../outside.yaml")),
		"services/api.yaml":                  file(component("api")),
		"services/billing/catalog-info.yaml": file(component("billing")),
		"services/deep/er/catalog-info.yaml": file(component("deeper")),
		"services/catalog-info.yaml":         file(component("top")),
		"docs/catalog-info.yaml":             file(component("not-named")),
	}
	tree := readTree(t, fsys, TreeOptions{Rev: "main"})
	if !tree.Found || len(tree.Problems) > 0 {
		t.Fatalf("found %v, problems %v", tree.Found, problemTexts(tree))
	}
	wantFiles := []string{"catalog-info.yaml", "services/**/catalog-info.yaml", "services/api.yaml",
		"services/billing/catalog-info.yaml", "services/catalog-info.yaml", "services/deep/er/catalog-info.yaml"}
	if !slices.Equal(tree.Files, wantFiles) {
		t.Errorf("files %q, want %q", tree.Files, wantFiles)
	}
	want := []string{"catalog-info.yaml:root", "services/api.yaml:api", "services/billing/catalog-info.yaml:billing",
		"services/catalog-info.yaml:top", "services/deep/er/catalog-info.yaml:deeper"}
	if got := entityPaths(tree); !slices.Equal(got, want) {
		t.Errorf("entities %q, want %q", got, want)
	}
}

func TestReadTreeRoot(t *testing.T) {
	tree := readTree(t, fstest.MapFS{"README.md": file("# hi")}, TreeOptions{})
	if tree.Found || len(tree.Entities)+len(tree.Problems)+len(tree.Files) != 0 {
		t.Errorf("no root file: %+v, want nothing found", tree)
	}
	big := fstest.MapFS{"catalog-info.yaml": &fstest.MapFile{Data: make([]byte, MaxFileSize+1)}}
	_, err := ReadTree(context.Background(), big, "catalog-info.yaml", TreeOptions{})
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Path != "catalog-info.yaml" || tl.Limit != MaxFileSize {
		t.Errorf("a root over the limit: %v, want a TooLargeError", err)
	}
}

func TestReadTreeProblems(t *testing.T) {
	fsys := fstest.MapFS{
		"catalog-info.yaml": file(location("gone.yaml", "big.yaml")),
		"big.yaml":          &fstest.MapFile{Data: make([]byte, MaxFileSize+1)},
	}
	tree := readTree(t, fsys, TreeOptions{Rev: "main"})
	want := []string{
		"gone.yaml: a Location target names this file, but it does not exist on main",
		fmt.Sprintf("big.yaml: big.yaml is %d bytes; the limit is %d", MaxFileSize+1, MaxFileSize),
	}
	if got := problemTexts(tree); !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
}

// A root Location names at most MaxTreeFiles files.
func TestReadTreeBoundsTheFiles(t *testing.T) {
	fsys := fstest.MapFS{"catalog-info.yaml": file(location("'s/*.yaml'"))}
	for i := range MaxTreeFiles + 50 {
		fsys[fmt.Sprintf("s/c%03d.yaml", i)] = file(component(fmt.Sprintf("c%03d", i)))
	}
	tree := readTree(t, fsys, TreeOptions{})
	if got := problemTexts(tree); len(got) != 1 || !strings.Contains(got[0], "Location targets name more than 200 files; the rest are not read") {
		t.Errorf("problems %q, want the bound", got)
	}
	if len(tree.Entities) != 1 {
		t.Errorf("%d entities read past the bound, want the root's alone", len(tree.Entities))
	}
}

// Placeholders are read from the tree, and share the walk's budget of
// reads and bytes (counted at each use).
func TestReadTreePlaceholderBudget(t *testing.T) {
	mb := strings.Repeat("x", 1<<20-16)
	fsys := fstest.MapFS{"spec.txt": file(mb)}
	var targets []string
	for i := range 5 {
		name := fmt.Sprintf("c%d.yaml", i)
		targets = append(targets, name)
		// Four uses of a 1 MB file: 4 MB a file, the most one file may pull in.
		uses := "  extra:\n" + strings.Repeat("    - {$text: ./spec.txt}\n", 3)
		fsys[name] = file(api(fmt.Sprintf("a%d", i), "{$text: ./spec.txt}", uses))
	}
	fsys["catalog-info.yaml"] = file(location(targets...))
	tree := readTree(t, fsys, TreeOptions{})
	var over int
	for _, p := range tree.Problems {
		if strings.Contains(p.Message, "not read: the placeholders of these catalog files pull in more than 16 MB") {
			over++
		}
	}
	if over == 0 {
		t.Errorf("problems %q, want placeholders past 16 MB not read", problemTexts(tree))
	}

	// Reads: more files than the budget named by placeholders are not read.
	many := fstest.MapFS{}
	var locs []string
	for i := range 6 {
		name := fmt.Sprintf("p%d.yaml", i)
		locs = append(locs, name)
		var b strings.Builder
		b.WriteString("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: " + fmt.Sprintf("p%d", i) + "}\nspec:\n  type: service\n  lifecycle: production\n  owner: payments\n  docs:\n")
		for j := range 40 {
			f := fmt.Sprintf("t/%d-%d.txt", i, j)
			many[f] = file("x")
			fmt.Fprintf(&b, "    - {$text: ./%s}\n", f)
		}
		many[name] = file(b.String())
	}
	many["catalog-info.yaml"] = file(location(locs...))
	tree = readTree(t, many, TreeOptions{})
	if got := problemTexts(tree); !slices.ContainsFunc(got, func(s string) bool {
		return strings.Contains(s, "not read: the catalog files and their placeholders name more than 200 files")
	}) {
		t.Errorf("problems %q, want reads past 200 refused", got)
	}
}

// A fork's head follows only what the default branch names, and reads no
// placeholder: it stays a link.
func TestReadTreeUntrusted(t *testing.T) {
	fsys := fstest.MapFS{
		"catalog-info.yaml": file(location("known.yaml", "'extra/*.yaml'", "sneaky.yaml")),
		"known.yaml":        file(api("known", "{$text: ./secret.txt}")),
		"extra/a.yaml":      file(component("a")),
		"extra/b.yaml":      file(component("b")),
		"sneaky.yaml":       file(component("sneaky")),
		"secret.txt":        file("secret"),
	}
	tree := readTree(t, fsys, TreeOptions{Untrusted: true, Known: []string{"catalog-info.yaml", "known.yaml", "extra/*.yaml"}})
	want := []string{"catalog-info.yaml:root", "known.yaml:known", "extra/a.yaml:a", "extra/b.yaml:b"}
	if got := entityPaths(tree); !slices.Equal(got, want) {
		t.Errorf("entities %q, want %q", got, want)
	}
	if def := tree.Entities[1].Entity.SpecString("definition"); def != "./secret.txt" {
		t.Errorf("definition %q, want the placeholder left a link", def)
	}
}

// A folder on disk (callboard import): the root alone, and placeholders
// that leave it or name nothing are problems that say so.
func TestReadTreeFolder(t *testing.T) {
	fsys := fstest.MapFS{
		"catalog-info.yaml": file(api("a", "{$text: ../../etc/passwd}") + "---\n" + api("b", "{$text: ./missing.txt}") + "---\n" + location("other.yaml")),
		"other.yaml":        file(component("other")),
	}
	tree := readTree(t, fsys, TreeOptions{Folder: "the imported directory", NoTargets: true})
	want := []string{
		"catalog-info.yaml:8: spec.definition: placeholder $text ../../etc/passwd: the file is outside the imported directory",
		"catalog-info.yaml:17: spec.definition: placeholder $text ./missing.txt: no such file in the imported directory",
	}
	if got := problemTexts(tree); !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
	if slices.Contains(tree.Files, "other.yaml") {
		t.Error("NoTargets followed a Location target")
	}
}

func TestFindCodeowners(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fsys     fstest.MapFS
		path     string
		tooLarge bool
	}{
		{"first place wins", fstest.MapFS{".github/CODEOWNERS": file("* @a"), "CODEOWNERS": file("* @b")}, ".github/CODEOWNERS", false},
		{"docs", fstest.MapFS{"docs/CODEOWNERS": file("* @a")}, "docs/CODEOWNERS", false},
		{"none", fstest.MapFS{"README.md": file("x")}, "", false},
		{"too large ends the search", fstest.MapFS{".github/CODEOWNERS": &fstest.MapFile{Data: make([]byte, MaxCodeownersSize+1)}, "CODEOWNERS": file("* @b")}, ".github/CODEOWNERS", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, data, tooLarge, err := FindCodeowners(tc.fsys)
			if err != nil || p != tc.path || tooLarge != tc.tooLarge || (p != "" && !tooLarge && len(data) == 0) {
				t.Errorf("FindCodeowners = %q, %d bytes, too large %v, %v; want %q, too large %v", p, len(data), tooLarge, err, tc.path, tc.tooLarge)
			}
		})
	}
}

func TestGlobRules(t *testing.T) {
	fsys := fstest.MapFS{"a/b/c.yaml": file(""), "a/c.yaml": file(""), "a/x.txt": file("")}
	for pattern, want := range map[string][]string{
		"a/*.yaml":    {"a/c.yaml"},
		"a/**/*.yaml": {"a/b/c.yaml", "a/c.yaml"},
		"a/[":         nil,
	} {
		got, err := Glob(fsys, pattern)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Glob(%q) = %q, %v; want %q", pattern, got, err, want)
		}
	}
}
