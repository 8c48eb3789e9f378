package bot

import (
	"strings"
	"testing"

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
