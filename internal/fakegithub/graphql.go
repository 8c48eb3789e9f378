package fakegithub

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// schemaSDL is the part of GitHub's public GraphQL schema callboard uses
// (testdata/github-schema.graphql, written from GitHub's reference).
//
//go:embed testdata/github-schema.graphql
var schemaSDL string

var (
	schemaOnce sync.Once
	schema     *ast.Schema
	schemaErr  error
)

func githubSchema() (*ast.Schema, error) {
	schemaOnce.Do(func() {
		schema, schemaErr = gqlparser.LoadSchema(&ast.Source{Name: "github-schema.graphql", Input: schemaSDL})
	})
	return schema, schemaErr
}

// GraphQL's limits, as GitHub documents them ("Rate limits and node limits
// for the GraphQL API"): first/last between 1 and 100 on every connection,
// at most 500,000 nodes a query; a query costs the requests its
// connections need, divided by 100, at least 1 point.
const (
	maxPage       = 100
	maxNodes      = 500_000
	graphqlLimit  = 5000
	pointsDivisor = 100
)

// gqlError is one entry of a GraphQL answer's errors.
type gqlError struct {
	Type    string `json:"type,omitempty"`
	Path    []any  `json:"path,omitempty"`
	Message string `json:"message"`
}

func gqlErrors(errs ...gqlError) map[string]any { return map[string]any{"errors": errs} }

// graphql answers a query as GitHub's GraphQL API does: it is parsed and
// validated against the schema (an unknown field, a wrong argument or a
// missing variable is an error, as there), its cost is counted against the
// installation's points, then it is executed over the fake's repositories,
// teams and members. Each field is held to the permission GitHub's
// documentation names for it (contents for blobs, members for teams).
func (s *Server) graphql(w http.ResponseWriter, r *http.Request) (int, any) {
	sch, err := githubSchema()
	if err != nil {
		s.t.Fatalf("fakegithub: the GraphQL schema does not load: %v", err)
	}
	var req struct {
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables"`
		OperationName string         `json:"operationName"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return http.StatusBadRequest, errorBody("Problems parsing JSON")
	}
	doc, errs := gqlparser.LoadQuery(sch, req.Query)
	if len(errs) > 0 {
		var out []gqlError
		for _, e := range errs {
			out = append(out, gqlError{Message: e.Message})
		}
		s.graphqlRejected = append(s.graphqlRejected, errs.Error())
		return http.StatusOK, gqlErrors(out...)
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil || op.Operation != ast.Query {
		return http.StatusOK, gqlErrors(gqlError{Message: "fakegithub: only queries are served"})
	}
	vars, verr := validator.VariableValues(sch, op, req.Variables)
	if verr != nil {
		s.graphqlRejected = append(s.graphqlRejected, verr.Error())
		return http.StatusOK, gqlErrors(gqlError{Message: verr.Error()})
	}
	requests, nodes, cerr := queryCost(op.SelectionSet, 1, vars)
	if cerr != nil {
		s.graphqlRejected = append(s.graphqlRejected, cerr.Error())
		return http.StatusOK, gqlErrors(gqlError{Type: "MAX_NODE_LIMIT_EXCEEDED", Message: cerr.Error()})
	}
	cost := max(1, requests/pointsDivisor)
	in := s.caller(r)
	b := s.bucket(resourceGraphQL)
	if b.remaining < cost {
		b.header(w)
		w.Header().Set("X-RateLimit-Remaining", "0")
		return http.StatusOK, gqlErrors(gqlError{Type: "RATE_LIMITED", Message: fmt.Sprintf("API rate limit exceeded for installation ID %d.", in.id)})
	}
	b.spend(cost)
	s.pointsSpent += cost
	b.header(w)
	x := &gqlExec{s: s, in: in, vars: vars, doc: doc, cost: cost, nodes: nodes, bucket: b}
	data := x.selection(x.query(), op.SelectionSet, nil)
	out := map[string]any{"data": data}
	if len(x.errs) > 0 {
		out["errors"] = x.errs
	}
	return http.StatusOK, out
}

// queryCost counts the requests a query's connections need (each one
// times the page sizes of the connections around it) and the nodes it may
// return, refusing a connection without first or last or over 100.
func queryCost(set ast.SelectionSet, mult int, vars map[string]any) (requests, nodes int, err error) {
	for _, sel := range set {
		var sub ast.SelectionSet
		m := mult
		switch sel := sel.(type) {
		case *ast.Field:
			sub = sel.SelectionSet
			if sel.Definition != nil && strings.HasSuffix(sel.Definition.Type.Name(), "Connection") {
				args := sel.ArgumentMap(vars)
				n, ok := pageSize(args)
				if !ok {
					return 0, 0, fmt.Errorf("You must provide a `first` or `last` value to properly paginate the `%s` connection.", sel.Name)
				}
				if n < 1 || n > maxPage {
					return 0, 0, fmt.Errorf("Requesting %d records on the `%s` connection exceeds the `first` limit of %d records.", n, sel.Name, maxPage)
				}
				requests += mult
				m = mult * n
				nodes += m
			}
		case *ast.InlineFragment:
			sub = sel.SelectionSet
		case *ast.FragmentSpread:
			sub = sel.Definition.SelectionSet
		}
		r, n, err := queryCost(sub, m, vars)
		if err != nil {
			return 0, 0, err
		}
		requests, nodes = requests+r, nodes+n
	}
	if nodes > maxNodes {
		return 0, 0, fmt.Errorf("This query requests up to %d possible nodes which exceeds the maximum limit of %d.", nodes, maxNodes)
	}
	return requests, nodes, nil
}

func pageSize(args map[string]any) (int, bool) {
	for _, k := range []string{"first", "last"} {
		if v, ok := args[k]; ok && v != nil {
			n, _ := toInt(v)
			return n, true
		}
	}
	return 0, false
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// gqlObject is a value of an object type: its fields resolve lazily, so a
// query pays only for what it selects.
type gqlObject struct {
	typ    string
	fields map[string]func(args map[string]any) (any, error)
}

// errForbidden and errNotFound become GitHub's typed errors at the field.
var (
	errForbidden = errors.New("Resource not accessible by integration")
	errNotFound  = errors.New("not found")
)

type gqlExec struct {
	s      *Server
	in     *installation
	vars   map[string]any
	doc    *ast.QueryDocument
	cost   int
	nodes  int
	bucket *rateBucket
	errs   []gqlError
}

func (x *gqlExec) selection(obj *gqlObject, set ast.SelectionSet, path []any) map[string]any {
	out := map[string]any{}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			if sel.Name == "__typename" {
				out[key] = obj.typ
				continue
			}
			p := append(append([]any{}, path...), key)
			f := obj.fields[sel.Name]
			if f == nil {
				out[key] = nil
				continue
			}
			v, err := f(sel.ArgumentMap(x.vars))
			if err != nil {
				x.fieldError(p, err)
				out[key] = nil
				continue
			}
			out[key] = x.value(v, sel.SelectionSet, p)
		case *ast.InlineFragment:
			if x.applies(obj.typ, sel.TypeCondition) {
				for k, v := range x.selection(obj, sel.SelectionSet, path) {
					out[k] = v
				}
			}
		case *ast.FragmentSpread:
			if x.applies(obj.typ, sel.Definition.TypeCondition) {
				for k, v := range x.selection(obj, sel.Definition.SelectionSet, path) {
					out[k] = v
				}
			}
		}
	}
	return out
}

// applies reports whether a fragment on cond applies to an object of typ
// (cond is the type itself or an interface it implements).
func (x *gqlExec) applies(typ, cond string) bool {
	if cond == "" || cond == typ {
		return true
	}
	sch, _ := githubSchema()
	for _, impl := range sch.GetImplements(sch.Types[typ]) {
		if impl.Name == cond {
			return true
		}
	}
	return false
}

func (x *gqlExec) value(v any, set ast.SelectionSet, path []any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case *gqlObject:
		if v == nil {
			return nil
		}
		return x.selection(v, set, path)
	case []*gqlObject:
		out := make([]any, len(v))
		for i, o := range v {
			out[i] = x.selection(o, set, append(append([]any{}, path...), i))
		}
		return out
	}
	return v
}

func (x *gqlExec) fieldError(path []any, err error) {
	switch {
	case errors.Is(err, errForbidden):
		x.errs = append(x.errs, gqlError{Type: "FORBIDDEN", Path: path, Message: errForbidden.Error()})
	case errors.Is(err, errNotFound):
		x.errs = append(x.errs, gqlError{Type: "NOT_FOUND", Path: path, Message: strings.TrimPrefix(err.Error(), "not found: ")})
	default:
		x.errs = append(x.errs, gqlError{Path: path, Message: err.Error()})
	}
}

// needs is a field's permission check, as routeNeeds is an endpoint's.
func (x *gqlExec) needs(name, access string) error {
	if x.in == nil || !x.in.perms.allows(name, access) {
		return errForbidden
	}
	return nil
}

func str(args map[string]any, k string) string { s, _ := args[k].(string); return s }

func (x *gqlExec) query() *gqlObject {
	s := x.s
	return &gqlObject{typ: "Query", fields: map[string]func(map[string]any) (any, error){
		"repository": func(a map[string]any) (any, error) {
			if err := x.needs("metadata", "read"); err != nil {
				return nil, err
			}
			full := str(a, "owner") + "/" + str(a, "name")
			rp := s.findRepo(full)
			if rp == nil || rp.inst != x.in.id {
				return nil, fmt.Errorf("%w: Could not resolve to a Repository with the name '%s'.", errNotFound, full)
			}
			return x.repository(rp), nil
		},
		"organization": func(a map[string]any) (any, error) {
			login := str(a, "login")
			if x.in == nil || !strings.EqualFold(x.in.account, login) {
				return nil, fmt.Errorf("%w: Could not resolve to an Organization with the login of '%s'.", errNotFound, login)
			}
			return x.organization(x.in.account), nil
		},
		"rateLimit": func(map[string]any) (any, error) {
			b := x.bucket
			return &gqlObject{typ: "RateLimit", fields: map[string]func(map[string]any) (any, error){
				"cost":      constant(x.cost),
				"limit":     constant(b.limit),
				"nodeCount": constant(x.nodes),
				"remaining": constant(b.remaining),
				"resetAt":   constant(b.reset.UTC().Format(time.RFC3339)),
				"used":      constant(b.limit - b.remaining),
			}}, nil
		},
	}}
}

func constant(v any) func(map[string]any) (any, error) {
	return func(map[string]any) (any, error) { return v, nil }
}

func (x *gqlExec) repository(rp *repo) *gqlObject {
	s := x.s
	_, name, _ := strings.Cut(rp.FullName, "/")
	return &gqlObject{typ: "Repository", fields: map[string]func(map[string]any) (any, error){
		"id":            constant(fmt.Sprintf("R_%d", rp.ID)),
		"databaseId":    constant(rp.ID),
		"name":          constant(name),
		"nameWithOwner": constant(rp.FullName),
		"description":   constant(nullable(rp.Description)),
		"url":           constant("https://github.com/" + rp.FullName),
		"isArchived":    constant(rp.Archived),
		"isFork":        constant(rp.Fork),
		"isPrivate":     constant(rp.Private),
		"isEmpty":       constant(len(rp.branches) == 0),
		"pushedAt":      constant(ts(rp.pushed)),
		"updatedAt":     constant(ts(rp.created)),
		"archivedAt":    constant(nil),
		"defaultBranchRef": func(map[string]any) (any, error) {
			if len(rp.branches) == 0 {
				return nil, nil
			}
			return &gqlObject{typ: "Ref", fields: map[string]func(map[string]any) (any, error){
				"id": constant("REF_" + rp.DefaultBranch), "name": constant(rp.DefaultBranch), "prefix": constant("refs/heads/"),
			}}, nil
		},
		"primaryLanguage": func(map[string]any) (any, error) {
			if rp.Language == "" {
				return nil, nil
			}
			return &gqlObject{typ: "Language", fields: map[string]func(map[string]any) (any, error){
				"id": constant("L_" + rp.Language), "name": constant(rp.Language), "color": constant(nil),
			}}, nil
		},
		"repositoryTopics": func(a map[string]any) (any, error) {
			var topics []*gqlObject
			for _, t := range rp.Topics {
				topic := &gqlObject{typ: "Topic", fields: map[string]func(map[string]any) (any, error){"id": constant("T_" + t), "name": constant(t)}}
				topics = append(topics, &gqlObject{typ: "RepositoryTopic", fields: map[string]func(map[string]any) (any, error){
					"id": constant("RT_" + t), "topic": constant(topic),
				}})
			}
			return connection("RepositoryTopicConnection", topics, a)
		},
		"languages": func(a map[string]any) (any, error) { return languages(rp, a) },
		"object": func(a map[string]any) (any, error) {
			if err := x.needs("contents", "read"); err != nil {
				return nil, err
			}
			expr := str(a, "expression")
			rev, p, ok := strings.Cut(expr, ":")
			if !ok {
				return nil, nil
			}
			if rev == "HEAD" || rev == "" {
				rev = rp.DefaultBranch
			}
			c := s.resolve(rp, rev)
			if c == nil {
				return nil, nil
			}
			sha, found := s.trees[c.tree][strings.Trim(p, "/")]
			if !found {
				return nil, nil
			}
			return blobObject(sha, s.blobs[sha]), nil
		},
	}}
}

// maxBlobText is how much of a blob GitHub's Blob.text holds; past it the
// text is cut and isTruncated says so.
var maxBlobText = 512 << 10

func blobObject(sha string, data []byte) *gqlObject {
	binary := strings.ContainsRune(string(data[:min(len(data), 8000)]), 0)
	return &gqlObject{typ: "Blob", fields: map[string]func(map[string]any) (any, error){
		"id": constant("B_" + sha), "oid": constant(sha), "abbreviatedOid": constant(sha[:7]),
		"byteSize": constant(len(data)), "isBinary": constant(binary),
		"isTruncated": constant(len(data) > maxBlobText),
		"text": func(map[string]any) (any, error) {
			if binary {
				return nil, nil
			}
			return string(data[:min(len(data), maxBlobText)]), nil
		},
	}}
}

func (x *gqlExec) organization(org string) *gqlObject {
	s := x.s
	teamsOf := func() []*team {
		var out []*team
		for _, t := range s.teams {
			if strings.EqualFold(t.org, org) {
				out = append(out, t)
			}
		}
		return out
	}
	return &gqlObject{typ: "Organization", fields: map[string]func(map[string]any) (any, error){
		"id": constant("O_" + org), "login": constant(org), "name": constant(org),
		"team": func(a map[string]any) (any, error) {
			if err := x.needs("members", "read"); err != nil {
				return nil, err
			}
			t := s.findTeam(org, str(a, "slug"))
			if t == nil {
				return nil, nil
			}
			return x.team(t), nil
		},
		"teams": func(a map[string]any) (any, error) {
			if err := x.needs("members", "read"); err != nil {
				return nil, err
			}
			var out []*gqlObject
			for _, t := range teamsOf() {
				if root, _ := a["rootTeamsOnly"].(bool); root && t.ParentSlug != "" {
					continue
				}
				out = append(out, x.team(t))
			}
			return connection("TeamConnection", out, a)
		},
		"membersWithRole": func(a map[string]any) (any, error) {
			if err := x.needs("members", "read"); err != nil {
				return nil, err
			}
			return connection("OrganizationMemberConnection", x.users(s.orgMembers(org)), a)
		},
	}}
}

func (x *gqlExec) team(t *team) *gqlObject {
	s := x.s
	return &gqlObject{typ: "Team", fields: map[string]func(map[string]any) (any, error){
		"id": constant(fmt.Sprintf("T_%d", t.ID)), "slug": constant(t.Slug), "name": constant(t.Name),
		"description": constant(nullable(t.Description)),
		"parentTeam": func(map[string]any) (any, error) {
			if p := s.findTeam(t.org, t.ParentSlug); p != nil {
				return x.team(p), nil
			}
			return nil, nil
		},
		"members": func(a map[string]any) (any, error) {
			var logins []string
			mode, _ := a["membership"].(string)
			if mode != "CHILD_TEAM" {
				logins = append(logins, t.members...)
			}
			if mode != "IMMEDIATE" {
				for _, d := range s.descendants(t) {
					logins = append(logins, d.members...)
				}
			}
			return connection("TeamMemberConnection", x.users(dedupFold(logins)), a)
		},
	}}
}

func (s *Server) descendants(t *team) []*team {
	var out []*team
	for _, c := range s.teams {
		if strings.EqualFold(c.org, t.org) && strings.EqualFold(c.ParentSlug, t.Slug) {
			out = append(out, c)
			out = append(out, s.descendants(c)...)
		}
	}
	return out
}

func dedupFold(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if k := strings.ToLower(s); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

func (x *gqlExec) users(logins []string) []*gqlObject {
	out := make([]*gqlObject, 0, len(logins))
	for _, l := range logins {
		u := x.s.findUser(l)
		name := ""
		if u != nil {
			name = u.Name
		}
		out = append(out, &gqlObject{typ: "User", fields: map[string]func(map[string]any) (any, error){
			"id": constant("U_" + l), "login": constant(l), "name": constant(nullable(name)),
		}})
	}
	return out
}

// connection pages items as GitHub's cursor connections do (first/after,
// last/before; a cursor is opaque to the client).
func connection(typ string, items []*gqlObject, a map[string]any) (any, error) {
	lo, hi := 0, len(items)
	if c := str(a, "after"); c != "" {
		i, err := cursorIndex(c)
		if err != nil {
			return nil, err
		}
		lo = min(i+1, hi)
	}
	if c := str(a, "before"); c != "" {
		i, err := cursorIndex(c)
		if err != nil {
			return nil, err
		}
		hi = max(min(i, hi), lo)
	}
	if n, ok := toInt(a["first"]); ok && a["first"] != nil {
		hi = min(hi, lo+n)
	} else if n, ok := toInt(a["last"]); ok && a["last"] != nil {
		lo = max(lo, hi-n)
	}
	page := items[lo:hi]
	start, end := any(nil), any(nil)
	if len(page) > 0 {
		start, end = cursorOf(lo), cursorOf(hi-1)
	}
	pageInfo := &gqlObject{typ: "PageInfo", fields: map[string]func(map[string]any) (any, error){
		"startCursor": constant(start), "endCursor": constant(end),
		"hasNextPage": constant(hi < len(items)), "hasPreviousPage": constant(lo > 0),
	}}
	return &gqlObject{typ: typ, fields: map[string]func(map[string]any) (any, error){
		"nodes": constant(page), "pageInfo": constant(pageInfo), "totalCount": constant(len(items)),
	}}, nil
}

// languages is the repository's LanguageConnection: Repo.Languages (or its
// Language alone, at 1 byte, when no bytes were set), ordered by size as
// orderBy asks (by name otherwise), with edges carrying the sizes.
func languages(rp *repo, a map[string]any) (any, error) {
	bytes := rp.Languages
	if len(bytes) == 0 && rp.Language != "" {
		bytes = map[string]int64{rp.Language: 1}
	}
	names := slices.Sorted(maps.Keys(bytes))
	if order, ok := a["orderBy"].(map[string]any); ok && order["field"] == "SIZE" {
		desc := order["direction"] == "DESC"
		slices.SortStableFunc(names, func(x, y string) int {
			if desc {
				return cmp.Compare(bytes[y], bytes[x])
			}
			return cmp.Compare(bytes[x], bytes[y])
		})
	}
	var total int64
	edges := make([]*gqlObject, len(names))
	for i, n := range names {
		total += bytes[n]
		node := &gqlObject{typ: "Language", fields: map[string]func(map[string]any) (any, error){
			"id": constant("L_" + n), "name": constant(n), "color": constant(nil),
		}}
		edges[i] = &gqlObject{typ: "LanguageEdge", fields: map[string]func(map[string]any) (any, error){
			"cursor": constant(cursorOf(i)), "node": constant(node), "size": constant(bytes[n]),
		}}
	}
	c, err := connection("LanguageConnection", edges, a)
	if err != nil {
		return nil, err
	}
	conn := c.(*gqlObject)
	page, _ := conn.fields["nodes"](nil)
	var nodes []any
	for _, e := range page.([]*gqlObject) {
		n, _ := e.fields["node"](nil)
		nodes = append(nodes, n)
	}
	conn.fields["edges"] = constant(page)
	conn.fields["nodes"] = constant(nodes)
	conn.fields["totalSize"] = constant(total)
	return conn, nil
}

func cursorOf(i int) string { return "Y3Vyc29yOnYyOpHO" + strconv.Itoa(i) }

func cursorIndex(c string) (int, error) {
	i, err := strconv.Atoi(strings.TrimPrefix(c, "Y3Vyc29yOnYyOpHO"))
	if err != nil || !strings.HasPrefix(c, "Y3Vyc29yOnYyOpHO") {
		return 0, fmt.Errorf("`%s` does not appear to be a valid cursor.", c)
	}
	return i, nil
}

// GraphQLRejected returns the validation errors of the queries the fake
// refused (unknown fields, wrong arguments, connections without a page
// size), so a test can say why a query was refused.
func (s *Server) GraphQLRejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.graphqlRejected...)
}

// PointsSpent is the GraphQL points the queries so far cost.
func (s *Server) PointsSpent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pointsSpent
}
