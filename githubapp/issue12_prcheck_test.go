package githubapp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/callboard/callboard/githubapp/queue"
)

// placeholderFile is a catalog file of about 18 KB with n $text
// placeholders, each naming target(i).
func placeholderFile(n int, target func(i int) string) []byte {
	var b strings.Builder
	b.WriteString(paymentsV1)
	b.WriteString("  docs:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - $text: %s\n", target(i))
	}
	return []byte(b.String())
}

// TestIssue12_04_PlaceholdersCostABoundedNumberOfCalls: 600 placeholders in
// one catalog file cost a handful of API calls and a bounded amount of
// memory: each file is read once per check, placeholders are capped per
// file, and the check says so.
func TestIssue12_04_PlaceholdersCostABoundedNumberOfCalls(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "feat", "big.md", []byte(strings.Repeat("x", 1<<20-100)))
	h.gh.SetFile("acme/payments-api", "feat", "small.md", []byte("hello\n"))
	cases := []struct {
		name   string
		target func(int) string
		calls  int
		want   string
	}{
		{"one large file, 600 times", func(int) string { return "./big.md" }, 12, "placeholders pull more than 4 MB into one file; the rest are not read"},
		{"one small file, 600 times", func(int) string { return "./small.md" }, 12, "more than 50 placeholders ($text, $json, $yaml) in one file; the rest are not read"},
		{"600 files", func(i int) string { return fmt.Sprintf("./missing-%d.md", i) }, 60, "more than 50 placeholders"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.gh.SetFile("acme/payments-api", "feat", "catalog-info.yaml", placeholderFile(600, tc.target))
			h.gh.ResetCalls()
			h.pr("opened", 7+i, repo, "feat")
			apiCalls(t, h, tc.name, tc.calls)
			for _, f := range []string{"big.md", "small.md"} {
				if n := h.gh.CallCount("GET /repos/acme/payments-api/contents/" + f); n > 1 {
					t.Errorf("%s read %d times, want once", f, n)
				}
			}
			mustContain(t, "the check run", summaryOf(h.lastRun("acme/payments-api")), tc.want)
		})
	}
}

// TestIssue12_04_ForkResolvesOnlyWhatTheDefaultBranchHas: a pull request
// from a fork follows only the Location targets the default branch names
// and resolves no placeholder.
func TestIssue12_04_ForkResolvesOnlyWhatTheDefaultBranchHas(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(104, "acme/platform", "main")
	// The fork adds a placeholder and a target of its own, and changes a known file.
	h.gh.SetFile("acme/platform", "fork-head", "catalog-info.yaml", []byte(`apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: platform-services}
spec:
  targets: [./services/*/catalog-info.yaml, ./tools/catalog-info.yaml, ./fork/catalog-info.yaml]
`))
	h.gh.SetFile("acme/platform", "fork-head", "fork/catalog-info.yaml", placeholderFile(600, func(int) string { return "./big.md" }))
	h.gh.SetFile("acme/platform", "fork-head", "tools/catalog-info.yaml", []byte(strings.NewReplacer("payments-api", "cli-tools", "owner: payments", "owner: nobody",
		"description: Charges cards", "description: {$text: ../secret.md}").Replace(paymentsV1)))
	h.gh.ResetCalls()
	sha := h.gh.BranchSHA("acme/platform", "fork-head")
	p := pullRequestJSON("opened", 8, repo, "fork-head", sha, "main")
	p["pull_request"].(obj)["head"].(obj)["repo"] = obj{"id": 9999, "full_name": "mallory/platform"}
	guid := h.deliver("pull_request", p)
	h.settle()
	h.mustState(guid, queue.StateDone)
	for _, c := range h.gh.Calls() {
		if strings.Contains(c.Path, "fork/") || strings.Contains(c.Path, "secret.md") || strings.Contains(c.Path, "big.md") || strings.Contains(c.Path, "missing-") {
			t.Errorf("%s %s: read for a fork what the default branch does not name", c.Method, c.Path)
		}
	}
	// What the default branch names is still checked at the fork's head.
	mustContain(t, "the check run", summaryOf(h.lastRun("acme/platform")), "owner `nobody` is not a known group or user")
}
