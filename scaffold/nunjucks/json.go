package nunjucks

import (
	"fmt"
	"math"
	"strings"
)

// JSON.stringify, as the dump filter writes it.

func dumpFilter(m *Meter, v any, args []any) (any, error) {
	indent := ""
	switch n := arg(args, 0).(type) {
	case float64:
		if n >= 1 {
			indent = strings.Repeat(" ", int(min(n, maxIndent)))
		}
	case string:
		if length16(n) > maxIndent {
			n = string([]rune(n)[:maxIndent])
		}
		indent = n
	}
	if v == nil {
		return nil, nil // JSON.stringify(undefined) is undefined
	}
	n, err := m.jsonSize(v, len(indent), 0)
	if err != nil {
		return nil, err
	}
	if err := m.str(n); err != nil {
		return nil, err
	}
	var b strings.Builder
	writeJSON(&b, v, indent, 0)
	return b.String(), nil
}

// maxIndent is JSON.stringify's: a larger indent is cut to 10.
const maxIndent = 10

// writeJSON writes v as JSON.stringify(v, null, indent) does.
func writeJSON(b *strings.Builder, v any, indent string, depth int) {
	switch v := v.(type) {
	case nil, nullValue:
		b.WriteString("null")
	case bool:
		fmt.Fprint(b, v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(formatNumber(v))
	case int:
		fmt.Fprint(b, v)
	case string:
		writeJSONString(b, v)
	case []any:
		writeJSONArray(b, v, indent, depth)
	case map[string]any:
		writeJSONObject(b, v, indent, depth)
	default:
		b.WriteString("null")
	}
}

// jsonNewline starts a line at depth when the JSON is indented.
func jsonNewline(b *strings.Builder, indent string, depth int) {
	if indent != "" {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(indent, depth))
	}
}

func writeJSONArray(b *strings.Builder, v []any, indent string, depth int) {
	if len(v) == 0 {
		b.WriteString("[]")
		return
	}
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		jsonNewline(b, indent, depth+1)
		writeJSON(b, x, indent, depth+1)
	}
	jsonNewline(b, indent, depth)
	b.WriteByte(']')
}

func writeJSONObject(b *strings.Builder, v map[string]any, indent string, depth int) {
	if len(v) == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteByte('{')
	for i, k := range objectKeys(v) {
		if i > 0 {
			b.WriteByte(',')
		}
		jsonNewline(b, indent, depth+1)
		writeJSONString(b, k)
		b.WriteByte(':')
		if indent != "" {
			b.WriteByte(' ')
		}
		writeJSON(b, v[k], indent, depth+1)
	}
	jsonNewline(b, indent, depth)
	b.WriteByte('}')
}

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}
