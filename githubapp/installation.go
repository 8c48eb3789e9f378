package githubapp

import (
	"context"
	"log/slog"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// installationHandler: a new installation fills the catalog from its
// repositories and teams; an uninstall takes them out.
type installationHandler struct {
	clients  *clients
	backfill *backfiller
	store    Store
}

func (h installationHandler) handle(ctx context.Context, d delivery[github.InstallationEvent]) error {
	ev := d.Event
	inst := ev.GetInstallation()
	switch ev.GetAction() {
	case "created", "new_permissions_accepted", "unsuspend":
		_, err := h.backfill.run(ctx, d.Log, inst.GetID(), inst.GetAccount().GetLogin(), inst.GetAccount().GetType(), SyncOptions{})
		return err
	case "deleted", "suspend":
		return h.remove(ctx, d.Log, inst.GetID(), inst.GetAccount().GetLogin(), inst.GetAccount().GetType())
	}
	return queue.IgnoredAction("installation", ev.GetAction())
}

func (h installationHandler) remove(ctx context.Context, log *slog.Logger, instID int64, account, accountType string) error {
	repos, err := h.store.InstalledRepositories(ctx, instID)
	if err != nil {
		return err
	}
	for _, r := range repos {
		if _, err := h.store.DeleteRepository(ctx, r); err != nil {
			return err
		}
	}
	if strings.EqualFold(accountType, "Organization") && account != "" {
		if _, err := h.store.ReplaceSource(ctx, orgSource(account), nil, catalog.ReplaceOptions{}); err != nil {
			return err
		}
	}
	h.clients.Forget(instID)
	log.Info("installation removed", "account", account, "repositories", len(repos))
	return nil
}
