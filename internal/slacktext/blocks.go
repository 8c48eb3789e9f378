package slacktext

import (
	"strings"

	"github.com/slack-go/slack"
)

// Block Kit limits (Slack's block reference): a message keeps inside them.
const (
	MaxBlocks          = 50
	MaxSectionText     = 3000
	MaxFieldText       = 2000
	MaxFields          = 10
	MaxHeaderText      = 150
	MaxContextElements = 10
)

// Lines collects the lines of one mrkdwn object and stops, with "…", before
// the object would pass its limit. Lines are never cut inside, so no entity
// or link is broken. An empty line is left out.
type Lines struct {
	lines []string
	n     int
	limit int
	cut   bool
}

// NewLines collects lines for an object of at most limit bytes.
func NewLines(limit int) *Lines { return &Lines{limit: limit} }

// Add appends a line, unless the object is full.
func (t *Lines) Add(line string) {
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

// String is the lines, and "…" on a line of its own when some were left out.
func (t *Lines) String() string {
	s := strings.Join(t.lines, "\n")
	if t.cut {
		s += "\n…"
	}
	return s
}

// Empty reports whether no line was added.
func (t *Lines) Empty() bool { return len(t.lines) == 0 }

// Within is text (lines separated by \n) bounded to limit as Lines bounds it.
func Within(text string, limit int) string {
	t := NewLines(limit)
	for _, l := range strings.Split(text, "\n") {
		t.Add(l)
	}
	return t.String()
}

// Mrkdwn is a mrkdwn object. Verbatim: Slack must not turn bare names,
// URLs or @here in catalog text into links or mentions.
func Mrkdwn(s string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.MarkdownType, Text: s, Verbatim: true}
}

// Section is a section block of the collected lines.
func Section(t *Lines) slack.Block {
	return &slack.SectionBlock{Type: slack.MBTSection, Text: Mrkdwn(t.String())}
}

// SectionText is a section block of lines, bounded like Lines.
func SectionText(lines ...string) slack.Block {
	t := NewLines(MaxSectionText)
	for _, l := range lines {
		t.Add(l)
	}
	return Section(t)
}

// Fields is a section block of fields, each bounded like Lines, at most
// MaxFields of them.
func Fields(fields ...string) slack.Block {
	var objs []*slack.TextBlockObject
	for _, f := range fields[:min(len(fields), MaxFields)] {
		objs = append(objs, Mrkdwn(Within(f, MaxFieldText)))
	}
	return &slack.SectionBlock{Type: slack.MBTSection, Fields: objs}
}

// Context is a line of small print; each element is bounded like a section,
// an empty one is left out, and at most MaxContextElements are kept.
func Context(elements ...string) slack.Block {
	var els []slack.MixedElement
	for _, e := range elements {
		if e == "" || len(els) == MaxContextElements {
			continue
		}
		t := NewLines(MaxSectionText)
		t.Add(e)
		els = append(els, Mrkdwn(t.String()))
	}
	return &slack.ContextBlock{Type: slack.MBTContext, ContextElements: slack.ContextElements{Elements: els}}
}

// Header is a header block: plain text, cleaned and bounded.
func Header(text string) slack.Block {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, Truncate(Clean(text), MaxHeaderText), false, false))
}

// Bounded keeps blocks to MaxBlocks.
func Bounded(blocks []slack.Block) []slack.Block {
	return blocks[:min(len(blocks), MaxBlocks)]
}
