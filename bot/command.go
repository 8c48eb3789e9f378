package bot

import (
	"strings"

	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// command is a slash command as the bot understands it.
type command struct {
	name        string // "owner" or "catalog"; any other command gets the help
	text        string // cleaned and bounded
	share       bool   // post the answer in the channel
	user        string
	team        string
	responseURL string
}

// parseCommand reads what Slack sent: Slack's escaping undone, control
// characters dropped, a request to share taken off, the rest bounded.
func parseCommand(sc slack.SlashCommand) command {
	c := command{name: parseCommandName(sc.Command), user: sc.UserID, team: sc.TeamID, responseURL: sc.ResponseURL}
	text := strings.TrimSpace(slacktext.Clean(slacktext.Unescape(sc.Text)))
	text, c.share = shareRequest(text)
	c.text = slacktext.Truncate(text, maxQueryEcho)
	return c
}

// parseCommandName is "owner" or "catalog" for the commands the bot answers,
// else "". A workspace that already has an /owner names ours differently,
// so the name is recognised alone or as the last word of a prefixed name
// (/owner, /acme-owner, /cb_owner).
func parseCommandName(cmd string) string {
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(cmd), "/"))
	for _, n := range []string{"owner", "catalog"} {
		if name == n || strings.HasSuffix(name, "-"+n) || strings.HasSuffix(name, "_"+n) {
			return n
		}
	}
	return ""
}

// shareRequest finds the request to post in the channel: a leading "!" or a
// trailing word "share" (/owner !payments-api, /owner payments-api share).
func shareRequest(text string) (string, bool) {
	if rest, ok := strings.CutPrefix(text, "!"); ok {
		return strings.TrimSpace(rest), true
	}
	if i := strings.LastIndexByte(text, ' '); i > 0 && strings.EqualFold(text[i+1:], "share") {
		return strings.TrimSpace(text[:i]), true
	}
	return text, false
}

// subcommand splits /catalog's text into its verb and the rest.
func subcommand(text string) (string, string) {
	verb, rest, _ := strings.Cut(text, " ")
	return strings.ToLower(verb), strings.TrimSpace(rest)
}
