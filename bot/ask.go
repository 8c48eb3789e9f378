package bot

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// convo is where a question asked in words came from, and how its answer
// may show people.
type convo struct {
	plugin string // catalog.PluginSlackMention or catalog.PluginSlackDM
	user   string
	team   string
	// share: the answer is posted for the channel because someone chose
	// to share it, so the people it names are mentioned (notified);
	// otherwise they are linked by name, which notifies nobody.
	share bool
	// canShare offers "Share in channel" under the answer.
	canShare bool
}

// part is the answer about one subject of a question.
type part struct {
	msg      message
	answered bool
	entity   string
	guess    *subject
	a        *catalog.OwnerAnswer
}

// ask answers a question asked in words, with the /owner and /catalog
// renderers, and says what happened for the usage event.
func (b *Bot) ask(ctx context.Context, text string, cv convo) (message, catalog.UsageEvent) {
	ev := catalog.UsageEvent{Plugin: cv.plugin, Actor: cv.user, At: b.now(), Outcome: catalog.OutcomeUnanswered}
	ix, err := b.index(ctx)
	if err != nil {
		ev.Action = "help"
		b.log.Error("answering a slack question", "plugin", cv.plugin, "user", cv.user, "err", err)
		return sorryMessage(err), ev
	}
	q := understand(text, ix)
	ev.Action, ev.Detail = string(q.intent), q.text
	if q.refused != "" || q.intent == intentHelp {
		if q.intent == intentHelp && q.refused != refusedUnknown && q.refused != refusedAction {
			ev.Outcome = catalog.OutcomeAnswered
		}
		service, team := b.helpExamples(ctx, ix)
		return conversationHelp(q, service, team), ev
	}
	if q.intent == intentSearch {
		return b.askSearch(ctx, q, text, cv, ev)
	}
	parts, err := b.parts(ctx, q)
	if err != nil {
		b.log.Error("answering a slack question", "plugin", cv.plugin, "intent", q.intent, "user", cv.user, "err", err)
		return sorryMessage(err), ev
	}
	// People are looked up once for every part, then each part is drawn.
	var answers []*catalog.OwnerAnswer
	for _, p := range parts {
		answers = append(answers, p.a)
	}
	ppl := b.people(ctx, cv.team, cv.share, answers...)
	out := b.drawParts(q.intent, parts, ppl, text, cv, &ev)
	return out, ev
}

// askSearch answers a search asked in words, with "Share in channel" under
// what it found.
func (b *Bot) askSearch(ctx context.Context, q question, text string, cv convo, ev catalog.UsageEvent) (message, catalog.UsageEvent) {
	ev.Detail = q.search
	m, err := b.search(ctx, q.search, &ev)
	if err != nil {
		ev.Outcome = catalog.OutcomeUnanswered
		b.log.Error("answering a slack question", "plugin", cv.plugin, "intent", q.intent, "user", cv.user, "err", err)
		return sorryMessage(err), ev
	}
	if cv.canShare && ev.Outcome == catalog.OutcomeAnswered {
		m.Blocks = append(m.Blocks, actionsBlock("share", []*slack.ButtonBlockElement{shareButton(buttonValue{Plugin: cv.plugin, Text: text})}))
	}
	return m, ev
}

// drawParts puts the answers about each subject in one message, divided,
// each with its buttons ("Share in channel" under the last), and records
// the first subject answered on ev.
func (b *Bot) drawParts(intent intent, parts []part, ppl *people, text string, cv convo, ev *catalog.UsageEvent) message {
	var out message
	var texts []string
	for i, p := range parts {
		m := b.render(intent, p, ppl)
		if i > 0 {
			out.Blocks = append(out.Blocks, slack.NewDividerBlock())
		}
		if p.guess != nil {
			out.Blocks = append(out.Blocks, slacktext.Context("I took "+quote(p.guess.typed)+" for "+slacktext.Code(p.guess.name)+"."))
		}
		out.Blocks = append(out.Blocks, m.Blocks...)
		texts = append(texts, m.Text)
		if p.answered {
			if ev.Outcome != catalog.OutcomeAnswered {
				ev.Entity = p.entity
			}
			ev.Outcome = catalog.OutcomeAnswered
		}
		var buttons []*slack.ButtonBlockElement
		if i == len(parts)-1 && cv.canShare && ev.Outcome == catalog.OutcomeAnswered {
			buttons = append(buttons, shareButton(buttonValue{Plugin: cv.plugin, Text: text}))
		}
		if p.answered || (p.a != nil && p.a.Found()) {
			buttons = append(buttons, b.answerButtons(p.a, cv.plugin)...)
		}
		if blk := actionsBlock("answer-"+strconv.Itoa(i), buttons); blk != nil {
			out.Blocks = append(out.Blocks, blk)
		}
	}
	out.Text = slacktext.Truncate(strings.Join(texts, "; "), 3000)
	out.Blocks = slacktext.Bounded(out.Blocks)
	return out
}

// helpExamples are names for the help's examples, from the catalog: a
// service, and the team that owns it (else the first team).
func (b *Bot) helpExamples(ctx context.Context, ix *nameIndex) (service, team string) {
	service, team = cmp.Or(ix.component, "payments-api"), cmp.Or(ix.team, "payments")
	if ix.component == "" {
		return service, team
	}
	a, err := catalog.FindOwner(ctx, b.catalog, ix.component)
	if err == nil && len(a.Owners) > 0 && a.Owners[0].Known && strings.EqualFold(a.Owners[0].Kind, "group") {
		team = a.Owners[0].Name
	}
	return service, team
}

// index is the catalog's names, for reading questions.
func (b *Bot) index(ctx context.Context) (*nameIndex, error) {
	list, err := b.catalog.Names(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the catalog's names: %w", err)
	}
	return b.names.index(list), nil
}

// parts looks up every subject of a question.
func (b *Bot) parts(ctx context.Context, q question) ([]part, error) {
	var out []part
	for i := range q.subjects {
		s := q.subjects[i]
		var p part
		if s.guess {
			p.guess = &s
		}
		if s.unknown {
			p.a = &catalog.OwnerAnswer{Query: s.typed, Suggestions: s.suggestions}
			out = append(out, p)
			continue
		}
		var err error
		if q.intent == intentOwns {
			p.a, err = b.findTeam(ctx, s.name)
		} else {
			p.a, err = catalog.FindOwner(ctx, b.catalog, s.name)
		}
		if err != nil {
			return nil, fmt.Errorf("looking up %q: %w", s.name, err)
		}
		if p.a.Found() {
			var ev catalog.UsageEvent
			recordAnswer(p.a, &ev)
			p.answered, p.entity = ev.Outcome == catalog.OutcomeAnswered, ev.Entity
			if q.intent == intentOwns && !p.a.Team {
				p.answered = false // a service, not a team: pointed at its owner
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// render draws the answer about one subject for what was asked.
func (b *Bot) render(in intent, p part, ppl *people) message {
	a := p.a
	if !a.Found() {
		return missMessage(a, askHint)
	}
	switch in {
	case intentOwns:
		if !a.Team {
			return notATeam(a, func(team string) string { return "Ask “what does " + slacktext.Escape(team) + " own?”" })
		}
		return teamMessage(a, ppl)
	case intentDocs:
		return docsMessage(a, ppl)
	case intentOnCall:
		return onCallMessage(a, ppl)
	}
	return ownerMessage(a, ppl)
}

// askHint is what a miss in a conversation suggests.
const askHint = "Ask about a service, team or repository by its name (`payments-api`, `acme/payments-api`), or paste a GitHub link. “find …” searches titles and descriptions."
