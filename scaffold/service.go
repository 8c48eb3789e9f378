package scaffold

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/scaffold/issueform"
	"github.com/callboard/callboard/scaffold/nunjucks"
)

// Catalog is what the scaffolder reads of the catalog; the SQLite store
// satisfies it.
type Catalog interface {
	Entity(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error)
	Names(ctx context.Context) ([]catalog.NameEntry, error)
}

// Service runs scaffold requests: from an issue to a repository in the
// catalog, or to a comment that says why not.
type Service struct {
	Store   *Store
	Catalog Catalog
	// Policy is what the operator trusts: templates, skeleton sources,
	// who may ask, how visible a repository may be.
	Policy Policy
	// BaseURL is callboard's public URL, for links to catalog entities.
	BaseURL string
	// Host is the GitHub host in repoUrl values (default github.com).
	Host string
	Now  func() time.Time
	Log  *slog.Logger
}

// Issue is an issue of SCAFFOLD_REPO, as the scaffolder reads it.
type Issue struct {
	Installation int64
	RepoID       int64
	Repository   string // org/name
	Number       int
	Body         string
	Author       string
	// Sender is who opened, edited or labelled it (GitHub's sender): the
	// person acting, who must be allowed too.
	Sender string
	URL    string // its web address
	// Log, when set, names the delivery that brought the issue; the
	// service's Log is used otherwise.
	Log *slog.Logger
}

func (is Issue) org() string { o, _ := split(is.Repository); return o }

// Outcome is what handling an issue came to, for the usage event.
type Outcome struct {
	// State is refused, failed or done; "" when nothing new happened (a
	// request already done).
	State    string
	Template string // the template's ref
	Entity   string // the new service's ref, when done
	Detail   string
}

// Handle reads a scaffold issue and does what it asks: refuse it with every
// reason, or run the template, resuming a request where it stopped. An error
// is one worth retrying (GitHub 5xx, rate limits, the network); progress
// is stored, so the retry carries on from there.
func (s *Service) Handle(ctx context.Context, gh GitHub, is Issue) (Outcome, error) {
	req, err := s.Store.Get(ctx, is.RepoID, is.Number)
	if err != nil {
		return Outcome{}, err
	}
	if req != nil && req.State == StateDone {
		return Outcome{}, nil // it ran; GitHub sending the request again does not run it twice
	}
	if req != nil && (req.State == StateRunning || req.State == StateFailed && req.done(stepCreated)) {
		return s.run(ctx, gh, is, req, nil)
	}
	if req == nil {
		req = &Request{RepoID: is.RepoID, Number: is.Number, Repository: is.Repository, Author: is.Author, Params: map[string]any{}}
	}
	// Who asks is checked before anything of the request is read: a
	// stranger learns nothing of the catalog from the refusal.
	if msg, err := s.mayAsk(ctx, gh, is); err != nil {
		return Outcome{}, err
	} else if msg != "" {
		return s.refuse(ctx, gh, is, req, Refusal{Problems: []Problem{{Message: msg}}, NotAllowed: true})
	}
	ev, err := s.evaluate(ctx, gh, is, req)
	if err != nil {
		return Outcome{}, err
	}
	if len(ev.problems) > 0 {
		return s.refuse(ctx, gh, is, req, ev.refusal())
	}
	// What an earlier, refused attempt got to does not carry over (it
	// created nothing: a request that created its repository resumes).
	req.CreateStartedAt, req.CreatedRepoID, req.DefaultBranch, req.CommitSHA, req.EntityRef, req.ResultCommentID = time.Time{}, 0, "", "", "", 0
	req.State, req.Step, req.LastError = StateRunning, stepAccepted, ""
	req.TemplateRef, req.Params = ev.plan.Template.Ref.String(), ev.plan.Params
	req.OwnerRef, req.Target = ev.plan.Owner.String(), strings.ToLower(ev.plan.Publish.FullName())
	req.Author = is.Author
	if err := s.Store.Save(ctx, req); err != nil {
		return Outcome{}, err
	}
	s.log(is).Info("scaffold request accepted", "repository", is.Repository, "issue", is.Number, "template", req.TemplateRef, "target", req.Target)
	return s.run(ctx, gh, is, req, ev)
}

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
	owners, err := s.owners(ctx)
	if err != nil {
		return nil, err
	}
	rf := FormFor(t, issueform.FormOptions{Org: is.org(), Host: s.Host, Owners: owners})
	ans, readProblems := rf.Read(issueform.ParseIssue(is.Body, rf.Fields))
	var problems []Problem
	unsupported := len(t.Unsupported()) > 0
	if unsupported {
		if _, problems, err = MakePlan(ctx, t, ans.Params, PlanOptions{}); err != nil {
			return nil, err
		}
	}
	problems = append(problems, readProblems...)
	var owner catalog.Ref
	if ans.Owner != "" {
		ref, msg, err := s.resolveOwner(ctx, ans.Owner)
		if err != nil {
			return nil, err
		}
		if msg != "" {
			problems = append(problems, Problem{Field: ownerLabel(rf), Message: msg})
		} else {
			owner = ref
			if ans.OwnerParam != "" {
				ans.Params[ans.OwnerParam] = ref.String()
			}
		}
	}
	if len(readProblems) > 0 || unsupported {
		// Answers that do not read leave nothing to check further.
		ev.problems = inFormOrder(problems, rf)
		return ev, nil
	}
	// From here on every problem is listed: an unknown owner does not hide
	// a name the catalog would refuse.
	plan, pp, err := MakePlan(ctx, t, ans.Params, PlanOptions{Org: is.org(), Host: s.Host, Owner: owner, User: is.Author, Policy: s.Policy})
	if err != nil {
		return nil, err
	}
	ev.plan = plan
	if len(pp) > 0 {
		ev.problems = inFormOrder(append(problems, pp...), rf)
		return ev, nil
	}
	repoLabel := ""
	for _, f := range rf.Fields {
		if f.Role == issueform.RoleRepoName {
			repoLabel = f.Label
		}
	}
	target := plan.Publish.FullName()
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
	files, err := s.files(ctx, gh, plan)
	if err != nil {
		if Transient(err) {
			return nil, err
		}
		s.log(is).Warn("scaffold request: the template's files cannot be prepared", "repository", is.Repository, "issue", is.Number, "template", t.Ref.String(), "err", err)
		ev.problems = inFormOrder(append(problems, Problem{Message: "The template's files cannot be prepared: " + strings.TrimSuffix(Reason(err), ".") + "."}), rf)
		return ev, nil
	}
	ev.files = files
	if msg, err := s.writable(ctx, gh, is, files); err != nil {
		return nil, err
	} else if msg != "" {
		ev.problems = inFormOrder(append(problems, Problem{Message: msg}), rf)
		return ev, nil
	}
	if plan.CatalogPath != "" {
		probs, parsed := catalogFileProblems(files, plan.CatalogPath, rf, plan.Params, owner.IsZero())
		problems = append(problems, probs...)
		for _, p := range parsed {
			ref := p.Entity.Ref()
			if _, err := s.Catalog.Entity(ctx, ref); err == nil {
				f, _ := fieldOfValue(rf, plan.Params, fmt.Sprintf("%q", p.Entity.Metadata.Name))
				problems = append(problems, Problem{Field: f, Message: fmt.Sprintf("`%s` is in the catalog already. Choose another name.", ref)})
			} else if !errors.Is(err, catalog.ErrNotFound) {
				return nil, err
			}
		}
	}
	ev.problems = inFormOrder(problems, rf)
	return ev, nil
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

// Templates returns the catalog's templates (their names and refs).
func Templates(ctx context.Context, c Catalog) ([]catalog.NameEntry, error) {
	names, err := c.Names(ctx)
	if err != nil {
		return nil, err
	}
	var out []catalog.NameEntry
	for _, n := range names {
		if strings.HasPrefix(n.Ref, "template:") {
			out = append(out, n)
		}
	}
	return out, nil
}

// Owners returns the catalog's groups as the owner dropdown offers them.
func Owners(ctx context.Context, c Catalog) ([]string, error) {
	names, err := c.Names(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		rest, ok := strings.CutPrefix(n.Ref, "group:")
		if !ok {
			continue
		}
		label := strings.TrimPrefix(rest, catalog.DefaultNamespace+"/")
		if !slices.Contains(out, label) {
			out = append(out, label)
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

func (s *Service) refuse(ctx context.Context, gh GitHub, is Issue, req *Request, r Refusal) (Outcome, error) {
	req.State = StateRefused
	if err := s.statusComment(ctx, gh, is, req, r.Comment()); err != nil {
		return Outcome{}, err
	}
	if err := s.Store.Save(ctx, req); err != nil {
		return Outcome{}, err
	}
	detail := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		detail[i] = p.String()
	}
	s.log(is).Info("scaffold request refused", "repository", is.Repository, "issue", is.Number, "problems", len(r.Problems))
	return Outcome{State: StateRefused, Template: r.Ref, Detail: strings.Join(detail, "; ")}, nil
}

// statusComment writes the request's one status comment, found by its
// marker when its id was not recorded.
func (s *Service) statusComment(ctx context.Context, gh GitHub, is Issue, req *Request, body string) error {
	if req.CommentID == 0 {
		id, err := gh.FindComment(ctx, is.Repository, is.Number, Marker)
		if err != nil {
			return err
		}
		req.CommentID = id
	}
	id, err := gh.Comment(ctx, is.Repository, is.Number, req.CommentID, body)
	if err != nil {
		return err
	}
	req.CommentID = id
	return nil
}

// run carries an accepted request through its steps, from the one it
// stopped at. ev is the evaluation that accepted it, when this is that run.
func (s *Service) run(ctx context.Context, gh GitHub, is Issue, req *Request, ev *evaluation) (Outcome, error) {
	r := &runner{s: s, gh: gh, is: is, req: req}
	if ev != nil {
		r.plan, r.files, r.filesRead = ev.plan, ev.files, ev.files != nil
	}
	step, err := r.steps(ctx)
	if err == nil {
		s.log(is).Info("scaffold request done", "repository", is.Repository, "issue", is.Number, "created", req.Target, "entity", req.EntityRef)
		return Outcome{State: StateDone, Template: req.TemplateRef, Entity: req.EntityRef}, nil
	}
	var refusal refusalError
	if errors.As(err, &refusal) {
		req.State = StateRefused
		return s.refuse(ctx, gh, is, req, Refusal{Template: r.title(), Ref: req.TemplateRef, Problems: []Problem{refusal.p}})
	}
	if Transient(err) || ctx.Err() != nil {
		req.LastError = err.Error()
		if serr := s.Store.Save(context.WithoutCancel(ctx), req); serr != nil {
			s.log(is).Warn("recording a scaffold request's error", "err", serr)
		}
		return Outcome{}, err
	}
	return s.fail(ctx, gh, is, req, step, err)
}

// fail stops a request that cannot go on: the status comment says where and
// why; an edit of the issue tries again.
func (s *Service) fail(ctx context.Context, gh GitHub, is Issue, req *Request, step string, cause error) (Outcome, error) {
	req.State, req.LastError = StateFailed, cause.Error()
	p := Progress{Repository: req.Target, Failed: Reason(cause), Step: step}
	if req.done(stepCreated) {
		p.Created = fmt.Sprintf("the repository https://%s/%s exists, created by this request", cmp.Or(s.Host, "github.com"), req.Target)
	}
	if err := s.statusComment(ctx, gh, is, req, p.Comment()); err != nil {
		if Transient(err) {
			return Outcome{}, err
		}
		s.log(is).Warn("writing a scaffold failure comment", "repository", is.Repository, "issue", is.Number, "err", err)
	}
	if err := s.Store.Save(ctx, req); err != nil {
		return Outcome{}, err
	}
	s.log(is).Warn("scaffold request failed", "repository", is.Repository, "issue", is.Number, "step", step, "err", cause)
	return Outcome{State: StateFailed, Template: req.TemplateRef, Detail: cause.Error()}, nil
}

// log is the issue's logger, else the service's.
func (s *Service) log(is Issue) *slog.Logger {
	if is.Log != nil {
		return is.Log
	}
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// refusalError stops a running request for a reason the requester can fix by
// editing the issue (the repository name was taken meanwhile).
type refusalError struct{ p Problem }

func (e refusalError) Error() string { return e.p.String() }
