package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

var readmePath = filepath.Join("..", "..", "README.md")

// TestReadmeCommandTable: every command in the README's command table
// answers --help, and lists every flag the table names for it; every command
// callboard has is in the table.
func TestReadmeCommandTable(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	i := strings.Index(section, "\n## Commands\n")
	if i < 0 {
		t.Fatal("README has no Commands section")
	}
	section = section[i+1:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	row := regexp.MustCompile("(?m)^\\| `callboard ([a-z-]+)([^`]*)` \\|")
	flagRE := regexp.MustCompile(`(?:^|[\s\[])(--?[a-z][a-z-]*)`)
	inTable := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		name, args := m[1], m[2]
		inTable[name] = true
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, map[string]string{}, name, "--help")
			if code != 0 {
				t.Fatalf("callboard %s --help: exit %d: %s", name, code, errOut)
			}
			for _, f := range flagRE.FindAllStringSubmatch(args, -1) {
				if !strings.Contains(out, "\n  "+f[1]+" ") {
					t.Errorf("the README documents %s %s, which callboard %s --help does not list:\n%s", name, f[1], name, out)
				}
			}
		})
	}
	if len(inTable) == 0 {
		t.Fatal("no commands found in the README's table")
	}
	for _, c := range commands {
		if !inTable[c.name] {
			t.Errorf("callboard %s is missing from the README's command table", c.name)
		}
	}
}

// example is a sh block of the README, and what its output must contain.
type example struct {
	line   int
	mode   string // "demo", "testgithub", or "" when not run
	reason string // why it is not run
	script string
	want   []string
}

var (
	reFence        = regexp.MustCompile("^(\\s*)```(\\w*)\\s*$")
	reNotRun       = regexp.MustCompile(`<!-- not run against the demo: (.+) -->`)
	reTestGH       = regexp.MustCompile(`<!-- run against the test GitHub -->`)
	slackTrySecret = "try-it-locally" // the secret the README's Slack example signs with
)

// readmeExamples reads the README's sh blocks: the comment line before one
// says how it runs, a text block right after it what its output contains.
func readmeExamples(t *testing.T) []example {
	t.Helper()
	f, err := os.Open(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	var out []example
	for i := 0; i < len(lines); i++ {
		m := reFence.FindStringSubmatch(lines[i])
		if m == nil || m[2] == "" {
			continue
		}
		indent, lang := m[1], m[2]
		var body []string
		j := i + 1
		for ; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
			body = append(body, strings.TrimPrefix(lines[j], indent))
		}
		if lang != "sh" {
			i = j
			continue
		}
		ex := example{line: i + 1, mode: "demo", script: strings.Join(body, "\n") + "\n"}
		prev := ""
		for k := i - 1; k >= 0; k-- {
			if strings.TrimSpace(lines[k]) != "" {
				prev = lines[k]
				break
			}
		}
		if m := reNotRun.FindStringSubmatch(prev); m != nil {
			ex.mode, ex.reason = "", m[1]
		} else if reTestGH.MatchString(prev) {
			ex.mode = "testgithub"
		}
		// A text block right after (or after one paragraph ending in ":")
		// holds lines the output contains.
		k := j + 1
		skipBlank := func() {
			for k < len(lines) && strings.TrimSpace(lines[k]) == "" {
				k++
			}
		}
		skipBlank()
		if k < len(lines) && reFence.FindStringSubmatch(lines[k]) == nil && !strings.HasPrefix(lines[k], "#") {
			p := k
			for p < len(lines) && strings.TrimSpace(lines[p]) != "" {
				p++
			}
			if strings.HasSuffix(strings.TrimSpace(lines[p-1]), ":") {
				k = p
				skipBlank()
			}
		}
		if k < len(lines) {
			if m := reFence.FindStringSubmatch(lines[k]); m != nil && m[2] == "text" {
				for k++; k < len(lines) && strings.TrimSpace(lines[k]) != "```"; k++ {
					if s := strings.TrimSpace(lines[k]); s != "" {
						ex.want = append(ex.want, s)
					}
				}
			}
		}
		out = append(out, ex)
		i = j
	}
	return out
}

// TestReadmeExamples runs every sh example of the README as written, with
// bash, in one folder: against "callboard serve --demo" (its database is
// that folder's callboard.db, as in the README), or against the test GitHub
// and a server configured for it where the README says so. "go run
// ./cmd/callboard" is the binary built from this tree; localhost:8080 and
// localhost:9090 are where the servers listen.
func TestReadmeExamples(t *testing.T) {
	bin := callboardBinary(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("skipped: the README's examples are shell; bash is not installed")
	}
	examples := readmeExamples(t)
	dir := t.TempDir()
	binDir := filepath.Join(dir, ".bin")
	os.MkdirAll(binDir, 0o755)
	if err := os.Symlink(bin, filepath.Join(binDir, "callboard")); err != nil {
		t.Fatal(err)
	}
	demoBase, _ := startServe(t, map[string]string{"CALLBOARD_DB": filepath.Join(dir, "callboard.db"), "SLACK_SIGNING_SECRET": slackTrySecret}, "--demo")
	demoAddr := strings.TrimPrefix(demoBase, "http://")
	ghAddr := ""
	ran := 0
	for _, ex := range examples {
		name := fmt.Sprintf("README.md:%d", ex.line)
		if ex.mode == "" {
			t.Logf("%s not run: %s", name, ex.reason)
			continue
		}
		missing := ""
		for _, tool := range []string{"curl", "openssl"} {
			if _, err := exec.LookPath(tool); err != nil && strings.Contains(ex.script, tool+" ") {
				missing = tool
			}
		}
		if ex.mode == "testgithub" && ghAddr == "" && missing == "" {
			ghAddr = startTestGitHub(t, bin, dir)
		}
		t.Run(name, func(t *testing.T) {
			if missing != "" {
				t.Skipf("skipped: the example uses %s, which is not installed", missing)
			}
			script := strings.ReplaceAll(ex.script, "localhost:8080", demoAddr)
			script = strings.ReplaceAll(script, "localhost:9090", ghAddr)
			prelude := "set -eo pipefail\n" +
				`go() { if [ "$1" = run ] && [ "$2" = ./cmd/callboard ]; then shift 2; callboard "$@"; else command go "$@"; fi; }` + "\n"
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bash, "-c", prelude+script)
			cmd.Dir = dir
			cmd.Env = append(cleanEnv(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "CALLBOARD_ADDR="+demoAddr)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the example fails: %v\n%s\n--- output\n%s", err, ex.script, out)
			}
			if strings.Contains(string(out), `"error"`) {
				t.Errorf("the example's output holds an error:\n%s", out)
			}
			for _, w := range ex.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the output lacks %q, which the README shows:\n%s", w, out)
				}
			}
		})
		ran++
	}
	if ran < 5 {
		t.Errorf("only %d README examples ran; are the markers right?", ran)
	}
}

// cleanEnv is the test's environment without callboard's configuration.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "CALLBOARD_"), strings.HasPrefix(k, "GITHUB_"), strings.HasPrefix(k, "SLACK_"),
			strings.HasPrefix(k, "SMTP_"), strings.HasPrefix(k, "DIGEST_"), strings.HasPrefix(k, "SCAFFOLD_"), k == "PATH":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// startTestGitHub builds and starts internal/testgithub in dir, and a
// "callboard serve" configured by the callboard.env it writes, on the
// database tried.db in dir, as the README's walkthrough does; both stop when
// the test ends. It returns the test GitHub's address.
func startTestGitHub(t *testing.T, bin, dir string) string {
	t.Helper()
	tg := filepath.Join(filepath.Dir(bin), "testgithub")
	if _, err := os.Stat(tg); err != nil {
		if out, err := exec.Command("go", "build", "-o", tg, "../../internal/testgithub").CombinedOutput(); err != nil {
			t.Fatalf("go build testgithub: %v\n%s", err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveAddr := ln.Addr().String()
	ln.Close()

	gh := exec.Command(tg, "-addr", "127.0.0.1:0", "-webhook", "http://"+serveAddr+"/webhooks/github")
	gh.Dir = dir
	stdout, err := gh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	gh.Stderr = os.Stderr
	if err := gh.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gh.Process.Signal(syscall.SIGTERM); gh.Wait() })
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("testgithub printed nothing: %v", err)
	}
	go io.Copy(io.Discard, r)
	m := regexp.MustCompile(`on http://(\S+) `).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("testgithub's first line names no address: %q", first)
	}
	envFile, err := os.ReadFile(filepath.Join(dir, "testgithub", "callboard.env"))
	if err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(bin, "serve")
	srv.Dir = dir
	srv.Env = append(cleanEnv(), "PATH="+os.Getenv("PATH"), "CALLBOARD_DB=tried.db", "CALLBOARD_ADDR="+serveAddr)
	for _, l := range strings.Split(string(envFile), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			srv.Env = append(srv.Env, l)
		}
	}
	logs := &lockedBuffer{}
	srv.Stdout, srv.Stderr = logs, logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
		if t.Failed() {
			t.Logf("callboard serve (against the test GitHub) logged:\n%s", logs)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + serveAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("callboard serve against the test GitHub is not ready after 20 s:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The listener answers while the features are still being logged: wait
	// for the line that ends start-up before reading them.
	for !strings.Contains(logs.String(), "callboard listening") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "feature on\" feature=github") && !strings.Contains(logs.String(), "msg=\"feature on\" feature=github") {
		t.Errorf("the server with the test GitHub's configuration does not say the GitHub feature is on:\n%s", logs)
	}
	return m[1]
}
