package slacktext

import (
	"net/url"
	"regexp"
)

// Slack's ids: a user (U, or W on Enterprise Grid) and a workspace (T, or E
// for an Enterprise organisation). Anything else is not linked.
var (
	userIDRE = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	teamIDRE = regexp.MustCompile(`^[TE][A-Z0-9]{2,20}$`)
)

// ValidUserID reports whether id is a Slack user id.
func ValidUserID(id string) bool { return userIDRE.MatchString(id) }

// Mention is <@U123>: Slack shows the person's name and notifies them. Use
// it only where someone chose to tell the channel (a shared answer); "" for
// an id that is not a Slack user id.
func Mention(userID string) string {
	if !ValidUserID(userID) {
		return ""
	}
	return "<@" + userID + ">"
}

// Person shows a Slack user by name, linked to a conversation with them
// (Slack's slack://user deep link), without notifying them: a mention
// (<@U123>) in a message notifies the person it names, a link does not.
// name is escaped; an id that is not a Slack user id shows the name alone.
func Person(teamID, userID, name string) string {
	if name == "" {
		name = userID
	}
	if !ValidUserID(userID) {
		return Escape(name)
	}
	q := url.Values{"id": {userID}}
	if teamIDRE.MatchString(teamID) {
		q.Set("team", teamID)
	}
	// Encode sorts the keys: slack://user?id=U123&team=T123.
	return "<slack://user?" + escURL(q.Encode()) + "|" + Escape(name) + ">"
}
