package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/callboard/callboard/web"
	"github.com/gorilla/mux"
)

// site is the web view over the demo catalog, served by httptest.
type site struct {
	*web.Site
	URL   string
	store *store.Store
	gh    *fakegithub.Server
}

type siteOpt func(*web.Config)

func newSite(t *testing.T, mode web.Mode, opts ...siteOpt) *site {
	t.Helper()
	db, st := testcatalog.DemoDB(t)
	ctx := context.Background()
	// Some usage, so the pages have numbers to show.
	now := time.Now()
	if err := st.RecordUsage(ctx,
		catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "U1", At: now.Add(-time.Hour), Entity: "component:default/payments-api", Outcome: "answered"},
		catalog.UsageEvent{Plugin: catalog.PluginPRCheck, Action: "evaluate", Actor: "bob", At: now.Add(-2 * time.Hour), Entity: "acme/payments-api", Outcome: "failure"},
		catalog.UsageEvent{Plugin: catalog.PluginPRCheck, Action: "evaluate", Actor: "alice", At: now.Add(-time.Hour), Entity: "acme/payments-api", Outcome: "success"},
	); err != nil {
		t.Fatal(err)
	}
	dg, err := digest.New(digest.Config{Catalog: st, Records: digest.NewStore(db)})
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	s := &site{URL: srv.URL, store: st}
	cfg := web.Config{Store: st, Digest: dg, Mode: mode, BaseURL: srv.URL, Logger: slog.New(slog.DiscardHandler)}
	if mode == web.ModeGitHub {
		s.gh = demoGitHub(t)
		cfg.ClientID, cfg.ClientSecret = "Iv1.callboard", "client-secret"
		cfg.GitHubURL, cfg.GitHubAPIURL = s.gh.URL, s.gh.URL+"/"
	}
	if mode == web.ModeToken {
		cfg.APIToken = "t0ken-for-tests"
	}
	for _, o := range opts {
		o(&cfg)
	}
	s.Site, err = web.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	s.Register(r)
	return s
}

// demoGitHub is the demo organisation on the fake GitHub, with the App's
// OAuth client, an outside collaborator (olga) and a stranger (mallory).
func demoGitHub(t *testing.T) *fakegithub.Server {
	gh := fakegithub.New(t)
	gh.AddInstallation(1, demo.Org)
	teams, users, err := demo.GitHubOrg()
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range users {
		gh.AddUser(fakegithub.User{ID: int64(5000 + i), Login: u.Login, Name: u.Name, Email: u.Email})
	}
	for i, tm := range teams {
		gh.AddTeam(demo.Org, fakegithub.Team{ID: int64(100 + i), Slug: tm.Slug, Name: tm.Name, ParentSlug: tm.Parent})
		if len(tm.Members) > 0 {
			gh.SetTeamMembers(demo.Org, tm.Slug, tm.Members...)
		}
	}
	gh.AddUser(fakegithub.User{ID: 6001, Login: "mallory", Name: "Mallory"})
	gh.AddUser(fakegithub.User{ID: 6002, Login: "olga", Name: "Olga"})
	gh.AddOutsideCollaborator(demo.Org, "olga")
	gh.SetOAuthApp("Iv1.callboard", "client-secret")
	return gh
}

// browser is an HTTP client with cookies that does not follow redirects,
// so each step can be checked.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func wantStatus(t *testing.T, what string, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: %d, want %d\n%.2000s", what, resp.StatusCode, status, body)
	}
}

func wantContains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not say %q", what, w)
		}
	}
}

func TestPages(t *testing.T) {
	s := newSite(t, web.ModeNone)
	b := newBrowser(t)
	for _, tc := range []struct {
		path   string
		status int
		wants  []string
	}{
		{"/", 200, []string{"Catalog coverage", "This week", `href="/teams/payments"`, "Payments", "with CODEOWNERS only"}},
		{"/?q=refunds", 200, []string{"matches for “refunds”", `href="/catalog/component/default/payments-api"`, "Charges cards, issues refunds"}},
		{"/?q=refundz", 200, []string{"Nothing matches “refundz”"}},
		{"/?q=paymnts-api", 200, []string{"Did you mean", "payments-api"}},
		{"/catalog/component/default/payments-api", 200, []string{
			"Payments API", "component:default/payments-api",
			`href="/teams/payments"`, "payments@acme.example", "#team-payments", "Alice Moreau", "PagerDuty service P7PAYMT", // the owner
			"ownedBy", "partOf", "dependsOn", "providesApi", `href="/catalog/resource/default/payments-db"`, "<svg", // relations
			"https://github.com/acme/payments-api/blob/main/catalog-info.yaml#L20", "catalog-info.yaml line 20", // where it is declared
			"CODEOWNERS of acme/payments-api", "applies to the catalog file", // its rules
			"passing", "on a pull request by alice", // the latest check
			"slack.owner", "github.pr-check", // usage by plugin
			"TechDocs", "Payments dashboard",
		}},
		{"/catalog/API/default/payments-rest", 200, []string{"Payments REST API", "API definition", "openapi: 3.0.3"}},
		{"/catalog/group/default/payments", 301, nil},
		{"/teams/payments", 200, []string{"Owns 5 entities", "Payments API", "Payments REST API", "Payments database", "Checkout", "Commerce",
			"Bob Okafor", "no docs", "Open onboarding proposals", "None open", `href="/teams/engineering"`}},
		{"/teams/engineering", 200, []string{"Teams within it", `href="/teams/payments"`}},
		{"/repositories", 200, []string{"acme/legacy-billing", "acme/payments-api", "CODEOWNERS only", "@acme/payments", "from CODEOWNERS"}},
		{"/repositories?status=codeowners", 200, []string{"acme/legacy-billing", "Showing 1–1 of 1 repository"}},
		{"/repositories?q=checkout&sort=updated&dir=desc", 200, []string{"acme/checkout-web"}},
		{"/repositories?status=bogus&page=-3", 200, []string{"Showing 1–5 of 5 repositories"}},
		{"/digest", 200, []string{"Weekly digest", "Usage by plugin", "slack.owner", "Catalog coverage", `href="/repositories?status=none"`}},
		{"/digest?week=2026-W54", 400, []string{"weeks 1 to 53"}},
		{"/catalog/component/default/paymnts-api", 404, []string{"No such entity", "Did you mean", "payments-api"}},
		{"/teams/nobody", 404, []string{"No such entity"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := b.get(s.URL + tc.path)
			wantStatus(t, tc.path, resp, body, tc.status)
			wantContains(t, tc.path, body, tc.wants...)
			if tc.status == 301 {
				if loc := resp.Header.Get("Location"); loc != "/teams/payments" {
					t.Errorf("redirect to %q, want /teams/payments", loc)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if st := resp.Header.Get("Server-Timing"); !strings.HasPrefix(st, "render;dur=") {
				t.Errorf("Server-Timing %q", st)
			}
			// Nothing runs on the pages, and nothing is styled inline (the CSP forbids both).
			for _, bad := range []string{"<script", " style=", "javascript:"} {
				if strings.Contains(body, bad) {
					t.Errorf("the page holds %q", bad)
				}
			}
		})
	}
}

func TestAssets(t *testing.T) {
	s := newSite(t, web.ModeToken)
	b := newBrowser(t)
	// The stylesheet needs no sign-in: the sign-in page uses it too.
	resp, body := b.get(s.URL + "/auth/token")
	wantStatus(t, "the sign-in form", resp, body, 200)
	i := strings.Index(body, `href="/assets/style.`)
	if i < 0 {
		t.Fatalf("the sign-in page links no stylesheet:\n%s", body)
	}
	css := body[i+len(`href="`):]
	css = css[:strings.IndexByte(css, '"')]
	resp, body = b.get(s.URL + css)
	wantStatus(t, css, resp, body, 200)
	if resp.Header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.Contains(body, ".card") {
		t.Errorf("%s: %s %s", css, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	resp, body = b.get(s.URL + "/assets/../../etc/passwd")
	if resp.StatusCode == 200 {
		t.Errorf("a path outside the assets: 200\n%.200s", body)
	}
	resp, _ = b.get(s.URL + "/assets/nothing.css")
	if resp.StatusCode != 404 {
		t.Errorf("an unknown asset: %d, want 404", resp.StatusCode)
	}
}

func TestUsageRecorded(t *testing.T) {
	s := newSite(t, web.ModeNone)
	b := newBrowser(t)
	b.get(s.URL + "/catalog/component/default/payments-api")
	b.get(s.URL + "/?q=refunds")
	s.Close(context.Background()) // writes what it holds
	evs, err := s.store.UsageBetween(context.Background(), time.Now().Add(-time.Minute), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		if e.Plugin == web.PluginWeb {
			got = append(got, e.Action+" "+e.Entity+e.Detail)
		}
	}
	want := []string{"entity component:default/payments-api", "search refunds"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("web usage events %q, want %q", got, want)
	}
}
