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
