package githubapp

import (
	"context"
	"errors"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// installationRepositoriesHandler reads the repositories added to an
// installation; removed ones leave the catalog.
type installationRepositoriesHandler struct {
	clients  *clients
	sync     *syncer
	backfill *backfiller
}

func (h installationRepositoriesHandler) handle(ctx context.Context, d delivery[github.InstallationRepositoriesEvent]) error {
	ev := d.Event
	instID := ev.GetInstallation().GetID()
	switch ev.GetAction() {
	case "added":
		// Read in batches, as a backfill: the payload lacks the default
		// branch and the rest, which the batched query reads.
		return h.backfill.added(ctx, instID, ev.RepositoriesAdded)
	case "removed":
		for _, r := range ev.RepositoriesRemoved {
			if _, err := h.sync.store.DeleteRepository(ctx, r.GetFullName()); err != nil && !errors.Is(err, catalog.ErrNotFound) {
				return err
			}
		}
		return nil
	}
	return queue.IgnoredAction("installation_repositories", ev.GetAction())
}
