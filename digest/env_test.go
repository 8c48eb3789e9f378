package digest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/callboard/callboard/sqlite"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// clock is a settable fake time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testStore is a catalog and the database it is in (the digest's records
// are in the same file).
type testStore struct {
	*store.Store
	db *sqlite.DB
}

func openStore(t *testing.T, path string) *testStore {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "callboard.db")
	}
	db, st := testcatalog.OpenAt(t, path)
	return &testStore{Store: st, db: db}
}

// pluginsYAML declares two Backstage plugins as components, one owned by a
// group with an email (platform), one by a group without a catalog entity.
const pluginsYAML = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: techdocs
  annotations:
    callboard.dev/usage-plugin-id: techdocs, techdocs-addons
spec:
  type: library
  lifecycle: production
  owner: platform
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cost-insights
  annotations:
    callboard.dev/usage-plugin-id: cost-insights
spec:
  type: library
  lifecycle: experimental
  owner: group:finops
`

// seedCatalog loads the demo organisation and the plugin components.
func seedCatalog(t *testing.T, st *testStore) {
	t.Helper()
	ctx := t.Context()
	if _, err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	parsed, problems := catalog.ParseFile("plugins.yaml", []byte(pluginsYAML), nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var decl []catalog.Declared
	for _, p := range parsed {
		decl = append(decl, catalog.Declared{Entity: p.Entity, Location: "file:/plugins.yaml"})
	}
	if _, err := st.ReplaceSource(ctx, "file:/plugins.yaml", decl, catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// smtpServer is an in-process SMTP server (emersion/go-smtp) on 127.0.0.1
// that requires AUTH PLAIN (allowed without TLS, for the test) and keeps
// what it receives. While down, it drops every connection before the greeting.
type smtpServer struct {
	Addr string
	down atomic.Bool

	mu   sync.Mutex
	msgs []received
}

type received struct {
	User, From string
	To         []string
	Data       []byte
}

const smtpUser, smtpPass = "digest", "s3cret"

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go srv.Serve(&flakyListener{Listener: ln, down: &s.down})
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) URL() string {
	return "smtp://" + smtpUser + ":" + smtpPass + "@" + s.Addr
}

func (s *smtpServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

type flakyListener struct {
	net.Listener
	down *atomic.Bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || !l.down.Load() {
			return c, err
		}
		c.Close()
	}
}

type smtpSession struct {
	srv  *smtpServer
	user string
	msg  received
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != smtpUser || password != smtpPass {
			return errors.New("invalid credentials")
		}
		s.user = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.msg = received{User: s.user, From: from}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = b
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.msg)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.msg = received{} }
func (s *smtpSession) Logout() error { return nil }

// parsedMail is a received digest, taken apart with net/mail and mime/multipart.
type parsedMail struct {
	Header      mail.Header
	ContentType string
	Text, HTML  string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the message: %v", err)
	}
	pm := parsedMail{Header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	pm.ContentType = mt
	if mt != "multipart/alternative" {
		return pm
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading a part: %v", err)
		}
		var body io.Reader = p
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body = quotedprintable.NewReader(p)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("decoding a part: %v", err)
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch pt {
		case "text/plain":
			pm.Text = string(b)
		case "text/html":
			pm.HTML = string(b)
		default:
			t.Errorf("unexpected part %s", pt)
		}
	}
	return pm
}

// slackAPI is an httptest server standing in for Slack's Web API.
type slackAPI struct {
	URL   string
	mu    sync.Mutex
	posts []slackPost
	fail  atomic.Bool
}

type slackPost struct {
	Auth, Channel, Text, Blocks string
}

func startSlack(t *testing.T) *slackAPI {
	t.Helper()
	s := &slackAPI{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/chat.postMessage" {
			t.Errorf("unexpected Slack call %s", r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("parsing chat.postMessage: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		if s.fail.Load() {
			io.WriteString(w, `{"ok":false,"error":"channel_not_found"}`)
			return
		}
		s.mu.Lock()
		auth := r.Header.Get("Authorization")
		if tok := r.PostForm.Get("token"); auth == "" && tok != "" {
			auth = "Bearer " + tok // slack-go sends chat.postMessage's token in the form
		}
		s.posts = append(s.posts, slackPost{Auth: auth, Channel: r.PostForm.Get("channel"),
			Text: r.PostForm.Get("text"), Blocks: r.PostForm.Get("blocks")})
		s.mu.Unlock()
		io.WriteString(w, `{"ok":true,"channel":"C0DIGEST","ts":"1700000000.000100"}`)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/"
	return s
}

func (s *slackAPI) Posts() []slackPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]slackPost(nil), s.posts...)
}

// withTimeout is t.Context() bounded, so a hung server fails the test.
func withTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
