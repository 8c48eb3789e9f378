package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// How long an event_id is remembered: Slack retries a delivery three
// times within about five minutes.
const eventMemory = time.Hour

// answerTimeout bounds the work behind one mention, DM, App Home view or
// button press, Slack's calls included.
const answerTimeout = 30 * time.Second

// Events returns the handler of POST /slack/events: the Events API. It
// answers url_verification, takes app_mention, message.im and
// app_home_opened, and acknowledges at once (Slack waits 3 s); the answer
// follows through the Web API. A delivery Slack retries (X-Slack-Retry-Num,
// the same event_id) is acknowledged and not answered twice.
func (b *Bot) Events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.readSigned(w, r, maxEventBody)
		if !ok {
			return
		}
		var outer struct {
			Type      string `json:"type"`
			Challenge string `json:"challenge"`
		}
		if err := json.Unmarshal(body, &outer); err != nil {
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		}
		switch outer.Type {
		case slackevents.URLVerification:
			// Slack asks once, when the Request URL is saved.
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"challenge": outer.Challenge})
			return
		case slackevents.CallbackEvent:
			if retry := r.Header.Get("X-Slack-Retry-Num"); retry != "" {
				b.log.Debug("slack event delivered again", "retry", retry, "reason", r.Header.Get("X-Slack-Retry-Reason"))
			}
			b.Event(body)
		}
		w.WriteHeader(http.StatusOK)
	})
}

// Event takes one Events API event_callback, however it arrived (the body
// of POST /slack/events, or a Socket Mode events_api payload), and answers
// it in the background, once per event_id. Bots' messages (callboard's own
// included) and message subtypes (edits, joins, deletions) are left alone,
// so callboard never answers itself.
func (b *Bot) Event(raw []byte) {
	ev, err := slackevents.ParseEvent(raw, slackevents.OptionNoVerifyToken())
	if err != nil || ev.Type != slackevents.CallbackEvent {
		b.log.Debug("slack event ignored", "type", ev.Type, "inner", ev.InnerEvent.Type, "err", err)
		return
	}
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return
	}
	now := b.now()
	if cb.EventID != "" && !b.events.first(cb.EventID, now.Add(eventMemory), now) {
		b.log.Info("slack event already taken", "event", cb.EventID)
		return
	}
	self := botUser(cb)
	switch in := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		b.onMention(cb, in, self)
	case *slackevents.MessageEvent:
		b.onMessage(cb, in, self)
	case *slackevents.AppHomeOpenedEvent:
		b.onHomeOpened(cb, in)
	}
}

// botUser is callboard's own bot user in the workspace the event came from.
func botUser(cb *slackevents.EventsAPICallbackEvent) string {
	self := ""
	for _, a := range cb.Authorizations {
		if a.IsBot && a.UserID != "" {
			self = a.UserID
		}
	}
	return self
}

// onMention answers a person's mention in the mention's thread.
func (b *Bot) onMention(cb *slackevents.EventsAPICallbackEvent, in *slackevents.AppMentionEvent, self string) {
	if in.BotID != "" || in.User == "" || in.User == self || in.Edited != nil {
		return
	}
	thread := in.ThreadTimeStamp
	if thread == "" {
		thread = in.TimeStamp // a mention starts a thread under itself
	}
	b.background("mention", func(ctx context.Context) {
		b.answerMention(ctx, cb.TeamID, in.Channel, in.User, in.Text, thread, in.ThreadTimeStamp != "")
	})
}

// onMessage answers a person's direct message.
func (b *Bot) onMessage(cb *slackevents.EventsAPICallbackEvent, in *slackevents.MessageEvent, self string) {
	if in.ChannelType != "im" || in.SubType != "" || in.BotID != "" || in.User == "" || in.User == self {
		return
	}
	b.background("dm", func(ctx context.Context) {
		b.answerDM(ctx, cb.TeamID, in.Channel, in.User, in.Text, in.ThreadTimeStamp)
	})
}

// onHomeOpened draws the App Home for whoever opened it.
func (b *Bot) onHomeOpened(cb *slackevents.EventsAPICallbackEvent, in *slackevents.AppHomeOpenedEvent) {
	if in.Tab != "home" || in.User == "" {
		return
	}
	b.background("home", func(ctx context.Context) {
		err := b.publishHome(ctx, in.User, cb.TeamID)
		if err != nil {
			b.log.Error("drawing the slack app home", "user", in.User, "err", err)
		}
		b.record(ctx, catalog.UsageEvent{Plugin: catalog.PluginSlackHome, Action: "open", Actor: in.User, At: b.now(),
			Outcome: outcome(err == nil)})
	})
}

// background runs work off the request's path, counted for Close, a few
// at a time, within answerTimeout.
func (b *Bot) background(what string, work func(ctx context.Context)) {
	if !b.begin() {
		b.log.Warn("slack "+what+" not answered: shutting down", "what", what)
		return
	}
	go func() {
		defer b.wg.Done()
		select {
		case b.busy <- struct{}{}:
		case <-b.life.Done():
			return
		}
		defer func() { <-b.busy }()
		ctx, cancel := context.WithTimeout(b.life, answerTimeout)
		defer cancel()
		work(ctx)
	}()
}

// answerMention answers "@callboard who owns billing?" in the thread of the
// mention, for the channel to read: the people it names are linked, not
// notified, and "Share in channel" mentions them. What is no answer (the
// help, a miss) goes to the asker alone.
func (b *Bot) answerMention(ctx context.Context, team, channel, user, text, thread string, inThread bool) {
	if b.api == nil {
		b.log.Warn("a mention is not answered: SLACK_BOT_TOKEN is not set", "user", user)
		return
	}
	m, ev := b.ask(ctx, text, convo{plugin: catalog.PluginSlackMention, user: user, team: team, canShare: true})
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...), slack.MsgOptionDisableLinkUnfurl()}
	var err error
	if ev.Outcome == catalog.OutcomeAnswered && ev.Action != string(intentHelp) {
		_, _, err = b.api.PostMessageContext(ctx, channel, append(opts, slack.MsgOptionTS(thread))...)
	} else {
		// An ephemeral message shows in a thread only when the thread
		// already exists: a mention at the top of a channel gets it in
		// the channel.
		if inThread {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		_, err = b.api.PostEphemeralContext(ctx, channel, user, opts...)
	}
	if err != nil {
		b.log.Error("answering a slack mention", "user", user, "channel", channel, "err", err)
	}
	b.log.Info("slack mention", "action", ev.Action, "outcome", ev.Outcome, "user", user, "team", team)
	b.record(ctx, ev)
}

// answerDM answers a direct message in the conversation (in its thread when
// it was asked in one).
func (b *Bot) answerDM(ctx context.Context, team, channel, user, text, thread string) {
	if b.api == nil {
		b.log.Warn("a direct message is not answered: SLACK_BOT_TOKEN is not set", "user", user)
		return
	}
	m, ev := b.ask(ctx, text, convo{plugin: catalog.PluginSlackDM, user: user, team: team})
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...), slack.MsgOptionDisableLinkUnfurl()}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if _, _, err := b.api.PostMessageContext(ctx, channel, opts...); err != nil {
		b.log.Error("answering a slack direct message", "user", user, "err", err)
	}
	b.log.Info("slack direct message", "action", ev.Action, "outcome", ev.Outcome, "user", user, "team", team)
	b.record(ctx, ev)
}

// record stores a usage event; a failure is logged, never shown.
func (b *Bot) record(ctx context.Context, ev catalog.UsageEvent) {
	if b.usage == nil {
		return
	}
	if err := b.usage.RecordUsage(context.WithoutCancel(ctx), ev); err != nil {
		b.log.Error("recording slack usage", "plugin", ev.Plugin, "action", ev.Action, "user", ev.Actor, "err", err)
	}
}

func outcome(ok bool) string {
	if ok {
		return catalog.OutcomeAnswered
	}
	return catalog.OutcomeUnanswered
}
