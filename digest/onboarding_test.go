package digest

import (
	"strings"
	"testing"
	"time"
)

// TestOnboardingSection: the week's proposals, merges and closes, the
// coverage they brought, and per team the repositories still waiting.
func TestOnboardingSection(t *testing.T) {
	d := Build(sampleInput(t))
	d.URL = "https://callboard.example.com/digest?week=2026-W47"
	d.Onboarding = &OnboardingReport{Proposed: 14, Merged: 6, ClosedUnmerged: 1,
		MergeTimes: []time.Duration{3 * time.Hour, 26 * time.Hour, 50 * time.Minute, 4 * 24 * time.Hour, 9 * time.Hour, 30 * time.Hour},
		Waiting: []TeamProposals{
			{Team: "payments", Repos: []ProposalLink{{"acme/legacy-billing", "https://github.com/acme/legacy-billing/pull/4"}, {"acme/ledger-tools", "https://github.com/acme/ledger-tools/pull/1"}}},
			{Team: "search", Repos: []ProposalLink{{"acme/query-lab", "https://github.com/acme/query-lab/pull/7"}}},
		},
		NeedsOwner:   []ProposalLink{{Repo: "acme/scratch"}, {Repo: "acme/hackday-2025"}},
		WouldPropose: 3,
	}
	text := Text(d)
	i := strings.Index(text, "ONBOARDING PULL REQUESTS")
	if i < 0 {
		t.Fatalf("no onboarding section:\n%s", text)
	}
	section := text[i:]
	if j := strings.Index(section, "\n\nRead it in a browser"); j > 0 {
		section = section[:j]
	}
	checkGolden(t, "onboarding.txt", []byte(section+"\n"))
	for _, want := range []string{"median time to merge: 17.5 h", "acme/ledger-tools https://github.com/acme/ledger-tools/pull/1", "acme/scratch"} {
		if !strings.Contains(section, want) {
			t.Errorf("the section does not say %q:\n%s", want, section)
		}
	}
	html, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, html)
	for _, want := range []string{"Onboarding pull requests", `<a href="https://github.com/acme/query-lab/pull/7" style="color:#0969da;">acme/query-lab</a>`, "acme/hackday-2025"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML does not say %q", want)
		}
	}
	blocks, fallback := Slack(d)
	raw := slackJSON(t, blocks, fallback)
	checkBlockKit(t, raw)
	if !strings.Contains(string(raw), "*Onboarding pull requests*") || !strings.Contains(string(raw), "Waiting on payments") {
		t.Errorf("no onboarding section in Slack:\n%s", raw)
	}
	if strings.Contains(Text(d.ForOwner("platform@acme.example")), "ONBOARDING") {
		t.Error("an owner's digest has the organisation's onboarding section")
	}
}
