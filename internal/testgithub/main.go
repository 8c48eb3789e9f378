// Command testgithub is a GitHub to try callboard against before it meets the
// real one: internal/fakegithub (the REST API the tests use) holding the demo
// organisation Acme — its teams, people and repositories, the Go service
// template with its skeleton, and acme/service-requests for scaffolding
// requests — with the App installed. It writes the App's private key and a
// configuration file for callboard, and plays GitHub's part in webhooks: it
// signs and sends the events that a person's actions would cause.
//
//	go run ./internal/testgithub            # listens on 127.0.0.1:9090
//
// Besides the API, it answers (for a person with curl):
//
//	POST /_test/install              send the "installation created" event
//	POST /_test/issues               open an issue in acme/service-requests with
//	                                 the request body as its text (the scaffold
//	                                 form's answers) and send "issues opened"
//	GET  /_test/issues/N             the issue's state, labels and comments
//	GET  /_test/repos                the repositories and their files
//	GET  /_test/files/ORG/REPO/PATH  a file on the default branch
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/callboard/callboard/catalog/demo"
	"github.com/callboard/callboard/internal/fakegithub"
)

const (
	org            = "acme"
	installationID = 1
	appID          = 1
	requestsRepo   = "acme/service-requests"
	templatesRepo  = "acme/service-templates"
	requestsRepoID = 900100
	// The App's OAuth client: its sign-in form asks for a login (alice,
	// bob, ... are members; mallory is a GitHub user outside Acme).
	oauthClientID     = "Iv1.testgithub"
	oauthClientSecret = "test-client-secret"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "testgithub:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends; ready, when set, learns the base URL.
func run(ctx context.Context, args []string, stdout io.Writer, ready func(base string)) error {
	fs := flag.NewFlagSet("testgithub", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	dir := fs.String("dir", "testgithub", "where to write the App's private key and callboard's configuration")
	webhook := fs.String("webhook", "http://localhost:8080/webhooks/github", "callboard's webhook URL, where events are sent")
	secret := fs.String("secret", "test-webhook-secret", "the webhook secret events are signed with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	gh, stopGH := fakegithub.Standalone()
	defer stopGH()
	repos, err := seed(gh)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	envFile, err := writeConfig(*dir, base, *secret)
	if err != nil {
		ln.Close()
		return err
	}
	target, _ := url.Parse(gh.URL)
	t := &testGitHub{gh: gh, repos: repos, webhook: *webhook, secret: []byte(*secret), client: &http.Client{Timeout: 15 * time.Second}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_test/install", t.install)
	mux.HandleFunc("POST /_test/issues", t.openIssue)
	mux.HandleFunc("GET /_test/issues/{n}", t.showIssue)
	mux.HandleFunc("GET /_test/repos", t.showRepos)
	mux.HandleFunc("GET /_test/files/{owner}/{repo}/{path...}", t.showFile)
	mux.Handle("/", httputil.NewSingleHostReverseProxy(target))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	fmt.Fprintf(stdout, `The test GitHub is serving the Acme organisation on %s (App installed, id %d).
callboard's configuration for it is in %s:

    set -a; . %s; set +a

Events go to %s, signed with the secret in that file.
Try: curl -X POST %s/_test/install    (the "installation created" event)
`, base, installationID, envFile, envFile, *webhook, base)
	if ready != nil {
		ready(base)
	}
	<-ctx.Done()
	return nil
}

// seed loads the demo organisation into the fake and installs the App.
func seed(gh *fakegithub.Server) ([]demo.GitHubRepo, error) {
	gh.AddInstallation(installationID, org)
	gh.SetOAuthApp(oauthClientID, oauthClientSecret) // Sign in with GitHub, for the web view
	teams, users, err := demo.GitHubOrg()
	if err != nil {
		return nil, err
	}
	for i, u := range users {
		gh.AddUser(fakegithub.User{ID: int64(5000 + i), Login: u.Login, Name: u.Name, Email: u.Email})
	}
	// A GitHub user outside Acme, whom Sign in with GitHub refuses.
	gh.AddUser(fakegithub.User{ID: 6001, Login: "mallory", Name: "Mallory"})
	for i, tm := range teams {
		gh.AddTeam(org, fakegithub.Team{ID: int64(100 + i), Slug: tm.Slug, Name: tm.Name, Description: tm.Description, ParentSlug: tm.Parent})
		if len(tm.Members) > 0 {
			gh.SetTeamMembers(org, tm.Slug, tm.Members...)
		}
	}
	repos, err := demo.GitHubRepos()
	if err != nil {
		return nil, err
	}
	repos = append(repos, demo.GitHubRepo{ID: requestsRepoID, FullName: requestsRepo, DefaultBranch: "main",
		Description: "Requests for new services (issues labelled scaffold)",
		Files:       map[string][]byte{"README.md": []byte("# Service requests\n\nOpen an issue from a form here to create a new service.\n")}})
	for _, r := range repos {
		gh.AddRepo(installationID, fakegithub.Repo{ID: r.ID, FullName: r.FullName, DefaultBranch: r.DefaultBranch, Description: r.Description})
		for p, b := range r.Files {
			gh.SetFile(r.FullName, r.DefaultBranch, p, b)
		}
	}
	return repos, nil
}

// writeConfig writes the App's private key and callboard.env, callboard's
// configuration for this GitHub, and returns the env file's path.
func writeConfig(dir, base, secret string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	keyFile := filepath.Join(abs, "github-app.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return "", err
	}
	secretFile := filepath.Join(abs, "github-webhook-secret")
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		return "", err
	}
	env := fmt.Sprintf(`# callboard against the test GitHub (go run ./internal/testgithub)
GITHUB_APP_ID=%d
GITHUB_PRIVATE_KEY_FILE=%s
GITHUB_WEBHOOK_SECRET_FILE=%s
GITHUB_API_URL=%s/
GITHUB_URL=%s
GITHUB_CLIENT_ID=%s
GITHUB_CLIENT_SECRET=%s
SCAFFOLD_REPO=%s
# the demo's Go service template lives in its own repository: trust it
SCAFFOLD_TEMPLATE_REPOS=%s
`, appID, keyFile, secretFile, base, base, oauthClientID, oauthClientSecret, requestsRepo, templatesRepo)
	envFile := filepath.Join(abs, "callboard.env")
	return envFile, os.WriteFile(envFile, []byte(env), 0o600)
}

type testGitHub struct {
	gh      *fakegithub.Server
	repos   []demo.GitHubRepo
	webhook string
	secret  []byte
	client  *http.Client

	mu        sync.Mutex
	issues    int
	deliverID int
}

// send signs an event as GitHub does and posts it to callboard's webhook.
func (t *testGitHub) send(ctx context.Context, event string, payload any) (string, int, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return "", 0, err
	}
	t.mu.Lock()
	t.deliverID++
	guid := fmt.Sprintf("testgithub-%d-%d", time.Now().UnixNano(), t.deliverID)
	t.mu.Unlock()
	mac := hmac.New(sha256.New, t.secret)
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.webhook, strings.NewReader(string(body)))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/testgithub")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", guid)
	req.Header.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := t.client.Do(req)
	if err != nil {
		return guid, 0, fmt.Errorf("sending %s to %s: %w", event, t.webhook, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return guid, resp.StatusCode, nil
}

func (t *testGitHub) reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		slog.Warn("testgithub", "err", err)
		w.WriteHeader(http.StatusBadGateway)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func repoPayload(id int64, fullName, branch string) map[string]any {
	owner, name, _ := strings.Cut(fullName, "/")
	return map[string]any{"id": id, "name": name, "full_name": fullName, "default_branch": branch, "private": true,
		"html_url": "https://github.com/" + fullName, "owner": map[string]any{"login": owner, "type": "Organization"}}
}

func (t *testGitHub) install(w http.ResponseWriter, r *http.Request) {
	var repos []any
	for _, rp := range t.repos {
		_, name, _ := strings.Cut(rp.FullName, "/")
		repos = append(repos, map[string]any{"id": rp.ID, "name": name, "full_name": rp.FullName, "private": true})
	}
	guid, status, err := t.send(r.Context(), "installation", map[string]any{
		"action":       "created",
		"installation": map[string]any{"id": installationID, "app_id": appID, "account": map[string]any{"login": org, "type": "Organization"}},
		"repositories": repos,
		"sender":       map[string]any{"login": "erin"},
	})
	t.reply(w, map[string]any{"event": "installation", "action": "created", "delivery": guid, "callboard_status": status}, err)
}

// openIssue opens an issue in the requests repository whose body is the
// request's text (as GitHub renders a submitted form), labelled scaffold,
// and sends "issues opened". ?title= and ?user= (default alice) are optional.
func (t *testGitHub) openIssue(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		t.reply(w, nil, err)
		return
	}
	title := r.URL.Query().Get("title")
	if title == "" {
		title = "[scaffold] new service"
	}
	user := r.URL.Query().Get("user")
	if user == "" {
		user = "alice"
	}
	t.mu.Lock()
	t.issues++
	n := t.issues
	t.mu.Unlock()
	// GitHub renders a form submission with CRLF line ends.
	text := strings.ReplaceAll(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n", "\r\n")
	guid, status, err := t.send(r.Context(), "issues", map[string]any{
		"action": "opened",
		"issue": map[string]any{"number": n, "title": title, "body": text, "state": "open",
			"html_url": fmt.Sprintf("https://github.com/%s/issues/%d", requestsRepo, n),
			"labels":   []any{map[string]any{"name": "scaffold"}},
			"user":     map[string]any{"login": user}},
		"repository":   repoPayload(requestsRepoID, requestsRepo, "main"),
		"installation": map[string]any{"id": installationID},
		"sender":       map[string]any{"login": user},
	})
	t.reply(w, map[string]any{"issue": n, "url": fmt.Sprintf("/_test/issues/%d", n), "delivery": guid, "callboard_status": status}, err)
}

func (t *testGitHub) showIssue(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	state, labels, _ := t.gh.Issue(requestsRepo, n)
	var comments []string
	for _, c := range t.gh.Comments(requestsRepo, n) {
		comments = append(comments, c.Body)
	}
	t.reply(w, map[string]any{"issue": n, "state": state, "labels": labels, "comments": comments}, nil)
}

func (t *testGitHub) showFile(w http.ResponseWriter, r *http.Request) {
	repo := r.PathValue("owner") + "/" + r.PathValue("repo")
	if !slices.Contains(t.gh.Repos(), repo) {
		http.Error(w, "no such repository", http.StatusNotFound)
		return
	}
	b, ok := t.gh.Files(repo, "")[r.PathValue("path")]
	if !ok {
		http.Error(w, "no such file", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(b)
}

func (t *testGitHub) showRepos(w http.ResponseWriter, r *http.Request) {
	out := map[string][]string{}
	for _, name := range t.gh.Repos() {
		out[name] = slices.Sorted(maps.Keys(t.gh.Files(name, "")))
	}
	t.reply(w, out, nil)
}
