package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/githubapp/repofs"
	"github.com/google/go-github/v62/github"
)

// manifestTapped re-reads, after a push to the default branch has been
// handled, the root manifests (go.mod, package.json, pom.xml) its commits
// touched, for framework fragmentation: one GraphQL call for them all, and
// none when the push touched none. A manifest GraphQL cannot give whole is
// left as it was recorded (the backfill's batched query reads it next);
// so is every manifest where GraphQL is off (RESTOnly). A failed read is
// logged, not retried: the figure is not worth re-running the catalog sync.
type manifestTapped struct {
	rec     KPIRecorder
	clients *clients
	graphql string // "" reads nothing
	next    handler
}

func (h manifestTapped) handle(ctx context.Context, d *queue.Delivery, log *slog.Logger) error {
	err := h.next.handle(ctx, d, log)
	if err != nil && !errors.Is(err, queue.ErrIgnored) {
		return err // retried whole, manifests included
	}
	var ev github.PushEvent
	if json.Unmarshal(d.Payload, &ev) != nil {
		return err
	}
	paths := touchedManifests(&ev)
	if len(paths) == 0 || h.graphql == "" || h.clients == nil {
		return err
	}
	if rerr := h.read(ctx, d, &ev, paths); rerr != nil {
		log.Warn("re-reading the manifests a push touched, for the KPIs", "repository", ev.GetRepo().GetFullName(), "err", rerr)
	}
	return err
}

// touchedManifests are the root manifests a push to the default branch
// added, changed or removed; all of them when its list of files is not
// whole (forced, or as many commits as GitHub lists).
func touchedManifests(ev *github.PushEvent) []string {
	repo := ev.GetRepo()
	if !strings.HasPrefix(ev.GetRef(), "refs/heads/") || strings.TrimPrefix(ev.GetRef(), "refs/heads/") != repo.GetDefaultBranch() ||
		ev.GetDeleted() || repo.GetFullName() == "" {
		return nil
	}
	if ev.GetForced() || len(ev.Commits) >= maxPushCommits {
		return manifests[:]
	}
	var out []string
	for _, c := range ev.Commits {
		for _, files := range [][]string{c.Added, c.Modified, c.Removed} {
			for _, f := range files {
				if slices.Contains(manifests[:], f) && !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// read reads paths at the default branch's head (the latest, should
// pushes be handled out of order) in one GraphQL call and records what
// they declare.
func (h manifestTapped) read(ctx context.Context, d *queue.Delivery, ev *github.PushEvent, paths []string) error {
	gh, err := h.clients.Installation(d.InstallationID)
	if err != nil {
		return err
	}
	fsys := repofs.New(ctx, gh, ev.GetRepo().GetFullName(), "")
	if err := fsys.ReadAhead(h.graphql, paths); err != nil {
		return err
	}
	fsys.Defer(true) // what the one call did not give is not read through REST
	st := catalog.RepoStack{Repo: ev.GetRepo().GetFullName(), Language: ev.GetRepo().GetLanguage(), Manifests: map[string][]byte{}}
	for _, p := range paths {
		data, err := fsys.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if wanted, _ := fsys.Wanted(); !slices.Contains(wanted, p) {
				st.Manifests[p] = nil // removed
			}
		case err != nil:
			return err
		default:
			st.Manifests[p] = data
		}
	}
	if len(st.Manifests) == 0 {
		return nil
	}
	return h.rec.RecordStacks(ctx, []catalog.RepoStack{st}, d.ReceivedAt)
}
