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
// commands, at /slack/commands, and no scope beyond commands and chat:write.
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
			Commands []struct {
				Command   string `yaml:"command"`
				URL       string `yaml:"url"`
				UsageHint string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes map[string][]string `yaml:"scopes"`
		} `yaml:"oauth_config"`
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
	if len(m.OAuth.Scopes) != 1 || !slices.Equal(m.OAuth.Scopes["bot"], []string{"commands", "chat:write"}) {
		t.Errorf("scopes %v, want only bot: commands, chat:write", m.OAuth.Scopes)
	}
}
