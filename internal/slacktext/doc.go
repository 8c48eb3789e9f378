// Package slacktext is callboard's one way of writing for Slack, used by the
// bot's replies and the digest's summary alike. It owns mrkdwn escaping
// (Slack's control characters, formatting markers, mentions), code spans,
// links (made only from http(s) URLs and email addresses, never from other
// text), channel links, and the Block Kit limits a message keeps to, with
// the builders that keep to them: text is cut between lines, never inside
// an entity or a link.
//
// Text from a query, a catalog file or a usage event goes through Escape
// (or Bold, Code, Link, Mailto), so it cannot mention, link or format.
package slacktext
