package nunjucks

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The expressions inside ${{ }}, step inputs' if: conditions and {% %} tags
// are Nunjucks expressions, evaluated as the JavaScript Nunjucks compiles
// them to: names and member access (a.b, a['b']), literals, arithmetic,
// ~, comparisons, in, and/or/not, "x if cond else y", and filters
// (| dump, | parseRepoUrl, | lower, ...). Values are JSON values: nil
// (undefined), null, bool, float64, string, []any, map[string]any.

type exprNode interface {
	eval(s *scope) (any, error)
}

// scope is the variables an expression sees, and the budget it spends.
type scope struct {
	vars   map[string]any
	parent *scope
	m      *Meter
}

func (s *scope) lookup(name string) any {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return stored(v)
		}
	}
	return nil
}

// set assigns where the name lives already (a loop's body sets the
// template's variable), else here.
func (s *scope) set(name string, v any) {
	for f := s; f != nil; f = f.parent {
		if _, ok := f.vars[name]; ok {
			f.vars[name] = v
			return
		}
	}
	s.vars[name] = v
}

type (
	litNode    struct{ v any }
	nameNode   struct{ name string }
	memberNode struct{ x, key exprNode }
	filterNode struct {
		x    exprNode
		name string
		args []exprNode
	}
	unaryNode struct {
		op string
		x  exprNode
	}
	binaryNode struct {
		op   string
		l, r exprNode
	}
	condNode struct{ test, then, els exprNode }
	listNode struct{ items []exprNode }
	dictNode struct{ keys, vals []exprNode }
)

func (n litNode) eval(*scope) (any, error)    { return n.v, nil }
func (n nameNode) eval(s *scope) (any, error) { return s.lookup(n.name), nil }

// member is x[k] in JavaScript, for JSON values: a list's or a string's
// length and items, an object's keys; anything else is undefined.
func member(x, k any) any {
	switch x := x.(type) {
	case map[string]any:
		v, ok := x[jsString(k)]
		if !ok {
			return nil
		}
		return stored(v)
	case []any:
		if k == "length" {
			return float64(len(x))
		}
		if i, ok := arrayIndex(k); ok && i < len(x) {
			return stored(x[i])
		}
	case string:
		if k == "length" {
			return float64(length16(x))
		}
		if i, ok := arrayIndex(k); ok {
			if c, ok := charAt16(x, i); ok {
				return c
			}
		}
	}
	return nil
}

func (n memberNode) eval(s *scope) (any, error) {
	if err := s.m.step(1); err != nil {
		return nil, err
	}
	x, err := n.x.eval(s)
	if err != nil {
		return nil, err
	}
	k, err := n.key.eval(s)
	if err != nil {
		return nil, err
	}
	if _, ok := k.([]any); ok {
		if _, err := s.m.toString(k); err != nil { // a list as a key is its text
			return nil, err
		}
	}
	return member(x, k), nil
}

func (n filterNode) eval(s *scope) (any, error) {
	if err := s.m.step(1); err != nil {
		return nil, err
	}
	x, err := n.x.eval(s)
	if err != nil {
		return nil, err
	}
	f, ok := filters[n.name]
	if !ok {
		return nil, fmt.Errorf("unknown filter %q", n.name)
	}
	args := make([]any, len(n.args))
	for i, a := range n.args {
		if args[i], err = a.eval(s); err != nil {
			return nil, err
		}
	}
	v, err := f(s.m, x, args)
	if err != nil {
		return nil, err
	}
	if str, ok := v.(string); ok {
		if err := s.m.str(len(str)); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (n unaryNode) eval(s *scope) (any, error) {
	if err := s.m.step(1); err != nil {
		return nil, err
	}
	x, err := n.x.eval(s)
	if err != nil {
		return nil, err
	}
	if _, ok := x.([]any); ok && n.op != "not" {
		if x, err = s.m.toString(x); err != nil {
			return nil, err
		}
	}
	switch n.op {
	case "not":
		return !truthy(x), nil
	case "-":
		return -toNumber(x), nil
	}
	return toNumber(x), nil
}

func (n binaryNode) eval(s *scope) (any, error) {
	if err := s.m.step(1); err != nil {
		return nil, err
	}
	l, err := n.l.eval(s)
	if err != nil {
		return nil, err
	}
	switch n.op { // short-circuit, returning the operand as JavaScript does
	case "or":
		if truthy(l) {
			return l, nil
		}
		return n.r.eval(s)
	case "and":
		if !truthy(l) {
			return l, nil
		}
		return n.r.eval(s)
	}
	r, err := n.r.eval(s)
	if err != nil {
		return nil, err
	}
	// Lists become text in arithmetic and comparisons: within the budget.
	if l, r, err = s.m.primitives(n.op, l, r); err != nil {
		return nil, err
	}
	op, ok := binaryOps[n.op]
	if !ok {
		return nil, fmt.Errorf("unknown operator %q", n.op)
	}
	return op(s.m, l, r)
}

// binaryOps are the operators that take both operands' values, as
// JavaScript computes them.
var binaryOps = map[string]func(m *Meter, l, r any) (any, error){
	"~":   func(m *Meter, l, r any) (any, error) { return m.concat(l, r) },
	"+":   plus,
	"-":   arithmetic(func(x, y float64) float64 { return x - y }),
	"*":   arithmetic(func(x, y float64) float64 { return x * y }),
	"/":   arithmetic(func(x, y float64) float64 { return x / y }),
	"//":  arithmetic(func(x, y float64) float64 { return math.Floor(x / y) }),
	"%":   arithmetic(math.Mod), // the sign of the dividend, as JavaScript's %
	"**":  arithmetic(math.Pow),
	"==":  comparison(looseEqual),
	"!=":  comparison(func(l, r any) bool { return !looseEqual(l, r) }),
	"===": comparison(strictEqual),
	"!==": comparison(func(l, r any) bool { return !strictEqual(l, r) }),
	"<":   comparison(func(l, r any) bool { return relational("<", l, r) }),
	"<=":  comparison(func(l, r any) bool { return relational("<=", l, r) }),
	">":   comparison(func(l, r any) bool { return relational(">", l, r) }),
	">=":  comparison(func(l, r any) bool { return relational(">=", l, r) }),
	"in":  func(m *Meter, l, r any) (any, error) { return m.in(l, r) },
}

// plus adds numbers and joins text: if either side is a string, both are.
func plus(m *Meter, l, r any) (any, error) {
	_, ls := l.(string)
	_, rs := r.(string)
	if ls || rs {
		return m.concat(l, r)
	}
	return toNumber(l) + toNumber(r), nil
}

func arithmetic(f func(x, y float64) float64) func(*Meter, any, any) (any, error) {
	return func(_ *Meter, l, r any) (any, error) { return f(toNumber(l), toNumber(r)), nil }
}

func comparison(f func(l, r any) bool) func(*Meter, any, any) (any, error) {
	return func(_ *Meter, l, r any) (any, error) { return f(l, r), nil }
}

// primitives turns the lists of an operation that reads them as text into
// text, within the budget: == compares a list with a list as it is, and
// with anything else as its text; in and === never convert.
func (m *Meter) primitives(op string, l, r any) (any, any, error) {
	switch op {
	case "in", "===", "!==":
		return l, r, nil
	case "==", "!=":
		if kindOf(l) == kindOf(r) {
			return l, r, nil
		}
	}
	conv := func(v any) (any, error) {
		switch v.(type) {
		case []any:
			return m.toString(v)
		case map[string]any:
			return jsString(v), nil
		}
		return v, nil
	}
	l, err := conv(l)
	if err != nil {
		return nil, nil, err
	}
	r, err = conv(r)
	return l, r, err
}

// in is Nunjucks' "in": an item of a list, a part of a string, a key of an
// object; anything else is an error.
func (m *Meter) in(key, in any) (any, error) {
	switch in := in.(type) {
	case []any:
		if err := m.step(len(in)); err != nil {
			return nil, err
		}
		return slices.ContainsFunc(in, func(v any) bool { return strictEqual(stored(v), key) }), nil
	case string:
		sub, err := m.toString(key)
		if err != nil {
			return nil, err
		}
		return strings.Contains(in, sub), nil
	case map[string]any:
		k, err := m.toString(key)
		if err != nil {
			return nil, err
		}
		_, ok := in[k]
		return ok, nil
	}
	return nil, fmt.Errorf(`cannot use "in" to look for a value in %s`, kindOf(in))
}

// concat joins two values as text, within the budget.
func (m *Meter) concat(l, r any) (any, error) {
	ls, err := m.toString(l)
	if err != nil {
		return nil, err
	}
	rs, err := m.toString(r)
	if err != nil {
		return nil, err
	}
	if err := m.str(len(ls) + len(rs)); err != nil {
		return nil, err
	}
	return ls + rs, nil
}

func (n condNode) eval(s *scope) (any, error) {
	if err := s.m.step(1); err != nil {
		return nil, err
	}
	t, err := n.test.eval(s)
	if err != nil {
		return nil, err
	}
	if truthy(t) {
		return n.then.eval(s)
	}
	if n.els == nil {
		return "", nil // Nunjucks' "x if c" without else is "" when c is false
	}
	return n.els.eval(s)
}

func (n listNode) eval(s *scope) (any, error) {
	if err := s.m.step(1 + len(n.items)); err != nil {
		return nil, err
	}
	out := make([]any, len(n.items))
	for i, it := range n.items {
		v, err := it.eval(s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (n dictNode) eval(s *scope) (any, error) {
	if err := s.m.step(1 + len(n.keys)); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for i := range n.keys {
		k, err := n.keys[i].eval(s)
		if err != nil {
			return nil, err
		}
		v, err := n.vals[i].eval(s)
		if err != nil {
			return nil, err
		}
		key, err := s.m.toString(k)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// Evaluate evaluates one expression (the inside of ${{ }}) against vars,
// within DefaultBudget.
func Evaluate(src string, vars map[string]any) (any, error) {
	return evaluate(NewMeter(context.Background(), DefaultBudget), src, vars)
}

func evaluate(m *Meter, src string, vars map[string]any) (any, error) {
	n, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	return n.eval(&scope{vars: vars, m: m})
}
