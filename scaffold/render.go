package scaffold

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Templates are rendered as Backstage's fetch:template renders them: Nunjucks
// with ${{ }} for output, {% %} for tags (if/elif/else, for, set, raw) and
// {# #} for comments, "-" trimming whitespace on either side.

type tmplNode interface {
	render(s *scope, b *strings.Builder) error
}

type (
	textNode string
	outNode  struct{ x exprNode }
	ifNode   struct {
		conds  []exprNode
		bodies [][]tmplNode // one per cond, then the else body if any
	}
	forNode struct {
		vars      []string
		iter      exprNode
		body, els []tmplNode
	}
	setNode struct {
		name string
		x    exprNode
	}
)

// maxRendered bounds what one file renders to: loops over answers must not
// make a request write without end.
const maxRendered = 16 << 20

var errTooLarge = overBudget("renders to more than %d MB", maxRendered>>20)

// emit writes rendered text, within the file's and the job's limits.
func emit(s *scope, b *strings.Builder, text string) error {
	if b.Len()+len(text) > maxRendered {
		return errTooLarge
	}
	if err := s.m.write(len(text)); err != nil {
		return err
	}
	b.WriteString(text)
	return nil
}

func (n textNode) render(s *scope, b *strings.Builder) error {
	if err := s.m.step(1); err != nil {
		return err
	}
	return emit(s, b, string(n))
}

func (n outNode) render(s *scope, b *strings.Builder) error {
	v, err := n.x.eval(s)
	if err != nil {
		return err
	}
	out, err := s.m.toString(v)
	if err != nil {
		return err
	}
	return emit(s, b, out)
}

func (n ifNode) render(s *scope, b *strings.Builder) error {
	if err := s.m.step(1); err != nil {
		return err
	}
	for i, c := range n.conds {
		v, err := c.eval(s)
		if err != nil {
			return err
		}
		if truthy(v) {
			return renderAll(n.bodies[i], s, b)
		}
	}
	if len(n.bodies) > len(n.conds) {
		return renderAll(n.bodies[len(n.conds)], s, b)
	}
	return nil
}

func (n forNode) render(s *scope, b *strings.Builder) error {
	v, err := n.iter.eval(s)
	if err != nil {
		return err
	}
	type pair struct{ k, v any }
	var items []pair
	switch v := v.(type) {
	case []any:
		if err := s.m.step(len(v)); err != nil {
			return err
		}
		for _, x := range v {
			items = append(items, pair{nil, x})
		}
	case map[string]any:
		if err := s.m.step(len(v)); err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			items = append(items, pair{k, v[k]})
		}
	}
	if len(items) == 0 {
		return renderAll(n.els, s, b)
	}
	for i, it := range items {
		// Each pass costs a step, whether or not it writes anything: a
		// loop of loops that writes nothing ends too.
		if err := s.m.step(1); err != nil {
			return err
		}
		inner := &scope{vars: map[string]any{"loop": map[string]any{
			"index": float64(i + 1), "index0": float64(i), "first": i == 0, "last": i == len(items)-1,
			"length": float64(len(items)), "revindex": float64(len(items) - i), "revindex0": float64(len(items) - i - 1),
		}}, parent: s, m: s.m}
		switch {
		case len(n.vars) == 2 && it.k != nil:
			inner.vars[n.vars[0]], inner.vars[n.vars[1]] = it.k, it.v
		case len(n.vars) == 2:
			l := anyList(it.v)
			for j, name := range n.vars {
				if j < len(l) {
					inner.vars[name] = l[j]
				}
			}
		case it.k != nil:
			inner.vars[n.vars[0]] = it.k
		default:
			inner.vars[n.vars[0]] = it.v
		}
		if err := renderAll(n.body, inner, b); err != nil {
			return err
		}
	}
	return nil
}

func (n setNode) render(s *scope, _ *strings.Builder) error {
	v, err := n.x.eval(s)
	if err != nil {
		return err
	}
	s.vars[n.name] = v
	return nil
}

func renderAll(ns []tmplNode, s *scope, b *strings.Builder) error {
	for _, n := range ns {
		if err := n.render(s, b); err != nil {
			return err
		}
	}
	return nil
}

// tag is one ${{ }}, {% %} or {# #} of a template's text.
type tag struct {
	kind         byte // '$', '%', '#'
	body         string
	trimL, trimR bool
}

// lexTemplate splits text into literal text and tags.
func lexTemplate(src string) ([]any, error) {
	var out []any
	for {
		i, kind := nextOpen(src)
		if i < 0 {
			out = append(out, src)
			return out, nil
		}
		out = append(out, src[:i])
		open := map[byte]int{'$': 3, '%': 2, '#': 2}[kind]
		rest := src[i+open:]
		end := findClose(rest, kind)
		if end < 0 {
			return nil, fmt.Errorf("unclosed %s", src[i:i+open])
		}
		t := tag{kind: kind, body: rest[:end]}
		if strings.HasPrefix(t.body, "-") {
			t.trimL, t.body = true, t.body[1:]
		}
		if strings.HasSuffix(t.body, "-") {
			t.trimR, t.body = true, t.body[:len(t.body)-1]
		}
		t.body = strings.TrimSpace(t.body)
		out = append(out, t)
		src = rest[end+2:]
		if kind == '%' && (t.body == "raw" || t.body == "verbatim") {
			endTag := "end" + t.body
			j := indexEndRaw(src, endTag)
			if j < 0 {
				return nil, fmt.Errorf("{%% %s %%} without {%% %s %%}", t.body, endTag)
			}
			out = append(out, rawText(src[:j]))
			src = src[j:]
		}
	}
}

type rawText string

// nextOpen finds the first ${{, {% or {#. It looks at each brace once, so
// a text of many tags is read in one pass.
func nextOpen(s string) (int, byte) {
	for off := 0; ; {
		i := strings.IndexByte(s[off:], '{')
		if i < 0 || off+i+1 >= len(s) {
			return -1, 0
		}
		i += off
		switch s[i+1] {
		case '%':
			return i, '%'
		case '#':
			return i, '#'
		case '{':
			if i > 0 && s[i-1] == '$' {
				return i - 1, '$'
			}
		}
		off = i + 1
	}
}

// findClose finds the end of a tag, skipping string literals in expressions.
func findClose(s string, kind byte) int {
	closer := map[byte]string{'$': "}}", '%': "%}", '#': "#}"}[kind]
	if kind == '#' {
		return strings.Index(s, closer)
	}
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case strings.HasPrefix(s[i:], closer):
			return i
		}
	}
	return -1
}

func indexEndRaw(s, endTag string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], "{%")
		if i < 0 {
			return -1
		}
		i += off
		// The tag's inside starts after "{%": in "{%}" the "%" is not a close.
		j := strings.Index(s[i+2:], "%}")
		if j < 0 {
			return -1
		}
		if strings.TrimSpace(strings.Trim(strings.TrimSpace(s[i+2:i+2+j]), "-")) == endTag {
			return i
		}
		off = i + 2
	}
}

// compileTemplate parses a template's text.
func compileTemplate(src string) ([]tmplNode, error) {
	parts, err := lexTemplate(src)
	if err != nil {
		return nil, err
	}
	// Whitespace control: a "-" trims the text on that side of the tag.
	for i, p := range parts {
		t, ok := p.(tag)
		if !ok {
			continue
		}
		if t.trimL && i > 0 {
			if s, ok := parts[i-1].(string); ok {
				parts[i-1] = strings.TrimRight(s, " \t\r\n")
			}
		}
		if t.trimR && i+1 < len(parts) {
			if s, ok := parts[i+1].(string); ok {
				parts[i+1] = strings.TrimLeft(s, " \t\r\n")
			}
		}
	}
	c := &compiler{parts: parts}
	nodes, end, err := c.block()
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, fmt.Errorf("{%% %s %%} without its opening tag", end)
	}
	return nodes, nil
}

type compiler struct {
	parts []any
	pos   int
	depth int
}

// block compiles nodes until a closing or middle tag (endif, else, ...),
// which it returns.
func (c *compiler) block() ([]tmplNode, string, error) {
	if c.depth++; c.depth > maxBlockDepth {
		return nil, "", fmt.Errorf("{%% if %%} and {%% for %%} nested more than %d deep", maxBlockDepth)
	}
	defer func() { c.depth-- }()
	var out []tmplNode
	for c.pos < len(c.parts) {
		p := c.parts[c.pos]
		c.pos++
		switch p := p.(type) {
		case string:
			if p != "" {
				out = append(out, textNode(p))
			}
		case rawText:
			out = append(out, textNode(p))
		case tag:
			switch p.kind {
			case '#':
			case '$':
				x, err := parseExpr(p.body)
				if err != nil {
					return nil, "", err
				}
				out = append(out, outNode{x})
			case '%':
				word, rest, _ := strings.Cut(p.body, " ")
				rest = strings.TrimSpace(rest)
				switch word {
				case "if":
					n, err := c.ifBlock(rest)
					if err != nil {
						return nil, "", err
					}
					out = append(out, n)
				case "for":
					n, err := c.forBlock(rest)
					if err != nil {
						return nil, "", err
					}
					out = append(out, n)
				case "set":
					name, expr, ok := strings.Cut(rest, "=")
					if !ok {
						return nil, "", fmt.Errorf("{%% set %s %%}: want {%% set name = value %%}", rest)
					}
					x, err := parseExpr(expr)
					if err != nil {
						return nil, "", err
					}
					out = append(out, setNode{name: strings.TrimSpace(name), x: x})
				case "raw", "verbatim", "endraw", "endverbatim":
				case "endif", "else", "elif", "elseif", "endfor":
					return out, p.body, nil
				default:
					return nil, "", fmt.Errorf("{%% %s %%} is not a tag callboard renders (it renders if, for, set, raw)", word)
				}
			}
		}
	}
	return out, "", nil
}

func (c *compiler) ifBlock(cond string) (tmplNode, error) {
	var n ifNode
	for {
		x, err := parseExpr(cond)
		if err != nil {
			return nil, err
		}
		body, end, err := c.block()
		if err != nil {
			return nil, err
		}
		n.conds, n.bodies = append(n.conds, x), append(n.bodies, body)
		word, rest, _ := strings.Cut(end, " ")
		switch word {
		case "endif":
			return n, nil
		case "elif", "elseif":
			cond = rest
		case "else":
			body, end, err := c.block()
			if err != nil {
				return nil, err
			}
			if end != "endif" {
				return nil, fmt.Errorf("{%% else %%} without {%% endif %%}")
			}
			n.bodies = append(n.bodies, body)
			return n, nil
		default:
			return nil, fmt.Errorf("{%% if %s %%} without {%% endif %%}", cond)
		}
	}
}

func (c *compiler) forBlock(head string) (tmplNode, error) {
	vars, iter, ok := strings.Cut(head, " in ")
	if !ok {
		return nil, fmt.Errorf("{%% for %s %%}: want {%% for x in list %%}", head)
	}
	var n forNode
	for _, v := range strings.Split(vars, ",") {
		n.vars = append(n.vars, strings.TrimSpace(v))
	}
	x, err := parseExpr(iter)
	if err != nil {
		return nil, err
	}
	n.iter = x
	body, end, err := c.block()
	if err != nil {
		return nil, err
	}
	n.body = body
	if end == "else" {
		if n.els, end, err = c.block(); err != nil {
			return nil, err
		}
	}
	if end != "endfor" {
		return nil, fmt.Errorf("{%% for %s %%} without {%% endfor %%}", head)
	}
	return n, nil
}

// RenderString renders a template's text against vars, within
// DefaultBudget.
func RenderString(src string, vars map[string]any) (string, error) {
	return renderString(newMeter(context.Background(), DefaultBudget), src, vars)
}

func renderString(m *meter, src string, vars map[string]any) (string, error) {
	if !strings.Contains(src, "${{") && !strings.Contains(src, "{%") && !strings.Contains(src, "{#") {
		if err := m.write(len(src)); err != nil {
			return "", err
		}
		return src, nil
	}
	if err := m.step(1 + len(src)/checkEvery); err != nil {
		return "", err
	}
	nodes, err := compileTemplate(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := renderAll(nodes, &scope{vars: copyVars(vars), m: m}, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

func copyVars(vars map[string]any) map[string]any {
	out := make(map[string]any, len(vars))
	for k, v := range vars {
		out[k] = v
	}
	return out
}

// RenderValue evaluates a step input: a string that is one ${{ }} keeps the
// expression's value (an object, a number); other strings are rendered as
// text; lists and objects are rendered item by item. It spends
// DefaultBudget.
func RenderValue(v any, vars map[string]any) (any, error) {
	return renderValue(newMeter(context.Background(), DefaultBudget), v, vars)
}

func renderValue(m *meter, v any, vars map[string]any) (any, error) {
	if err := m.step(1); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case string:
		if x, ok := soleExpression(v); ok {
			return evaluate(m, x, vars)
		}
		return renderString(m, v, vars)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			r, err := renderValue(m, x, vars)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			r, err := renderValue(m, x, vars)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

// soleExpression reports whether s is exactly one ${{ }}, and its inside.
func soleExpression(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "${{") {
		return "", false
	}
	end := findClose(t[3:], '$')
	if end < 0 || 3+end+2 != len(t) {
		return "", false
	}
	return strings.TrimSpace(t[3 : 3+end]), true
}
