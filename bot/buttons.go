package bot

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// The buttons under an answer, by action_id.
const (
	actionShare      = "share"      // post the answer in the channel, people mentioned
	actionCodeowners = "codeowners" // show the CODEOWNERS rule behind the answer, to whoever pressed it
	actionOpen       = "open"       // open the entity's page in the web view (a link; Slack tells us it was pressed)
)

// buttonValue is what a button carries back: enough to answer again, never
// an answer itself. It comes back from Slack signed, and is read as
// untrusted all the same: the question is asked again as if typed.
type buttonValue struct {
	Plugin  string `json:"p,omitempty"` // whose answer the button is on, for the usage event
	Command string `json:"c,omitempty"` // owner or catalog: a slash command's answer
	Text    string `json:"q,omitempty"` // the command's text, or the question asked
	Repo    string `json:"r,omitempty"` // codeowners: org/repo
	Path    string `json:"f,omitempty"` // codeowners: the file or folder; "" = the catalog file's rule
}

// maxValueField bounds each field of a button value, so the whole stays
// within Block Kit's 2,000 characters.
const maxValueField = 300

func (v buttonValue) encode() string {
	for _, f := range []*string{&v.Plugin, &v.Command, &v.Text, &v.Repo, &v.Path} {
		*f = slacktext.Truncate(*f, maxValueField)
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

var errBadValue = errors.New("a button value callboard did not write")

func decodeValue(s string) (buttonValue, error) {
	var v buttonValue
	if len(s) > slacktext.MaxButtonValue || json.Unmarshal([]byte(s), &v) != nil {
		return v, errBadValue
	}
	return v, nil
}

func shareButton(v buttonValue) *slack.ButtonBlockElement {
	return slacktext.Button(actionShare, "Share in channel", v.encode()).WithStyle(slack.StylePrimary)
}

// answerButtons are the buttons under an answer about an entity or a
// repository: its CODEOWNERS rule, when the repository has CODEOWNERS,
// and its page, when the web view has an address.
func (b *Bot) answerButtons(a *catalog.OwnerAnswer, plugin string) []*slack.ButtonBlockElement {
	var out []*slack.ButtonBlockElement
	if a == nil {
		return nil
	}
	if r := a.Repository; r != nil && r.Codeowners != nil && len(r.Codeowners.Rules) > 0 {
		label := "Show CODEOWNERS rule"
		out = append(out, slacktext.Button(actionCodeowners, label, buttonValue{Plugin: plugin, Repo: r.FullName, Path: a.Path}.encode()))
	}
	if b.baseURL != "" && a.Entity != nil {
		out = append(out, slacktext.LinkButton(actionOpen, "Open in catalog", b.baseURL+catalog.PagePath(a.Entity.Ref())))
	}
	return out
}

// actionsBlock is the buttons as a block with a block_id unique in its
// message; nil without buttons.
func actionsBlock(id string, buttons []*slack.ButtonBlockElement) slack.Block {
	return slacktext.Actions("callboard-"+strings.ToLower(id), buttons...)
}
