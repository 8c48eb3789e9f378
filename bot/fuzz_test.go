package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/callboard/callboard/catalog"

	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// FuzzCommandText: whatever a person types, parsing does not panic and the
// text echoed back carries no live mention or link syntax.
func FuzzCommandText(f *testing.F) {
	for _, s := range []string{"payments-api", "search pay", "team payments", "stats", "*bold* <!channel> <@U123> <https://evil|click>", "payments-api share", "!legacy-billing", strings.Repeat("x", 10000), "\x00\x1b[31m"} {
		f.Add("/owner", s)
		f.Add("/catalog", s)
	}
	f.Fuzz(func(t *testing.T, name, text string) {
		cmd := parseCommand(slack.SlashCommand{Command: name, Text: text, UserID: "U1"})
		_ = cmd
		for _, out := range []string{slacktext.Escape(text), quote(text), slacktext.Bold(text)} {
			if strings.ContainsAny(out, "<>\n\r\x00") {
				t.Fatalf("escaped text %q still holds Slack syntax or control characters", out)
			}
		}
	})
}

// FuzzUnderstand: whatever a message says, reading it does not panic, and
// what it reads stays bounded: at most three subjects, the question echoed
// back cut at 200 characters, a typed subject no longer than the message.
func FuzzUnderstand(f *testing.F) {
	ix := newNameIndex([]catalog.NameEntry{{Name: "payments-api", Ref: "component:default/payments-api"},
		{Name: "payments", Ref: "group:default/payments"}, {Name: "search", Ref: "group:default/search"},
		{Name: "acme/legacy-billing", Ref: "repo:acme/legacy-billing"}})
	for _, s := range []string{"who owns payments-api?", "<@U1> what does team search own", "docs for paymnets api and ledgr",
		"who's on call for <https://github.com/acme/x|x>", "find `x`", "deploy it", "'s ' ’s", "`", "a and or , vs",
		strings.Repeat("who owns x and ", 100), "\x00\u202e<!here>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		q := understand(text, ix)
		if len(q.subjects) > maxSubjects {
			t.Fatalf("%d subjects", len(q.subjects))
		}
		if n := utf8.RuneCountInString(q.text); n > maxQueryEcho {
			t.Fatalf("question echoed at %d characters", n)
		}
		for _, s := range q.subjects {
			if len(s.typed) > len(text)+maxQuestion || (s.name == "" && !s.unknown) {
				t.Fatalf("subject %+v", s)
			}
		}
		if q.intent == "" {
			t.Fatal("no intent")
		}
	})
}
