package bot

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/callboard/callboard/catalog"
	"github.com/slack-go/slack"
)

// Block Kit limits (Slack's block reference); replies stay inside them.
const (
	maxBlocks          = 50
	maxSectionText     = 3000
	maxFieldText       = 2000
	maxFields          = 10
	maxHeaderText      = 150
	maxContextElements = 10
)

// What a reply shows, so it stays short enough to read.
const (
	maxQueryEcho   = 200 // characters of a query echoed back (and recorded)
	maxListed      = 15  // things a team owns, listed before "and N more"
	maxMembersLine = 12  // members named before "and N more"
	maxLinks       = 5   // on-call, docs or other links per line
	maxDescription = 140 // characters of a description in a search result
)

// zwsp breaks a formatting marker (*, _, ~, `) so Slack shows it as typed.
const zwsp = "\u200b"

// unescapeSlack undoes the escaping Slack applies to the text it sends
// (&amp; &lt; &gt;), so the text is escaped exactly once on the way out.
var unescapeSlack = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// clean drops control and bidirectional-override characters (line breaks and
// tabs become spaces, runs of spaces one) and invalid UTF-8: text from a
// query or a catalog file then cannot break a line, reorder what is shown,
// or hide characters.
func clean(s string) string {
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

// truncate shortens s to at most n characters, ending in "…" when it cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return strings.TrimSpace(string(rs[:n-1])) + "…"
}

// esc makes text safe in a mrkdwn object: Slack's control characters become
// entities, so <!channel>, <@U123> and <url|label> stay text, and a
// formatting marker that could open or close *bold*, _italic_, ~strike~ or
// `code` gets a zero-width space before it. A marker inside a word
// (payments_api) cannot format, and is left alone so names copy cleanly.
func esc(s string) string {
	rs := []rune(clean(s))
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
				b.WriteString(zwsp)
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// bold is text in bold: escaped, and trimmed so the closing * can close.
func bold(s string) string { return "*" + esc(strings.TrimSpace(clean(s))) + "*" }

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// quote echoes what someone typed: escaped, bounded, in quotation marks.
func quote(s string) string { return "“" + esc(truncate(s, maxQueryEcho)) + "”" }

// code shows a name to type, as inline code. Names and refs hold no
// backticks; any that slipped in are dropped so they cannot end the span.
func code(s string) string {
	s = strings.ReplaceAll(clean(s), "`", "")
	if s == "" {
		return ""
	}
	return "`" + strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s) + "`"
}

// link is <url|label> for an http(s) URL; anything else is shown as text,
// never as a link.
func link(u, label string) string {
	u = strings.TrimSpace(clean(u))
	if label == "" {
		label = u
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return esc(label)
	}
	return "<" + escURL(u) + "|" + esc(label) + ">"
}

// escURL keeps a URL inside <...|...>: & as Slack's entity, and the three
// characters that would end or split the link percent-encoded.
func escURL(u string) string {
	return strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C", " ", "%20").Replace(u)
}

var emailRE = regexp.MustCompile(`^[^\s@<>|&]+@[^\s@<>|&]+\.[^\s@<>|&]+$`)

// mailto links an email address, or shows it as text when it does not look like one.
func mailto(addr, label string) string {
	addr = strings.TrimSpace(clean(addr))
	if label == "" {
		label = addr
	}
	if !emailRE.MatchString(addr) {
		return esc(label)
	}
	return "<mailto:" + escURL(addr) + "|" + esc(label) + ">"
}

// channel links an owner's Slack channel: by id when it is known (Slack
// shows the channel's name and opens it), else by name through Slack's
// app_redirect, which opens a channel by name.
func channel(o catalog.Owner) string {
	if id := clean(o.SlackChannelID); id != "" {
		return "<#" + id + ">"
	}
	name := strings.TrimPrefix(strings.TrimSpace(clean(o.SlackChannel)), "#")
	if !channelNameRE.MatchString(name) {
		return esc("#" + name)
	}
	return link("https://slack.com/app_redirect?channel="+url.QueryEscape(name), "#"+name)
}

// channelNameRE is what Slack allows in a channel name.
var channelNameRE = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]{1,80}$`)

// joinAnd joins items as "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// text collects the lines of one mrkdwn object and stops, with "…", before
// the object would pass limit. Lines are never cut inside, so no entity or
// link is broken.
type text struct {
	lines []string
	n     int
	limit int
	cut   bool
}

func newText(limit int) *text { return &text{limit: limit} }

func (t *text) add(line string) {
	if t.cut || line == "" {
		return
	}
	if t.n+len(line)+1 > t.limit-len("\n…") {
		t.cut = true
		return
	}
	t.lines = append(t.lines, line)
	t.n += len(line) + 1
}

func (t *text) String() string {
	s := strings.Join(t.lines, "\n")
	if t.cut {
		s += "\n…"
	}
	return s
}

func (t *text) empty() bool { return len(t.lines) == 0 }

// mrkdwn is a mrkdwn object. Verbatim: Slack must not turn bare names,
// URLs or @here in catalog text into links or mentions.
func mrkdwn(s string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.MarkdownType, Text: s, Verbatim: true}
}

func section(t *text) slack.Block {
	return &slack.SectionBlock{Type: slack.MBTSection, Text: mrkdwn(t.String())}
}

func sectionText(lines ...string) slack.Block {
	t := newText(maxSectionText)
	for _, l := range lines {
		t.add(l)
	}
	return section(t)
}

// contextBlock is a line of small print; each element is bounded like a section.
func contextBlock(elements ...string) slack.Block {
	var els []slack.MixedElement
	for _, e := range elements {
		if e == "" || len(els) == maxContextElements {
			continue
		}
		t := newText(maxSectionText)
		t.add(e)
		els = append(els, mrkdwn(t.String()))
	}
	return &slack.ContextBlock{Type: slack.MBTContext, ContextElements: slack.ContextElements{Elements: els}}
}
