package fakegithub

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pull is what an issue that is a pull request adds.
type pull struct {
	head, base string // branch names, both in the repository (forks are not modelled)
	body       string
	user       string
	merged     bool
	mergedAt   time.Time
	mergeSHA   string
}

// Pull is a pull request as a test reads it back.
type Pull struct {
	Number             int
	Title, Body, State string
	Head, Base, User   string
	HeadSHA            string
	Merged             bool
	Created, Updated   time.Time
	ClosedAt, MergedAt time.Time
	Labels             []string
	MergeCommitSHA     string
}

func (t *team) grant(fullName, permission string) {
	if t.repos == nil {
		t.repos = map[string]string{}
	}
	t.repos[strings.ToLower(fullName)] = permission
}

// SetTeamRepo gives a team a permission (pull, triage, push, maintain or
// admin) on a repository, as an organisation owner does in its settings;
// "" takes the team's access away.
func (s *Server) SetTeamRepo(org, slug, fullName, permission string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.findTeam(org, slug)
	if t == nil || s.findRepo(fullName) == nil || permission != "" && !slices.Contains(permissions, permission) {
		s.t.Fatalf("fakegithub: SetTeamRepo(%q, %q, %q, %q): no such team or repository, or not a permission", org, slug, fullName, permission)
	}
	if permission == "" {
		delete(t.repos, strings.ToLower(fullName))
		return
	}
	t.grant(fullName, permission)
}

// SetRateRemaining sets how many REST calls the installation's core budget
// has left until its reset.
func (s *Server) SetRateRemaining(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bucket(resourceCore)
	b.remaining = n
	b.lowest = min(b.lowest, n)
}

// teamPermissions is the permissions object GitHub gives with a team's repositories.
func teamPermissions(permission string) map[string]any {
	i := slices.Index(permissions, permission)
	out := map[string]any{}
	for j, p := range permissions {
		out[p] = j <= i
	}
	return out
}

// listTeamRepos serves GET /orgs/{org}/teams/{slug}/repos: the repositories
// the team has access to, with its permission on each.
func (s *Server) listTeamRepos(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	t := s.findTeam(in.account, r.PathValue("slug"))
	if t == nil {
		return notFound()
	}
	var repos []*repo
	for _, rp := range s.repos {
		if _, ok := t.repos[strings.ToLower(rp.FullName)]; ok {
			repos = append(repos, rp)
		}
	}
	return http.StatusOK, list(w, r, repos, func(rp *repo) map[string]any {
		out := s.repoJSON(rp)
		p := t.repos[strings.ToLower(rp.FullName)]
		out["permissions"], out["role_name"] = teamPermissions(p), p
		return out
	})
}

// getBranch serves GET /repos/{o}/{r}/branches/{branch}: its head commit and tree.
func (s *Server) getBranch(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	name := strings.Trim(r.PathValue("branch"), "/")
	sha := rp.branches[name]
	if sha == "" {
		return http.StatusNotFound, errorBody("Branch not found")
	}
	c := s.commits[sha]
	return http.StatusOK, map[string]any{
		"name": name, "protected": false,
		"commit": map[string]any{"sha": sha, "url": s.repoURL(rp) + "/commits/" + sha, "commit": s.commitJSON(rp, c)},
	}
}

// listCommits serves GET /repos/{o}/{r}/commits: the history of sha (a
// branch, default the default branch), first parents only, newest first,
// since a time when asked.
func (s *Server) listCommits(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	if len(rp.branches) == 0 {
		return http.StatusConflict, errorBody("Git Repository is empty.")
	}
	ref := r.URL.Query().Get("sha")
	if ref == "" {
		ref = rp.DefaultBranch
	}
	c := s.resolve(rp, ref)
	if c == nil {
		return notFound()
	}
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return invalid("Commit", "since", "since is not an ISO 8601 time")
		}
		since = t
	}
	var history []*commit
	for ; c != nil; c = s.firstParent(c) {
		if !c.date.Before(since) {
			history = append(history, c)
		}
	}
	return http.StatusOK, list(w, r, history, func(c *commit) map[string]any {
		var author any
		if c.author != "" {
			author = s.userJSON(c.author)
		}
		return map[string]any{"sha": c.sha, "url": s.repoURL(rp) + "/commits/" + c.sha, "commit": s.commitJSON(rp, c), "author": author}
	})
}

func (s *Server) firstParent(c *commit) *commit {
	if len(c.parents) == 0 {
		return nil
	}
	return s.commits[c.parents[0]]
}

func (s *Server) pullJSON(rp *repo, is *issue) map[string]any {
	p := is.pull
	side := func(branch, sha string) map[string]any {
		owner, _, _ := strings.Cut(rp.FullName, "/")
		return map[string]any{"ref": branch, "sha": sha, "label": owner + ":" + branch,
			"repo": map[string]any{"id": rp.ID, "full_name": rp.FullName, "name": strings.TrimPrefix(rp.FullName, owner+"/")}}
	}
	headSHA := rp.branches[p.head]
	if p.merged && headSHA == "" {
		headSHA = p.mergeSHA
	}
	var mergeSHA any
	if p.mergeSHA != "" {
		mergeSHA = p.mergeSHA
	}
	return map[string]any{
		"id": is.id, "number": is.number, "state": is.state, "title": is.title, "body": nullable(p.body),
		"user": s.userJSON(p.user), "head": side(p.head, headSHA), "base": side(p.base, rp.branches[p.base]),
		"merged": p.merged, "merged_at": ts(p.mergedAt), "merge_commit_sha": mergeSHA,
		"labels":     s.labelsJSON(rp, is.labels),
		"url":        fmt.Sprintf("%s/pulls/%d", s.repoURL(rp), is.number),
		"html_url":   fmt.Sprintf("https://github.com/%s/pull/%d", rp.FullName, is.number),
		"created_at": ts(is.created), "updated_at": ts(is.updated), "closed_at": ts(is.closed),
	}
}

// headBranch reads a pull request's head as GitHub takes it: branch, or
// owner:branch for the repository's own owner (forks are not modelled).
func headBranch(rp *repo, head string) (string, bool) {
	owner, _, _ := strings.Cut(rp.FullName, "/")
	if o, b, ok := strings.Cut(head, ":"); ok {
		return b, strings.EqualFold(o, owner)
	}
	return head, true
}

// createPull serves POST /repos/{o}/{r}/pulls, refusing as GitHub does: a
// branch that does not exist, a head with nothing to merge, a second open
// pull request from the same head.
func (s *Server) createPull(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	var body struct{ Title, Head, Base, Body string }
	if !decode(r, &body) {
		return badJSON()
	}
	head, own := headBranch(rp, body.Head)
	switch {
	case body.Title == "":
		return invalid("PullRequest", "title", "title is missing")
	case !own || rp.branches[head] == "":
		return invalid("PullRequest", "head", "head is invalid")
	case rp.branches[body.Base] == "":
		return invalid("PullRequest", "base", "base is invalid")
	case s.isAncestor(rp.branches[head], rp.branches[body.Base]):
		return invalid("PullRequest", "", "No commits between "+body.Base+" and "+head)
	}
	for _, is := range rp.issues {
		if is.pull != nil && is.state == "open" && is.pull.head == head && is.pull.base == body.Base {
			owner, _, _ := strings.Cut(rp.FullName, "/")
			return invalid("PullRequest", "", "A pull request already exists for "+owner+":"+head+".")
		}
	}
	n := 1
	for k := range rp.issues {
		n = max(n, k+1)
	}
	now := time.Now()
	is := &issue{id: s.newID(), number: n, title: body.Title, state: "open", created: now, updated: now,
		pull: &pull{head: head, base: body.Base, body: body.Body, user: botLogin}}
	rp.issues[n] = is
	return http.StatusCreated, s.pullJSON(rp, is)
}

// pullRoute serves an endpoint under /repos/{o}/{r}/pulls/{n} for a pull request that exists.
func (s *Server) pullRoute(pattern string, h func(http.ResponseWriter, *http.Request, *repo, *issue) (int, any)) {
	s.repoRoute(pattern, func(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
		n, err := strconv.Atoi(r.PathValue("n"))
		is := rp.issues[n]
		if err != nil || is == nil || is.pull == nil {
			return notFound()
		}
		return h(w, r, rp, is)
	})
}

func (s *Server) getPull(w http.ResponseWriter, r *http.Request, rp *repo, is *issue) (int, any) {
	return http.StatusOK, s.pullJSON(rp, is)
}

// editPull serves PATCH /repos/{o}/{r}/pulls/{n}: title, body, state (a
// merged pull request cannot be reopened).
func (s *Server) editPull(w http.ResponseWriter, r *http.Request, rp *repo, is *issue) (int, any) {
	var body struct{ Title, Body, State *string }
	if !decode(r, &body) {
		return badJSON()
	}
	if body.State != nil {
		switch st := *body.State; {
		case st != "open" && st != "closed":
			return invalid("PullRequest", "state", "state must be open or closed")
		case st == "open" && is.pull.merged:
			return invalid("PullRequest", "state", "state cannot be changed. The pull request has been merged.")
		case st != is.state:
			is.state, is.closed = st, time.Time{}
			if st == "closed" {
				is.closed = time.Now()
			}
		}
	}
	if body.Title != nil {
		if *body.Title == "" {
			return invalid("PullRequest", "title", "title is missing")
		}
		is.title = *body.Title
	}
	if body.Body != nil {
		is.pull.body = *body.Body
	}
	is.updated = time.Now()
	return http.StatusOK, s.pullJSON(rp, is)
}

// listPulls serves GET /repos/{o}/{r}/pulls with state (open, closed, all;
// default open), head (owner:branch) and base.
func (s *Server) listPulls(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var head string
	if h := q.Get("head"); h != "" {
		var own bool
		if head, own = headBranch(rp, h); !own {
			return http.StatusOK, []any{}
		}
	}
	var out []*issue
	for _, n := range slices.Sorted(maps.Keys(rp.issues)) {
		is := rp.issues[n]
		if is.pull == nil || state != "all" && is.state != state || head != "" && is.pull.head != head || q.Get("base") != "" && is.pull.base != q.Get("base") {
			continue
		}
		out = append(out, is)
	}
	slices.Reverse(out) // newest first, as GitHub lists them
	return http.StatusOK, list(w, r, out, func(is *issue) map[string]any { return s.pullJSON(rp, is) })
}

// Pulls returns a repository's pull requests, oldest first.
func (s *Server) Pulls(fullName string) []Pull {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepo(fullName)
	var out []Pull
	for _, n := range slices.Sorted(maps.Keys(rp.issues)) {
		is := rp.issues[n]
		if is.pull == nil {
			continue
		}
		p := is.pull
		out = append(out, Pull{Number: n, Title: is.title, Body: p.body, State: is.state, Head: p.head, Base: p.base, User: p.user,
			HeadSHA: rp.branches[p.head], Merged: p.merged, Created: is.created, Updated: is.updated, ClosedAt: is.closed,
			MergedAt: p.mergedAt, Labels: slices.Clone(is.labels), MergeCommitSHA: p.mergeSHA})
	}
	return out
}

// ClosePull closes a pull request without merging it, as a person may.
func (s *Server) ClosePull(fullName string, number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.mustPull(fullName, number)
	is.state, is.closed, is.updated = "closed", time.Now(), time.Now()
}

// MergePull merges an open pull request into its base with a merge commit,
// as the merge button does, and returns the new head of the base branch.
// Each file the head changed since it left the base is taken from the head.
func (s *Server) MergePull(fullName string, number int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, is := s.mustRepo(fullName), s.mustPull(fullName, number)
	p := is.pull
	if is.state != "open" {
		s.t.Fatalf("fakegithub: MergePull(%s#%d): the pull request is %s", fullName, number, is.state)
	}
	baseSHA, headSHA := rp.branches[p.base], rp.branches[p.head]
	mergeBase := s.mergeBase(baseSHA, headSHA)
	files := maps.Clone(s.trees[s.commits[baseSHA].tree])
	headFiles := s.trees[s.commits[headSHA].tree]
	var fork map[string]string
	if mb := s.commits[mergeBase]; mb != nil {
		fork = s.trees[mb.tree]
	}
	for _, p := range slices.Sorted(maps.Keys(headFiles)) {
		if fork[p] != headFiles[p] {
			files[p] = headFiles[p]
		}
	}
	for p := range fork {
		if _, kept := headFiles[p]; !kept {
			delete(files, p)
		}
	}
	c := s.putCommit(s.putTree(files), fmt.Sprintf("Merge pull request #%d from %s", number, p.head), []string{baseSHA, headSHA})
	rp.branches[p.base], rp.pushed = c.sha, time.Now()
	now := time.Now()
	p.merged, p.mergedAt, p.mergeSHA = true, now, c.sha
	is.state, is.closed, is.updated = "closed", now, now
	return c.sha
}

// mergeBase is the newest commit reachable from both a and b ("" when none).
func (s *Server) mergeBase(a, b string) string {
	for queue := []string{b}; len(queue) > 0; queue = queue[1:] {
		if s.isAncestor(queue[0], a) {
			return queue[0]
		}
		if c := s.commits[queue[0]]; c != nil {
			queue = append(queue, c.parents...)
		}
	}
	return ""
}

func (s *Server) mustPull(fullName string, number int) *issue {
	is := s.mustRepo(fullName).issues[number]
	if is == nil || is.pull == nil {
		s.t.Fatalf("fakegithub: no pull request %s#%d", fullName, number)
	}
	return is
}
