package scaffold

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold/nunjucks"
)

// createdSlack is how far GitHub's creation time of a repository may be
// before this request's first attempt to create it, for the repository to be
// taken as that attempt's (clocks differ).
const createdSlack = 2 * time.Minute

// runner carries one request through its steps. Each step records its
// completion before the next starts, so a retry skips what is done.
type runner struct {
	s   *Service
	gh  GitHub
	is  Issue
	req *Request

	template  *Template
	plan      *Plan
	files     []File
	filesRead bool
}

func (r *runner) title() string {
	if r.plan != nil {
		return r.plan.Template.Title
	}
	return r.req.TemplateRef
}

// steps runs what is left; it returns the step it stopped at with the error.
func (r *runner) steps(ctx context.Context) (string, error) {
	if err := r.load(ctx); err != nil {
		return "preparing", err
	}
	for _, st := range []struct {
		name, after string
		do          func(context.Context) error
	}{
		{"starting", stepStarted, r.start},
		{r.publishStep(), stepCreated, r.create},
		{r.publishStep(), stepCommitted, r.commit},
		{r.publishStep(), stepConfigured, r.configure},
		{r.registerStep(), stepRegistered, r.register},
		{"reporting", stepReported, r.report},
	} {
		if r.req.done(st.after) {
			continue
		}
		if err := st.do(ctx); err != nil {
			return st.name, err
		}
		r.req.Step = st.after
		if err := r.s.Store.Save(ctx, r.req); err != nil {
			return st.name, err
		}
	}
	if err := r.gh.CloseIssue(ctx, r.is.Repository, r.is.Number, ResultLabel); err != nil {
		return "closing the issue", err
	}
	r.req.State, r.req.LastError = StateDone, ""
	if err := r.s.Store.Save(ctx, r.req); err != nil {
		return "closing the issue", err
	}
	return "", nil
}

func (r *runner) publishStep() string {
	if r.plan == nil {
		return ActionPublishGitHub
	}
	return fmt.Sprintf("`%s` (%s)", r.plan.Publish.Step, ActionPublishGitHub)
}

func (r *runner) registerStep() string {
	for _, s := range r.template.Steps {
		if s.Action == ActionCatalogRegister {
			return fmt.Sprintf("`%s` (%s)", s.ID, ActionCatalogRegister)
		}
	}
	return ActionCatalogRegister
}

// load works out the plan again from the stored answers when this run did
// not evaluate the request (a retry, a restart).
func (r *runner) load(ctx context.Context) error {
	if r.plan != nil {
		r.template = r.plan.Template
		return nil
	}
	ref, err := catalog.ParseRef(r.req.TemplateRef, catalog.RefDefaults{Kind: "template"})
	if err != nil {
		return permanentf("the request's template %q: %v", r.req.TemplateRef, err)
	}
	e, err := r.s.Catalog.Entity(ctx, ref)
	if errors.Is(err, catalog.ErrNotFound) {
		return permanentf("the template %s is no longer in the catalog", ref)
	}
	if err != nil {
		return err
	}
	t, err := ParseTemplate(e)
	if err != nil {
		return permanentf("%v", err)
	}
	r.template = t
	var owner catalog.Ref
	if r.req.OwnerRef != "" {
		owner, _ = catalog.ParseRef(r.req.OwnerRef, catalog.RefDefaults{Kind: "group"})
	}
	plan, problems, err := MakePlan(ctx, t, r.req.Params, PlanOptions{Org: r.is.org(), Host: r.s.Host, Owner: owner, User: r.req.Author, Policy: r.s.Policy})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return permanentf("the template changed since the request was accepted: %s", problems[0].Message)
	}
	if !strings.EqualFold(plan.Publish.FullName(), r.req.Target) {
		return permanentf("the template changed since the request was accepted: it now creates %s, not %s", plan.Publish.FullName(), r.req.Target)
	}
	r.plan = plan
	return nil
}

func (r *runner) start(ctx context.Context) error {
	var steps []string
	for _, s := range r.template.Steps {
		steps = append(steps, fmt.Sprintf("`%s` (%s)", s.ID, s.Action))
	}
	p := Progress{Template: r.template.Title, Repository: r.req.Target, Owner: r.req.OwnerRef, Steps: steps}
	return r.s.statusComment(ctx, r.gh, r.is, r.req, p.Comment())
}

// create creates the repository, once. When GitHub says the name is taken,
// the repository is this request's only if no other request claims it and
// GitHub created it after this request first asked (the answer to that
// first ask was lost); any other repository is not touched.
func (r *runner) create(ctx context.Context) error {
	pub := r.plan.Publish
	if r.req.CreatedRepoID != 0 {
		return nil
	}
	if r.req.CreateStartedAt.IsZero() {
		r.req.CreateStartedAt = r.s.now()
		if err := r.s.Store.Save(ctx, r.req); err != nil {
			return err
		}
	}
	repo, err := r.gh.CreateRepository(ctx, pub.Org, NewRepo{Name: pub.Name, Description: pub.Description, Visibility: pub.Visibility, Homepage: r.is.URL})
	if errors.Is(err, ErrRepoExists) {
		existing, gerr := r.gh.Repository(ctx, pub.FullName())
		if gerr != nil {
			return gerr
		}
		other, cerr := r.s.Store.Claimed(ctx, r.req, pub.FullName(), existing.ID)
		if cerr != nil {
			return cerr
		}
		if other != "" || existing.CreatedAt.Before(r.req.CreateStartedAt.Add(-createdSlack)) || existing.Description != pub.Description {
			return refusalError{Problem{Message: fmt.Sprintf("`%s` exists, and this request did not create it: callboard does not touch it. Edit the issue to choose another name.", pub.FullName())}}
		}
		repo, err = existing, nil
	}
	if err != nil {
		return err
	}
	r.req.CreatedRepoID, r.req.DefaultBranch = repo.ID, repo.DefaultBranch
	if r.req.DefaultBranch == "" {
		r.req.DefaultBranch = "main"
	}
	return nil
}

// fresh makes GitHub's 404 and 409 worth retrying while the repository is
// new: its Git data may not be everywhere yet.
func (r *runner) fresh(err error) error {
	if notThereYet(err) && r.s.now().Sub(r.req.CreateStartedAt) < createdSlack {
		return retryError{err}
	}
	return err
}

func (r *runner) branch() string {
	return cmp.Or(r.plan.Publish.DefaultBranch, r.req.DefaultBranch)
}

// commit writes every file in one commit, unless this request's commit is
// there already. A branch with commits callboard did not write is left alone.
func (r *runner) commit(ctx context.Context) error {
	head, parents, err := r.gh.Head(ctx, r.req.Target, r.branch())
	if err != nil {
		return r.fresh(err)
	}
	if head != "" && head == r.req.CommitSHA {
		return nil
	}
	if head != "" && parents > 0 {
		return permanentf("the branch %s of %s has commits callboard did not write; it does not overwrite them", r.branch(), r.req.Target)
	}
	if !r.filesRead {
		if r.files, err = r.s.files(ctx, r.gh, r.plan); err != nil {
			return err
		}
		r.filesRead = true
	}
	if len(r.files) == 0 {
		return permanentf("the template's steps wrote no files")
	}
	msg := r.plan.Publish.CommitMessage
	if r.is.URL != "" {
		msg += "\n\nCreated by callboard for " + r.is.URL
	}
	sha, err := r.gh.Publish(ctx, r.req.Target, r.branch(), r.files, msg)
	if err != nil {
		return r.fresh(err)
	}
	r.req.CommitSHA = sha
	return nil
}

// configure makes the template's branch the default, and gives the owner
// team write access.
func (r *runner) configure(ctx context.Context) error {
	if b := r.plan.Publish.DefaultBranch; b != "" && b != r.req.DefaultBranch {
		if err := r.gh.SetDefaultBranch(ctx, r.req.Target, b, r.req.DefaultBranch); err != nil {
			return err
		}
		r.req.DefaultBranch = b
		if err := r.s.Store.Save(ctx, r.req); err != nil {
			return err
		}
	}
	org, slug, ok := r.team(ctx)
	if !ok {
		return nil
	}
	return r.gh.GrantTeam(ctx, org, slug, r.req.Target, "push")
}

// team is the owner's GitHub team, in the organisation the repository is in.
func (r *runner) team(ctx context.Context) (org, slug string, ok bool) {
	ref, err := catalog.ParseRef(r.req.OwnerRef, catalog.RefDefaults{Kind: "group"})
	if err != nil || !strings.EqualFold(ref.Kind, "group") {
		return "", "", false
	}
	e, err := r.s.Catalog.Entity(ctx, ref)
	if err != nil {
		return "", "", false
	}
	org, slug, ok = strings.Cut(e.Metadata.Annotations[catalog.AnnotationTeamSlug], "/")
	if !ok || !strings.EqualFold(org, r.is.org()) {
		return "", "", false
	}
	return org, slug, true
}

func (r *runner) repo() *Repo {
	host := cmp.Or(r.s.Host, "github.com")
	return &Repo{ID: r.req.CreatedRepoID, FullName: r.req.Target, HTMLURL: "https://" + host + "/" + r.req.Target,
		DefaultBranch: r.req.DefaultBranch, Description: r.plan.Publish.Description, Private: r.plan.Publish.Visibility != "public"}
}

// register ingests the new catalog file, so the service is in the catalog
// before the issue says it is ready.
func (r *runner) register(ctx context.Context) error {
	path := r.plan.CatalogPath
	if path == "" {
		path = "catalog-info.yaml"
	}
	got, err := r.gh.Register(ctx, r.repo(), path)
	if err != nil {
		return err
	}
	if r.plan.CatalogPath != "" && len(got.Refs) == 0 {
		why := "it declares no entity"
		if len(got.Problems) > 0 {
			why = strings.Join(got.Problems, "; ")
		}
		return permanentf("%s of %s was not ingested: %s", path, r.req.Target, why)
	}
	r.req.EntityRef = mainEntity(got.Refs)
	return nil
}

// mainEntity is the ref a person wants a link to: a component, else the
// first that is not a Location.
func mainEntity(refs []string) string {
	for _, ref := range refs {
		if strings.HasPrefix(ref, "component:") {
			return ref
		}
	}
	for _, ref := range refs {
		if !strings.HasPrefix(ref, "location:") {
			return ref
		}
	}
	return ""
}

func (r *runner) entityURL(ref string) string {
	er, err := catalog.ParseRef(ref, catalog.RefDefaults{})
	if r.s.BaseURL == "" || err != nil {
		return ""
	}
	return strings.TrimRight(r.s.BaseURL, "/") + "/api/catalog/entities/by-name/" +
		url.PathEscape(strings.ToLower(er.Kind)) + "/" + url.PathEscape(er.Namespace) + "/" + url.PathEscape(er.Name)
}

func (r *runner) report(ctx context.Context) error {
	repo := r.repo()
	res := Result{
		Repository: r.req.Target, RepositoryURL: repo.HTMLURL, Entity: r.req.EntityRef, EntityURL: r.entityURL(r.req.EntityRef),
		Owner: r.req.OwnerRef, Template: r.template.Title, Author: r.req.Author,
	}
	if org, slug, ok := r.team(ctx); ok {
		res.TeamAccess = fmt.Sprintf("the team %s/%s has write access", org, slug)
	}
	res.Links = r.outputLinks(ctx, res)
	if r.req.ResultCommentID == 0 {
		id, err := r.gh.FindComment(ctx, r.is.Repository, r.is.Number, ResultMarker)
		if err != nil {
			return err
		}
		r.req.ResultCommentID = id
	}
	id, err := r.gh.Comment(ctx, r.is.Repository, r.is.Number, r.req.ResultCommentID, res.Comment())
	if err != nil {
		return err
	}
	r.req.ResultCommentID = id
	return nil
}

// outputLinks are the template's output links, with the steps' outputs as
// Backstage gives them, less those the result lists already.
func (r *runner) outputLinks(ctx context.Context, res Result) []Link {
	outputs := map[string]any{}
	for _, s := range r.template.Steps {
		switch s.Action {
		case ActionPublishGitHub:
			outputs[s.ID] = map[string]any{"output": map[string]any{
				"remoteUrl": res.RepositoryURL, "repoContentsUrl": res.RepositoryURL + "/blob/" + r.req.DefaultBranch, "commitHash": r.req.CommitSHA,
			}}
		case ActionCatalogRegister:
			outputs[s.ID] = map[string]any{"output": map[string]any{"entityRef": r.req.EntityRef}}
		}
	}
	vars := map[string]any{"parameters": r.plan.Params, "steps": outputs, "user": userVars(r.req.Author)}
	seen := map[string]bool{res.RepositoryURL: true, res.EntityURL: true, "": true}
	var out []Link
	budget := nunjucks.NewMeter(ctx, nunjucks.DefaultBudget)
	for _, l := range anyList(r.template.Output["links"]) {
		m, _ := l.(map[string]any)
		v, err := budget.RenderValue(m, vars)
		if err != nil {
			continue
		}
		lm, _ := v.(map[string]any)
		link := Link{Title: nunjucks.ToString(lm["title"]), URL: nunjucks.ToString(lm["url"])}
		if ref := nunjucks.ToString(lm["entityRef"]); ref != "" && link.URL == "" {
			link.URL = r.entityURL(ref)
		}
		if seen[link.URL] || !strings.HasPrefix(link.URL, "http") {
			continue
		}
		seen[link.URL] = true
		out = append(out, link)
	}
	return out
}
