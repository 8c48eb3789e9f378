package bot

import (
	"fmt"
	"sort"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// message is a slash command's reply, inline or through response_url.
type message struct {
	ResponseType string        `json:"response_type,omitempty"`
	Text         string        `json:"text,omitempty"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
	// For a response_url of a button: whether the message replaces the
	// one the button is on, or deletes it.
	ReplaceOriginal *bool `json:"replace_original,omitempty"`
	DeleteOriginal  bool  `json:"delete_original,omitempty"`
}

// ownerMessage renders an answer to /owner (and /catalog team): who owns it
// and how to reach them first, then links, then where the answer came from.
// p shows the people it names (nil: by email).
func ownerMessage(a *catalog.OwnerAnswer, p *people) message {
	if !a.Found() {
		return missMessage(a, commandHint("/owner"))
	}
	if a.Team && a.Entity != nil {
		return teamMessage(a, p)
	}
	first, fallback := ownedBy(a)
	if len(a.Owners) == 1 {
		reach(first, a.Owners[0], false, p)
	}
	blocks := []slack.Block{slacktext.Section(first)}
	if len(a.Owners) > 1 {
		blocks = append(blocks, ownerCards(a.Owners, p)...)
	}
	if l := linksText(a); !l.Empty() {
		blocks = append(blocks, slacktext.Section(l))
	}
	if a.Entity != nil && a.Entity.Metadata.Description != "" {
		blocks = append(blocks, slacktext.Context(slacktext.Escape(slacktext.Truncate(a.Entity.Metadata.Description, 300))))
	}
	if src := sourceText(a); src != "" {
		blocks = append(blocks, slacktext.Context(src))
	}
	return message{Text: fallback, Blocks: blocks}
}

// ownedBy is the first lines of an answer, who owns it (or owned it, or
// that nobody is on record), and the notification's text.
func ownedBy(a *catalog.OwnerAnswer) (*slacktext.Lines, string) {
	subject, plainSubject := subjectOf(a)
	first := slacktext.NewLines(slacktext.MaxSectionText)
	fallback := slacktext.Escape(plainSubject) + " has no owner on record"
	switch {
	case len(a.Owners) == 0:
		first.Add(subject + " has no owner on record.")
		if a.Archived {
			first.Add("The repository is archived.")
		} else {
			first.Add("A catalog-info.yaml with `spec.owner`, or a CODEOWNERS file, would say who owns it.")
		}
	case a.Archived:
		until := " " + slacktext.Escape(a.UntilArchived()) + "."
		first.Add(subject + " was owned by " + ownerNames(a.Owners, true) + until)
		fallback = slacktext.Escape(plainSubject) + " was owned by " + ownerNames(a.Owners, false) + until
	default:
		first.Add(subject + " is owned by " + ownerNames(a.Owners, true))
		fallback = slacktext.Escape(plainSubject) + " is owned by " + ownerNames(a.Owners, false)
		if c := a.Owners[0].SlackChannel; c != "" && len(a.Owners) == 1 {
			fallback += " (" + slacktext.Escape(c) + ")" // a notification shows text, not links
		}
	}
	return first, fallback
}

// ownerCards is a section per owner, so each reads as a card; the
// answer's first line already names them all.
func ownerCards(owners []catalog.Owner, p *people) []slack.Block {
	var blocks []slack.Block
	for i, o := range owners {
		if i == 5 {
			blocks = append(blocks, slacktext.SectionText(fmt.Sprintf("and %d more owners", len(owners)-i)))
			break
		}
		t := slacktext.NewLines(slacktext.MaxSectionText)
		reach(t, o, true, p)
		if !t.Empty() {
			blocks = append(blocks, slacktext.Section(t))
		}
	}
	return blocks
}

// teamMessage renders a team (or a person): how to reach them, then what they own.
func teamMessage(a *catalog.OwnerAnswer, p *people) message {
	e := a.Entity
	var o catalog.Owner
	if len(a.Owners) > 0 {
		o = a.Owners[0]
	}
	label := "team"
	if strings.EqualFold(e.Kind, "user") {
		label = "person"
	} else if t := e.SpecString("type"); t != "" {
		label = t
	}
	first := slacktext.NewLines(slacktext.MaxSectionText)
	first.Add(slacktext.Bold(e.DisplayName()) + " (" + slacktext.Escape(label) + ")")
	reach(first, o, false, p)
	blocks := []slack.Block{slacktext.Section(first)}
	if e.Metadata.Description != "" {
		blocks = append(blocks, slacktext.Context(slacktext.Escape(slacktext.Truncate(e.Metadata.Description, 300))))
	}

	owned := slacktext.NewLines(slacktext.MaxSectionText)
	total := len(a.Owned) + a.MoreOwned
	switch total {
	case 0:
		owned.Add("Owns nothing in the catalog yet.")
	case 1:
		owned.Add("*Owns 1 thing*")
	default:
		owned.Add(fmt.Sprintf("*Owns %d things*", total))
	}
	es := append([]*catalog.Entity(nil), a.Owned...)
	sort.SliceStable(es, func(i, j int) bool { return kindOrder(es[i]) < kindOrder(es[j]) })
	for i, x := range es {
		if i == maxListed {
			break
		}
		owned.Add("• " + entityLine(x))
	}
	if more := total - min(len(es), maxListed); more > 0 {
		owned.Add(fmt.Sprintf("and %d more", more))
	}
	blocks = append(blocks, slacktext.Section(owned))
	blocks = append(blocks, slacktext.Context(sourceText(a)))
	return message{
		Text:   slacktext.Escape(fmt.Sprintf("%s (%s) owns %d things in the catalog", e.DisplayName(), label, total)),
		Blocks: blocks,
	}
}

// commandHint is what a miss says a slash command takes.
func commandHint(command string) string {
	return "`" + command + "` takes a service or team name, `org/repo`, an entity ref or a GitHub URL. " +
		"`/catalog search` looks in titles and descriptions too."
}

// missMessage says kindly that nothing matched and offers close matches;
// hint says what to ask instead.
func missMessage(a *catalog.OwnerAnswer, hint string) message {
	t := slacktext.NewLines(slacktext.MaxSectionText)
	t.Add("Nothing in the catalog matches " + quote(a.Query) + ".")
	if len(a.Suggestions) > 0 {
		var ss []string
		for _, s := range a.Suggestions {
			if c := slacktext.Code(s); c != "" {
				ss = append(ss, c)
			}
		}
		t.Add("Did you mean " + joinOr(ss) + "?")
	}
	blocks := []slack.Block{slacktext.Section(t)}
	blocks = append(blocks, slacktext.Context(hint))
	fallback := "Nothing in the catalog matches " + quote(a.Query)
	return message{Text: fallback, Blocks: blocks}
}

func joinOr(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// subjectOf names what the answer is about, as mrkdwn and as plain text.
func subjectOf(a *catalog.OwnerAnswer) (string, string) {
	var md, plain string
	switch {
	case a.Entity != nil:
		md, plain = slacktext.Bold(a.Entity.DisplayName()), a.Entity.DisplayName()
		if k := kindLabel(a.Entity); k != "" {
			md += " (" + slacktext.Escape(k) + ")"
		}
	case a.Repository != nil:
		md, plain = slacktext.Bold(a.Repository.FullName), a.Repository.FullName
	}
	if a.Path != "" {
		md = slacktext.Bold(a.Path) + " in " + md
		plain = a.Path + " in " + plain
	}
	return md, plain
}

// kindLabel is what a person calls an entity: a component's type (service,
// website, library), else its kind.
func kindLabel(e *catalog.Entity) string {
	switch strings.ToLower(e.Kind) {
	case "component":
		if t := e.SpecString("type"); t != "" {
			return t
		}
		return "component"
	case "api":
		return "API"
	case "user":
		return "person"
	case "group":
		if t := e.SpecString("type"); t != "" {
			return t
		}
	}
	return strings.ToLower(e.Kind)
}

// kindOrder lists services before the APIs, resources and systems around them.
func kindOrder(e *catalog.Entity) int {
	switch strings.ToLower(e.Kind) {
	case "component":
		return 0
	case "api":
		return 1
	case "resource":
		return 2
	case "system":
		return 3
	case "domain":
		return 4
	}
	return 5
}

// entityLine is one thing in a list: title, what it is, and its name to type.
func entityLine(e *catalog.Entity) string {
	s := slacktext.Bold(e.DisplayName()) + " — " + slacktext.Escape(kindLabel(e))
	if e.DisplayName() != e.Metadata.Name {
		s += " " + slacktext.Code(e.Metadata.Name)
	}
	return s
}

// ownerNames lists owners, escaped: *Payments*, or *Platform* and *Erin Walsh*.
func ownerNames(os []catalog.Owner, md bool) string {
	names := make([]string, 0, len(os))
	for _, o := range os {
		n := o.DisplayName
		if n == "" {
			n = o.Name
		}
		if md {
			n = slacktext.Bold(n)
		} else {
			n = slacktext.Escape(n)
		}
		if !o.Known {
			n += " (not in the catalog)"
		}
		names = append(names, n)
	}
	return slacktext.JoinAnd(names)
}
