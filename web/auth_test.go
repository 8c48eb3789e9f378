package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/web"
)

// signInWithGitHub walks the sign-in as a browser does: the page asks to
// sign in, the button goes to GitHub with a state, GitHub's form is
// submitted as login, and GitHub's redirect lands on the callback. It
// returns the callback's answer.
func signInWithGitHub(t *testing.T, s *site, b *browser, next, login string) (*http.Response, string) {
	t.Helper()
	resp, body := b.get(s.URL + next)
	wantStatus(t, next+" signed out", resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/auth/github/login?next="+url.QueryEscape(next) {
		t.Fatalf("%s signed out sends the browser to %q, want the sign-in with the page to come back to", next, loc)
	}
	resp, body = b.get(s.URL + resp.Header.Get("Location"))
	wantStatus(t, "/auth/github/login", resp, body, http.StatusFound)
	authURL, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(authURL.String(), s.gh.URL+"/login/oauth/authorize?") {
		t.Fatalf("login sends the browser to %q, want GITHUB_URL/login/oauth/authorize", resp.Header.Get("Location"))
	}
	q := authURL.Query()
	if q.Get("client_id") != "Iv1.callboard" || q.Get("state") == "" || q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" ||
		q.Get("redirect_uri") != s.URL+"/auth/github/callback" {
		t.Fatalf("authorize parameters %v", q)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "callboard_oauth" && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/auth/github/") {
			t.Errorf("state cookie %+v: want HttpOnly, SameSite=Lax, Path=/auth/github/", c)
		}
	}
	resp, body = b.get(authURL.String())
	wantStatus(t, "GitHub's authorize page", resp, body, http.StatusOK)
	form := url.Values{"login": {login}, "decision": {"authorize"}}
	for k, v := range q {
		form[k] = v
	}
	resp, body = b.post(s.gh.URL+"/login/oauth/authorize", form)
	wantStatus(t, "authorizing on GitHub", resp, body, http.StatusFound)
	return b.get(resp.Header.Get("Location"))
}

func TestSignInWithGitHub(t *testing.T) {
	s := newSite(t, web.ModeGitHub)
	b := newBrowser(t)
	resp, body := signInWithGitHub(t, s, b, "/teams/payments?x=1", "alice")
	wantStatus(t, "the callback for alice", resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/teams/payments?x=1" {
		t.Errorf("after sign-in the browser goes to %q, want the page it asked for", loc)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "callboard_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || session.Path != "/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/ (not Secure on http)", session)
	}
	resp, body = b.get(s.URL + "/teams/payments")
	wantStatus(t, "/teams/payments signed in", resp, body, http.StatusOK)
	wantContains(t, "the page", body, "Owns 5 entities", "Alice Moreau", "Sign out")

	// The GitHub calls: who, where installed, and the membership; no more.
	var calls []string
	for _, c := range s.gh.Calls() {
		calls = append(calls, c.Method+" "+c.Path)
	}
	if want := "POST /login/oauth/access_token|GET /user|GET /user/installations|GET /user/memberships/orgs/acme"; !strings.Contains(strings.Join(calls, "|"), want) {
		t.Errorf("GitHub calls %v, want %s", calls, want)
	}

	// Signing out needs a POST; a GET only offers the button.
	resp, body = b.get(s.URL + "/auth/logout")
	wantStatus(t, "GET /auth/logout", resp, body, http.StatusOK)
	resp, _ = b.get(s.URL + "/teams/payments")
	wantStatus(t, "still signed in after GET /auth/logout", resp, "", http.StatusOK)
	resp, body = b.post(s.URL+"/auth/logout", nil)
	wantStatus(t, "POST /auth/logout", resp, body, http.StatusOK)
	wantContains(t, "the answer", body, "You have signed out of callboard")
	resp, body = b.get(s.URL + "/teams/payments")
	wantStatus(t, "after signing out", resp, body, http.StatusSeeOther)
}

func TestSignInRefusesNonMembers(t *testing.T) {
	s := newSite(t, web.ModeGitHub)
	for _, login := range []string{"mallory", "olga"} { // a stranger; an outside collaborator
		t.Run(login, func(t *testing.T) {
			b := newBrowser(t)
			resp, body := signInWithGitHub(t, s, b, "/", login)
			wantStatus(t, "the callback for "+login, resp, body, http.StatusForbidden)
			wantContains(t, "the refusal", body, "signed in to GitHub as "+login, "not a member of an organisation where callboard is installed")
			for _, c := range resp.Cookies() {
				if c.Name == "callboard_session" && c.MaxAge >= 0 {
					t.Errorf("a session cookie was set for %s", login)
				}
			}
			resp, body = b.get(s.URL + "/")
			wantStatus(t, "/ after the refusal", resp, body, http.StatusSeeOther)
		})
	}
}

func TestSignInChecksState(t *testing.T) {
	s := newSite(t, web.ModeGitHub)
	b := newBrowser(t)
	// A callback without the state cookie: a link someone else made.
	resp, body := b.get(s.URL + "/auth/github/callback?code=abc&state=xyz")
	wantStatus(t, "callback without a sign-in under way", resp, body, http.StatusBadRequest)
	wantContains(t, "the answer", body, "Start it again")

	// A callback whose state is not this browser's.
	resp, _ = b.get(s.URL + "/auth/github/login?next=/")
	authURL, _ := url.Parse(resp.Header.Get("Location"))
	q := authURL.Query()
	form := url.Values{"login": {"alice"}, "decision": {"authorize"}}
	for k, v := range q {
		form[k] = v
	}
	form.Set("state", "forged")
	resp, _ = b.post(s.gh.URL+"/login/oauth/authorize", form)
	resp, body = b.get(resp.Header.Get("Location"))
	wantStatus(t, "callback with another state", resp, body, http.StatusBadRequest)
	resp, _ = b.get(s.URL + "/")
	wantStatus(t, "/ after a forged state", resp, "", http.StatusSeeOther)

	// The person said no on GitHub.
	resp, _ = b.get(s.URL + "/auth/github/login?next=/")
	authURL, _ = url.Parse(resp.Header.Get("Location"))
	form = url.Values{"decision": {"cancel"}}
	for k, v := range authURL.Query() {
		form[k] = v
	}
	resp, _ = b.post(s.gh.URL+"/login/oauth/authorize", form)
	resp, body = b.get(resp.Header.Get("Location"))
	wantStatus(t, "callback after cancelling", resp, body, http.StatusBadRequest)
	wantContains(t, "the answer", body, "did not authorise callboard")
}

func TestSessionCookieIsSigned(t *testing.T) {
	s := newSite(t, web.ModeGitHub)
	b := newBrowser(t)
	resp, _ := signInWithGitHub(t, s, b, "/", "alice")
	var value string
	for _, c := range resp.Cookies() {
		if c.Name == "callboard_session" {
			value = c.Value
		}
	}
	payload, sig, _ := strings.Cut(value, ".")
	for name, forged := range map[string]string{
		"signature cut":   payload,
		"other signature": payload + ".AAAA" + sig[4:],
		"other payload":   "eyJsIjoibWFsbG9yeSIsInYiOiJnaXRodWIiLCJ1IjoiMjA5OS0wMS0wMVQwMDowMDowMFoifQ." + sig,
		"garbage":         strings.Repeat("x", 5000),
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
			req.AddCookie(&http.Cookie{Name: "callboard_session", Value: forged})
			resp, _ := newBrowser(t).do(req)
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("a %s cookie: %d, want 303 to the sign-in", name, resp.StatusCode)
			}
		})
	}
	// The genuine cookie works, and stops working after eight hours.
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "callboard_session", Value: value})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the genuine cookie: %d, want 200", resp.StatusCode)
	}

	// Another site on another database signs with another key.
	other := newSite(t, web.ModeGitHub)
	req, _ = http.NewRequest(http.MethodGet, other.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "callboard_session", Value: value})
	if resp, _ := newBrowser(t).do(req); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the cookie on another database: %d, want 303 to the sign-in", resp.StatusCode)
	}
}

func TestSessionExpires(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := newSite(t, web.ModeToken, func(c *web.Config) { c.Now = func() time.Time { return clock() } })
	b := newBrowser(t)
	resp, body := b.post(s.URL+"/auth/token", url.Values{"token": {"t0ken-for-tests"}, "next": {"/repositories"}})
	wantStatus(t, "token sign-in", resp, body, http.StatusSeeOther)
	resp, _ = b.get(s.URL + "/repositories")
	wantStatus(t, "signed in", resp, "", http.StatusOK)
	clock = func() time.Time { return now.Add(8*time.Hour + time.Second) }
	resp, _ = b.get(s.URL + "/repositories")
	wantStatus(t, "eight hours later", resp, "", http.StatusSeeOther)
}

func TestSignInWithToken(t *testing.T) {
	s := newSite(t, web.ModeToken)
	b := newBrowser(t)
	resp, body := b.get(s.URL + "/digest")
	wantStatus(t, "/digest signed out", resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/auth/token?next=%2Fdigest" {
		t.Errorf("/digest signed out sends the browser to %q, want the token form", loc)
	}
	resp, body = b.get(s.URL + resp.Header.Get("Location"))
	wantStatus(t, "the token form", resp, body, http.StatusOK)
	wantContains(t, "the sign-in page", body, `action="/auth/token"`, `name="token"`, `value="/digest"`)

	resp, body = b.post(s.URL+"/auth/token", url.Values{"token": {"wrong"}, "next": {"/digest"}})
	wantStatus(t, "a wrong token", resp, body, http.StatusUnauthorized)
	wantContains(t, "the answer", body, "not this callboard&#39;s API token")

	resp, body = b.post(s.URL+"/auth/token", url.Values{"token": {"t0ken-for-tests"}, "next": {"https://evil.example/"}})
	wantStatus(t, "the token", resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Errorf("after sign-in the browser goes to %q, want / (never elsewhere)", loc)
	}
	resp, body = b.get(s.URL + "/digest")
	wantStatus(t, "/digest signed in", resp, body, http.StatusOK)

	// A form posted from another site is refused (Sec-Fetch-Site, as browsers send it).
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/auth/token", strings.NewReader("token=t0ken-for-tests"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site sign-in form: %d, want 403", resp.StatusCode)
	}
	// The GitHub routes are not this mode's.
	resp, _ = b.get(s.URL + "/auth/github/login")
	wantStatus(t, "/auth/github/login in token mode", resp, "", http.StatusNotFound)
}

func TestGitHubSignInNotSetUp(t *testing.T) {
	s := newSite(t, web.ModeGitHub, func(c *web.Config) { c.ClientID, c.ClientSecret = "", "" })
	resp, body := newBrowser(t).get(s.URL + "/")
	wantStatus(t, "/ without OAuth credentials", resp, body, http.StatusServiceUnavailable)
	wantContains(t, "the page", body, "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "CALLBOARD_WEB_AUTH=token")
}

func TestSecureCookiesOnHTTPS(t *testing.T) {
	s := newSite(t, web.ModeToken, func(c *web.Config) { c.BaseURL = "https://callboard.acme.example" })
	resp, body := newBrowser(t).post(s.URL+"/auth/token", url.Values{"token": {"t0ken-for-tests"}})
	wantStatus(t, "token sign-in", resp, body, http.StatusSeeOther)
	cs := resp.Cookies()
	if len(cs) != 1 || cs[0].Name != "__Host-callboard_session" || !cs[0].Secure || !cs[0].HttpOnly || cs[0].Path != "/" {
		t.Errorf("cookies %+v: want one Secure, HttpOnly __Host- session cookie", cs)
	}
}

// TestAPITokenOpensPagesToScripts: with CALLBOARD_API_TOKEN set, a script
// reads the pages with it in any sign-in mode (bearer, or basic password),
// and wrong credentials in the header get a 401, not a redirect or a page.
func TestAPITokenOpensPagesToScripts(t *testing.T) {
	const token = "script-token"
	for _, mode := range []web.Mode{web.ModeGitHub, web.ModeToken, web.ModeNone} {
		t.Run(string(mode), func(t *testing.T) {
			s := newSite(t, mode, func(c *web.Config) { c.APIToken = token })
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for _, tc := range []struct {
				name string
				auth func(*http.Request)
				want int
			}{
				{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, http.StatusOK},
				{"basic password", func(r *http.Request) { r.SetBasicAuth("", token) }, http.StatusOK},
				{"wrong bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, http.StatusUnauthorized},
				{"token as user name", func(r *http.Request) { r.SetBasicAuth(token, "") }, http.StatusUnauthorized},
			} {
				req, _ := http.NewRequest("GET", s.URL+"/catalog/component/default/payments-api", nil)
				tc.auth(req)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
				}
				if shown := strings.Contains(string(body), "Payments API"); shown != (tc.want == http.StatusOK) {
					t.Errorf("%s: page shown %v, want %v", tc.name, shown, tc.want == http.StatusOK)
				}
			}
		})
	}
}
