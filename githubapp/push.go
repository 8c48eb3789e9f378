package githubapp

import (
	"context"
	"strings"

	"github.com/google/go-github/v62/github"
)

// maxPushCommits is how many commits a push payload lists at most (GitHub's
// documented cap); a push with that many may have more, so its changed files
// are not all known.
const maxPushCommits = 2048

// onPush re-reads what a push to the default branch changed: the catalog
// files, CODEOWNERS, or both. A push that touches neither makes no API call.
func (a *App) onPush(ctx context.Context, d *Delivery, ev *github.PushEvent) error {
	repo := ev.GetRepo()
	branch := strings.TrimPrefix(ev.GetRef(), "refs/heads/")
	// Only the default branch feeds the catalog.
	switch {
	case !strings.HasPrefix(ev.GetRef(), "refs/heads/"):
		return ignored("push to a tag, not a branch")
	case branch != repo.GetDefaultBranch():
		return ignored("push to a branch that is not the default")
	case ev.GetDeleted():
		return ignored("the branch was deleted")
	}
	ri := repoInfo{
		ID: repo.GetID(), FullName: repo.GetFullName(), DefaultBranch: branch, Description: repo.GetDescription(),
		HTMLURL: repo.GetHTMLURL(), Private: repo.GetPrivate(), Archived: repo.GetArchived(),
	}
	row, err := a.sync.store.RepositoryByID(ctx, ri.ID)
	parts := readAll
	switch {
	case isNotFound(err):
		// Never seen (its installation event was missed): read it whole.
		row = newRepoRow(ri)
	case err != nil:
		return err
	case len(ev.Commits) >= maxPushCommits || len(ev.Commits) == 0 || ev.GetForced():
		// The list of changed files is incomplete: read it whole.
	default:
		var paths []string
		for _, c := range ev.Commits {
			paths = append(paths, c.Added...)
			paths = append(paths, c.Modified...)
			paths = append(paths, c.Removed...)
		}
		parts = a.sync.touches(row, paths)
		if !parts.catalog && !parts.codeowners {
			return nil // nothing the catalog reads changed: no API call
		}
	}
	gh, err := a.installationClient(d.InstallationID)
	if err != nil {
		return err
	}
	applyInfo(row, ri)
	_, err = a.sync.syncRow(ctx, gh, d.InstallationID, ri, row, parts)
	return err
}
