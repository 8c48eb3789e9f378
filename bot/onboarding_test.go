package bot

import (
	"context"

	"github.com/callboard/callboard/catalog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// ownedProposal is an open proposal and the team it is proposed to.
type ownedProposal struct {
	owner string
	Proposal
}

// fakeProposals is the onboarding store as the bot sees it.
type fakeProposals struct{ ps []ownedProposal }

func (f fakeProposals) OpenProposals(_ context.Context, team catalog.Ref) ([]Proposal, error) {
	var out []Proposal
	for _, p := range f.ps {
		if p.owner == team.String() {
			out = append(out, p.Proposal)
		}
	}
	return out, nil
}

func (f fakeProposals) OpenProposalCounts(context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, p := range f.ps {
		out[p.owner]++
	}
	return out, nil
}

func TestCatalogOnboarding(t *testing.T) {
	opened := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	ps := fakeProposals{[]ownedProposal{
		{"group:default/payments", Proposal{Repository: "acme/legacy-billing", Title: "Add catalog-info.yaml (owned by payments)", URL: "https://github.com/acme/legacy-billing/pull/3", Opened: opened}},
		{"group:default/payments", Proposal{Repository: "acme/ledger-tools", Title: "Add catalog-info.yaml (owned by payments)", URL: "https://github.com/acme/ledger-tools/pull/1", Opened: opened}},
		{"group:default/search", Proposal{Repository: "acme/query-lab", Title: "Add catalog-info.yaml (owned by search)", URL: "https://github.com/acme/query-lab/pull/7", Opened: opened}},
	}}
	b := newTestBot(t, Config{Catalog: demoStore(t), Proposals: ps})
	off := newTestBot(t, Config{Catalog: demoStore(t)})
	tests := []struct {
		golden string
		bot    *Bot
		text   string
		want   []string
	}{
		{"catalog-onboarding-team", b, "onboarding payments", []string{"*Payments* has 2 open pull requests", "https://github.com/acme/legacy-billing/pull/3", "open since 30 Nov"}},
		{"catalog-onboarding-all", b, "onboarding", []string{"3 open pull requests", "payments: 2", "search: 1"}},
		{"catalog-onboarding-none", b, "onboarding platform", []string{"has no open catalog-file pull request"}},
		{"catalog-onboarding-miss", b, "onboarding paymnts", []string{"Did you mean"}},
		{"catalog-onboarding-off", off, "onboarding payments", []string{"Onboarding pull requests are off here"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			w := run(t, tt.bot, "/catalog", tt.text)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d (%q)", w.Code, w.Body.String())
			}
			got := pretty(t, w.Body.Bytes())
			checkBlockKit(t, got)
			for _, s := range tt.want {
				if !strings.Contains(string(got), jsonText(s)) {
					t.Errorf("reply does not say %q:\n%s", s, got)
				}
			}
			checkGolden(t, tt.golden, got)
		})
	}
}
