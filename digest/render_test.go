package digest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/callboard/callboard/internal/golden"

	"github.com/callboard/callboard/catalog"
	"github.com/slack-go/slack"
)

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}

func slackJSON(t *testing.T, blocks []slack.Block, text string) []byte {
	t.Helper()
	b, err := json.MarshalIndent(map[string]any{"text": text, "blocks": blocks}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// checkBlockKit holds blocks to Block Kit's limits: at most 50 blocks,
// section text up to 3,000 characters, at most 10 fields of up to 2,000,
// header text up to 150.
func checkBlockKit(t *testing.T, raw []byte) {
	t.Helper()
	var m struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("blocks do not parse: %v", err)
	}
	if m.Text == "" {
		t.Error("no fallback text")
	}
	if len(m.Blocks) == 0 || len(m.Blocks) > 50 {
		t.Errorf("%d blocks, want 1 to 50", len(m.Blocks))
	}
	text := func(o any) string {
		obj, _ := o.(map[string]any)
		s, _ := obj["text"].(string)
		return s
	}
	for i, b := range m.Blocks {
		switch b["type"] {
		case "header":
			if n := utf8.RuneCountInString(text(b["text"])); n == 0 || n > 150 {
				t.Errorf("block %d: header of %d characters", i, n)
			}
		case "section":
			if n := utf8.RuneCountInString(text(b["text"])); n > 3000 {
				t.Errorf("block %d: section text of %d characters", i, n)
			}
			fields, _ := b["fields"].([]any)
			if len(fields) > 10 {
				t.Errorf("block %d: %d fields", i, len(fields))
			}
			for _, f := range fields {
				if n := utf8.RuneCountInString(text(f)); n > 2000 {
					t.Errorf("block %d: field of %d characters", i, n)
				}
			}
			if b["text"] == nil && len(fields) == 0 {
				t.Errorf("block %d: a section with neither text nor fields", i)
			}
		case "context":
			if els, _ := b["elements"].([]any); len(els) == 0 || len(els) > 10 {
				t.Errorf("block %d: context with %d elements", i, len(els))
			}
		case "divider":
		default:
			t.Errorf("block %d: unexpected type %v", i, b["type"])
		}
	}
	// slack-go reads them back.
	var blocks slack.Blocks
	if err := json.Unmarshal(mustField(t, raw, "blocks"), &blocks); err != nil {
		t.Errorf("slack-go cannot read the blocks back: %v", err)
	}
}

func mustField(t *testing.T, raw []byte, key string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

func TestRenderGolden(t *testing.T) {
	full := Build(sampleInput(t))
	full.URL = "https://callboard.example.com/digest?week=2026-W47"
	empty := Build(Input{Week: Week{2026, 53}, Location: mustLoad(t, "Europe/Berlin"), Now: sampleInput(t).Now.AddDate(0, 1, 20)})
	cases := []struct {
		name string
		d    *Digest
	}{
		{"digest", full},
		{"owner", full.ForOwner("platform@acme.example")},
		{"empty", empty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name+".txt", []byte(Text(tc.d)))
			html, err := HTML(tc.d)
			if err != nil {
				t.Fatal(err)
			}
			checkSelfContained(t, html)
			checkGolden(t, tc.name+".html", []byte(html))
			blocks, text := Slack(tc.d)
			raw := slackJSON(t, blocks, text)
			checkBlockKit(t, raw)
			checkGolden(t, tc.name+".slack.json", raw)
		})
	}
}

// checkSelfContained holds the HTML to what mail clients show: no scripts,
// no style sheets or images fetched from elsewhere, no <style> blocks
// (stripped by some clients), no template failures.
func checkSelfContained(t *testing.T, html string) {
	t.Helper()
	lower := strings.ToLower(html)
	for _, bad := range []string{"<script", "<link", "<img", "<style", "src=", "url(", "@import", "zgotmplz", "javascript:"} {
		if strings.Contains(lower, bad) {
			t.Errorf("the HTML contains %q", bad)
		}
	}
}

func TestSlackStaysWithinBlockKit(t *testing.T) {
	in := sampleInput(t)
	long := strings.Repeat("why does nobody own this & <that> ", 200)
	for i := range 40 {
		p := fmt.Sprintf("plugin-%02d", i)
		for j := range i + 1 {
			in.Events = append(in.Events, catalog.UsageEvent{Plugin: p, Action: long[:50+j], Actor: fmt.Sprintf("u%d", j), At: in.Week.Start(in.Location)})
		}
		in.Events = append(in.Events, catalog.UsageEvent{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "x",
			At: in.Week.Start(in.Location), Outcome: catalog.OutcomeUnanswered, Detail: fmt.Sprintf("%d %s", i, long)})
	}
	d := Build(in)
	d.URL = "https://callboard.example.com/digest?week=2026-W47&x=<y>"
	blocks, text := Slack(d)
	raw := slackJSON(t, blocks, text)
	checkBlockKit(t, raw)
	if strings.Contains(string(raw), "<that>") {
		t.Error("mrkdwn control characters are not escaped")
	}
}
