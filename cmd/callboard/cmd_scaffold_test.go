package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScaffoldForm(t *testing.T) {
	dir := t.TempDir()
	example, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "create-app", "templates", "default-app", "examples", "template", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "template.catalog.yaml"), example, 0o644)
	os.WriteFile(filepath.Join(dir, "teams.catalog.yaml"), []byte("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: payments}\nspec: {type: team, children: []}\n"), 0o644)
	env := map[string]string{"CALLBOARD_DB": filepath.Join(t.TempDir(), "c.db"), "SCAFFOLD_REPO": "acme/requests"}
	if code, _, errOut := runCLI(t, env, "import", dir); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	for _, arg := range []string{"example-nodejs-template", "template:default/example-nodejs-template", ""} {
		args := []string{"scaffold-form"}
		if arg != "" {
			args = append(args, arg)
		}
		code, out, errOut := runCLI(t, env, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		for _, want := range []string{"name: Example Node.js Template", "- scaffold", "- template:default/example-nodejs-template", "- payments", "created in **acme**"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: form lacks %q:\n%s", args, want, out)
			}
		}
	}
	code, _, errOut := runCLI(t, env, "scaffold-form", "example-node-template")
	if code != 1 || !strings.Contains(errOut, "did you mean example-nodejs-template?") {
		t.Errorf("unknown template: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, map[string]string{"SCAFFOLD_REPO": "acme"}, "scaffold-form"); code != 2 || !strings.Contains(errOut, "SCAFFOLD_REPO") {
		t.Errorf("bad SCAFFOLD_REPO: exit %d: %s", code, errOut)
	}
}
