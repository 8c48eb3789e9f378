// Package catalogclient gives tests the real @backstage/catalog-client,
// pinned in e2e/catalogclient/package-lock.json, to check callboard's
// catalog API against (installed by npmtest: once for every test package of
// a run, skipped where npm is absent).
package catalogclient

import (
	"testing"

	"github.com/callboard/callboard/internal/npmtest"
)

// Setup returns node's path and the e2e/catalogclient folder, with its
// packages installed (npm ci) when they are missing or older than
// package-lock.json. Where node or npm is not installed, the test is
// skipped, saying why (failed with npmtest.RequireEnv set).
func Setup(t testing.TB) (node, dir string) {
	t.Helper()
	return npmtest.Setup(t, "catalogclient", "@backstage/catalog-client", "@backstage/catalog-client")
}
