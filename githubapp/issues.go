package githubapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold"
	"github.com/google/go-github/v62/github"
)

// onIssues runs scaffold requests: an issue of SCAFFOLD_REPO with the
// scaffold label, when it is opened, edited (a refused request is fixed by
// editing it), or labelled scaffold.
func (a *App) onIssues(ctx context.Context, d *Delivery, ev *github.IssuesEvent) error {
	switch ev.GetAction() {
	case "opened", "edited", "reopened":
	case "labeled":
		if ev.GetLabel().GetName() != scaffold.Label {
			return ignored("a label other than " + scaffold.Label + " was added")
		}
	default:
		return ignoredAction("issues", ev.GetAction())
	}
	repo, issue := ev.GetRepo(), ev.GetIssue()
	if a.cfg.ScaffoldRepo == "" || !strings.EqualFold(repo.GetFullName(), a.cfg.ScaffoldRepo) {
		return ignored("not an issue of SCAFFOLD_REPO")
	}
	if issue.IsPullRequest() || issue.GetState() != "open" || !hasLabel(issue, scaffold.Label) {
		return ignored("not an open issue labelled " + scaffold.Label)
	}
	gh, err := a.installationClient(d.InstallationID)
	if err != nil {
		return err
	}
	is := scaffold.Issue{
		Installation: d.InstallationID, RepoID: repo.GetID(), Repository: repo.GetFullName(), Number: issue.GetNumber(),
		Body: issue.GetBody(), Author: issue.GetUser().GetLogin(), Sender: ev.GetSender().GetLogin(), URL: issue.GetHTMLURL(),
	}
	svc := *a.scaffolder()
	svc.Log = a.log.With("component", "scaffold", "delivery", d.DeliveryID, "installation", d.InstallationID)
	out, err := svc.Handle(ctx, scaffold.NewGitHub(gh, a.clients.appID), is)
	if err != nil {
		return err
	}
	if out.State == "" {
		return ignored("the scaffold request needs nothing done")
	}
	outcome := catalog.OutcomeFailure
	switch out.State {
	case scaffold.StateDone:
		outcome = catalog.OutcomeSuccess
	case scaffold.StateRefused:
		outcome = "refused"
	}
	entity := out.Entity
	if entity == "" {
		entity = out.Template
	}
	a.usage(ctx, catalog.UsageEvent{Plugin: catalog.PluginScaffolder, Action: "request", Actor: is.Author,
		Entity: entity, Outcome: outcome, Detail: out.Detail})
	return nil
}

func hasLabel(issue *github.Issue, name string) bool {
	return slices.ContainsFunc(issue.Labels, func(l *github.Label) bool { return strings.EqualFold(l.GetName(), name) })
}

// scaffolder is the scaffold service, made on first use.
func (a *App) scaffolder() *scaffold.Service {
	a.scaffoldOnce.Do(func() {
		a.scaffold = &scaffold.Service{
			Store:    scaffold.NewStore(a.deliveries.db, a.cfg.Now),
			Catalog:  a.reader,
			Register: a.registerScaffolded,
			Policy: scaffold.Policy{
				TemplateRepos: a.cfg.ScaffoldTemplateRepos, Sources: a.cfg.ScaffoldSources,
				AllowedTeams: a.cfg.ScaffoldAllowedTeams, MaxVisibility: a.cfg.ScaffoldMaxVisibility,
			},
			Permissions: a.installationPermissions,
			BaseURL:     a.cfg.BaseURL,
			Host:        webHost(a.cfg.APIURL),
			Now:         a.cfg.Now,
			Log:         a.log.With("component", "scaffold"),
		}
	})
	return a.scaffold
}

// webHost is the web host of the GitHub that GITHUB_API_URL names:
// github.com, or a GitHub Enterprise Server's host (https://HOST/api/v3/).
func webHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || u.Host == "api.github.com" || !strings.HasPrefix(u.Path, "/api/v3") {
		return "github.com"
	}
	return u.Host
}

// registerScaffolded ingests a new repository's catalog file at once, as a
// push to it would.
func (a *App) registerScaffolded(ctx context.Context, inst int64, r *scaffold.Repo, catalogPath string) (scaffold.Registered, error) {
	gh, err := a.installationClient(inst)
	if err != nil {
		return scaffold.Registered{}, err
	}
	s := a.sync
	if catalogPath != strings.TrimPrefix(a.cfg.CatalogFile, "/") {
		// The template registers another file than the one callboard reads
		// on pushes; it is ingested all the same.
		a.log.Warn("scaffolded repository registers a catalog file other than CATALOG_FILE; pushes to it will not be read",
			"repository", r.FullName, "path", catalogPath, "catalog_file", a.cfg.CatalogFile)
		s = &syncer{store: a.sync.store, catalogFile: catalogPath, graphql: a.sync.graphql}
	}
	ri := repoInfo{ID: r.ID, FullName: r.FullName, DefaultBranch: r.DefaultBranch, Description: r.Description, HTMLURL: r.HTMLURL, Private: r.Private}
	row, err := s.repoRow(ctx, ri)
	if err != nil {
		return scaffold.Registered{}, err
	}
	res, err := s.syncRow(ctx, gh, inst, ri, row, readAll)
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

// installationPermissions asks GitHub what an installation grants the App
// (an organisation may not have accepted every permission app.yml asks).
func (a *App) installationPermissions(ctx context.Context, inst int64) (map[string]string, error) {
	if a.clients == nil {
		return nil, permanent(errNoGitHub)
	}
	app, err := a.clients.App()
	if err != nil {
		return nil, err
	}
	in, _, err := app.Apps.GetInstallation(ctx, inst)
	if err != nil {
		return nil, fmt.Errorf("reading the permissions of installation %d: %w", inst, err)
	}
	var out map[string]string
	b, err := json.Marshal(in.GetPermissions())
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	return out, err
}
