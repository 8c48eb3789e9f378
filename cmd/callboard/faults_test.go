package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/callboard/callboard/sqlite"
)

// Fault tests (issue 8) against the real binary, as it runs in production:
// "callboard serve" is a child process that is killed with SIGKILL, stopped
// with SIGTERM and restarted, GitHub is the fake API reached through
// GITHUB_API_URL, and its database is locked by another connection.

// binDir holds the binary the fault tests build once; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "callboard-faults-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "callboard")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// callboardBinary builds cmd/callboard (once for the package).
func callboardBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the callboard binary; skipped with -short")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

var appKeyPEM = sync.OnceValue(func() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
})

const faultSecret = "fault-webhook-secret"

// rig is an organisation on the fake GitHub (installation 7, acme, repos
// acme/svc-N each with a catalog file) and the environment that points
// callboard at it and at a database of its own.
type rig struct {
	t     *testing.T
	bin   string
	gh    *fakegithub.Server
	db    string
	env   []string
	repos int
	read  *sql.DB // the test's own connection to the database
}

func newRig(t *testing.T, repos int) *rig {
	t.Helper()
	r := &rig{t: t, bin: callboardBinary(t), gh: fakegithub.New(t), repos: repos}
	r.gh.AddInstallation(7, "acme")
	for k := range repos {
		r.gh.AddRepo(7, fakegithub.Repo{ID: repoID(k), FullName: repoName(k), DefaultBranch: "main"})
		r.setOwner(k, "team-initial")
	}
	dir := t.TempDir()
	r.db = filepath.Join(dir, "callboard.db")
	keyFile := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyFile, appKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	// Nothing from the developer's environment: only what is set here.
	r.env = []string{
		"CALLBOARD_DB=" + r.db, "CALLBOARD_ADDR=127.0.0.1:0", "CALLBOARD_LOG_LEVEL=info",
		"GITHUB_APP_ID=4242", "GITHUB_PRIVATE_KEY_FILE=" + keyFile, "GITHUB_WEBHOOK_SECRET=" + faultSecret,
		"GITHUB_API_URL=" + r.gh.URL + "/",
	}
	return r
}

func repoID(k int) int64        { return int64(500 + k) }
func repoName(k int) string     { return fmt.Sprintf("acme/svc-%d", k) }
func componentRef(k int) string { return fmt.Sprintf("component:default/svc-%d", k) }

// setOwner commits a catalog file naming owner to repository k's default branch.
func (r *rig) setOwner(k int, owner string) {
	r.gh.SetFile(repoName(k), "main", "catalog-info.yaml", []byte(fmt.Sprintf(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-%d
spec:
  type: service
  lifecycle: production
  owner: %s
`, k, owner)))
}

// proc is "callboard serve" running as a child process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *lockedBuffer
	done chan struct{} // closed when the process has exited
	err  error         // how it exited, once done is closed
}

func (r *rig) serve() *proc {
	r.t.Helper()
	return r.serveArgs()
}

// serveArgs is serve with flags ("--demo").
func (r *rig) serveArgs(args ...string) *proc {
	r.t.Helper()
	p := &proc{t: r.t, cmd: exec.Command(r.bin, append([]string{"serve"}, args...)...), logs: &lockedBuffer{}, done: make(chan struct{})}
	stdout := &lockedBuffer{}
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = r.env, stdout, p.logs
	if err := p.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	r.t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	for deadline := time.Now().Add(20 * time.Second); p.base == ""; time.Sleep(10 * time.Millisecond) {
		if _, rest, ok := strings.Cut(stdout.String(), "serving on "); ok {
			p.base = strings.Fields(rest)[0]
			break
		}
		select {
		case <-p.done:
			r.t.Fatalf("callboard serve exited before listening (%v):\n%s", p.err, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("callboard serve did not listen within 20 s:\n%s", p.logs)
		}
	}
	return p
}

// stop sends sig and waits up to limit for the process to exit.
func (p *proc) stop(sig os.Signal, limit time.Duration) (took time.Duration, exited bool) {
	p.t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
		return time.Since(start), true
	case <-time.After(limit):
		return time.Since(start), false
	}
}

// delivery is one webhook delivery, as GitHub would send (and resend) it.
type delivery struct {
	guid, event string
	body        []byte
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pushTo is a push to repository k's default branch that modified its catalog file.
func (r *rig) pushTo(guid string, k int) delivery {
	commit := map[string]any{"id": guid, "message": "change the owner", "added": []string{}, "modified": []string{"catalog-info.yaml"}, "removed": []string{}}
	return delivery{guid: guid, event: "push", body: mustMarshal(r.t, map[string]any{
		"ref": "refs/heads/main", "before": "a", "after": "b",
		"repository": map[string]any{"id": repoID(k), "name": strings.TrimPrefix(repoName(k), "acme/"), "full_name": repoName(k),
			"default_branch": "main", "html_url": "https://github.com/" + repoName(k), "owner": map[string]any{"login": "acme", "type": "Organization"}},
		"installation": map[string]any{"id": 7}, "commits": []any{commit}, "head_commit": commit,
	})}
}

var webhookClient = &http.Client{Timeout: 30 * time.Second}

// send posts a signed delivery and returns the status and body of the answer.
func send(base string, d delivery) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/webhooks/github", bytes.NewReader(d.body))
	if err != nil {
		return 0, "", err
	}
	mac := hmac.New(sha256.New, []byte(faultSecret))
	mac.Write(d.body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", d.event)
	req.Header.Set("X-GitHub-Delivery", d.guid)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := webhookClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// mustSend sends d and fails the test unless it is acknowledged.
func (r *rig) mustSend(p *proc, d delivery) {
	r.t.Helper()
	code, body, err := send(p.base, d)
	if err != nil || code != http.StatusAccepted {
		r.t.Fatalf("delivery %s: %d %q %v, want 202", d.guid, code, body, err)
	}
}

// backfill delivers the installation and waits for it, then forgets the API
// calls it made.
func (r *rig) backfill(p *proc) {
	r.t.Helper()
	r.mustSend(p, delivery{guid: "install-1", event: "installation", body: mustMarshal(r.t, map[string]any{
		"action": "created", "installation": map[string]any{"id": 7, "account": map[string]any{"login": "acme", "type": "Organization"}},
	})})
	r.settle(p)
	if got := r.deliveries()["install-1"]; got.state != "done" {
		r.t.Fatalf("the installation ended %+v, want done:\n%s", got, p.logs)
	}
	r.gh.ResetCalls()
}

// conn is the test's own connection to callboard's database.
func (r *rig) conn() *sql.DB {
	r.t.Helper()
	if r.read == nil {
		db, err := sql.Open("sqlite", "file:"+r.db+"?_pragma=busy_timeout(10000)")
		if err != nil {
			r.t.Fatal(err)
		}
		r.read = db
		r.t.Cleanup(func() { db.Close() })
	}
	return r.read
}

type deliveryRow struct {
	state    string
	attempts int
	lastErr  string
	rows     int // rows with this delivery id
}

// deliveries reads the deliveries table, by delivery id.
func (r *rig) deliveries() map[string]deliveryRow {
	r.t.Helper()
	rows, err := r.conn().Query(`SELECT delivery_id, state, attempts, last_error FROM deliveries`)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]deliveryRow{}
	for rows.Next() {
		var guid string
		var d deliveryRow
		if err := rows.Scan(&guid, &d.state, &d.attempts, &d.lastErr); err != nil {
			r.t.Fatal(err)
		}
		d.rows = out[guid].rows + 1
		out[guid] = d
	}
	if err := rows.Err(); err != nil {
		r.t.Fatal(err)
	}
	return out
}

func countStates(ds map[string]deliveryRow, prefix string) map[string]int {
	n := map[string]int{}
	for guid, d := range ds {
		if strings.HasPrefix(guid, prefix) {
			n[d.state]++
		}
	}
	return n
}

// settle waits until no delivery is pending or processing.
func (r *rig) settle(p *proc) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := r.conn().QueryRow(`SELECT count(*) FROM deliveries WHERE state IN ('pending', 'processing')`).Scan(&n); err != nil {
			r.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%d deliveries still pending or processing after 30 s:\n%s", n, p.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cli runs a callboard command on the rig's database.
func (r *rig) cli(args ...string) (string, error) {
	cmd := exec.Command(r.bin, args...)
	cmd.Env = r.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// owners reads the owner of every repository's component from the catalog.
func (r *rig) owners() []string {
	r.t.Helper()
	_, st, done, err := openCatalog(context.Background(), r.db, sqlite.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	defer done()
	out := make([]string, r.repos)
	for k := range out {
		e, err := st.Entity(context.Background(), catalog.MustParseRef(componentRef(k)))
		if err != nil {
			r.t.Fatalf("%s: %v", componentRef(k), err)
		}
		out[k] = e.SpecString("owner")
	}
	return out
}

// TestKillDuringIntake kills "callboard serve" with SIGKILL while pushes are
// being received and processed, restarts it, and resends what was not
// acknowledged, as GitHub redelivers: nothing acknowledged is lost, and
// nothing but the deliveries interrupted mid-processing runs twice.
func TestKillDuringIntake(t *testing.T) {
	t.Parallel()
	const repos, senders, pushes, killAfter = 16, 8, 200, 100
	r := newRig(t, repos)
	first := r.serve()
	r.backfill(first)
	// A push reads its catalog file in one GraphQL call; slowed down, work is
	// queued and in flight when the kill comes.
	r.gh.DelayNext("POST /graphql", 2*pushes, 20*time.Millisecond)

	ds := make([]delivery, pushes)
	want := make([]string, repos) // the owner each repository's file names last
	for i := range ds {
		ds[i] = r.pushTo(fmt.Sprintf("push-%03d", i), i%repos)
		want[i%repos] = fmt.Sprintf("team-%03d", i)
	}
	// Sender g sends pushes g, g+8, ...: repositories g and g+8, each
	// committing the file change before sending its push.
	acked := make([]bool, pushes)
	var nAcked atomic.Int32
	kill := make(chan struct{})
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := g; i < pushes; i += senders {
				r.setOwner(i%repos, fmt.Sprintf("team-%03d", i))
				if code, _, err := send(first.base, ds[i]); err == nil && code == http.StatusAccepted {
					acked[i] = true
					if nAcked.Add(1) == killAfter {
						close(kill)
					}
				}
			}
		})
	}
	select {
	case <-kill:
	case <-time.After(30 * time.Second):
		t.Fatalf("only %d of %d deliveries acknowledged in 30 s:\n%s", nAcked.Load(), pushes, first.logs)
	}
	if _, exited := first.stop(syscall.SIGKILL, 10*time.Second); !exited {
		t.Fatal("callboard did not die of SIGKILL within 10 s")
	}
	wg.Wait()

	// At the kill: every acknowledged delivery is stored.
	atKill := r.deliveries()
	ackedN, storedUnacked := 0, 0
	for i, d := range ds {
		_, stored := atKill[d.guid]
		switch {
		case acked[i]:
			ackedN++
			if !stored {
				t.Errorf("delivery %s was acknowledged (202) but is not in the deliveries table after the kill", d.guid)
			}
		case stored:
			storedUnacked++ // committed, but the answer died with the process
		}
	}
	killStates := countStates(atKill, "push-")
	interrupted := killStates["processing"]
	if killStates["pending"]+interrupted == 0 {
		t.Fatalf("nothing was pending or in flight at the kill (%v): the test proves nothing", killStates)
	}

	second := r.serve()
	duplicates := 0
	for i, d := range ds {
		if acked[i] {
			continue
		}
		code, body, err := send(second.base, d)
		if err != nil || code != http.StatusAccepted {
			t.Fatalf("redelivery of %s after the restart: %d %q %v", d.guid, code, body, err)
		}
		if strings.Contains(body, "duplicate") {
			duplicates++
		}
	}
	r.settle(second)

	final := r.deliveries()
	claims := 0
	for _, d := range ds {
		row, ok := final[d.guid]
		switch {
		case !ok:
			t.Errorf("delivery %s is missing", d.guid)
		case row.rows != 1:
			t.Errorf("delivery %s has %d rows, want 1", d.guid, row.rows)
		case row.state != "done":
			t.Errorf("delivery %s ended %s (%s), want done", d.guid, row.state, row.lastErr)
		}
		claims += row.attempts
	}
	if len(final) != pushes+1 {
		t.Errorf("%d deliveries stored, want %d pushes and the installation", len(final), pushes)
	}
	// Each run of a push reads its catalog file once. Only a delivery that was
	// processing at the kill may have run twice.
	reads := r.gh.CallCount("POST /graphql")
	if reads < pushes || reads > pushes+interrupted {
		t.Errorf("%d catalog-file reads for %d pushes with %d interrupted mid-processing, want %d to %d",
			reads, pushes, interrupted, pushes, pushes+interrupted)
	}
	if claims < pushes || claims > pushes+interrupted {
		t.Errorf("pushes were run %d times in all, want %d to %d (each once, the %d interrupted at most twice)",
			claims, pushes, pushes+interrupted, interrupted)
	}
	if interrupted > 0 && !logged(second.logs.String(), "resuming deliveries interrupted by the last stop", fmt.Sprintf("count=%d", interrupted)) {
		t.Errorf("the restart did not log resuming %d deliveries:\n%s", interrupted, second.logs)
	}
	if got := r.owners(); !slices.Equal(got, want) {
		t.Errorf("owners after the restart %v, want the last file of each repository %v", got, want)
	}
	out, err := r.cli("deliveries", "-n", "1000")
	if err != nil {
		t.Fatalf("callboard deliveries: %v\n%s", err, out)
	}
	for _, line := range strings.Split(out, "\n")[1:] {
		if line != "" && !strings.HasPrefix(line, "done ") {
			t.Errorf("callboard deliveries lists a delivery not done: %s", line)
		}
	}
	t.Logf("%d pushes: %d acknowledged before the kill (%d more stored whose answer was lost, %d sent after it); at the kill %d done, %d pending, %d in flight; after the restart %d resumed, %d redelivered (%d duplicates); %d runs and %d catalog-file reads in all",
		pushes, ackedN, storedUnacked, pushes-ackedN-storedUnacked, killStates["done"], killStates["pending"], interrupted, interrupted, pushes-ackedN, duplicates, claims, reads)
}

// logged reports whether a line of logs holds msg and every one of fields.
func logged(logs, msg string, fields ...string) bool {
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `msg="`+msg+`"`) {
			continue
		}
		found := true
		for _, f := range fields {
			found = found && strings.Contains(line, " "+f)
		}
		if found {
			return true
		}
	}
	return false
}

// TestSIGTERMDuringWork stops "callboard serve" with SIGTERM while four
// pushes are in flight (GitHub slow) and four wait: it exits within 10 s,
// and after a restart every acknowledged push is done, each run once unless
// it outlasted the grace period.
func TestSIGTERMDuringWork(t *testing.T) {
	t.Parallel()
	const repos, inFlight = 8, 4 // four workers
	for _, tc := range []struct {
		name    string
		github  time.Duration // how long GitHub takes to answer the pushes in flight
		drained bool
	}{
		{"in-flight work finishes within the grace period", 1500 * time.Millisecond, true},
		{"in-flight work outlasting the grace period resumes after a restart", time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, repos)
			first := r.serve()
			r.backfill(first)
			r.gh.DelayNext("POST /graphql", inFlight, tc.github)
			for k := range repos {
				r.setOwner(k, fmt.Sprintf("team-sigterm-%d", k))
				r.mustSend(first, r.pushTo(fmt.Sprintf("push-%d", k), k))
			}
			var running []string
			for deadline := time.Now().Add(10 * time.Second); len(running) < inFlight; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%d pushes in flight after 10 s, want %d:\n%s", len(running), inFlight, first.logs)
				}
				running = running[:0]
				for guid, d := range r.deliveries() {
					if d.state == "processing" {
						running = append(running, guid)
					}
				}
			}

			took, exited := first.stop(syscall.SIGTERM, 10*time.Second)
			if !exited {
				t.Fatalf("callboard serve still running %s after SIGTERM:\n%s", took, first.logs)
			}
			if first.err != nil {
				t.Errorf("callboard serve exited with %v after SIGTERM:\n%s", first.err, first.logs)
			}
			atStop := r.deliveries()
			states := countStates(atStop, "push-")
			if states["processing"] != 0 {
				t.Errorf("%d pushes left marked processing by a clean stop, want none", states["processing"])
			}
			for _, guid := range running {
				d := atStop[guid]
				if tc.drained && d.state != "done" {
					t.Errorf("in-flight %s ended %s (%s) at the stop, want done within the grace period", guid, d.state, d.lastErr)
				}
				if !tc.drained && d.state != "pending" {
					t.Errorf("in-flight %s ended %s (%s) at the stop, want pending, to resume", guid, d.state, d.lastErr)
				}
			}
			if got := states["done"] + states["pending"]; got != repos {
				t.Errorf("at the stop %v, want all %d pushes done or pending", states, repos)
			}

			second := r.serve()
			r.settle(second)
			final := r.deliveries()
			interrupted := 0
			for k := range repos {
				guid := fmt.Sprintf("push-%d", k)
				d := final[guid]
				wantRuns := 1
				if !tc.drained && slices.Contains(running, guid) {
					wantRuns = 2 // cancelled at the end of the grace period, then run again
					interrupted++
				}
				if d.state != "done" || d.attempts != wantRuns {
					t.Errorf("%s ended %s after %d runs (%s), want done after %d", guid, d.state, d.attempts, d.lastErr, wantRuns)
				}
			}
			if reads := r.gh.CallCount("POST /graphql"); reads > repos+interrupted {
				t.Errorf("%d catalog-file reads for %d pushes (%d interrupted), want at most %d", reads, repos, interrupted, repos+interrupted)
			}
			want := make([]string, repos)
			for k := range want {
				want[k] = fmt.Sprintf("team-sigterm-%d", k)
			}
			if got := r.owners(); !slices.Equal(got, want) {
				t.Errorf("owners %v, want %v", got, want)
			}
			t.Logf("exited %s after SIGTERM with %d pushes in flight: %d done, %d pending at the stop; %d run again after the restart",
				took.Round(10*time.Millisecond), len(running), states["done"], states["pending"], interrupted)
		})
	}
}

// TestSQLiteBusyWhileServing holds the database's write lock from another
// connection for longer than callboard waits for it (busy_timeout, 10 s):
// webhooks meanwhile are acknowledged once the lock goes or refused with a
// 503 that GitHub may redeliver, never a 500 or a lost acknowledgement, and
// reads (the CLI's owner and deliveries, the API) still answer.
func TestSQLiteBusyWhileServing(t *testing.T) {
	t.Parallel()
	const repos, hold = 8, 12 * time.Second
	r := newRig(t, repos)
	p := r.serve()
	r.backfill(p)

	lock, err := sql.Open("sqlite", "file:"+r.db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	conn, err := lock.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatalf("taking the write lock: %v", err)
	}
	locked := time.Now()

	type answer struct {
		code int
		body string
		err  error
	}
	ds := make([]delivery, repos)
	answers := make([]answer, repos)
	var wg sync.WaitGroup
	for k := range ds {
		r.setOwner(k, fmt.Sprintf("team-busy-%d", k))
		ds[k] = r.pushTo(fmt.Sprintf("push-%d", k), k)
		wg.Go(func() {
			a := &answers[k]
			a.code, a.body, a.err = send(p.base, ds[k])
		})
	}

	// Readers do not wait for the writer.
	out, err := r.cli("owner", "svc-3")
	if err != nil || !strings.Contains(out, componentRef(3)) || !strings.Contains(out, "team-initial") {
		t.Errorf("callboard owner svc-3 while the database was locked: %v\n%s", err, out)
	}
	if out, err := r.cli("deliveries"); err != nil || !strings.Contains(out, "install-1") {
		t.Errorf("callboard deliveries while the database was locked: %v\n%s", err, out)
	}
	for _, path := range []string{"/readyz", "/api/catalog/entities/by-name/component/default/svc-3"} {
		resp, err := http.Get(p.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s while the database was locked: %d, want 200", path, resp.StatusCode)
		}
	}
	if time.Since(locked) >= hold {
		t.Fatalf("the reads took longer than the lock was to be held (%s)", hold)
	}
	time.Sleep(hold - time.Since(locked))
	if _, err := conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	var ok, refused []string
	for k, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("delivery %s during the lock: %v", ds[k].guid, a.err)
		case a.code == http.StatusAccepted:
			ok = append(ok, ds[k].guid)
		case a.code == http.StatusServiceUnavailable && strings.Contains(a.body, "could not store the delivery"):
			refused = append(refused, ds[k].guid)
			r.mustSend(p, ds[k]) // GitHub redelivers
		default:
			t.Errorf("delivery %s during the lock: %d %q, want 202 or a 503 saying it was not stored", ds[k].guid, a.code, a.body)
		}
	}
	r.settle(p)
	final := r.deliveries()
	for _, d := range ds {
		if row := final[d.guid]; row.state != "done" {
			t.Errorf("%s ended %q (%s), want done", d.guid, row.state, row.lastErr)
		}
	}
	want := make([]string, repos)
	for k := range want {
		want[k] = fmt.Sprintf("team-busy-%d", k)
	}
	if got := r.owners(); !slices.Equal(got, want) {
		t.Errorf("owners %v, want %v", got, want)
	}
	t.Logf("write lock held %s: %d webhooks acknowledged once it was released, %d refused with 503 and redelivered; reads answered meanwhile",
		hold, len(ok), len(refused))
}
