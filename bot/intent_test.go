package bot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
)

// acmeStore is the demo organisation and more of Acme
// (testdata/more-acme.catalog.yaml): billing, ledger, identity, data.
func acmeStore(t testing.TB) *store.Store {
	t.Helper()
	st := demoStore(t)
	path := filepath.Join("testdata", "more-acme.catalog.yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parsed, problems := catalog.ParseFile(path, raw, nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var decl []catalog.Declared
	for _, p := range parsed {
		decl = append(decl, catalog.Declared{Entity: p.Entity, Location: "file:" + path})
	}
	if _, err := st.ReplaceSource(context.Background(), "file:more-acme", decl, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func acmeIndex(t testing.TB) *nameIndex {
	t.Helper()
	names, err := acmeStore(t).Names(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return newNameIndex(names)
}

// TestUnderstand holds the reading of questions people ask in Slack, as
// Slack sends them: what is asked, and about what. Subjects are written as
// the name looked up; ~name is a typo taken for name, ?words words the
// catalog has nothing close to (or several things equally close to).
func TestUnderstand(t *testing.T) {
	ix := acmeIndex(t)
	tests := []struct {
		text     string
		intent   intent
		subjects string // comma-separated
		search   string
		refused  string
	}{
		// who owns it
		{text: "who owns billing?", intent: intentOwner, subjects: "billing"},
		{text: "<@U0CALLBOARD> who owns payments-api?", intent: intentOwner, subjects: "payments-api"},
		{text: "Who owns the Payments API?", intent: intentOwner, subjects: "payments-api"},
		{text: "who's the owner of ledger", intent: intentOwner, subjects: "ledger"},
		{text: "whose is checkout-web?", intent: intentOwner, subjects: "checkout-web"},
		{text: "which team owns fraud detection?", intent: intentOwner, subjects: "fraud-detection"},
		{text: "what team owns the auth service", intent: intentOwner, subjects: "auth-service"},
		{text: "who maintains the billing worker?", intent: intentOwner, subjects: "billing-worker"},
		{text: "hey, quick question: does anyone know who owns notifications?", intent: intentOwner, subjects: "notifications"},
		{text: "who is responsible for the ledger api?", intent: intentOwner, subjects: "ledger-api"},
		{text: "who do I talk to about search-service?", intent: intentOwner, subjects: "search-service"},
		{text: "who should I ask about checkout", intent: intentOwner, subjects: "checkout"},
		{text: "contact for mobile app?", intent: intentOwner, subjects: "mobile-app"},
		{text: "payments-api", intent: intentOwner, subjects: "payments-api"},
		{text: "<@U0CALLBOARD> acme/legacy-billing", intent: intentOwner, subjects: "acme/legacy-billing"},
		{text: "who owns <https://github.com/acme/legacy-billing/blob/master/reports/q3.py>", intent: intentOwner,
			subjects: "https://github.com/acme/legacy-billing/blob/master/reports/q3.py"},
		{text: "who owns payments-api and search-service?", intent: intentOwner, subjects: "payments-api,search-service"},
		{text: "owners of ledger, billing and notifications", intent: intentOwner, subjects: "ledger,billing,notifications"},
		{text: "who owns legacy billing", intent: intentOwner, subjects: "acme/legacy-billing"},
		{text: "who owns `payments-db`", intent: intentOwner, subjects: "payments-db"},
		{text: "who is alice", intent: intentOwner, subjects: "alice"},
		{text: "whos the owner of the checkout system", intent: intentOwner, subjects: "checkout"},
		{text: "who owns component:default/payments-api", intent: intentOwner, subjects: "component:default/payments-api"},
		{text: "Who owns @acme/payments?", intent: intentOwner, subjects: "@acme/payments"},
		{text: "payments-api's owner?", intent: intentOwner, subjects: "payments-api"},
		{text: "who built the search api", intent: intentOwner, subjects: "search-api"},
		// typos
		{text: "who onws payments-api", intent: intentOwner, subjects: "payments-api"},
		{text: "who owns paymnets-api?", intent: intentOwner, subjects: "~payments-api"},
		{text: "who owns the leger?", intent: intentOwner, subjects: "~ledger"},
		{text: "who owns biling", intent: intentOwner, subjects: "~billing"},
		{text: "who owns serach-service", intent: intentOwner, subjects: "~search-service"},
		{text: "who owns notifcations", intent: intentOwner, subjects: "~notifications"},
		{text: "who owns fraud detetcion", intent: intentOwner, subjects: "~fraud-detection"},
		{text: "who owns checkotu-web", intent: intentOwner, subjects: "~checkout-web"},
		{text: "who owns payment-api", intent: intentOwner, subjects: "~payments-api"},
		{text: "who owns paymnets api and ledgr", intent: intentOwner, subjects: "~payments-api,~ledger"},
		// nothing like it in the catalog
		{text: "who owns the office coffee machine?", intent: intentOwner, subjects: "?office coffee machine"},
		{text: "who owns zebra-service", intent: intentOwner, subjects: "?zebra-service"},
		{text: "who owns payments-api and the flux capacitor", intent: intentOwner, subjects: "payments-api,?flux capacitor"},
		// what a team owns
		{text: "what does team search own?", intent: intentOwns, subjects: "search"},
		{text: "what does payments own", intent: intentOwns, subjects: "payments"},
		{text: "What's owned by platform?", intent: intentOwns, subjects: "platform"},
		{text: "list everything owned by identity", intent: intentOwns, subjects: "identity"},
		{text: "what services does the data team own?", intent: intentOwns, subjects: "data"},
		{text: "what do alice and bob own?", intent: intentOwns, subjects: "alice,bob"},
		{text: "what is web responsible for", intent: intentOwns, subjects: "web"},
		{text: "what belongs to payments?", intent: intentOwns, subjects: "payments"},
		{text: "what does the serch team own", intent: intentOwns, subjects: "search"},
		{text: "what the identity team owns", intent: intentOwns, subjects: "identity"},
		{text: "what does grace own", intent: intentOwns, subjects: "grace"},
		// docs
		{text: "where are the docs for ledger?", intent: intentDocs, subjects: "ledger"},
		{text: "payments-api docs", intent: intentDocs, subjects: "payments-api"},
		{text: "is there documentation for the auth service?", intent: intentDocs, subjects: "auth-service"},
		{text: "where's the runbook for billing", intent: intentDocs, subjects: "billing"},
		{text: "where can I find the readme for search-service", intent: intentDocs, subjects: "search-service"},
		{text: "docs for paymnets api pls", intent: intentDocs, subjects: "~payments-api"},
		{text: "where is the documentaion for checkout-web", intent: intentDocs, subjects: "checkout-web"},
		{text: "where are the docs", intent: intentDocs, refused: refusedNoTarget},
		// on-call
		{text: "who's on call for payments-api?", intent: intentOnCall, subjects: "payments-api"},
		{text: "who is on-call for auth-service right now", intent: intentOnCall, subjects: "auth-service"},
		{text: "oncall for search", intent: intentOnCall, subjects: "search"},
		{text: "who do I page for the ledger?", intent: intentOnCall, subjects: "ledger"},
		{text: "pagerduty for billing?", intent: intentOnCall, subjects: "billing"},
		{text: "who is oncal for notifications", intent: intentOnCall, subjects: "notifications"},
		{text: "escalation contact for fraud-detection", intent: intentOnCall, subjects: "fraud-detection"},
		{text: "who is on call", intent: intentOnCall, refused: refusedNoTarget},
		// search
		{text: "search for refunds", intent: intentSearch, search: "refunds"},
		{text: "find services about autocomplete", intent: intentSearch, search: "autocomplete"},
		{text: "is there a service that sends invoices?", intent: intentSearch, search: "sends invoices"},
		{text: "look up ledger", intent: intentSearch, search: "ledger"},
		{text: "anything about fraud?", intent: intentSearch, search: "fraud"},
		{text: "can you find something for push notifications", intent: intentSearch, search: "push notifications"},
		{text: "serach for payouts", intent: intentSearch, search: "payouts"},
		// help, and what it refuses
		{text: "help", intent: intentHelp},
		{text: "<@U0CALLBOARD> hi!", intent: intentHelp},
		{text: "what can you do?", intent: intentHelp},
		{text: "thanks!", intent: intentHelp},
		{text: "<@U0CALLBOARD>", intent: intentHelp, refused: refusedEmpty},
		{text: "deploy payments-api to prod", intent: intentHelp, refused: refusedAction},
		{text: "please restart the search service", intent: intentHelp, refused: refusedAction},
		{text: "can you merge my PR?", intent: intentHelp, refused: refusedAction},
		{text: "rollback ledger", intent: intentHelp, refused: refusedAction},
		{text: "what's the weather in Lisbon?", intent: intentHelp, refused: refusedUnknown},
		{text: "tell me a joke", intent: intentHelp, refused: refusedUnknown},
		{text: "how do I get promoted?", intent: intentHelp, refused: refusedUnknown},
		{text: "<!here> lunch is on the 3rd floor today", intent: intentHelp, refused: refusedUnknown},
		{text: "who owns?", intent: intentOwner, refused: refusedNoTarget},
		{text: "find", intent: intentHelp, refused: refusedUnknown},
	}
	if len(tests) < 60 {
		t.Fatalf("%d questions; the table keeps at least 60", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			q := understand(tt.text, ix)
			var got []string
			for _, s := range q.subjects {
				switch {
				case s.unknown:
					got = append(got, "?"+s.typed)
				case s.guess:
					got = append(got, "~"+s.name)
				default:
					got = append(got, s.name)
				}
			}
			if q.intent != tt.intent || strings.Join(got, ",") != tt.subjects || q.search != tt.search || q.refused != tt.refused {
				t.Errorf("understood %s about %q, search %q, refused %q; want %s about %q, search %q, refused %q",
					q.intent, strings.Join(got, ","), q.search, q.refused, tt.intent, tt.subjects, tt.search, tt.refused)
			}
		})
	}
}

// TestUnderstandSuggests: words close to several names are not guessed;
// they are offered.
func TestUnderstandSuggests(t *testing.T) {
	ix := newNameIndex([]catalog.NameEntry{{Name: "search-api", Ref: "api:default/search-api"},
		{Name: "search-app", Ref: "component:default/search-app"}, {Name: "payments", Ref: "group:default/payments"}})
	q := understand("who owns search-apx", ix)
	if len(q.subjects) != 1 || !q.subjects[0].unknown || strings.Join(q.subjects[0].suggestions, ",") != "search-api,search-app" {
		t.Errorf("subjects %+v, want one unknown with search-api and search-app offered", q.subjects)
	}
	q = understand("who owns pay", ix)
	if len(q.subjects) != 1 || q.subjects[0].guess {
		t.Errorf("subjects %+v: three letters are not guessed", q.subjects)
	}
}

func TestOSA(t *testing.T) {
	for _, tt := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"payments", "payments", 2, 0},
		{"paymnets", "payments", 2, 1},
		{"paymnts", "payments", 2, 1},
		{"leger", "ledger", 2, 1},
		{"", "abc", 5, 3},
		{"abc", "", 5, 3},
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 1, 2},
		{"ca", "abc", 5, 3},
	} {
		if got := osa(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("osa(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}
