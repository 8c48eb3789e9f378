// Package npmtest gives tests the real npm packages that callboard is held
// to (pinned in a package-lock.json under e2e/): it installs a folder's
// packages with npm ci when they are missing or older than its lock file,
// once for every test package of a run, and skips where node or npm is
// absent (fails, with RequireEnv set, as CI sets it).
package npmtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// RequireEnv names the variable that makes a missing node or npm fail the
// test instead of skipping it: CI sets it, so CI cannot pass by skipping.
const RequireEnv = "CALLBOARD_REQUIRE_NODE"

// stampFile, inside node_modules, holds the hash of the package-lock.json
// that npm ci installed; npm ci removes node_modules, so a stale one goes.
const stampFile = ".callboard-installed"

// Setup returns node's path and the folder e2e/NAME of the module the test
// runs in, with its packages installed (npm ci) when they are missing or
// older than package-lock.json; probe is a package the folder depends on,
// whose presence says the install finished. Test packages run at once
// install it once: the first takes a lock on the folder and the others wait
// for it. Where node or npm is not installed, the test is skipped, saying
// why (failed with RequireEnv set); what says it is check.
func Setup(t testing.TB, name, probe, check string) (node, dir string) {
	t.Helper()
	dir, err := folder(name)
	if err != nil {
		t.Fatal(err)
	}
	absent := func(what string, err error) {
		t.Helper()
		msg := fmt.Sprintf("the %s check needs %s (%v); install Node.js 20 or later with npm to run it", check, what, err)
		if os.Getenv(RequireEnv) != "" {
			t.Fatal(msg)
		}
		t.Skip("skipped: " + msg)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		absent("node", err)
	}
	want, err := lockHash(dir)
	if err != nil {
		t.Fatal(err)
	}
	if installed(dir, probe, want) {
		return node, dir
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		absent("npm", err)
	}
	unlock, err := lock(filepath.Join(dir, ".install.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if installed(dir, probe, want) { // another test package installed it while this one waited
		return node, dir
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "node_modules", stampFile), []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("installed %s (npm ci in %s) in %s", probe, dir, time.Since(start).Round(100*time.Millisecond))
	return node, dir
}

// folder is e2e/NAME in the module the test runs in.
func folder(name string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "e2e", name), nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod above " + wd)
		}
	}
}

func lockHash(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func installed(dir, probe, want string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", stampFile))
	if err != nil || string(b) != want {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "node_modules", filepath.FromSlash(probe), "package.json"))
	return err == nil
}
