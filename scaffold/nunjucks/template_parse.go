package nunjucks

import (
	"fmt"
	"regexp"
	"strings"
)

// Reading a template's text into nodes: literal text and the ${{ }}, {% %}
// and {# #} tags, as Nunjucks' lexer and parser find them.

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
			text, end := rawEnd(src, t.body)
			out = append(out, rawText(src[:text]))
			src = src[end:]
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

var reRawTags = map[string]*regexp.Regexp{
	"raw":      regexp.MustCompile(`\{%\s*(raw|endraw)\s*%\}`),
	"verbatim": regexp.MustCompile(`\{%\s*(verbatim|endverbatim)\s*%\}`),
}

// rawEnd is where the text of {% raw %} (or {% verbatim %}) ends, and
// where its closing tag ends, as Nunjucks finds them: raw blocks inside it
// are counted, and the closing tag has no "-". Where that tag is missing,
// the text ends after the last raw tag and the rest is template again.
func rawEnd(s, name string) (text, end int) {
	level, last := 1, 0
	for _, m := range reRawTags[name].FindAllStringSubmatchIndex(s, -1) {
		if s[m[2]:m[3]] == name {
			level++
		} else if level--; level == 0 {
			return m[0], m[1]
		}
		last = m[1]
	}
	return last, last
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
				parts[i-1] = strings.TrimRightFunc(s, isSpace)
			}
		}
		if t.trimR && i+1 < len(parts) {
			if s, ok := parts[i+1].(string); ok {
				parts[i+1] = strings.TrimLeftFunc(s, isSpace)
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
				n, end, err := c.statement(p.body)
				switch {
				case err != nil:
					return nil, "", err
				case end != "":
					return out, end, nil
				case n != nil:
					out = append(out, n)
				}
			}
		}
	}
	return out, "", nil
}

// statement compiles a {% %} tag's body: if, for, set, raw; or returns the
// closing or middle tag it is.
func (c *compiler) statement(body string) (tmplNode, string, error) {
	word, rest, _ := strings.Cut(body, " ")
	rest = strings.TrimSpace(rest)
	switch word {
	case "if":
		n, err := c.ifBlock(rest)
		return n, "", err
	case "for":
		n, err := c.forBlock(rest)
		return n, "", err
	case "set":
		name, expr, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, "", fmt.Errorf("{%% set %s %%}: want {%% set name = value %%}", rest)
		}
		x, err := parseExpr(expr)
		if err != nil {
			return nil, "", err
		}
		return setNode{name: strings.TrimSpace(name), x: x}, "", nil
	case "raw", "verbatim":
		return nil, "", nil
	case "endif", "else", "elif", "elseif", "endfor":
		return nil, body, nil
	}
	return nil, "", fmt.Errorf("{%% %s %%} is not a tag callboard renders (it renders if, for, set, raw)", word)
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
