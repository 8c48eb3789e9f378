package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestIssue12_11_SecondServeRefused: a second callboard serve on a database
// that another serve holds refuses to start with one clear line, and leaves
// the first one's in-flight deliveries alone (it used to resume them and
// run them a second time).
func TestIssue12_11_SecondServeRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "callboard.db")
	env := []string{"CALLBOARD_DB=" + db, "CALLBOARD_ADDR=127.0.0.1:0"}
	r := &rig{t: t, bin: callboardBinary(t), db: db, env: env}
	first := r.serve()

	// A delivery the first serve is processing right now.
	if _, err := r.conn().Exec(`INSERT INTO deliveries (delivery_id, event, ordering_key, payload, received_at, state, attempts)
		VALUES ('in-flight-1', 'ping', 'ping', '{}', 1, 'processing', 1)`); err != nil {
		t.Fatal(err)
	}

	second := runBin(t, dir, env, 20*time.Second, "serve")
	if second.timedOut {
		t.Fatalf("a second callboard serve on the same database ran (killed after 20 s):\n%s", second.errOut)
	}
	lines := strings.Split(strings.TrimSpace(second.errOut), "\n")
	if second.code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "another callboard serve is running on "+db) ||
		!strings.Contains(lines[0], "one instance per database") {
		t.Errorf("second serve: exit %d, stderr:\n%s\nwant exit 1 and one line saying another serve holds %s", second.code, second.errOut, db)
	}
	if got := r.deliveries()["in-flight-1"]; got.state != "processing" || got.attempts != 1 {
		t.Errorf("the first serve's in-flight delivery is %s after %d attempts, want still processing after 1: the second serve touched it", got.state, got.attempts)
	}
	resp, err := http.Get(first.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the first serve's /readyz: %d after the second was refused", resp.StatusCode)
	}

	// Once the first has stopped, a new serve starts on the database.
	if _, exited := first.stop(syscall.SIGTERM, 10*time.Second); !exited {
		t.Fatal("the first serve did not stop within 10 s of SIGTERM")
	}
	r.serve()
}
