package fakegithub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/fakegithub"
)

// gql posts a query with an installation's token and decodes the answer.
func gql(t *testing.T, s *fakegithub.Server, inst int64, query string, vars map[string]any) (map[string]any, []map[string]any, http.Header) {
	t.Helper()
	gh := instClient(t, s, inst)
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	resp, err := gh.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any   `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Data, out.Errors, resp.Header
}

func TestGraphQLValidatesAgainstTheSchema(t *testing.T) {
	s := setup(t)
	for name, q := range map[string]string{
		"unknown field":          `{repository(owner:"acme",name:"api"){stars}}`,
		"missing argument":       `{repository(owner:"acme"){name}}`,
		"wrong argument type":    `{repository(owner:"acme",name:3){name}}`,
		"fragment on a scalar":   `{repository(owner:"acme",name:"api"){object(expression:"HEAD:x"){...on String{x}}}}`,
		"undeclared variable":    `{repository(owner:$o,name:"api"){name}}`,
		"connection unpaginated": `{repository(owner:"acme",name:"api"){repositoryTopics{totalCount}}}`,
		"page over 100":          `{organization(login:"acme"){teams(first:101){totalCount}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			data, errs, _ := gql(t, s, 1, q, nil)
			if len(errs) == 0 || data != nil {
				t.Errorf("got data %v, errors %v; want the query refused", data, errs)
			}
		})
	}
	if got := len(s.GraphQLRejected()); got != 7 {
		t.Errorf("GraphQLRejected: %d, want 7", got)
	}
}

func TestGraphQLBatchOfRepositories(t *testing.T) {
	s := setup(t)
	s.SetFile("acme/api", "main", "catalog-info.yaml", []byte("kind: Component\n"))
	q := `query($e:String!){
	  a:repository(owner:"acme",name:"api"){nameWithOwner databaseId isArchived isFork defaultBranchRef{name}
	    f:object(expression:$e){__typename ...on Blob{text byteSize isBinary isTruncated}}
	    g:object(expression:"HEAD:nope.yaml"){...on Blob{text}}
	    repositoryTopics(first:10){nodes{topic{name}}}}
	  b:repository(owner:"acme",name:"web"){defaultBranchRef{name}}
	  c:repository(owner:"globex",name:"core"){name}
	  rateLimit{cost remaining}
	}`
	data, errs, hdr := gql(t, s, 1, q, map[string]any{"e": "HEAD:catalog-info.yaml"})
	a := data["a"].(map[string]any)
	if a["nameWithOwner"] != "acme/api" || a["databaseId"] != float64(11) || a["defaultBranchRef"].(map[string]any)["name"] != "main" {
		t.Errorf("a = %v", a)
	}
	if f := a["f"].(map[string]any); f["text"] != "kind: Component\n" || f["__typename"] != "Blob" || f["byteSize"] != float64(16) {
		t.Errorf("a.f = %v", f)
	}
	if a["g"] != nil {
		t.Errorf("a.g = %v, want null for a missing file", a["g"])
	}
	if data["b"].(map[string]any)["defaultBranchRef"].(map[string]any)["name"] != "trunk" {
		t.Errorf("b = %v", data["b"])
	}
	// Another installation's repository: null, with GitHub's NOT_FOUND.
	if data["c"] != nil || len(errs) != 1 || errs[0]["type"] != "NOT_FOUND" {
		t.Errorf("c = %v, errors %v; want null and one NOT_FOUND", data["c"], errs)
	}
	rl := data["rateLimit"].(map[string]any)
	if rl["cost"] != float64(1) || rl["remaining"] != float64(4999) || hdr.Get("X-RateLimit-Resource") != "graphql" || hdr.Get("X-RateLimit-Remaining") != "4999" {
		t.Errorf("rateLimit %v, headers %v", rl, hdr)
	}
}

func TestGraphQLPermissionsPerField(t *testing.T) {
	s := setup(t)
	p := fakegithub.AppPermissions()
	delete(p, "members")
	p["contents"] = "read"
	s.SetPermissions(1, p)
	s.AddTeam("acme", fakegithub.Team{ID: 1, Slug: "core"})
	data, errs, _ := gql(t, s, 1, `{repository(owner:"acme",name:"api"){name object(expression:"HEAD:x"){oid}} organization(login:"acme"){login teams(first:10){totalCount}}}`, nil)
	if data["repository"].(map[string]any)["name"] != "api" {
		t.Errorf("repository = %v", data["repository"])
	}
	if org := data["organization"].(map[string]any); org["login"] != "acme" || org["teams"] != nil {
		t.Errorf("organization = %v; want teams null without members:read", org)
	}
	if len(errs) != 1 || errs[0]["type"] != "FORBIDDEN" {
		t.Errorf("errors = %v, want one FORBIDDEN", errs)
	}
	delete(p, "contents")
	s.SetPermissions(1, p)
	_, errs, _ = gql(t, s, 1, `{repository(owner:"acme",name:"api"){object(expression:"HEAD:x"){oid}}}`, nil)
	if len(errs) != 1 || errs[0]["type"] != "FORBIDDEN" {
		t.Errorf("errors = %v, want a blob refused without contents:read", errs)
	}
}

func TestGraphQLTeamsPagesAndCost(t *testing.T) {
	s := setup(t)
	s.AddTeam("acme", fakegithub.Team{ID: 1, Slug: "platform"})
	s.AddTeam("acme", fakegithub.Team{ID: 2, Slug: "payments", ParentSlug: "platform"})
	s.AddTeam("acme", fakegithub.Team{ID: 3, Slug: "search"})
	s.SetTeamMembers("acme", "platform", "alice")
	s.SetTeamMembers("acme", "payments", "bob", "carol")
	q := `query($after:String){organization(login:"acme"){teams(first:2,after:$after){pageInfo{hasNextPage endCursor}
	  nodes{slug parentTeam{slug} members(first:100,membership:IMMEDIATE){nodes{login}} all:members(first:100){totalCount}}}} rateLimit{cost}}`
	data, errs, _ := gql(t, s, 1, q, nil)
	if errs != nil {
		t.Fatal(errs)
	}
	teams := data["organization"].(map[string]any)["teams"].(map[string]any)
	nodes := teams["nodes"].([]any)
	pi := teams["pageInfo"].(map[string]any)
	if len(nodes) != 2 || pi["hasNextPage"] != true {
		t.Fatalf("page 1: %v", teams)
	}
	platform := nodes[0].(map[string]any)
	if platform["all"].(map[string]any)["totalCount"] != float64(3) || len(platform["members"].(map[string]any)["nodes"].([]any)) != 1 {
		t.Errorf("platform: %v; want 1 immediate member, 3 with its child team's", platform)
	}
	// 1 request for teams, 2 × 2 for the members: 5 requests, 1 point.
	if data["rateLimit"].(map[string]any)["cost"] != float64(1) {
		t.Errorf("cost = %v, want 1", data["rateLimit"])
	}
	data, _, _ = gql(t, s, 1, q, map[string]any{"after": pi["endCursor"]})
	teams = data["organization"].(map[string]any)["teams"].(map[string]any)
	if nodes := teams["nodes"].([]any); len(nodes) != 1 || nodes[0].(map[string]any)["slug"] != "search" || teams["pageInfo"].(map[string]any)["hasNextPage"] != false {
		t.Errorf("page 2: %v", teams)
	}
	// 100 teams × 100 members × 100 members of … is over the node limit.
	_, errs, _ = gql(t, s, 1, `{organization(login:"acme"){teams(first:100){nodes{members(first:100){totalCount} a:members(first:100){totalCount}}}} x:organization(login:"acme"){teams(first:100){nodes{members(first:100){totalCount}}}}}`, nil)
	if errs != nil {
		t.Errorf("30,100 nodes refused: %v", errs)
	}
	if got := s.PointsSpent(); got < 3 {
		t.Errorf("PointsSpent = %d; want the 2 pages and the 301-request query (3 points) counted", got)
	}
}

func TestGraphQLRateLimited(t *testing.T) {
	s := setup(t)
	s.SetRateLimit("graphql", 2, 300*time.Millisecond)
	for i := 0; i < 2; i++ {
		if _, errs, _ := gql(t, s, 1, `{rateLimit{remaining}}`, nil); errs != nil {
			t.Fatal(errs)
		}
	}
	_, errs, hdr := gql(t, s, 1, `{rateLimit{remaining}}`, nil)
	if len(errs) != 1 || errs[0]["type"] != "RATE_LIMITED" || hdr.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("errors %v, remaining %q; want RATE_LIMITED and 0", errs, hdr.Get("X-RateLimit-Remaining"))
	}
	if s.RateLowest("graphql") != 0 {
		t.Errorf("RateLowest = %d", s.RateLowest("graphql"))
	}
	time.Sleep(350 * time.Millisecond)
	if _, errs, _ := gql(t, s, 1, `{rateLimit{remaining}}`, nil); errs != nil || !strings.Contains(hdr.Get("X-RateLimit-Reset"), "") {
		t.Errorf("after the reset: %v", errs)
	}
}

// TestGraphQLLanguages: Repository.languages as GitHub serves it: edges
// with sizes, ordered as orderBy asks, paginated by first, one request
// (a point per 100) for each repository that asks for it.
func TestGraphQLLanguages(t *testing.T) {
	s := setup(t)
	s.AddRepo(1, fakegithub.Repo{ID: 14, FullName: "acme/mixed", Languages: map[string]int64{"Shell": 40, "Go": 900, "Dockerfile": 60}})
	data, errs, h := gql(t, s, 1, `query($n:String!){r:repository(owner:"acme",name:$n){
		languages(first:2,orderBy:{field:SIZE,direction:DESC}){totalSize totalCount edges{size node{name}}}} rateLimit{cost}}`, map[string]any{"n": "mixed"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got, _ := json.Marshal(data["r"])
	want := `{"languages":{"edges":[{"node":{"name":"Go"},"size":900},{"node":{"name":"Dockerfile"},"size":60}],"totalCount":3,"totalSize":1000}}`
	if string(got) != want {
		t.Errorf("languages:\n%s\nwant\n%s", got, want)
	}
	if cost := data["rateLimit"].(map[string]any)["cost"]; cost != float64(1) || h.Get("X-RateLimit-Resource") != "graphql" {
		t.Errorf("cost %v (%s), want 1 point of the graphql budget", cost, h.Get("X-RateLimit-Resource"))
	}
	// 100 repositories asking for topics and languages: 200 requests, 2 points.
	var q strings.Builder
	q.WriteString("{")
	for i := range 100 {
		q.WriteString(` r` + strconv.Itoa(i) + `:repository(owner:"acme",name:"api"){repositoryTopics(first:20){totalCount} languages(first:10){totalSize}}`)
	}
	q.WriteString(" rateLimit{cost}}")
	data, errs, _ = gql(t, s, 1, q.String(), nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if cost := data["rateLimit"].(map[string]any)["cost"]; cost != float64(2) {
		t.Errorf("100 repositories with two connections each cost %v points, want 2", cost)
	}
}
