package fakegithub

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	docsURL   = "https://docs.github.com/rest"
	rateLimit = 5000
)

// Server is a fake GitHub API; URL is its base URL, without a trailing slash.
type Server struct {
	URL string

	t   testing.TB
	mux *http.ServeMux

	mu              sync.Mutex
	nextID          int64
	tokens          map[string]int64       // installation token -> installation id
	tokenApps       map[string]int64       // installation token -> the App (JWT iss) it was minted for
	rates           map[string]*rateBucket // ratelimit.go
	latency         Latency                // latency.go
	pointsSpent     int                    // GraphQL points, graphql.go
	graphqlRejected []string
	repoIndex       map[string]*repo // by lower-cased full name
	faults          []*fault
	delays          []*delay
	calls           []Call

	installations []*installation
	repos         []*repo
	teams         []*team
	members       map[string][]string // org (lower case) -> members outside any team
	users         []*User
	deliveries    []HookDelivery
	redelivered   []int64
	hook          *webhook

	oauth oauthData // oauth.go

	blobs   map[string][]byte
	trees   map[string]map[string]string // tree sha -> file path -> blob sha
	commits map[string]*commit
}

// New starts a fake GitHub API server that is closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		t: t, mux: http.NewServeMux(), nextID: 1000, tokens: map[string]int64{}, tokenApps: map[string]int64{},
		rates: map[string]*rateBucket{
			resourceCore: newBucket(resourceCore, rateLimit, time.Hour), resourceGraphQL: newBucket(resourceGraphQL, graphqlLimit, time.Hour),
		},
		repoIndex: map[string]*repo{},
		blobs:     map[string][]byte{}, trees: map[string]map[string]string{}, commits: map[string]*commit{},
	}
	s.routes()
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *Server) routes() {
	s.route("POST /app/installations/{id}/access_tokens", s.createToken)
	s.route("GET /app/installations", s.listInstallations)
	s.route("GET /app/installations/{id}", s.getInstallation)
	s.route("GET /app/hook/deliveries", s.listDeliveries)
	s.route("POST /app/hook/deliveries/{id}/attempts", s.redeliver)
	s.route("GET /installation/repositories", s.listInstallationRepos)
	s.route("GET /users/{login}", s.getUser)
	s.route("POST /graphql", s.graphql)
	s.route("GET /rate_limit", s.rateLimitStatus)

	s.orgRoute("POST /orgs/{org}/repos", s.createRepo)
	s.orgRoute("GET /orgs/{org}/teams", s.listTeams)
	s.orgRoute("GET /orgs/{org}/teams/{slug}", s.getTeam)
	s.orgRoute("GET /orgs/{org}/teams/{slug}/members", s.listTeamMembers)
	s.orgRoute("GET /orgs/{org}/teams/{slug}/repos", s.listTeamRepos)
	s.orgRoute("PUT /orgs/{org}/teams/{slug}/repos/{owner}/{repo}", s.addTeamRepo)
	s.orgRoute("GET /orgs/{org}/members", s.listOrgMembers)
	s.orgRoute("GET /orgs/{org}/members/{username}", s.checkOrgMember)
	s.orgRoute("GET /orgs/{org}/teams/{slug}/memberships/{username}", s.getTeamMembership)

	s.repoRoute("GET /repos/{owner}/{repo}", s.getRepo)
	s.repoRoute("PATCH /repos/{owner}/{repo}", s.editRepo)
	s.repoRoute("GET /repos/{owner}/{repo}/contents", s.getContents)
	s.repoRoute("GET /repos/{owner}/{repo}/contents/{path...}", s.getContents)
	s.issueRoute("GET /repos/{owner}/{repo}/issues/{n}", s.getIssue)
	s.issueRoute("PATCH /repos/{owner}/{repo}/issues/{n}", s.editIssue)
	s.issueRoute("POST /repos/{owner}/{repo}/issues/{n}/labels", s.addLabels)
	s.issueRoute("GET /repos/{owner}/{repo}/issues/{n}/comments", s.listComments)
	s.issueRoute("POST /repos/{owner}/{repo}/issues/{n}/comments", s.createComment)
	s.repoRoute("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.editComment)
	s.repoRoute("POST /repos/{owner}/{repo}/check-runs", s.createCheckRun)
	s.repoRoute("PATCH /repos/{owner}/{repo}/check-runs/{id}", s.updateCheckRun)
	s.repoRoute("POST /repos/{owner}/{repo}/git/blobs", s.createBlob)
	s.repoRoute("POST /repos/{owner}/{repo}/git/trees", s.createTree)
	s.repoRoute("GET /repos/{owner}/{repo}/git/trees/{sha...}", s.getTree)
	s.repoRoute("GET /repos/{owner}/{repo}/readme", s.getReadme)
	s.repoRoute("POST /repos/{owner}/{repo}/git/commits", s.createCommit)
	s.repoRoute("GET /repos/{owner}/{repo}/git/commits/{sha}", s.getCommit)
	s.repoRoute("POST /repos/{owner}/{repo}/git/refs", s.createRef)
	s.repoRoute("GET /repos/{owner}/{repo}/git/ref/heads/{branch...}", s.getRef)
	s.repoRoute("PATCH /repos/{owner}/{repo}/git/refs/heads/{branch...}", s.updateRef)
	s.repoRoute("DELETE /repos/{owner}/{repo}/git/refs/heads/{branch...}", s.deleteRef)
	s.repoRoute("GET /repos/{owner}/{repo}/branches/{branch...}", s.getBranch)
	s.repoRoute("GET /repos/{owner}/{repo}/commits", s.listCommits)
	s.repoRoute("GET /repos/{owner}/{repo}/pulls", s.listPulls)
	s.repoRoute("POST /repos/{owner}/{repo}/pulls", s.createPull)
	s.pullRoute("GET /repos/{owner}/{repo}/pulls/{n}", s.getPull)
	s.pullRoute("PATCH /repos/{owner}/{repo}/pulls/{n}", s.editPull)

	s.oauthRoutes()
	s.route("/", func(http.ResponseWriter, *http.Request) (int, any) { return notFound() })
}

// A handler serves one endpoint with s.mu held. It may set headers on w, and
// returns the status and the value to send as JSON (nil for no body).
type handler func(w http.ResponseWriter, r *http.Request) (int, any)

func (s *Server) route(pattern string, h handler) {
	if _, ok := routeNeeds[pattern]; !ok && !strings.HasPrefix(pattern, "POST /app/") && !strings.HasPrefix(pattern, "GET /app") && pattern != "/" {
		panic(fmt.Sprintf("fakegithub: the route %q has no entry in routeNeeds", pattern))
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		status, body, ok := s.permitted(w, r, pattern)
		if ok {
			status, body = h(w, r)
		}
		writeJSON(w, status, body)
	})
}

type instKey struct{}

type appKey struct{}

// callerApp returns the App whose installation token made the request.
func (s *Server) callerApp(r *http.Request) int64 {
	id, _ := r.Context().Value(appKey{}).(int64)
	return id
}

// jwtIssuer reads the iss claim of an App's JWT (its App ID); the signature
// is not checked.
func jwtIssuer(tok string) int64 {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return 0
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return 0
	}
	var claims struct {
		Iss json.RawMessage `json:"iss"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return 0
	}
	id, _ := strconv.ParseInt(strings.Trim(string(claims.Iss), `"`), 10, 64)
	return id
}

// caller returns the installation whose token made the request, if any.
func (s *Server) caller(r *http.Request) *installation {
	id, _ := r.Context().Value(instKey{}).(int64)
	return s.installation(id)
}

// orgRoute serves an endpoint under /orgs/{org} for the org's own installation.
func (s *Server) orgRoute(pattern string, h func(http.ResponseWriter, *http.Request, *installation) (int, any)) {
	s.route(pattern, func(w http.ResponseWriter, r *http.Request) (int, any) {
		in := s.caller(r)
		if in == nil || !strings.EqualFold(in.account, r.PathValue("org")) {
			return notFound()
		}
		return h(w, r, in)
	})
}

// repoRoute serves an endpoint under /repos/{owner}/{repo} for the repository's own installation.
func (s *Server) repoRoute(pattern string, h func(http.ResponseWriter, *http.Request, *repo) (int, any)) {
	s.route(pattern, func(w http.ResponseWriter, r *http.Request) (int, any) {
		rp, status, body := s.repoFor(r)
		if rp == nil {
			return status, body
		}
		return h(w, r, rp)
	})
}

func (s *Server) repoFor(r *http.Request) (*repo, int, any) {
	rp, in := s.findRepo(r.PathValue("owner")+"/"+r.PathValue("repo")), s.caller(r)
	if rp == nil || in == nil || rp.inst != in.id {
		status, body := notFound()
		return nil, status, body
	}
	if rp.Archived && r.Method != http.MethodGet {
		return nil, http.StatusForbidden, errorBody("Repository was archived so is read-only.")
	}
	return rp, 0, nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.hold(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	h := w.Header()
	inst, authErr := s.authenticate(r)
	// REST requests spend the core budget, one each; a GraphQL query spends
	// the points its cost comes to (graphql.go).
	core, isGraphQL := s.bucket(resourceCore), r.URL.Path == "/graphql"
	free := isGraphQL || r.URL.Path == "/rate_limit" // GET /rate_limit is not counted
	limited := !free && core.remaining == 0 && inst != 0
	if !free {
		core.spend(1)
		core.header(w)
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	if f := s.takeFault(r.Method + " " + r.URL.Path); f != nil {
		h.Set("Content-Type", "application/json; charset=utf-8")
		for k, v := range f.headers {
			h.Set(k, v)
		}
		rec.WriteHeader(f.status)
		fmt.Fprint(rec, f.body)
	} else if authErr != "" {
		writeJSON(rec, http.StatusUnauthorized, errorBody(authErr))
	} else if limited {
		status, body := rateLimited(w, inst)
		writeJSON(rec, status, body)
	} else {
		_, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		ctx := context.WithValue(context.WithValue(r.Context(), instKey{}, inst), appKey{}, s.tokenApps[cred])
		s.mux.ServeHTTP(rec, r.WithContext(ctx))
	}
	resource := resourceCore
	if isGraphQL {
		resource = resourceGraphQL
	}
	s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status, Installation: inst,
		Resource: resource, RateRemaining: s.rates[resource].remaining})
}

// authenticate returns the installation of the request's token (0 for an app
// JWT), or why the credentials do not suit the endpoint.
func (s *Server) authenticate(r *http.Request) (int64, string) {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	isApp := r.URL.Path == "/app" || strings.HasPrefix(r.URL.Path, "/app/")
	if strings.HasPrefix(r.URL.Path, "/login/oauth/") || s.oauth.userTokens[cred] != "" {
		return 0, "" // GitHub's web pages; a user access token (oauth.go: the endpoints check what it reaches)
	}
	switch inst := s.tokens[cred]; {
	case cred == "":
		return 0, "Requires authentication"
	case inst != 0 && !isApp:
		return inst, ""
	case inst != 0:
		return inst, "A JSON web token could not be decoded"
	case !strings.EqualFold(scheme, "Bearer") || !isJWT(cred):
		return 0, "Bad credentials"
	case !isApp:
		return 0, "This endpoint requires an installation access token, not a JSON web token"
	}
	return 0, ""
}

// isJWT reports whether tok has a JWT's three dot-separated parts; the signature is not checked.
func isJWT(tok string) bool {
	parts := strings.Split(tok, ".")
	return len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != ""
}

type fault struct {
	pattern, body string
	n, status     int
	headers       map[string]string
}

// FailNext makes the next n requests whose "METHOD /path" matches pattern (a
// path.Match glob, so * stops at /) get status, headers and body instead of
// being served. An empty body becomes {"message": <status text>}.
func (s *Server) FailNext(pattern string, n int, status int, headers map[string]string, body string) {
	s.t.Helper()
	if _, err := path.Match(pattern, ""); err != nil {
		s.t.Fatalf("fakegithub: FailNext pattern %q: %v", pattern, err)
	}
	if body == "" {
		b, _ := json.Marshal(errorBody(http.StatusText(status)))
		body = string(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{pattern: pattern, n: n, status: status, headers: headers, body: body})
}

func (s *Server) takeFault(key string) *fault {
	for _, f := range s.faults {
		if f.n > 0 && matches(f.pattern, key) {
			f.n--
			return f
		}
	}
	return nil
}

func matches(pattern, key string) bool {
	ok, _ := path.Match(pattern, key)
	return pattern == "" || ok
}
