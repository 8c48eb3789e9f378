package githubapp

import (
	"context"

	"github.com/google/go-github/v62/github"
)

// onCheckSuite re-runs the check when the whole suite is asked for again.
func (a *App) onCheckSuite(ctx context.Context, d *Delivery, ev *github.CheckSuiteEvent) error {
	if ev.GetAction() != "rerequested" {
		return ignoredAction("check_suite", ev.GetAction())
	}
	s := ev.GetCheckSuite()
	return a.recheck(ctx, d, ev.GetRepo(), s.GetHeadSHA(), s.PullRequests, ev.GetSender().GetLogin())
}
