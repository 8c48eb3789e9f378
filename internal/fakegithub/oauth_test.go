package fakegithub_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
	"golang.org/x/oauth2"

	"github.com/callboard/callboard/internal/fakegithub"
)

// oauthFake is an organisation with a member (alice), an outside
// collaborator (olga) and a stranger (mallory), and the App's OAuth client.
func oauthFake(t *testing.T) *fakegithub.Server {
	t.Helper()
	s := fakegithub.New(t)
	s.AddInstallation(7, "acme")
	for i, login := range []string{"alice", "olga", "mallory"} {
		s.AddUser(fakegithub.User{ID: int64(500 + i), Login: login, Name: strings.ToUpper(login[:1]) + login[1:]})
	}
	s.AddTeam("acme", fakegithub.Team{ID: 1, Slug: "payments", Name: "Payments"})
	s.SetTeamMembers("acme", "payments", "alice")
	s.AddOutsideCollaborator("acme", "olga")
	s.SetOAuthApp("Iv1.test", "client-secret")
	return s
}

func oauthConfig(s *fakegithub.Server, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: "Iv1.test", ClientSecret: secret, RedirectURL: "http://callboard.test/auth/github/callback",
		Endpoint: oauth2.Endpoint{AuthURL: s.URL + "/login/oauth/authorize", TokenURL: s.URL + "/login/oauth/access_token", AuthStyle: oauth2.AuthStyleInParams}}
}

// signIn walks the web flow as a browser would, and returns the code and
// state GitHub sends back.
func signIn(t *testing.T, s *fakegithub.Server, authURL, login, decision string) url.Values {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `name="login"`) {
		t.Fatalf("authorize page: %d\n%s", resp.StatusCode, page)
	}
	u, _ := url.Parse(authURL)
	form := url.Values{"login": {login}, "decision": {decision}}
	for k, v := range u.Query() {
		form[k] = v
	}
	resp, err = noRedirect.PostForm(s.URL+"/login/oauth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorizing %s: %d, want a redirect back", login, resp.StatusCode)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), "http://callboard.test/auth/github/callback?") {
		t.Fatalf("redirect to %q, want the callback", resp.Header.Get("Location"))
	}
	return back.Query()
}

func userClient(s *fakegithub.Server, token string) *github.Client {
	c := github.NewClient(nil).WithAuthToken(token)
	c.BaseURL, _ = url.Parse(s.URL + "/")
	return c
}

func TestOAuthWebFlow(t *testing.T) {
	s := oauthFake(t)
	ctx := context.Background()
	conf := oauthConfig(s, "client-secret")
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier))

	back := signIn(t, s, authURL, "alice", "authorize")
	if back.Get("state") != "state-123" || back.Get("code") == "" {
		t.Fatalf("callback query %v, want the state and a code", back)
	}
	code := back.Get("code")
	if _, err := oauthConfig(s, "wrong").Exchange(ctx, code, oauth2.VerifierOption(verifier)); !isOAuthError(err, "incorrect_client_credentials") {
		t.Errorf("exchange with a wrong secret: %v, want incorrect_client_credentials", err)
	}
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); !isOAuthError(err, "bad_verification_code") {
		t.Errorf("exchange with another verifier: %v, want bad_verification_code", err)
	}
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil || !strings.HasPrefix(tok.AccessToken, "ghu_") {
		t.Fatalf("exchange: %v, %+v", err, tok)
	}
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); !isOAuthError(err, "bad_verification_code") {
		t.Errorf("second exchange of one code: %v, want bad_verification_code", err)
	}

	gh := userClient(s, tok.AccessToken)
	u, _, err := gh.Users.Get(ctx, "")
	if err != nil || u.GetLogin() != "alice" || u.GetName() != "Alice" {
		t.Fatalf("GET /user: %v %+v", err, u)
	}
	insts, _, err := gh.Apps.ListUserInstallations(ctx, nil)
	if err != nil || len(insts) != 1 || insts[0].GetAccount().GetLogin() != "acme" {
		t.Fatalf("GET /user/installations: %v %v", err, insts)
	}
	m, _, err := gh.Organizations.GetOrgMembership(ctx, "", "acme")
	if err != nil || m.GetState() != "active" {
		t.Errorf("alice's membership: %v %+v", err, m)
	}
}

func TestOAuthOutsiders(t *testing.T) {
	s := oauthFake(t)
	ctx := context.Background()
	// An outside collaborator sees the installation and is no member.
	olga := userClient(s, s.UserToken("olga"))
	insts, _, err := olga.Apps.ListUserInstallations(ctx, nil)
	if err != nil || len(insts) != 1 {
		t.Errorf("olga's installations: %v %v, want acme's", err, insts)
	}
	if _, resp, err := olga.Organizations.GetOrgMembership(ctx, "", "acme"); err == nil || resp.StatusCode != 404 {
		t.Errorf("olga's membership: %v, want 404", err)
	}
	// A stranger sees nothing.
	mallory := userClient(s, s.UserToken("mallory"))
	if insts, _, err := mallory.Apps.ListUserInstallations(ctx, nil); err != nil || len(insts) != 0 {
		t.Errorf("mallory's installations: %v %v, want none", err, insts)
	}
	// An installation token is not a user's.
	inst := instClient(t, s, 7)
	if _, resp, err := inst.Users.Get(ctx, ""); err == nil || resp.StatusCode != 403 {
		t.Errorf("GET /user with an installation token: %v, want 403", err)
	}
}

func TestOAuthRefusals(t *testing.T) {
	s := oauthFake(t)
	conf := oauthConfig(s, "client-secret")
	back := signIn(t, s, conf.AuthCodeURL("st"), "alice", "cancel")
	if back.Get("error") != "access_denied" || back.Get("code") != "" || back.Get("state") != "st" {
		t.Errorf("cancelled: %v, want error=access_denied and the state", back)
	}
	resp, err := http.PostForm(s.URL+"/login/oauth/authorize", url.Values{"client_id": {"Iv1.test"}, "redirect_uri": {"http://callboard.test/cb"}, "login": {"nobody"}, "decision": {"authorize"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("an unknown login: %d, want 401 and the form again", resp.StatusCode)
	}
	resp, err = http.Get(s.URL + "/login/oauth/authorize?client_id=someone-else")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("another client_id: %d, want 404", resp.StatusCode)
	}
}

func isOAuthError(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}
