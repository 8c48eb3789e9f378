package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
	"golang.org/x/oauth2"
)

// Sign in with GitHub is the GitHub App's user-to-server OAuth: the browser
// goes to GITHUB_URL/login/oauth/authorize, GitHub sends it back to
// /auth/github/callback with a code, and callboard exchanges the code (with
// the PKCE verifier only it holds) for a user access token at
// GITHUB_URL/login/oauth/access_token. With that token it asks
// GITHUB_API_URL who the person is (GET /user), which of the App's
// installations they can see (GET /user/installations), and whether they are
// an active member of each such organisation (GET
// /user/memberships/orgs/{org}): an outside collaborator sees an
// installation too, and is not let in. The token is then dropped; the
// session cookie carries only the login.

// oauthState is what the short-lived oauth cookie holds between the
// redirect to GitHub and the callback.
type oauthState struct {
	State    string    `json:"s"`
	Verifier string    `json:"v"`
	Next     string    `json:"n"`
	Until    time.Time `json:"u"`
}

const (
	oauthPurpose = "oauth"
	oauthTTL     = 10 * time.Minute
	oauthPath    = "/auth/github/"
	// maxInstallations bounds the pages of installations read at sign-in.
	maxInstallationPages = 3
)

func (s *Site) oauthConfig() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.cfg.ClientID,
		ClientSecret: s.cfg.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   s.cfg.GitHubURL + "/login/oauth/authorize",
			TokenURL:  s.cfg.GitHubURL + "/login/oauth/access_token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: s.cfg.BaseURL + "/auth/github/callback",
	}
}

// githubLogin is GET /auth/github/login: off to GitHub, with a fresh state
// and PKCE verifier kept in a signed cookie.
func (s *Site) githubLogin(w http.ResponseWriter, r *http.Request, _ *Session) error {
	if s.cfg.Mode != ModeGitHub {
		return notFoundPage("Not here", "This callboard does not sign in with GitHub.", nil)
	}
	if s.notReady != "" {
		return &httpError{status: http.StatusServiceUnavailable, title: "Sign-in is not set up", msg: s.notReady}
	}
	st := oauthState{State: randomString(), Verifier: oauth2.GenerateVerifier(), Next: localPath(r.URL.Query().Get("next")),
		Until: s.cfg.Now().Add(oauthTTL).UTC()}
	v, err := s.signer.sign(oauthPurpose, st)
	if err != nil {
		return err
	}
	s.cookies.set(w, oauthCookie, v, oauthPath, oauthTTL)
	u := s.oauthConfig().AuthCodeURL(st.State, oauth2.S256ChallengeOption(st.Verifier), oauth2.SetAuthURLParam("allow_signup", "false"))
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

// githubCallback is GET /auth/github/callback: the state is checked against
// the cookie, the code exchanged, and the person let in when they are a
// member of an organisation where the App is installed.
func (s *Site) githubCallback(w http.ResponseWriter, r *http.Request, _ *Session) error {
	if s.cfg.Mode != ModeGitHub {
		return notFoundPage("Not here", "This callboard does not sign in with GitHub.", nil)
	}
	if s.notReady != "" {
		return &httpError{status: http.StatusServiceUnavailable, title: "Sign-in is not set up", msg: s.notReady}
	}
	q := r.URL.Query()
	var st oauthState
	c, err := r.Cookie(oauthCookie)
	if err != nil || s.signer.verify(oauthPurpose, c.Value, &st) != nil || !s.cfg.Now().Before(st.Until) {
		return s.signInAgain(w, r, "/", "The sign-in took too long or was started elsewhere. Start it again.")
	}
	s.cookies.clear(w, oauthCookie, oauthPath) // a state is good for one callback
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1 {
		s.log.Warn("web sign-in refused", "mode", "github", "reason", "state does not match")
		return s.signInAgain(w, r, st.Next, "The sign-in could not be matched to this browser. Start it again.")
	}
	code, problem := callbackCode(q)
	if problem != "" {
		return s.signInAgain(w, r, st.Next, problem)
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	tok, err := s.oauthConfig().Exchange(context.WithValue(ctx, oauth2.HTTPClient, s.cfg.HTTPClient), code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		s.log.Warn("web sign-in failed", "mode", "github", "step", "exchanging the code", "err", oauthErr(err))
		return s.signInAgain(w, r, st.Next, "GitHub did not accept the sign-in code (it may have been used already). Start again.")
	}
	who, err := s.member(ctx, tok.AccessToken)
	if err != nil {
		s.log.Warn("web sign-in failed", "mode", "github", "step", "asking GitHub who signed in", "err", err)
		return &httpError{status: http.StatusBadGateway, title: "GitHub did not answer",
			msg: "callboard could not ask GitHub who you are. Try again in a minute; the server log has the details."}
	}
	if len(who.orgs) == 0 {
		s.log.Warn("web sign-in refused", "mode", "github", "login", who.login, "reason", "not a member of an organisation where the App is installed", "installations", strings.Join(who.seen, ","))
		s.usage.add(catalog.UsageEvent{Plugin: PluginWeb, Action: "sign-in", Actor: who.login, Outcome: catalog.OutcomeFailure, At: s.cfg.Now()})
		return &httpError{status: http.StatusForbidden, title: "Not a member",
			msg: fmt.Sprintf("You are signed in to GitHub as %s, who is not a member of an organisation where callboard is installed. Ask an owner of your organisation to add you, or sign out of GitHub and sign in as another account.", who.login)}
	}
	if err := s.startSession(w, Session{Login: who.login, Name: who.name, Orgs: who.orgs}); err != nil {
		return err
	}
	s.log.Info("web sign-in", "mode", "github", "login", who.login, "orgs", strings.Join(who.orgs, ","))
	s.usage.add(catalog.UsageEvent{Plugin: PluginWeb, Action: "sign-in", Actor: who.login, Outcome: catalog.OutcomeSuccess, At: s.cfg.Now()})
	http.Redirect(w, r, localPath(st.Next), http.StatusSeeOther)
	return nil
}

// callbackCode is the code GitHub sent to the callback, or what to tell
// the person when it sent an error or no code.
func callbackCode(q url.Values) (code, problem string) {
	if e := q.Get("error"); e != "" {
		msg := "GitHub did not sign you in"
		if e == "access_denied" {
			msg = "You did not authorise callboard on GitHub, so you are not signed in."
		} else if d := q.Get("error_description"); d != "" {
			msg += ": " + truncate(d, 200)
		}
		return "", msg
	}
	code = q.Get("code")
	if code == "" || len(code) > 512 {
		return "", "GitHub sent no sign-in code. Start again."
	}
	return code, ""
}

// signInAgain shows the sign-in page with what went wrong; after it, the
// person lands on next.
func (s *Site) signInAgain(w http.ResponseWriter, r *http.Request, next, problem string) error {
	return s.render(w, r, http.StatusBadRequest, "signin", &view{Title: "Sign in", Data: signInView{Next: localPath(next), Problem: problem, GitHub: s.cfg.GitHubURL}})
}

type gitHubUser struct {
	login, name string
	orgs        []string // organisations with the App where they are an active member
	seen        []string // every installation account they can see
}

// member asks GitHub, with the person's own token, who they are and where
// they are a member.
func (s *Site) member(ctx context.Context, token string) (*gitHubUser, error) {
	gh := github.NewClient(s.cfg.HTTPClient).WithAuthToken(token)
	base, err := url.Parse(s.cfg.GitHubAPIURL) // exactly as given, as the App's own client uses it
	if err != nil {
		return nil, fmt.Errorf("GITHUB_API_URL %q: %w", s.cfg.GitHubAPIURL, err)
	}
	gh.BaseURL = base
	u, _, err := gh.Users.Get(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("GET /user: %w", err)
	}
	who := &gitHubUser{login: u.GetLogin(), name: u.GetName()}
	if who.login == "" {
		return nil, errors.New("GET /user: no login in the answer")
	}
	opts := &github.ListOptions{PerPage: 100}
	for page := 0; page < maxInstallationPages; page++ {
		insts, resp, err := gh.Apps.ListUserInstallations(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("GET /user/installations: %w", err)
		}
		for _, in := range insts {
			acct := in.GetAccount()
			who.seen = append(who.seen, acct.GetLogin())
			if acct.GetType() != "Organization" || slices.Contains(who.orgs, acct.GetLogin()) {
				continue
			}
			m, resp, err := gh.Organizations.GetOrgMembership(ctx, "", acct.GetLogin())
			if resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusForbidden) {
				continue // not a member (an outside collaborator sees the installation too)
			}
			if err != nil {
				return nil, fmt.Errorf("GET /user/memberships/orgs/%s: %w", acct.GetLogin(), err)
			}
			if m.GetState() == "active" {
				who.orgs = append(who.orgs, acct.GetLogin())
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return who, nil
}

// oauthErr names what went wrong in an exchange without quoting the body,
// which could hold a token.
func oauthErr(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return re.ErrorCode
		}
		if re.Response != nil {
			return re.Response.Status
		}
		return "the token endpoint refused"
	}
	return err.Error()
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
