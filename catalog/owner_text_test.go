package catalog_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/golden"
)

// TestOwnerText pins the owner answer as callboard owner prints it: the
// demo organisation's answers, and answers built by hand for what the demo
// does not hold (archived repositories, owners the catalog lacks, long lists).
func TestOwnerText(t *testing.T) {
	st := demoStore(t)
	var got strings.Builder
	for _, q := range []string{
		"payments-api", "legacy-billing", "@acme/search", "search", "@erin", "group:payments",
		"https://github.com/acme/legacy-billing/blob/master/reports/q3.py",
		"github.com/acme/legacy-billing/tree/master/db", "payments-rest", "paymnets",
	} {
		a, err := catalog.FindOwner(context.Background(), st, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got.WriteString("$ callboard owner " + q + "\n" + a.Text() + "\n")
	}
	archived := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	repo := &catalog.Repository{FullName: "acme/old-payments"}
	svc := &catalog.Entity{Kind: "Component", Metadata: catalog.Metadata{Name: "ledger", Namespace: "default"}}
	for _, tt := range []struct {
		name string
		a    catalog.OwnerAnswer
	}{
		{"a miss with nothing close", catalog.OwnerAnswer{Query: "zzz"}},
		{"archived, no owner", catalog.OwnerAnswer{Query: "old-payments", Repository: repo, Archived: true}},
		{"no owner", catalog.OwnerAnswer{Query: "old-payments", Repository: repo}},
		{"archived, from the archive", catalog.OwnerAnswer{Query: "old-payments", Repository: repo, Archived: true, ArchivedAt: archived,
			Source: catalog.FromArchive, SourceURL: "https://github.com/acme/old-payments",
			Owners: []catalog.Owner{{Ref: "group:default/payments", DisplayName: "Payments", Known: true}}}},
		{"an owner the catalog lacks, two owners, every contact", catalog.OwnerAnswer{Query: "ledger", Entity: svc, Source: catalog.FromCatalog,
			SourceURL: "https://github.com/acme/ledger/blob/main/catalog-info.yaml", RepoURL: "https://github.com/acme/ledger",
			Docs: []catalog.Link{{Title: "Runbook", URL: "https://wiki.example/ledger"}, {URL: "https://docs.example/ledger"}, {Title: "Notes"}},
			Owners: []catalog.Owner{
				{Ref: "group:default/paymnts", DisplayName: "paymnts", Suggestions: []string{"payments", "platform"}},
				{Ref: "group:default/ops", DisplayName: "Ops", Known: true, SlackChannel: "#ops", SlackChannelID: "C0123ABCD",
					Email: "ops@acme.example", GitHubTeam: "acme/ops", MoreMembers: 3,
					Members: []catalog.Member{{DisplayName: "Ann", Email: "ann@acme.example"}, {DisplayName: "Ben"}},
					OnCall:  []catalog.Link{{Title: "Opsgenie team ops"}}},
			}}},
		{"a team owning more than is listed", catalog.OwnerAnswer{Query: "ops", Team: true, MoreOwned: 7,
			Entity: &catalog.Entity{Kind: "Group", Metadata: catalog.Metadata{Name: "ops", Namespace: "default"}},
			Owners: []catalog.Owner{{Ref: "group:default/ops", DisplayName: "ops", Known: true, SlackChannel: "C0123ABCD", SlackChannelID: "C0123ABCD"}},
			Owned:  []*catalog.Entity{svc}, Source: catalog.FromCatalog, SourceURL: "https://github.com/acme/org/blob/main/org.yaml"}},
	} {
		got.WriteString("# " + tt.name + "\n" + tt.a.Text() + "\n")
	}
	golden.Check(t, filepath.Join("testdata", "owner_text.golden"), []byte(got.String()))
}
