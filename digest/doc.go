// Package digest is callboard's weekly adoption digest: usage events taken
// in from other tools (POST /api/usage, in callboard's JSON shape or as
// Backstage analytics events), the week's numbers computed from them and
// from the catalog (Build, pure), the renderings people read (Text, HTML,
// Slack; Slack's text is escaped and bounded by the Slack text kit,
// internal/slacktext, as the bot's is), and their delivery by email and to
// a Slack channel, once per week and recipient, on a cron schedule
// (Scheduler).
//
// A plugin reports to an owner when a catalog entity carries the annotation
// callboard.dev/usage-plugin-id: <plugin id>[, <plugin id>...]; the owner of
// that entity (spec.owner), through its spec.profile.email, receives that
// plugin's section. callboard's own plugins (slack.owner, slack.catalog,
// github.pr-check, scaffolder, catalog-api) report to DIGEST_TO, which
// receives the whole digest.
//
// What a digest says is written in templates/: digest.txt.tmpl (the text),
// digest.html.tmpl (the email's HTML and GET /digest) and slack.md.tmpl
// (the words of the Slack summary, whose blocks render_slack.go builds);
// format.go's helpers say the numbers and the phrases they share.
//
// Weeks are ISO 8601 weeks (Monday to Sunday) in DIGEST_TIMEZONE. A
// scheduled run sends the last complete week.
package digest
