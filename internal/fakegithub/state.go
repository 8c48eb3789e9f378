package fakegithub

import (
	"slices"
	"strings"
	"time"
)

// botLogin is the user that the app's comments and commits are attributed to.
const botLogin = appSlug + "[bot]"

// Repo is a repository as a test sets it up. The owner in FullName is the
// installation's account; DefaultBranch is "main" when empty.
type Repo struct {
	ID                                   int64
	FullName, DefaultBranch, Description string
	Private, Archived                    bool
	// Fork marks a fork; Empty a repository with no commit at all (AddRepo
	// otherwise makes an empty first commit).
	Fork, Empty bool
	Topics      []string
	Language    string // the main language GitHub detected
	// Languages are the bytes of each language GitHub detected (GraphQL's
	// Repository.languages); nil: Language alone.
	Languages map[string]int64
	Homepage  string
	// CreatedAt is when the repository was created (default: when added);
	// its pushed_at is its last commit's date.
	CreatedAt time.Time
}

// Team is an organization team; its parent, if any, must be added first.
type Team struct {
	ID                                  int64
	Slug, Name, Description, ParentSlug string
}

// User is a GitHub user account.
type User struct {
	ID                 int64
	Login, Name, Email string
}

// HookDelivery is one delivery of the app's webhook.
type HookDelivery struct {
	ID                           int64
	GUID, Event, Action          string
	StatusCode                   int
	Redelivery                   bool
	DeliveredAt                  time.Time
	InstallationID, RepositoryID int64
	// Payload is the body GitHub sent; with SetWebhook, a redelivery posts it.
	Payload []byte
}

// Call is one request the server received. Installation is that of the
// token used: 0 for app JWTs and for requests without a valid token.
type Call struct {
	Method, Path, Query string
	Status              int
	Installation        int64
	// Resource is the budget the request spent (core, graphql) and
	// RateRemaining what that budget had left after it.
	Resource      string
	RateRemaining int
}

// Comment is an issue or pull request comment.
type Comment struct {
	ID         int64
	Body, User string
}

// CheckRun is a check run as the code under test last left it. Output is the
// last output sent, without annotations; AnnotationBatches holds the
// annotations of each create or update that sent some.
type CheckRun struct {
	ID                                int64
	Name, HeadSHA, Status, Conclusion string
	Output                            map[string]any
	AnnotationBatches                 [][]map[string]any
}

type installation struct {
	id      int64
	account string
	created time.Time
	perms   Permissions
}

type repo struct {
	Repo
	inst      int64
	created   time.Time
	pushed    time.Time         // the last commit or branch update
	branches  map[string]string // branch -> commit sha
	issues    map[int]*issue
	comments  []*comment
	checkRuns []*checkRun
}

type team struct {
	Team
	org     string
	members []string
	repos   map[string]string // lower-case org/repo -> permission (pull, triage, push, maintain, admin)
}

type issue struct {
	id                       int64
	number                   int
	title, state             string
	labels                   []string
	created, updated, closed time.Time
	pull                     *pull // set for a pull request
}

type comment struct {
	Comment
	app              int64 // the App that wrote it (performed_via_github_app); 0 for a person
	issue            int
	created, updated time.Time
}

type checkRun struct {
	CheckRun
	started, completed time.Time
}

// newID returns an id above every one a test has supplied.
func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// AddInstallation installs the app on an organization account.
func (s *Server) AddInstallation(id int64, account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID = max(s.nextID, id)
	s.installations = append(s.installations, &installation{id: id, account: account, created: time.Now(), perms: AppPermissions()})
}

// AddRepo adds a repository to an installation, with an empty first commit on its default branch.
func (s *Server) AddRepo(installation int64, r Repo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.installation(installation)
	owner, name, _ := strings.Cut(r.FullName, "/")
	if in == nil || !strings.EqualFold(owner, in.account) || name == "" || s.findRepo(r.FullName) != nil {
		s.t.Fatalf("fakegithub: AddRepo(%d, %q): want a new <account>/<name> of an added installation", installation, r.FullName)
	}
	s.nextID = max(s.nextID, r.ID)
	rp := s.addRepo(installation, r)
	if !r.Empty {
		s.commitFilesAs(rp, rp.DefaultBranch, map[string]string{}, "Initial commit", "", rp.created)
	}
}

func (s *Server) addRepo(inst int64, r Repo) *repo {
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	created := r.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	rp := &repo{Repo: r, inst: inst, created: created, branches: map[string]string{}, issues: map[int]*issue{}}
	s.repos = append(s.repos, rp)
	s.repoIndex[strings.ToLower(r.FullName)] = rp
	return rp
}

// SetFile creates or replaces a file with a commit on branch; a new branch
// starts from the default branch.
func (s *Server) SetFile(fullName, branch, path string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepo(fullName)
	files := s.filesOn(rp, branch)
	files[strings.Trim(path, "/")] = s.putBlob(content)
	s.commitFiles(rp, branch, files, "Set "+path)
}

// SetFileAs is SetFile with the commit's author (a login) and date, as a
// person's push would make it.
func (s *Server) SetFileAs(fullName, branch, path string, content []byte, author string, when time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepo(fullName)
	files := s.filesOn(rp, branch)
	files[strings.Trim(path, "/")] = s.putBlob(content)
	s.commitFilesAs(rp, branch, files, "Set "+path, author, when)
}

// DeleteFile removes a file with a commit on branch, if it is there.
func (s *Server) DeleteFile(fullName, branch, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepo(fullName)
	files := s.filesOn(rp, branch)
	if _, ok := files[strings.Trim(path, "/")]; ok {
		delete(files, strings.Trim(path, "/"))
		s.commitFiles(rp, branch, files, "Delete "+path)
	}
}

// BranchSHA returns the commit at the head of branch, or "" when the
// repository has no such branch.
func (s *Server) BranchSHA(fullName, branch string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mustRepo(fullName).branches[branch]
}

// AddTeam adds a team to an organization.
func (s *Server) AddTeam(org string, t Team) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findTeam(org, t.Slug) != nil || (t.ParentSlug != "" && s.findTeam(org, t.ParentSlug) == nil) {
		s.t.Fatalf("fakegithub: AddTeam(%q, %q): team exists or its parent %q does not", org, t.Slug, t.ParentSlug)
	}
	if t.Name == "" {
		t.Name = t.Slug
	}
	s.nextID = max(s.nextID, t.ID)
	s.teams = append(s.teams, &team{Team: t, org: org})
}

// SetTeamMembers replaces a team's members, adding users not yet added. An
// organization's members are the members of its teams.
func (s *Server) SetTeamMembers(org, slug string, logins ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.findTeam(org, slug)
	if t == nil {
		s.t.Fatalf("fakegithub: SetTeamMembers: no team %s/%s", org, slug)
	}
	for _, l := range logins {
		if s.findUser(l) == nil {
			s.users = append(s.users, &User{ID: s.newID(), Login: l})
		}
	}
	t.members = slices.Clone(logins)
}

// AddMember makes a user a member of an organization without a team.
func (s *Server) AddMember(org, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findUser(login) == nil {
		s.users = append(s.users, &User{ID: s.newID(), Login: login})
	}
	if s.members == nil {
		s.members = map[string][]string{}
	}
	s.members[strings.ToLower(org)] = append(s.members[strings.ToLower(org)], login)
}

// orgMembers are an organization's members: of its teams, and the others.
func (s *Server) orgMembers(org string) []string {
	logins := slices.Clone(s.members[strings.ToLower(org)])
	for _, t := range s.teams {
		if strings.EqualFold(t.org, org) {
			logins = append(logins, t.members...)
		}
	}
	slices.SortFunc(logins, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
	return slices.CompactFunc(logins, strings.EqualFold)
}

// AddComment writes a comment as a person (or another app) would, not as
// callboard; it returns the comment's id.
func (s *Server) AddComment(fullName string, issue int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepo(fullName)
	now := time.Now()
	c := &comment{Comment: Comment{ID: s.newID(), Body: body, User: user}, issue: issue, created: now, updated: now}
	rp.comments = append(rp.comments, c)
	return c.ID
}

// AddUser adds or replaces a user account.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID = max(s.nextID, u.ID)
	if old := s.findUser(u.Login); old != nil {
		*old = u
		return
	}
	s.users = append(s.users, &u)
}

func find[T any](xs []*T, match func(*T) bool) *T {
	for _, x := range xs {
		if match(x) {
			return x
		}
	}
	return nil
}

func (s *Server) installation(id int64) *installation {
	return find(s.installations, func(in *installation) bool { return in.id == id })
}

func (s *Server) findRepo(fullName string) *repo {
	return s.repoIndex[strings.ToLower(fullName)]
}

// SetPushedAt sets when a repository was last pushed to, as GitHub reports
// it (pushed_at, pushedAt); a commit sets it to now.
func (s *Server) SetPushedAt(fullName string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustRepo(fullName).pushed = at
}

func (s *Server) mustRepo(fullName string) *repo {
	rp := s.findRepo(fullName)
	if rp == nil {
		s.t.Fatalf("fakegithub: no repo %s; call AddRepo first", fullName)
	}
	return rp
}

func (s *Server) findTeam(org, slug string) *team {
	return find(s.teams, func(t *team) bool { return strings.EqualFold(t.org, org) && strings.EqualFold(t.Slug, slug) })
}

func (s *Server) findUser(login string) *User {
	return find(s.users, func(u *User) bool { return strings.EqualFold(u.Login, login) })
}
