package pulse

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"
)

// Slack is what asking a round needs of Slack's Web API (slack-go's Client).
type Slack interface {
	PostMessageContext(ctx context.Context, channel string, options ...slack.MsgOption) (string, string, error)
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
}

// Ask starts the round of now and posts its question in channel, where
// answering is each person's choice. The round counts the channel's
// members as asked (0, and no response rate, when Slack does not say).
func (v *Survey) Ask(ctx context.Context, api Slack, channel string, now time.Time) (string, error) {
	round := RoundName(now)
	asked := 0
	if ch, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel, IncludeNumMembers: true}); err == nil {
		asked = ch.NumMembers
	} else {
		v.log().Warn("pulse: the channel's member count is unknown; no response rate this round", "channel", channel, "err", err)
	}
	fresh, err := v.Store.StartRound(ctx, round, now, asked)
	if err != nil {
		return "", err
	}
	if !fresh {
		return round, nil // asked already (a schedule firing twice a day): once is enough
	}
	text, blocks := Message(round)
	if _, _, err := api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		return "", fmt.Errorf("posting pulse round %s in %s: %w", round, channel, err)
	}
	return round, nil
}

// Schedule asks a round at each time of a cron spec (PULSE_SCHEDULE).
type Schedule struct {
	c      *cron.Cron
	cancel context.CancelFunc
}

// StartSchedule runs ask at each time of spec in loc until Stop.
func StartSchedule(spec string, loc *time.Location, log *slog.Logger, ask func(ctx context.Context) error) (*Schedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("PULSE_SCHEDULE %q: %w", spec, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := cron.New(cron.WithLocation(loc))
	c.Schedule(sched, cron.FuncJob(func() {
		actx, acancel := context.WithTimeout(ctx, time.Minute)
		defer acancel()
		if err := ask(actx); err != nil {
			log.Error("pulse round not asked", "err", err)
		}
	}))
	c.Start()
	return &Schedule{c: c, cancel: cancel}, nil
}

// Stop stops the schedule and waits for a round being asked, or for ctx.
func (s *Schedule) Stop(ctx context.Context) {
	done := s.c.Stop()
	select {
	case <-done.Done():
	case <-ctx.Done():
		s.cancel()
	}
	s.cancel()
}
