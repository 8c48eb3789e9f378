package check

import (
	"strconv"
	"strings"
	"unicode"
)

// What callboard writes on a pull request quotes the pull request's own
// files, and a pull request may come from anyone's fork. A value from a
// file is shown only inside a code span, where GitHub makes no mention
// (@org/team), no link, no reference (#12) and no formatting; the prose
// around it is escaped.

// codeSpan shows s as code, whatever it holds: on one line, between runs
// of backticks longer than any in s.
func codeSpan(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
	if strings.TrimSpace(s) == "" {
		return `""`
	}
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	// A space on each side keeps a backtick at either end off the fence;
	// CommonMark takes one such space away again.
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// markdown renders a finding's message, plain text in which values are
// Go-quoted ("x"), as markdown: each quoted value becomes a code span, a
// word that GitHub would turn into a mention, a link or a reference too,
// and the rest is escaped.
func markdown(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		if msg[i] == '"' {
			if q, err := strconv.QuotedPrefix(msg[i:]); err == nil {
				v, _ := strconv.Unquote(q)
				b.WriteString(codeSpan(v))
				i += len(q)
				continue
			}
		}
		j := i
		for j < len(msg) && msg[j] != '"' && msg[j] != ' ' {
			j++
		}
		if j == i {
			if msg[i] == ' ' {
				b.WriteByte(' ')
			} else {
				b.WriteString(`\"`)
			}
			i++
			continue
		}
		word := msg[i:j]
		if linky(word) {
			b.WriteString(codeSpan(word))
		} else {
			b.WriteString(escape(word))
		}
		i = j
	}
	return b.String()
}

// linky reports a word GitHub would make a mention, a link or a reference
// of: @someone, a URL, an address, #12, GH-12, a commit hash.
func linky(w string) bool {
	lw := strings.ToLower(w)
	if strings.ContainsAny(w, "@#") || strings.Contains(lw, "://") || strings.Contains(lw, "www.") || strings.HasPrefix(lw, "gh-") {
		return true
	}
	t := strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) })
	if len(t) >= 7 && strings.Trim(strings.ToLower(t), "0123456789abcdef") == "" {
		return true
	}
	return false
}

// escape makes markdown show s as it is written.
func escape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune("\\`*_[]<>!~&", c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
