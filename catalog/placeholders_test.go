package catalog

import (
	"fmt"
	"strings"
	"testing"
)

// TestIssue12_04_PlaceholdersPerFileAreCapped: ParseFile resolves at most
// MaxPlaceholders placeholders per file and MaxPlaceholderBytes of content,
// counted at each use, and says so once.
func TestIssue12_04_PlaceholdersPerFileAreCapped(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: api-%d}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: payments\n  definition: {$text: ./a.yaml}\n  docs: [{$text: ./b.md}, {$text: ./c.md}]\n", i)
	}
	for _, tc := range []struct {
		name  string
		size  int
		calls int
		want  string
	}{
		{"small targets", 10, MaxPlaceholders, "more than 50 placeholders ($text, $json, $yaml) in one file; the rest are not read"},
		{"large targets", 1 << 20, 5, "placeholders pull more than 4 MB into one file; the rest are not read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			parsed, problems := ParseFile("catalog-info.yaml", []byte(b.String()), func(string) ([]byte, error) {
				calls++
				return []byte(strings.Repeat("x", tc.size)), nil
			})
			if calls != tc.calls {
				t.Errorf("resolved %d placeholders, want %d", calls, tc.calls)
			}
			if len(problems) != 1 || problems[0].Message != tc.want {
				t.Errorf("problems %v, want one: %s", problems, tc.want)
			}
			if len(parsed) == 0 || len(parsed) >= 30 {
				t.Errorf("%d entities parsed; want those within the budget", len(parsed))
			}
		})
	}
}
