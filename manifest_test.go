package callboard

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestIssue12_05_READMEPermissionsAreAppYml: the README's permissions table
// says exactly what app.yml asks, row for row: no permission missing, none
// extra, the same access.
func TestIssue12_05_READMEPermissionsAreAppYml(t *testing.T) {
	var m struct {
		DefaultPermissions map[string]string `yaml:"default_permissions"`
	}
	if err := yaml.Unmarshal(AppManifest, &m); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "### GitHub permissions, and why each is needed")
	if !ok {
		t.Fatal("the README has no section on GitHub permissions")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	row := regexp.MustCompile("(?m)^\\| [^|]*\\(`([a-z_]+)`[^|]*\\) \\| ([a-z]+) \\|")
	got := map[string]string{}
	for _, r := range row.FindAllStringSubmatch(section, -1) {
		if _, dup := got[r[1]]; dup {
			t.Errorf("the README lists %s twice", r[1])
		}
		got[r[1]] = r[2]
	}
	for k, v := range m.DefaultPermissions {
		if got[k] != v {
			t.Errorf("%s: app.yml asks %q, the README says %q", k, v, got[k])
		}
	}
	for k, v := range got {
		if _, ok := m.DefaultPermissions[k]; !ok {
			t.Errorf("the README lists %s: %s, which app.yml does not ask", k, v)
		}
	}
	if len(got) == 0 {
		t.Error("no row of the permissions table was read")
	}
}
