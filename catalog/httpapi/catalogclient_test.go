package httpapi

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/catalogclient"
)

// TestCatalogClient runs the real @backstage/catalog-client (through
// e2e/catalogclient/check.mjs) against the handler over the seeded store.
// catalogclient.Setup installs it with npm when it is missing, and skips the
// test, saying so, where npm is absent.
func TestCatalogClient(t *testing.T) {
	node, dir := catalogclient.Setup(t)
	const token = "catalog-client-check"
	srv := newServer(t, seededStore(t), Options{Token: token})

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.mjs", srv.URL)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CALLBOARD_API_TOKEN="+token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node check.mjs %s: %v\n%s", srv.URL, err, out)
	}
	t.Logf("%s", out)
}
