package githubapp

import (
	"context"
	"fmt"
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
		_, err := h.backfill.run(ctx, d.Log, inst.GetID(), inst.GetAccount().GetLogin(), inst.GetAccount().GetType())
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

// BackfillReport says what a backfill read and wrote.
type BackfillReport struct {
	Installation int64
	Account      string
	Repositories int
	Entities     int // entities added or updated
	APICalls     int64
}

// backfiller reads an installation whole: an installation event, and
// callboard sync.
type backfiller struct {
	clients *clients
	sync    *syncer
}

// run reads every repository of an installation (its catalog files and
// CODEOWNERS) and, for an organisation, its teams and members; log names
// the installation.
func (b *backfiller) run(ctx context.Context, log *slog.Logger, instID int64, account, accountType string) (BackfillReport, error) {
	rep := BackfillReport{Installation: instID, Account: account}
	gh, err := b.clients.Installation(instID)
	if err != nil {
		return rep, err
	}
	before := b.clients.Calls()
	opts := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := gh.Apps.ListRepos(ctx, opts)
		if err != nil {
			return rep, fmt.Errorf("listing repositories of installation %d: %w", instID, err)
		}
		for _, r := range list.Repositories {
			res, err := b.sync.syncRepo(ctx, gh, instID, infoOf(r), readAll)
			if err != nil {
				return rep, err
			}
			rep.Repositories++
			rep.Entities += len(res.Added) + len(res.Updated)
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if strings.EqualFold(accountType, "Organization") && account != "" {
		res, err := b.sync.syncOrg(ctx, gh, account)
		if err != nil {
			return rep, err
		}
		rep.Entities += len(res.Added) + len(res.Updated)
	}
	rep.APICalls = b.clients.Calls() - before
	log.Info("installation backfilled", "account", account, "repositories", rep.Repositories, "entities_changed", rep.Entities, "api_calls", rep.APICalls)
	return rep, nil
}

// SyncAll backfills every installation of the App: callboard sync.
func (a *App) SyncAll(ctx context.Context) ([]BackfillReport, error) {
	app, err := a.clients.App()
	if err != nil {
		return nil, err
	}
	var reports []BackfillReport
	opts := &github.ListOptions{PerPage: 100}
	for {
		insts, resp, err := app.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return reports, fmt.Errorf("listing installations: %w", err)
		}
		for _, inst := range insts {
			rep, err := a.backfill.run(ctx, a.log.With("installation", inst.GetID()), inst.GetID(), inst.GetAccount().GetLogin(), inst.GetAccount().GetType())
			if err != nil {
				return reports, err
			}
			reports = append(reports, rep)
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return reports, nil
}
