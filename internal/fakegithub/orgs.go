package fakegithub

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

func (s *Server) teamJSON(t *team) map[string]any {
	url := fmt.Sprintf("%s/orgs/%s/teams/%s", s.URL, t.org, t.Slug)
	out := map[string]any{
		"id": t.ID, "name": t.Name, "slug": t.Slug, "description": nullable(t.Description),
		"privacy": "closed", "permission": "pull", "parent": nil,
		"url": url, "members_url": url + "/members{/member}", "repositories_url": url + "/repos",
		"html_url": fmt.Sprintf("https://github.com/orgs/%s/teams/%s", t.org, t.Slug),
	}
	if p := s.findTeam(t.org, t.ParentSlug); p != nil {
		out["parent"] = s.teamJSON(p)
	}
	return out
}

// userJSON is the short form of a user that lists use.
func (s *Server) userJSON(login string) map[string]any {
	u, kind := s.findUser(login), "User"
	if u == nil {
		u = &User{Login: login}
	}
	if strings.HasSuffix(login, "[bot]") {
		kind = "Bot"
	}
	return map[string]any{
		"login": u.Login, "id": u.ID, "type": kind, "site_admin": false,
		"url": s.URL + "/users/" + u.Login, "html_url": "https://github.com/" + u.Login,
	}
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	teams := slices.DeleteFunc(slices.Clone(s.teams), func(t *team) bool { return !strings.EqualFold(t.org, in.account) })
	return http.StatusOK, list(w, r, teams, s.teamJSON)
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	t := s.findTeam(in.account, r.PathValue("slug"))
	if t == nil {
		return notFound()
	}
	return http.StatusOK, s.teamJSON(t)
}

func (s *Server) listTeamMembers(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	t := s.findTeam(in.account, r.PathValue("slug"))
	if t == nil {
		return notFound()
	}
	return http.StatusOK, list(w, r, t.members, s.userJSON)
}

func (s *Server) listOrgMembers(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	return http.StatusOK, list(w, r, s.orgMembers(in.account), s.userJSON)
}

// checkOrgMember answers as GitHub does to an installation token: 204 for a
// member, 404 otherwise.
func (s *Server) checkOrgMember(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	if slices.ContainsFunc(s.orgMembers(in.account), func(l string) bool { return strings.EqualFold(l, r.PathValue("username")) }) {
		return http.StatusNoContent, nil
	}
	return notFound()
}

func (s *Server) getTeamMembership(w http.ResponseWriter, r *http.Request, in *installation) (int, any) {
	t := s.findTeam(in.account, r.PathValue("slug"))
	login := r.PathValue("username")
	if t == nil || !slices.ContainsFunc(t.members, func(l string) bool { return strings.EqualFold(l, login) }) {
		return notFound()
	}
	return http.StatusOK, map[string]any{
		"url":  fmt.Sprintf("%s/orgs/%s/teams/%s/memberships/%s", s.URL, t.org, t.Slug, login),
		"role": "member", "state": "active",
	}
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) (int, any) {
	u := s.findUser(r.PathValue("login"))
	if u == nil {
		return notFound()
	}
	out := s.userJSON(u.Login)
	out["name"], out["email"] = nullable(u.Name), nullable(u.Email)
	return http.StatusOK, out
}
