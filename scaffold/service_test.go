package scaffold

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/callboard/callboard/scaffold/issueform"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/sqlite"
	"github.com/google/go-github/v62/github"
)

// fakeGitHub is a hand-written GitHub: repositories, branch heads, comments,
// and errors to answer once per method.
type fakeGitHub struct {
	mu       sync.Mutex
	skeleton []File
	repos    map[string]*Repo
	heads    map[string]head // "org/name@branch"
	files    map[string][]File
	comments map[int64]string
	order    []int64
	nextID   int64
	closed   bool
	fail     map[string]error
	calls    map[string]int
	// strangers are not members of the organisation; teams lists members by team slug.
	strangers []string
	teams     map[string][]string
}

type head struct {
	sha     string
	parents int
}

func newFakeGitHub(skeleton []File) *fakeGitHub {
	return &fakeGitHub{skeleton: skeleton, repos: map[string]*Repo{}, heads: map[string]head{}, files: map[string][]File{},
		comments: map[int64]string{}, fail: map[string]error{}, calls: map[string]int{}, nextID: 100}
}

// call counts a call and returns the error set for it, once.
func (f *fakeGitHub) call(name string) error {
	f.calls[name]++
	err := f.fail[name]
	delete(f.fail, name)
	return err
}

var errBadGateway = &github.ErrorResponse{Response: &http.Response{StatusCode: http.StatusBadGateway, Request: &http.Request{}}, Message: "Bad Gateway"}

func (f *fakeGitHub) Repository(_ context.Context, fullName string) (*Repo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Repository"); err != nil {
		return nil, err
	}
	if r := f.repos[strings.ToLower(fullName)]; r != nil {
		c := *r
		return &c, nil
	}
	return nil, fmt.Errorf("%w: %s", catalog.ErrNotFound, fullName)
}

func (f *fakeGitHub) Files(_ context.Context, src Source) ([]File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Files"); err != nil {
		return nil, err
	}
	if src.Repo != "acme/templates" || src.RefPath != "main/templates/example-nodejs-template/content" {
		return nil, permanentf("no folder %s in %s", src.RefPath, src.Repo)
	}
	return f.skeleton, nil
}

func (f *fakeGitHub) CreateRepository(_ context.Context, org string, r NewRepo) (*Repo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateRepository"); err != nil {
		return nil, err
	}
	name := org + "/" + r.Name
	if f.repos[strings.ToLower(name)] != nil {
		return nil, fmt.Errorf("%w: %s", ErrRepoExists, name)
	}
	f.nextID++
	repo := &Repo{ID: f.nextID, FullName: name, DefaultBranch: "main", Description: r.Description, CreatedAt: time.Now(), HTMLURL: "https://github.com/" + name}
	f.repos[strings.ToLower(name)] = repo
	f.heads[name+"@main"] = head{sha: "init", parents: 0}
	return repo, nil
}

func (f *fakeGitHub) Head(_ context.Context, fullName, branch string) (string, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Head"); err != nil {
		return "", 0, err
	}
	h := f.heads[fullName+"@"+branch]
	return h.sha, h.parents, nil
}

func (f *fakeGitHub) Publish(_ context.Context, fullName, branch string, files []File, _ string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Publish"); err != nil {
		return "", err
	}
	f.nextID++
	sha := fmt.Sprintf("commit-%d", f.nextID)
	f.heads[fullName+"@"+branch] = head{sha: sha}
	f.files[fullName] = files
	return sha, nil
}

func (f *fakeGitHub) SetDefaultBranch(_ context.Context, fullName, branch, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.call("SetDefaultBranch")
}

func (f *fakeGitHub) GrantTeam(_ context.Context, org, slug, fullName, permission string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.call("GrantTeam")
}

func (f *fakeGitHub) Comment(_ context.Context, _ string, _ int, id int64, body string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Comment"); err != nil {
		return 0, err
	}
	if _, ok := f.comments[id]; !ok || id == 0 {
		f.nextID++
		id = f.nextID
		f.order = append(f.order, id)
	}
	f.comments[id] = body
	return id, nil
}

func (f *fakeGitHub) FindComment(_ context.Context, _ string, _ int, marker string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("FindComment"); err != nil {
		return 0, err
	}
	for _, id := range f.order {
		if strings.HasPrefix(f.comments[id], marker) {
			return id, nil
		}
	}
	return 0, nil
}

func (f *fakeGitHub) CloseIssue(context.Context, string, int, string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CloseIssue"); err != nil {
		return err
	}
	f.closed = true
	return nil
}

// IsMember: everyone is a member, but those in f.strangers.
func (f *fakeGitHub) IsMember(_ context.Context, _, login string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("IsMember"); err != nil {
		return false, err
	}
	return !slices.Contains(f.strangers, login), nil
}

// InTeam: f.teams maps a slug to its members.
func (f *fakeGitHub) InTeam(_ context.Context, _, slug, login string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("InTeam"); err != nil {
		return false, err
	}
	return slices.Contains(f.teams[slug], login), nil
}

// Permissions answers nil: not known, so not checked.
func (f *fakeGitHub) Permissions(context.Context) (map[string]string, error) { return nil, nil }

// Register ingests the new repository's catalog-info.yaml, as callboard's
// GitHub App does.
func (f *fakeGitHub) Register(_ context.Context, r *Repo, _ string) (Registered, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, file := range f.files[r.FullName] {
		if file.Path == "catalog-info.yaml" {
			ps, probs := catalog.ParseFile(file.Path, file.Content, nil)
			if len(probs) > 0 {
				return Registered{Problems: []string{probs[0].Error()}}, nil
			}
			return Registered{Refs: []string{ps[0].Entity.Ref().String()}}, nil
		}
	}
	return Registered{}, nil
}

func (f *fakeGitHub) bodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, id := range f.order {
		out = append(out, f.comments[id])
	}
	return out
}

// serviceSetup is a Service over a real SQLite file with the demo
// organisation and the create-app example template in the catalog.
func serviceSetup(t *testing.T) (*Service, *fakeGitHub, *sqlite.DB, *issueform.RequestForm) {
	t.Helper()
	ctx := context.Background()
	db, st := testcatalog.DemoDB(t)
	tmpl := loadTemplate(t, templateFiles(t)[5])
	src, _ := os.ReadFile(templateFiles(t)[5])
	ps, _ := catalog.ParseFile("template.yaml", src, nil)
	e := ps[0].Entity
	catalog.StampRepoEntity(e, &catalog.Repository{FullName: "acme/templates", DefaultBranch: "main"}, "templates/example-nodejs-template/template.yaml")
	loc := e.Metadata.Annotations[catalog.AnnotationManagedByLocation]
	if _, err := st.ReplaceSource(ctx, "repo:1", []catalog.Declared{{Entity: e, Location: loc}}, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	skel, err := os.ReadFile(filepath.Join(filepath.Dir(templateFiles(t)[5]), "content", "catalog-info.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	gh := newFakeGitHub([]File{{Path: "catalog-info.yaml", Content: skel, Mode: ModeFile}})
	s := &Service{
		Store: NewStore(db, nil), Catalog: st, BaseURL: "https://callboard.example",
		Policy: Policy{TemplateRepos: []string{"acme/templates"}},
	}
	owners, err := Owners(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return s, gh, db, FormFor(tmpl, issueform.FormOptions{Org: "acme", Owners: owners})
}

func issueFor(rf *issueform.RequestForm, number int, name string) Issue {
	body := renderBody(rf.Form, map[string]any{"name": name, "repoUrl": name, "owner": "payments"})
	return Issue{Installation: 7, RepoID: 300, Repository: "acme/requests", Number: number, Body: body, Author: "alice", URL: fmt.Sprintf("https://github.com/acme/requests/issues/%d", number)}
}

func TestServiceRunsOnceAndResumes(t *testing.T) {
	s, gh, _, rf := serviceSetup(t)
	ctx := context.Background()
	is := issueFor(rf, 1, "ledger")
	gh.fail["Publish"] = errBadGateway
	if _, err := s.Handle(ctx, gh, is); !Transient(err) {
		t.Fatalf("first run: %v, want the 502 back to be retried", err)
	}
	req, _ := s.Store.Get(ctx, 300, 1)
	if req.State != StateRunning || req.Step != stepCreated || req.CreatedRepoID == 0 || !strings.Contains(req.LastError, "502") {
		t.Fatalf("after the 502: %+v", req)
	}
	out, err := s.Handle(ctx, gh, is)
	if err != nil || out.State != StateDone || out.Entity != "component:default/ledger" {
		t.Fatalf("retry: %+v, %v", out, err)
	}
	if gh.calls["CreateRepository"] != 1 || len(gh.repos) != 1 || !gh.closed {
		t.Errorf("calls %v, repos %d, closed %v", gh.calls, len(gh.repos), gh.closed)
	}
	info := string(gh.files["acme/ledger"][0].Content)
	if !strings.Contains(info, `name: "ledger"`) || !strings.Contains(info, "owner: group:default/payments") {
		t.Errorf("catalog-info.yaml:\n%s", info)
	}
	// Sent again (labelled, edited): nothing more happens.
	calls := fmt.Sprint(gh.calls)
	if out, err := s.Handle(ctx, gh, is); err != nil || out.State != "" || fmt.Sprint(gh.calls) != calls {
		t.Errorf("a request done ran again: %+v, %v, calls %v", out, err, gh.calls)
	}
	if b := gh.bodies(); len(b) != 2 || !strings.HasPrefix(b[0], Marker) || !strings.HasPrefix(b[1], ResultMarker) {
		t.Errorf("comments %q", b)
	}
}

// The answer to the creation was lost (a crash between GitHub creating the
// repository and the row recording it): the repository is recognised as
// this request's and the request carries on, still with one repository.
func TestServiceAdoptsTheRepositoryItCreated(t *testing.T) {
	s, gh, db, rf := serviceSetup(t)
	ctx := context.Background()
	is := issueFor(rf, 2, "ledger")
	gh.fail["Publish"] = errBadGateway
	s.Handle(ctx, gh, is)
	if _, err := db.Exec(ctx, `UPDATE scaffold_requests SET created_repo_id = 0, step = 'started' WHERE issue_number = 2`); err != nil {
		t.Fatal(err)
	}
	out, err := s.Handle(ctx, gh, is)
	if err != nil || out.State != StateDone {
		t.Fatalf("%+v, %v", out, err)
	}
	if gh.calls["CreateRepository"] != 2 || len(gh.repos) != 1 {
		t.Errorf("calls %v, repos %d", gh.calls, len(gh.repos))
	}
}

func TestServiceRefusesARepositoryItDidNotCreate(t *testing.T) {
	s, gh, db, rf := serviceSetup(t)
	ctx := context.Background()
	is := issueFor(rf, 3, "ledger")
	gh.fail["Publish"] = errBadGateway
	s.Handle(ctx, gh, is)
	db.Exec(ctx, `UPDATE scaffold_requests SET created_repo_id = 0, step = 'started' WHERE issue_number = 3`)
	gh.repos["acme/ledger"].Description = "Someone else's"
	out, err := s.Handle(ctx, gh, is)
	if err != nil || out.State != StateRefused {
		t.Fatalf("%+v, %v", out, err)
	}
	if b := gh.bodies(); len(b) != 1 || !strings.Contains(b[0], "`acme/ledger` exists, and this request did not create it") {
		t.Errorf("comments %q", b)
	}
	if gh.calls["Publish"] != 1 || gh.calls["GrantTeam"] != 0 {
		t.Errorf("the repository was touched: %v", gh.calls)
	}
}

func TestServiceDoesNotOverwriteCommitsItDidNotWrite(t *testing.T) {
	s, gh, _, rf := serviceSetup(t)
	ctx := context.Background()
	is := issueFor(rf, 4, "ledger")
	gh.fail["Publish"] = errBadGateway
	s.Handle(ctx, gh, is)
	gh.heads["acme/ledger@main"] = head{sha: "someone", parents: 1}
	out, err := s.Handle(ctx, gh, is)
	if err != nil || out.State != StateFailed {
		t.Fatalf("%+v, %v", out, err)
	}
	b := gh.bodies()
	if len(b) != 1 || !strings.Contains(b[0], "has commits callboard did not write") || !strings.Contains(b[0], "created by this request") {
		t.Errorf("comments %q", b)
	}
	if gh.calls["Publish"] != 1 {
		t.Errorf("publish calls %d", gh.calls["Publish"])
	}
}

func TestServiceRefusesANameAnotherRequestClaims(t *testing.T) {
	s, gh, _, rf := serviceSetup(t)
	ctx := context.Background()
	gh.fail["CreateRepository"] = errBadGateway
	if _, err := s.Handle(ctx, gh, issueFor(rf, 5, "ledger")); err == nil {
		t.Fatal("want the 502")
	}
	out, err := s.Handle(ctx, gh, issueFor(rf, 6, "ledger"))
	if err != nil || out.State != StateRefused || !strings.Contains(out.Detail, "is being created by the request acme/requests#5") {
		t.Errorf("%+v, %v", out, err)
	}
}

func TestServiceFailsOnATemplateItCannotFetch(t *testing.T) {
	s, gh, _, rf := serviceSetup(t)
	ctx := context.Background()
	gh.skeleton = nil
	gh.fail["Files"] = permanentf("the skeleton folder content does not exist")
	out, err := s.Handle(ctx, gh, issueFor(rf, 7, "ledger"))
	if err != nil || out.State != StateRefused || !strings.Contains(out.Detail, "The template's files cannot be prepared: the skeleton folder content does not exist.") {
		t.Errorf("%+v, %v", out, err)
	}
	if gh.calls["CreateRepository"] != 0 {
		t.Errorf("a repository was created")
	}
	gh.skeleton = []File{{Path: "catalog-info.yaml", Content: []byte("name: ${{ values.name | nope }}")}}
	out, err = s.Handle(ctx, gh, issueFor(rf, 9, "ledger"))
	if err != nil || out.State != StateRefused || !strings.Contains(out.Detail, `step fetch-base: rendering catalog-info.yaml: unknown filter "nope"`) {
		t.Errorf("a skeleton that does not render: %+v, %v", out, err)
	}
	gh.fail["Files"] = errors.New("connection reset")
	if _, err := s.Handle(ctx, gh, issueFor(rf, 8, "ledger")); err == nil || !Transient(err) {
		t.Errorf("a network error: %v, want it back for a retry", err)
	}
}
