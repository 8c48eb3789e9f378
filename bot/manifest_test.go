package bot

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestManifest holds the Slack app manifest to what the bot serves: the two
// commands at /slack/commands, the events the bot takes at /slack/events,
// the buttons at /slack/interactions, the Home and Messages tabs, and no
// scope beyond what those need (each explained in the manifest and the
// README).
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "slack-app-manifest.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Display struct {
			Name string `yaml:"name"`
		} `yaml:"display_information"`
		Features struct {
			AppHome struct {
				Home     bool `yaml:"home_tab_enabled"`
				Messages bool `yaml:"messages_tab_enabled"`
				ReadOnly bool `yaml:"messages_tab_read_only_enabled"`
			} `yaml:"app_home"`
			Commands []struct {
				Command   string `yaml:"command"`
				URL       string `yaml:"url"`
				UsageHint string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes map[string][]string `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				URL    string   `yaml:"request_url"`
				Events []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool   `yaml:"is_enabled"`
				URL     string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Display.Name != "callboard" {
		t.Errorf("display name %q, want callboard", m.Display.Name)
	}
	var cmds []string
	for _, c := range m.Features.Commands {
		cmds = append(cmds, c.Command)
		if !strings.HasSuffix(c.URL, "/slack/commands") || !strings.HasPrefix(c.URL, "https://") || c.UsageHint == "" {
			t.Errorf("%s: url %q, usage hint %q; want https://…/slack/commands and a hint", c.Command, c.URL, c.UsageHint)
		}
		if parseCommandName(c.Command) == "" {
			t.Errorf("%s is not a command the bot answers", c.Command)
		}
	}
	if !slices.Equal(cmds, []string{"/owner", "/catalog"}) {
		t.Errorf("commands %v, want /owner and /catalog", cmds)
	}
	want := []string{"commands", "chat:write", "app_mentions:read", "im:history", "users:read", "users:read.email"}
	if len(m.OAuth.Scopes) != 1 || !slices.Equal(m.OAuth.Scopes["bot"], want) {
		t.Errorf("scopes %v, want only bot: %v", m.OAuth.Scopes, want)
	}
	for _, scope := range want {
		if !strings.Contains(string(raw), "# "+scope+":") && !strings.Contains(string(raw), " "+scope+" and ") && !strings.Contains(string(raw), " and "+scope+":") {
			t.Errorf("the manifest does not explain %s", scope)
		}
	}
	if e := m.Settings.Events; !strings.HasSuffix(e.URL, "/slack/events") || !slices.Equal(e.Events, []string{"app_mention", "message.im", "app_home_opened"}) {
		t.Errorf("events %v at %q, want app_mention, message.im and app_home_opened at …/slack/events", e.Events, e.URL)
	}
	if i := m.Settings.Interactivity; !i.Enabled || !strings.HasSuffix(i.URL, "/slack/interactions") {
		t.Errorf("interactivity %+v, want on at …/slack/interactions", i)
	}
	if h := m.Features.AppHome; !h.Home || !h.Messages || h.ReadOnly {
		t.Errorf("app home %+v, want the Home tab and a Messages tab people can write in", h)
	}
	if m.Settings.SocketMode {
		t.Error("the manifest turns Socket Mode on; it is for installs without a public URL, which turn it on themselves")
	}
}
