package catalog_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/callboard/callboard/internal/testcatalog"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
)

func demoStore(t testing.TB) *store.Store { return testcatalog.Demo(t) }

func TestFindOwner(t *testing.T) {
	st := demoStore(t)
	tests := []struct {
		query      string
		subject    string // entity ref or repository the answer is about
		owners     []string
		source     string
		sourceHas  string
		members    []string
		team       bool
		owned      []string
		path       string
		archivedOK bool
	}{
		{query: "payments-api", subject: "component:default/payments-api", owners: []string{"group:default/payments"}, source: catalog.FromCatalog,
			sourceHas: "https://github.com/acme/payments-api/blob/main/catalog-info.yaml", members: []string{"Alice Moreau", "Bob Okafor"}},
		{query: "  `Payments-API` ", subject: "component:default/payments-api", owners: []string{"group:default/payments"}, source: catalog.FromCatalog},
		{query: "component:default/payments-api", subject: "component:default/payments-api", owners: []string{"group:default/payments"}, source: catalog.FromCatalog},
		{query: "api:payments-rest", subject: "api:default/payments-rest", owners: []string{"group:default/payments"}, source: catalog.FromCatalog},
		{query: "acme/search-service", subject: "component:default/search-service", owners: []string{"group:default/search"}, source: catalog.FromCatalog},
		{query: "checkout-web", subject: "component:default/checkout-web", owners: []string{"group:default/web"}, source: catalog.FromCatalog},
		{query: "legacy-billing", subject: "acme/legacy-billing", owners: []string{"group:default/payments"}, source: catalog.FromCodeowners,
			sourceHas: "https://github.com/acme/legacy-billing/blob/master/.github/CODEOWNERS#L2"},
		{query: "https://github.com/acme/legacy-billing/blob/master/reports/q3.py", subject: "acme/legacy-billing", path: "reports/q3.py",
			owners: []string{"group:default/platform", "user:default/erin"}, source: catalog.FromCodeowners, sourceHas: "#L3"},
		{query: "<https://github.com/acme/legacy-billing/blob/master/db/schema.sql|schema.sql>", subject: "acme/legacy-billing", path: "db/schema.sql",
			owners: []string{"group:default/payments", "user:default/bob"}, source: catalog.FromCodeowners, sourceHas: "#L4"},
		{query: "https://github.com/acme/payments-api", subject: "component:default/payments-api", owners: []string{"group:default/payments"}, source: catalog.FromCatalog},
		{query: "search", subject: "group:default/search", owners: []string{"group:default/search"}, source: catalog.FromCatalog, team: true,
			owned: []string{"api:default/search-api", "component:default/search-service"}, members: []string{"Carol Nguyen", "Dave Lindqvist"}},
		// What people paste: CODEOWNERS handles, GitHub URLs without a scheme, clone URLs.
		{query: "@acme/payments", subject: "group:default/payments", owners: []string{"group:default/payments"}, source: catalog.FromCatalog, team: true},
		{query: "acme/search", subject: "group:default/search", owners: []string{"group:default/search"}, source: catalog.FromCatalog, team: true},
		{query: "@erin", subject: "user:default/erin", owners: []string{"user:default/erin"}, source: catalog.FromCatalog, team: true},
		{query: "github.com/acme/payments-api", subject: "component:default/payments-api", owners: []string{"group:default/payments"}, source: catalog.FromCatalog},
		{query: "https://github.com/acme/payments-api.git", subject: "component:default/payments-api", owners: []string{"group:default/payments"}, source: catalog.FromCatalog},
		{query: "git@github.com:acme/search-service.git", subject: "component:default/search-service", owners: []string{"group:default/search"}, source: catalog.FromCatalog},
		{query: "acme/search-service.git", subject: "component:default/search-service", owners: []string{"group:default/search"}, source: catalog.FromCatalog},
		{query: "github.com/acme/legacy-billing/blob/master/reports/q3.py", subject: "acme/legacy-billing", path: "reports/q3.py",
			owners: []string{"group:default/platform", "user:default/erin"}, source: catalog.FromCodeowners, sourceHas: "#L3"},
		{query: "group:payments", subject: "group:default/payments", owners: []string{"group:default/payments"}, source: catalog.FromCatalog, team: true,
			owned: []string{"api:default/payments-rest", "component:default/payments-api", "domain:default/commerce", "resource:default/payments-db", "system:default/checkout"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			a, err := catalog.FindOwner(context.Background(), st, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if !a.Found() {
				t.Fatalf("not found; suggestions %v", a.Suggestions)
			}
			subject := ""
			if a.Entity != nil {
				subject = a.Entity.Ref().String()
			} else {
				subject = a.Repository.FullName
			}
			if subject != tt.subject {
				t.Errorf("subject %s, want %s", subject, tt.subject)
			}
			var owners []string
			for _, o := range a.Owners {
				owners = append(owners, o.Ref)
			}
			if !slices.Equal(owners, tt.owners) {
				t.Errorf("owners %v, want %v", owners, tt.owners)
			}
			if a.Source != tt.source {
				t.Errorf("source %q, want %q", a.Source, tt.source)
			}
			if !strings.Contains(a.SourceURL, tt.sourceHas) {
				t.Errorf("source URL %q does not contain %q", a.SourceURL, tt.sourceHas)
			}
			if a.Path != tt.path {
				t.Errorf("path %q, want %q", a.Path, tt.path)
			}
			if tt.members != nil {
				var got []string
				for _, m := range a.Owners[0].Members {
					got = append(got, m.DisplayName)
				}
				if !slices.Equal(got, tt.members) {
					t.Errorf("members %v, want %v", got, tt.members)
				}
			}
			if a.Team != tt.team {
				t.Errorf("team %v, want %v", a.Team, tt.team)
			}
			if tt.owned != nil {
				var got []string
				for _, e := range a.Owned {
					got = append(got, e.Ref().String())
				}
				if !slices.Equal(got, tt.owned) {
					t.Errorf("owned %v, want %v", got, tt.owned)
				}
			}
		})
	}
}

func TestFindOwnerContactDetails(t *testing.T) {
	st := demoStore(t)
	a, err := catalog.FindOwner(context.Background(), st, "payments-api")
	if err != nil {
		t.Fatal(err)
	}
	o := a.Owners[0]
	if o.SlackChannel != "#team-payments" || o.Email != "payments@acme.example" || o.GitHubTeam != "acme/payments" {
		t.Errorf("contact: slack %q email %q team %q", o.SlackChannel, o.Email, o.GitHubTeam)
	}
	if len(o.OnCall) == 0 || !strings.Contains(o.OnCall[0].URL, "P7PAYMT") {
		t.Errorf("on-call links %v, want the PagerDuty service", o.OnCall)
	}
	if a.RepoURL != "https://github.com/acme/payments-api" {
		t.Errorf("repo URL %q", a.RepoURL)
	}
	var docs []string
	for _, d := range a.Docs {
		docs = append(docs, d.URL)
	}
	if !slices.Contains(docs, "https://github.com/acme/payments-api/tree/HEAD/docs") {
		t.Errorf("docs %v lack the TechDocs folder", docs)
	}
}

func TestFindOwnerMissSuggests(t *testing.T) {
	st := demoStore(t)
	tests := []struct {
		query string
		want  string
	}{
		{"payment-api", "payments-api"},
		{"serch-service", "search-service"},
		{"legacy", "acme/legacy-billing"},
		{"acme/checkout", "checkout"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			a, err := catalog.FindOwner(context.Background(), st, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if a.Found() {
				t.Fatalf("found %v for a query that names nothing", a.Entity.Ref())
			}
			if !slices.Contains(a.Suggestions, tt.want) {
				t.Errorf("suggestions %v lack %q", a.Suggestions, tt.want)
			}
		})
	}
	if _, err := catalog.FindOwner(context.Background(), st, "   "); err != catalog.ErrEmptyQuery {
		t.Errorf("blank query: err %v, want ErrEmptyQuery", err)
	}
}

// TestUnknownOwnerOffersClosestGroups: a catalog file naming an owner the
// catalog does not hold gets an answer that says so and offers the groups
// closest to it, as the pull-request check does.
func TestUnknownOwnerOffersClosestGroups(t *testing.T) {
	st := demoStore(t)
	body := []byte("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ledger}\nspec: {type: service, lifecycle: production, owner: paymnts}\n")
	parsed, problems := catalog.ParseFile("catalog-info.yaml", body, nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if _, err := st.ReplaceSource(context.Background(), "file:ledger", []catalog.Declared{{Entity: parsed[0].Entity, Location: "file:ledger/catalog-info.yaml"}}, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	a, err := catalog.FindOwner(context.Background(), st, "ledger")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Owners) != 1 {
		t.Fatalf("owners %+v, want the one the file names", a.Owners)
	}
	o := a.Owners[0]
	if o.Known || o.Ref != "group:default/paymnts" {
		t.Errorf("owner %s known=%v, want group:default/paymnts, not in the catalog", o.Ref, o.Known)
	}
	if len(o.Suggestions) == 0 || o.Suggestions[0] != "payments" {
		t.Errorf("suggestions %v, want payments first", o.Suggestions)
	}
}

func TestSlackChannelOf(t *testing.T) {
	tests := []struct {
		annotations map[string]string
		name, id    string
	}{
		{map[string]string{"slack.com/channel": "#team-payments"}, "#team-payments", ""},
		{map[string]string{"slack.com/channel": "team-payments"}, "#team-payments", ""},
		{map[string]string{"slack.com/channel": "C024BE91L"}, "", "C024BE91L"},
		{map[string]string{"slack.com/channel": "#team-payments", "slack.com/channel-id": "C024BE91L"}, "#team-payments", "C024BE91L"},
		{map[string]string{"slack.com/channel-name": "payments", "slack.com/channel-id": "not-an-id"}, "#payments", ""},
		{map[string]string{"callboard.dev/slack-channel": " #ops "}, "#ops", ""},
		{map[string]string{}, "", ""},
	}
	for _, tt := range tests {
		e := &catalog.Entity{Metadata: catalog.Metadata{Annotations: tt.annotations}}
		if name, id := catalog.SlackChannelOf(e); name != tt.name || id != tt.id {
			t.Errorf("%v: %q %q, want %q %q", tt.annotations, name, id, tt.name, tt.id)
		}
	}
}
