package scaffold

import (
	"path/filepath"
	"testing"
)

func TestComments(t *testing.T) {
	cases := map[string]string{
		"refused": Refusal{Template: "Example Node.js Template", Ref: "template:default/example-nodejs-template", Problems: []Problem{
			{Field: "Name", Message: "`Payments Ledger` is not a valid catalog name: use 1–63 characters `a-z`, `A-Z`, `0-9`, separated by `-`, `_` or `.` (for example `payments-ledger`)."},
			{Field: "Owner", Message: "`paymnts` is not a team in the catalog. Did you mean `payments`?"},
			{Field: "Repository Location", Message: "`acme/payments-ledger` already exists. Choose another name."},
		}}.Comment(),
		"refused-no-template": Refusal{Problems: []Problem{{Message: "This issue does not say which template to run (its **Template** field is missing)."}},
			Templates: []string{"template:default/docs-template", "template:default/example-nodejs-template"}}.Comment(),
		"running": Progress{Template: "Example Node.js Template", Repository: "acme/payments-ledger", Owner: "group:default/payments",
			Steps: []string{"`fetch-base` (fetch:template)", "`publish` (publish:github)", "`register` (catalog:register)"}}.Comment(),
		"failed": Progress{Repository: "acme/payments-ledger", Step: "`publish` (publish:github)",
			Failed:  "the branch main of acme/payments-ledger has commits callboard did not write; it does not overwrite them",
			Created: "the repository https://github.com/acme/payments-ledger exists, created by this request"}.Comment(),
		"done": Result{Repository: "acme/payments-ledger", RepositoryURL: "https://github.com/acme/payments-ledger",
			Entity: "component:default/payments-ledger", EntityURL: "https://callboard.example/api/catalog/entities/by-name/component/default/payments-ledger",
			Owner: "group:default/payments", TeamAccess: "the team acme/payments has write access", Template: "Example Node.js Template", Author: "alice",
			Links: []Link{{Title: "Runbook", URL: "https://runbooks.example/payments-ledger"}}}.Comment(),
	}
	for name, got := range cases {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata", name+".comment.md.golden"), []byte(got))
		})
	}
}
