package catalog

import (
	"net/url"
	"strings"
)

// PagePath is the path of an entity's page in the web view: a team (a group
// in the default namespace) at /teams/NAME, any other entity at
// /catalog/KIND/NAMESPACE/NAME. Slack answers, pull-request comments and the
// digest link there, after CALLBOARD_BASE_URL.
func PagePath(ref Ref) string {
	kind := strings.ToLower(ref.Kind)
	ns := strings.ToLower(ref.Namespace)
	if ns == "" {
		ns = DefaultNamespace
	}
	name := strings.ToLower(ref.Name)
	if kind == "group" && ns == DefaultNamespace {
		return "/teams/" + url.PathEscape(name)
	}
	return "/catalog/" + url.PathEscape(kind) + "/" + url.PathEscape(ns) + "/" + url.PathEscape(name)
}

// RepositoriesPath is the web view's list of repositories with a catalog
// status (RepoNothing, RepoCodeowners, ...): where "missing" links point.
func RepositoriesPath(status string) string {
	return "/repositories?status=" + url.QueryEscape(status)
}
