package githubapp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/queue"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/callboard/callboard/scaffold"
)

// testKey is one RSA key for every test: generating one costs ~100 ms.
var testKey = func() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}()

// harness is an App with real workers, a real SQLite file and the fake
// GitHub API reached through GITHUB_API_URL.
type harness struct {
	t          *testing.T
	gh         *fakegithub.Server
	st         *testStore
	app        *App
	scaffolder *scaffold.Service // when the harness scaffolds
	seq        atomic.Int64
	stop       func()
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	return newHarnessWith(t, cfg, nil)
}

// newHarnessWith is newHarness with, when policy is set, a scaffold
// service running cfg.ScaffoldRepo's requests, built as cmd/callboard
// builds it.
func newHarnessWith(t *testing.T, cfg Config, policy *scaffold.Policy) *harness {
	t.Helper()
	h := &harness{t: t, gh: fakegithub.New(t), st: openStore(t)}
	if policy != nil {
		h.scaffolder = &scaffold.Service{Store: scaffold.NewStore(h.st.db, cfg.Now), Catalog: h.st,
			Policy: policy.WithDefaults(cfg.ScaffoldRepo), BaseURL: "https://callboard.example"}
		cfg.Scaffolder = h.scaffolder
	}
	cfg.AppID = "4242"
	cfg.PrivateKey = testKey
	cfg.WebhookSecret = []byte(testSecret)
	cfg.APIURL = h.gh.URL + "/"
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 20 * time.Millisecond
	}
	if cfg.RedeliverEvery == 0 {
		cfg.RedeliverEvery = -1
	}
	cfg.Usage = h.st
	app, err := New(cfg, h.st, h.st.db)
	if err != nil {
		t.Fatal(err)
	}
	h.app = app
	ctx, cancel := context.WithCancel(context.Background())
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	h.stop = func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		app.Stop(sctx)
		cancel()
	}
	t.Cleanup(h.stop)
	return h
}

// deliver signs and posts a payload (any JSON value) and returns the delivery id.
func (h *harness) deliver(event string, payload any) string {
	h.t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.deliverRaw(event, body)
}

func (h *harness) deliverRaw(event string, body []byte) string {
	h.t.Helper()
	guid := fmt.Sprintf("%s-%d", event, h.seq.Add(1))
	w := post(h.t, h.app, event, guid, body, sign(testSecret, body))
	if w.Code != http.StatusAccepted {
		h.t.Fatalf("%s delivery: status %d %s", event, w.Code, w.Body)
	}
	return guid
}

// settle waits until no delivery is pending or processing.
func (h *harness) settle() {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n, err := h.app.queue.Depth(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	ds, _ := queue.List(context.Background(), h.st.db, 20)
	h.t.Fatalf("deliveries did not settle in 20 s: %+v", ds)
}

// state returns a delivery's final state and last error.
func (h *harness) state(guid string) (string, string) {
	h.t.Helper()
	var state, lastErr string
	err := h.st.db.QueryRow(context.Background(), `SELECT state, last_error FROM deliveries WHERE delivery_id = ?`, guid).Scan(&state, &lastErr)
	if err != nil {
		h.t.Fatal(err)
	}
	return state, lastErr
}

func (h *harness) mustState(guid, want string) {
	h.t.Helper()
	if got, lastErr := h.state(guid); got != want {
		h.t.Fatalf("delivery %s is %s (%s), want %s", guid, got, lastErr, want)
	}
}

func (h *harness) entity(ref string) *catalog.Entity {
	h.t.Helper()
	e, err := h.st.Entity(context.Background(), catalog.MustParseRef(ref))
	if err != nil {
		return nil
	}
	return e
}

// Payload builders, in GitHub's shapes (only the fields callboard reads).

type obj = map[string]any

func repoJSON(id int64, fullName, branch string) obj {
	owner := fullName[:len(fullName)-len(fullName[indexSlash(fullName)+1:])-1]
	return obj{"id": id, "name": fullName[indexSlash(fullName)+1:], "full_name": fullName, "default_branch": branch,
		"html_url": "https://github.com/" + fullName, "private": false, "archived": false,
		"owner": obj{"login": owner, "type": "Organization"}}
}

func indexSlash(s string) int {
	for i := range s {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

func installationJSON(id int64, org string) obj {
	return obj{"id": id, "account": obj{"login": org, "type": "Organization"}}
}

func pushJSON(inst int64, repo obj, branch string, commits ...obj) obj {
	cs := make([]any, len(commits))
	for i, c := range commits {
		cs[i] = c
	}
	// Each push has a new head: identical bodies are taken for a replay.
	after := fmt.Sprintf("%040x", pushSeq.Add(1))
	return obj{"ref": "refs/heads/" + branch, "before": "a", "after": after, "repository": repo,
		"installation": obj{"id": inst}, "commits": cs, "head_commit": commits[len(commits)-1]}
}

var pushSeq atomic.Int64

func commitJSON(added, modified, removed []string) obj {
	l := func(ss []string) []any {
		out := make([]any, len(ss))
		for i, s := range ss {
			out[i] = s
		}
		return out
	}
	return obj{"id": "c0ffee", "message": "change", "added": l(added), "modified": l(modified), "removed": l(removed)}
}
