package httpapi

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// params are a request's query parameters, checked as Backstage's request
// validator checks them (its OpenAPI schema, validated before the handler
// runs): only the route's parameters, none empty, integers where integers
// are due.
type params struct {
	v url.Values
}

// paramSpec is what a route accepts.
type paramSpec struct {
	names    []string
	integers []string // non-negative integers (limit, offset)
}

var (
	entitiesParams = paramSpec{names: []string{"fields", "limit", "filter", "offset", "after", "order"}, integers: []string{"limit", "offset"}}
	queryParams    = paramSpec{names: []string{"fields", "limit", "offset", "orderField", "cursor", "filter", "totalItems", "fullTextFilterTerm", "fullTextFilterFields"}, integers: []string{"limit", "offset"}}
	refsParams     = paramSpec{names: []string{"filter"}}
	facetsParams   = paramSpec{names: []string{"facet", "filter"}}
	noParams       = paramSpec{}
)

// parseParams reads the query string strictly: a malformed one is the
// client's mistake, not something to half-read.
func parseParams(u *url.URL, spec paramSpec) (params, error) {
	raw := u.RawQuery
	if n := strings.Count(raw, "&") + 1; n > MaxQueryParams {
		return params{}, inputError("invalid query string: more than %d parameters", MaxQueryParams)
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return params{}, inputError("invalid query string: %v", err)
	}
	if err := checkNames(raw, v, spec); err != nil {
		return params{}, err
	}
	if err := checkIntegers(v, spec); err != nil {
		return params{}, err
	}
	p := params{v}
	if vs, ok := v["totalItems"]; ok && (len(vs) != 1 || vs[0] != "include" && vs[0] != "exclude") {
		return params{}, inputError("request/query/totalItems must be equal to one of the allowed values: include, exclude")
	}
	for _, name := range []string{"cursor", "after", "fullTextFilterTerm"} {
		if len(v[name]) > 1 {
			return params{}, inputError("request/query/%s must be string", name)
		}
	}
	return p, nil
}

// checkNames refuses a parameter the endpoint does not take, or one given
// empty, in the order they come, as the validator reports the first.
func checkNames(raw string, v url.Values, spec paramSpec) error {
	for _, name := range paramOrder(raw) {
		if !slices.Contains(spec.names, name) {
			return inputError("Unknown query parameter '%s'", name)
		}
		if vs := v[name]; len(vs) == 1 && vs[0] == "" {
			return inputError("Empty value found for query parameter '%s'", name)
		}
	}
	return nil
}

// checkIntegers refuses an integer parameter that is not one whole,
// non-negative number.
func checkIntegers(v url.Values, spec paramSpec) error {
	for _, name := range spec.integers {
		vs, ok := v[name]
		if !ok {
			continue
		}
		if len(vs) != 1 {
			return inputError("request/query/%s must be integer", name)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(vs[0]), 64)
		switch {
		case err != nil || f != math.Trunc(f):
			return inputError("request/query/%s must be integer", name)
		case f < 0:
			return inputError("request/query/%s must be >= 0", name)
		}
	}
	return nil
}

// paramOrder lists the names of a query string's parameters, each once, in
// the order they first come.
func paramOrder(raw string) []string {
	var out []string
	seen := map[string]bool{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		if name, err := url.QueryUnescape(k); err == nil && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// has reports whether the parameter was given.
func (p params) has(name string) bool {
	_, ok := p.v[name]
	return ok
}

// all returns every value of a parameter.
func (p params) all(name string) []string { return p.v[name] }

// str returns a parameter's one value.
func (p params) str(name string) (string, bool) {
	vs, ok := p.v[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// integer returns a parameter parseParams has checked to be a
// non-negative integer (at most 2^31, beyond which no page differs).
func (p params) integer(name string) (int, bool) {
	s, ok := p.str(name)
	if !ok {
		return 0, false
	}
	f, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return int(min(f, math.MaxInt32)), true
}

// list reads a parameter that may repeat and whose values are comma
// separated (fields, fullTextFilterFields): the URI template the client uses
// sends ["a","b"] as a=a,b.
func (p params) list(name string) []string {
	var out []string
	for _, s := range p.v[name] {
		for part := range strings.SplitSeq(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
