package digest

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// Block Kit limits the summary keeps to.
const (
	maxBlocks       = 50
	maxSectionText  = 3000
	maxFieldText    = 2000
	maxHeaderText   = 150
	maxSlackPlugins = 10 // a section holds at most 10 fields
)

// mrkdwn escapes text for Slack's mrkdwn: &, < and > are control characters.
func mrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func md(s string, limit int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, truncate(s, limit), false, true)
}

// Slack renders the digest's summary as Block Kit blocks for the digest
// channel, with the plain text Slack shows in notifications.
func Slack(d *Digest) ([]slack.Block, string) {
	var blocks []slack.Block
	title := "callboard weekly digest · " + d.Week.String()
	if d.Scope != "" {
		title = "callboard digest for " + d.Scope + " · " + d.Week.String()
	}
	blocks = append(blocks, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(title, maxHeaderText), false, false)))
	when := dateRange(d.From, d.To) + " · " + d.Zone
	if d.Partial {
		when += " · so far"
	}
	blocks = append(blocks, slack.NewContextBlock("", md(mrkdwn(when), maxSectionText)))
	blocks = append(blocks, slack.NewSectionBlock(md(mrkdwn(summary(d)), maxSectionText), nil, nil))

	var fields []*slack.TextBlockObject
	for i, p := range d.Plugins {
		if i == maxSlackPlugins {
			break
		}
		s := fmt.Sprintf("*%s*\n%s · %s · %s\n`%s`", mrkdwn(p.ID), plural(p.Events, "event", "events"),
			plural(p.Users, "person", "people"), p.Change, sparkline(p.Trend))
		if p.Events == 0 {
			s = fmt.Sprintf("*%s*\nno usage yet · %s\n`%s`", mrkdwn(p.ID), p.Change, sparkline(p.Trend))
		}
		fields = append(fields, md(s, maxFieldText))
	}
	if len(fields) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
		note := fmt.Sprintf("Trend: events per week, %s to %s.", d.Trend[0], d.Trend[len(d.Trend)-1])
		if more := len(d.Plugins) - maxSlackPlugins; more > 0 {
			note = fmt.Sprintf("And %s more. ", plural(more, "plugin", "plugins")) + note
		}
		blocks = append(blocks, slack.NewContextBlock("", md(mrkdwn(note), maxSectionText)))
	}

	if d.Scope == "" {
		blocks = append(blocks, slack.NewDividerBlock())
		c := d.Coverage
		var b strings.Builder
		fmt.Fprintf(&b, "*Catalog coverage* · %s, %s", plural(c.Repositories, "repository", "repositories"), plural(c.Entities, "entity", "entities"))
		if c.Since != nil {
			fmt.Fprintf(&b, " (changes since %s)", c.Since)
		}
		for _, r := range c.Rows {
			fmt.Fprintf(&b, "\n• %s: *%s*", r.Label, pct(r.Pct))
			if r.HasDelta {
				fmt.Fprintf(&b, " (%s)", points(r.Delta))
			}
		}
		if m := d.MissingURLs; m != nil {
			fmt.Fprintf(&b, "\nWithout a catalog file: <%s|CODEOWNERS only> · <%s|neither>", mrkdwn(m.CodeownersOnly), mrkdwn(m.Neither))
		}
		blocks = append(blocks, slack.NewSectionBlock(md(b.String(), maxSectionText), nil, nil))

		b.Reset()
		b.WriteString("*This week in the catalog*")
		fmt.Fprintf(&b, "\n• New entities: %s", num(len(d.NewEntities)))
		fmt.Fprintf(&b, "\n• Services scaffolded: %s", num(len(d.Scaffolded)))
		fmt.Fprintf(&b, "\n• PR checks: %s failing, %s fixed", num(len(d.ChecksFailing)), num(len(d.ChecksFixed)))
		if len(d.Unanswered) == 0 {
			b.WriteString("\n• /owner answered every question")
		} else {
			fmt.Fprintf(&b, "\n• /owner could not answer %s", plural(len(d.Unanswered), "question", "questions"))
			for i, q := range d.Unanswered {
				if i == 3 {
					break
				}
				fmt.Fprintf(&b, "\n    “%s” ×%d", mrkdwn(truncate(q.Text, 80)), q.Count)
			}
		}
		blocks = append(blocks, slack.NewSectionBlock(md(b.String(), maxSectionText), nil, nil))

		k := d.KPIs
		b.Reset()
		b.WriteString("*KPIs from merged pull requests*")
		fmt.Fprintf(&b, "\n• %s", mrkdwn(rateLine(k)))
		fmt.Fprintf(&b, "\n• Time to 10th merged PR: %s", mrkdwn(tenthLine(k)))
		blocks = append(blocks, slack.NewSectionBlock(md(b.String(), maxSectionText), nil, nil))
	}
	if d.URL != "" {
		blocks = append(blocks, slack.NewContextBlock("", md(fmt.Sprintf("<%s|The full digest>", mrkdwn(d.URL)), maxSectionText)))
	}
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks]
	}
	return blocks, subject(d)
}
