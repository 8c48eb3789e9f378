package scaffold

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/callboard/callboard/catalog"
)

// The expressions inside ${{ }}, step inputs' if: conditions and {% %} tags
// are the subset of Nunjucks that Backstage templates use: names and member
// access (a.b, a['b']), literals, + - * / % ~, comparisons, and/or/not,
// "x if cond else y", and filters (| dump, | parseRepoUrl, | lower, ...).
// Values are JSON values: nil, bool, float64, string, []any, map[string]any;
// nil is also Nunjucks' undefined.

type exprNode interface {
	eval(s *scope) (any, error)
}

// scope is the variables an expression sees, and the budget it spends.
type scope struct {
	vars   map[string]any
	parent *scope
	m      *meter
}

func (s *scope) lookup(name string) any {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v
		}
	}
	return nil
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
	switch x := x.(type) {
	case map[string]any:
		key, err := s.m.toString(k)
		if err != nil {
			return nil, err
		}
		return x[key], nil
	case []any:
		if k == "length" {
			return float64(len(x)), nil
		}
		i, ok := k.(float64)
		if ok && i >= 0 && int(i) < len(x) {
			return x[int(i)], nil
		}
	case string:
		if k == "length" {
			return float64(utf8.RuneCountInString(x)), nil
		}
	}
	return nil, nil
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
	switch n.op {
	case "not", "!":
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
	switch n.op {
	case "+":
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			return s.m.concat(l, r)
		}
		return toNumber(l) + toNumber(r), nil
	case "~":
		return s.m.concat(l, r)
	case "-":
		return toNumber(l) - toNumber(r), nil
	case "*":
		return toNumber(l) * toNumber(r), nil
	case "/":
		return toNumber(l) / toNumber(r), nil
	case "%":
		return math.Mod(toNumber(l), toNumber(r)), nil
	case "==", "===":
		return looseEqual(l, r), nil
	case "!=", "!==":
		return !looseEqual(l, r), nil
	case "<":
		return compare(l, r) < 0, nil
	case "<=":
		return compare(l, r) <= 0, nil
	case ">":
		return compare(l, r) > 0, nil
	case ">=":
		return compare(l, r) >= 0, nil
	case "in":
		switch r := r.(type) {
		case []any:
			if err := s.m.step(len(r)); err != nil {
				return nil, err
			}
			return slices.ContainsFunc(r, func(v any) bool { return looseEqual(v, l) }), nil
		case map[string]any:
			key, err := s.m.toString(l)
			if err != nil {
				return nil, err
			}
			_, ok := r[key]
			return ok, nil
		case string:
			sub, err := s.m.toString(l)
			if err != nil {
				return nil, err
			}
			return strings.Contains(r, sub), nil
		}
		return false, nil
	}
	return nil, fmt.Errorf("unknown operator %q", n.op)
}

// concat joins two values as text, within the budget.
func (m *meter) concat(l, r any) (any, error) {
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
		return nil, nil
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

// JavaScript's conversions, which Nunjucks output follows.

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0 && !math.IsNaN(v)
	case string:
		return v != ""
	}
	return true
}

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return formatNumber(v)
	case int:
		return strconv.Itoa(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = toString(x)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return fmt.Sprint(v)
}

func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func toNumber(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case bool:
		if v {
			return 1
		}
		return 0
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return math.NaN()
		}
		return f
	case nil:
		return 0
	}
	return math.NaN()
}

func looseEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	_, an := a.(float64)
	_, bn := b.(float64)
	_, ab := a.(bool)
	_, bb := b.(bool)
	if an || bn || ab || bb {
		if _, ok := a.(string); ok {
			return toNumber(a) == toNumber(b)
		}
		if _, ok := b.(string); ok {
			return toNumber(a) == toNumber(b)
		}
	}
	switch a.(type) {
	case []any, map[string]any:
		return false // compared by identity in JavaScript
	}
	// Values of different types differ; checked first, so that a list is
	// never printed to be compared.
	return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) && toString(a) == toString(b)
}

func compare(a, b any) int {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return strings.Compare(as, bs)
	}
	x, y := toNumber(a), toNumber(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// dump is JSON.stringify: what `| dump` writes.
func dump(v any, indent string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// maxIndent is JSON.stringify's: a larger indent is cut to 10.
const maxIndent = 10

// A filter gets the value it filters and its arguments; m bounds what it
// may make.
type filter func(m *meter, v any, args []any) (any, error)

// text is a filter of one string.
func text(f func(string) string) filter {
	return func(m *meter, v any, _ []any) (any, error) {
		s, err := m.toString(v)
		if err != nil {
			return nil, err
		}
		if err := m.step(1 + len(s)/checkEvery); err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

var filters map[string]filter

func init() {
	filters = map[string]filter{
		"dump":   dumpFilter,
		"safe":   func(_ *meter, v any, _ []any) (any, error) { return v, nil },
		"string": func(m *meter, v any, _ []any) (any, error) { return m.toString(v) },
		"lower":  text(strings.ToLower),
		"upper":  text(strings.ToUpper),
		"trim":   text(strings.TrimSpace),
		"capitalize": text(func(s string) string {
			s = strings.ToLower(s)
			if s == "" {
				return s
			}
			r, size := utf8.DecodeRuneInString(s)
			return string(unicode.ToUpper(r)) + s[size:]
		}),
		"title": text(func(s string) string {
			words := strings.Fields(s)
			for i, w := range words {
				w = strings.ToLower(w)
				r, size := utf8.DecodeRuneInString(w)
				words[i] = string(unicode.ToUpper(r)) + w[size:]
			}
			return strings.Join(words, " ")
		}),
		"replace":   replaceFilter,
		"default":   defaultFilter,
		"d":         defaultFilter,
		"join":      joinFilter,
		"urlencode": text(url.QueryEscape),
		"length": func(_ *meter, v any, _ []any) (any, error) {
			switch v := v.(type) {
			case []any:
				return float64(len(v)), nil
			case map[string]any:
				return float64(len(v)), nil
			case string:
				return float64(utf8.RuneCountInString(v)), nil
			}
			return float64(0), nil
		},
		"first": func(_ *meter, v any, _ []any) (any, error) {
			if l := anyList(v); len(l) > 0 {
				return l[0], nil
			}
			return nil, nil
		},
		"last": func(_ *meter, v any, _ []any) (any, error) {
			if l := anyList(v); len(l) > 0 {
				return l[len(l)-1], nil
			}
			return nil, nil
		},
		"int":   func(_ *meter, v any, _ []any) (any, error) { return math.Trunc(toNumber(v)), nil },
		"float": func(_ *meter, v any, _ []any) (any, error) { return toNumber(v), nil },
		"parseRepoUrl": func(m *meter, v any, _ []any) (any, error) {
			s, err := m.toString(v)
			if err != nil {
				return nil, err
			}
			return parseRepoURL(s)
		},
		"projectSlug": func(m *meter, v any, _ []any) (any, error) {
			s, err := m.toString(v)
			if err != nil {
				return nil, err
			}
			r, err := parseRepoURL(s)
			if err != nil {
				return nil, err
			}
			return toString(r["owner"]) + "/" + toString(r["repo"]), nil
		},
		"parseEntityRef": func(m *meter, v any, args []any) (any, error) {
			d := catalog.RefDefaults{}
			if len(args) > 0 {
				if o, ok := args[0].(map[string]any); ok {
					d.Kind, d.Namespace = toString(o["defaultKind"]), toString(o["defaultNamespace"])
				}
			}
			s, err := m.toString(v)
			if err != nil {
				return nil, err
			}
			r, err := catalog.ParseRef(s, d)
			if err != nil {
				return nil, err
			}
			return map[string]any{"kind": strings.ToLower(r.Kind), "namespace": r.Namespace, "name": r.Name}, nil
		},
		"pick": func(m *meter, v any, args []any) (any, error) {
			o, _ := v.(map[string]any)
			if o == nil || len(args) == 0 {
				return nil, nil
			}
			key, err := m.toString(args[0])
			if err != nil {
				return nil, err
			}
			return o[key], nil
		},
	}
}

func dumpFilter(m *meter, v any, args []any) (any, error) {
	indent := ""
	if len(args) > 0 {
		if n, ok := args[0].(float64); ok {
			if n >= 1 {
				indent = strings.Repeat(" ", int(min(n, maxIndent)))
			}
		} else {
			s, err := m.toString(args[0])
			if err != nil {
				return nil, err
			}
			if utf8.RuneCountInString(s) > maxIndent {
				s = string([]rune(s)[:maxIndent])
			}
			indent = s
		}
	}
	if v == nil {
		return "", nil // JSON.stringify(undefined) writes nothing
	}
	n, err := m.jsonSize(v, len(indent), 0)
	if err != nil {
		return nil, err
	}
	if err := m.str(n); err != nil {
		return nil, err
	}
	return dump(v, indent)
}

func replaceFilter(m *meter, v any, args []any) (any, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("replace takes two arguments")
	}
	n := -1
	if len(args) > 2 {
		if c := toNumber(args[2]); c >= 0 && c < math.MaxInt32 {
			n = int(c)
		}
	}
	s, err := m.toString(v)
	if err != nil {
		return nil, err
	}
	old, err := m.toString(args[0])
	if err != nil {
		return nil, err
	}
	new, err := m.toString(args[1])
	if err != nil {
		return nil, err
	}
	if err := m.str(replaceSize(s, old, new, n)); err != nil {
		return nil, err
	}
	if err := m.step(1 + len(s)/checkEvery); err != nil {
		return nil, err
	}
	return strings.Replace(s, old, new, n), nil
}

func joinFilter(m *meter, v any, args []any) (any, error) {
	sep := ""
	if len(args) > 0 {
		var err error
		if sep, err = m.toString(args[0]); err != nil {
			return nil, err
		}
	}
	var b strings.Builder
	for i, x := range anyList(v) {
		if i > 0 {
			if err := m.str(b.Len() + len(sep)); err != nil {
				return nil, err
			}
			b.WriteString(sep)
		}
		if err := m.appendString(&b, x, 0); err != nil {
			return nil, err
		}
	}
	return b.String(), nil
}

func defaultFilter(_ *meter, v any, args []any) (any, error) {
	if len(args) == 0 {
		return v, nil
	}
	if v == nil || len(args) > 1 && truthy(args[1]) && !truthy(v) {
		return args[0], nil
	}
	return v, nil
}

// parseRepoURL reads a RepoUrlPicker value, "github.com?owner=o&repo=r", as
// Backstage's parseRepoUrl filter does.
func parseRepoURL(s string) (map[string]any, error) {
	host, query, ok := strings.Cut(s, "?")
	if !ok || host == "" {
		return nil, fmt.Errorf("%q is not a repository URL (want github.com?owner=ORG&repo=NAME)", s)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("%q is not a repository URL: %v", s, err)
	}
	out := map[string]any{"host": host}
	for _, k := range []string{"owner", "repo", "organization", "workspace", "project"} {
		if v := q.Get(k); v != "" {
			out[k] = v
		}
	}
	if out["repo"] == nil {
		return nil, fmt.Errorf("%q names no repo", s)
	}
	return out, nil
}

// RepoURL is the value a RepoUrlPicker gives: host?owner=org&repo=name.
func RepoURL(host, org, name string) string {
	return host + "?" + url.Values{"owner": {org}, "repo": {name}}.Encode()
}

// Expression parsing.

type token struct {
	kind byte // 'n' name, '0' number, 's' string, 'o' operator, 0 end
	text string
	num  float64
}

var reNumber = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?`)

var operators = []string{"===", "!==", "==", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ".", "|", ":", "+", "-", "*", "/", "%", "<", ">", "!", "~", "="}

func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
					switch src[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(src[j])
					}
					continue
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string in %q", src)
			}
			out = append(out, token{kind: 's', text: b.String()})
			i = j + 1
		case c >= '0' && c <= '9':
			m := reNumber.FindString(src[i:])
			f, _ := strconv.ParseFloat(m, 64)
			out = append(out, token{kind: '0', text: m, num: f})
			i += len(m)
		case c == '_' || c == '$' || unicode.IsLetter(rune(c)):
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '$' || unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j]))) {
				j++
			}
			out = append(out, token{kind: 'n', text: src[i:j]})
			i = j
		default:
			op := ""
			for _, o := range operators {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("unexpected %q in %q", string(c), src)
			}
			out = append(out, token{kind: 'o', text: op})
			i += len(op)
		}
	}
	return append(out, token{}), nil
}

type parser struct {
	toks  []token
	pos   int
	src   string
	depth int
}

// enter guards the parser's recursion: a template of ten thousand "(" must
// not take the stack.
func (p *parser) enter() error {
	if p.depth++; p.depth > maxExprDepth {
		return fmt.Errorf("expression nested more than %d deep in %q", maxExprDepth, shortSrc(p.src))
	}
	return nil
}

func shortSrc(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// parseExpr reads one whole expression.
func parseExpr(src string) (exprNode, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, src: src}
	n, err := p.inlineIf()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != 0 {
		return nil, fmt.Errorf("unexpected %q in %q", p.peek().text, src)
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != 0 {
		p.pos++
	}
	return t
}

func (p *parser) isOp(op string) bool { t := p.peek(); return t.kind == 'o' && t.text == op }
func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == 'n' && t.text == w
}

func (p *parser) expectOp(op string) error {
	if !p.isOp(op) {
		return fmt.Errorf("expected %q in %q", op, p.src)
	}
	p.next()
	return nil
}

func (p *parser) inlineIf() (exprNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if !p.isWord("if") {
		return n, nil
	}
	p.next()
	test, err := p.or()
	if err != nil {
		return nil, err
	}
	c := condNode{test: test, then: n}
	if p.isWord("else") {
		p.next()
		if c.els, err = p.inlineIf(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (p *parser) or() (exprNode, error) {
	l, err := p.and()
	for err == nil && p.isWord("or") {
		p.next()
		var r exprNode
		r, err = p.and()
		l = binaryNode{op: "or", l: l, r: r}
	}
	return l, err
}

func (p *parser) and() (exprNode, error) {
	l, err := p.not()
	for err == nil && p.isWord("and") {
		p.next()
		var r exprNode
		r, err = p.not()
		l = binaryNode{op: "and", l: l, r: r}
	}
	return l, err
}

func (p *parser) not() (exprNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if p.isWord("not") || p.isOp("!") {
		p.next()
		x, err := p.not()
		return unaryNode{op: "not", x: x}, err
	}
	return p.compare()
}

func (p *parser) compare() (exprNode, error) {
	l, err := p.add()
	for err == nil {
		t := p.peek()
		op := ""
		switch {
		case t.kind == 'o' && slices.Contains([]string{"==", "===", "!=", "!==", "<", "<=", ">", ">="}, t.text):
			op = t.text
		case t.kind == 'n' && t.text == "in":
			op = "in"
		case t.kind == 'n' && t.text == "not" && p.toks[p.pos+1].kind == 'n' && p.toks[p.pos+1].text == "in":
			p.next()
			op = "not in"
		}
		if op == "" {
			break
		}
		p.next()
		var r exprNode
		if r, err = p.add(); err != nil {
			return nil, err
		}
		if op == "not in" {
			l = unaryNode{op: "not", x: binaryNode{op: "in", l: l, r: r}}
		} else {
			l = binaryNode{op: op, l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) add() (exprNode, error) {
	l, err := p.mul()
	for err == nil && (p.isOp("+") || p.isOp("-") || p.isOp("~")) {
		op := p.next().text
		var r exprNode
		r, err = p.mul()
		l = binaryNode{op: op, l: l, r: r}
	}
	return l, err
}

func (p *parser) mul() (exprNode, error) {
	l, err := p.unary()
	for err == nil && (p.isOp("*") || p.isOp("/") || p.isOp("%")) {
		op := p.next().text
		var r exprNode
		r, err = p.unary()
		l = binaryNode{op: op, l: l, r: r}
	}
	return l, err
}

func (p *parser) unary() (exprNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if p.isOp("-") || p.isOp("+") {
		op := p.next().text
		x, err := p.unary()
		return unaryNode{op: op, x: x}, err
	}
	x, err := p.postfix()
	for err == nil && p.isOp("|") {
		p.next()
		t := p.next()
		if t.kind != 'n' {
			return nil, fmt.Errorf("expected a filter name after | in %q", p.src)
		}
		f := filterNode{x: x, name: t.text}
		if p.isOp("(") {
			if f.args, err = p.args(")"); err != nil {
				return nil, err
			}
		}
		x = f
	}
	return x, err
}

func (p *parser) args(end string) ([]exprNode, error) {
	p.next()
	var out []exprNode
	for !p.isOp(end) {
		if p.peek().kind == 0 {
			return nil, fmt.Errorf("expected %q in %q", end, p.src)
		}
		a, err := p.inlineIf()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	return out, p.expectOp(end)
}

func (p *parser) postfix() (exprNode, error) {
	x, err := p.primary()
	for err == nil {
		switch {
		case p.isOp("."):
			p.next()
			t := p.next()
			if t.kind != 'n' && t.kind != '0' {
				return nil, fmt.Errorf("expected a name after . in %q", p.src)
			}
			x = memberNode{x: x, key: litNode{t.text}}
		case p.isOp("["):
			p.next()
			var k exprNode
			if k, err = p.inlineIf(); err != nil {
				return nil, err
			}
			if err = p.expectOp("]"); err != nil {
				return nil, err
			}
			x = memberNode{x: x, key: k}
		default:
			return x, nil
		}
	}
	return x, err
}

func (p *parser) primary() (exprNode, error) {
	t := p.next()
	switch t.kind {
	case 's':
		return litNode{t.text}, nil
	case '0':
		return litNode{t.num}, nil
	case 'n':
		switch t.text {
		case "true", "True":
			return litNode{true}, nil
		case "false", "False":
			return litNode{false}, nil
		case "null", "none", "None", "undefined":
			return litNode{nil}, nil
		}
		return nameNode{t.text}, nil
	case 'o':
		switch t.text {
		case "(":
			x, err := p.inlineIf()
			if err != nil {
				return nil, err
			}
			return x, p.expectOp(")")
		case "[":
			p.pos--
			items, err := p.args("]")
			return listNode{items}, err
		case "{":
			var d dictNode
			for !p.isOp("}") {
				k, err := p.primary()
				if err != nil {
					return nil, err
				}
				if nn, ok := k.(nameNode); ok {
					k = litNode{nn.name}
				}
				if err := p.expectOp(":"); err != nil {
					return nil, err
				}
				v, err := p.inlineIf()
				if err != nil {
					return nil, err
				}
				d.keys, d.vals = append(d.keys, k), append(d.vals, v)
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			return d, p.expectOp("}")
		}
	}
	if t.kind == 0 {
		return nil, fmt.Errorf("incomplete expression %q", p.src)
	}
	return nil, fmt.Errorf("unexpected %q in %q", t.text, p.src)
}

// Evaluate evaluates one expression (the inside of ${{ }}) against vars,
// within DefaultBudget.
func Evaluate(src string, vars map[string]any) (any, error) {
	return evaluate(newMeter(context.Background(), DefaultBudget), src, vars)
}

func evaluate(m *meter, src string, vars map[string]any) (any, error) {
	n, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	return n.eval(&scope{vars: vars, m: m})
}
