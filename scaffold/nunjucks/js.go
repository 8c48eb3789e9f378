package nunjucks

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Nunjucks compiles a template to JavaScript, so what a template prints is
// what JavaScript's conversions make of the values. These are those
// conversions, for JSON values: nil is undefined (a name or member that is
// not there), null is null (a JSON null, none).

// nullValue is JavaScript's null.
type nullValue struct{}

// MarshalJSON writes null.
func (nullValue) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

var null = nullValue{}

func nullish(v any) bool { return v == nil || v == null }

// stored is a value read out of a list or an object: a JSON null there is
// null, not undefined.
func stored(v any) any {
	if v == nil {
		return null
	}
	return v
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil, nullValue:
		return false
	case bool:
		return v
	case float64:
		return v != 0 && !math.IsNaN(v)
	case int:
		return v != 0
	case string:
		return v != ""
	}
	return true
}

// ToString is what ${{ }} prints of a value: JavaScript's String(v), and
// nothing for undefined and null.
func ToString(v any) string {
	if nullish(v) {
		return ""
	}
	return jsString(v)
}

// jsString is JavaScript's String(v).
func jsString(v any) string {
	switch v := v.(type) {
	case nil:
		return "undefined"
	case nullValue:
		return "null"
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
			parts[i] = ToString(x)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return "[object Object]"
}

// formatNumber is JavaScript's Number.prototype.ToString().
func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// The shortest digits that read back as f, and where the point goes.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	k := len(digits)
	x, _ := strconv.Atoi(exp)
	n := x + 1
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	out := digits[:1]
	if k > 1 {
		out += "." + digits[1:]
	}
	es := "+"
	if n-1 < 0 {
		es = "-"
	}
	return sign + out + "e" + es + strconv.Itoa(abs(n-1))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// isSpace is JavaScript's \s.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// toPrimitive is what JavaScript compares and adds of a list or object: its
// text.
func toPrimitive(v any) any {
	switch v.(type) {
	case []any, map[string]any:
		return jsString(v)
	}
	return v
}

// toNumber is JavaScript's Number(v).
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
	case nullValue:
		return 0
	case string:
		return stringToNumber(v)
	case []any:
		return stringToNumber(jsString(v))
	}
	return math.NaN()
}

func stringToNumber(s string) float64 {
	s = strings.TrimFunc(s, isSpace)
	switch s {
	case "":
		return 0
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	if len(s) > 2 && s[0] == '0' {
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[s[1]]
		if base != 0 {
			n, err := strconv.ParseUint(s[2:], base, 64)
			if err != nil || strings.Contains(s, "_") {
				return math.NaN()
			}
			return float64(n)
		}
	}
	if !isDecimal(s) {
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// decimalPrefix is the length of the longest prefix of s that is a
// decimal number (JavaScript's StrDecimalLiteral, without Infinity).
func decimalPrefix(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	end := digitsEnd(s, i)
	digits := end - i
	i = end
	if i < len(s) && s[i] == '.' {
		j := digitsEnd(s, i+1)
		digits += j - (i + 1)
		if digits > 0 {
			i = j
		}
	}
	if digits == 0 {
		return 0
	}
	return exponentEnd(s, i)
}

// digitsEnd is where the run of digits at s[i] ends.
func digitsEnd(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// exponentEnd is where an exponent (e, a sign, digits) at s[i] ends; i
// when there is none.
func exponentEnd(s string, i int) int {
	if i >= len(s) || s[i] != 'e' && s[i] != 'E' {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if k := digitsEnd(s, j); k > j {
		return k
	}
	return i
}

func isDecimal(s string) bool { return s != "" && decimalPrefix(s) == len(s) }

// length16 is a string's length in JavaScript: UTF-16 code units.
func length16(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// charAt16 is s[i] in JavaScript. A character outside the Basic
// Multilingual Plane is two UTF-16 units there, and either one alone is
// written out as U+FFFD (Node's UTF-8 encoder does so): so it reads here.
func charAt16(s string, i int) (string, bool) {
	if i < 0 {
		return "", false
	}
	for _, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if i < w {
			if w == 2 {
				return string(utf8.RuneError), true
			}
			return string(r), true
		}
		i -= w
	}
	return "", false
}

// chars16 are s's UTF-16 units as charAt16 reads them.
func chars16(s string) []string {
	out := make([]string, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			out = append(out, string(utf8.RuneError), string(utf8.RuneError))
			continue
		}
		out = append(out, string(r))
	}
	return out
}

// arrayIndex reads a member name as a list index, as JavaScript does: a
// non-negative integer, or its canonical text.
func arrayIndex(k any) (int, bool) {
	switch k := k.(type) {
	case float64:
		if k >= 0 && k == math.Trunc(k) && k < math.MaxInt32 {
			return int(k), true
		}
	case string:
		n, err := strconv.Atoi(k)
		if err == nil && n >= 0 && strconv.Itoa(n) == k {
			return n, true
		}
	}
	return 0, false
}
