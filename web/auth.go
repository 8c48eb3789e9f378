package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// PluginWeb is the usage plugin id of the web view.
const PluginWeb = catalog.PluginWeb

const sessionPurpose = "session"

// session returns who the request's cookie signs in, or nil. In ModeNone
// everyone is a guest.
//
// A script may instead send CALLBOARD_API_TOKEN with each request, as it does
// for /api/*: "Authorization: Bearer TOKEN", or HTTP basic authentication with
// the token as the password. That holds in every mode, so a token set by the
// operator always opens the pages to whoever holds it, and to no one else.
func (s *Site) session(r *http.Request) *Session {
	if s.cfg.APIToken != "" && r.Header.Get("Authorization") != "" {
		if tokenMatches(r, s.cfg.APIToken) {
			return &Session{Login: "api-token", Via: "authorization"}
		}
		return nil
	}
	if s.cfg.Mode == ModeNone {
		return &Session{Login: "guest", Via: string(ModeNone)}
	}
	c, err := r.Cookie(s.cookies.sessionName())
	if err != nil {
		return nil
	}
	var sess Session
	if err := s.signer.verify(sessionPurpose, c.Value, &sess); err != nil {
		return nil
	}
	if sess.Via != string(s.cfg.Mode) || !s.cfg.Now().Before(sess.Until) || sess.Login == "" {
		return nil
	}
	return &sess
}

func (s *Site) startSession(w http.ResponseWriter, sess Session) error {
	sess.Via = string(s.cfg.Mode)
	sess.Until = s.cfg.Now().Add(sessionTTL).UTC().Truncate(1e9)
	v, err := s.signer.sign(sessionPurpose, sess)
	if err != nil {
		return err
	}
	s.cookies.set(w, s.cookies.sessionName(), v, "/", sessionTTL)
	return nil
}

// signInView is the sign-in page's data.
type signInView struct {
	Next    string
	Problem string
	GitHub  string // the GitHub host people sign in at
}

// toSignIn sends a person who is not signed in to sign in, and back to the
// page they asked for afterwards: with GitHub straight to GitHub (which
// sends someone who authorised callboard before back at once), with a
// token to the token form.
func (s *Site) toSignIn(w http.ResponseWriter, r *http.Request) error {
	if r.Header.Get("Authorization") != "" {
		// Credentials that did not match: a script gets a clear refusal, a
		// browser its own prompt, rather than a redirect to a form.
		w.Header().Set("WWW-Authenticate", `Basic realm="callboard", charset="UTF-8"`)
		return &httpError{status: http.StatusUnauthorized, title: "Not signed in",
			msg: "The Authorization header does not carry this callboard's API token."}
	}
	next := url.QueryEscape(localPath(r.URL.RequestURI()))
	if s.cfg.Mode == ModeToken {
		http.Redirect(w, r, "/auth/token?next="+next, http.StatusSeeOther)
	} else {
		http.Redirect(w, r, "/auth/github/login?next="+next, http.StatusSeeOther)
	}
	return nil
}

// tokenForm is GET /auth/token: the sign-in form of ModeToken.
func (s *Site) tokenForm(w http.ResponseWriter, r *http.Request, _ *Session) error {
	if s.cfg.Mode != ModeToken {
		return notFoundPage("Not here", "This callboard does not sign in with a token.", nil)
	}
	if sess := s.session(r); sess != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "signin", &view{Title: "Sign in", Data: signInView{Next: localPath(r.URL.Query().Get("next"))}})
}

// maxFormBody bounds what a sign-in form may post.
const maxFormBody = 8 << 10

// tokenSignIn is POST /auth/token: CALLBOARD_API_TOKEN exchanged for a session.
func (s *Site) tokenSignIn(w http.ResponseWriter, r *http.Request, _ *Session) error {
	if s.cfg.Mode != ModeToken {
		return notFoundPage("Not here", "This callboard does not sign in with a token.", nil)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return &httpError{status: http.StatusBadRequest, title: "Sign-in form not understood", msg: "The form could not be read; go back and try again."}
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(r.PostFormValue("token"))))
	want := sha256.Sum256([]byte(s.cfg.APIToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		s.log.Warn("web sign-in refused", "mode", "token", "reason", "wrong token")
		s.usage.add(catalog.UsageEvent{Plugin: PluginWeb, Action: "sign-in", Actor: "token", Outcome: catalog.OutcomeFailure, At: s.cfg.Now()})
		return s.render(w, r, http.StatusUnauthorized, "signin", &view{Title: "Sign in", Data: signInView{
			Next: localPath(r.PostFormValue("next")), Problem: "That is not this callboard's API token."}})
	}
	if err := s.startSession(w, Session{Login: "token", Name: "API token"}); err != nil {
		return err
	}
	s.usage.add(catalog.UsageEvent{Plugin: PluginWeb, Action: "sign-in", Actor: "token", Outcome: catalog.OutcomeSuccess, At: s.cfg.Now()})
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

// logoutForm is GET /auth/logout: signing out is a POST (a link or an image
// elsewhere must not sign anyone out), so this page offers the button.
func (s *Site) logoutForm(w http.ResponseWriter, r *http.Request, _ *Session) error {
	return s.render(w, r, http.StatusOK, "signout", &view{Title: "Sign out", Session: s.session(r)})
}

// logout is POST /auth/logout. It says so on a page of its own: sent to /
// instead, a person still signed in to GitHub would be signed in again at once.
func (s *Site) logout(w http.ResponseWriter, r *http.Request, _ *Session) error {
	if s.cfg.Mode != ModeNone {
		s.cookies.clear(w, s.cookies.sessionName(), "/")
	}
	return s.render(w, r, http.StatusOK, "signout", &view{Title: "Signed out", Data: true})
}

// tokenMatches reports whether the request's Authorization header carries
// token, as a bearer token or as a basic-authentication password; compared
// in constant time.
func tokenMatches(r *http.Request, token string) bool {
	got := ""
	if _, pass, ok := r.BasicAuth(); ok {
		got = pass
	} else if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got = strings.TrimSpace(b)
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(token))
	return got != "" && subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
