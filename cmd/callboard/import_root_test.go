//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestIssue12_10_ImportStaysInsideFolder: callboard import reads only the
// regular files inside the folder. A symbolic link to a file or a folder
// outside it, and a placeholder that reaches out through one, bring nothing
// in; a named pipe is never opened (it used to hang the import past
// SIGTERM); each is named in the output.
func TestIssue12_10_ImportStaysInsideFolder(t *testing.T) {
	outside := t.TempDir()
	secret := writeFile(t, outside, "secrets.yaml", component("leaked-secret", "team-x")+"  description: AWS_SECRET_ACCESS_KEY=abc123\n")
	writeFile(t, outside, "elsewhere/catalog-info.yaml", component("leaked-folder", "team-x"))
	writeFile(t, outside, "token.txt", "ghp_not-for-the-catalog\n")

	dir := t.TempDir()
	writeFile(t, dir, "svc/catalog-info.yaml", component("inside", "team-a"))
	writeFile(t, dir, "docs/catalog-info.yaml", component("with-text", "team-a")+"  description:\n    $text: ./token.txt\n")
	for link, target := range map[string]string{
		"leak.yaml":          secret,
		"linked":             filepath.Join(outside, "elsewhere"),
		"docs/token.txt":     filepath.Join(outside, "token.txt"),
		"svc/same-file.yaml": filepath.Join(dir, "svc", "catalog-info.yaml"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(t.TempDir(), "callboard.db")
	env := []string{"CALLBOARD_DB=" + db}
	res := runBin(t, dir, env, 30*time.Second, "import", dir)
	if res.timedOut {
		t.Fatalf("callboard import did not finish within 30 s (a named pipe in the folder?):\n%s%s", res.out, res.errOut)
	}
	if res.code != 1 {
		t.Errorf("import exit %d, want 1 (the placeholder was refused):\n%s%s", res.code, res.out, res.errOut)
	}
	for _, want := range []string{
		"leak.yaml: symbolic link",
		"linked: symbolic link",
		"pipe.yaml: named pipe",
		filepath.Join("svc", "same-file.yaml") + ": symbolic link",
		"placeholder $text ./token.txt: cannot be read inside the imported directory",
		"(1 added,",
	} {
		if !strings.Contains(res.out, want) {
			t.Errorf("import output lacks %q:\n%s", want, res.out)
		}
	}
	for _, query := range []string{"leaked-secret", "leaked-folder", "with-text"} {
		if r := runBin(t, dir, env, 30*time.Second, "owner", query); r.code != 1 {
			t.Errorf("owner %s: exit %d, want 1 (not in the catalog):\n%s", query, r.code, r.out)
		}
	}
	if r := runBin(t, dir, env, 30*time.Second, "owner", "inside"); r.code != 0 {
		t.Errorf("owner inside: exit %d:\n%s%s", r.code, r.out, r.errOut)
	}
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(db + "-wal"); err == nil {
		raw = append(raw, wal...)
	}
	for _, leak := range []string{"AWS_SECRET_ACCESS_KEY", "ghp_not-for-the-catalog"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the database holds %q from outside the folder", leak)
		}
	}
}
