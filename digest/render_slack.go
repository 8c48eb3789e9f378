package digest

import (
	"fmt"

	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// maxSlackPlugins is how many plugins the summary shows: a section holds at
// most slacktext.MaxFields fields.
const maxSlackPlugins = slacktext.MaxFields

// Slack renders the digest's summary as Block Kit blocks for the digest
// channel, with the plain text Slack shows in notifications.
func Slack(d *Digest) ([]slack.Block, string) {
	var blocks []slack.Block
	title := "callboard weekly digest · " + d.Week.String()
	if d.Scope != "" {
		title = "callboard digest for " + d.Scope + " · " + d.Week.String()
	}
	blocks = append(blocks, slacktext.Header(title))
	when := dateRange(d.From, d.To) + " · " + d.Zone
	if d.Partial {
		when += " · so far"
	}
	blocks = append(blocks, slacktext.Context(slacktext.Escape(when)))
	blocks = append(blocks, slacktext.SectionText(slacktext.Escape(summary(d))))

	var fields []string
	for i, p := range d.Plugins {
		if i == maxSlackPlugins {
			break
		}
		s := fmt.Sprintf("%s\n%s · %s · %s\n`%s`", slacktext.Bold(p.ID), plural(p.Events, "event", "events"),
			plural(p.Users, "person", "people"), p.Change, sparkline(p.Trend))
		if p.Events == 0 {
			s = fmt.Sprintf("%s\nno usage yet · %s\n`%s`", slacktext.Bold(p.ID), p.Change, sparkline(p.Trend))
		}
		fields = append(fields, s)
	}
	if len(fields) > 0 {
		blocks = append(blocks, slacktext.Fields(fields...))
		note := fmt.Sprintf("Trend: events per week, %s to %s.", d.Trend[0], d.Trend[len(d.Trend)-1])
		if more := len(d.Plugins) - maxSlackPlugins; more > 0 {
			note = fmt.Sprintf("And %s more. ", plural(more, "plugin", "plugins")) + note
		}
		blocks = append(blocks, slacktext.Context(slacktext.Escape(note)))
	}

	if d.Scope == "" {
		blocks = append(blocks, slack.NewDividerBlock())
		c := d.Coverage
		head := fmt.Sprintf("*Catalog coverage* · %s, %s", plural(c.Repositories, "repository", "repositories"), plural(c.Entities, "entity", "entities"))
		if c.Since != nil {
			head += fmt.Sprintf(" (changes since %s)", c.Since)
		}
		lines := []string{head}
		for _, r := range c.Rows {
			l := fmt.Sprintf("• %s: *%s*", r.Label, pct(r.Pct))
			if r.HasDelta {
				l += fmt.Sprintf(" (%s)", points(r.Delta))
			}
			lines = append(lines, l)
		}
		blocks = append(blocks, slacktext.SectionText(lines...))

		lines = []string{
			"*This week in the catalog*",
			"• New entities: " + num(len(d.NewEntities)),
			"• Services scaffolded: " + num(len(d.Scaffolded)),
			fmt.Sprintf("• PR checks: %s failing, %s fixed", num(len(d.ChecksFailing)), num(len(d.ChecksFixed))),
		}
		if len(d.Unanswered) == 0 {
			lines = append(lines, "• /owner answered every question")
		} else {
			lines = append(lines, "• /owner could not answer "+plural(len(d.Unanswered), "question", "questions"))
			for i, q := range d.Unanswered {
				if i == 3 {
					break
				}
				lines = append(lines, fmt.Sprintf("    “%s” ×%d", slacktext.Escape(slacktext.Truncate(q.Text, 80)), q.Count))
			}
		}
		blocks = append(blocks, slacktext.SectionText(lines...))

		k := d.KPIs
		blocks = append(blocks, slacktext.SectionText("*KPIs from merged pull requests*",
			"• "+slacktext.Escape(rateLine(k)),
			"• Time to 10th merged PR: "+slacktext.Escape(tenthLine(k))))
	}
	if d.URL != "" {
		blocks = append(blocks, slacktext.Context(slacktext.Link(d.URL, "The full digest")))
	}
	return slacktext.Bounded(blocks), subject(d)
}
