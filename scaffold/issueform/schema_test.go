package issueform

import (
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
)

const schemaTemplate = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: schemas}
spec:
  owner: group:platform
  type: service
  steps: []
  parameters:
    - properties:
        name: {title: Name, type: string, pattern: '^[a-z][a-z0-9-]*$', minLength: 3, maxLength: 10}
        tier: {title: Tier, type: integer, minimum: 1, maximum: 3}
        replicas: {title: Replicas, type: number, exclusiveMinimum: 0, multipleOf: 2}
        contact: {title: Contact, type: string, format: email}
        regions: {title: Regions, type: array, uniqueItems: true, maxItems: 3, items: {type: string, pattern: '^[a-z]+-[a-z]+-[0-9]$'}}
        labels: {title: Labels, type: object, required: [team], properties: {tier: {type: number}}}
        lookahead: {title: Lookahead, type: string, pattern: '^(?!admin).*$'}
        secretRef: {title: Secret ref, type: string, $ref: 'file:///etc/passwd'}
`

func schemaForm(t *testing.T) *RequestForm {
	t.Helper()
	ps, probs := catalog.ParseFile("template.yaml", []byte(schemaTemplate), nil)
	if len(probs) > 0 || len(ps) != 1 {
		t.Fatalf("%d entities, problems %v", len(ps), probs)
	}
	pages, err := ParsePages(ps[0].Entity.Spec["parameters"])
	if err != nil {
		t.Fatal(err)
	}
	return FormFor(&Template{Ref: ps[0].Entity.Ref(), Title: "Schemas", Pages: pages}, formOpts)
}

// TestAnswersCheckedAgainstTheSchema: each answer is checked against its
// parameter's JSON Schema, every draft-07 keyword, and the refusal names the
// field people filled in, in words they can act on.
func TestAnswersCheckedAgainstTheSchema(t *testing.T) {
	rf := schemaForm(t)
	valid := map[string]any{
		"owner": "platform", "name": "ledger", "tier": "2", "replicas": "4", "contact": "team@example.com",
		"regions": "eu-west-1\nus-east-1", "labels": "team: payments\ntier: 1", "lookahead": "anything", "secretRef": "x",
	}
	if _, problems := rf.Read(ParseIssue(renderBody(rf.Form, valid), rf.Fields)); len(problems) > 0 {
		t.Fatalf("valid answers refused: %v", problems)
	}
	cases := []struct{ field, answer, want string }{
		{"name", "Ledger", "**Name**: `Ledger` does not match the pattern `^[a-z][a-z0-9-]*$`."},
		{"name", "ab", "**Name**: is 2 characters long; the least is 3."},
		{"name", "ledger-service-api", "**Name**: is 18 characters long; the most is 10."},
		{"tier", "0", "**Tier**: must be at least 1."},
		{"tier", "4", "**Tier**: must be at most 3."},
		{"replicas", "0", "**Replicas**: must be more than 0."},
		{"replicas", "3", "**Replicas**: must be a multiple of 2."},
		{"contact", "not an address", "**Contact**: `not an address` is not a valid email."},
		{"regions", "eu-west-1\neu-west-1", "**Regions**: lists `eu-west-1` twice."},
		{"regions", "eu-west-1\nmars", "**Regions**: item 2: `mars` does not match the pattern `^[a-z]+-[a-z]+-[0-9]$`."},
		{"regions", "a-b-1\nc-d-2\ne-f-3\ng-h-4", "**Regions**: lists 4; the most is 3."},
		{"labels", "tier: 1", "**Labels**: lacks `team`."},
		{"labels", "team: x\ntier: high", "**Labels**: `tier`: is string; it must be number."},
	}
	for _, tc := range cases {
		t.Run(tc.field+" "+tc.answer, func(t *testing.T) {
			answers := map[string]any{}
			for k, v := range valid {
				answers[k] = v
			}
			answers[tc.field] = tc.answer
			_, problems := rf.Read(ParseIssue(renderBody(rf.Form, answers), rf.Fields))
			var got []string
			for _, p := range problems {
				got = append(got, "**"+p.Field+"**: "+p.Message)
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestSchemaLoadsNothing: a template's $ref reads no file of callboard's
// machine and no URL; a pattern Go cannot read (a lookahead) checks
// nothing, as before.
func TestSchemaLoadsNothing(t *testing.T) {
	rf := schemaForm(t)
	for _, p := range rf.Template.Params() {
		switch p.Name {
		case "secretRef":
			if schemaFor(p) != nil {
				t.Errorf("a schema with a file $ref compiled")
			}
		case "lookahead":
			if msg := checkSchema(p, "admin-tool"); msg != "" {
				t.Errorf("a pattern Go cannot read refused an answer: %s", msg)
			}
			if msg := checkSchema(p, strings.Repeat("x", 3)); msg != "" {
				t.Errorf("refused: %s", msg)
			}
		}
	}
}
