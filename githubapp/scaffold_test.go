package githubapp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/callboard/callboard/scaffold"
	"github.com/callboard/callboard/scaffold/issueform"
)

const (
	requestsRepo   = "acme/service-requests"
	requestsRepoID = 300
	exampleRef     = "template:default/example-nodejs-template"
)

var createAppExample = filepath.Join("..", "..", "shared", "testdata", "backstage", "packages", "create-app", "templates", "default-app", "examples", "template")

// seedTemplates puts the Backstage create-app example template (template.yaml
// and its content/ skeleton, unchanged) into a template repository whose
// catalog file points at it, next to the teams and the requests repository.
func seedTemplates(t *testing.T, gh *fakegithub.Server) {
	t.Helper()
	gh.AddInstallation(7, "acme")
	gh.AddTeam("acme", fakegithub.Team{ID: 1, Slug: "payments", Name: "Payments"})
	gh.AddTeam("acme", fakegithub.Team{ID: 2, Slug: "platform", Name: "Platform"})
	gh.AddRepo(7, fakegithub.Repo{ID: 200, FullName: "acme/templates", DefaultBranch: "main"})
	gh.SetFile("acme/templates", "main", "catalog-info.yaml", []byte(`apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: templates}
spec:
  targets: [./example-nodejs/template.yaml]
`))
	err := filepath.WalkDir(createAppExample, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(createAppExample, p)
		gh.SetFile("acme/templates", "main", "example-nodejs/"+filepath.ToSlash(rel), b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gh.AddRepo(7, fakegithub.Repo{ID: requestsRepoID, FullName: requestsRepo, DefaultBranch: "main"})
	gh.AddMember("acme", "alice") // who asks, in issuePayload
}

// scaffoldHarness is a harness with SCAFFOLD_REPO set, the templates
// ingested, and a hook that sees each comment callboard posts.
type scaffoldHarness struct {
	*harness
	mu       sync.Mutex
	onResult func() // called as the result comment is posted
}

func newScaffoldHarness(t *testing.T) *scaffoldHarness {
	t.Helper()
	return newScaffoldHarnessWith(t, Config{}, scaffold.Policy{})
}

func newScaffoldHarnessWith(t *testing.T, cfg Config, policy scaffold.Policy) *scaffoldHarness {
	t.Helper()
	sh := &scaffoldHarness{}
	cfg.ScaffoldRepo = requestsRepo
	if policy.TemplateRepos == nil {
		policy.TemplateRepos = []string{"acme/templates"}
	}
	cfg.Transport = commentHook(func(body string) {
		if strings.HasPrefix(body, scaffold.ResultMarker) {
			sh.mu.Lock()
			f := sh.onResult
			sh.mu.Unlock()
			if f != nil {
				f()
			}
		}
	})
	sh.harness = newHarnessWith(t, cfg, &policy)
	seedTemplates(t, sh.gh)
	guid := sh.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	sh.settle()
	sh.mustState(guid, queue.StateDone)
	if sh.entity(exampleRef) == nil {
		t.Fatalf("%s is not in the catalog after the installation sync", exampleRef)
	}
	return sh
}

// commentHook is a transport that shows the body of each comment created,
// before it is sent.
func commentHook(seen func(body string)) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/comments") && r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			var c struct{ Body string }
			_ = json.Unmarshal(b, &c)
			seen(c.Body)
		}
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// form is the issue form for the example template, as scaffold-form prints it.
func (sh *scaffoldHarness) form(ref string) *issueform.Form {
	sh.t.Helper()
	ctx := context.Background()
	e := sh.entity(ref)
	if e == nil {
		sh.t.Fatalf("%s not in the catalog", ref)
	}
	tmpl, err := scaffold.ParseTemplate(e)
	if err != nil {
		sh.t.Fatal(err)
	}
	owners, err := scaffold.Owners(ctx, sh.st)
	if err != nil {
		sh.t.Fatal(err)
	}
	return scaffold.FormFor(tmpl, issueform.FormOptions{Org: "acme", Owners: owners}).Form
}

// renderIssue renders answers (by field id) as GitHub renders a form
// submission: "### Label", a blank line, the value or _No response_, with
// CRLF line ends; a dropdown left alone takes its default.
func renderIssue(f *issueform.Form, answers map[string]any) string {
	var parts []string
	for _, it := range f.Body {
		if it.Type == issueform.KindMarkdown {
			continue
		}
		var text string
		switch it.Type {
		case issueform.KindCheckboxes:
			ticked, _ := answers[it.ID].([]string)
			var lines []string
			for _, o := range it.Attributes.Options {
				label := o.(map[string]any)["label"].(string)
				box := "[ ]"
				for _, x := range ticked {
					if x == label {
						box = "[X]"
					}
				}
				lines = append(lines, "- "+box+" "+label)
			}
			text = strings.Join(lines, "\n")
		default:
			s, ok := answers[it.ID].(string)
			if !ok && it.Type == issueform.KindDropdown && it.Attributes.Default != nil {
				s = it.Attributes.Options[*it.Attributes.Default].(string)
			} else if !ok {
				s = it.Attributes.Value
			}
			if s == "" {
				s = "_No response_"
			}
			text = s
		}
		parts = append(parts, "### "+it.Attributes.Label+"\n\n"+text)
	}
	return strings.ReplaceAll(strings.Join(parts, "\n\n"), "\n", "\r\n")
}

// issuePayload is GitHub's example issues event, made into a request in
// SCAFFOLD_REPO.
func issuePayload(t *testing.T, action string, number int, body string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "testdata", "github-webhooks", "issues", "opened.payload.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	issue := p["issue"].(map[string]any)
	issue["number"] = number
	issue["body"] = body
	issue["state"] = "open"
	issue["title"] = "[scaffold] Example Node.js Template: payments ledger"
	issue["html_url"] = "https://github.com/" + requestsRepo + "/issues/" + itoa(number)
	issue["labels"] = []any{obj{"id": 1, "name": scaffold.Label, "color": "ededed"}}
	issue["user"].(map[string]any)["login"] = "alice"
	p["sender"] = obj{"login": "alice", "id": 1, "type": "User"}
	p["action"] = action
	p["repository"] = repoJSON(requestsRepoID, requestsRepo, "main")
	p["installation"] = obj{"id": 7}
	if action == "labeled" {
		p["label"] = obj{"id": 1, "name": scaffold.Label}
	}
	return p
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestScaffoldCreatesTheService(t *testing.T) {
	sh := newScaffoldHarness(t)
	var inCatalogBeforeResult bool
	sh.mu.Lock()
	sh.onResult = func() { inCatalogBeforeResult = sh.entity("component:default/payments-ledger") != nil }
	sh.mu.Unlock()

	body := renderIssue(sh.form(exampleRef), map[string]any{"name": "payments-ledger", "repoUrl": "payments-ledger", "owner": "payments"})
	// GitHub fails once in the middle: the retry carries on, and still makes one repository.
	sh.gh.FailNext("POST /repos/acme/payments-ledger/git/trees", 1, http.StatusBadGateway, nil, "")
	opened := sh.deliver("issues", issuePayload(t, "opened", 1, body))
	sh.settle()
	sh.mustState(opened, queue.StateDone)
	// GitHub sends the same request again when the label lands: it does not run twice.
	labeled := sh.deliver("issues", issuePayload(t, "labeled", 1, body))
	sh.settle()
	sh.mustState(labeled, queue.StateIgnored)

	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 1 {
		t.Errorf("%d repositories created, want 1", n)
	}
	if n := sh.gh.CallCount("POST /repos/acme/payments-ledger/git/trees"); n != 2 {
		t.Errorf("%d tree writes, want 2 (one failed with 502, one retried)", n)
	}
	files := sh.gh.Files("acme/payments-ledger", "")
	if len(files) != 1 {
		t.Errorf("files %v, want the skeleton's one file", keys(files))
	}
	info := string(files["catalog-info.yaml"])
	for _, want := range []string{`name: "payments-ledger"`, "owner: group:default/payments", "type: service", "lifecycle: experimental"} {
		if !strings.Contains(info, want) {
			t.Errorf("catalog-info.yaml lacks %q:\n%s", want, info)
		}
	}
	if strings.Contains(info, "${{") || strings.Contains(info, "user:guest") {
		t.Errorf("catalog-info.yaml was not rendered for the request:\n%s", info)
	}
	e := sh.entity("component:default/payments-ledger")
	if e == nil {
		t.Fatal("component:default/payments-ledger is not in the catalog")
	}
	if got := e.SpecString("owner"); got != "group:default/payments" {
		t.Errorf("owner %q, want group:default/payments", got)
	}
	if got := e.Metadata.Annotations[catalog.AnnotationManagedByLocation]; got != "url:https://github.com/acme/payments-ledger/blob/main/catalog-info.yaml" {
		t.Errorf("managed-by-location %q", got)
	}
	if !inCatalogBeforeResult {
		t.Errorf("the entity was not in the catalog when the result comment was posted")
	}
	if n := sh.gh.CallCount("PUT /orgs/acme/teams/payments/repos/acme/payments-ledger"); n != 1 {
		t.Errorf("the owner team was given access %d times, want 1", n)
	}

	comments := sh.gh.Comments(requestsRepo, 1)
	if len(comments) != 2 {
		t.Fatalf("%d comments, want the status and the result: %+v", len(comments), comments)
	}
	if !strings.HasPrefix(comments[0].Body, scaffold.Marker) || !strings.Contains(comments[0].Body, "Creating acme/payments-ledger") {
		t.Errorf("status comment:\n%s", comments[0].Body)
	}
	result := comments[1].Body
	for _, want := range []string{"https://github.com/acme/payments-ledger", "https://callboard.example/api/catalog/entities/by-name/component/default/payments-ledger", "group:default/payments"} {
		if !strings.Contains(result, want) {
			t.Errorf("result comment lacks %q:\n%s", want, result)
		}
	}
	state, labels, _ := sh.gh.Issue(requestsRepo, 1)
	if state != "closed" || !contains(labels, scaffold.ResultLabel) {
		t.Errorf("issue is %s with labels %v, want closed and labelled %s", state, labels, scaffold.ResultLabel)
	}
	usage := usageOf(t, sh.harness)
	if len(usage) != 1 || usage[0].Outcome != catalog.OutcomeSuccess || usage[0].Entity != "component:default/payments-ledger" || usage[0].Actor != "alice" {
		t.Errorf("usage events %+v, want one success", usage)
	}
}

func TestScaffoldRefusesAndAnEditRetries(t *testing.T) {
	sh := newScaffoldHarness(t)
	form := sh.form(exampleRef)
	bad := renderIssue(form, map[string]any{"name": "Payments Ledger", "repoUrl": "payments-ledger", "owner": "paymnts"})
	guid := sh.deliver("issues", issuePayload(t, "opened", 2, bad))
	sh.settle()
	sh.mustState(guid, queue.StateDone)

	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 0 {
		t.Errorf("%d repositories created for a refused request", n)
	}
	comments := sh.gh.Comments(requestsRepo, 2)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want one: %+v", len(comments), comments)
	}
	for _, want := range []string{scaffold.Marker, "**Name**: `Payments Ledger` is not a valid catalog name", "`payments-ledger`", "**Owner**: `paymnts` is not a team in the catalog. Did you mean `payments`?", "Nothing was created"} {
		if !strings.Contains(comments[0].Body, want) {
			t.Errorf("refusal lacks %q:\n%s", want, comments[0].Body)
		}
	}
	if state, _, _ := sh.gh.Issue(requestsRepo, 2); state == "closed" {
		t.Errorf("a refused request was closed")
	}

	// The same problems again (a retry, a label) edit the one comment.
	sh.deliver("issues", issuePayload(t, "edited", 2, strings.Replace(bad, "paymnts", "nobody-at-all", 1)))
	sh.settle()
	comments = sh.gh.Comments(requestsRepo, 2)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "`nobody-at-all` is not a team in the catalog. Teams in the catalog: `payments`, `platform`.") {
		t.Fatalf("after an edit: %+v", comments)
	}

	good := renderIssue(form, map[string]any{"name": "payments-ledger", "repoUrl": "payments-ledger", "owner": "payments"})
	guid = sh.deliver("issues", issuePayload(t, "edited", 2, good))
	sh.settle()
	sh.mustState(guid, queue.StateDone)
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 1 {
		t.Errorf("%d repositories created after the fix, want 1", n)
	}
	comments = sh.gh.Comments(requestsRepo, 2)
	if len(comments) != 2 || !strings.Contains(comments[0].Body, "Creating acme/payments-ledger") || !strings.HasPrefix(comments[1].Body, scaffold.ResultMarker) {
		t.Errorf("after the fix, comments: %+v", comments)
	}
	outcomes := map[string]int{}
	for _, u := range usageOf(t, sh.harness) {
		outcomes[u.Outcome]++
	}
	if outcomes["refused"] != 2 || outcomes[catalog.OutcomeSuccess] != 1 {
		t.Errorf("usage outcomes %v, want 2 refused and 1 success", outcomes)
	}
}

func TestScaffoldRefusals(t *testing.T) {
	sh := newScaffoldHarness(t)
	sh.gh.AddRepo(7, fakegithub.Repo{ID: 250, FullName: "acme/taken", Description: "Someone else's"})
	sh.gh.SetFile("acme/templates", "main", "catalog-info.yaml", []byte(`apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: templates}
spec:
  targets: [./example-nodejs/template.yaml, ./pull-request/template.yaml]
`))
	pr, err := os.ReadFile(filepath.Join("..", "..", "shared", "testdata", "backstage-templates", "software-templates", "pull-request", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sh.gh.SetFile("acme/templates", "main", "pull-request/template.yaml", pr)
	sh.deliver("push", pushJSON(7, repoJSON(200, "acme/templates", "main"), "main", commitJSON([]string{"pull-request/template.yaml"}, []string{"catalog-info.yaml"}, nil)))
	sh.settle()

	example := sh.form(exampleRef)
	cases := []struct {
		name string
		body string
		want []string
	}{
		{"repository name taken", renderIssue(example, map[string]any{"name": "svc", "repoUrl": "taken", "owner": "payments"}),
			[]string{"**Repository Location**: `acme/taken` already exists. Choose another name."}},
		{"repository name GitHub refuses", renderIssue(example, map[string]any{"name": "svc", "repoUrl": "my repo", "owner": "payments"}),
			[]string{"`my repo` is not a repository name GitHub takes"}},
		{"missing answers", renderIssue(example, map[string]any{"name": "", "repoUrl": "", "owner": ""}),
			[]string{"**Name**: is required.", "**Repository Location**: is required.", "**Owner**: is required"}},
		{"unsupported actions", renderIssue(sh.form("template:default/pull-request"), map[string]any{"name": "svc", "repoUrl": "svc", "owner": "payments"}),
			[]string{"`fetch:plain`, `publish:github:pull-request`, which callboard does not run"}},
		{"no template named", "### Name\r\n\r\nsvc", []string{"does not say which template to run", "`template:default/example-nodejs-template`"}},
		{"unknown template", strings.Replace(renderIssue(example, map[string]any{"name": "svc", "repoUrl": "svc", "owner": "payments"}), exampleRef, "template:default/example-node-template", 1),
			[]string{"`template:default/example-node-template` is not in the catalog. Did you mean `example-nodejs-template`?"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := 10 + i
			sh.deliver("issues", issuePayload(t, "opened", n, tc.body))
			sh.settle()
			comments := sh.gh.Comments(requestsRepo, n)
			if len(comments) != 1 {
				t.Fatalf("%d comments, want 1", len(comments))
			}
			for _, w := range tc.want {
				if !strings.Contains(comments[0].Body, w) {
					t.Errorf("refusal lacks %q:\n%s", w, comments[0].Body)
				}
			}
		})
	}
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 0 {
		t.Errorf("%d repositories created by refused requests", n)
	}
	if n := sh.gh.CallCount("* /repos/acme/taken/git/*"); n != 0 {
		t.Errorf("%d Git calls on a repository the request did not create", n)
	}
}

// A repository that appears between the check and the creation is not
// taken over: the request is refused, naming it, and nothing touches it.
func TestScaffoldDoesNotTouchARepositoryItDidNotCreate(t *testing.T) {
	sh := newScaffoldHarness(t)
	sh.gh.AddRepo(7, fakegithub.Repo{ID: 260, FullName: "acme/payments-ledger", Description: "Already here"})
	sh.gh.FailNext("GET /repos/acme/payments-ledger", 1, http.StatusNotFound, nil, "")
	body := renderIssue(sh.form(exampleRef), map[string]any{"name": "payments-ledger", "repoUrl": "payments-ledger", "owner": "payments"})
	sh.deliver("issues", issuePayload(t, "opened", 3, body))
	sh.settle()
	comments := sh.gh.Comments(requestsRepo, 3)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "`acme/payments-ledger` exists, and this request did not create it") {
		t.Fatalf("comments %+v", comments)
	}
	if n := sh.gh.CallCount("* /repos/acme/payments-ledger/git/*") + sh.gh.CallCount("PUT /orgs/acme/teams/*/repos/acme/payments-ledger"); n != 0 {
		t.Errorf("%d calls changed a repository the request did not create", n)
	}
	if state, _, _ := sh.gh.Issue(requestsRepo, 3); state != "open" {
		t.Errorf("issue is %s, want open", state)
	}
}

// A 502 on the repository creation itself, and a crash-like retry of the
// whole delivery, still make one repository.
func TestScaffoldRetriesTheCreation(t *testing.T) {
	sh := newScaffoldHarness(t)
	sh.gh.FailNext("POST /orgs/acme/repos", 1, http.StatusBadGateway, nil, "")
	sh.gh.FailNext("POST /repos/acme/requests-svc/git/commits", 1, http.StatusServiceUnavailable, nil, "")
	sh.gh.FailNext("POST /repos/acme/service-requests/issues/4/comments", 1, http.StatusBadGateway, nil, "")
	body := renderIssue(sh.form(exampleRef), map[string]any{"name": "requests-svc", "repoUrl": "requests-svc", "owner": "platform"})
	guid := sh.deliver("issues", issuePayload(t, "opened", 4, body))
	sh.settle()
	sh.mustState(guid, queue.StateDone)
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 2 {
		t.Errorf("%d creation calls, want 2 (a 502, then one repository)", n)
	}
	if got := sh.gh.Repos(); countPrefix(got, "acme/requests-svc") != 1 {
		t.Errorf("repositories %v", got)
	}
	if e := sh.entity("component:default/requests-svc"); e == nil || e.SpecString("owner") != "group:default/platform" {
		t.Errorf("entity %+v", e)
	}
	if comments := sh.gh.Comments(requestsRepo, 4); len(comments) != 2 {
		t.Errorf("%d comments, want 2", len(comments))
	}
}

// When GitHub keeps failing until the delivery is given up, the request
// waits where it stopped; the next event for the issue (an edit, a label)
// carries on from there, with the answers it was accepted with.
func TestScaffoldResumesAfterTheDeliveryGaveUp(t *testing.T) {
	sh := newScaffoldHarnessWith(t, Config{MaxAttempts: 2}, scaffold.Policy{})
	sh.gh.FailNext("POST /repos/acme/ledger/git/commits", 2, http.StatusServiceUnavailable, nil, "")
	form := sh.form(exampleRef)
	body := renderIssue(form, map[string]any{"name": "ledger", "repoUrl": "ledger", "owner": "payments"})
	guid := sh.deliver("issues", issuePayload(t, "opened", 6, body))
	sh.settle()
	sh.mustState(guid, queue.StateFailed)
	if e := sh.entity("component:default/ledger"); e != nil {
		t.Fatalf("registered before its files were committed")
	}
	// The requester edits the issue, even changing an answer: the accepted answers stand.
	edited := renderIssue(form, map[string]any{"name": "ledger", "repoUrl": "ledger-two", "owner": "payments"})
	guid = sh.deliver("issues", issuePayload(t, "edited", 6, edited))
	sh.settle()
	sh.mustState(guid, queue.StateDone)
	if n := sh.gh.CallCount("POST /orgs/*/repos"); n != 1 {
		t.Errorf("%d repositories created, want 1", n)
	}
	if sh.entity("component:default/ledger") == nil || len(sh.gh.Files("acme/ledger", "")) != 1 {
		t.Errorf("the request did not finish where it stopped")
	}
	if state, _, _ := sh.gh.Issue(requestsRepo, 6); state != "closed" {
		t.Errorf("issue %s", state)
	}
}

func usageOf(t *testing.T, h *harness) []catalog.UsageEvent {
	t.Helper()
	all, err := h.st.UsageBetween(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var out []catalog.UsageEvent
	for _, u := range all {
		if u.Plugin == catalog.PluginScaffolder {
			out = append(out, u)
		}
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func countPrefix(ss []string, p string) int {
	n := 0
	for _, s := range ss {
		if strings.HasPrefix(s, p) {
			n++
		}
	}
	return n
}

// uploadDir puts a folder's files into a repository of the fake, under prefix.
func uploadDir(t *testing.T, gh *fakegithub.Server, repo, dir, prefix string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		gh.SetFile(repo, "main", prefix+filepath.ToSlash(rel), b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The kitchen-sink template (scaffold/testdata) uses what the example does
// not: templated paths, an if block, copyWithoutTemplating, a binary file,
// a conditional second fetch into a folder, a default branch of its own and
// a visibility from the answers.
func TestScaffoldKitchenSink(t *testing.T) {
	sh := newScaffoldHarnessWith(t, Config{}, scaffold.Policy{MaxVisibility: "public"})
	// The skeleton has a workflow: this organisation granted the App workflows: write.
	perms := fakegithub.AppPermissions()
	perms["workflows"] = "write"
	sh.gh.SetPermissions(7, perms)
	sink := filepath.Join("..", "scaffold", "testdata", "kitchen-sink")
	uploadDir(t, sh.gh, "acme/templates", sink, "kitchen-sink/")
	sh.gh.SetFile("acme/templates", "main", "catalog-info.yaml", []byte(`apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: templates}
spec:
  targets: [./*/template.yaml]
`))
	sh.deliver("push", pushJSON(7, repoJSON(200, "acme/templates", "main"), "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
	sh.settle()

	form := sh.form("template:default/kitchen-sink")
	body := renderIssue(form, map[string]any{
		"name": "ledger-api", "language": "Node.js", "tier": "3", "owner": "payments", "public": []string{"Make the repository public"},
		"notes": "Handles the ledger.\n\n```\n### not a field\n```", "regions": "eu-west-1, ap-south-1, mumbai", "repoUrl": "ledger-api",
	})
	guid := sh.deliver("issues", issuePayload(t, "opened", 5, body))
	sh.settle()
	sh.mustState(guid, queue.StateDone)
	if c := sh.gh.Comments(requestsRepo, 5); len(c) != 2 {
		t.Fatalf("comments %+v", c)
	}

	files := sh.gh.Files("acme/ledger-api", "trunk")
	skeleton := func(p string) string {
		b, err := os.ReadFile(filepath.Join(sink, "skeleton", p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := map[string]string{
		"README.md":                "# ledger-api\n\nA node service of tier 3.\n",
		"cmd/ledger-api/main.go":   "package main\n\nfunc main() { println(\"ledger-api\") }\n",
		".github/workflows/ci.yml": skeleton(".github/workflows/ci.yml"),
		"logo.png":                 skeleton("logo.png"),
		"docs/index.md":            "# ledger-api docs\n",
	}
	for p, w := range want {
		if got := string(files[p]); got != w {
			t.Errorf("%s:\n%q\nwant\n%q", p, got, w)
		}
	}
	if len(files) != len(want)+1 {
		t.Errorf("files %v", keys(files))
	}
	if got := sh.gh.Branches("acme/ledger-api"); len(got) != 1 || got[0] != "trunk" {
		t.Errorf("branches %v, want [trunk]", got)
	}
	e := sh.entity("component:default/ledger-api")
	if e == nil {
		t.Fatalf("not in the catalog; catalog-info.yaml:\n%s", files["catalog-info.yaml"])
	}
	if got := strings.Join(e.Metadata.Tags, ","); got != "eu-west-1,ap-south-1-mumbai,node" {
		t.Errorf("tags %s", got)
	}
	if got := e.Metadata.Annotations[catalog.AnnotationManagedByLocation]; got != "url:https://github.com/acme/ledger-api/blob/trunk/catalog-info.yaml" {
		t.Errorf("location %s", got)
	}
	if e.SpecString("owner") != "group:default/payments" {
		t.Errorf("owner %s", e.SpecString("owner"))
	}
	result := sh.gh.Comments(requestsRepo, 5)[1].Body
	if !strings.Contains(result, "[Runbook](https://runbooks.example/ledger-api)") || strings.Count(result, "https://github.com/acme/ledger-api") != 1 {
		t.Errorf("result comment:\n%s", result)
	}
}
