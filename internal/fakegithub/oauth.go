package fakegithub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The GitHub App's user-to-server OAuth, as GitHub serves it: the web flow's
// pages on the web host (/login/oauth/authorize, /login/oauth/access_token;
// the fake serves both hosts from one URL) and the user endpoints a user
// access token reaches (/user, /user/installations,
// /user/memberships/orgs/{org}).
//
// The authorize page asks for a login, as GitHub's sign-in form would, and
// sends the browser back with a code. A code is good once, for ten minutes,
// with the client secret and, when the authorize request carried a PKCE
// challenge (S256), the matching verifier.

// oauthData is the fake's OAuth state.
type oauthData struct {
	clientID, clientSecret string
	codes                  map[string]*oauthCode
	userTokens             map[string]string   // user access token -> login
	collaborators          map[string][]string // org -> outside collaborators
}

type oauthCode struct {
	login, redirectURI, challenge string
	expires                       time.Time
	used                          bool
}

const codeTTL = 10 * time.Minute

// SetOAuthApp gives the App its OAuth client credentials (GITHUB_CLIENT_ID,
// GITHUB_CLIENT_SECRET): the authorize page and the token exchange accept
// only these.
func (s *Server) SetOAuthApp(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.clientID, s.oauth.clientSecret = clientID, clientSecret
}

// AddOutsideCollaborator makes login a collaborator on org's repositories
// without being a member: GitHub then lists org's installation among the
// user's, and answers 404 for their membership.
func (s *Server) AddOutsideCollaborator(org, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oauth.collaborators == nil {
		s.oauth.collaborators = map[string][]string{}
	}
	s.oauth.collaborators[strings.ToLower(org)] = append(s.oauth.collaborators[strings.ToLower(org)], login)
}

// UserToken returns a user access token for login, as the web flow would
// end with, for tests that call the user endpoints directly.
func (s *Server) UserToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newUserToken(login)
}

func (s *Server) newUserToken(login string) string {
	if s.oauth.userTokens == nil {
		s.oauth.userTokens = map[string]string{}
	}
	tok := "ghu_fake_" + randomHex()
	s.oauth.userTokens[tok] = login
	return tok
}

func randomHex() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func (s *Server) oauthRoutes() {
	s.mux.HandleFunc("GET /login/oauth/authorize", s.authorizePage)
	s.mux.HandleFunc("POST /login/oauth/authorize", s.authorize)
	s.mux.HandleFunc("POST /login/oauth/access_token", s.accessToken)
	s.route("GET /user", s.getAuthenticatedUser)
	s.route("GET /user/installations", s.listUserInstallations)
	s.route("GET /user/memberships/orgs/{org}", s.getUserMembership)
}

var authorizeTemplate = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to GitHub · test GitHub</title><link rel="icon" href="data:,"></head>
<body>
<main>
<h1>Sign in to GitHub</h1>
<p>to continue to <strong>callboard</strong> (the test GitHub: no password is asked)</p>
{{if .Problem}}<p role="alert">{{.Problem}}</p>{{end}}
<form method="post" action="/login/oauth/authorize">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<label for="login">Username</label>
<input id="login" name="login" value="{{.Login}}" autocomplete="username" required>
<button type="submit" name="decision" value="authorize">Authorize callboard</button>
<button type="submit" name="decision" value="cancel" formnovalidate>Cancel</button>
</form>
</main>
</body></html>
`))

// authorizeParams are what the authorize page carries from the request to its form.
var authorizeParams = []string{"client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method"}

func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") == "" || q.Get("client_id") != s.oauth.clientID {
		oauthPageError(w, http.StatusNotFound, "The client_id does not name an application.")
		return
	}
	s.renderAuthorize(w, http.StatusOK, q, q.Get("login"), "")
}

func (s *Server) renderAuthorize(w http.ResponseWriter, status int, q url.Values, login, problem string) {
	params := map[string]string{}
	for _, k := range authorizeParams {
		if v := q.Get(k); v != "" {
			params[k] = v
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = authorizeTemplate.Execute(w, map[string]any{"Params": params, "Login": login, "Problem": problem})
}

func oauthPageError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthPageError(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	f := r.PostForm
	if f.Get("client_id") != s.oauth.clientID || s.oauth.clientID == "" {
		oauthPageError(w, http.StatusNotFound, "The client_id does not name an application.")
		return
	}
	back, err := url.Parse(f.Get("redirect_uri"))
	if err != nil || (back.Scheme != "http" && back.Scheme != "https") || back.Host == "" {
		oauthPageError(w, http.StatusBadRequest, "The redirect_uri is not an http(s) URL.")
		return
	}
	bq := back.Query()
	if st := f.Get("state"); st != "" {
		bq.Set("state", st)
	}
	if f.Get("decision") == "cancel" {
		bq.Set("error", "access_denied")
		bq.Set("error_description", "The user has denied your application access.")
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
		return
	}
	u := s.findUser(strings.TrimSpace(f.Get("login")))
	if u == nil {
		s.renderAuthorize(w, http.StatusUnauthorized, f, f.Get("login"), "Incorrect username.")
		return
	}
	if m := f.Get("code_challenge_method"); f.Get("code_challenge") != "" && m != "S256" {
		s.renderAuthorize(w, http.StatusBadRequest, f, u.Login, "Only the S256 code challenge method is accepted.")
		return
	}
	if s.oauth.codes == nil {
		s.oauth.codes = map[string]*oauthCode{}
	}
	code := randomHex()
	s.oauth.codes[code] = &oauthCode{login: u.Login, redirectURI: f.Get("redirect_uri"), challenge: f.Get("code_challenge"), expires: time.Now().Add(codeTTL)}
	bq.Set("code", code)
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// accessToken exchanges a code, answering as GitHub does: 200 with an
// "error" field when the exchange is refused, JSON when the client accepts
// it, form-encoded otherwise.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthPageError(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	f := r.PostForm
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err == nil {
			for k, v := range body {
				f.Set(k, v)
			}
		}
	}
	c, code, desc := s.exchange(f)
	if c == nil {
		answerToken(w, r, map[string]any{"error": code, "error_description": desc, "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/"})
		return
	}
	c.used = true
	answerToken(w, r, map[string]any{"access_token": s.newUserToken(c.login), "token_type": "bearer", "scope": "",
		"expires_in": 28800, "refresh_token": "ghr_fake_" + randomHex(), "refresh_token_expires_in": 15897600})
}

// exchange checks a code exchange: the code it may redeem, or GitHub's
// error code and description.
func (s *Server) exchange(f url.Values) (*oauthCode, string, string) {
	if s.oauth.clientID == "" || f.Get("client_id") != s.oauth.clientID || f.Get("client_secret") != s.oauth.clientSecret {
		return nil, "incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect."
	}
	c := s.oauth.codes[f.Get("code")]
	if c == nil || c.used || time.Now().After(c.expires) {
		return nil, "bad_verification_code", "The code passed is incorrect or expired."
	}
	if ru := f.Get("redirect_uri"); ru != "" && ru != c.redirectURI {
		return nil, "redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application."
	}
	if c.challenge != "" {
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			return nil, "bad_verification_code", "The code_verifier does not match the code_challenge."
		}
	}
	return c, "", ""
}

// answerToken answers a code exchange: JSON when the client accepts it,
// form-encoded otherwise, 200 either way.
func answerToken(w http.ResponseWriter, r *http.Request, v map[string]any) {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, v)
		return
	}
	q := url.Values{}
	for k, x := range v {
		q.Set(k, fmt.Sprint(x))
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, q.Encode())
}

// userFor returns the login whose user access token made the request.
func (s *Server) userFor(r *http.Request) string {
	_, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return s.oauth.userTokens[cred]
}

func (s *Server) getAuthenticatedUser(w http.ResponseWriter, r *http.Request) (int, any) {
	login := s.userFor(r)
	if login == "" {
		return http.StatusForbidden, errorBody("Resource not accessible by integration")
	}
	u := s.findUser(login)
	out := s.userJSON(login)
	out["name"], out["email"] = nullable(u.Name), nullable(u.Email)
	return http.StatusOK, out
}

// isMember reports whether login belongs to one of org's teams.
func (s *Server) isMember(org, login string) bool {
	for _, t := range s.teams {
		if strings.EqualFold(t.org, org) && slices.ContainsFunc(t.members, func(m string) bool { return strings.EqualFold(m, login) }) {
			return true
		}
	}
	return false
}

func (s *Server) listUserInstallations(w http.ResponseWriter, r *http.Request) (int, any) {
	login := s.userFor(r)
	if login == "" {
		return http.StatusForbidden, errorBody("Resource not accessible by integration")
	}
	var seen []*installation
	for _, in := range s.installations {
		collab := slices.ContainsFunc(s.oauth.collaborators[strings.ToLower(in.account)], func(m string) bool { return strings.EqualFold(m, login) })
		if s.isMember(in.account, login) || collab {
			seen = append(seen, in)
		}
	}
	items := list(w, r, seen, func(in *installation) map[string]any {
		return map[string]any{
			"id": in.id, "app_id": 1, "app_slug": "callboard", "target_type": "Organization",
			"account":              map[string]any{"login": in.account, "type": "Organization"},
			"repository_selection": "selected", "permissions": in.perms, "events": []string{},
			"created_at": ts(in.created), "updated_at": ts(in.created),
		}
	})
	return http.StatusOK, map[string]any{"total_count": len(seen), "installations": items}
}

func (s *Server) getUserMembership(w http.ResponseWriter, r *http.Request) (int, any) {
	login := s.userFor(r)
	if login == "" {
		return http.StatusForbidden, errorBody("Resource not accessible by integration")
	}
	org := r.PathValue("org")
	if !s.isMember(org, login) {
		return notFound()
	}
	return http.StatusOK, map[string]any{
		"state": "active", "role": "member",
		"organization": map[string]any{"login": org},
		"user":         s.userJSON(login),
	}
}
