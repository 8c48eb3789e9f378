package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// maxSearchResults is how many matches /catalog search lists.
const maxSearchResults = 10

// answer runs a command against the catalog and says what happened, for the
// reply and for the usage event. A catalog failure becomes an apology; the
// error is logged here, where it is handled.
func (b *Bot) answer(ctx context.Context, c command) (message, catalog.UsageEvent) {
	ev := catalog.UsageEvent{Actor: c.user, At: b.now(), Outcome: catalog.OutcomeUnanswered, Detail: c.text}
	var (
		m   message
		a   *catalog.OwnerAnswer // what an owner or team answer is about, for its buttons
		err error
	)
	switch c.name {
	case "owner":
		ev.Plugin, ev.Action = catalog.PluginSlackOwner, "owner"
		if c.text == "" {
			ev.Action, ev.Outcome = "help", catalog.OutcomeAnswered
			m = helpMessage("")
			break
		}
		m, a, err = b.owner(ctx, c, &ev)
	default:
		m, a, err = b.catalogCommand(ctx, c, &ev)
	}
	if err != nil {
		ev.Outcome, ev.Entity = catalog.OutcomeUnanswered, ""
		b.log.Error("answering slack command", "action", ev.Action, "user", c.user, "team", c.team, "err", err)
		m = sorryMessage(err)
	}
	m.ResponseType = slack.ResponseTypeEphemeral
	// Only an answer (the help counts) is worth the channel's attention; a
	// miss or an apology stays with the person who asked.
	if c.share && ev.Outcome == catalog.OutcomeAnswered {
		m.ResponseType = slack.ResponseTypeInChannel
	}
	if err == nil {
		// "Share in channel" on an answer only its asker sees (the share
		// keyword does the same), and the answer's own buttons.
		var buttons []*slack.ButtonBlockElement
		if m.ResponseType == slack.ResponseTypeEphemeral && ev.Outcome == catalog.OutcomeAnswered && ev.Action != "help" {
			buttons = append(buttons, shareButton(buttonValue{Plugin: ev.Plugin, Command: c.name, Text: c.text}))
		}
		buttons = append(buttons, b.answerButtons(a, ev.Plugin)...)
		if blk := actionsBlock("answer", buttons); blk != nil {
			m.Blocks = slacktext.Bounded(append(m.Blocks, blk))
		}
	}
	return m, ev
}

// catalogCommand runs /catalog's subcommands (and any other command: its
// help).
func (b *Bot) catalogCommand(ctx context.Context, c command, ev *catalog.UsageEvent) (m message, a *catalog.OwnerAnswer, err error) {
	ev.Plugin = catalog.PluginSlackCatalog
	verb, rest := subcommand(c.text)
	if c.name != "catalog" {
		verb, rest = "help", c.text
	}
	switch verb {
	case "search":
		ev.Action, ev.Detail = "search", rest
		m, err = b.search(ctx, rest, ev)
	case "team":
		ev.Action, ev.Detail = "team", rest
		m, a, err = b.team(ctx, rest, c, ev)
	case "onboarding":
		ev.Action, ev.Detail = "onboarding", rest
		m, err = b.onboarding(ctx, rest, ev)
	case "stats", "coverage":
		ev.Action, ev.Detail = "stats", ""
		m, err = b.stats(ctx, ev)
	case "help", "":
		ev.Action = "help"
		ev.Outcome = catalog.OutcomeAnswered
		m = helpMessage("")
	default:
		// Not understood: the help, and an unanswered event so the
		// digest shows what people tried.
		ev.Action = "help"
		m = helpMessage(c.text)
	}
	return m, a, err
}

func (b *Bot) owner(ctx context.Context, c command, ev *catalog.UsageEvent) (message, *catalog.OwnerAnswer, error) {
	a, err := catalog.FindOwner(ctx, b.catalog, c.text)
	if errors.Is(err, catalog.ErrEmptyQuery) {
		ev.Action, ev.Outcome = "help", catalog.OutcomeAnswered
		return helpMessage(""), nil, nil
	}
	if err != nil {
		return message{}, nil, fmt.Errorf("finding the owner of %q: %w", c.text, err)
	}
	recordAnswer(a, ev)
	return ownerMessage(a, b.people(ctx, c.team, c.share, a)), a, nil
}

// recordAnswer fills the usage event from an owner answer: answered when it
// names an owner (or a team), about the entity when there is one.
func recordAnswer(a *catalog.OwnerAnswer, ev *catalog.UsageEvent) {
	if a.Found() && (len(a.Owners) > 0 || a.Team) {
		ev.Outcome = catalog.OutcomeAnswered
	}
	if a.Entity != nil {
		ev.Entity = a.Entity.Ref().String()
	}
}

func (b *Bot) team(ctx context.Context, q string, c command, ev *catalog.UsageEvent) (message, *catalog.OwnerAnswer, error) {
	if q == "" {
		return sectionMessage("Which team? Try `/catalog team payments`.", "Which team?"), nil, nil
	}
	a, err := b.findTeam(ctx, q)
	if err != nil {
		return message{}, nil, fmt.Errorf("finding team %q: %w", q, err)
	}
	if !a.Found() {
		return missMessage(a, commandHint("/catalog team")), nil, nil
	}
	if !a.Team {
		return notATeam(a, func(team string) string { return "Try `/catalog team " + team + "`." }), a, nil
	}
	recordAnswer(a, ev)
	return teamMessage(a, b.people(ctx, c.team, c.share, a)), a, nil
}

// notATeam points from a service to the team that owns it; try says how to
// ask about that team.
func notATeam(a *catalog.OwnerAnswer, try func(team string) string) message {
	subject, plain := subjectOf(a)
	line := subject + " is not a team."
	if len(a.Owners) > 0 {
		line = subject + " is not a team; it is owned by " + ownerNames(a.Owners, true) + "."
		if o := a.Owners[0]; o.Known && o.Name != "" {
			line += " " + try(strings.ReplaceAll(slacktext.Clean(o.Name), "`", ""))
		}
	}
	return sectionMessage(line, slacktext.Escape(plain)+" is not a team")
}

// findTeam looks q up as a group first (payments is the team even when a
// service is named payments too), then as a GitHub team slug (acme/payments,
// @acme/payments), then as anything.
func (b *Bot) findTeam(ctx context.Context, q string) (*catalog.OwnerAnswer, error) {
	q = strings.TrimPrefix(q, "@")
	if !strings.Contains(q, ":") {
		if strings.Count(q, "/") == 1 {
			gs, err := b.catalog.EntitiesWithAnnotation(ctx, catalog.AnnotationTeamSlug, strings.ToLower(q))
			if err != nil {
				return nil, err
			}
			if len(gs) > 0 {
				return catalog.FindOwner(ctx, b.catalog, gs[0].Ref().String())
			}
		} else {
			// Looked up first, so a miss does not pay for FindOwner's
			// did-you-mean twice.
			_, err := b.catalog.EntityWithoutRelations(ctx, catalog.Ref{Kind: "group", Namespace: catalog.DefaultNamespace, Name: q})
			if err == nil {
				return catalog.FindOwner(ctx, b.catalog, "group:"+q)
			}
			if !errors.Is(err, catalog.ErrNotFound) {
				return nil, err
			}
		}
	}
	return catalog.FindOwner(ctx, b.catalog, q)
}

func (b *Bot) search(ctx context.Context, q string, ev *catalog.UsageEvent) (message, error) {
	if q == "" {
		return sectionMessage("What should I look for? Try `/catalog search payments`.", "What should I look for?"), nil
	}
	es, err := b.catalog.Search(ctx, q, maxSearchResults)
	if err != nil {
		return message{}, fmt.Errorf("searching for %q: %w", q, err)
	}
	if len(es) == 0 {
		m := sectionMessage("Nothing in the catalog matches "+quote(q)+". Try fewer words, or `/owner` with a name or a GitHub URL.",
			"Nothing in the catalog matches "+quote(q))
		return m, nil
	}
	ev.Outcome = catalog.OutcomeAnswered
	owners := map[string]string{} // ref -> display name, looked up once each
	t := slacktext.NewLines(slacktext.MaxSectionText)
	noun := "matches"
	if len(es) == 1 {
		noun = "match"
	}
	t.Add(fmt.Sprintf("*%d %s for* %s", len(es), noun, quote(q)))
	for _, e := range es {
		line := "• " + entityLine(e)
		if name := b.ownerName(ctx, e, owners); name != "" {
			line += " · owned by " + slacktext.Bold(name)
		}
		t.Add(line)
		if d := e.Metadata.Description; d != "" {
			t.Add("      " + slacktext.Escape(slacktext.Truncate(d, maxDescription)))
		}
	}
	return message{
		Text:   fmt.Sprintf("%d %s for %s", len(es), noun, quote(q)),
		Blocks: []slack.Block{slacktext.Section(t), slacktext.Context("`/owner NAME` says who owns one and how to reach them.")},
	}, nil
}

// ownerName is the display name of an entity's owner, or its ref's name when
// the owner is not in the catalog.
func (b *Bot) ownerName(ctx context.Context, e *catalog.Entity, cache map[string]string) string {
	ref, ok := e.OwnerRef()
	if !ok {
		return ""
	}
	key := ref.String()
	if n, ok := cache[key]; ok {
		return n
	}
	n := ref.Name
	if o, err := b.catalog.EntityWithoutRelations(ctx, ref); err == nil {
		n = o.DisplayName()
	} else if !errors.Is(err, catalog.ErrNotFound) {
		b.log.Warn("looking up an owner for search", "ref", key, "err", err)
	}
	cache[key] = n
	return n
}

func (b *Bot) stats(ctx context.Context, ev *catalog.UsageEvent) (message, error) {
	c, err := b.catalog.Coverage(ctx)
	if err != nil {
		return message{}, fmt.Errorf("measuring coverage: %w", err)
	}
	ev.Outcome = catalog.OutcomeAnswered
	head := fmt.Sprintf("*Catalog coverage* of %d repositories (archived ones left out), %d entities", c.Repositories, c.Entities)
	field := func(name string, n int, what string) *slack.TextBlockObject {
		return slacktext.Mrkdwn(fmt.Sprintf("*%s*\n%d of %d (%.0f%%) %s", name, n, c.Repositories, catalog.Percent(n, c.Repositories), what))
	}
	fields := []*slack.TextBlockObject{
		field("Registered", c.Registered, "have a catalog file"),
		field("Owned", c.Owned, "have an owner on record"),
		field("Documented", c.Documented, "point at docs"),
	}
	if c.Invalid > 0 {
		fields = append(fields, field("Invalid", c.Invalid, "have a catalog file that does not validate"))
	}
	blocks := []slack.Block{
		&slack.SectionBlock{Type: slack.MBTSection, Text: slacktext.Mrkdwn(head), Fields: fields},
	}
	if b.baseURL != "" {
		blocks = append(blocks, slacktext.Context("This week in detail: "+slacktext.Link(b.baseURL+"/digest", b.baseURL+"/digest")))
	}
	text := fmt.Sprintf("Catalog coverage: %d repositories, %.0f%% registered, %.0f%% owned, %.0f%% documented",
		c.Repositories, catalog.Percent(c.Registered, c.Repositories), catalog.Percent(c.Owned, c.Repositories), catalog.Percent(c.Documented, c.Repositories))
	return message{Text: text, Blocks: blocks}, nil
}

// helpMessage explains the commands; unknown is what was typed when it was
// not a command (shown back, escaped).
func helpMessage(unknown string) message {
	t := slacktext.NewLines(slacktext.MaxSectionText)
	if unknown != "" {
		t.Add(quote(unknown) + " is not something I know. Here is what I do:")
	} else {
		t.Add("*callboard* answers “who owns this?” from the software catalog.")
	}
	t.Add("`/owner payments-api` — who owns a service, and how to reach them. Also takes a repository (`acme/search-service`), a GitHub URL of a file or folder, an entity ref, or a team (then: what it owns).")
	t.Add("`/catalog search TEXT` — find services, APIs and teams by name, title or description.")
	t.Add("`/catalog team TEAM` — a team, how to reach it, and what it owns.")
	t.Add("`/catalog stats` — how much of the organisation the catalog covers.")
	t.Add("`/catalog onboarding [TEAM]` — the pull requests proposing a catalog file, open for a team.")
	t.Add("`/catalog help` — this message.")
	blocks := []slack.Block{slacktext.Section(t)}
	share := "Answers are shown only to you. To post one in the channel, end the command with `share` (`/owner payments-api share`) or start it with `!` (`/owner !payments-api`)."
	blocks = append(blocks, slacktext.Context(share))
	return message{Text: "callboard: /owner NAME, /catalog search TEXT, /catalog team TEAM, /catalog stats", Blocks: blocks}
}

func sectionMessage(mrkdwnLine, fallback string) message {
	return message{Text: fallback, Blocks: []slack.Block{slacktext.SectionText(mrkdwnLine)}}
}

// sorryMessage is the reply when the catalog failed; the cause is logged, not shown.
func sorryMessage(err error) message {
	line := "Sorry, I could not look that up just now. The error has been logged; please try again in a moment."
	if errors.Is(err, context.DeadlineExceeded) {
		line = "Sorry, the catalog took too long to answer. Please try again in a moment."
	}
	return sectionMessage(line, "Sorry, I could not look that up just now.")
}
