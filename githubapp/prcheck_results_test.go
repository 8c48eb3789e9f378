package githubapp

import (
	"context"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/check"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
)

// TestPRCheckResults: the latest check of each open pull request is kept
// for the Slack App Home: a failing one is listed (by the pull request's
// author, not by who re-ran it), a pass takes it off, and so does the pull
// request closing.
func TestPRCheckResults(t *testing.T) {
	h := newPRHarness(t, Config{})
	results := NewCheckResults(h.st.db)
	failing := func() []catalog.PullRequestCheck {
		t.Helper()
		got, err := results.FailingPullRequests(context.Background(), []string{"ACME/Payments-API", "acme/nothing-here"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "typo", "catalog-info.yaml", []byte(strings.Replace(paymentsV1, "owner: payments", "owner: paymnts", 1)))
	sha := h.pr("opened", 9, repo, "typo")
	h.pr("opened", 10, repo, "typo")
	got := failing()
	if len(got) != 2 || got[0].Number+got[1].Number != 19 {
		t.Fatalf("failing %+v, want #9 and #10", got)
	}
	for _, c := range got {
		if c.Repository != "acme/payments-api" || c.Author != "alice" || c.Conclusion != check.Failure ||
			!strings.HasPrefix(c.URL, "https://github.com/acme/payments-api/pull/") || c.At.IsZero() {
			t.Errorf("failing %+v, want alice's pull request on acme/payments-api, with its page and time", c)
		}
	}

	// #10 closes unmerged: it is forgotten.
	closed := pullRequestJSON("closed", 10, repo, "typo", sha, "main")
	closed["pull_request"].(obj)["state"] = "closed"
	guid := h.deliver("pull_request", closed)
	h.settle()
	h.mustState(guid, queue.StateIgnored) // closed without a merge: no merge to record
	if got := failing(); len(got) != 1 || got[0].Number != 9 {
		t.Fatalf("failing %+v after #10 closed, want #9 alone", got)
	}

	// Bob re-runs #9 once the team exists: it passes, and is off the list.
	h.gh.AddTeam("acme", fakegithub.Team{ID: 3, Slug: "paymnts"})
	prs := []any{obj{"number": 9, "head": obj{"ref": "typo", "sha": sha}, "base": obj{"ref": "main"}}}
	guid = h.deliver("check_suite", obj{"action": "rerequested",
		"check_suite": obj{"id": 1, "head_sha": sha, "head_branch": "typo", "pull_requests": prs},
		"repository":  repo, "installation": obj{"id": 7}, "sender": obj{"login": "bob"}})
	h.settle()
	h.mustState(guid, queue.StateDone)
	if got := failing(); len(got) != 0 {
		t.Fatalf("failing %+v after #9 passed, want none", got)
	}
	var author string
	if err := h.st.db.QueryRow(context.Background(), `SELECT author FROM pr_check_results WHERE number = 9`).Scan(&author); err != nil || author != "alice" {
		t.Errorf("#9's author after bob's re-run: %q (%v), want alice", author, err)
	}
}
