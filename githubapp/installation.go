package githubapp

import (
	"context"
	"fmt"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
)

// onInstallation: a new installation fills the catalog from its
// repositories and teams; an uninstall takes them out.
func (a *App) onInstallation(ctx context.Context, d *Delivery, ev *github.InstallationEvent) error {
	inst := ev.GetInstallation()
	switch ev.GetAction() {
	case "created", "new_permissions_accepted", "unsuspend":
		_, err := a.backfill(ctx, inst.GetID(), inst.GetAccount().GetLogin(), inst.GetAccount().GetType())
		return err
	case "deleted", "suspend":
		return a.removeInstallation(ctx, inst.GetID(), inst.GetAccount().GetLogin(), inst.GetAccount().GetType())
	}
	return ignoredAction("installation", ev.GetAction())
}

// BackfillReport says what a backfill read and wrote.
type BackfillReport struct {
	Installation int64
	Account      string
	Repositories int
	Entities     int // entities added or updated
	APICalls     int64
}

// backfill reads every repository of an installation (its catalog files and
// CODEOWNERS) and, for an organisation, its teams and members.
func (a *App) backfill(ctx context.Context, instID int64, account, accountType string) (BackfillReport, error) {
	rep := BackfillReport{Installation: instID, Account: account}
	gh, err := a.installationClient(instID)
	if err != nil {
		return rep, err
	}
	before := a.APICalls()
	opts := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := gh.Apps.ListRepos(ctx, opts)
		if err != nil {
			return rep, fmt.Errorf("listing repositories of installation %d: %w", instID, err)
		}
		for _, r := range list.Repositories {
			res, err := a.sync.syncRepo(ctx, gh, instID, infoOf(r), readAll)
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
		res, err := a.sync.syncOrg(ctx, gh, account)
		if err != nil {
			return rep, err
		}
		rep.Entities += len(res.Added) + len(res.Updated)
	}
	rep.APICalls = a.APICalls() - before
	a.log.Info("installation backfilled", "installation", instID, "account", account, "repositories", rep.Repositories, "entities_changed", rep.Entities, "api_calls", rep.APICalls)
	return rep, nil
}

func (a *App) removeInstallation(ctx context.Context, instID int64, account, accountType string) error {
	repos, err := a.sync.store.InstalledRepositories(ctx, instID)
	if err != nil {
		return err
	}
	for _, r := range repos {
		if _, err := a.sync.store.DeleteRepository(ctx, r); err != nil {
			return err
		}
	}
	removed := len(repos)
	if strings.EqualFold(accountType, "Organization") && account != "" {
		if _, err := a.sync.store.ReplaceSource(ctx, orgSource(account), nil, catalog.ReplaceOptions{}); err != nil {
			return err
		}
	}
	if a.clients != nil {
		a.clients.Forget(instID)
	}
	a.log.Info("installation removed", "installation", instID, "account", account, "repositories", removed)
	return nil
}

// SyncAll backfills every installation of the App: callboard sync.
func (a *App) SyncAll(ctx context.Context) ([]BackfillReport, error) {
	if a.clients == nil {
		return nil, errNoGitHub
	}
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
			rep, err := a.backfill(ctx, inst.GetID(), inst.GetAccount().GetLogin(), inst.GetAccount().GetType())
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
