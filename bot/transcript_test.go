package bot

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/callboard/callboard/internal/slacktext"
)

// transcript is Block Kit as a person reads it in Slack, for golden files
// a reviewer can read: links as [label], a person linked by name as
// [Name], a mention as @Name (which notifies them: "(notified)"), a
// channel as #name, buttons as [ label ] (↗ when they open a page),
// small print indented, headers between ==.
func transcript(blocks []map[string]any, people map[string]string) string {
	var b strings.Builder
	for _, blk := range blocks {
		switch blk["type"] {
		case "header":
			fmt.Fprintf(&b, "== %s ==\n", textOf(blk["text"]))
		case "section":
			if t := textOf(blk["text"]); t != "" {
				b.WriteString(readMrkdwn(t, people) + "\n")
			}
			if fs, ok := blk["fields"].([]any); ok {
				for _, f := range fs {
					b.WriteString("  | " + strings.ReplaceAll(readMrkdwn(textOf(f), people), "\n", "\n  | ") + "\n")
				}
			}
		case "context":
			els, _ := blk["elements"].([]any)
			for _, e := range els {
				b.WriteString("    " + strings.ReplaceAll(readMrkdwn(textOf(e), people), "\n", "\n    ") + "\n")
			}
		case "divider":
			b.WriteString("-----\n")
		case "actions":
			els, _ := blk["elements"].([]any)
			var bs []string
			for _, e := range els {
				m := e.(map[string]any)
				label := textOf(m["text"])
				if m["url"] != nil {
					label += " ↗"
				}
				bs = append(bs, "[ "+label+" ]")
			}
			b.WriteString(strings.Join(bs, " ") + "\n")
		default:
			fmt.Fprintf(&b, "(a %v block)\n", blk["type"])
		}
	}
	return b.String()
}

func textOf(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["text"].(string)
	return s
}

var reLink = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)

// readMrkdwn shows mrkdwn as Slack draws it, in plain text.
func readMrkdwn(s string, people map[string]string) string {
	s = reLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := reLink.FindStringSubmatch(m)
		target, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(target, "@"):
			return "@" + cmp.Or(people[target[1:]], target[1:]) + " (notified)"
		case strings.HasPrefix(target, "#"):
			return "#" + target[1:]
		case strings.HasPrefix(target, "!"):
			return "@" + target[1:] + " (notified)"
		case strings.HasPrefix(target, "slack://user?"):
			q, _ := url.ParseQuery(strings.ReplaceAll(target[len("slack://user?"):], "&amp;", "&"))
			if people[q.Get("id")] == "" {
				return "[?? " + target + "]"
			}
			return "[" + label + "]"
		}
		if label == "" {
			label = target
		}
		if addr, ok := strings.CutPrefix(target, "mailto:"); ok && addr != label {
			label += " ✉" // a name linked to an email address
		}
		return "[" + label + "]"
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", slacktext.ZWSP, "").Replace(s)
}

// conversationGolden is what a golden file of a conversation holds: where
// the answer went, the answer as a person reads it, and the call as Slack
// received it.
func conversationGolden(t testing.TB, where string, c slackCall) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\n", where)
	b.WriteString(transcript(c.blocks(t), slackNames))
	b.WriteString("\n--- " + c.method + " as Slack received it ---\n")
	fields := map[string]any{}
	for k := range c.form {
		if k == "token" {
			continue
		}
		fields[k] = c.form.Get(k)
	}
	for k, v := range c.body {
		fields[k] = v
	}
	if s, ok := fields["blocks"].(string); ok {
		var v any
		json.Unmarshal([]byte(s), &v)
		fields["blocks"] = v
	}
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(fields)
	return b.Bytes()
}

// slackNames are the test workspace's people, by Slack user id, as Slack
// shows them.
var slackNames = map[string]string{"U0ALICE": "Alice Moreau", "U0BOB": "Bob Okafor", "U0CAROL": "Carol Nguyen", "U0ERIN": "Erin Walsh"}
