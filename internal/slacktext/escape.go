package slacktext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ZWSP, a zero-width space, breaks a formatting marker (*, _, ~, `) so Slack
// shows it as typed.
const ZWSP = "\u200b"

// unescaper undoes the escaping Slack applies to the text it sends.
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// Unescape undoes the escaping Slack applies to the text it sends (&amp;
// &lt; &gt;), so the text is escaped exactly once on the way out.
func Unescape(s string) string { return unescaper.Replace(s) }

// Clean drops control and bidirectional-override characters (line breaks
// and tabs become spaces, runs of spaces one) and invalid UTF-8: text from a
// query or a catalog file then cannot break a line, reorder what is shown,
// or hide characters.
func Clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '\u200b', r == '\ufeff':
			return -1
		}
		return r
	}, s)
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}

// Truncate shortens s to at most n characters, ending in "…" when it cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return strings.TrimSpace(string(rs[:n-1])) + "…"
}

// Escape makes text safe in a mrkdwn object: Slack's control characters
// become entities, so <!channel>, <@U123> and <url|label> stay text, and a
// formatting marker that could open or close *bold*, _italic_, ~strike~ or
// `code` gets a zero-width space before it. A marker inside a word
// (payments_api) cannot format, and is left alone so names copy cleanly.
func Escape(s string) string {
	rs := []rune(Clean(s))
	var b strings.Builder
	b.Grow(len(rs))
	for i, r := range rs {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '*', '_', '~', '`':
			if i == 0 || i == len(rs)-1 || !isWord(rs[i-1]) || !isWord(rs[i+1]) {
				b.WriteString(ZWSP)
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Bold is text in bold: escaped, and trimmed so the closing * can close.
func Bold(s string) string { return "*" + Escape(strings.TrimSpace(Clean(s))) + "*" }

// entities escapes Slack's three control characters and nothing else.
var entities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Code shows a name to type as inline code, "" for an empty name. Names and
// refs hold no backticks; any that slipped in are dropped so they cannot
// end the span.
func Code(s string) string {
	s = strings.ReplaceAll(Clean(s), "`", "")
	if s == "" {
		return ""
	}
	return "`" + entities.Replace(s) + "`"
}

// JoinAnd joins items as "a, b and c".
func JoinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
