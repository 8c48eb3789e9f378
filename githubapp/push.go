package githubapp

import (
	"context"
	"errors"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// maxPushCommits is how many commits a push payload lists at most (GitHub's
// documented cap); a push with that many may have more, so its changed files
// are not all known.
const maxPushCommits = 2048

// pushHandler re-reads what a push to the default branch changed: the
// catalog files, CODEOWNERS, or both. A push that touches neither makes no
// API call.
type pushHandler struct {
	clients *clients
	sync    *syncer
}

func (h pushHandler) handle(ctx context.Context, d delivery[github.PushEvent]) error {
	ev := d.Event
	repo := ev.GetRepo()
	branch := strings.TrimPrefix(ev.GetRef(), "refs/heads/")
	// Only the default branch feeds the catalog.
	switch {
	case !strings.HasPrefix(ev.GetRef(), "refs/heads/"):
		return queue.Ignored("push to a tag, not a branch")
	case branch != repo.GetDefaultBranch():
		return queue.Ignored("push to a branch that is not the default")
	case ev.GetDeleted():
		return queue.Ignored("the branch was deleted")
	}
	ri := repoInfo{
		ID: repo.GetID(), FullName: repo.GetFullName(), DefaultBranch: branch, Description: repo.GetDescription(),
		HTMLURL: repo.GetHTMLURL(), Private: repo.GetPrivate(), Archived: repo.GetArchived(),
	}
	row, err := h.sync.store.RepositoryByID(ctx, ri.ID)
	parts := readAll
	switch {
	case errors.Is(err, catalog.ErrNotFound):
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
		parts = h.sync.touches(row, paths)
		if !parts.catalog && !parts.codeowners {
			return nil // nothing the catalog reads changed: no API call
		}
	}
	gh, err := h.clients.Installation(d.InstallationID)
	if err != nil {
		return err
	}
	applyInfo(row, ri)
	_, err = h.sync.syncRow(ctx, gh, d.InstallationID, ri, row, parts)
	return err
}
