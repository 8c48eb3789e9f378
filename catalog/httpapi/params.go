package httpapi

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// query parses the request's query string strictly: a malformed one is the
// client's mistake, not something to half-read.
func query(u *url.URL) (url.Values, error) {
	if n := strings.Count(u.RawQuery, "&") + strings.Count(u.RawQuery, ";") + 1; n > MaxQueryParams {
		return nil, inputError("invalid query string: more than %d parameters", MaxQueryParams)
	}
	v, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, inputError("invalid query string: %v", err)
	}
	return v, nil
}

// single returns the one value of a parameter that may not repeat.
func single(v url.Values, name string) (string, bool, error) {
	vs := v[name]
	switch len(vs) {
	case 0:
		return "", false, nil
	case 1:
		return vs[0], true, nil
	}
	return "", false, inputError("invalid %s: expected a single value, got %d", name, len(vs))
}

// count reads a non-negative integer parameter (limit, offset).
func count(v url.Values, name string) (int, bool, error) {
	s, ok, err := single(v, name)
	if err != nil || !ok {
		return 0, false, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0, false, inputError("invalid %s %q: expected a non-negative integer", name, s)
	}
	return n, true, nil
}

// list reads a parameter that may repeat and whose values are comma
// separated (fields, fullTextFilterFields): the URI template the client uses
// sends ["a","b"] as a=a,b.
func list(v url.Values, name string) []string {
	var out []string
	for _, s := range v[name] {
		for part := range strings.SplitSeq(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// parseFilter reads Backstage's filter parameters: each one is a filter set
// of comma-separated conditions ("kind=component,spec.type=service") that
// must all hold; a key given alone must exist; a key given twice matches any
// of its values (a value given beside a bare key wins over it, as in
// Backstage); the sets are alternatives.
func parseFilter(params []string) (catalog.Filter, error) {
	var f catalog.Filter
	terms := 0
	for _, p := range params {
		var set catalog.FilterSet
		index := map[string]int{}
		for stmt := range strings.SplitSeq(p, ",") {
			stmt = strings.TrimSpace(stmt)
			if stmt == "" {
				continue
			}
			key, value, hasValue := strings.Cut(stmt, "=")
			key = strings.ToLower(strings.TrimSpace(key))
			if key == "" {
				return nil, inputError("invalid filter: %q is not of the form key=value, key= or key", stmt)
			}
			if terms++; terms > MaxFilterTerms {
				return nil, inputError("invalid filter: more than %d conditions", MaxFilterTerms)
			}
			i, seen := index[key]
			if !seen {
				i = len(set)
				index[key] = i
				set = append(set, catalog.Condition{Key: key})
			}
			if hasValue {
				set[i].Values = append(set[i].Values, strings.TrimSpace(value))
			}
		}
		if len(set) > 0 {
			f = append(f, set)
		}
	}
	f = dedupeSets(f)
	if len(f) > MaxFilterSets {
		return nil, inputError("invalid filter: more than %d filter parameters (alternatives)", MaxFilterSets)
	}
	return f, nil
}

// dedupeSets drops filter sets that repeat an earlier one: the same
// conditions, in any order, are the same alternative.
func dedupeSets(f catalog.Filter) catalog.Filter {
	seen := map[string]bool{}
	out := f[:0]
	for _, set := range f {
		conds := make([]string, len(set))
		for i, c := range set {
			vals := slices.Clone(c.Values)
			slices.Sort(vals)
			conds[i] = c.Key + "\x00" + strings.Join(slices.Compact(vals), "\x01")
			if c.Values == nil {
				conds[i] += "\x02" // exists, not "equals nothing"
			}
		}
		slices.Sort(conds)
		key := strings.Join(conds, "\x03")
		if !seen[key] {
			seen[key] = true
			out = append(out, set)
		}
	}
	return out
}

// parseFields reads the fields to keep of each entity.
func parseFields(fields []string) ([]string, error) {
	var out []string
	for _, f := range fields {
		for part := range strings.SplitSeq(f, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if strings.Contains(part, "[") {
				return nil, inputError("invalid fields: array type fields are not supported (%q)", part)
			}
			out = append(out, part)
		}
	}
	return out, nil
}

// parseOrder reads /entities' order parameters: "asc:metadata.name".
func parseOrder(params []string) ([]catalog.Order, error) {
	var out []catalog.Order
	for _, p := range params {
		dir, field, ok := strings.Cut(p, ":")
		field = strings.TrimSpace(field)
		if !ok || field == "" || (dir != "asc" && dir != "desc") {
			return nil, inputError("invalid order parameter %q: expected <asc or desc>:<field name>", p)
		}
		out = append(out, catalog.Order{Field: strings.ToLower(field), Desc: dir == "desc"})
	}
	return dedupeOrder(out)
}

// dedupeOrder keeps the first order term of each field (a later one sorts
// nothing the first did not) and bounds how many there are.
func dedupeOrder(os []catalog.Order) ([]catalog.Order, error) {
	var out []catalog.Order
	for _, o := range os {
		if !slices.ContainsFunc(out, func(x catalog.Order) bool { return x.Field == o.Field }) {
			out = append(out, o)
		}
	}
	if len(out) > MaxOrderFields {
		return nil, inputError("invalid order: more than %d fields to sort by", MaxOrderFields)
	}
	return out, nil
}

// parseOrderFields reads /entities/by-query's orderField parameters:
// "metadata.name,desc" (the direction defaults to asc).
func parseOrderFields(params []string) ([]catalog.Order, error) {
	var out []catalog.Order
	for _, p := range params {
		field, dir, hasDir := strings.Cut(p, ",")
		field = strings.TrimSpace(field)
		dir = strings.TrimSpace(dir)
		if field == "" || (hasDir && dir != "asc" && dir != "desc") {
			return nil, inputError("invalid orderField %q: expected <field name>[,asc or desc]", p)
		}
		out = append(out, catalog.Order{Field: strings.ToLower(field), Desc: dir == "desc"})
	}
	return dedupeOrder(out)
}
