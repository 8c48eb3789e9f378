package check

import (
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
)

// outsideCode is markdown without its code spans: what GitHub reads for
// mentions, links and references.
func outsideCode(md string) string {
	var b strings.Builder
	for i := 0; i < len(md); {
		if md[i] != '`' {
			b.WriteByte(md[i])
			i++
			continue
		}
		n := 0
		for i+n < len(md) && md[i+n] == '`' {
			n++
		}
		fence := md[i : i+n]
		end := -1
		for j := i + n; j < len(md); {
			k := strings.Index(md[j:], fence)
			if k < 0 {
				break
			}
			k += j
			if (k+n >= len(md) || md[k+n] != '`') && (k == 0 || md[k-1] != '`') {
				end = k
				break
			}
			j = k + 1
			for j < len(md) && md[j] == '`' {
				j++
			}
		}
		if end < 0 {
			b.WriteString(fence) // no closing fence: literal backticks
			i += n
			continue
		}
		i = end + n
	}
	return b.String()
}

// TestIssue12_07_NoMentionOrLinkFromAFork: values a fork's files put in the
// comment and the check run (owners, refs, CODEOWNERS handles, invalid
// values, paths) are code spans, backticks in them included; no mention,
// link or reference is made from them.
func TestIssue12_07_NoMentionOrLinkFromAFork(t *testing.T) {
	hostile := "@acme/everyone`` ` [click](https://evil.example/x) #12"
	file := `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
spec:
  type: service
  lifecycle: "` + "`prod` @oncall [x](https://evil.example)" + `"
  owner: payments
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: other
  tags: ["@acme/admins", "see https://evil.example"]
spec:
  type: service
  lifecycle: production
  owner: '` + hostile + `'
`
	parsed, problems := catalog.ParseFile("catalog-info.yaml", []byte(file), nil)
	for _, p := range parsed {
		catalog.StampRepoEntity(p.Entity, &catalog.Repository{FullName: "acme/payments-api", DefaultBranch: "main"}, "catalog-info.yaml")
	}
	in := Input{
		Repository: "acme/payments-api", CatalogPath: "catalog-info.yaml", CatalogFound: true,
		Parsed: parsed, Problems: problems, KnownOwners: known, OwnerNames: names,
		Codeowners: &File{Path: ".github/CODEOWNERS", Content: []byte("* @acme/payments " + strings.ReplaceAll(hostile, " ", "_") + "\n/catalog-info.yaml @acme/everyone\n")},
		Readme:     &File{Path: "README.md", Content: []byte(goodReadme)},
	}
	in.Base = []*catalog.Entity{parse(t, "acme/payments-api", "catalog-info.yaml", serviceV1)[0].Entity}
	r := Evaluate(in)
	if len(r.Findings) < 3 || len(r.Changes) == 0 {
		t.Fatalf("findings %+v, changes %+v: the fixture should give several of each", r.Findings, r.Changes)
	}
	for what, md := range map[string]string{"comment": r.Comment("https://github.com/acme/payments-api/pull/7/checks"), "summary": r.Summary()} {
		rest := strings.ReplaceAll(outsideCode(md), "](https://github.com/acme/payments-api/pull/7/checks)", "")
		for _, bad := range []string{"@", "](", "http", "#12", "[click"} {
			if strings.Contains(rest, bad) {
				t.Errorf("the %s has %q outside code spans:\n%s\n--- outside code:\n%s", what, bad, md, rest)
			}
		}
		if !strings.Contains(md, "```@acme/everyone`` ` [click](https://evil.example/x) #12```") {
			t.Errorf("the %s does not show the hostile owner as code:\n%s", what, md)
		}
	}
}

func TestCodeSpan(t *testing.T) {
	for in, want := range map[string]string{
		"payments":   "`payments`",
		"a`b":        "``a`b``",
		"`edge`":     "`` `edge` ``",
		"two\nlines": "`two lines`",
		"":           `""`,
		"x ``` y":    "````x ``` y````",
		"  padded  ": "`   padded   `",
	} {
		if got := codeSpan(in); got != want {
			t.Errorf("codeSpan(%q) = %q, want %q", in, got, want)
		}
	}
}
