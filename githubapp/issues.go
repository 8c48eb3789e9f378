package githubapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/ghapi"
	"github.com/callboard/callboard/scaffold"
	"github.com/google/go-github/v62/github"
)

// issuesHandler hands scaffold requests to the scaffolder: an issue of
// SCAFFOLD_REPO with the scaffold label, when it is opened, edited (a
// refused request is fixed by editing it), or labelled scaffold.
type issuesHandler struct {
	clients    *clients
	scaffolder Scaffolder // nil: the scaffolder is off
	repo       string     // SCAFFOLD_REPO
	sync       *syncer    // registers what the scaffolder creates
	usage      usageLog
}

func (h issuesHandler) handle(ctx context.Context, d delivery[github.IssuesEvent]) error {
	ev := d.Event
	if err := h.wanted(ev); err != nil {
		return err
	}
	repo, issue := ev.GetRepo(), ev.GetIssue()
	gh, err := h.clients.Installation(d.InstallationID)
	if err != nil {
		return err
	}
	is := scaffold.Issue{
		Installation: d.InstallationID, RepoID: repo.GetID(), Repository: repo.GetFullName(), Number: issue.GetNumber(),
		Body: issue.GetBody(), Author: issue.GetUser().GetLogin(), Sender: ev.GetSender().GetLogin(), URL: issue.GetHTMLURL(),
		Log: d.Log.With("component", "scaffold"),
	}
	port := scaffoldGitHub{Client: scaffold.NewClient(gh, h.clients.AppID()), gh: gh, inst: d.InstallationID, clients: h.clients, sync: h.sync, log: is.Log}
	out, err := h.scaffolder.Handle(ctx, port, is)
	if err != nil {
		return err
	}
	if out.State == "" {
		return queue.Ignored("the scaffold request needs nothing done")
	}
	entity := out.Entity
	if entity == "" {
		entity = out.Template
	}
	h.usage.record(ctx, d.Log, catalog.UsageEvent{Plugin: catalog.PluginScaffolder, Action: "request", Actor: is.Author,
		Entity: entity, Outcome: scaffoldOutcome(out.State), Detail: out.Detail})
	return nil
}

// wanted returns why an issues event asks nothing of the scaffolder, or nil
// when it is an open scaffold request in SCAFFOLD_REPO.
func (h issuesHandler) wanted(ev *github.IssuesEvent) error {
	switch ev.GetAction() {
	case "opened", "edited", "reopened":
	case "labeled":
		if ev.GetLabel().GetName() != scaffold.Label {
			return queue.Ignored("a label other than " + scaffold.Label + " was added")
		}
	default:
		return queue.IgnoredAction("issues", ev.GetAction())
	}
	repo, issue := ev.GetRepo(), ev.GetIssue()
	if h.repo == "" || h.scaffolder == nil || !strings.EqualFold(repo.GetFullName(), h.repo) {
		return queue.Ignored("not an issue of SCAFFOLD_REPO")
	}
	if issue.IsPullRequest() || issue.GetState() != "open" || !hasLabel(issue, scaffold.Label) {
		return queue.Ignored("not an open issue labelled " + scaffold.Label)
	}
	return nil
}

// scaffoldOutcome is the usage outcome of a request that ended in state.
func scaffoldOutcome(state string) string {
	switch state {
	case scaffold.StateDone:
		return catalog.OutcomeSuccess
	case scaffold.StateRefused:
		return "refused"
	}
	return catalog.OutcomeFailure
}

func hasLabel(issue *github.Issue, name string) bool {
	return slices.ContainsFunc(issue.Labels, func(l *github.Label) bool { return strings.EqualFold(l.GetName(), name) })
}

// scaffoldGitHub is the scaffolder's GitHub for one request: the
// installation's client, and what only the App does.
type scaffoldGitHub struct {
	*scaffold.Client
	gh      *github.Client // the installation's
	inst    int64
	clients *clients
	sync    *syncer
	log     *slog.Logger
}

// Register ingests a new repository's catalog file at once, as a push to
// it would.
func (g scaffoldGitHub) Register(ctx context.Context, r *scaffold.Repo, catalogPath string) (scaffold.Registered, error) {
	s := g.sync
	if catalogPath != strings.TrimPrefix(s.catalogFile, "/") {
		// The template registers another file than the one callboard reads
		// on pushes; it is ingested all the same.
		g.log.Warn("scaffolded repository registers a catalog file other than CATALOG_FILE; pushes to it will not be read",
			"path", catalogPath, "catalog_file", s.catalogFile, "new_repository", r.FullName)
		s = &syncer{store: g.sync.store, catalogFile: catalogPath, graphql: g.sync.graphql}
	}
	ri := repoInfo{ID: r.ID, FullName: r.FullName, DefaultBranch: r.DefaultBranch, Description: r.Description, HTMLURL: r.HTMLURL, Private: r.Private}
	row, err := s.repoRow(ctx, ri)
	if err != nil {
		return scaffold.Registered{}, err
	}
	res, err := s.syncRow(ctx, g.gh, g.inst, ri, row, readAll)
	if err != nil {
		return scaffold.Registered{}, err
	}
	var out scaffold.Registered
	for _, refs := range [][]string{res.Added, res.Updated, res.Unchanged} {
		out.Refs = append(out.Refs, refs...)
	}
	for _, p := range res.Conflicts {
		out.Problems = append(out.Problems, p.Error())
	}
	for _, p := range row.CatalogProblems {
		out.Problems = append(out.Problems, p.Error())
	}
	return out, nil
}

// Permissions asks GitHub what the installation grants the App (an
// organisation may not have accepted every permission app.yml asks).
func (g scaffoldGitHub) Permissions(ctx context.Context) (map[string]string, error) {
	app, err := g.clients.App()
	if err != nil {
		return nil, ghapi.Permanent(err)
	}
	in, _, err := app.Apps.GetInstallation(ctx, g.inst)
	if err != nil {
		return nil, fmt.Errorf("reading the permissions of installation %d: %w", g.inst, err)
	}
	var out map[string]string
	b, err := json.Marshal(in.GetPermissions())
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	return out, err
}
