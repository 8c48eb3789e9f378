package githubapp

import (
	"context"
	"time"

	"github.com/google/go-github/v62/github"
)

// OnboardingRecorder learns what became of onboarding pull requests
// (onboarding.Store): merged, or closed without a merge. It reports whether
// the pull request was one of its proposals.
type OnboardingRecorder interface {
	Closed(ctx context.Context, repo string, number int, merged bool, at time.Time) (bool, error)
}

// AppClient is the client that authenticates as the App (JWT), counted
// with the App's other calls.
func (a *App) AppClient() (*github.Client, error) { return a.clients.App() }

// InstallationClient is the client of one installation, counted with the
// App's other calls.
func (a *App) InstallationClient(id int64) (*github.Client, error) { return a.clients.Installation(id) }

// onboardingClosed records an onboarding pull request's close, when the
// closed pull request came from callboard's branch.
func (h pullRequestHandler) onboardingClosed(ctx context.Context, ev *github.PullRequestEvent) error {
	pr := ev.GetPullRequest()
	if h.onboarding == nil || pr.GetHead().GetRef() != onboardingBranch || pr.GetHead().GetRepo().GetID() != ev.GetRepo().GetID() {
		return nil
	}
	at := pr.GetClosedAt().Time
	if at.IsZero() {
		at = h.now()
	}
	_, err := h.onboarding.Closed(ctx, ev.GetRepo().GetFullName(), pr.GetNumber(), pr.GetMerged(), at)
	return err
}

// onboardingBranch is onboarding.Branch (githubapp does not import onboarding).
const onboardingBranch = "callboard/catalog-info"
