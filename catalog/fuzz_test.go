package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFromDir adds every file under dir with one of exts as a fuzz seed.
func seedFromDir(f *testing.F, dir string, exts ...string) {
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
					f.Add(b)
				}
			}
		}
		return nil
	})
}

// FuzzParseFile: no input makes the parser panic, hang or return both an
// entity and nothing to show for a problem; every entity it returns validates.
func FuzzParseFile(f *testing.F) {
	seedFromDir(f, filepath.Join("..", "..", "shared", "testdata", "backstage"), ".yaml")
	seedFromDir(f, filepath.Join("..", "..", "shared", "testdata", "backstage-templates"), ".yaml")
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, problems := ParseFile("fuzz.yaml", data, func(string) ([]byte, error) { return nil, ErrNotFetched })
		for _, p := range ps {
			if p.Entity == nil || p.Entity.Metadata.Name == "" {
				t.Fatalf("an entity without a name came back: %+v", p.Entity)
			}
			if !ValidName(p.Entity.Metadata.Name) {
				t.Fatalf("an invalid name passed: %q", p.Entity.Metadata.Name)
			}
			_ = DeriveEdges(p.Entity)
		}
		for _, pr := range problems {
			if pr.Error() == "" {
				t.Fatalf("a problem with no text")
			}
		}
	})
}

// FuzzParseRef: a parsed ref prints as kind:namespace/name and parses back to itself.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"payments", "group:payments", "group:default/payments", "Component:Default/Foo", "a:b:c", ":x", "ns/", "user:alice"} {
		f.Add(s, "Group")
	}
	f.Fuzz(func(t *testing.T, s, kind string) {
		r, err := ParseRef(s, RefDefaults{Kind: kind})
		if err != nil {
			return
		}
		back, err := ParseRef(r.String(), RefDefaults{})
		if err != nil {
			t.Fatalf("%q parsed to %s, which does not parse: %v", s, r, err)
		}
		if back.String() != r.String() {
			t.Fatalf("%q → %s → %s", s, r, back)
		}
	})
}

// FuzzCodeowners: parsing never fails on content, and matching never panics.
func FuzzCodeowners(f *testing.F) {
	seedFromDir(f, filepath.Join("..", "..", "shared", "testdata", "codeowners"), "CODEOWNERS")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCodeowners(data)
		if err != nil {
			if len(data) <= MaxCodeownersSize {
				t.Fatalf("ParseCodeowners refused %d bytes: %v", len(data), err)
			}
			return
		}
		for _, p := range []string{"", "/", "README.md", "a/b/c.go", "docs/", ".github/CODEOWNERS"} {
			c.Match(p)
		}
	})
}
