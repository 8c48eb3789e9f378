package fakegithub

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/callboard/callboard"
	"go.yaml.in/yaml/v3"
)

// Permissions are a GitHub App's permissions: name (contents, issues, …) to
// access (read, write, admin).
type Permissions map[string]string

// ManifestPermissions reads the default_permissions of a GitHub App
// manifest.
func ManifestPermissions(manifest []byte) (Permissions, error) {
	var m struct {
		DefaultPermissions map[string]string `yaml:"default_permissions"`
	}
	if err := yaml.Unmarshal(manifest, &m); err != nil {
		return nil, fmt.Errorf("reading the App manifest: %w", err)
	}
	if len(m.DefaultPermissions) == 0 {
		return nil, fmt.Errorf("the App manifest has no default_permissions")
	}
	for name, access := range m.DefaultPermissions {
		if level(access) == 0 {
			return nil, fmt.Errorf("the App manifest gives %s the access %q (want read, write or admin)", name, access)
		}
	}
	return m.DefaultPermissions, nil
}

// appPermissions are callboard's, from its app.yml: what every installation
// of the fake grants unless a test says otherwise (SetPermissions).
var appPermissions = func() Permissions {
	p, err := ManifestPermissions(callboard.AppManifest)
	if err != nil {
		panic(err)
	}
	return p
}()

// AppPermissions returns the permissions app.yml asks for.
func AppPermissions() Permissions { return maps.Clone(appPermissions) }

func level(access string) int {
	return map[string]int{"read": 1, "write": 2, "admin": 3}[access]
}

// allows reports whether p grants name at access or above.
func (p Permissions) allows(name, access string) bool {
	return level(p[name]) >= level(access)
}

// routeNeeds is what each endpoint the fake serves needs of an installation
// token, as GitHub's "Permissions required for GitHub Apps" lists it: every
// space-separated requirement must hold, and a requirement "a:write|b:write"
// holds when either does. Endpoints of the App itself (JWT) need none.
var routeNeeds = map[string]string{
	"GET /installation/repositories": "metadata:read",
	"GET /users/{login}":             "",
	"GET /rate_limit":                "",
	"POST /graphql":                  "", // each field is held to its own permission (graphql.go)

	// Sign in with GitHub (oauth.go): a user access token's endpoints, which
	// an installation token does not reach.
	"GET /user":                        userToken,
	"GET /user/installations":          userToken,
	"GET /user/memberships/orgs/{org}": userToken,

	"POST /orgs/{org}/repos":                                  "administration:write",
	"GET /orgs/{org}/teams":                                   "members:read",
	"GET /orgs/{org}/teams/{slug}":                            "members:read",
	"GET /orgs/{org}/teams/{slug}/members":                    "members:read",
	"GET /orgs/{org}/teams/{slug}/repos":                      "members:read metadata:read",
	"GET /orgs/{org}/teams/{slug}/memberships/{username}":     "members:read",
	"PUT /orgs/{org}/teams/{slug}/repos/{owner}/{repo}":       "administration:write members:read",
	"GET /orgs/{org}/members":                                 "members:read",
	"GET /orgs/{org}/members/{username}":                      "members:read",
	"GET /repos/{owner}/{repo}":                               "metadata:read",
	"PATCH /repos/{owner}/{repo}":                             "administration:write",
	"GET /repos/{owner}/{repo}/contents":                      "contents:read",
	"GET /repos/{owner}/{repo}/contents/{path...}":            "contents:read",
	"GET /repos/{owner}/{repo}/readme":                        "contents:read",
	"GET /repos/{owner}/{repo}/issues/{n}":                    "issues:read|pull_requests:read",
	"PATCH /repos/{owner}/{repo}/issues/{n}":                  "issues:write|pull_requests:write",
	"POST /repos/{owner}/{repo}/issues/{n}/labels":            "issues:write|pull_requests:write",
	"GET /repos/{owner}/{repo}/issues/{n}/comments":           "issues:read|pull_requests:read",
	"POST /repos/{owner}/{repo}/issues/{n}/comments":          "issues:write|pull_requests:write",
	"PATCH /repos/{owner}/{repo}/issues/comments/{id}":        "issues:write|pull_requests:write",
	"POST /repos/{owner}/{repo}/check-runs":                   "checks:write",
	"PATCH /repos/{owner}/{repo}/check-runs/{id}":             "checks:write",
	"POST /repos/{owner}/{repo}/git/blobs":                    "contents:write",
	"POST /repos/{owner}/{repo}/git/trees":                    "contents:write",
	"GET /repos/{owner}/{repo}/git/trees/{sha...}":            "contents:read",
	"POST /repos/{owner}/{repo}/git/commits":                  "contents:write",
	"GET /repos/{owner}/{repo}/git/commits/{sha}":             "contents:read",
	"POST /repos/{owner}/{repo}/git/refs":                     "contents:write",
	"GET /repos/{owner}/{repo}/git/ref/heads/{branch...}":     "contents:read",
	"PATCH /repos/{owner}/{repo}/git/refs/heads/{branch...}":  "contents:write",
	"DELETE /repos/{owner}/{repo}/git/refs/heads/{branch...}": "contents:write",
	"GET /repos/{owner}/{repo}/branches/{branch...}":          "contents:read",
	"GET /repos/{owner}/{repo}/commits":                       "contents:read",
	"GET /repos/{owner}/{repo}/pulls":                         "pull_requests:read",
	"POST /repos/{owner}/{repo}/pulls":                        "pull_requests:write",
	"GET /repos/{owner}/{repo}/pulls/{n}":                     "pull_requests:read",
	"PATCH /repos/{owner}/{repo}/pulls/{n}":                   "pull_requests:write",
}

// userToken marks the endpoints only a user access token reaches.
const userToken = "user-token"

// workflowsDir holds the files a tree may hold only with workflows: write.
const workflowsDir = ".github/workflows/"

// notAccessible is GitHub's answer to a token whose installation lacks a
// permission; X-Accepted-GitHub-Permissions says which would do.
func notAccessible(w http.ResponseWriter, need string) (int, any) {
	w.Header().Set("X-Accepted-GitHub-Permissions", strings.NewReplacer(":", "=", "|", ",").Replace(need))
	return http.StatusForbidden, errorBody("Resource not accessible by integration")
}

// permitted checks a request against its route's needs.
func (s *Server) permitted(w http.ResponseWriter, r *http.Request, pattern string) (int, any, bool) {
	in := s.caller(r)
	if in == nil || strings.HasPrefix(pattern, "POST /app/") || strings.HasPrefix(pattern, "GET /app") || pattern == "/" {
		return 0, nil, true // JWT routes, and requests without a token (the mux answers those)
	}
	need, ok := routeNeeds[pattern]
	if !ok {
		s.t.Fatalf("fakegithub: the route %q has no entry in routeNeeds", pattern)
	}
	if need == userToken {
		status, body := notAccessible(w, "")
		return status, body, false
	}
	for _, req := range strings.Fields(need) {
		if !slices.ContainsFunc(strings.Split(req, "|"), func(alt string) bool {
			name, access, _ := strings.Cut(alt, ":")
			return in.perms.allows(name, access)
		}) {
			status, body := notAccessible(w, req)
			return status, body, false
		}
	}
	return 0, nil, true
}

// SetPermissions replaces what an installation grants (an organisation that
// has not accepted the App's new permissions, or an App registered with
// fewer); every request from then on is held to them.
func (s *Server) SetPermissions(installation int64, p Permissions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.installation(installation)
	if in == nil {
		s.t.Fatalf("fakegithub: SetPermissions: no installation %d", installation)
	}
	in.perms = maps.Clone(p)
}
