package githubapp

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog/check"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
)

// Fault tests (issue 8): GitHub timing out or failing during backfill and
// pull-request checks, and the database busy under another writer. Each
// delivery goes through the real receiver, queue and workers.

// clientTimeout stands in for the 30 s of production, so that a request the
// fake holds for longer times out quickly.
const clientTimeout = 500 * time.Millisecond

// attempts is how many times a delivery was claimed by a worker.
func (h *harness) attempts(guid string) int {
	h.t.Helper()
	var n int
	if err := h.st.db.QueryRow(context.Background(), `SELECT attempts FROM deliveries WHERE delivery_id = ?`, guid).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// ledgerRepo adds acme/ledger, which has no catalog file, so that a pull
// request on branch feature-x gets a neutral check run and a comment.
func ledgerRepo(h *harness) obj {
	h.gh.AddRepo(7, fakegithub.Repo{ID: 201, FullName: "acme/ledger", DefaultBranch: "main", Description: "Double-entry ledger"})
	h.gh.SetFile("acme/ledger", "main", ".github/CODEOWNERS", []byte("* @acme/payments\n"))
	h.gh.SetFile("acme/ledger", "feature-x", "README.md", []byte(prReadme))
	repo := repoJSON(201, "acme/ledger", "main")
	repo["description"] = "Double-entry ledger"
	return repo
}

func TestGitHubTimeoutsAreRetried(t *testing.T) {
	t.Run("backfill: listing the repositories, then reading a catalog file", func(t *testing.T) {
		h := newHarness(t, Config{HTTPTimeout: clientTimeout})
		seedAcme(h.gh)
		h.gh.DelayNext("GET /installation/repositories", 1, time.Minute)
		h.gh.DelayNext("POST /graphql", 1, time.Minute)
		guid := h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
		h.settle()
		h.mustState(guid, queue.StateDone)
		// The listing's timeout fails the attempt; the batched read's is
		// retried within the next one (a backfill does not start over for one
		// batch).
		if got := h.attempts(guid); got != 2 {
			t.Errorf("%d attempts, want 2 (listing timed out; a read timed out and was retried, success)", got)
		}
		if got := h.gh.CallCount("POST /graphql"); got < 2 {
			t.Errorf("%d GraphQL calls, want the timed-out one and its retry", got)
		}
		for _, ref := range []string{"component:default/payments-api", "component:default/gateway", "group:default/payments"} {
			if h.entity(ref) == nil {
				t.Errorf("%s missing after the timeouts and retries", ref)
			}
		}
		var n int
		h.st.db.QueryRow(context.Background(), `SELECT count(*) FROM entities WHERE ref = 'component:default/payments-api'`).Scan(&n)
		if n != 1 {
			t.Errorf("%d rows for payments-api after the retries, want 1", n)
		}
	})

	t.Run("pull-request check: the read-ahead times out", func(t *testing.T) {
		h := newPRHarness(t, Config{HTTPTimeout: clientTimeout})
		repo := ledgerRepo(h)
		h.gh.DelayNext("POST /graphql", 1, time.Minute)
		sha := h.gh.BranchSHA("acme/ledger", "feature-x")
		guid := h.deliver("pull_request", pullRequestJSON("opened", 5, repo, "feature-x", sha, "main"))
		h.settle()
		h.mustState(guid, queue.StateDone)
		if got := h.attempts(guid); got != 2 {
			t.Errorf("%d attempts, want 2 (timed out, success)", got)
		}
		runs := h.gh.CheckRuns("acme/ledger")
		if len(runs) != 1 || runs[0].HeadSHA != sha || runs[0].Conclusion != check.Neutral {
			t.Errorf("check runs %+v, want one, neutral, at %s", runs, sha)
		}
		mustContain(t, "the comment", h.onlyComment("acme/ledger", 5).Body, check.Marker, "`catalog-info.yaml` is missing")
	})

	t.Run("pull-request check: GitHub writes the comment but the answer times out", func(t *testing.T) {
		// The retry must find the comment by its marker and edit it, not add a second.
		h := newPRHarness(t, Config{HTTPTimeout: clientTimeout, RetryBase: 200 * time.Millisecond})
		repo := ledgerRepo(h)
		h.gh.DelayNext("POST /repos/acme/ledger/issues/5/comments", 1, time.Minute)
		h.gh.ResetCalls()
		sha := h.pr("opened", 5, repo, "feature-x")
		c := h.onlyComment("acme/ledger", 5)
		mustContain(t, "the comment", c.Body, check.Marker, "`catalog-info.yaml` is missing")
		if n := h.gh.CallCount("PATCH /repos/acme/ledger/issues/comments/*"); n != 1 {
			t.Errorf("%d comment edits, want 1 (the retry edits the comment the timed-out request wrote)", n)
		}
		// A check run is not idempotent: the first attempt's stays beside the retry's.
		runs := h.gh.CheckRuns("acme/ledger")
		if last := runs[len(runs)-1]; last.HeadSHA != sha || last.Conclusion != check.Neutral {
			t.Errorf("newest check run %s at %s, want neutral at %s", last.Conclusion, last.HeadSHA, sha)
		}
		t.Logf("%d check runs at %s after the retry", len(runs), sha[:7])
	})
}

func TestPRCheckServerErrorsAreRetried(t *testing.T) {
	h := newPRHarness(t, Config{})
	repo := ledgerRepo(h)
	h.gh.FailNext("POST /repos/acme/ledger/check-runs", 2, http.StatusBadGateway, nil, "")
	h.gh.ResetCalls()
	sha := h.gh.BranchSHA("acme/ledger", "feature-x")
	guid := h.deliver("pull_request", pullRequestJSON("opened", 5, repo, "feature-x", sha, "main"))
	h.settle()
	h.mustState(guid, queue.StateDone)
	if got := h.attempts(guid); got != 3 {
		t.Errorf("%d attempts, want 3 (502, 502, success)", got)
	}
	if n := h.gh.CallCount("POST /repos/acme/ledger/check-runs"); n != 3 {
		t.Errorf("%d check-run creations, want 3 (two refused, one made)", n)
	}
	runs := h.gh.CheckRuns("acme/ledger")
	if len(runs) != 1 || runs[0].HeadSHA != sha || runs[0].Conclusion != check.Neutral {
		t.Errorf("check runs %+v, want exactly one, neutral, at %s", runs, sha)
	}
	mustContain(t, "the comment", h.onlyComment("acme/ledger", 5).Body, check.Marker, "`catalog-info.yaml` is missing")
}

// dbPath is the file behind the harness's store.
func (h *harness) dbPath() string {
	h.t.Helper()
	var seq int
	var name, file string
	if err := h.st.db.QueryRow(context.Background(), `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil || file == "" {
		h.t.Fatalf("finding the database file: %q, %v", file, err)
	}
	return file
}

// lockDB takes the database's write lock from another connection, as another
// process (callboard import, a migration) would, until the returned func is called.
func lockDB(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatalf("taking the write lock: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
				t.Errorf("releasing the write lock: %v", err)
			}
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// TestBusyDatabase holds the write lock longer than a worker waits to record
// a delivery's outcome (5 s), and shorter than a webhook waits (10 s).
func TestBusyDatabase(t *testing.T) {
	h := newHarness(t, Config{})
	seedAcme(h.gh)
	h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()

	// A push in flight when the lock is taken fails at GitHub meanwhile, so
	// the worker's next write is recording that it is to be retried.
	h.gh.SetFile("acme/payments-api", "main", "catalog-info.yaml", []byte(strings.Replace(paymentsV1, "owner: payments", "owner: platform", 1)))
	h.gh.DelayNext("POST /graphql", 1, 700*time.Millisecond)
	h.gh.FailNext("POST /graphql", 1, http.StatusBadGateway, nil, "")
	inFlight := h.deliver("push", pushJSON(7, repoJSON(101, "acme/payments-api", "main"), "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if state, _ := h.state(inFlight); state == queue.StateProcessing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the push was not picked up within 5 s")
		}
	}
	release := lockDB(t, h.dbPath())
	locked := time.Now()

	// Webhooks during the lock wait for it, then are acknowledged.
	h.gh.SetFile("acme/legacy-billing", "master", "CODEOWNERS", []byte("* @acme/platform\n"))
	h.gh.SetFile("acme/platform", "main", "services/gateway/catalog-info.yaml", []byte(strings.NewReplacer("payments-api", "gateway").Replace(paymentsV1)))
	during := []struct {
		guid string
		body obj
	}{
		{"busy-1", pushJSON(7, repoJSON(102, "acme/legacy-billing", "master"), "master", commitJSON(nil, []string{"CODEOWNERS"}, nil))},
		{"busy-2", pushJSON(7, repoJSON(104, "acme/platform", "main"), "main", commitJSON(nil, []string{"services/gateway/catalog-info.yaml"}, nil))},
	}
	codes := make([]int, len(during))
	var wg sync.WaitGroup
	for i, d := range during {
		body, err := json.Marshal(d.body)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { codes[i] = post(t, h.app, "push", d.guid, body, sign(testSecret, body)).Code })
	}
	// Readers are not blocked by a writer (WAL).
	if h.entity("component:default/payments-api") == nil {
		t.Error("the catalog could not be read while the write lock was held")
	}
	time.Sleep(6500*time.Millisecond - time.Since(locked))
	release()
	wg.Wait()
	for i, d := range during {
		if codes[i] != http.StatusAccepted {
			t.Errorf("delivery %s during the lock: status %d, want 202 once the lock was released", d.guid, codes[i])
		}
	}

	h.settle()
	h.mustState(inFlight, queue.StateDone)
	for _, d := range during {
		h.mustState(d.guid, queue.StateDone)
	}
	if got := ownerOf(t, h, "component:payments-api"); got != "platform" {
		t.Errorf("payments-api owner %q after the retried push, want platform", got)
	}
	if got := ownerOf(t, h, "component:gateway"); got != "payments" {
		t.Errorf("gateway owner %q after the push made during the lock, want payments", got)
	}
	t.Logf("in-flight push: %d attempts", h.attempts(inFlight))
}
