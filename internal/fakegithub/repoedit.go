package fakegithub

import (
	"net/http"
	"slices"
	"strings"
)

// editRepo serves PATCH /repos/{o}/{r}: the description, the visibility and
// the default branch, which must exist.
func (s *Server) editRepo(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	var body struct {
		Description   *string
		Private       *bool
		Visibility    *string
		DefaultBranch *string `json:"default_branch"`
	}
	if !decode(r, &body) {
		return badJSON()
	}
	if b := body.DefaultBranch; b != nil {
		if rp.branches[*b] == "" {
			return invalid("Repository", "default_branch", "Cannot update default branch for an empty repository. Please init the repository and push first.")
		}
		rp.DefaultBranch = *b
	}
	if body.Description != nil {
		rp.Description = *body.Description
	}
	if body.Private != nil {
		rp.Private = *body.Private
	}
	if v := body.Visibility; v != nil {
		if !slices.Contains([]string{"public", "private", "internal"}, *v) {
			return invalid("Repository", "visibility", "visibility must be public, private or internal")
		}
		rp.Private = *v != "public"
	}
	return http.StatusOK, s.repoJSON(rp)
}

// deleteRef serves DELETE /repos/{o}/{r}/git/refs/heads/{branch}; the
// default branch cannot be deleted, as on GitHub.
func (s *Server) deleteRef(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	branch := strings.Trim(r.PathValue("branch"), "/")
	switch {
	case rp.branches[branch] == "":
		return http.StatusUnprocessableEntity, errorBody("Reference does not exist")
	case branch == rp.DefaultBranch:
		return http.StatusUnprocessableEntity, errorBody("Cannot delete the default branch")
	}
	delete(rp.branches, branch)
	return http.StatusNoContent, nil
}

// Branches returns a repository's branches, sorted.
func (s *Server) Branches(fullName string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for b := range s.mustRepo(fullName).branches {
		out = append(out, b)
	}
	slices.Sort(out)
	return out
}

// Files returns the files at the head of a repository's branch ("" for the
// default branch), by path.
func (s *Server) Files(fullName, branch string) map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepo(fullName)
	if branch == "" {
		branch = rp.DefaultBranch
	}
	out := map[string][]byte{}
	if sha, ok := rp.branches[branch]; ok {
		for p, blob := range s.trees[s.commits[sha].tree] {
			out[p] = s.blobs[blob]
		}
	}
	return out
}

// Repos returns the full names of every repository, in the order they were added.
func (s *Server) Repos() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.repos))
	for i, rp := range s.repos {
		out[i] = rp.FullName
	}
	return out
}

// Issue returns an issue's state ("open", "closed") and labels; ok is false
// when the issue was never touched.
func (s *Server) Issue(fullName string, number int) (state string, labels []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.mustRepo(fullName).issues[number]
	if is == nil {
		return "", nil, false
	}
	return is.state, slices.Clone(is.labels), true
}
