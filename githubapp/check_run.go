package githubapp

import (
	"context"

	"github.com/callboard/callboard/catalog/check"
	"github.com/google/go-github/v62/github"
)

// onCheckRun re-runs the check when someone asks for it again on GitHub.
func (a *App) onCheckRun(ctx context.Context, d *Delivery, ev *github.CheckRunEvent) error {
	run := ev.GetCheckRun()
	if ev.GetAction() != "rerequested" || run.GetName() != check.CheckRunName {
		return ignored("not a re-run of " + check.CheckRunName)
	}
	return a.recheck(ctx, d, ev.GetRepo(), run.GetHeadSHA(), run.PullRequests, ev.GetSender().GetLogin())
}

// recheck evaluates a commit again, for each pull request it belongs to
// (or once, without a comment, when it belongs to none).
func (a *App) recheck(ctx context.Context, d *Delivery, repo *github.Repository, sha string, prs []*github.PullRequest, actor string) error {
	ri := infoOf(repo)
	if len(prs) == 0 {
		// A commit of no pull request GitHub names here: it may be a fork's.
		return a.runCheck(ctx, prTarget{repo: ri, headSHA: sha, installID: d.InstallationID, author: actor, untrusted: true})
	}
	for _, pr := range prs {
		t := prTarget{repo: ri, number: pr.GetNumber(), headSHA: sha, baseRef: pr.GetBase().GetRef(),
			installID: d.InstallationID, author: actor, commentable: true,
			untrusted: pr.GetHead().GetRepo().GetID() != repo.GetID()}
		if err := a.runCheck(ctx, t); err != nil {
			return err
		}
	}
	return nil
}
