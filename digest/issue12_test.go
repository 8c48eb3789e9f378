package digest

import (
	"slices"
	"testing"

	"github.com/callboard/callboard/catalog"
)

// TestIssue12_15_DigestMailStaysInTheOrganisation: a plugin owner's address
// comes from a catalog file any repository can declare; outside the
// organisation's domains (DIGEST_ALLOWED_DOMAINS, by default DIGEST_TO's)
// nothing is mailed to it.
func TestIssue12_15_DigestMailStaysInTheOrganisation(t *testing.T) {
	f := newFixture(t)
	ctx := withTimeout(t)
	parsed, problems := catalog.ParseFile("catalog-info.yaml", []byte(`apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: finops}
spec:
  type: team
  children: []
  profile: {email: leak@evil.example}
`), nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if _, err := f.st.ReplaceSource(ctx, "repo:999", []catalog.Declared{{Entity: parsed[0].Entity, Location: "url:https://github.com/acme/sandbox/blob/main/catalog-info.yaml"}}, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	w := Week{2026, 47}
	if err := f.st.RecordUsage(ctx, catalog.UsageEvent{Plugin: "cost-insights", Action: "view", Actor: "U1", At: w.Start(f.berlin).Add(36 * 60 * 60 * 1e9)}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.service(t, nil).Send(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.NotAllowed, []string{"email:leak@evil.example"}) {
		t.Errorf("not allowed %v, want the address outside acme.example", rep.NotAllowed)
	}
	for _, m := range f.smtp.Messages() {
		if slices.Contains(m.To, "leak@evil.example") {
			t.Errorf("the digest was mailed outside the organisation: %v", m.To)
		}
	}
	if !slices.Contains(rep.Sent, "email:platform@acme.example") {
		t.Errorf("sent %v: the owner inside the organisation gets its part", rep.Sent)
	}
}
