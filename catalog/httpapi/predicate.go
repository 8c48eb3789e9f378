package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// maxPredicateDepth bounds how deeply a filter predicate nests.
const maxPredicateDepth = 32

// parsePredicate reads a filter predicate, as Backstage's catalog reads the
// query of POST /entities/by-query, /entity-facets and /entities/by-refs
// and of a cursor: $all, $any and $not, and fields matched by value, $in,
// $exists, $hasPrefix and $contains. what names it in errors ("query").
func parsePredicate(raw json.RawMessage, what string) (catalog.Predicate, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return catalog.Predicate{}, inputError("Invalid %s: %v", what, err)
	}
	pp := predicateParser{what: what}
	return pp.parse(v, 0)
}

type predicateParser struct {
	what  string
	terms int
}

func (pp *predicateParser) fail(format string, args ...any) error {
	return inputError("Invalid %s: %s", pp.what, fmt.Sprintf(format, args...))
}

func (pp *predicateParser) count(n int) error {
	if pp.terms += n; pp.terms > MaxFilterTerms {
		return pp.fail("more than %d conditions", MaxFilterTerms)
	}
	return nil
}

func (pp *predicateParser) parse(v any, depth int) (catalog.Predicate, error) {
	if depth > maxPredicateDepth {
		return catalog.Predicate{}, pp.fail("nested deeper than %d levels", maxPredicateDepth)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return catalog.Predicate{}, pp.fail("a predicate must be an object (a primitive value must be wrapped in a field expression, e.g. {\"kind\": %s})", compact(v))
	}
	for k := range obj {
		if !strings.HasPrefix(k, "$") {
			continue
		}
		if len(obj) != 1 {
			return catalog.Predicate{}, pp.fail("operators must be a single $all or $any with an array, or $not, but got %s", compact(v))
		}
		return pp.operator(k, obj[k], depth)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range obj {
			if !yield(k) {
				return
			}
		}
	})
	conds := make([]catalog.Predicate, 0, len(keys))
	for _, k := range keys {
		p, err := pp.field(strings.ToLower(k), k, obj[k])
		if err != nil {
			return catalog.Predicate{}, err
		}
		conds = append(conds, p)
	}
	if len(conds) == 1 {
		return conds[0], nil
	}
	return catalog.All(conds...), nil
}

// operator parses {$all: [...]}, {$any: [...]} or {$not: ...}.
func (pp *predicateParser) operator(k string, v any, depth int) (catalog.Predicate, error) {
	switch k {
	case "$all", "$any":
		items, ok := v.([]any)
		if !ok {
			return catalog.Predicate{}, pp.fail("%s takes an array of predicates", k)
		}
		subs := make([]catalog.Predicate, 0, len(items))
		for _, it := range items {
			p, err := pp.parse(it, depth+1)
			if err != nil {
				return catalog.Predicate{}, err
			}
			subs = append(subs, p)
		}
		if k == "$all" {
			return catalog.All(subs...), nil
		}
		return catalog.Any(subs...), nil
	case "$not":
		p, err := pp.parse(v, depth+1)
		if err != nil {
			return catalog.Predicate{}, err
		}
		return catalog.Not(p), nil
	}
	return catalog.Predicate{}, pp.fail("unknown operator %s", k)
}

// in parses {$in: [values]} of a field.
func (pp *predicateParser) in(key, asWritten string, v any) (catalog.Predicate, error) {
	items, ok := v.([]any)
	if !ok {
		return catalog.Predicate{}, pp.fail("$in of field %q takes an array of values", asWritten)
	}
	values := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := primitive(it)
		if !ok {
			return catalog.Predicate{}, pp.fail("$in of field %q takes strings, numbers and booleans, not %s", asWritten, compact(it))
		}
		values = append(values, s)
	}
	return catalog.FieldIn(key, values...), pp.count(1 + len(values))
}

// primitive is a JSON string, number or boolean as Backstage compares it:
// as a string.
func primitive(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return strconv.FormatFloat(f, 'f', -1, 64), true
		}
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

func (pp *predicateParser) field(key, asWritten string, v any) (catalog.Predicate, error) {
	if s, ok := primitive(v); ok {
		return catalog.FieldIn(key, s), pp.count(2)
	}
	op, ok := v.(map[string]any)
	if !ok {
		return catalog.Predicate{}, pp.fail("the value for field %q must be a primitive value, $exists, $in, $hasPrefix or $contains, but got %s", asWritten, compact(v))
	}
	switch {
	case op["$exists"] != nil:
		b, ok := op["$exists"].(bool)
		if !ok {
			return catalog.Predicate{}, pp.fail("$exists of field %q takes true or false", asWritten)
		}
		return catalog.FieldExists(key, b), pp.count(1)
	case op["$in"] != nil:
		return pp.in(key, asWritten, op["$in"])
	case op["$hasPrefix"] != nil:
		s, ok := op["$hasPrefix"].(string)
		if !ok {
			return catalog.Predicate{}, pp.fail("$hasPrefix of field %q takes a string", asWritten)
		}
		return catalog.Predicate{Op: catalog.PredField, Key: key, Match: catalog.Match{Kind: catalog.MatchPrefix, Values: []string{s}}}, pp.count(2)
	case op["$contains"] != nil:
		target := op["$contains"]
		if s, ok := primitive(target); ok {
			return catalog.FieldIn(key, s), pp.count(2)
		}
		if t, ok := target.(map[string]any); ok && key == "relations" {
			return pp.containsRelation(t)
		}
		if _, ok := target.(map[string]any); ok {
			return catalog.Predicate{}, pp.fail("Object form of $contains is not supported for field %q", asWritten)
		}
		return catalog.Predicate{}, pp.fail("Unsupported $contains target for field %q: %s", asWritten, compact(target))
	}
	return catalog.Predicate{}, pp.fail("the value for field %q must be a primitive value, $exists, $in, $hasPrefix or $contains, but got %s", asWritten, compact(v))
}

// containsRelation reads {"$contains": {"type": T, "targetRef": R}} on the
// field "relations" (R a ref or {"$in": [refs]}).
func (pp *predicateParser) containsRelation(t map[string]any) (catalog.Predicate, error) {
	var typ string
	var targets []string
	haveType, haveTarget := false, false
	for k, v := range t {
		switch strings.ToLower(k) {
		case "type":
			s, ok := v.(string)
			if haveType || !ok {
				return catalog.Predicate{}, pp.fail(`The $contains operator for "relations" requires a "type" string property`)
			}
			typ, haveType = s, true
		case "targetref":
			if haveTarget {
				return catalog.Predicate{}, pp.fail(`Duplicate key %q in $contains for "relations"`, k)
			}
			haveTarget = true
			switch tv := v.(type) {
			case string:
				targets = []string{tv}
			case map[string]any:
				items, ok := tv["$in"].([]any)
				if len(tv) != 1 || !ok {
					return catalog.Predicate{}, pp.fail(`Unsupported value in $contains for "relations": expected a string or { "$in": [strings] }, but got %s`, compact(v))
				}
				if len(items) == 0 {
					return catalog.Predicate{}, pp.fail(`Empty "$in" array for $contains on "relations" is not allowed`)
				}
				for _, it := range items {
					s, ok := it.(string)
					if !ok {
						return catalog.Predicate{}, pp.fail(`Unsupported value in $contains for "relations": expected a string or { "$in": [strings] }, but got %s`, compact(v))
					}
					targets = append(targets, s)
				}
			default:
				return catalog.Predicate{}, pp.fail(`Unsupported value in $contains for "relations": expected a string or { "$in": [strings] }, but got %s`, compact(v))
			}
		default:
			return catalog.Predicate{}, pp.fail(`Unsupported key %q in $contains for "relations". Only "type" and "targetRef" are supported`, k)
		}
	}
	if typ == "" {
		return catalog.Predicate{}, pp.fail(`The $contains operator for "relations" requires a "type" string property`)
	}
	return catalog.Predicate{Op: catalog.PredField, Key: "relations", Match: catalog.Match{Kind: catalog.MatchRelation, RelationType: strings.ToLower(typ), Values: targets}},
		pp.count(2 + len(targets))
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// filterPredicateJSON is a filter written as the predicate Backstage's
// GET /entities/by-query puts in its cursors: {key: value}, {key: {$in}},
// {key: {$exists: true}}, sets as $all, alternatives as $any.
func filterPredicateJSON(f catalog.Filter) json.RawMessage {
	if len(f) == 0 {
		return nil
	}
	cond := func(c catalog.Condition) map[string]any {
		switch {
		case c.Values == nil:
			return map[string]any{c.Key: map[string]any{"$exists": true}}
		case len(c.Values) == 1:
			return map[string]any{c.Key: c.Values[0]}
		}
		return map[string]any{c.Key: map[string]any{"$in": c.Values}}
	}
	var outer []any
	for _, set := range f {
		if len(set) == 1 {
			outer = append(outer, cond(set[0]))
			continue
		}
		all := make([]any, 0, len(set))
		for _, c := range set {
			all = append(all, cond(c))
		}
		outer = append(outer, map[string]any{"$all": all})
	}
	var v any = outer[0]
	if len(outer) > 1 {
		v = map[string]any{"$any": outer}
	}
	b, _ := json.Marshal(v) // maps, slices and strings always encode
	return b
}

// parseEntityFilter reads the older filter format a cursor may carry
// (Backstage's EntityFilter): {key, values?}, {not}, {anyOf}, {allOf}.
// keyFilter parses {key, values}: a field that exists, or holds one of values.
func (pp *predicateParser) keyFilter(k, raw any) (catalog.Predicate, error) {
	key, ok := k.(string)
	if !ok {
		return catalog.Predicate{}, pp.fail("filter: key must be a string")
	}
	if raw == nil {
		return catalog.FieldExists(strings.ToLower(key), true), pp.count(1)
	}
	items, ok := raw.([]any)
	if !ok {
		return catalog.Predicate{}, pp.fail("filter: values must be an array of strings")
	}
	values := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return catalog.Predicate{}, pp.fail("filter: values must be an array of strings")
		}
		values = append(values, s)
	}
	return catalog.FieldIn(strings.ToLower(key), values...), pp.count(1 + len(values))
}

func parseEntityFilter(v any, depth int, pp *predicateParser) (catalog.Predicate, error) {
	if depth > maxPredicateDepth {
		return catalog.Predicate{}, pp.fail("nested deeper than %d levels", maxPredicateDepth)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return catalog.Predicate{}, pp.fail("filter: expected an object")
	}
	if k, ok := obj["key"]; ok {
		return pp.keyFilter(k, obj["values"])
	}
	if n, ok := obj["not"]; ok {
		p, err := parseEntityFilter(n, depth+1, pp)
		return catalog.Not(p), err
	}
	for _, k := range []string{"anyOf", "allOf"} {
		raw, ok := obj[k]
		if !ok {
			continue
		}
		items, ok := raw.([]any)
		if !ok {
			return catalog.Predicate{}, pp.fail("filter: %s must be an array", k)
		}
		subs := make([]catalog.Predicate, 0, len(items))
		for _, it := range items {
			p, err := parseEntityFilter(it, depth+1, pp)
			if err != nil {
				return catalog.Predicate{}, err
			}
			subs = append(subs, p)
		}
		if k == "anyOf" {
			return catalog.Any(subs...), nil
		}
		return catalog.All(subs...), nil
	}
	return catalog.Predicate{}, pp.fail("filter: expected key, not, anyOf or allOf")
}
