package bot

import (
	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
)

// What a reply shows, so it stays short enough to read. Slack's own limits
// (Block Kit) are the kit's: internal/slacktext.
const (
	maxQueryEcho   = 200 // characters of a query echoed back (and recorded)
	maxListed      = 15  // things a team owns, listed before "and N more"
	maxMembersLine = 12  // members named before "and N more"
	maxLinks       = 5   // on-call, docs or other links per line
	maxDescription = 140 // characters of a description in a search result
)

// quote echoes what someone typed: escaped, bounded, in quotation marks.
func quote(s string) string {
	return "“" + slacktext.Escape(slacktext.Truncate(s, maxQueryEcho)) + "”"
}

// channel links an owner's Slack channel, by id when the catalog knows it.
func channel(o catalog.Owner) string { return slacktext.Channel(o.SlackChannelID, o.SlackChannel) }
