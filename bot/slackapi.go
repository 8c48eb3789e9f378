package bot

import (
	"context"
	"net/http"
	"time"

	"github.com/slack-go/slack"
)

// slackAPI is the part of Slack's Web API the bot calls; *slack.Client is
// it. chat.postMessage and chat.postEphemeral answer mentions and DMs,
// views.publish draws the App Home, users.lookupByEmail and users.info
// match the catalog's people to Slack's.
type slackAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	GetUserByEmailContext(ctx context.Context, email string) (*slack.User, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
}

// slackTimeout bounds one Web API call.
const slackTimeout = 10 * time.Second

// newSlackClient is slack-go's client for the bot token, at apiURL
// (SLACK_API_URL, ending in /api/) when it is set; appToken (xapp-, for
// Socket Mode) when it is set.
func newSlackClient(botToken, appToken, apiURL string) *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: slackTimeout})}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	if appToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(appToken))
	}
	return slack.New(botToken, opts...)
}
