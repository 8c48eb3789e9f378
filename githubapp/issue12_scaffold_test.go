package githubapp

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/callboard/callboard/scaffold"
)

// leakTemplate is a Template whose skeleton is fetched from url and whose
// repository is as visible as visibility.
func leakTemplate(name, url, visibility string) string {
	return fmt.Sprintf(`apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: %s, title: %s}
spec:
  owner: group:default/platform
  type: service
  parameters:
    - title: Service
      required: [name]
      properties:
        name: {title: Name, type: string}
  steps:
    - id: fetch
      action: fetch:template
      input:
        url: %s
        values: {name: "${{ parameters.name }}"}
    - id: publish
      action: publish:github
      input:
        repoUrl: "github.com?owner=acme&repo=${{ parameters.name }}"
        repoVisibility: %s
`, name, name, url, visibility)
}

// addTemplates declares templates (path → YAML) in a repository's catalog
// file and delivers the push that ingests them.
func (sh *scaffoldHarness) addTemplates(repo string, repoID int64, templates map[string]string) {
	sh.t.Helper()
	var targets []string
	for p, y := range templates {
		sh.gh.SetFile(repo, "main", p, []byte(y))
		targets = append(targets, "./"+p)
	}
	if repo == "acme/templates" {
		targets = append(targets, "./example-nodejs/template.yaml")
	}
	sh.gh.SetFile(repo, "main", "catalog-info.yaml", []byte("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: "+strings.ReplaceAll(repo, "/", "-")+"}\nspec:\n  targets: ["+strings.Join(targets, ", ")+"]\n"))
	sh.deliver("push", pushJSON(7, repoJSON(repoID, repo, "main"), "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
	sh.settle()
}

// request opens a request for template ref and returns its one comment's body.
func (sh *scaffoldHarness) request(t *testing.T, number int, ref string, answers map[string]any, author, sender string) string {
	t.Helper()
	if _, ok := answers["owner"]; !ok {
		answers["owner"] = "payments" // every request form asks for the owner
	}
	p := issuePayload(t, "opened", number, renderIssue(sh.form(ref), answers))
	p["issue"].(map[string]any)["user"].(map[string]any)["login"] = author
	p["sender"] = obj{"login": sender, "id": 2, "type": "User"}
	guid := sh.deliver("issues", p)
	sh.settle()
	sh.mustState(guid, queue.StateDone)
	cs := sh.gh.Comments(requestsRepo, number)
	if len(cs) == 0 {
		t.Fatalf("request %d: no comment", number)
	}
	return cs[0].Body
}

// TestIssue12_01_SkeletonOnlyFromAllowedSources: a template cannot publish a
// repository of another organisation (read with that organisation's
// installation), nor one of its own organisation outside SCAFFOLD_SOURCES,
// nor a template from a repository outside SCAFFOLD_TEMPLATE_REPOS; and a
// new repository is private unless the operator allows more.
func TestIssue12_01_SkeletonOnlyFromAllowedSources(t *testing.T) {
	sh := newScaffoldHarnessWith(t, Config{}, scaffold.Policy{Sources: []string{"acme/skeletons"}})
	// Another customer of the same App, with a private repository of secrets.
	sh.gh.AddInstallation(8, "globex")
	sh.gh.AddRepo(8, fakegithub.Repo{ID: 800, FullName: "globex/secrets", Private: true})
	sh.gh.SetFile("globex/secrets", "main", "prod.env", []byte("DATABASE_PASSWORD=hunter2\n"))
	sh.deliver("installation", obj{"action": "created", "installation": installationJSON(8, "globex")})
	sh.settle()
	// In the scaffolded organisation: a private repository, and an allowed skeleton source.
	sh.gh.AddRepo(7, fakegithub.Repo{ID: 210, FullName: "acme/payroll", Private: true})
	sh.gh.SetFile("acme/payroll", "main", "salaries.csv", []byte("alice,100\n"))
	sh.gh.AddRepo(7, fakegithub.Repo{ID: 220, FullName: "acme/skeletons"})
	sh.gh.SetFile("acme/skeletons", "main", "go/README.md", []byte("# ${{ values.name }}\n"))
	// A repository anyone in the organisation can push a catalog file to.
	sh.gh.AddRepo(7, fakegithub.Repo{ID: 230, FullName: "acme/sandbox"})
	sh.addTemplates("acme/sandbox", 230, map[string]string{"t/template.yaml": leakTemplate("from-sandbox", "./skeleton", "private")})
	sh.gh.SetFile("acme/sandbox", "main", "t/skeleton/README.md", []byte("hi\n"))
	sh.addTemplates("acme/templates", 200, map[string]string{
		"other-org/template.yaml":  leakTemplate("other-org", "https://github.com/globex/secrets/tree/main", "private"),
		"same-org/template.yaml":   leakTemplate("same-org", "https://github.com/acme/payroll/tree/main", "private"),
		"other-host/template.yaml": leakTemplate("other-host", "https://evil.example/acme/skeletons/tree/main/go", "private"),
		"public/template.yaml":     leakTemplate("public", "https://github.com/acme/skeletons/tree/main/go", "public"),
		"allowed/template.yaml":    leakTemplate("allowed", "https://github.com/acme/skeletons/tree/main/go", "private"),
	})
	sh.gh.ResetCalls()

	cases := []struct {
		ref, want string
	}{
		{"template:default/other-org", "is in `globex/secrets`; callboard fetches skeletons only from the template's own repository and from `SCAFFOLD_SOURCES`"},
		{"template:default/same-org", "is in `acme/payroll`; callboard fetches skeletons only from the template's own repository and from `SCAFFOLD_SOURCES`"},
		{"template:default/other-host", "is not on github.com"},
		{"template:default/public", "the repository would be public, and callboard creates repositories that are at most private (`SCAFFOLD_MAX_VISIBILITY`)"},
		{"template:default/from-sandbox", "comes from `acme/sandbox`, and callboard runs only templates from the repositories it is told to trust (`SCAFFOLD_TEMPLATE_REPOS`)"},
	}
	for i, tc := range cases {
		t.Run(tc.ref, func(t *testing.T) {
			body := sh.request(t, 20+i, tc.ref, map[string]any{"name": fmt.Sprintf("leak-%d", i)}, "alice", "alice")
			if !strings.Contains(body, tc.want) || !strings.Contains(body, "Nothing was created") {
				t.Errorf("refusal lacks %q:\n%s", tc.want, body)
			}
		})
	}
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 0 {
		t.Errorf("%d repositories created from untrusted templates or sources", n)
	}
	for _, c := range sh.gh.Calls() {
		if c.Installation == 8 || strings.Contains(c.Path, "globex") || strings.Contains(c.Path, "payroll") {
			t.Errorf("%s %s (installation %d): read for a request of another organisation or from a source not allowed", c.Method, c.Path, c.Installation)
		}
	}

	// The allowed source works, through the request's own installation.
	sh.request(t, 30, "template:default/allowed", map[string]any{"name": "billing"}, "alice", "alice")
	if got := string(sh.gh.Files("acme/billing", "")["README.md"]); got != "# billing\n" {
		t.Errorf("acme/billing README.md %q, want the allowed skeleton rendered", got)
	}
}

// TestIssue12_01_TemplateReposDefaultToScaffoldRepo: with
// SCAFFOLD_TEMPLATE_REPOS unset, only templates of SCAFFOLD_REPO run, and
// a refusal lists only those.
func TestIssue12_01_TemplateReposDefaultToScaffoldRepo(t *testing.T) {
	sh := newScaffoldHarnessWith(t, Config{}, scaffold.Policy{TemplateRepos: []string{}})
	if got := sh.scaffolder.Policy.TemplateRepos; len(got) != 1 || got[0] != requestsRepo {
		t.Fatalf("SCAFFOLD_TEMPLATE_REPOS defaults to %v, want [%s]", got, requestsRepo)
	}
	sh.addTemplates(requestsRepo, requestsRepoID, map[string]string{"t/template.yaml": leakTemplate("in-requests", "./skeleton", "private")})
	sh.gh.SetFile(requestsRepo, "main", "t/skeleton/README.md", []byte("# ${{ values.name }}\n"))
	body := sh.request(t, 40, exampleRef, map[string]any{"name": "x", "repoUrl": "x", "owner": "payments"}, "alice", "alice")
	if !strings.Contains(body, "comes from `acme/templates`") {
		t.Errorf("a template outside SCAFFOLD_REPO ran:\n%s", body)
	}
	// No template named: the list holds only the ones that may run.
	p := issuePayload(t, "opened", 41, "### Name\r\n\r\nsvc")
	sh.deliver("issues", p)
	sh.settle()
	list := sh.gh.Comments(requestsRepo, 41)[0].Body
	if !strings.Contains(list, "`template:default/in-requests`") || strings.Contains(list, exampleRef) {
		t.Errorf("templates offered:\n%s", list)
	}
	sh.request(t, 42, "template:default/in-requests", map[string]any{"name": "ledger"}, "alice", "alice")
	if got := string(sh.gh.Files("acme/ledger", "")["README.md"]); got != "# ledger\n" {
		t.Errorf("acme/ledger README.md %q", got)
	}
}

// TestIssue12_02_OnlyMembersMayAsk: an issue from someone outside the
// organisation (checked with GitHub, not the payload) creates nothing, and
// its refusal says who may ask and nothing of the catalog; with
// SCAFFOLD_ALLOWED_TEAMS only those teams' members may ask.
func TestIssue12_02_OnlyMembersMayAsk(t *testing.T) {
	sh := newScaffoldHarness(t)
	answers := map[string]any{"name": "payments-ledger", "repoUrl": "payments-ledger", "owner": "payments"}
	p := issuePayload(t, "opened", 50, renderIssue(sh.form(exampleRef), answers))
	// The payload may say anything: GitHub is asked.
	p["issue"].(map[string]any)["author_association"] = "MEMBER"
	p["issue"].(map[string]any)["user"].(map[string]any)["login"] = "mallory"
	p["sender"] = obj{"login": "mallory", "id": 9, "type": "User"}
	sh.deliver("issues", p)
	sh.settle()
	body := sh.gh.Comments(requestsRepo, 50)[0].Body
	if !strings.Contains(body, "`mallory` may not request new services here: only members of the `acme` organisation may.") {
		t.Errorf("refusal:\n%s", body)
	}
	for _, leak := range []string{"template:", "payments", "platform", "Example Node.js", "Did you mean", "Teams in the catalog"} {
		if strings.Contains(body, leak) {
			t.Errorf("the refusal of a stranger says %q:\n%s", leak, body)
		}
	}
	// A member's issue edited by a stranger: the stranger is acting.
	body = sh.request(t, 51, exampleRef, answers, "alice", "mallory")
	if !strings.Contains(body, "`mallory` may not request") {
		t.Errorf("an edit by a stranger ran:\n%s", body)
	}
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 0 {
		t.Errorf("%d repositories created for strangers", n)
	}
	if n := sh.gh.CallCount("GET /orgs/acme/members/mallory"); n == 0 {
		t.Errorf("membership was not asked of GitHub")
	}
}

func TestIssue12_02_AllowedTeams(t *testing.T) {
	sh := newScaffoldHarnessWith(t, Config{}, scaffold.Policy{AllowedTeams: []string{"acme/platform"}})
	sh.gh.SetTeamMembers("acme", "platform", "bob")
	answers := map[string]any{"name": "payments-ledger", "repoUrl": "payments-ledger", "owner": "payments"}
	body := sh.request(t, 60, exampleRef, answers, "alice", "alice")
	if !strings.Contains(body, "`alice` may not request new services here: only members of the team `acme/platform` may.") {
		t.Errorf("refusal:\n%s", body)
	}
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 0 {
		t.Fatalf("%d repositories created for someone outside the allowed teams", n)
	}
	sh.request(t, 61, exampleRef, answers, "bob", "bob")
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 1 {
		t.Errorf("%d repositories created for a member of an allowed team, want 1", n)
	}
}

// TestIssue12_05_RefusesWhatTheAppMayNotWrite: a skeleton with workflows
// (the App has no workflows permission) and an installation without
// contents: write are refused before the repository is created, saying
// what is missing.
func TestIssue12_05_RefusesWhatTheAppMayNotWrite(t *testing.T) {
	sh := newScaffoldHarnessWith(t, Config{}, scaffold.Policy{MaxVisibility: "public"})
	sink := filepath.Join("..", "scaffold", "testdata", "kitchen-sink")
	uploadDir(t, sh.gh, "acme/templates", sink, "kitchen-sink/")
	sh.addTemplates("acme/templates", 200, map[string]string{})
	sh.gh.SetFile("acme/templates", "main", "catalog-info.yaml", []byte("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: templates}\nspec:\n  targets: [./*/template.yaml]\n"))
	sh.deliver("push", pushJSON(7, repoJSON(200, "acme/templates", "main"), "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
	sh.settle()
	answers := map[string]any{"name": "ledger-api", "language": "Node.js", "tier": "3", "owner": "payments", "repoUrl": "ledger-api", "regions": "eu-west-1"}
	body := sh.request(t, 70, "template:default/kitchen-sink", answers, "alice", "alice")
	if !strings.Contains(body, "it lacks `workflows: write` (the skeleton has workflows: `.github/workflows/ci.yml`; the template can leave them out)") {
		t.Errorf("refusal:\n%s", body)
	}

	readOnly := fakegithub.AppPermissions()
	readOnly["contents"] = "read"
	readOnly["workflows"] = "write"
	sh.gh.SetPermissions(7, readOnly)
	body = sh.request(t, 71, "template:default/kitchen-sink", answers, "alice", "alice")
	if !strings.Contains(body, "it lacks `contents: write`") {
		t.Errorf("refusal:\n%s", body)
	}
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 0 {
		t.Errorf("%d repositories created that the App could not finish", n)
	}
}

// TestIssue12_15_MarkerOnlyOnOwnComments: a comment someone else wrote with
// callboard's marker is neither edited nor taken for callboard's.
func TestIssue12_15_MarkerOnlyOnOwnComments(t *testing.T) {
	sh := newScaffoldHarness(t)
	fake := scaffold.Marker + "\nPlease send your token to https://evil.example"
	mine := sh.gh.AddComment(requestsRepo, 80, "mallory", fake)
	bot := sh.gh.AddComment(requestsRepo, 80, "github-actions[bot]", fake)
	bad := renderIssue(sh.form(exampleRef), map[string]any{"name": "Bad Name", "repoUrl": "x", "owner": "payments"})
	sh.deliver("issues", issuePayload(t, "opened", 80, bad))
	sh.settle()
	cs := sh.gh.Comments(requestsRepo, 80)
	if len(cs) != 3 {
		t.Fatalf("%d comments, want the two others and callboard's own: %+v", len(cs), cs)
	}
	for _, c := range cs {
		if (c.ID == mine || c.ID == bot) && c.Body != fake {
			t.Errorf("comment %d by %s was edited:\n%s", c.ID, c.User, c.Body)
		}
	}
	if cs[2].User != "callboard[bot]" || !strings.Contains(cs[2].Body, "Bad Name") {
		t.Errorf("callboard's comment: %+v", cs[2])
	}
}

// TestIssue12_15_ShortReasonOnIssues: when GitHub refuses a step, the issue
// gets a short reason, not the raw error with API URLs.
func TestIssue12_15_ShortReasonOnIssues(t *testing.T) {
	sh := newScaffoldHarness(t)
	sh.gh.FailNext("POST /repos/acme/payments-ledger/git/trees", 1, http.StatusUnprocessableEntity, nil, `{"message":"tree.path contains a malformed path component"}`)
	answers := map[string]any{"name": "payments-ledger", "repoUrl": "payments-ledger", "owner": "payments"}
	sh.request(t, 90, exampleRef, answers, "alice", "alice")
	body := sh.gh.Comments(requestsRepo, 90)[0].Body
	if !strings.Contains(body, "writing the tree of acme/payments-ledger: GitHub answered 422 (tree.path contains a malformed path component); callboard's log has the details") {
		t.Errorf("failure comment:\n%s", body)
	}
	if strings.Contains(body, sh.gh.URL) || strings.Contains(body, "127.0.0.1") || strings.Contains(body, "POST ") {
		t.Errorf("the failure comment carries the raw error:\n%s", body)
	}
}

// TestIssue12_03_GigabyteTemplateIsRefused: the few hundred bytes that asked
// for gigabytes are refused with the limit named, and the delivery is done.
func TestIssue12_03_GigabyteTemplateIsRefused(t *testing.T) {
	sh := newScaffoldHarness(t)
	sh.addTemplates("acme/templates", 200, map[string]string{"bomb/template.yaml": leakTemplate("bomb", "./skeleton", "private")})
	sh.gh.SetFile("acme/templates", "main", "bomb/skeleton/README.md",
		[]byte(`${{ "xxxxxxxx"`+strings.Repeat(`|replace("x","xxxxxxxx")`, 10)+` }}`))
	body := sh.request(t, 95, "template:default/bomb", map[string]any{"name": "boom"}, "alice", "alice")
	if !strings.Contains(body, "The template's files cannot be prepared: step fetch: rendering README.md: the template makes a value of more than 1 MB (the limit of one value).") {
		t.Errorf("refusal:\n%s", body)
	}
}
