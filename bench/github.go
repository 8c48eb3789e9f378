package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/callboard/callboard/internal/fakegithub"
	"golang.org/x/sync/errgroup"
)

const benchSecret = "bench-webhook-secret"

func signBody(body []byte) string {
	m := hmac.New(sha256.New, []byte(benchSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func writeKey(dir string) (string, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "app.pem")
	return p, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600)
}

const benchCatalog = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: %s
spec:
  type: service
  lifecycle: production
  owner: %s
`

// benchRepos is how many repositories the fake GitHub holds.
const benchRepos = 200

// githubFigures measures the webhook path against the fake GitHub API:
// backfill API calls per repository, ack latency and throughput, and push →
// catalog freshness, all through the real binary.
func githubFigures(bin, dir string, deliveries, senders, pushes int) ([]figure, error) {
	gh, stop := fakegithub.Standalone()
	defer stop()
	seedGitHub(gh)
	key, err := writeKey(dir)
	if err != nil {
		return nil, err
	}
	db := filepath.Join(dir, "github.db")
	env := append(os.Environ(), "CALLBOARD_DB="+db, "GITHUB_APP_ID=1", "GITHUB_PRIVATE_KEY_FILE="+key,
		"GITHUB_WEBHOOK_SECRET="+benchSecret, "GITHUB_API_URL="+gh.URL+"/")
	backfill, err := backfillFigure(bin, env)
	if err != nil {
		return nil, err
	}
	figs := []figure{backfill}

	srv, base, err := startServe(bin, env)
	if err != nil {
		return nil, err
	}
	defer srv.Process.Kill()
	ws := &webhookSender{client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}, base: base}
	ack, err := ackFigures(ws, deliveries, senders)
	if err != nil {
		return nil, err
	}
	figs = append(figs, ack...)
	// Let the workers drain before timing freshness.
	time.Sleep(2 * time.Second)
	fresh, err := freshnessFigure(gh, ws, pushes)
	if err != nil {
		return nil, err
	}
	figs = append(figs, fresh)
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	return figs, nil
}

// seedGitHub gives the fake GitHub one installation, benchRepos
// repositories and a team.
func seedGitHub(gh *fakegithub.Server) {
	gh.AddInstallation(1, "bench")
	for i := 0; i < benchRepos; i++ {
		name := fmt.Sprintf("bench/svc-%03d", i)
		gh.AddRepo(1, fakegithub.Repo{ID: int64(5000 + i), FullName: name, DefaultBranch: "main"})
		// A realistic mix: most repositories have a catalog file and
		// .github/CODEOWNERS, some only a root CODEOWNERS, some nothing.
		switch i % 4 {
		case 0, 1:
			gh.SetFile(name, "main", "catalog-info.yaml", []byte(fmt.Sprintf(benchCatalog, fmt.Sprintf("svc-%03d", i), "team-a")))
			gh.SetFile(name, "main", ".github/CODEOWNERS", []byte("* @bench/team-a\n"))
		case 2:
			gh.SetFile(name, "main", "CODEOWNERS", []byte("* @bench/team-a\n"))
		case 3:
			gh.SetFile(name, "main", "README.md", []byte("# nothing here\n"))
		}
	}
	gh.AddTeam("bench", fakegithub.Team{ID: 1, Slug: "team-a", Name: "Team A"})
	gh.SetTeamMembers("bench", "team-a", "alice", "bob")
}

// backfillFigure runs "callboard sync" into a database made first (sync
// creates none) and reads the API calls it made per repository.
func backfillFigure(bin string, env []string) (figure, error) {
	migrateCmd := exec.Command(bin, "migrate")
	migrateCmd.Env = env
	if out, err := migrateCmd.CombinedOutput(); err != nil {
		return figure{}, fmt.Errorf("migrate: %v\n%s", err, out)
	}
	syncCmd := exec.Command(bin, "sync")
	syncCmd.Env = env
	out, err := syncCmd.CombinedOutput()
	if err != nil {
		return figure{}, fmt.Errorf("sync: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(\d+) repositories, \d+ entities changed, (\d+) API calls \(([\d.]+) per repository\)`).FindStringSubmatch(string(out))
	if m == nil {
		return figure{}, fmt.Errorf("sync printed no API call count:\n%s", out)
	}
	return figure{fmt.Sprintf("GitHub API calls per repository in backfill (`callboard sync`, %s repositories, teams included)", m[1]), m[3], "~2", ""}, nil
}

// webhookSender posts signed deliveries to a serving callboard.
type webhookSender struct {
	client  *http.Client
	base    string
	pushSeq atomic.Int64
}

// send posts one delivery and returns how long the 202 took.
func (ws *webhookSender) send(event, guid string, body []byte) (time.Duration, error) {
	req, _ := http.NewRequest(http.MethodPost, ws.base+"/webhooks/github", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", guid)
	req.Header.Set("X-Hub-Signature-256", signBody(body))
	t0 := time.Now()
	resp, err := ws.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return 0, fmt.Errorf("%s: status %d", event, resp.StatusCode)
	}
	return time.Since(t0), nil
}

// push is a push event to repository i that changes the file changed.
func (ws *webhookSender) push(i int, changed string) []byte {
	name := fmt.Sprintf("svc-%03d", i%benchRepos)
	repo := map[string]any{"id": 5000 + i%benchRepos, "name": name, "full_name": "bench/" + name, "default_branch": "main", "owner": map[string]any{"login": "bench"}}
	// Each push has its own head commit, as on GitHub: a body seen
	// before is taken for a replay and not processed again.
	after := fmt.Sprintf("%040x", ws.pushSeq.Add(1))
	b, _ := json.Marshal(map[string]any{"ref": "refs/heads/main", "before": "a", "after": after, "repository": repo,
		"installation": map[string]any{"id": 1}, "commits": []any{map[string]any{"id": "c", "modified": []string{changed}}},
		"head_commit": map[string]any{"id": "c"}})
	return b
}

// ackFigures times the ack of pushes that touch no catalog file (stored,
// processed, no API call), from concurrent senders: latency and throughput.
func ackFigures(ws *webhookSender, deliveries, senders int) ([]figure, error) {
	lat := make([]time.Duration, deliveries)
	var g errgroup.Group
	mark := markCPU()
	start := time.Now()
	for s := 0; s < senders; s++ {
		g.Go(func() error {
			for i := s; i < deliveries; i += senders {
				d, err := ws.send("push", fmt.Sprintf("ack-%d", i), ws.push(i, "src/main.go"))
				if err != nil {
					return err
				}
				lat[i] = d
			}
			return nil
		})
	}
	err := g.Wait()
	took := time.Since(start)
	if err != nil {
		return nil, err
	}
	p50, p99 := percentiles(lat)
	return []figure{
		{fmt.Sprintf("webhook ack, %d signed deliveries from %d senders, p50 / p99", deliveries, senders), fmt.Sprintf("%s / %s", ms(p50), ms(p99)), "p99 < 10 ms", mark.stolen()},
		{"webhook ack throughput", fmt.Sprintf("%.0f deliveries/s", float64(deliveries)/took.Seconds()), "≥ 1,000/s", mark.stolen()},
	}, nil
}

// freshnessFigure times push → catalog: change the owner on the fake,
// deliver the push, poll the catalog API until the new owner shows.
func freshnessFigure(gh *fakegithub.Server, ws *webhookSender, pushes int) (figure, error) {
	var lat []time.Duration
	mark := markCPU()
	for i := 0; i < pushes; i++ {
		team := fmt.Sprintf("team-%d", i)
		gh.SetFile("bench/svc-000", "main", "catalog-info.yaml", []byte(fmt.Sprintf(benchCatalog, "svc-000", team)))
		t0 := time.Now()
		if _, err := ws.send("push", fmt.Sprintf("fresh-%d", i), ws.push(0, "catalog-info.yaml")); err != nil {
			return figure{}, err
		}
		if err := ws.waitOwner(t0, i, team); err != nil {
			return figure{}, err
		}
		lat = append(lat, time.Since(t0))
	}
	p50, p99 := percentiles(lat)
	return figure{fmt.Sprintf("push → catalog updated (instant fake API, %d pushes), p50 / p99", pushes), fmt.Sprintf("%s / %s", ms(p50), ms(p99)), "p50 < 200 ms", mark.stolen()}, nil
}

// waitOwner polls the catalog API until svc-000's owner is team.
func (ws *webhookSender) waitOwner(t0 time.Time, i int, team string) error {
	for {
		resp, err := ws.client.Get(ws.base + "/api/catalog/entities/by-name/component/default/svc-000?fields=spec.owner")
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `"`+team+`"`) {
			return nil
		}
		if time.Since(t0) > 30*time.Second {
			return fmt.Errorf("push %d not in the catalog after 30 s", i)
		}
		time.Sleep(500 * time.Microsecond)
	}
}
