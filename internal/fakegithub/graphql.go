package fakegithub

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
