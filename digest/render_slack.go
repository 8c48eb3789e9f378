package digest

import (
	"strings"

	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// maxSlackPlugins is how many plugins the summary shows: a section holds at
// most slacktext.MaxFields fields.
const maxSlackPlugins = slacktext.MaxFields

// Slack renders the digest's summary as Block Kit blocks for the digest
// channel, with the plain text Slack shows in notifications. The words are
// templates/slack.md.tmpl's; the kit escapes and bounds them.
func Slack(d *Digest) ([]slack.Block, string) {
	v := newView(d)
	blocks := []slack.Block{
		slacktext.Header(v.Title + " · " + d.Week.String()),
		slacktext.Context(slacktext.Escape(execute("slack-when", v))),
	}
	if d.Scope == "" && d.Adoption != nil {
		blocks = append(blocks, section(execute("slack-changes", v))) // the digest leads with what changed
	}
	blocks = append(blocks, slacktext.SectionText(slacktext.Escape(v.Summary)))
	var fields []string
	for _, p := range d.Plugins[:min(len(d.Plugins), maxSlackPlugins)] {
		fields = append(fields, execute("slack-plugin", p))
	}
	if len(fields) > 0 {
		trend := struct {
			More     int
			From, To string
		}{max(len(d.Plugins)-maxSlackPlugins, 0), v.TrendFrom, v.TrendTo}
		blocks = append(blocks, slacktext.Fields(fields...), slacktext.Context(slacktext.Escape(execute("slack-trend", trend))))
	}
	if d.Scope == "" {
		blocks = append(blocks, slack.NewDividerBlock(),
			section(execute("slack-coverage", v)),
			section(execute("slack-week", v)),
			section(execute("slack-kpis", v)))
		if d.Onboarding != nil {
			blocks = append(blocks, section(execute("slack-onboarding", v)))
		}
	}
	if d.URL != "" {
		blocks = append(blocks, slacktext.Context(slacktext.Link(d.URL, "The full digest")))
	}
	return slacktext.Bounded(blocks), subject(d)
}

// section is a section block of mrkdwn lines, cut between lines to fit.
func section(text string) slack.Block {
	return slacktext.SectionText(strings.Split(text, "\n")...)
}
