package githubapp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/check"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
)

// The acceptance tests of the pull-request check (issue 4): signed
// deliveries through the real handler, the durable queue and the workers,
// against the fake GitHub API.

// prReadme has enough text to count as docs.
const prReadme = "# ledger\n\nKeeps the double-entry ledger that every Acme payment, refund and payout is booked in. " +
	"Run it locally with `make run`; it needs PostgreSQL 15. The on-call runbook is docs/runbook.md and the " +
	"API is described in openapi.yaml.\n"

// newPRHarness is the acme organisation on the fake, with its teams and
// users already in the catalog (the installation has been delivered).
func newPRHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := newHarness(t, cfg)
	seedAcme(h.gh)
	guid := h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	h.mustState(guid, queue.StateDone)
	if h.entity("group:payments") == nil || h.entity("group:platform") == nil {
		t.Fatal("the installation did not put the acme teams in the catalog")
	}
	return h
}

// pullRequestJSON is a pull_request payload in GitHub's shape.
func pullRequestJSON(action string, number int, repo obj, headRef, headSHA, baseRef string) obj {
	full := repo["full_name"].(string)
	return obj{
		"action": action, "number": number,
		"pull_request": obj{
			"number": number, "state": "open",
			"head": obj{"sha": headSHA, "ref": headRef, "repo": obj{"id": repo["id"], "full_name": full}}, "base": obj{"ref": baseRef},
			"user": obj{"login": "alice"}, "html_url": fmt.Sprintf("https://github.com/%s/pull/%d", full, number),
			// GitHub's payloads differ from one event to the next (updated_at,
			// at least): identical bodies are taken for a replay.
			"updated_at": time.Now().UTC().Format(time.RFC3339Nano),
		},
		"repository": repo, "installation": obj{"id": 7},
	}
}

// pr delivers a pull_request event for the head of branch, waits for it to
// be processed, and returns the head SHA it named.
func (h *harness) pr(action string, number int, repo obj, branch string) string {
	h.t.Helper()
	full := repo["full_name"].(string)
	sha := h.gh.BranchSHA(full, branch)
	if sha == "" {
		h.t.Fatalf("no branch %s in %s", branch, full)
	}
	guid := h.deliver("pull_request", pullRequestJSON(action, number, repo, branch, sha, repo["default_branch"].(string)))
	h.settle()
	h.mustState(guid, queue.StateDone)
	return sha
}

// lastRun is the repository's newest check run.
func (h *harness) lastRun(full string) fakegithub.CheckRun {
	h.t.Helper()
	runs := h.gh.CheckRuns(full)
	if len(runs) == 0 {
		h.t.Fatalf("no check run on %s", full)
	}
	return runs[len(runs)-1]
}

// onlyComment is the pull request's one comment; it fails the test when
// there is not exactly one.
func (h *harness) onlyComment(full string, number int) fakegithub.Comment {
	h.t.Helper()
	cs := h.gh.Comments(full, number)
	if len(cs) != 1 {
		h.t.Fatalf("%d comments on %s#%d, want exactly 1: %+v", len(cs), full, number, cs)
	}
	return cs[0]
}

func summaryOf(run fakegithub.CheckRun) string {
	s, _ := run.Output["summary"].(string)
	return s
}

func titleOf(run fakegithub.CheckRun) string {
	s, _ := run.Output["title"].(string)
	return s
}

// mustContain fails for each want that text does not contain.
func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, text)
		}
	}
}

// apiCalls logs the calls made since the last ResetCalls and fails when
// there are more than limit.
func apiCalls(t *testing.T, h *harness, what string, limit int) {
	t.Helper()
	calls := h.gh.Calls()
	var lines []string
	for _, c := range calls {
		lines = append(lines, fmt.Sprintf("%s %s → %d", c.Method, c.Path, c.Status))
	}
	t.Logf("%s: %d API calls\n\t%s", what, len(calls), strings.Join(lines, "\n\t"))
	if len(calls) > limit {
		t.Errorf("%s made %d API calls, want at most %d", what, len(calls), limit)
	}
}

func TestPRCheckRepositoryWithoutCatalogFile(t *testing.T) {
	// API calls per evaluation: the GraphQL read-ahead of the catalog file,
	// CODEOWNERS and README, or, without GraphQL, one REST read each.
	for _, mode := range []struct {
		name                string
		cfg                 Config
		opened, synchronize int
	}{
		{"graphql", Config{}, 5, 4},
		{"rest only", Config{RESTOnly: true}, 7, 6},
	} {
		t.Run(mode.name, func(t *testing.T) { testMissingThenAdded(t, mode.cfg, mode.opened, mode.synchronize) })
	}
}

func testMissingThenAdded(t *testing.T, cfg Config, openedCalls, syncCalls int) {
	h := newPRHarness(t, cfg)
	h.gh.AddRepo(7, fakegithub.Repo{ID: 201, FullName: "acme/ledger", DefaultBranch: "main", Description: "Double-entry ledger"})
	h.gh.SetFile("acme/ledger", "main", ".github/CODEOWNERS", []byte("* @acme/payments\n"))
	repo := repoJSON(201, "acme/ledger", "main")
	repo["description"] = "Double-entry ledger"
	h.gh.SetFile("acme/ledger", "feature-x", "README.md", []byte(prReadme))
	start := time.Now()

	var commentID int64
	t.Run("opened: one comment with a file to paste, and a neutral check run", func(t *testing.T) {
		h.gh.ResetCalls()
		sha := h.pr("opened", 5, repo, "feature-x")
		apiCalls(t, h, "opened, no catalog file", openedCalls)

		c := h.onlyComment("acme/ledger", 5)
		commentID = c.ID
		if !strings.HasPrefix(c.Body, check.Marker) {
			t.Errorf("the comment does not start with the marker %s", check.Marker)
		}
		mustContain(t, "the comment", c.Body, "`catalog-info.yaml` is missing", "```yaml",
			"  name: ledger\n", "  description: Double-entry ledger\n", "  owner: group:payments\n", "github.com/project-slug: acme/ledger")
		runs := h.gh.CheckRuns("acme/ledger")
		if len(runs) != 1 {
			t.Fatalf("%d check runs, want 1", len(runs))
		}
		run := runs[0]
		if run.Name != check.CheckRunName || run.HeadSHA != sha || run.Status != "completed" || run.Conclusion != check.Neutral {
			t.Errorf("check run %s at %s: %s/%s, want %s at %s: completed/neutral", run.Name, run.HeadSHA, run.Status, run.Conclusion, check.CheckRunName, sha)
		}
		mustContain(t, "the check run summary", summaryOf(run), "name: ledger", "owner: group:payments")
	})

	t.Run("synchronize adding a valid file: the same comment says it passes, and success", func(t *testing.T) {
		if commentID == 0 {
			t.Skip("no comment from the first run")
		}
		h.gh.SetFile("acme/ledger", "feature-x", "catalog-info.yaml", []byte(strings.NewReplacer("payments-api", "ledger", "Charges cards", "Double-entry ledger").Replace(paymentsV1)))
		h.gh.ResetCalls()
		sha := h.pr("synchronize", 5, repo, "feature-x")
		apiCalls(t, h, "synchronize, valid file", syncCalls)

		c := h.onlyComment("acme/ledger", 5)
		if c.ID != commentID {
			t.Errorf("comment %d, want the first one (%d) edited in place", c.ID, commentID)
		}
		if n := h.gh.CallCount("POST /repos/*/*/issues/*/comments"); n != 0 {
			t.Errorf("%d comments created on synchronize, want the old one edited", n)
		}
		mustContain(t, "the edited comment", c.Body, check.Marker, "passed")
		if strings.Contains(c.Body, "```yaml") {
			t.Errorf("the passing comment still offers a file to paste:\n%s", c.Body)
		}
		run := h.lastRun("acme/ledger")
		if len(h.gh.CheckRuns("acme/ledger")) != 2 || run.HeadSHA != sha || run.Conclusion != check.Success {
			t.Errorf("newest check run at %s is %s, want success at %s (of 2 runs)", run.HeadSHA, run.Conclusion, sha)
		}
		mustContain(t, "the check run summary", summaryOf(run), "component:default/ledger` added")
	})

	t.Run("one github.pr-check usage event per evaluation", func(t *testing.T) {
		events, err := h.st.UsageBetween(context.Background(), start.Add(-time.Minute), time.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			if e.Plugin == catalog.PluginPRCheck {
				got = append(got, e.Actor+" "+e.Entity+" "+e.Outcome)
			}
		}
		want := []string{"alice acme/ledger neutral", "alice acme/ledger success"}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("usage events %q, want %q", got, want)
		}
	})
}

func TestPRCheckUnknownOwnerFails(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "typo", "catalog-info.yaml", []byte(strings.Replace(paymentsV1, "owner: payments", "owner: paymnts", 1)))
	h.gh.SetFile("acme/payments-api", "typo", "README.md", []byte(prReadme))
	h.pr("opened", 9, repo, "typo")

	run := h.lastRun("acme/payments-api")
	if run.Conclusion != check.Failure {
		t.Errorf("conclusion %s, want failure for an owner that does not exist", run.Conclusion)
	}
	c := h.onlyComment("acme/payments-api", 9)
	// Markdown shows values from the file as code; the title is plain text.
	for what, text := range map[string]string{"comment": c.Body, "check run summary": summaryOf(run)} {
		mustContain(t, "the "+what, text, "`paymnts`", "(did you mean `payments`?)")
	}
	mustContain(t, "the check run title", titleOf(run), `owner "paymnts" is not a known group or user (did you mean "payments"?)`)
	// The finding points at the owner's line, for the annotation.
	if len(run.AnnotationBatches) != 1 || len(run.AnnotationBatches[0]) != 1 {
		t.Fatalf("annotation batches %v, want one annotation", run.AnnotationBatches)
	}
	a := run.AnnotationBatches[0][0]
	if a["path"] != "catalog-info.yaml" || a["start_line"] != float64(9) || a["annotation_level"] != "failure" {
		t.Errorf("annotation %v, want a failure on catalog-info.yaml line 9", a)
	}
}

func TestPRCheckShowsOwnershipMovingFirst(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "move", "catalog-info.yaml", []byte(strings.Replace(paymentsV1, "owner: payments", "owner: platform", 1)))
	h.gh.SetFile("acme/payments-api", "move", "README.md", []byte(prReadme))
	// CODEOWNERS still names payments: a warning, so there is a comment.
	h.pr("opened", 11, repo, "move")

	c := h.onlyComment("acme/payments-api", 11)
	const move = "owner: `payments` → `platform`"
	mustContain(t, "the comment", c.Body, move, "`@acme/payments`")
	if strings.Contains(strings.ReplaceAll(c.Body, "`@acme/", ""), "@acme/") {
		t.Errorf("the comment @-mentions a team outside a code span, which notifies it:\n%s", c.Body)
	}
	if i, j := strings.Index(c.Body, move), strings.Index(c.Body, "CODEOWNERS"); i < 0 || j < 0 || i > j {
		t.Errorf("the ownership move is not shown before the findings:\n%s", c.Body)
	}
	run := h.lastRun("acme/payments-api")
	if run.Conclusion != check.Neutral {
		t.Errorf("conclusion %s, want neutral (CODEOWNERS disagrees)", run.Conclusion)
	}
	mustContain(t, "the check run summary", summaryOf(run), move)

	t.Run("with CODEOWNERS moved too it passes, and the summary still shows the move", func(t *testing.T) {
		h.gh.SetFile("acme/payments-api", "move", ".github/CODEOWNERS", []byte("* @acme/platform\n"))
		h.pr("synchronize", 11, repo, "move")
		run := h.lastRun("acme/payments-api")
		if run.Conclusion != check.Success {
			t.Errorf("conclusion %s, want success: %s", run.Conclusion, summaryOf(run))
		}
		mustContain(t, "the check run summary", summaryOf(run), move)
		mustContain(t, "the edited comment", h.onlyComment("acme/payments-api", 11).Body, "passed", move)
	})
}

// badTags is a catalog file whose one entity has n invalid tags, one a line.
func badTags(name string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: %s\n  tags:\n", name)
	for i := range n {
		fmt.Fprintf(&b, "    - Not_A_Tag_%d\n", i)
	}
	b.WriteString("spec:\n  type: service\n  lifecycle: production\n  owner: payments\n")
	return []byte(b.String())
}

func TestPRCheckSixtyProblemsAreSixtyAnnotationsInTwoRequests(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "tags", "catalog-info.yaml", badTags("payments-api", 60))
	h.gh.SetFile("acme/payments-api", "tags", "README.md", []byte(prReadme))
	h.gh.ResetCalls()
	h.pr("opened", 12, repo, "tags")
	apiCalls(t, h, "opened, 60 problems", 5)

	run := h.lastRun("acme/payments-api")
	if run.Conclusion != check.Failure {
		t.Errorf("conclusion %s, want failure", run.Conclusion)
	}
	var sizes []int
	lines := map[float64]bool{}
	for _, b := range run.AnnotationBatches {
		sizes = append(sizes, len(b))
		for _, a := range b {
			lines[a["start_line"].(float64)] = true
			if a["path"] != "catalog-info.yaml" || a["annotation_level"] != "failure" {
				t.Errorf("annotation %v, want a failure on catalog-info.yaml", a)
			}
		}
	}
	if fmt.Sprint(sizes) != "[50 10]" {
		t.Errorf("annotations sent in batches of %v, want [50 10]", sizes)
	}
	if n := h.gh.CallCount("POST /repos/*/*/check-runs") + h.gh.CallCount("PATCH /repos/*/*/check-runs/*"); n != 2 {
		t.Errorf("%d check-run requests, want 2", n)
	}
	// Tags are on lines 6 to 65: each annotation on its own line.
	if len(lines) != 60 || !lines[6] || !lines[65] {
		t.Errorf("annotations on %d distinct lines, want 60 (lines 6 to 65)", len(lines))
	}
	if title := titleOf(run); !strings.Contains(title, "Not_A_Tag_0") || !strings.Contains(title, "59 more") {
		t.Errorf("title %q, want the first problem and how many more", title)
	}
}

func TestPRCheckPassingPRGetsNoComment(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "docs", "README.md", []byte(prReadme))
	h.gh.ResetCalls()
	sha := h.pr("opened", 13, repo, "docs")
	apiCalls(t, h, "opened, everything passes", 3)

	if cs := h.gh.Comments("acme/payments-api", 13); len(cs) != 0 {
		t.Errorf("%d comments on a passing pull request, want none: %+v", len(cs), cs)
	}
	run := h.lastRun("acme/payments-api")
	if run.Conclusion != check.Success || run.HeadSHA != sha {
		t.Errorf("check run %s at %s, want success at %s: %s", run.Conclusion, run.HeadSHA, sha, summaryOf(run))
	}
	// The catalog on the default branch is the base: nothing changes.
	if s := summaryOf(run); strings.Contains(s, "What this pull request changes") {
		t.Errorf("a pull request changing only the README lists catalog changes:\n%s", s)
	}

	t.Run("a second passing push still makes no comment", func(t *testing.T) {
		h.gh.SetFile("acme/payments-api", "docs", "README.md", []byte(prReadme+"\nMore.\n"))
		h.pr("synchronize", 13, repo, "docs")
		if cs := h.gh.Comments("acme/payments-api", 13); len(cs) != 0 {
			t.Errorf("%d comments, want none", len(cs))
		}
	})
}

func TestPRCheckRerequested(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "typo", "catalog-info.yaml", []byte(strings.Replace(paymentsV1, "owner: payments", "owner: paymnts", 1)))
	sha := h.pr("opened", 21, repo, "typo")
	first := h.onlyComment("acme/payments-api", 21)
	prs := []any{
		obj{"number": 21, "head": obj{"ref": "typo", "sha": sha}, "base": obj{"ref": "main", "sha": h.gh.BranchSHA("acme/payments-api", "main")}},
	}
	// The team the file names is made on GitHub, and its webhook has not
	// come yet: a re-run finds it on GitHub and passes the owner check.
	h.gh.AddTeam("acme", fakegithub.Team{ID: 3, Slug: "paymnts"})

	t.Run("check_run rerequested", func(t *testing.T) {
		h.gh.ResetCalls()
		before := len(h.gh.CheckRuns("acme/payments-api"))
		guid := h.deliver("check_run", obj{"action": "rerequested",
			"check_run":  obj{"id": 1, "name": check.CheckRunName, "head_sha": sha, "status": "completed", "conclusion": "failure", "pull_requests": prs},
			"repository": repo, "installation": obj{"id": 7}, "sender": obj{"login": "bob"}})
		h.settle()
		h.mustState(guid, queue.StateDone)
		runs := h.gh.CheckRuns("acme/payments-api")
		if len(runs) != before+1 {
			t.Fatalf("%d check runs after the re-run, want %d", len(runs), before+1)
		}
		if run := runs[len(runs)-1]; run.HeadSHA != sha || run.Conclusion == check.Failure {
			t.Errorf("re-run at %s concluded %s, want it past the owner check: %s", run.HeadSHA, run.Conclusion, summaryOf(run))
		}
		if c := h.onlyComment("acme/payments-api", 21); c.ID != first.ID || c.Body == first.Body {
			t.Errorf("the re-run did not edit the comment in place")
		}
		if n := h.gh.CallCount("GET /orgs/acme/teams/paymnts"); n != 1 {
			t.Errorf("the team was looked up on GitHub %d times, want 1", n)
		}
	})
	t.Run("check_run rerequested for another app's check is ignored", func(t *testing.T) {
		guid := h.deliver("check_run", obj{"action": "rerequested",
			"check_run":  obj{"id": 2, "name": "ci/build", "head_sha": sha, "pull_requests": prs},
			"repository": repo, "installation": obj{"id": 7}, "sender": obj{"login": "bob"}})
		h.settle()
		h.mustState(guid, queue.StateIgnored)
	})
	t.Run("check_suite rerequested re-runs every pull request listed", func(t *testing.T) {
		h.gh.ResetCalls()
		before := len(h.gh.CheckRuns("acme/payments-api"))
		both := append(prs, obj{"number": 22, "head": obj{"ref": "typo", "sha": sha}, "base": obj{"ref": "main"}})
		guid := h.deliver("check_suite", obj{"action": "rerequested",
			"check_suite": obj{"id": 1, "head_sha": sha, "head_branch": "typo", "pull_requests": both},
			"repository":  repo, "installation": obj{"id": 7}, "sender": obj{"login": "bob"}})
		h.settle()
		h.mustState(guid, queue.StateDone)
		if n := len(h.gh.CheckRuns("acme/payments-api")) - before; n != 2 {
			t.Errorf("%d check runs for a suite with 2 pull requests, want 2", n)
		}
		h.onlyComment("acme/payments-api", 21)
		h.onlyComment("acme/payments-api", 22)
	})
}

func TestPRCheckDeletedCommentIsRecreated(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "typo", "catalog-info.yaml", []byte(strings.Replace(paymentsV1, "owner: payments", "owner: paymnts", 1)))
	h.pr("opened", 31, repo, "typo")
	old := h.onlyComment("acme/payments-api", 31)
	if !h.gh.DeleteComment("acme/payments-api", old.ID) {
		t.Fatal("the comment could not be deleted")
	}
	h.gh.SetFile("acme/payments-api", "typo", "README.md", []byte(prReadme))
	h.gh.ResetCalls()
	h.pr("synchronize", 31, repo, "typo")
	c := h.onlyComment("acme/payments-api", 31)
	if c.ID == old.ID {
		t.Errorf("the deleted comment is still there")
	}
	var got []string
	for _, call := range h.gh.Calls() {
		if strings.Contains(call.Path, "/comments") {
			got = append(got, fmt.Sprintf("%s %d", call.Method, call.Status))
		}
	}
	if want := "PATCH 404, POST 201"; strings.Join(got, ", ") != want {
		t.Errorf("comment calls %q, want %q", strings.Join(got, ", "), want)
	}

	t.Run("and a comment deleted when the pull request passes is left deleted", func(t *testing.T) {
		h.gh.DeleteComment("acme/payments-api", c.ID)
		h.gh.SetFile("acme/payments-api", "typo", "catalog-info.yaml", []byte(paymentsV1))
		h.pr("synchronize", 31, repo, "typo")
		if cs := h.gh.Comments("acme/payments-api", 31); len(cs) != 0 {
			t.Errorf("%d comments, want none", len(cs))
		}
		h.gh.ResetCalls()
		h.pr("synchronize", 31, repo, "typo")
		if n := h.gh.CallCount("PATCH /repos/*/*/issues/comments/*"); n != 0 {
			t.Errorf("a comment known to be deleted was edited again (%d times)", n)
		}
	})
}

func TestPRCheckCommentStaysUnderGitHubsLimit(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "huge", "catalog-info.yaml", badTags("payments-api", 1900))
	h.gh.ResetCalls()
	h.pr("opened", 41, repo, "huge")
	apiCalls(t, h, "opened, 1,900 problems", 14)

	c := h.onlyComment("acme/payments-api", 41)
	if n := len([]rune(c.Body)); n >= 65536 {
		t.Errorf("the comment is %d characters, over GitHub's 65,536", n)
	}
	t.Logf("comment: %d characters for 1,900 problems", len(c.Body))
	mustContain(t, "the comment", c.Body, check.Marker, "1900 errors")
	run := h.lastRun("acme/payments-api")
	if n := len(summaryOf(run)); n >= 65536 {
		t.Errorf("the summary is %d characters, over GitHub's 65,535", n)
	}
}

func TestPRCheckStrictFailsOnWarnings(t *testing.T) {
	h := newPRHarness(t, Config{StrictChecks: true})
	repo := repoJSON(102, "acme/legacy-billing", "master")
	h.gh.SetFile("acme/legacy-billing", "feature-x", "README.md", []byte(prReadme))
	h.pr("opened", 71, repo, "feature-x")
	if run := h.lastRun("acme/legacy-billing"); run.Conclusion != check.Failure {
		t.Errorf("conclusion %s for a missing catalog file under CHECKS_STRICT, want failure", run.Conclusion)
	}
	mustContain(t, "the comment", h.onlyComment("acme/legacy-billing", 71).Body, "strict", "owner: group:payments")
}

// A monorepo's root Location names files that the pull request changes:
// they are read at the head, as are the docs their techdocs-ref points to.
func TestPRCheckReadsLocationTargetsAndDocsAtTheHead(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(104, "acme/platform", "main")
	withDocs := func(svc, owner string) []byte {
		return []byte(strings.NewReplacer("payments-api", svc, "owner: payments", "owner: "+owner,
			"  description: Charges cards\n", "  description: Charges cards\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n").Replace(paymentsV1))
	}
	h.gh.SetFile("acme/platform", "docs", "services/gateway/catalog-info.yaml", withDocs("gateway", "payments"))
	h.gh.SetFile("acme/platform", "docs", "services/gateway/mkdocs.yml", []byte("site_name: gateway\ndocs_dir: pages # not docs/\n"))
	h.gh.SetFile("acme/platform", "docs", "services/gateway/pages/index.md", []byte("# Gateway\n"))
	h.gh.SetFile("acme/platform", "docs", "services/auth/catalog-info.yaml", withDocs("auth", "platform"))
	h.gh.SetFile("acme/platform", "docs", "README.md", []byte(prReadme))
	h.gh.ResetCalls()
	h.pr("opened", 61, repo, "docs")
	apiCalls(t, h, "opened, monorepo with docs", 9)
	// The glob targets and the docs folders are answered by one listing.
	if n := h.gh.CallCount("GET /repos/acme/platform/git/trees/*"); n != 1 {
		t.Errorf("the head's tree was listed %d times, want 1", n)
	}

	run := h.lastRun("acme/platform")
	summary := summaryOf(run)
	mustContain(t, "the check run summary", summary, "`component:default/gateway` owner: `platform` → `payments`",
		"`component:default/auth` sets backstage.io/techdocs-ref but there is no mkdocs.yml in `services/auth/`")
	if strings.Contains(summary, "component:default/gateway sets") {
		t.Errorf("gateway's docs (docs_dir: pages) were reported missing:\n%s", summary)
	}
	if run.Conclusion != check.Neutral {
		t.Errorf("conclusion %s, want neutral (a docs warning)", run.Conclusion)
	}
}

// TestPRCheckWhatPeopleRead prints the comment and the summary of a pull
// request that gets most things wrong, for a reviewer to read (go test -v).
func TestPRCheckWhatPeopleRead(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "mixed", "catalog-info.yaml", []byte(strings.NewReplacer(
		"owner: payments", "owner: platform", "lifecycle: production", "lifecycle: deprecated").Replace(paymentsV1)+`---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: payments-db
spec:
  type: database
  owner: paymnts
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments-rest
  tags: [Payments]
spec:
  type: openapi
  lifecycle: production
  owner: payments
  definition:
    $text: ./openapi.yaml
`))
	h.gh.SetFile("acme/payments-api", "mixed", "README.md", []byte("# payments-api\n\nTODO\n"))
	h.pr("opened", 51, repo, "mixed")
	c := h.onlyComment("acme/payments-api", 51)
	run := h.lastRun("acme/payments-api")
	if run.Conclusion != check.Failure {
		t.Errorf("conclusion %s, want failure", run.Conclusion)
	}
	t.Logf("comment:\n%s", c.Body)
	t.Logf("check run %s, title %q, summary:\n%s", run.Conclusion, titleOf(run), summaryOf(run))
}
