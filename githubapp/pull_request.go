package githubapp

import (
	"context"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
)

// onPullRequest checks a pull request when it opens, reopens, gets new
// commits, or becomes ready for review.
func (a *App) onPullRequest(ctx context.Context, d *Delivery, ev *github.PullRequestEvent) error {
	switch ev.GetAction() {
	case "opened", "reopened", "synchronize", "ready_for_review":
	case "closed":
		return a.onMerged(ctx, ev)
	default:
		return ignoredAction("pull_request", ev.GetAction())
	}
	pr := ev.GetPullRequest()
	if pr.GetState() == "closed" {
		return ignored("the pull request is closed")
	}
	t := prTarget{
		repo: infoOf(ev.GetRepo()), number: pr.GetNumber(), headSHA: pr.GetHead().GetSHA(), baseRef: pr.GetBase().GetRef(),
		author: pr.GetUser().GetLogin(), installID: d.InstallationID, commentable: true,
		untrusted: pr.GetHead().GetRepo().GetID() != ev.GetRepo().GetID(),
	}
	return a.runCheck(ctx, t)
}

func (a *App) runCheck(ctx context.Context, t prTarget) error {
	r, err := a.checks.evaluate(ctx, t)
	if err != nil {
		return err
	}
	a.usage(ctx, catalog.UsageEvent{Plugin: catalog.PluginPRCheck, Action: "evaluate", Actor: t.author,
		Entity: t.repo.FullName, Outcome: r.Conclusion})
	a.log.Info("pull request checked", "repository", t.repo.FullName, "pr", t.number, "sha", t.headSHA, "conclusion", r.Conclusion, "findings", len(r.Findings))
	return nil
}

// onMerged records a merged pull request for the digest's KPIs (time to an
// engineer's 10th merged PR, merges per active developer per day).
func (a *App) onMerged(ctx context.Context, ev *github.PullRequestEvent) error {
	pr := ev.GetPullRequest()
	if !pr.GetMerged() || a.cfg.Merges == nil {
		return ignored("closed without a merge")
	}
	at := pr.GetMergedAt().Time
	if at.IsZero() {
		at = a.cfg.Now()
	}
	return a.cfg.Merges.RecordMerge(ctx, ev.GetRepo().GetFullName(), pr.GetNumber(), pr.GetUser().GetLogin(), at)
}
