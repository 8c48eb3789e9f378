// Command bench measures callboard and prints the figures the README quotes,
// with the machine they were measured on. Run it from the repository root:
//
//	go run ./bench
//
// It builds the real binary, imports a generated catalog of N entities with
// "callboard import", serves it with "callboard serve", and times requests
// over loopback HTTP. Nothing leaves the machine.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 3 && os.Args[1] == "-child-rss" {
		rssHelper(os.Args[2], os.Args[3:])
		return
	}
	if len(os.Args) == 4 && os.Args[1] == "-child-owner" {
		n, _ := strconv.Atoi(os.Args[3])
		if err := ownerChild(os.Args[2], n); err != nil {
			fmt.Fprintln(os.Stderr, "bench owner child:", err)
			os.Exit(1)
		}
		return
	}
	sizesFlag := flag.String("entities", "10000,100000", "catalog sizes to measure, comma-separated")
	requests := flag.Int("requests", 5000, "requests per latency figure")
	deliveries := flag.Int("deliveries", 2000, "webhook deliveries for the ack figures")
	senders := flag.Int("senders", 8, "concurrent webhook senders")
	pushes := flag.Int("pushes", 100, "pushes for the freshness figure")
	webSize := flag.Int("web-entities", 10000, "catalog size the web view's pages are timed at (0: skip them)")
	webRequests := flag.Int("web-requests", 200, "requests per web page")
	backfillRepos := flag.Int("backfill-repos", 50000, "repositories the GitHub backfill and the digest are measured at (0: skip them)")
	only := flag.String("only", "", "measure only these groups, comma-separated: catalog-api (issue 16's queries beside Backstage's figures), catalog, web, onboarding, github, backfill (default: all)")
	flag.Parse()
	groups := parseGroups(*only)
	sizes := parseSizes(*sizesFlag)
	if !groups["web"] {
		*webSize = 0
	}
	if !groups["backfill"] {
		*backfillRepos = 0
	}
	if !groups["catalog"] {
		sizes = nil
	}
	onboarding := onboardingRepos
	if !groups["onboarding"] {
		onboarding = 0
	}
	if err := runBench(sizes, *requests, *deliveries, *senders, *pushes, *webSize, *webRequests, onboarding, *backfillRepos, groups["github"], groups["catalog-api"], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseGroups reads -only: the groups of figures to measure (all when
// empty).
func parseGroups(only string) map[string]bool {
	if only == "" {
		return map[string]bool{"catalog-api": true, "catalog": true, "web": true, "onboarding": true, "github": true, "backfill": true}
	}
	groups := map[string]bool{}
	for _, g := range strings.Split(only, ",") {
		groups[strings.TrimSpace(g)] = true
	}
	return groups
}

// parseSizes reads -entities, or exits.
func parseSizes(sizesFlag string) []int {
	var sizes []int
	for _, f := range strings.Split(sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 100 {
			fmt.Fprintf(os.Stderr, "bench: -entities %q: want sizes of at least 100\n", sizesFlag)
			os.Exit(2)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// onboardingRepos is the organisation size onboarding's inference is timed at.
const onboardingRepos = 10000

type figure struct {
	name, value, target string
	stolen              string // CPU time the hypervisor took while it was measured
}

// cpuMark is the machine's CPU time so far, from /proc/stat. On a shared
// virtual machine the host takes CPU time away ("steal"); latency tails
// follow it, so the table says how much was taken during each figure.
type cpuMark struct {
	steal, total uint64
	ok           bool
}

func markCPU() cpuMark {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuMark{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return cpuMark{}
	}
	var m cpuMark
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return cpuMark{}
		}
		if i < 8 { // user nice system idle iowait irq softirq steal; guest time is inside user
			m.total += n
		}
		if i == 7 {
			m.steal = n
		}
	}
	m.ok = true
	return m
}

// stolen says what share of the CPU time since m the host took.
func (m cpuMark) stolen() string {
	now := markCPU()
	if !m.ok || !now.ok || now.total <= m.total {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(now.steal-m.steal)/float64(now.total-m.total))
}

func runBench(sizes []int, requests, deliveries, senders, pushes, webSize, webRequests, onboarding, backfillRepos int, github, backstage bool, out io.Writer) error {
	loadBefore := loadAverage()
	dir, err := os.MkdirTemp("", "callboard-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := buildCallboard(dir)
	if err != nil {
		return err
	}
	var figs []figure
	beside := map[string]string{} // Backstage's figure, by the name of callboard's
	if backstage {
		f, err := backstageFigures(bin, dir, requests, beside)
		if err != nil {
			return fmt.Errorf("catalog API figures: %w", err)
		}
		figs = append(figs, f...)
	}
	for _, n := range sizes {
		f, err := catalogFigures(bin, dir, n, requests)
		if err != nil {
			return err
		}
		figs = append(figs, f...)
	}
	if webSize > 0 {
		f, err := webFigures(bin, dir, webSize, webRequests)
		if err != nil {
			return fmt.Errorf("web figures: %w", err)
		}
		figs = append(figs, f...)
	}
	if onboarding > 0 {
		obFigs, err := onboardingFigures(onboarding)
		if err != nil {
			return fmt.Errorf("onboarding figures: %w", err)
		}
		figs = append(figs, obFigs...)
	}
	if github {
		ghFigs, err := githubFigures(bin, dir, deliveries, senders, pushes)
		if err != nil {
			return fmt.Errorf("github figures: %w", err)
		}
		figs = append(figs, ghFigs...)
	}
	if backfillRepos > 0 {
		f, err := backfillFigures(bin, dir, backfillRepos)
		if err != nil {
			return fmt.Errorf("backfill figures: %w", err)
		}
		figs = append(figs, f...)
	}

	printFigures(out, figs, beside, loadBefore)
	return nil
}

// buildCallboard builds the binary the figures run, into dir.
func buildCallboard(dir string) (string, error) {
	bin := filepath.Join(dir, "callboard")
	build := exec.Command("go", "build", "-o", bin, "./cmd/callboard")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building callboard: %w", err)
	}
	return bin, nil
}

// printFigures writes the figures as a Markdown table.
func printFigures(out io.Writer, figs []figure, beside map[string]string, loadBefore string) {
	fmt.Fprintf(out, "callboard bench — %s, %d cores, %s/%s, %s; load average %s before, %s after\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), loadBefore, loadAverage())
	fmt.Fprintln(out, "| figure | measured | target | CPU taken by the host meanwhile | Backstage |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	for _, f := range figs {
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s |\n", f.name, f.value, f.target, f.stolen, beside[f.name])
	}
}

// generate writes n entities as a realistic organisation: one
// catalog-info.yaml per repository (a component, sometimes an API), and an
// org file with teams and people. It returns the component names.
func generate(dir string, n int) ([]string, error) {
	teams := max(n/100, 1)
	users := teams * 3
	var names []string
	// Teams and people, 1,000 documents a file (a file holds at most 2,000).
	var docs []string
	for t := 0; t < teams; t++ {
		docs = append(docs, fmt.Sprintf("---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-%d\n  annotations:\n    github.com/team-slug: bench/team-%d\nspec:\n  type: team\n  profile: {displayName: Team %d, email: team-%d@bench.example}\n  children: []\n", t, t, t, t))
	}
	for u := 0; u < users; u++ {
		docs = append(docs, fmt.Sprintf("---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: user-%d\nspec:\n  profile: {displayName: User %d, email: user-%d@bench.example}\n  memberOf: [team-%d]\n", u, u, u, u%teams))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for i := 0; i < len(docs); i += 1000 {
		body := strings.Join(docs[i:min(i+1000, len(docs))], "")
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("org-%d.catalog.yaml", i/1000)), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	left := n - teams - users
	for i := 0; left > 0; i++ {
		name := fmt.Sprintf("service-%05d", i)
		names = append(names, name)
		var b strings.Builder
		fmt.Fprintf(&b, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: %s\n  description: Service number %d\n  tags: [go, tier-%d]\n  annotations:\n    github.com/project-slug: bench/%s\nspec:\n  type: service\n  lifecycle: production\n  owner: team-%d\n  system: system-%d\n", name, i, i%3, name, i%teams, i%50)
		left--
		if i%4 == 0 && left > 0 {
			fmt.Fprintf(&b, "  providesApis: [%s-api]\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: %s-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-%d\n  definition: \"openapi: 3.0.0\"\n", name, name, i%teams)
			left--
		}
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(d, "catalog-info.yaml"), []byte(b.String()), 0o644); err != nil {
			return nil, err
		}
	}
	return names, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after 30 s", base)
}

func percentiles(d []time.Duration) (time.Duration, time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*50/100], s[min(len(s)*99/100, len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			if _, v, ok := strings.Cut(line, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

// startServe runs "callboard serve" on a free loopback port and waits until it is ready.
// stopServe ends a callboard serve as a deployment does, and waits for it.
func stopServe(srv *exec.Cmd) {
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
}

func startServe(bin string, env []string) (*exec.Cmd, string, error) {
	srv, base, _, err := startServeMeasured(bin, env)
	return srv, base, err
}

// startServeMeasured is startServe with serve's peak RSS, once it has exited.
func startServeMeasured(bin string, env []string) (*exec.Cmd, string, func() float64, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", nil, err
	}
	srv := exec.Command(bin, "serve")
	srv.Env = append(env, "CALLBOARD_ADDR="+addr)
	srv.Stderr = io.Discard
	rss := measured(srv)
	if err := srv.Start(); err != nil {
		return nil, "", nil, err
	}
	base := "http://" + addr
	if err := waitReady(base); err != nil {
		srv.Process.Kill()
		return nil, "", nil, err
	}
	return srv, base, rss, nil
}
