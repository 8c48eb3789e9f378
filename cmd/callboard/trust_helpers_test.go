package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// binResult is how a run of the callboard binary ended.
type binResult struct {
	code        int
	out, errOut string
	timedOut    bool
}

// runBin runs the callboard binary with args in dir, with env and nothing
// else from the test's environment, and kills it after limit.
func runBin(t *testing.T, dir string, env []string, limit time.Duration, args ...string) binResult {
	t.Helper()
	bin := callboardBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	res := binResult{out: out.String(), errOut: errOut.String(), timedOut: ctx.Err() != nil}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		t.Fatalf("callboard %v: %v", args, err)
	}
	return res
}

// writeFile writes body at dir/name, making the folders on the way.
func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// component is a catalog file declaring one component.
func component(name, owner string) string {
	return "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name +
		"\nspec:\n  type: service\n  lifecycle: production\n  owner: " + owner + "\n"
}
