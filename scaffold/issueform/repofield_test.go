package issueform

import (
	"strings"
	"testing"
)

func TestReadRepoField(t *testing.T) {
	tests := []struct {
		in, org, name string
		problem       string // part of the refusal; "" when accepted
	}{
		{in: "payments-ledger", org: "acme", name: "payments-ledger"},
		{in: "  payments-ledger ", org: "acme", name: "payments-ledger"},
		{in: "acme/payments-ledger", org: "acme", name: "payments-ledger"},
		{in: "ACME/payments-ledger", org: "acme", name: "payments-ledger"},
		{in: "https://github.com/acme/payments-ledger", org: "acme", name: "payments-ledger"},
		{in: "https://github.com/acme/payments-ledger.git", org: "acme", name: "payments-ledger"},
		{in: "https://github.com/acme/payments-ledger/", org: "acme", name: "payments-ledger"},
		{in: "github.com/acme/payments-ledger", org: "acme", name: "payments-ledger"},
		{in: "git@github.com:acme/payments-ledger.git", org: "acme", name: "payments-ledger"},
		{in: "ssh://git@github.com/acme/payments-ledger.git", org: "acme", name: "payments-ledger"},
		{in: "github.com?owner=acme&repo=payments-ledger", org: "acme", name: "payments-ledger"},
		{in: "github.com?repo=payments-ledger", org: "acme", name: "payments-ledger"},
		{in: "my.service", org: "acme", name: "my.service"},
		// Another organisation is refused, naming the allowed one.
		{in: "globex/payments-ledger", problem: "this form creates repositories in **acme** only: write `payments-ledger` or `acme/payments-ledger`"},
		{in: "https://github.com/globex/payments-ledger", problem: "would be in `globex`"},
		{in: "github.com?owner=globex&repo=payments-ledger", problem: "in **acme** only"},
		{in: "git@github.com:globex/x.git", problem: "in **acme** only"},
		// Another host, a path, a name GitHub refuses.
		{in: "https://gitlab.com/acme/payments-ledger", problem: "is not on github.com"},
		{in: "https://github.com/acme/payments-ledger/tree/main", problem: "is not a repository"},
		{in: "acme/a/b", problem: "is not a repository"},
		{in: "github.com?owner=acme", problem: "is not a repository"},
		{in: "payments ledger", problem: "`payments ledger` is not a repository name GitHub takes"},
		{in: "..", problem: "is not a repository name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			org, name, problem := readRepoField(tt.in, "github.com", "acme")
			if tt.problem != "" {
				if !strings.Contains(problem, tt.problem) {
					t.Errorf("problem %q, want one saying %q", problem, tt.problem)
				}
				return
			}
			if problem != "" || org != tt.org || name != tt.name {
				t.Errorf("got %q %q (problem %q), want %q %q", org, name, problem, tt.org, tt.name)
			}
		})
	}
	// A form without an organisation keeps the answer's.
	if org, name, problem := readRepoField("globex/x", "github.com", ""); org != "globex" || name != "x" || problem != "" {
		t.Errorf("no organisation set: %q %q %q", org, name, problem)
	}
}
