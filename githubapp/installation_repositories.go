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
	clients *clients
	sync    *syncer
}

func (h installationRepositoriesHandler) handle(ctx context.Context, d delivery[github.InstallationRepositoriesEvent]) error {
	ev := d.Event
	instID := ev.GetInstallation().GetID()
	switch ev.GetAction() {
	case "added":
		gh, err := h.clients.Installation(instID)
		if err != nil {
			return err
		}
		for _, r := range ev.RepositoriesAdded {
			// The payload lacks the default branch: the contents API reads it
			// and its answer names the branch, so no extra call is needed.
			if _, err := h.sync.syncRepo(ctx, gh, instID, infoOf(r), readAll); err != nil {
				return err
			}
		}
		return nil
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
