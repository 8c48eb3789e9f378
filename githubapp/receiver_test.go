package githubapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/callboard/callboard/sqlite"
)

const testSecret = "It's a Secret to Everybody"

var webhookData = filepath.Join("..", "..", "shared", "testdata", "github-webhooks")

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func sha1Sig(secret string, body []byte) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

// testStore is a catalog and the database it is in (the deliveries are
// in the same file).
type testStore struct {
	*store.Store
	db *sqlite.DB
}

func openStore(t testing.TB) *testStore {
	t.Helper()
	return openStoreAt(t, filepath.Join(t.TempDir(), "callboard.db"))
}

func openStoreAt(t testing.TB, path string) *testStore {
	t.Helper()
	db, st := testcatalog.OpenAt(t, path)
	return &testStore{Store: st, db: db}
}

// newTestApp builds an App that stores deliveries but does not process them.
func newTestApp(t testing.TB, st *testStore, cfg Config) *App {
	t.Helper()
	if cfg.WebhookSecret == nil {
		cfg.WebhookSecret = []byte(testSecret)
	}
	a, err := New(cfg, st, st.db)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func post(t testing.TB, h http.Handler, event, guid string, body []byte, sig string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/github", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-GitHub-Event", event)
	r.Header.Set("X-GitHub-Delivery", guid)
	switch {
	case strings.HasPrefix(sig, "sha1="):
		r.Header.Set("X-Hub-Signature", sig)
	case sig != "":
		r.Header.Set("X-Hub-Signature-256", sig)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// examplePayloads returns every octokit example payload with its event name.
func examplePayloads(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(webhookData, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") || filepath.Dir(p) == webhookData {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(webhookData, p)
		out[rel] = b
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v", webhookData, err)
	}
	if len(out) < 100 {
		t.Fatalf("found %d example payloads under %s, want the whole octokit set", len(out), webhookData)
	}
	return out
}

func TestSignatureVectorFromGitHubDocs(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(webhookData, "signature-test-vector.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Secret, Payload string
		Header          string `json:"x_hub_signature_256"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if got := sign(v.Secret, []byte(v.Payload)); got != v.Header {
		t.Fatalf("our signing gives %s, GitHub's docs %s", got, v.Header)
	}
	// The receiver verifies with go-github: the documented vector passes, and
	// then fails as a payload (it is not JSON), not as a signature.
	st := openStore(t)
	a := newTestApp(t, st, Config{WebhookSecret: []byte(v.Secret)})
	w := post(t, a, "ping", "vector-1", []byte(v.Payload), v.Header)
	if w.Code != http.StatusBadRequest {
		t.Errorf("documented vector: status %d (%s), want 400 (verified, then not JSON)", w.Code, w.Body)
	}
}

func TestEveryExamplePayloadIsAccepted(t *testing.T) {
	st := openStore(t)
	a := newTestApp(t, st, Config{})
	i := 0
	for name, body := range examplePayloads(t) {
		event := strings.Split(name, string(filepath.Separator))[0]
		i++
		guid := fmt.Sprintf("guid-%d", i)
		w := post(t, a, event, guid, body, sign(testSecret, body))
		if w.Code != http.StatusAccepted {
			t.Errorf("%s: status %d (%s), want 202", name, w.Code, strings.TrimSpace(w.Body.String()))
		}
		// GitHub retrying the same delivery is acknowledged, not stored twice.
		if w := post(t, a, event, guid, body, sign(testSecret, body)); w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), "duplicate") {
			t.Errorf("%s again: status %d (%s), want 202 duplicate", name, w.Code, w.Body)
		}
	}
	n, err := a.queue.Depth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != i {
		t.Errorf("%d deliveries stored, want %d (one per payload)", n, i)
	}
}

func TestReceiverRefuses(t *testing.T) {
	st := openStore(t)
	a := newTestApp(t, st, Config{})
	body := []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`)
	big := append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), MaxPayload)...)
	big = append(big, `"}`...)
	tests := []struct {
		name   string
		app    *App
		body   []byte
		sig    string
		event  string
		status int
	}{
		{"wrong signature", a, body, sign("not the secret", body), "ping", http.StatusUnauthorized},
		{"no signature", a, body, "", "ping", http.StatusUnauthorized},
		{"sha1 only is not enough", a, body, sha1Sig(testSecret, body), "ping", http.StatusUnauthorized},
		{"signature of another body", a, body, sign(testSecret, []byte("{}")), "ping", http.StatusUnauthorized},
		{"over 25 MB", a, big, sign(testSecret, big), "ping", http.StatusRequestEntityTooLarge},
		{"not JSON", a, []byte("hello"), sign(testSecret, []byte("hello")), "ping", http.StatusBadRequest},
		{"no event header", a, body, sign(testSecret, body), "", http.StatusBadRequest},
		{"secret unset", newTestApp(t, st, Config{WebhookSecret: []byte{}}), body, sign(testSecret, body), "ping", http.StatusServiceUnavailable},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(t, tt.app, tt.event, fmt.Sprintf("refused-%d", i), tt.body, tt.sig)
			if w.Code != tt.status {
				t.Errorf("status %d (%s), want %d", w.Code, strings.TrimSpace(w.Body.String()), tt.status)
			}
		})
	}
	if n, _ := a.queue.Depth(context.Background()); n != 0 {
		t.Errorf("%d refused deliveries were stored", n)
	}
}
