package main

import (
	"database/sql"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/internal/browsertest"
	"github.com/callboard/callboard/internal/fakegithub"
)

// demoGitHub is the demo organisation on the fake GitHub with the App's
// OAuth client, and mallory, who is no member.
func demoGitHub(t *testing.T) *fakegithub.Server {
	t.Helper()
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
	gh.SetOAuthApp("Iv1.demo", "demo-client-secret")
	return gh
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestWebInBrowser opens every page of serve --demo in headless Chromium,
// signed in with GitHub against the fake GitHub's OAuth, as a person would:
// a non-member is refused, a member admitted; search finds an entity by a
// word of its description; the entity page shows its owner and relations;
// the team page what it owns; /repositories filters. No page logs a console
// error or is wider than a phone at 390 px. Screenshots at 1280 and 390 px
// go to CALLBOARD_SCREENSHOTS (or a temporary folder, logged).
func TestWebInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	b := browsertest.New(t)
	gh := demoGitHub(t)
	addr := freeAddr(t)
	env := map[string]string{
		"CALLBOARD_DB":         filepath.Join(t.TempDir(), "callboard.db"),
		"CALLBOARD_ADDR":       addr,
		"CALLBOARD_BASE_URL":   "http://" + addr,
		"CALLBOARD_WEB_AUTH":   "github",
		"GITHUB_CLIENT_ID":     "Iv1.demo",
		"GITHUB_CLIENT_SECRET": "demo-client-secret",
		"GITHUB_URL":           gh.URL,
		"GITHUB_API_URL":       gh.URL + "/",
	}
	base, _ := startServe(t, env, "--demo")
	// A week of use, so the digest and the entity page have numbers: other
	// tools' events through POST /api/usage, callboard's own features' events
	// written as they record them (the API refuses those plugin ids).
	var own, events []string
	for i, ev := range []string{
		`{"plugin":"slack.owner","action":"owner","actor":"U0ALICE","entityRef":"component:default/payments-api","outcome":"answered"}`,
		`{"plugin":"slack.owner","action":"owner","actor":"U0BOB","entityRef":"component:default/payments-api","outcome":"answered"}`,
		`{"plugin":"slack.owner","action":"owner","actor":"U0CAROL","outcome":"unanswered","detail":"billing-v2"}`,
		`{"plugin":"github.pr-check","action":"evaluate","actor":"bob","entityRef":"acme/payments-api","outcome":"failure"}`,
		`{"plugin":"github.pr-check","action":"evaluate","actor":"alice","entityRef":"acme/payments-api","outcome":"success"}`,
		`{"plugin":"techdocs","action":"view","actor":"dave","entityRef":"component:default/search-service"}`,
		`{"plugin":"catalog-api","action":"by-name","actor":"deploy-bot","entityRef":"component:default/payments-api"}`,
	} {
		for range 1 + i%3 {
			if strings.Contains(ev, `"techdocs"`) {
				events = append(events, ev)
			} else {
				own = append(own, ev)
			}
		}
	}
	resp, err := http.Post(base+"/api/usage", "application/json", strings.NewReader("["+strings.Join(events, ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/usage: %d", resp.StatusCode)
	}
	recordOwnUsage(t, env["CALLBOARD_DB"], own)

	wants := func(what, got string, subs ...string) {
		t.Helper()
		for _, s := range subs {
			if !strings.Contains(got, s) {
				t.Errorf("%s does not say %q:\n%.1500s", what, s, got)
			}
		}
	}
	// shoot takes the page at both widths and checks that nothing is wider
	// than the phone's screen.
	shoot := func(name string) {
		t.Helper()
		b.Screenshot(name, 1280)
		b.Screenshot(name, 390)
		if !browsertest.Eval[bool](b, `document.documentElement.scrollWidth <= window.innerWidth`) {
			w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`)
			t.Errorf("%s is %v px wide at 390 px", name, w)
		}
		b.Do("back to the desktop width", chromedp.EmulateViewport(1280, 900))
	}

	// Signed out, a page sends the browser to GitHub's sign-in (the fake's
	// form asks for a login), which sends it back to the callback.
	signIn := func(login string) {
		t.Helper()
		b.Do("signing in as "+login,
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), login),
			chromedp.Click(chromedp.CSS(`button[value="authorize"]`)),
			chromedp.WaitVisible(chromedp.CSS("header.top")),
		)
	}
	// A non-member is refused.
	signIn("mallory")
	wants("the answer to mallory", b.Text("main"), "Not a member", "signed in to GitHub as mallory")
	shoot("refused")

	// A member is admitted, back on the page they asked for.
	signIn("alice")
	if loc := b.Location(); loc != base+"/" {
		t.Errorf("after signing in the browser is at %s, want %s/", loc, base)
	}
	wants("the header", b.Text("header.top"), "Alice Moreau", "Sign out")
	wants("the home page", b.Text("main"), "Catalog coverage", "This week", "Payments")
	shoot("home")
	// The first Tab reaches the skip link: the pages are usable from the keyboard.
	b.Do("pressing Tab", chromedp.KeyEvent("\t"))
	if got := browsertest.Eval[string](b, `document.activeElement.textContent`); got != "Skip to content" {
		t.Errorf("the first Tab focuses %q, want the skip link", got)
	}

	// Search finds an entity by a word of its description.
	b.Do("searching for refunds",
		chromedp.SendKeys(chromedp.CSS("#q"), "refunds"),
		chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS("#results-title")),
	)
	wants("the search results", b.Text(".results"), "Payments API", "Charges cards, issues refunds and reports payouts.")
	shoot("search")

	// The entity page: its owner and its relations.
	b.Do("opening Payments API from the results",
		chromedp.Click(chromedp.CSS(`.results a[href="/catalog/component/default/payments-api"]`)),
		chromedp.WaitVisible(chromedp.CSS(".owner-name")),
	)
	wants("the owner card", b.Text(".owner"), "Payments", "payments@acme.example", "#team-payments", "Alice Moreau", "Bob Okafor", "PagerDuty service P7PAYMT")
	wants("the relations", b.Text("#relations"), "ownedBy", "Payments", "partOf", "Checkout", "providesApi", "Payments REST API", "dependsOn", "Payments database")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll('.graph-wide svg .node').length`); n != 5 {
		t.Errorf("the relations graph draws %v nodes, want the entity and its 4 neighbours", n)
	}
	wants("the repository card", b.Text(".side-col"), "acme/payments-api", "Registered", "passing")
	wants("the usage", b.Text("main"), "slack.owner", "github.pr-check", "catalog-api")
	shoot("entity")

	// A team page lists what the team owns.
	b.Do("opening the team", chromedp.Click(chromedp.CSS(`.owner-name a`)), chromedp.WaitVisible(chromedp.CSS("#owns-title")))
	if loc := b.Location(); loc != base+"/teams/payments" {
		t.Errorf("the owner links to %s, want /teams/payments", loc)
	}
	wants("the team page", b.Text("main"), "Owns 5 entities", "Payments API", "Payments REST API", "Payments database", "Checkout", "Commerce", "Open onboarding proposals")
	shoot("team")

	// /repositories filters by status, from the tabs and from the form.
	b.Do("opening /repositories", chromedp.Navigate(base+"/repositories"), chromedp.WaitVisible(chromedp.CSS("table.repos")))
	rows := func() float64 {
		return browsertest.Eval[float64](b, `document.querySelectorAll('table.repos tbody tr').length`)
	}
	if n := rows(); n != 5 {
		t.Errorf("/repositories lists %v repositories, want the demo's 5", n)
	}
	shoot("repositories")
	b.Do("filtering to CODEOWNERS only", chromedp.Click(chromedp.CSS("a.tab-codeowners")), chromedp.WaitVisible(chromedp.CSS(`a.tab-codeowners[aria-current="page"]`)))
	if n := rows(); n != 1 {
		t.Errorf("CODEOWNERS only: %v rows, want 1", n)
	}
	wants("CODEOWNERS only", b.Text("table.repos"), "acme/legacy-billing", "@acme/payments")
	b.Do("filtering with the form",
		chromedp.SetValue(chromedp.CSS("#rstatus"), "registered"),
		chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.tab-registered[aria-current="page"]`)),
	)
	if n := rows(); n != 4 {
		t.Errorf("registered: %v rows, want 4", n)
	}

	// The digest, readable on a phone.
	b.Do("opening /digest", chromedp.Navigate(base+"/digest"), chromedp.WaitVisible(chromedp.CSS("#plugins-title")))
	wants("the digest", b.Text("main"), "Weekly digest", "slack.owner", "techdocs", "Catalog coverage", "billing-v2")
	shoot("digest")

	// Signing out.
	b.Do("signing out", chromedp.Click(chromedp.CSS(`header form button`)), chromedp.WaitVisible(chromedp.CSS("#signout-title")))
	wants("the signed-out page", b.Text("main"), "You have signed out of callboard")
	shoot("signed-out")

	// Chrome logs a page's own 4xx status as an error: the refusal answers
	// 403 on purpose. Anything else is a defect.
	var errs []string
	for _, e := range b.ConsoleErrors() {
		if strings.Contains(e, "status of 403") && strings.Contains(e, base+"/auth/github/callback?") {
			continue
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		t.Errorf("the console logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// recordOwnUsage writes usage events of callboard's own features into the
// database at path, as the features themselves record them, stamped now.
func recordOwnUsage(t *testing.T, path string, events []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UnixMilli()
	for _, raw := range events {
		var e struct{ Plugin, Action, Actor, EntityRef, Outcome, Detail string }
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO usage_events (at, plugin, action, actor, entity, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			now, e.Plugin, e.Action, e.Actor, e.EntityRef, e.Outcome, e.Detail); err != nil {
			t.Fatal(err)
		}
	}
}
