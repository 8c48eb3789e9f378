package bot

import (
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// docsMessage answers "where are the docs for X?": the docs first, then the
// repository, who owns it (who to ask when there are none), and where
// that is written.
func docsMessage(a *catalog.OwnerAnswer, p *people) message {
	subject, plain := subjectOf(a)
	first := slacktext.NewLines(slacktext.MaxSectionText)
	var fallback string
	if l := linkList(a.Docs); l != "" {
		first.Add("Docs for " + subject + ": " + l)
		fallback = "Docs for " + slacktext.Escape(plain)
	} else {
		first.Add(subject + " has no docs on record.")
		first.Add("A `backstage.io/techdocs-ref` annotation, or a link titled “docs” in its catalog file, would add them.")
		fallback = slacktext.Escape(plain) + " has no docs on record"
	}
	if a.RepoURL != "" {
		label := a.RepoURL
		if a.Repository != nil {
			label = a.Repository.FullName
		}
		first.Add("Repository: " + slacktext.Link(a.RepoURL, label))
	}
	return askReply(a, p, first, fallback)
}

// onCallMessage answers "who is on call for X?": its own on-call
// (PagerDuty, Opsgenie, on-call links) and its owners', then how to reach
// the owners when there is none.
func onCallMessage(a *catalog.OwnerAnswer, p *people) message {
	subject, plain := subjectOf(a)
	var links []catalog.Link
	seen := map[string]bool{}
	add := func(ls []catalog.Link) {
		for _, l := range ls {
			if k := l.URL + "|" + l.Title; !seen[k] {
				seen[k] = true
				links = append(links, l)
			}
		}
	}
	if !a.Team {
		add(catalog.OnCallOf(a.Entity))
	}
	for _, o := range a.Owners {
		add(o.OnCall)
	}
	first := slacktext.NewLines(slacktext.MaxSectionText)
	fallback := "On call for " + slacktext.Escape(plain)
	if l := linkList(links); l != "" {
		first.Add("On call for " + subject + ": " + l)
	} else {
		first.Add(subject + " has no on-call on record.")
		first.Add("A `pagerduty.com/service-id` or `opsgenie.com/team` annotation, or an on-call link, on it or its owner would say who to page.")
		fallback = slacktext.Escape(plain) + " has no on-call on record"
	}
	return askReply(a, p, first, fallback)
}

// askReply is a question's answer: its first lines, then who owns the
// subject and how to reach them, then where that is written.
func askReply(a *catalog.OwnerAnswer, p *people, first *slacktext.Lines, fallback string) message {
	blocks := []slack.Block{slacktext.Section(first)}
	if line := ownerLine(a, p); line != "" {
		blocks = append(blocks, slacktext.SectionText(line))
	}
	if src := sourceText(a); src != "" {
		blocks = append(blocks, slacktext.Context(src))
	}
	return message{Text: fallback, Blocks: blocks}
}

// ownerLine is who owns something and how to reach them, on one line:
// "Owned by *Payments* · #team-payments · payments@acme.example". For a
// team, how to reach the team.
func ownerLine(a *catalog.OwnerAnswer, p *people) string {
	if len(a.Owners) == 0 {
		if a.Archived {
			return ""
		}
		return "No owner on record."
	}
	var parts []string
	if a.Archived {
		parts = append(parts, "Owned by "+ownerNames(a.Owners, true)+" "+slacktext.Escape(a.UntilArchived()))
	} else if !a.Team {
		parts = append(parts, "Owned by "+ownerNames(a.Owners, true))
	}
	parts = append(parts, contacts(a.Owners[0], p)...)
	if a.Team {
		if len(parts) == 0 {
			return ""
		}
		return "Reach them: " + strings.Join(parts, " · ")
	}
	return strings.Join(parts, " · ")
}

// conversationHelp is the answer to "help", and to what callboard does not
// answer, with examples from the catalog itself.
// service and team are the examples' names (helpExamples).
func conversationHelp(q question, service, team string) message {
	t := slacktext.NewLines(slacktext.MaxSectionText)
	fallback := "callboard answers questions about the software catalog"
	switch q.refused {
	case refusedAction:
		t.Add("I can’t " + slacktext.Escape(q.verb) + " anything: I only answer questions about the software catalog.")
		fallback = "callboard only answers questions"
	case refusedUnknown:
		t.Add("Sorry, I did not understand " + quote(q.text) + ". I answer questions about the software catalog.")
		fallback = "callboard did not understand the question"
	case refusedNoTarget:
		switch q.intent {
		case intentDocs:
			t.Add("The docs of what? Name a service, team or repository.")
		case intentOnCall:
			t.Add("On call for what? Name a service or team.")
		case intentOwns:
			t.Add("Which team? Name it.")
		default:
			t.Add("Who owns what? Name a service, team or repository.")
		}
		fallback = "callboard needs a name"
	default:
		t.Add("I answer questions about the software catalog, in plain words.")
	}
	t.Add("Ask me, for example:")
	t.Add("• “who owns " + slacktext.Escape(service) + "?” — and how to reach them")
	t.Add("• “what does team " + slacktext.Escape(team) + " own?”")
	t.Add("• “where are the docs for " + slacktext.Escape(service) + "?”")
	t.Add("• “who’s on call for " + slacktext.Escape(service) + "?”")
	t.Add("• “find services about payments” — searches names, titles and descriptions")
	blocks := []slack.Block{slacktext.Section(t),
		slacktext.Context("In a channel, mention me and I answer in the thread; in a direct message, just ask. `/owner` and `/catalog` work everywhere.")}
	return message{Text: fallback, Blocks: blocks}
}
