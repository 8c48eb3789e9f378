package pulse

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// The survey's Slack action ids: a score button carries "ROUND:SCORE" as
// its value; the comment box sits in the block "callboard_pulse:ROUND".
const (
	ActionScore   = "callboard_pulse_score"
	ActionComment = "callboard_pulse_comment"
	blockPrefix   = "callboard_pulse:"
)

// Question is what the survey asks.
const Question = "How likely are you to recommend the tools and platform you build with here to another engineer?"

// RoundName is the name of the round started at t: its date.
func RoundName(t time.Time) string { return t.UTC().Format("2006-01-02") }

// Message is the survey's question for a round: eleven buttons, 0 to 10,
// and a box for an optional comment, with the promise it keeps.
func Message(round string) (text string, blocks []slack.Block) {
	var buttons []slack.BlockElement
	for i := 0; i <= 10; i++ {
		b := slack.NewButtonBlockElement(fmt.Sprintf("%s_%d", ActionScore, i), fmt.Sprintf("%s:%d", round, i),
			slack.NewTextBlockObject(slack.PlainTextType, strconv.Itoa(i), false, false))
		buttons = append(buttons, b)
	}
	comment := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, "Anything to add? (optional; press Enter to send)", false, false), ActionComment)
	comment.Multiline = false
	comment.MaxLength = MaxComment
	input := slack.NewInputBlock(blockPrefix+round, slack.NewTextBlockObject(slack.PlainTextType, "Comment", false, false), nil, comment)
	input.DispatchAction = true
	input.Optional = true
	text = "DX pulse: " + Question
	blocks = []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*DX pulse* · "+Question+"\n0 = not at all, 10 = without a doubt.", false, false), nil, nil),
		slack.NewActionBlock(blockPrefix+round+":scores", buttons...),
		input,
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
			"Optional and anonymous: callboard keeps one answer per person per round without your name, and shows a round's score only once five people or more have answered.", false, false)),
	}
	return text, blocks
}

// ParseAction reads a press or a comment on the survey's message. ok is
// false for an action that is not the survey's.
func ParseAction(cb slack.InteractionCallback) (a Answer, ok bool, err error) {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return Answer{}, false, nil
	}
	act := cb.ActionCallback.BlockActions[0]
	a = Answer{Team: cb.Team.ID, User: cb.User.ID, Score: -1}
	switch {
	case strings.HasPrefix(act.ActionID, ActionScore+"_"):
		round, score, found := strings.Cut(act.Value, ":")
		n, err := strconv.Atoi(score)
		if !found || err != nil || n < 0 || n > 10 || round == "" {
			return Answer{}, true, fmt.Errorf("a pulse button with the value %q", act.Value)
		}
		a.Round, a.Score = round, n
	case act.ActionID == ActionComment:
		round, found := strings.CutPrefix(act.BlockID, blockPrefix)
		if !found || round == "" {
			return Answer{}, true, fmt.Errorf("a pulse comment in the block %q", act.BlockID)
		}
		a.Round, a.Comment = round, act.Value
	default:
		return Answer{}, false, nil
	}
	return a, true, nil
}

// Survey takes the survey's interactions.
type Survey struct {
	Store  *Store
	Logger *slog.Logger
}

// Interaction records a press or a comment on the survey's message and
// returns what to tell the person who made it (only them); handled is
// false for anything else, which the caller handles. No log line names the
// person.
func (v *Survey) Interaction(ctx context.Context, cb slack.InteractionCallback) (reply string, handled bool) {
	a, ok, err := ParseAction(cb)
	if !ok {
		return "", false
	}
	if err != nil {
		v.log().Warn("pulse answer refused", "err", err)
		return "That answer could not be read; nothing was recorded.", true
	}
	out, err := v.Store.Record(ctx, a)
	if err != nil {
		v.log().Error("recording a pulse answer", "round", a.Round, "err", err)
		if a.Score == -1 {
			return "Press a score first; your comment goes with it.", true
		}
		return "Your answer could not be recorded; please try again in a minute.", true
	}
	v.log().Info("pulse answer", "round", a.Round, "outcome", int(out))
	switch out {
	case Recorded:
		return fmt.Sprintf("Thank you: your %d is recorded, anonymously. Add a comment below if you like.", a.Score), true
	case Already:
		return "You have answered this round already: the first answer counts.", true
	case CommentAdded:
		return "Thank you: your comment is recorded with your answer.", true
	case Closed:
		return "This round is closed; the next one will come.", true
	default:
		return "This survey round is unknown to callboard.", true
	}
}

func (v *Survey) log() *slog.Logger {
	if v.Logger == nil {
		return slog.Default()
	}
	return v.Logger
}
