package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/callboard/callboard/onboarding"
)

func TestOnboardingConfigMistakes(t *testing.T) {
	env := map[string]string{
		"CALLBOARD_DB":           filepath.Join(t.TempDir(), "c.db"),
		"ONBOARDING":             "yes",
		"ONBOARDING_PER_HOUR":    "0",
		"ONBOARDING_ACTIVE_DAYS": "half a year",
		"ONBOARDING_EXCLUDE":     "acme/ok-*, legacy",
	}
	code, _, errOut := runCLI(t, env, "serve")
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, errOut)
	}
	for _, want := range []string{
		"configuration has 4 problems",
		`ONBOARDING "yes": want off, dry-run or on`,
		`ONBOARDING_PER_HOUR "0": want a whole number from 1 to 1000`,
		`ONBOARDING_ACTIVE_DAYS "half a year"`,
		`ONBOARDING_EXCLUDE "legacy" is not an org/repo pattern`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestOnboardCommandNeedsTheApp(t *testing.T) {
	code, _, errOut := runCLI(t, map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "c.db")}, "onboard", "--dry-run")
	if code == 0 || !strings.Contains(errOut, "onboard needs GITHUB_APP_ID and GITHUB_PRIVATE_KEY") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestOnboardingSources: the web view's, Slack's and the digest's views of
// the proposals kept.
func TestOnboardingSources(t *testing.T) {
	ctx := context.Background()
	db, _ := testcatalog.OpenDB(t)
	st := onboarding.NewStore(db, nil)
	for _, r := range []*onboarding.Record{
		{Repo: "acme/a", State: onboarding.StateOpen, Owner: "group:default/payments", Number: 1, URL: "https://github.com/acme/a/pull/1", Title: "Add catalog-info.yaml (owned by payments)"},
		{Repo: "acme/b", State: onboarding.StateOpen, Owner: "group:default/search", Number: 2, URL: "https://github.com/acme/b/pull/2"},
		{Repo: "acme/c", State: onboarding.StateClosed, Owner: "group:default/payments", Number: 3},
		{Repo: "acme/d", State: onboarding.StateNeedsOwner},
	} {
		if err := st.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := onboardingProposals{st}.OpenProposals(ctx, catalog.MustParseRef("group:payments"))
	if err != nil || len(ps) != 1 || ps[0].Repository != "acme/a" || ps[0].URL != "https://github.com/acme/a/pull/1" {
		t.Errorf("web: %+v %v", ps, err)
	}
	counts, err := botProposals{st}.OpenProposalCounts(ctx)
	if err != nil || len(counts) != 2 || counts["group:default/payments"] != 1 {
		t.Errorf("slack: %+v %v", counts, err)
	}
	team, err := botProposals{st}.OpenProposals(ctx, catalog.MustParseRef("group:search"))
	if err != nil || len(team) != 1 || team[0].Repository != "acme/b" {
		t.Errorf("slack: %+v %v", team, err)
	}
	rep, err := digestProposals{st}.OnboardingBetween(ctx, time.Now().AddDate(0, 0, -7), time.Now().AddDate(0, 0, 7))
	if err != nil || len(rep.Waiting) != 2 || rep.Waiting[0].Team != "payments" || len(rep.NeedsOwner) != 1 {
		t.Errorf("digest: %+v %v", rep, err)
	}
}
