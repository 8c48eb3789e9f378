package fakegithub

import (
	"encoding/base64"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
)

func (s *Server) repoURL(rp *repo) string { return s.URL + "/repos/" + rp.FullName }

func (s *Server) repoJSON(rp *repo) map[string]any {
	owner, name, _ := strings.Cut(rp.FullName, "/")
	visibility := "public"
	if rp.Private {
		visibility = "private"
	}
	topics := []string{}
	topics = append(topics, rp.Topics...)
	return map[string]any{
		"id": rp.ID, "name": name, "full_name": rp.FullName,
		"owner":   map[string]any{"login": owner, "type": "Organization"},
		"private": rp.Private, "visibility": visibility, "archived": rp.Archived, "disabled": false, "fork": rp.Fork,
		"description": nullable(rp.Description), "default_branch": rp.DefaultBranch,
		"html_url": "https://github.com/" + rp.FullName, "url": s.repoURL(rp),
		"created_at": ts(rp.created), "updated_at": ts(rp.created), "pushed_at": ts(rp.pushed),
		"homepage": nullable(rp.Homepage), "language": nullable(rp.Language), "topics": topics, "size": s.sizeKB(rp),
	}
}

// sizeKB is a repository's size as GitHub reports it, in kilobytes: 0 for
// an empty one.
func (s *Server) sizeKB(rp *repo) int {
	n := 0
	if c := s.commits[rp.branches[rp.DefaultBranch]]; c != nil {
		for _, blob := range s.trees[c.tree] {
			n += len(s.blobs[blob])
		}
	}
	return (n + 1023) / 1024
}

func (s *Server) listInstallationRepos(w http.ResponseWriter, r *http.Request) (int, any) {
	in := s.caller(r)
	mine := slices.DeleteFunc(slices.Clone(s.repos), func(rp *repo) bool { return rp.inst != in.id })
	return http.StatusOK, map[string]any{
		"total_count": len(mine), "repository_selection": "selected",
		"repositories": list(w, r, mine, s.repoJSON),
	}
}

func (s *Server) getRepo(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	return http.StatusOK, s.repoJSON(rp)
}

// getContents serves a file, or a directory's entries, at ref or the default branch.
func (s *Server) getContents(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	ref := r.URL.Query().Get("ref")
	if ref == "" {
		ref = rp.DefaultBranch
	}
	c := s.resolve(rp, ref)
	if len(rp.branches) == 0 {
		return http.StatusNotFound, errorBody("This repository is empty.")
	}
	if c == nil {
		return http.StatusNotFound, errorBody("No commit found for the ref " + ref)
	}
	files, p := s.trees[c.tree], strings.Trim(r.PathValue("path"), "/")
	if sha, ok := files[p]; ok {
		return http.StatusOK, s.contentJSON(rp, ref, p, "file", sha)
	}
	entries := map[string]map[string]any{}
	for f, sha := range files {
		rest, ok := strings.CutPrefix(f, p+"/")
		if p == "" {
			rest, ok = f, true
		}
		if dir, _, isDir := strings.Cut(rest, "/"); isDir && ok {
			entries[dir] = s.contentJSON(rp, ref, path.Join(p, dir), "dir", hashOf(c.tree, path.Join(p, dir)))
		} else if ok {
			entries[rest] = s.contentJSON(rp, ref, f, "file", sha)
		}
	}
	if len(entries) == 0 {
		return notFound()
	}
	out := []any{}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		out = append(out, entries[name])
	}
	return http.StatusOK, out
}

func (s *Server) contentJSON(rp *repo, ref, p, kind, sha string) map[string]any {
	self := s.repoURL(rp) + "/contents/" + p + "?ref=" + ref
	html, git := "https://github.com/"+rp.FullName+"/blob/"+ref+"/"+p, s.repoURL(rp)+"/git/blobs/"+sha
	if kind == "dir" {
		html, git = "https://github.com/"+rp.FullName+"/tree/"+ref+"/"+p, s.repoURL(rp)+"/git/trees/"+sha
	}
	out := map[string]any{
		"type": kind, "name": path.Base(p), "path": p, "sha": sha, "size": 0,
		"url": self, "html_url": html, "git_url": git, "download_url": nil,
	}
	if kind == "file" {
		data := s.blobs[sha]
		out["size"], out["encoding"], out["content"] = len(data), "base64", wrap(base64.StdEncoding.EncodeToString(data))
		out["download_url"] = "https://raw.githubusercontent.com/" + rp.FullName + "/" + ref + "/" + p
	}
	return out
}

// wrap breaks base64 into lines of 60 characters, as GitHub does.
func wrap(s string) string {
	var b strings.Builder
	for ; len(s) > 60; s = s[60:] {
		b.WriteString(s[:60] + "\n")
	}
	b.WriteString(s + "\n")
	return b.String()
}

func (s *Server) createRepo(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	var body struct {
		Name, Description, Visibility string
		Private                       bool
		AutoInit                      bool `json:"auto_init"`
	}
	if !decode(r, &body) {
		return badJSON()
	}
	if body.Name == "" {
		return invalid("Repository", "name", "name is missing")
	}
	if s.findRepo(in.account+"/"+body.Name) != nil {
		return http.StatusUnprocessableEntity, map[string]any{
			"message": "Repository creation failed.", "documentation_url": docsURL,
			"errors": []any{map[string]any{"resource": "Repository", "code": "custom", "field": "name",
				"message": "name already exists on this account"}},
		}
	}
	rp := s.addRepo(in.id, Repo{ID: s.newID(), FullName: in.account + "/" + body.Name, Description: body.Description,
		Private: body.Private || body.Visibility == "private" || body.Visibility == "internal"})
	// Without auto_init the repository is empty, with no branch, as on GitHub.
	if body.AutoInit {
		readme := strings.TrimSpace("# "+body.Name+"\n\n"+body.Description) + "\n"
		s.commitFiles(rp, rp.DefaultBranch, map[string]string{"README.md": s.putBlob([]byte(readme))}, "Initial commit")
	}
	return http.StatusCreated, s.repoJSON(rp)
}

var permissions = []string{"pull", "triage", "push", "maintain", "admin"}

// addTeamRepo gives a team a permission on a repository (204).
func (s *Server) addTeamRepo(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	rp, status, errBody := s.repoFor(r)
	t := s.findTeam(in.account, r.PathValue("slug"))
	switch {
	case t == nil:
		return notFound()
	case rp == nil:
		return status, errBody
	}
	body := struct{ Permission string }{"push"}
	if r.ContentLength != 0 && !decode(r, &body) {
		return badJSON()
	}
	if !slices.Contains(permissions, body.Permission) {
		return invalid("Team", "permission", "permission must be one of "+strings.Join(permissions, ", "))
	}
	t.grant(rp.FullName, body.Permission)
	return http.StatusNoContent, nil
}

// getTree lists a commit's files (GET /repos/{o}/{r}/git/trees/{sha}, where
// sha may be a commit or a branch name as GitHub allows); trees are flat, so recursive
// or not, every file is listed.
func (s *Server) getTree(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	if len(rp.branches) == 0 {
		return http.StatusConflict, errorBody("Git Repository is empty.")
	}
	tree := r.PathValue("sha")
	if _, isTree := s.trees[tree]; !isTree {
		c := s.resolve(rp, tree)
		if c == nil {
			return notFound()
		}
		tree = c.tree
	}
	entries := []any{}
	files := s.trees[tree]
	for _, f := range slices.Sorted(maps.Keys(files)) {
		entries = append(entries, map[string]any{"path": f, "mode": "100644", "type": "blob", "sha": files[f]})
	}
	return http.StatusOK, map[string]any{"sha": tree, "tree": entries, "truncated": false}
}

// getReadme serves GET /repos/{o}/{r}/readme: the first README* at the root.
func (s *Server) getReadme(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	ref := r.URL.Query().Get("ref")
	if ref == "" {
		ref = rp.DefaultBranch
	}
	c := s.resolve(rp, ref)
	if c == nil {
		return notFound()
	}
	files := s.trees[c.tree]
	for _, f := range slices.Sorted(maps.Keys(files)) {
		if !strings.Contains(f, "/") && strings.HasPrefix(strings.ToLower(f), "readme") {
			return http.StatusOK, s.contentJSON(rp, ref, f, "file", files[f])
		}
	}
	return notFound()
}
