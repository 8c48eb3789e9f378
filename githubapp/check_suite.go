package githubapp

import (
	"context"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// checkSuiteHandler runs the check again when the whole suite is asked for again.
type checkSuiteHandler struct{ checks *prChecker }

func (h checkSuiteHandler) handle(ctx context.Context, d delivery[github.CheckSuiteEvent]) error {
	ev := d.Event
	if ev.GetAction() != "rerequested" {
		return queue.IgnoredAction("check_suite", ev.GetAction())
	}
	s := ev.GetCheckSuite()
	return h.checks.recheck(ctx, d.Log, d.InstallationID, ev.GetRepo(), s.GetHeadSHA(), s.PullRequests, ev.GetSender().GetLogin())
}
