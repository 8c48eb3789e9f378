package githubapp

import (
	"context"
	"errors"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// repositoryHandler follows a repository's life: created, deleted,
// renamed, transferred, archived, unarchived, default branch changed,
// visibility.
type repositoryHandler struct {
	clients *clients
	sync    *syncer
}

func (h repositoryHandler) handle(ctx context.Context, d delivery[github.RepositoryEvent]) error {
	ev := d.Event
	ri := infoOf(ev.GetRepo())
	switch ev.GetAction() {
	case "created", "unarchived":
		return h.resync(ctx, d.Delivery, ri)
	case "deleted":
		_, err := h.sync.store.DeleteRepository(ctx, ri.FullName)
		if errors.Is(err, catalog.ErrNotFound) {
			return nil
		}
		return err
	case "archived":
		// No API call (syncRepo reads nothing of an archived repository):
		// it leaves the catalog but its row stays, so /owner can still say
		// who owned it (from CODEOWNERS).
		ri.Archived = true
		_, err := h.sync.syncRepo(ctx, nil, d.InstallationID, ri, readAll)
		return err
	case "renamed", "transferred":
		return h.rename(ctx, d, ri)
	case "edited", "privatized", "publicized":
		if ev.GetChanges().GetDefaultBranch() != nil {
			return h.resync(ctx, d.Delivery, ri) // a new default branch may hold other files
		}
		row, err := h.sync.repoRow(ctx, ri)
		if err != nil {
			return err
		}
		return h.sync.store.PutInstalledRepository(ctx, d.InstallationID, row)
	}
	return queue.IgnoredAction("repository", ev.GetAction())
}

func (h repositoryHandler) resync(ctx context.Context, d *queue.Delivery, ri repoInfo) error {
	gh, err := h.clients.Installation(d.InstallationID)
	if err != nil {
		return err
	}
	_, err = h.sync.syncRepo(ctx, gh, d.InstallationID, ri, readAll)
	return err
}

// rename moves a repository to its new name without asking GitHub: its
// entities keep their content, and their location and slug annotations follow.
func (h repositoryHandler) rename(ctx context.Context, d delivery[github.RepositoryEvent], ri repoInfo) error {
	st := h.sync.store
	old, err := st.RepositoryByID(ctx, ri.ID)
	if errors.Is(err, catalog.ErrNotFound) {
		return h.resync(ctx, d.Delivery, ri)
	}
	if err != nil {
		return err
	}
	row := *old
	applyInfo(&row, ri)
	es, err := st.EntitiesOfSource(ctx, row.Source)
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
	_, err = st.SyncInstalledRepository(ctx, d.InstallationID, &row, decl, catalog.ReplaceOptions{KeepMissing: false})
	if err == nil {
		d.Log.Info("repository renamed", "from", old.FullName, "to", row.FullName, "entities", len(decl))
	}
	return err
}
