package nunjucks

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// A filter gets the value it filters and its arguments (nil where a
// template gave fewer); m bounds what it may make. Each does what the
// nunjucks filter of its name does, failing where that one throws.
type filter func(m *Meter, v any, args []any) (any, error)

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

var filters map[string]filter

func init() {
	filters = map[string]filter{
		"dump":       dumpFilter,
		"safe":       safeFilter,
		"string":     stringFilter,
		"lower":      caseFilter("lower", cases.Lower(language.Und)),
		"upper":      caseFilter("upper", cases.Upper(language.Und)),
		"capitalize": textFilter("capitalize", capitalize),
		"title":      textFilter("title", title),
		"trim":       trimFilter,
		"replace":    replaceFilter,
		"default":    defaultFilter,
		"d":          defaultFilter,
		"join":       joinFilter,
		"urlencode":  urlencodeFilter,
		"length":     lengthFilter,
		"first":      firstFilter,
		"last":       lastFilter,
		"int":        intFilter,
		"float":      floatFilter,
		// Backstage's own, as its scaffolder adds them.
		"parseRepoUrl":   backstage(parseRepoURLFilter),
		"projectSlug":    backstage(projectSlugFilter),
		"parseEntityRef": backstage(parseEntityRefFilter),
		"pick":           backstage(pickFilter),
	}
}

// normalize is nunjucks' own: undefined, null and false read as "".
func normalize(v any) any {
	if nullish(v) || v == false {
		return ""
	}
	return v
}

// textFilter is a filter of one string (after normalize); anything else
// fails, as its JavaScript string method would be missing.
func textFilter(name string, f func(string) string) filter {
	return func(m *Meter, v any, _ []any) (any, error) {
		s, ok := normalize(v).(string)
		if !ok {
			return nil, fmt.Errorf("%s: %s is not text", name, kindOf(v))
		}
		if err := m.step(1 + len(s)/checkEvery); err != nil {
			return nil, err
		}
		out := f(s)
		return out, m.str(len(out))
	}
}

func caseFilter(name string, c cases.Caser) filter {
	return textFilter(name, func(s string) string { return c.String(s) })
}

var lower, upper = cases.Lower(language.Und), cases.Upper(language.Und)

// capitalize is nunjucks': all lower case, then the first character upper
// (a character outside the Basic Multilingual Plane is two UTF-16 units in
// JavaScript, which upper-cases neither).
func capitalize(s string) string {
	s = lower.String(s)
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || r >= 0x10000 {
		return s
	}
	return upper.String(s[:size]) + s[size:]
}

// title capitalizes each word between single spaces.
func title(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		words[i] = capitalize(w)
	}
	return strings.Join(words, " ")
}

func safeFilter(m *Meter, v any, _ []any) (any, error) {
	if nullish(v) {
		return "", nil
	}
	return m.toString(v)
}

func stringFilter(m *Meter, v any, _ []any) (any, error) {
	if nullish(v) {
		return nil, fmt.Errorf("string: the value is %s", kindOf(v))
	}
	return m.toString(v)
}

func trimFilter(m *Meter, v any, _ []any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("trim: %s is not text", kindOf(v))
	}
	if err := m.step(1 + len(s)/checkEvery); err != nil {
		return nil, err
	}
	return strings.TrimFunc(s, isSpace), nil
}

func replaceFilter(m *Meter, v any, args []any) (any, error) {
	old, repl, count := arg(args, 0), arg(args, 1), arg(args, 2)
	switch o := old.(type) {
	case float64:
		old = formatNumber(o)
	case string:
	default:
		return v, nil // nunjucks gives back what it was given
	}
	s, ok := v.(string)
	if f, isNum := v.(float64); isNum {
		s, ok = formatNumber(f), true
	}
	if !ok {
		return v, nil
	}
	n, zero := replaceCount(count)
	if zero {
		return s, nil
	}
	with, err := m.toString(repl)
	if err != nil {
		return nil, err
	}
	from := old.(string)
	if from == "" {
		// Python's way: "abc" | replace("", ".") is ".a.b.c.".
		if err := m.str(replaceSize(s, "", with, -1)); err != nil {
			return nil, err
		}
		return with + strings.Join(strings.Split(s, ""), with) + with, nil
	}
	if n == 0 {
		return s, nil
	}
	if err := m.str(replaceSize(s, from, with, n)); err != nil {
		return nil, err
	}
	if err := m.step(1 + len(s)/checkEvery); err != nil {
		return nil, err
	}
	return strings.Replace(s, from, with, n), nil
}

// replaceCount is how many replacements replace's count asks for: -1 for
// all (no count, or a huge one), 0 for a negative count (nunjucks replaces
// nothing); zero is a count of 0, which gives back the text unchanged
// before the replacement is even read.
func replaceCount(count any) (n int, zero bool) {
	if count == nil {
		return -1, false
	}
	c := toNumber(count)
	switch {
	case c == 0:
		return 0, true
	case c > 0 && c < math.MaxInt32:
		return int(math.Ceil(c)), false
	case c >= math.MaxInt32:
		return -1, false
	}
	return 0, false // a negative count: nunjucks replaces nothing
}

func defaultFilter(_ *Meter, v any, args []any) (any, error) {
	def, always := arg(args, 0), truthy(arg(args, 1))
	if always && !truthy(v) || !always && v == nil {
		return def, nil
	}
	return v, nil
}

func joinFilter(m *Meter, v any, args []any) (any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("join: %s is not a list", kindOf(v))
	}
	sep := ""
	if d := arg(args, 0); truthy(d) {
		var err error
		if sep, err = m.toString(d); err != nil {
			return nil, err
		}
	}
	if attr := arg(args, 1); truthy(attr) {
		picked := make([]any, len(l))
		for i, x := range l {
			if nullish(x) {
				return nil, fmt.Errorf("join: item %d is %s", i, kindOf(x))
			}
			picked[i] = member(x, attr)
		}
		l = picked
	}
	var b strings.Builder
	for i, x := range l {
		if i > 0 {
			if err := m.str(b.Len() + len(sep)); err != nil {
				return nil, err
			}
			b.WriteString(sep)
		}
		if nullish(x) {
			continue
		}
		if err := m.appendString(&b, x, 0); err != nil {
			return nil, err
		}
	}
	return b.String(), nil
}

// encodeURIComponent escapes all but A-Z a-z 0-9 - _ . ! ~ * ' ( ).
func encodeURIComponent(s string) string {
	return strings.NewReplacer("%21", "!", "%27", "'", "%28", "(", "%29", ")", "%2A", "*", "+", "%20").Replace(url.QueryEscape(s))
}

func urlencodeFilter(m *Meter, v any, _ []any) (any, error) {
	var pairs [][2]any
	switch v := v.(type) {
	case string:
		return encodeURIComponent(v), nil
	case []any:
		// Each item is taken apart as [key, value].
		for i, it := range v {
			if nullish(stored(it)) {
				return nil, fmt.Errorf("urlencode: item %d is %s, not a [key, value] pair", i, kindOf(stored(it)))
			}
			pairs = append(pairs, [2]any{member(it, 0.0), member(it, 1.0)})
		}
	case map[string]any:
		for _, k := range objectKeys(v) {
			pairs = append(pairs, [2]any{k, stored(v[k])})
		}
	}
	if err := m.step(len(pairs)); err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, p := range pairs {
		k, err := m.toString(p[0])
		if err != nil {
			return nil, err
		}
		val, err := m.toString(p[1])
		if err != nil {
			return nil, err
		}
		pair := encodeURIComponent(k) + "=" + encodeURIComponent(val)
		if i > 0 {
			pair = "&" + pair
		}
		if err := m.str(b.Len() + len(pair)); err != nil {
			return nil, err
		}
		b.WriteString(pair)
	}
	return b.String(), nil
}

func lengthFilter(_ *Meter, v any, _ []any) (any, error) {
	switch v := normalize(v).(type) {
	case []any:
		return float64(len(v)), nil
	case map[string]any:
		return float64(len(v)), nil
	case string:
		return float64(length16(v)), nil
	}
	return nil, nil // a number's or true's .length: undefined
}

func firstFilter(_ *Meter, v any, _ []any) (any, error) {
	if nullish(v) {
		return nil, fmt.Errorf("first: the value is %s", kindOf(v))
	}
	return member(v, 0.0), nil
}

func lastFilter(_ *Meter, v any, _ []any) (any, error) {
	switch x := v.(type) {
	case nil, nullValue:
		return nil, fmt.Errorf("last: the value is %s", kindOf(v))
	case []any:
		return member(v, float64(len(x)-1)), nil
	case string:
		return member(v, float64(length16(x)-1)), nil
	case map[string]any:
		return member(v, "NaN"), nil // length is undefined there
	}
	return nil, nil
}

// intFilter is parseInt(String(v), 10), or the default.
func intFilter(m *Meter, v any, args []any) (any, error) {
	s, err := m.toString(v)
	if err != nil {
		return nil, err
	}
	s = strings.TrimLeftFunc(s, isSpace)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return arg(args, 0), nil
	}
	return stringToNumber(s[:j]), nil
}

// floatFilter is parseFloat(String(v)), or the default.
func floatFilter(m *Meter, v any, args []any) (any, error) {
	s, err := m.toString(v)
	if err != nil {
		return nil, err
	}
	s = strings.TrimLeftFunc(s, isSpace)
	for _, inf := range []string{"Infinity", "+Infinity", "-Infinity"} {
		if strings.HasPrefix(s, inf) {
			return stringToNumber(inf), nil
		}
	}
	n := decimalPrefix(s)
	if n == 0 {
		return arg(args, 0), nil
	}
	return stringToNumber(s[:n]), nil
}
