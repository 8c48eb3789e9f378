package httpapi

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

var catalogClientDir = filepath.Join("..", "..", "e2e", "catalogclient")

// TestCatalogClient runs the real @backstage/catalog-client (through
// e2e/catalogclient/check.mjs) against the handler over the seeded store. It
// needs node and `npm ci` in e2e/catalogclient: without them it fails when CI
// is set, so CI cannot pass by skipping it, and skips otherwise.
func TestCatalogClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(catalogClientDir, "node_modules", "@backstage", "catalog-client", "package.json"))
	}
	if err != nil {
		msg := "the catalog-client check needs node (20 or later) and its packages: run `npm ci` in e2e/catalogclient (" + err.Error() + ")"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	const token = "catalog-client-check"
	srv := newServer(t, seededStore(t), Options{Token: token})

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.mjs", srv.URL)
	cmd.Dir = catalogClientDir
	cmd.Env = append(os.Environ(), "CALLBOARD_API_TOKEN="+token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node check.mjs %s: %v\n%s", srv.URL, err, out)
	}
	t.Logf("%s", out)
}
