package nunjucks

import (
	"fmt"
	"strconv"
	"strings"
)

// Expression lexing, as Nunjucks' lexer reads an expression.

type token struct {
	kind byte // 'n' name, '0' number, 's' string, 'o' operator, 0 end
	text string
	num  float64
}

// delimChars end a name; whitespace does too.
const delimChars = "()[]{}%*-+~/#,:|.<>=!"

// operators, longest first.
var operators = []string{"===", "!==", "==", "!=", "<=", ">=", "//", "**"}

func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			s, n, err := lexString(src[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: 's', text: s})
			i += n
		case strings.IndexByte(delimChars, c) >= 0:
			op := string(c)
			for _, o := range operators {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			out = append(out, token{kind: 'o', text: op})
			i += len(op)
		default:
			var t token
			t, i = lexWord(src, i)
			out = append(out, t)
		}
	}
	return append(out, token{}), nil
}

// lexWord reads the name or number that starts at src[i], and returns
// where it ends.
func lexWord(src string, i int) (token, int) {
	j := i
	for j < len(src) && !strings.ContainsRune(" \t\n\r'\""+delimChars, rune(src[j])) {
		j++
	}
	word := src[i:j]
	i = j
	if !isDigits(word) {
		return token{kind: 'n', text: word}, i
	}
	// An integer, or with a "." and digits after it a float.
	if i < len(src) && src[i] == '.' {
		k := i + 1
		for k < len(src) && src[k] >= '0' && src[k] <= '9' {
			k++
		}
		word, i = word+src[i:k], k
	}
	f, _ := strconv.ParseFloat(strings.TrimSuffix(word, "."), 64)
	return token{kind: '0', text: word, num: f}, i
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lexString reads a quoted string at the start of s: \n, \t and \r are
// what they say, a backslash before anything else is that thing.
func lexString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\\' && j+1 < len(s):
			j++
			switch s[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[j])
			}
		case c == q:
			return b.String(), j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string in %q", shortSrc(s))
}
