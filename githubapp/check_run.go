package githubapp

import (
	"context"

	"github.com/callboard/callboard/catalog/check"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// checkRunHandler runs the check again when someone asks for it again on GitHub.
type checkRunHandler struct{ checks *prChecker }

func (h checkRunHandler) handle(ctx context.Context, d delivery[github.CheckRunEvent]) error {
	ev := d.Event
	run := ev.GetCheckRun()
	if ev.GetAction() != "rerequested" || run.GetName() != check.CheckRunName {
		return queue.Ignored("not a re-run of " + check.CheckRunName)
	}
	return h.checks.recheck(ctx, d.Log, d.InstallationID, ev.GetRepo(), run.GetHeadSHA(), run.PullRequests, ev.GetSender().GetLogin())
}
