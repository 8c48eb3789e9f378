package githubapp

import (
	"context"
	"fmt"
	"time"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// pullRequestHandler checks a pull request when it opens, reopens, gets
// new commits, or becomes ready for review, and records it when it merges.
type pullRequestHandler struct {
	checks *prChecker
	// results forgets a closed pull request's check.
	results CheckResults
	merges  MergeRecorder // nil: merges are not recorded
	// onboarding learns of its proposals' closes; nil: not recorded
	onboarding OnboardingRecorder
	now        func() time.Time
}

func (h pullRequestHandler) handle(ctx context.Context, d delivery[github.PullRequestEvent]) error {
	ev := d.Event
	switch ev.GetAction() {
	case "opened", "reopened", "synchronize", "ready_for_review":
	case "closed":
		if err := h.results.closed(ctx, ev.GetRepo().GetID(), ev.GetPullRequest().GetNumber()); err != nil {
			return fmt.Errorf("forgetting the check of %s#%d: %w", ev.GetRepo().GetFullName(), ev.GetPullRequest().GetNumber(), err)
		}
		if err := h.onboardingClosed(ctx, ev); err != nil {
			return err
		}
		return h.merged(ctx, ev)
	default:
		return queue.IgnoredAction("pull_request", ev.GetAction())
	}
	pr := ev.GetPullRequest()
	if pr.GetState() == "closed" {
		return queue.Ignored("the pull request is closed")
	}
	t := prTarget{
		repo: infoOf(ev.GetRepo()), number: pr.GetNumber(), headSHA: pr.GetHead().GetSHA(), baseRef: pr.GetBase().GetRef(),
		author: pr.GetUser().GetLogin(), prAuthor: pr.GetUser().GetLogin(), installID: d.InstallationID, commentable: true,
		untrusted: pr.GetHead().GetRepo().GetID() != ev.GetRepo().GetID(),
	}
	return h.checks.run(ctx, d.Log, t)
}

// merged records a merged pull request for the digest's KPIs (time to an
// engineer's 10th merged PR, merges per active developer per day).
func (h pullRequestHandler) merged(ctx context.Context, ev *github.PullRequestEvent) error {
	pr := ev.GetPullRequest()
	if !pr.GetMerged() || h.merges == nil {
		return queue.Ignored("closed without a merge")
	}
	at := pr.GetMergedAt().Time
	if at.IsZero() {
		at = h.now()
	}
	return h.merges.RecordMerge(ctx, ev.GetRepo().GetFullName(), pr.GetNumber(), pr.GetUser().GetLogin(), at)
}
