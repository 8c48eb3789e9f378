// Package bot answers Slack slash commands from the catalog. /owner QUERY
// says who owns a service, repository, file or team and how to reach them;
// /catalog searches, lists what a team owns, measures coverage and explains
// itself. The handler verifies Slack's request signature before it reads a
// field, answers inline when the catalog answers within a deadline, and
// otherwise acknowledges at once and posts the answer to the command's
// response_url.
//
// Everything that reaches a reply from a query or a catalog file is escaped
// for Slack's mrkdwn with callboard's Slack text kit (internal/slacktext),
// so neither can mention, link or format, and every reply keeps to Block
// Kit's limits. This package owns what the replies say; the kit owns how
// text is written for Slack.
package bot
