package slacktext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"payments-api", "payments-api"},
		{"payments_api", "payments_api"},
		{"*bold*", ZWSP + "*bold" + ZWSP + "*"},
		{"_it_ ~s~ `c`", ZWSP + "_it" + ZWSP + "_ " + ZWSP + "~s" + ZWSP + "~ " + ZWSP + "`c" + ZWSP + "`"},
		{"<!channel> & <@U1>", "&lt;!channel&gt; &amp; &lt;@U1&gt;"},
		{"a\nb\tc\x00d\u202ee", "a b cde"},
		{"a\u200b*b", "a*b"},                    // a zero-width space from the input is dropped
		{"\u200b*b*", ZWSP + "*b" + ZWSP + "*"}, // and cannot stand in for ours
		{"a  \n  b", "a b"},
		{"bad \xff utf-8", "bad utf-8"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := Bold(" *x* "), "*"+ZWSP+"*x"+ZWSP+"**"; got != want {
		t.Errorf("Bold = %q, want %q", got, want)
	}
	if got, want := Unescape("&lt;!here&gt; &amp;lt;"), "<!here> &lt;"; got != want {
		t.Errorf("Unescape = %q, want %q", got, want)
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"payments-api":      "`payments-api`",
		"a`b":               "`ab`",
		"```":               "",
		"<!channel> & more": "`&lt;!channel&gt; &amp; more`",
		"two\nlines":        "`two lines`",
	} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinks(t *testing.T) {
	links := []struct{ url, label, want string }{
		{"https://a.example/x?y=1&z=2", "A", "<https://a.example/x?y=1&amp;z=2|A>"},
		{"https://a.example/<x>|y", "*A*", "<https://a.example/%3Cx%3E%7Cy|" + ZWSP + "*A" + ZWSP + "*>"},
		{"javascript:alert(1)", "js", "js"},
		{"mailto:x@example.com", "m", "m"},
		{"https://", "no host", "no host"},
		{"https://a.example/x", "", "<https://a.example/x|https://a.example/x>"},
	}
	for _, tt := range links {
		if got := Link(tt.url, tt.label); got != tt.want {
			t.Errorf("Link(%q, %q) = %q, want %q", tt.url, tt.label, got, tt.want)
		}
	}
	mails := []struct{ addr, label, want string }{
		{"alice@acme.example", "Alice", "<mailto:alice@acme.example|Alice>"},
		{"alice@acme.example", "", "<mailto:alice@acme.example|alice@acme.example>"},
		{"<!channel>@x.y", "", "&lt;!channel&gt;@x.y"},
		{"not an address", "*x*", ZWSP + "*x" + ZWSP + "*"},
	}
	for _, tt := range mails {
		if got := Mailto(tt.addr, tt.label); got != tt.want {
			t.Errorf("Mailto(%q, %q) = %q, want %q", tt.addr, tt.label, got, tt.want)
		}
	}
	channels := []struct{ id, name, want string }{
		{"C0123ABCD", "#team-payments", "<#C0123ABCD>"},
		{"", "#team-payments", "<https://slack.com/app_redirect?channel=team-payments|#team-payments>"},
		{"", "<!here>", "#&lt;!here&gt;"},
		{"", "#Ops Room", "#Ops Room"},
		{"C0123>|<!channel", "#ops", "<https://slack.com/app_redirect?channel=ops|#ops>"},
	}
	for _, tt := range channels {
		if got := Channel(tt.id, tt.name); got != tt.want {
			t.Errorf("Channel(%q, %q) = %q, want %q", tt.id, tt.name, got, tt.want)
		}
	}
	if got := JoinAnd([]string{"a", "b", "c"}); got != "a, b and c" {
		t.Errorf("JoinAnd = %q", got)
	}
}

func TestLinesStayWithinTheLimit(t *testing.T) {
	line := Link("https://a.example/"+strings.Repeat("x", 40), "a link & more")
	l := NewLines(MaxSectionText)
	for range 200 {
		l.Add(line)
	}
	s := l.String()
	if len(s) > MaxSectionText || !strings.HasSuffix(s, "\n…") {
		t.Fatalf("%d bytes ending %q, want at most %d ending in …", len(s), s[len(s)-10:], MaxSectionText)
	}
	for _, got := range strings.Split(strings.TrimSuffix(s, "\n…"), "\n") {
		if got != line {
			t.Fatalf("a line was cut: %q", got)
		}
	}
	if got := Within("a\n\nb", 100); got != "a\nb" {
		t.Errorf("Within leaves out empty lines: got %q", got)
	}
	if got := Truncate("one two three", 9); got != "one two…" {
		t.Errorf("Truncate = %q", got)
	}
}

func TestBlocksKeepBlockKitLimits(t *testing.T) {
	long := strings.Repeat("why & <that> ", 400)
	var fields, elements []string
	for range 15 {
		fields = append(fields, long)
		elements = append(elements, long)
	}
	blocks := []slack.Block{Header(long), Fields(fields...), Context(elements...)}
	for range 60 {
		blocks = append(blocks, SectionText(long, long))
	}
	blocks = Bounded(blocks)
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Type     string                   `json:"type"`
		Text     *slack.TextBlockObject   `json:"text"`
		Fields   []*slack.TextBlockObject `json:"fields"`
		Elements []*slack.TextBlockObject `json:"elements"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxBlocks {
		t.Errorf("%d blocks, want %d", len(got), MaxBlocks)
	}
	n := func(o *slack.TextBlockObject) int { return utf8.RuneCountInString(o.Text) }
	if h := got[0]; h.Type != "header" || n(h.Text) > MaxHeaderText || h.Text.Type != slack.PlainTextType {
		t.Errorf("header %+v, want plain text of at most %d", h.Text, MaxHeaderText)
	}
	if f := got[1].Fields; len(f) != MaxFields || n(f[0]) > MaxFieldText {
		t.Errorf("%d fields, the first of %d characters", len(f), n(f[0]))
	}
	if e := got[2].Elements; len(e) != MaxContextElements || n(e[0]) > MaxSectionText {
		t.Errorf("%d context elements, the first of %d characters", len(e), n(e[0]))
	}
	if s := got[3].Text; n(s) > MaxSectionText || !s.Verbatim || s.Type != slack.MarkdownType {
		t.Errorf("section %d characters, verbatim %v, type %s", n(s), s.Verbatim, s.Type)
	}
}

// FuzzEscape: whatever the text, what Escape, Bold, Code, Link and Mailto
// make of it holds no Slack syntax of its own: no control character, no
// line break, and a < only where a link of ours opens.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"*bold* <!channel> <@U123> <https://evil|click>", "a\nb", "\x00\x1b[31m", "`x`", "https://a.example/|<>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Escape(s), Bold(s), Code(s), Link(s, s), Mailto(s, s), Channel(s, s)} {
			if strings.ContainsAny(out, "\n\r\x00") {
				t.Fatalf("%q holds a line break or a control character", out)
			}
		}
		for _, out := range []string{Escape(s), Bold(s), Code(s)} {
			if strings.ContainsAny(out, "<>") {
				t.Fatalf("%q holds Slack's control characters", out)
			}
		}
		for _, out := range []string{Link(s, s), Mailto(s, s)} {
			if strings.Count(out, "<") > 1 || strings.Count(out, ">") > 1 {
				t.Fatalf("%q is more than one link", out)
			}
		}
	})
}
