package fakegithub

import (
	"fmt"
	"hash/crc32"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// issueRoute serves an endpoint under /repos/{owner}/{repo}/issues/{n}. The
// issue (or pull request) is created on first use, so tests need not set it up.
func (s *Server) issueRoute(pattern string, h func(http.ResponseWriter, *http.Request, *repo, *issue) (int, any)) {
	s.repoRoute(pattern, func(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 1 {
			return notFound()
		}
		if rp.issues[n] == nil {
			now := time.Now()
			rp.issues[n] = &issue{id: s.newID(), number: n, title: fmt.Sprintf("Issue #%d", n), state: "open", created: now, updated: now}
		}
		return h(w, r, rp, rp.issues[n])
	})
}

func (s *Server) issueJSON(rp *repo, is *issue) map[string]any {
	comments := 0
	for _, c := range rp.comments {
		if c.issue == is.number {
			comments++
		}
	}
	return map[string]any{
		"id": is.id, "number": is.number, "title": is.title, "state": is.state,
		"locked": false, "labels": s.labelsJSON(rp, is.labels), "comments": comments,
		"url":        fmt.Sprintf("%s/issues/%d", s.repoURL(rp), is.number),
		"html_url":   fmt.Sprintf("https://github.com/%s/issues/%d", rp.FullName, is.number),
		"created_at": ts(is.created), "updated_at": ts(is.updated), "closed_at": ts(is.closed),
	}
}

func (s *Server) labelsJSON(rp *repo, names []string) []any {
	out := []any{}
	for _, name := range names {
		out = append(out, map[string]any{
			"id": crc32.ChecksumIEEE([]byte(rp.FullName + "\x00" + name)), "name": name, "color": "ededed", "default": false,
		})
	}
	return out
}

// getIssue lets tests read back an issue's state and labels through the API.
func (s *Server) getIssue(w http.ResponseWriter, r *http.Request, rp *repo, is *issue) (int, any) {
	return http.StatusOK, s.issueJSON(rp, is)
}

func (s *Server) editIssue(w http.ResponseWriter, r *http.Request, rp *repo, is *issue) (int, any) {
	var body struct{ State string }
	if !decode(r, &body) {
		return badJSON()
	}
	if body.State != "" && body.State != "open" && body.State != "closed" {
		return invalid("Issue", "state", "state must be open or closed")
	}
	if body.State != "" && body.State != is.state {
		is.state, is.closed = body.State, time.Time{}
		if is.state == "closed" {
			is.closed = time.Now()
		}
	}
	is.updated = time.Now()
	return http.StatusOK, s.issueJSON(rp, is)
}

// addLabels takes the names as a JSON array, as go-github sends them.
func (s *Server) addLabels(w http.ResponseWriter, r *http.Request, rp *repo, is *issue) (int, any) {
	var names []string
	if !decode(r, &names) {
		return badJSON()
	}
	for _, n := range names {
		if !slices.Contains(is.labels, n) {
			is.labels = append(is.labels, n)
		}
	}
	is.updated = time.Now()
	return http.StatusOK, s.labelsJSON(rp, is.labels)
}

func (s *Server) commentJSON(rp *repo, c *comment) map[string]any {
	var app any
	if c.app != 0 {
		app = map[string]any{"id": c.app, "slug": appSlug, "name": "callboard"}
	}
	return map[string]any{
		"id": c.ID, "body": c.Body, "user": s.userJSON(c.User), "performed_via_github_app": app,
		"url":        fmt.Sprintf("%s/issues/comments/%d", s.repoURL(rp), c.ID),
		"html_url":   fmt.Sprintf("https://github.com/%s/issues/%d#issuecomment-%d", rp.FullName, c.issue, c.ID),
		"issue_url":  fmt.Sprintf("%s/issues/%d", s.repoURL(rp), c.issue),
		"created_at": ts(c.created), "updated_at": ts(c.updated),
	}
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, rp *repo, is *issue) (int, any) {
	mine := slices.DeleteFunc(slices.Clone(rp.comments), func(c *comment) bool { return c.issue != is.number })
	return http.StatusOK, list(w, r, mine, func(c *comment) map[string]any { return s.commentJSON(rp, c) })
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request, rp *repo, is *issue) (int, any) {
	var body struct{ Body string }
	if !decode(r, &body) {
		return badJSON()
	}
	if body.Body == "" {
		return invalid("IssueComment", "body", "body is missing")
	}
	now := time.Now()
	c := &comment{Comment: Comment{ID: s.newID(), Body: body.Body, User: botLogin}, app: s.callerApp(r), issue: is.number, created: now, updated: now}
	rp.comments = append(rp.comments, c)
	return http.StatusCreated, s.commentJSON(rp, c)
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	c := find(rp.comments, func(c *comment) bool { return c.ID == id })
	if c == nil {
		return notFound()
	}
	var body struct{ Body string }
	if !decode(r, &body) {
		return badJSON()
	}
	if body.Body == "" {
		return invalid("IssueComment", "body", "body is missing")
	}
	c.Body, c.updated = body.Body, time.Now()
	return http.StatusOK, s.commentJSON(rp, c)
}
