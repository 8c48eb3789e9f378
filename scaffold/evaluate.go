package scaffold

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold/issueform"
	"github.com/callboard/callboard/scaffold/nunjucks"
)

// evaluation is a request read and checked.
type evaluation struct {
	template *Template
	plan     *Plan
	files    []File
	problems []Problem
	// for the refusal comment
	templates []string
}

func (ev *evaluation) refusal() Refusal {
	r := Refusal{Problems: ev.problems, Templates: ev.templates}
	if ev.template != nil {
		r.Template, r.Ref = ev.template.Title, ev.template.Ref.String()
	}
	return r
}

// evaluate reads the issue against its template and checks everything that
// can be checked before anything is created: the answers, the owner, the
// repository name, the steps, and the catalog file the skeleton renders.
func (s *Service) evaluate(ctx context.Context, gh GitHub, is Issue, req *Request) (*evaluation, error) {
	ev := &evaluation{}
	t, msg, err := s.templateOf(ctx, is.Body)
	if err != nil {
		return nil, err
	}
	if t == nil {
		ev.problems = append(ev.problems, Problem{Message: msg})
		if ev.templates, err = s.templateRefs(ctx); err != nil {
			return nil, err
		}
		return ev, nil
	}
	ev.template = t
	a, err := s.readAnswers(ctx, t, is)
	if err != nil {
		return nil, err
	}
	rf, problems := a.form, a.problems
	if a.unread {
		// Answers that do not read leave nothing to check further.
		ev.problems = inFormOrder(problems, rf)
		return ev, nil
	}
	// From here on every problem is listed: an unknown owner does not hide
	// a name the catalog would refuse.
	plan, pp, err := MakePlan(ctx, t, a.params, PlanOptions{Org: is.org(), Host: s.Host, Owner: a.owner, User: is.Author, Policy: s.Policy})
	if err != nil {
		return nil, err
	}
	ev.plan = plan
	if len(pp) > 0 {
		ev.problems = inFormOrder(append(problems, pp...), rf)
		return ev, nil
	}
	tp, err := s.targetProblems(ctx, gh, req, rf, plan.Publish.FullName())
	if err != nil {
		return nil, err
	}
	problems = append(problems, tp...)
	files, msg, err := s.prepare(ctx, gh, is, t, plan)
	if err != nil {
		return nil, err
	}
	ev.files = files
	if msg != "" {
		ev.problems = inFormOrder(append(problems, Problem{Message: msg}), rf)
		return ev, nil
	}
	if plan.CatalogPath != "" {
		cp, err := s.catalogProblems(ctx, files, plan, rf, a.owner)
		if err != nil {
			return nil, err
		}
		problems = append(problems, cp...)
	}
	ev.problems = inFormOrder(problems, rf)
	return ev, nil
}

// prepare renders the template's files and checks the new repository may
// hold them. msg says why they cannot be prepared or written; an error is
// one a retry may get past.
func (s *Service) prepare(ctx context.Context, gh GitHub, is Issue, t *Template, plan *Plan) ([]File, string, error) {
	files, err := s.files(ctx, gh, plan)
	if err != nil {
		if Transient(err) {
			return nil, "", err
		}
		s.log(is).Warn("scaffold request: the template's files cannot be prepared", "repository", is.Repository, "issue", is.Number, "template", t.Ref.String(), "err", err)
		return nil, "The template's files cannot be prepared: " + strings.TrimSuffix(Reason(err), ".") + ".", nil
	}
	msg, err := s.writable(ctx, gh, is, files)
	if err != nil {
		return nil, "", err
	}
	return files, msg, nil
}

// answers are an issue's answers, read by its template's form.
type answers struct {
	form     *issueform.RequestForm
	params   map[string]any
	owner    catalog.Ref // zero when the owner did not resolve
	problems []Problem
	// unread: the answers do not read (or the template cannot run), which
	// leaves nothing to check further.
	unread bool
}

// readAnswers reads the issue with t's form and resolves the owner it names.
func (s *Service) readAnswers(ctx context.Context, t *Template, is Issue) (*answers, error) {
	owners, err := s.owners(ctx)
	if err != nil {
		return nil, err
	}
	rf := FormFor(t, issueform.FormOptions{Org: is.org(), Host: s.Host, Owners: owners})
	ans, readProblems := rf.Read(issueform.ParseIssue(is.Body, rf.Fields))
	a := &answers{form: rf, params: ans.Params}
	unsupported := len(t.Unsupported()) > 0
	if unsupported {
		if _, a.problems, err = MakePlan(ctx, t, ans.Params, PlanOptions{}); err != nil {
			return nil, err
		}
	}
	a.problems = append(a.problems, readProblems...)
	a.unread = len(readProblems) > 0 || unsupported
	if ans.Owner == "" {
		return a, nil
	}
	ref, msg, err := s.resolveOwner(ctx, ans.Owner)
	if err != nil {
		return nil, err
	}
	if msg != "" {
		a.problems = append(a.problems, Problem{Field: ownerLabel(rf), Message: msg})
		return a, nil
	}
	a.owner = ref
	if ans.OwnerParam != "" {
		ans.Params[ans.OwnerParam] = ref.String()
	}
	return a, nil
}

// targetProblems say why the repository target cannot be created: it
// exists, or another request is creating it.
func (s *Service) targetProblems(ctx context.Context, gh GitHub, req *Request, rf *issueform.RequestForm, target string) ([]Problem, error) {
	repoLabel := ""
	for _, f := range rf.Fields {
		if f.Role == issueform.RoleRepoName {
			repoLabel = f.Label
		}
	}
	var problems []Problem
	if _, err := gh.Repository(ctx, target); err == nil {
		problems = append(problems, Problem{Field: repoLabel, Message: fmt.Sprintf("`%s` already exists. Choose another name.", target)})
	} else if !errors.Is(err, catalog.ErrNotFound) {
		return nil, err
	}
	if other, err := s.Store.Claimed(ctx, req, target, 0); err != nil {
		return nil, err
	} else if other != "" {
		problems = append(problems, Problem{Field: repoLabel, Message: fmt.Sprintf("`%s` is being created by the request %s. Choose another name.", target, other)})
	}
	return problems, nil
}

// catalogProblems check the catalog file the skeleton renders: that it
// reads, and that the catalog does not hold its entities already.
func (s *Service) catalogProblems(ctx context.Context, files []File, plan *Plan, rf *issueform.RequestForm, owner catalog.Ref) ([]Problem, error) {
	problems, parsed := catalogFileProblems(files, plan.CatalogPath, rf, plan.Params, owner.IsZero())
	for _, p := range parsed {
		ref := p.Entity.Ref()
		if _, err := s.Catalog.Entity(ctx, ref); err == nil {
			f, _ := fieldOfValue(rf, plan.Params, fmt.Sprintf("%q", p.Entity.Metadata.Name))
			problems = append(problems, Problem{Field: f, Message: fmt.Sprintf("`%s` is in the catalog already. Choose another name.", ref)})
		} else if !errors.Is(err, catalog.ErrNotFound) {
			return nil, err
		}
	}
	return problems, nil
}

// inFormOrder sorts problems as the form lists its fields, those of the
// request as a whole first.
func inFormOrder(problems []Problem, rf *issueform.RequestForm) []Problem {
	pos := func(label string) int {
		if label == "" {
			return -1
		}
		for i, f := range rf.Fields {
			if f.Label == label {
				return i
			}
		}
		return len(rf.Fields)
	}
	sort.SliceStable(problems, func(i, j int) bool { return pos(problems[i].Field) < pos(problems[j].Field) })
	return problems
}

func ownerLabel(rf *issueform.RequestForm) string {
	for _, f := range rf.Fields {
		if f.Role == issueform.RoleOwner {
			return f.Label
		}
	}
	return "Owner"
}

// templateOf finds the template an issue names in its Template field. When
// it names none that exists, it says why.
func (s *Service) templateOf(ctx context.Context, body string) (*Template, string, error) {
	named := issueform.TemplateAnswer(body)
	if named == "" {
		return nil, "This issue does not say which template to run (its **Template** field is missing). Open it from one of the scaffold forms (`callboard scaffold-form TEMPLATE` prints them).", nil
	}
	ref, err := catalog.ParseRef(named, catalog.RefDefaults{Kind: "template"})
	if err != nil || !strings.EqualFold(ref.Kind, "template") {
		return nil, fmt.Sprintf("The **Template** field says `%s`, which is not a template's reference (`template:default/NAME`).", code(named)), nil
	}
	e, err := s.Catalog.Entity(ctx, ref)
	if errors.Is(err, catalog.ErrNotFound) {
		msg := fmt.Sprintf("The template `%s` is not in the catalog.", ref)
		if sug, err := s.suggest(ctx, ref.Name, "template:"); err == nil && len(sug) > 0 {
			msg += fmt.Sprintf(" Did you mean `%s`?", strings.Join(sug, "`, `"))
		}
		return nil, msg, nil
	}
	if err != nil {
		return nil, "", err
	}
	t, err := ParseTemplate(e)
	if err != nil {
		return nil, fmt.Sprintf("The template `%s` cannot be read: %v.", ref, err), nil
	}
	if ok, why := s.Policy.templateAllowed(t, s.Host); !ok {
		return nil, why, nil
	}
	return t, "", nil
}

// templateRefs lists the templates a request may name: those the policy
// lets run.
func (s *Service) templateRefs(ctx context.Context) ([]string, error) {
	ts, err := Templates(ctx, s.Catalog)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ts))
	for _, n := range ts {
		ref, err := catalog.ParseRef(n.Ref, catalog.RefDefaults{Kind: "template"})
		if err != nil {
			continue
		}
		e, err := s.Catalog.Entity(ctx, ref)
		if errors.Is(err, catalog.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if t, err := ParseTemplate(e); err == nil {
			if ok, _ := s.Policy.templateAllowed(t, s.Host); ok {
				out = append(out, n.Ref)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *Service) owners(ctx context.Context) ([]string, error) { return Owners(ctx, s.Catalog) }

// resolveOwner finds the owner an answer names: a group (or a user, when
// given as user:NAME) in the catalog. msg says why not, with close names.
func (s *Service) resolveOwner(ctx context.Context, text string) (catalog.Ref, string, error) {
	ref, err := catalog.ParseRef(text, catalog.RefDefaults{Kind: "group"})
	if err != nil {
		return ref, fmt.Sprintf("`%s` is not a team's name or reference.", code(text)), nil
	}
	kind := strings.ToLower(ref.Kind)
	if kind != "group" && kind != "user" {
		return ref, fmt.Sprintf("`%s` is a %s; the owner is a team (`group:NAME`) or a person (`user:NAME`).", ref, ref.Kind), nil
	}
	_, err = s.Catalog.Entity(ctx, ref)
	if err == nil {
		return ref, "", nil
	}
	if !errors.Is(err, catalog.ErrNotFound) {
		return ref, "", err
	}
	msg := fmt.Sprintf("`%s` is not a team in the catalog.", code(text))
	sug, err := s.suggest(ctx, ref.Name, kind+":")
	if err != nil {
		return ref, "", err
	}
	if len(sug) > 0 {
		msg += fmt.Sprintf(" Did you mean `%s`?", strings.Join(sug, "`, `"))
	} else if owners, err := s.owners(ctx); err == nil && len(owners) > 0 {
		if len(owners) > 10 {
			owners = append(owners[:10], "…")
		}
		msg += fmt.Sprintf(" Teams in the catalog: `%s`.", strings.Join(owners, "`, `"))
	}
	return ref, msg, nil
}

// suggest returns up to three names of entities whose ref starts with
// prefix ("group:") close to q.
func (s *Service) suggest(ctx context.Context, q, prefix string) ([]string, error) {
	names, err := s.Catalog.Names(ctx)
	if err != nil {
		return nil, err
	}
	var of []catalog.NameEntry
	for _, n := range names {
		if strings.HasPrefix(n.Ref, prefix) {
			of = append(of, n)
		}
	}
	return catalog.Suggest(q, of, 3), nil
}

// files renders the skeleton and makes its catalog file name the owner.
func (s *Service) files(ctx context.Context, gh GitHub, plan *Plan) ([]File, error) {
	// Always the request's client: the installation of the organisation
	// being scaffolded into, never another organisation's.
	read := func(src Source) ([]File, error) { return gh.Files(ctx, src) }
	files, err := plan.Files(ctx, nunjucks.DefaultBudget, read)
	if err != nil {
		return nil, err
	}
	path := plan.CatalogPath
	if path == "" {
		path = "catalog-info.yaml"
	}
	for i, f := range files {
		if f.Path != path || plan.Owner.IsZero() {
			continue
		}
		data, _, err := SetOwner(f.Content, plan.Owner)
		if err != nil {
			return nil, permanentf("%s: %v", path, err)
		}
		files[i].Content = data
	}
	return files, nil
}
