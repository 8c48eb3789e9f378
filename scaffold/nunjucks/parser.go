package nunjucks

import (
	"fmt"
	"unicode"
)

// Expression parsing, as Nunjucks' lexer and parser read an expression.

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

func (p *parser) leave() { p.depth-- }

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

// inlineIf is "x if c else y"; the else part is one "or" expression, as
// in Nunjucks (a second "if" after it is an error there).
func (p *parser) inlineIf() (exprNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	n, err := p.or()
	if err != nil || !p.isWord("if") {
		return n, err
	}
	p.next()
	test, err := p.or()
	if err != nil {
		return nil, err
	}
	c := condNode{test: test, then: n}
	if p.isWord("else") {
		p.next()
		if c.els, err = p.or(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// binary parses a left-associative level of operators over next.
func (p *parser) binary(next func() (exprNode, error), op func() (string, bool)) (exprNode, error) {
	l, err := next()
	for err == nil {
		o, ok := op()
		if !ok {
			break
		}
		var r exprNode
		if r, err = next(); err == nil {
			l = binaryNode{op: o, l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) word(w string) func() (string, bool) {
	return func() (string, bool) {
		if p.isWord(w) {
			p.next()
			return w, true
		}
		return "", false
	}
}

func (p *parser) op(ops ...string) func() (string, bool) {
	return func() (string, bool) {
		for _, o := range ops {
			if p.isOp(o) {
				p.next()
				return o, true
			}
		}
		return "", false
	}
}

func (p *parser) or() (exprNode, error)  { return p.binary(p.and, p.word("or")) }
func (p *parser) and() (exprNode, error) { return p.binary(p.not, p.word("and")) }

func (p *parser) not() (exprNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if p.isWord("not") {
		p.next()
		x, err := p.not()
		return unaryNode{op: "not", x: x}, err
	}
	return p.in()
}

// in is "x in y" and "x not in y".
func (p *parser) in() (exprNode, error) {
	l, err := p.compare()
	for err == nil {
		invert := p.isWord("not") && p.toks[p.pos+1].kind == 'n' && p.toks[p.pos+1].text == "in"
		if invert {
			p.next()
		}
		if !p.isWord("in") {
			break
		}
		p.next()
		var r exprNode
		if r, err = p.compare(); err != nil {
			return nil, err
		}
		l = binaryNode{op: "in", l: l, r: r}
		if invert {
			l = unaryNode{op: "not", x: l}
		}
	}
	return l, err
}

// The levels below "in", loosest first, as Nunjucks has them: its "+" is
// looser than "-", "*" than "/", and "%" binds tighter than both.
func (p *parser) compare() (exprNode, error) {
	return p.binary(p.concat, p.op("==", "===", "!=", "!==", "<", ">", "<=", ">="))
}
func (p *parser) concat() (exprNode, error)   { return p.binary(p.add, p.op("~")) }
func (p *parser) add() (exprNode, error)      { return p.binary(p.sub, p.op("+")) }
func (p *parser) sub() (exprNode, error)      { return p.binary(p.mul, p.op("-")) }
func (p *parser) mul() (exprNode, error)      { return p.binary(p.div, p.op("*")) }
func (p *parser) div() (exprNode, error)      { return p.binary(p.floorDiv, p.op("/")) }
func (p *parser) floorDiv() (exprNode, error) { return p.binary(p.mod, p.op("//")) }
func (p *parser) mod() (exprNode, error)      { return p.binary(p.pow, p.op("%")) }
func (p *parser) pow() (exprNode, error)      { return p.binary(p.filtered, p.op("**")) }

// filtered is a unary expression and the filters after it: "-x | f" is
// (-x) | f.
func (p *parser) filtered() (exprNode, error) {
	x, err := p.unary()
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

func (p *parser) unary() (exprNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if p.isOp("-") || p.isOp("+") {
		op := p.next().text
		x, err := p.unary()
		return unaryNode{op: op, x: x}, err
	}
	return p.postfix()
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
			if t.kind != 'n' || keywords[t.text] {
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
		case p.isOp("("):
			return nil, fmt.Errorf("%q calls a function; callboard's templates call none", shortSrc(p.src))
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
		case "true":
			return litNode{true}, nil
		case "false":
			return litNode{false}, nil
		case "null", "none":
			return litNode{null}, nil
		}
		if !validName(t.text) {
			return nil, fmt.Errorf("unexpected %q in %q", t.text, p.src)
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
			return p.dict()
		}
	}
	if t.kind == 0 {
		return nil, fmt.Errorf("incomplete expression %q", p.src)
	}
	return nil, fmt.Errorf("unexpected %q in %q", t.text, p.src)
}

// keywords are literals, not names: values.null is an error, as in
// Nunjucks (values['null'] reads the key).
var keywords = map[string]bool{"true": true, "false": true, "null": true, "none": true}

// validName reports a name Nunjucks would look up: it does not start with
// a digit.
func validName(s string) bool {
	r := []rune(s)
	return len(r) > 0 && !unicode.IsDigit(r[0])
}

func (p *parser) dict() (exprNode, error) {
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
