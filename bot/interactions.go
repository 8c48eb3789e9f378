package bot

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// Interactions returns the handler of POST /slack/interactions: the
// buttons under answers (block_actions). It verifies the request as
// commands and events are verified, acknowledges at once, and acts in the
// background.
func (b *Bot) Interactions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.readSigned(w, r, maxEventBody)
		if !ok {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		cb, err := slack.InteractionCallbackParse(r)
		if err != nil {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		b.Interaction(cb)
		w.WriteHeader(http.StatusOK)
	})
}

// Interaction takes a button press, however it arrived (HTTP or Socket
// Mode). Only block_actions on callboard's own buttons do anything.
func (b *Bot) Interaction(cb slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return
	}
	act := cb.ActionCallback.BlockActions[0] // a press is one action
	switch act.ActionID {
	case actionShare, actionCodeowners:
	case actionOpen:
		// A link: Slack opened it; the press is only counted.
		b.background("button", func(ctx context.Context) {
			b.record(ctx, catalog.UsageEvent{Plugin: pluginOf(cb), Action: "open", Actor: cb.User.ID, At: b.now(), Outcome: catalog.OutcomeAnswered})
		})
		return
	default:
		b.pulseInteraction(cb)
		return
	}
	v, err := decodeValue(act.Value)
	if err != nil {
		b.log.Warn("slack button refused", "action", act.ActionID, "user", cb.User.ID, "err", err)
		return
	}
	b.background("button", func(ctx context.Context) {
		var ev catalog.UsageEvent
		if act.ActionID == actionShare {
			ev = b.share(ctx, cb, v)
		} else {
			ev = b.showCodeowners(ctx, cb, v)
		}
		b.log.Info("slack button", "action", act.ActionID, "outcome", ev.Outcome, "user", cb.User.ID, "team", cb.Team.ID)
		b.record(ctx, ev)
	})
}

// pluginOf is whose surface a press came from: the App Home, or an answer.
func pluginOf(cb slack.InteractionCallback) string {
	if cb.View.Type == slack.VTHomeTab || cb.Container.Type == "view" {
		return catalog.PluginSlackHome
	}
	if cb.Channel.IsIM || len(cb.Channel.ID) > 0 && cb.Channel.ID[0] == 'D' {
		return catalog.PluginSlackDM
	}
	return catalog.PluginSlackMention
}

// share posts an answer in the channel, asked again as it was with its
// people mentioned: the person who pressed the button chose to tell them.
// An answer only its asker saw (a slash command's) goes through the
// button's response_url, which also takes the private copy away; an
// answer in a thread is sent to the channel too.
func (b *Bot) share(ctx context.Context, cb slack.InteractionCallback, v buttonValue) catalog.UsageEvent {
	var (
		m  message
		ev catalog.UsageEvent
	)
	if v.Command != "" {
		m, ev = b.answer(ctx, command{name: parseCommandName(v.Command), text: v.Text, share: true, user: cb.User.ID, team: cb.Team.ID})
	} else {
		m, ev = b.ask(ctx, v.Text, convo{plugin: cmpPlugin(v.Plugin), user: cb.User.ID, team: cb.Team.ID, share: true})
	}
	ev.Action, ev.Actor, ev.At = "share", cb.User.ID, b.now()
	if ev.Outcome != catalog.OutcomeAnswered {
		// Nothing worth the channel's attention any more (the catalog
		// changed): the answer goes to the person alone.
		b.tell(ctx, cb, m)
		return ev
	}
	m.Blocks = slacktext.Bounded(append(m.Blocks, slacktext.Context("Shared by "+slacktext.Person(cb.Team.ID, cb.User.ID, cb.User.Name))))
	m.ResponseType = slack.ResponseTypeInChannel
	switch {
	case cb.Container.IsEphemeral && cb.ResponseURL != "":
		no := false
		m.ReplaceOriginal = &no
		b.post(cb.ResponseURL, cb.User.ID, cb.Team.ID, &m)
		b.post(cb.ResponseURL, cb.User.ID, cb.Team.ID, &message{DeleteOriginal: true})
	case b.api != nil:
		opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...), slack.MsgOptionDisableLinkUnfurl()}
		if thread := cmp.Or(cb.Container.ThreadTs, cb.Message.ThreadTimestamp); thread != "" {
			opts = append(opts, slack.MsgOptionTS(thread), slack.MsgOptionBroadcast())
		}
		if _, _, err := b.api.PostMessageContext(ctx, cmp.Or(cb.Channel.ID, cb.Container.ChannelID), opts...); err != nil {
			b.log.Error("sharing a slack answer", "user", cb.User.ID, "err", err)
			ev.Outcome = catalog.OutcomeFailure
		}
	case cb.ResponseURL != "":
		b.post(cb.ResponseURL, cb.User.ID, cb.Team.ID, &m)
	}
	return ev
}

// showCodeowners shows the person who pressed "Show CODEOWNERS rule" the
// rule behind an answer: the one for the path asked about, or the one
// GitHub applies to the repository's catalog file.
func (b *Bot) showCodeowners(ctx context.Context, cb slack.InteractionCallback, v buttonValue) catalog.UsageEvent {
	ev := catalog.UsageEvent{Plugin: cmpPlugin(v.Plugin), Action: "codeowners", Actor: cb.User.ID, At: b.now(),
		Entity: v.Repo, Outcome: catalog.OutcomeUnanswered}
	m, err := b.codeownersMessage(ctx, v.Repo, v.Path)
	switch {
	case err != nil:
		b.log.Error("showing a CODEOWNERS rule", "repository", v.Repo, "err", err)
		m = sorryMessage(err)
	default:
		ev.Outcome = catalog.OutcomeAnswered
	}
	b.tell(ctx, cb, m)
	return ev
}

// tell shows a message to the person who pressed a button, and to no one
// else: through the response_url of an answer only they see, else as an
// ephemeral message where the button is (in its thread).
func (b *Bot) tell(ctx context.Context, cb slack.InteractionCallback, m message) {
	m.ResponseType = slack.ResponseTypeEphemeral
	if (cb.Container.IsEphemeral || b.api == nil) && cb.ResponseURL != "" {
		no := false
		m.ReplaceOriginal = &no
		b.post(cb.ResponseURL, cb.User.ID, cb.Team.ID, &m)
		return
	}
	if b.api == nil {
		return
	}
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...), slack.MsgOptionDisableLinkUnfurl()}
	if thread := cmp.Or(cb.Container.ThreadTs, cb.Message.ThreadTimestamp); thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if _, err := b.api.PostEphemeralContext(ctx, cmp.Or(cb.Channel.ID, cb.Container.ChannelID), cb.User.ID, opts...); err != nil {
		b.log.Error("answering a slack button", "user", cb.User.ID, "err", err)
	}
}

// codeownersMessage is the CODEOWNERS rule for path in repo ("" = the
// rule for the repository's catalog file), with a link to its line.
func (b *Bot) codeownersMessage(ctx context.Context, fullName, path string) (message, error) {
	repo, err := b.catalog.Repository(ctx, fullName)
	if errors.Is(err, catalog.ErrNotFound) {
		return sectionMessage("callboard no longer knows "+slacktext.Bold(fullName)+".", "Repository not found"), nil
	}
	if err != nil {
		return message{}, fmt.Errorf("reading %s: %w", fullName, err)
	}
	if repo.Codeowners == nil || len(repo.Codeowners.Rules) == 0 {
		return sectionMessage(slacktext.Bold(repo.FullName)+" has no CODEOWNERS rules.", repo.FullName+" has no CODEOWNERS rules"), nil
	}
	file := repo.CodeownersPath
	if file == "" {
		file = "CODEOWNERS"
	}
	var (
		rule catalog.CodeownersRule
		ok   bool
		what string
	)
	if path != "" {
		rule, ok = repo.Codeowners.Match(path)
		what = slacktext.Code(path)
	} else {
		rule, ok = catalog.RootOwners(repo)
		what = "the catalog file"
	}
	t := slacktext.NewLines(slacktext.MaxSectionText)
	fallback := "The CODEOWNERS rule of " + repo.FullName
	if !ok {
		t.Add("No rule in " + slacktext.Link(repo.BlobURL(file), file) + " of " + slacktext.Bold(repo.FullName) + " covers " + what + ".")
	} else {
		line := fmt.Sprintf("%s#L%d", repo.BlobURL(file), rule.Line)
		t.Add("The rule GitHub applies to " + what + " in " + slacktext.Bold(repo.FullName) + ", " +
			slacktext.Link(line, fmt.Sprintf("%s line %d", file, rule.Line)) + ":")
		owners := "(no owners: matching paths are left unowned)"
		if len(rule.Owners) > 0 {
			owners = ""
			for i, o := range rule.Owners {
				if i > 0 {
					owners += " "
				}
				owners += o
			}
		}
		// In a code span, @org/team and emails are shown, never linked.
		t.Add(slacktext.Code(rule.Pattern + " " + owners))
	}
	blocks := []slack.Block{slacktext.Section(t)}
	if n := len(repo.Codeowners.Rules); n > 1 {
		blocks = append(blocks, slacktext.Context(fmt.Sprintf("%d rules in the file; the last one that matches wins.", n)))
	}
	return message{Text: fallback, Blocks: blocks}, nil
}

func cmpPlugin(p string) string {
	switch p {
	case catalog.PluginSlackOwner, catalog.PluginSlackCatalog, catalog.PluginSlackMention, catalog.PluginSlackDM, catalog.PluginSlackHome:
		return p
	}
	return catalog.PluginSlackMention
}

// pulseInteraction hands a press that is none of the bot's own to the DX
// pulse survey, and tells the person what became of it (only them).
func (b *Bot) pulseInteraction(cb slack.InteractionCallback) {
	if b.pulse == nil {
		return
	}
	b.background("pulse", func(ctx context.Context) {
		if reply, ok := b.pulse.Interaction(ctx, cb); ok && reply != "" {
			b.tell(ctx, cb, sectionMessage(slacktext.Escape(reply), reply))
		}
	})
}
