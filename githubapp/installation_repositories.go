package githubapp

import (
	"context"

	"github.com/google/go-github/v62/github"
)

// onInstallationRepositories: repositories added to an installation are
// read; removed ones leave the catalog.
func (a *App) onInstallationRepositories(ctx context.Context, d *Delivery, ev *github.InstallationRepositoriesEvent) error {
	instID := ev.GetInstallation().GetID()
	switch ev.GetAction() {
	case "added":
		gh, err := a.installationClient(instID)
		if err != nil {
			return err
		}
		for _, r := range ev.RepositoriesAdded {
			// The payload lacks the default branch: the contents API reads it
			// and its answer names the branch, so no extra call is needed.
			if _, err := a.sync.syncRepo(ctx, gh, instID, infoOf(r), readAll); err != nil {
				return err
			}
		}
		return nil
	case "removed":
		for _, r := range ev.RepositoriesRemoved {
			if _, err := a.sync.store.DeleteRepository(ctx, r.GetFullName()); err != nil && !isNotFound(err) {
				return err
			}
		}
		return nil
	}
	return ignoredAction("installation_repositories", ev.GetAction())
}
