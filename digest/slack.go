package digest

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// Poster posts the digest's summary to a Slack channel.
type Poster interface {
	PostDigest(ctx context.Context, channel string, blocks []slack.Block, text string) error
}

// SlackPoster posts with chat.postMessage.
type SlackPoster struct {
	api *slack.Client
}

// NewSlackPoster returns a poster using the bot token; apiURL (SLACK_API_URL,
// ending in /api/) replaces Slack's own when it is not empty.
func NewSlackPoster(token, apiURL string) *SlackPoster {
	var opts []slack.Option
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	return &SlackPoster{api: slack.New(token, opts...)}
}

// PostDigest posts blocks to channel, with text as the notification's fallback.
func (p *SlackPoster) PostDigest(ctx context.Context, channel string, blocks []slack.Block, text string) error {
	_, _, err := p.api.PostMessageContext(ctx, channel,
		slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionDisableLinkUnfurl())
	if err != nil {
		return fmt.Errorf("posting the digest to %s: %w", channel, err)
	}
	return nil
}
