package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveUntil runs "callboard serve" with env until the returned stop is
// called; stop waits for it to exit and fails the test unless it exits 0.
func serveUntil(t *testing.T, env map[string]string, args ...string) (base string, stop func()) {
	t.Helper()
	env["CALLBOARD_ADDR"] = "127.0.0.1:0"
	addrc := make(chan string, 1)
	testHookListening = func(a string) { addrc <- a }
	defer func() { testHookListening = nil }()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), envFrom(env), io.Discard, logs) }()
	select {
	case a := <-addrc:
		base = "http://" + a
	case code := <-done:
		cancel()
		t.Fatalf("serve exited with %d:\n%s", code, logs)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("serve did not listen:\n%s", logs)
	}
	return base, func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d:\n%s", code, logs)
		}
	}
}

// TestRestoredBackupAnswersTheSame follows the README's backup and restore:
// a snapshot taken while serve runs, the server stopped, the snapshot put in
// the database's place (its write-ahead log removed), and a fresh server on
// it answers as the first did.
func TestRestoredBackupAnswersTheSame(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "callboard.db")
	env := map[string]string{"CALLBOARD_DB": db}
	base, stop := serveUntil(t, env, "--demo")
	get := func(base, path string) string {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	paths := []string{"/api/catalog/entities/by-name/component/default/payments-api", "/api/catalog/entities?filter=kind=group&fields=metadata.name"}
	var before []string
	for _, p := range paths {
		before = append(before, get(base, p))
	}
	_, ownerBefore, _ := runCLI(t, env, "owner", "legacy-billing")
	snap := filepath.Join(dir, "backups", "callboard-2026-12-03.db")
	os.MkdirAll(filepath.Dir(snap), 0o755)
	if code, out, errOut := runCLI(t, env, "backup", snap); code != 0 {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	// A change after the snapshot, which the restore must not bring back.
	os.WriteFile(filepath.Join(dir, "late.catalog.yaml"), []byte("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: late}\nspec: {type: service, lifecycle: production, owner: payments}\n"), 0o644)
	if code, out, _ := runCLI(t, env, "import", dir); code != 0 {
		t.Fatalf("import: %s", out)
	}
	stop()

	if err := os.Rename(db, db+".replaced"); err != nil {
		t.Fatal(err)
	}
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")
	b, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	base, stop = serveUntil(t, env) // no --demo: what it answers comes from the snapshot
	defer stop()
	for i, p := range paths {
		if got := get(base, p); got != before[i] {
			t.Errorf("GET %s after the restore:\n%s\nbefore:\n%s", p, got, before[i])
		}
	}
	if _, out, _ := runCLI(t, env, "owner", "legacy-billing"); out != ownerBefore || !strings.Contains(out, "CODEOWNERS") {
		t.Errorf("owner legacy-billing after the restore:\n%s\nbefore:\n%s", out, ownerBefore)
	}
	if code, _, _ := runCLI(t, env, "owner", "late"); code != 1 {
		t.Errorf("an entity imported after the snapshot is there after the restore")
	}
}
