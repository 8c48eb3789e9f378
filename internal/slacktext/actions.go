package slacktext

import (
	"net/url"
	"strings"

	"github.com/slack-go/slack"
)

// Block Kit limits of buttons and actions blocks.
const (
	MaxActionElements = 25
	MaxButtonText     = 75
	MaxButtonValue    = 2000
	MaxButtonURL      = 3000
	MaxActionID       = 255
)

// Button is a button that sends actionID and value to the app's
// interactivity URL. The label is plain text, cleaned and bounded; a value
// over Block Kit's limit is dropped (the button then carries none).
func Button(actionID, label, value string) *slack.ButtonBlockElement {
	if len(value) > MaxButtonValue {
		value = ""
	}
	return slack.NewButtonBlockElement(bound(actionID, MaxActionID), value, plain(label))
}

// LinkButton is a button that opens an http(s) URL (Slack still tells the
// app it was pressed); nil for any other URL, or one over Block Kit's limit.
func LinkButton(actionID, label, u string) *slack.ButtonBlockElement {
	u = strings.TrimSpace(Clean(u))
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(u) > MaxButtonURL {
		return nil
	}
	return Button(actionID, label, "").WithURL(u)
}

// Actions is an actions block of the buttons that are not nil, at most
// MaxActionElements; nil when there is none (Slack refuses an empty one).
func Actions(blockID string, buttons ...*slack.ButtonBlockElement) slack.Block {
	var els []slack.BlockElement
	for _, b := range buttons {
		if b != nil && len(els) < MaxActionElements {
			els = append(els, b)
		}
	}
	if len(els) == 0 {
		return nil
	}
	return slack.NewActionBlock(bound(blockID, MaxActionID), els...)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, Truncate(Clean(s), MaxButtonText), false, false)
}

func bound(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
