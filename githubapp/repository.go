package githubapp

import (
	"context"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
)

// onRepository follows a repository's life: created, deleted, renamed,
// transferred, archived, unarchived, default branch changed, visibility.
func (a *App) onRepository(ctx context.Context, d *Delivery, ev *github.RepositoryEvent) error {
	r := ev.GetRepo()
	ri := infoOf(r)
	switch ev.GetAction() {
	case "created", "unarchived":
		return a.resync(ctx, d, ri)
	case "deleted":
		_, err := a.sync.store.DeleteRepository(ctx, ri.FullName)
		if isNotFound(err) {
			return nil
		}
		return err
	case "archived":
		// No API call (syncRepo reads nothing of an archived repository):
		// it leaves the catalog but its row stays, so /owner can still say
		// who owned it (from CODEOWNERS).
		ri.Archived = true
		_, err := a.sync.syncRepo(ctx, nil, d.InstallationID, ri, readAll)
		return err
	case "renamed", "transferred":
		return a.rename(ctx, d, ri)
	case "edited", "privatized", "publicized":
		if ev.GetChanges().GetDefaultBranch() != nil {
			return a.resync(ctx, d, ri) // a new default branch may hold other files
		}
		row, err := a.sync.repoRow(ctx, ri)
		if err != nil {
			return err
		}
		return a.sync.store.PutInstalledRepository(ctx, d.InstallationID, row)
	}
	return ignoredAction("repository", ev.GetAction())
}

func (a *App) resync(ctx context.Context, d *Delivery, ri repoInfo) error {
	gh, err := a.installationClient(d.InstallationID)
	if err != nil {
		return err
	}
	_, err = a.sync.syncRepo(ctx, gh, d.InstallationID, ri, readAll)
	return err
}

// rename moves a repository to its new name without asking GitHub: its
// entities keep their content, and their location and slug annotations follow.
func (a *App) rename(ctx context.Context, d *Delivery, ri repoInfo) error {
	old, err := a.sync.store.RepositoryByID(ctx, ri.ID)
	if isNotFound(err) {
		return a.resync(ctx, d, ri)
	}
	if err != nil {
		return err
	}
	row := *old
	applyInfo(&row, ri)
	es, err := a.sync.store.EntitiesOfSource(ctx, row.Source)
	if err != nil {
		return err
	}
	oldPrefix := catalog.RepoLocation(old, "")
	decl := make([]catalog.Declared, 0, len(es))
	for _, e := range es {
		e.Metadata.UID, e.Metadata.Etag = "", ""
		loc := e.Metadata.Annotations[catalog.AnnotationManagedByLocation]
		path := strings.TrimPrefix(loc, oldPrefix)
		if strings.EqualFold(e.Metadata.Annotations[catalog.AnnotationProjectSlug], old.FullName) {
			delete(e.Metadata.Annotations, catalog.AnnotationProjectSlug)
		}
		catalog.StampRepoEntity(e, &row, path)
		decl = append(decl, catalog.Declared{Entity: e, Location: catalog.RepoLocation(&row, path)})
	}
	_, err = a.sync.store.SyncInstalledRepository(ctx, d.InstallationID, &row, decl, catalog.ReplaceOptions{KeepMissing: false})
	if err == nil {
		a.log.Info("repository renamed", "from", old.FullName, "to", row.FullName, "entities", len(decl))
	}
	return err
}
