package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/fakegithub"
)

// benchLatency is how long the fake GitHub takes: 50 ms a request, and 2 ms
// more for each repository of a batched GraphQL query (a query of 100
// repositories with their files: 250 ms). GitHub's own times vary; these
// are of its order, so that the backfill's wall time means something.
var benchLatency = fakegithub.Latency{Request: 50 * time.Millisecond, PerRootField: 2 * time.Millisecond}

// fillOrg gives the fake GitHub an organisation of n repositories, mixed
// as large organisations have them: 80 % with a catalog file and
// .github/CODEOWNERS, 5 % monorepos (a Location with two targets), 5 %
// CODEOWNERS only, 3 % archived, 2 % nothing, 5 % invalid files; n/100
// teams of 8 people.
func fillOrg(gh *fakegithub.Server, n int) {
	gh.AddInstallation(1, "bench")
	teams := max(n/100, 1)
	for i := range n {
		name := fmt.Sprintf("bench/repo-%05d", i)
		r := fakegithub.Repo{ID: int64(1_000_000 + i), FullName: name, Description: fmt.Sprintf("repository %d", i), Archived: i%100 >= 97}
		if i%5 == 0 {
			r.Language, r.Topics = "Go", []string{"backend"}
		}
		gh.AddRepo(1, r)
		team := fmt.Sprintf("team-%d", i%teams)
		switch i % 100 {
		case 80, 81, 82, 83, 84:
			gh.SetFile(name, "main", "catalog-info.yaml", []byte(fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: repo-%05d\nspec:\n  targets: [./a/catalog-info.yaml, ./b/catalog-info.yaml]\n", i)))
			gh.SetFile(name, "main", "a/catalog-info.yaml", []byte(fmt.Sprintf(benchCatalog, fmt.Sprintf("repo-%05d-a", i), team)))
			gh.SetFile(name, "main", "b/catalog-info.yaml", []byte(fmt.Sprintf(benchCatalog, fmt.Sprintf("repo-%05d-b", i), team)))
		case 85, 86, 87, 88, 89:
			gh.SetFile(name, "main", "CODEOWNERS", []byte("* @bench/"+team+"\n"))
		case 90, 91:
		case 92, 93, 94, 95, 96:
			gh.SetFile(name, "main", "catalog-info.yaml", []byte("kind: Component\nmetadata: {}\n"))
		default:
			gh.SetFile(name, "main", "catalog-info.yaml", []byte(fmt.Sprintf(benchCatalog, fmt.Sprintf("repo-%05d", i), team)))
			gh.SetFile(name, "main", ".github/CODEOWNERS", []byte("* @bench/"+team+"\n"))
		}
	}
	for t := range teams {
		slug := fmt.Sprintf("team-%d", t)
		gh.AddTeam("bench", fakegithub.Team{ID: int64(t + 1), Slug: slug})
		var members []string
		for m := range 8 {
			members = append(members, fmt.Sprintf("user-%d-%d", t, m))
		}
		gh.SetTeamMembers("bench", slug, members...)
	}
}

// backfillFigures runs "callboard sync" against a fake GitHub of n
// repositories with latency, then renders the digest over what it stored.
// Peak RSS is each child process's own (getrusage's ru_maxrss, as the
// kernel counts it), not the benchmark's, which holds the fake GitHub.
func backfillFigures(bin, dir string, n int) ([]figure, error) {
	gh, stop := fakegithub.Standalone()
	defer stop()
	fillOrg(gh, n)
	gh.SetLatency(benchLatency)
	gh.ResetCalls()

	key, err := writeKey(dir)
	if err != nil {
		return nil, err
	}
	db := filepath.Join(dir, fmt.Sprintf("backfill-%d.db", n))
	env := append(os.Environ(), "CALLBOARD_DB="+db, "GITHUB_APP_ID=1", "GITHUB_PRIVATE_KEY_FILE="+key, "GITHUB_API_URL="+gh.URL+"/")
	migrate := exec.Command(bin, "migrate")
	migrate.Env = env
	if out, err := migrate.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("migrate: %v\n%s", err, out)
	}
	sync := exec.Command(bin, "sync")
	sync.Env = env
	syncRSS := measured(sync)
	var out bytes.Buffer
	sync.Stdout, sync.Stderr = &out, &out
	mark := markCPU()
	start := time.Now()
	if err := sync.Run(); err != nil {
		return nil, fmt.Errorf("sync: %v\n%s", err, out.String())
	}
	took := time.Since(start)
	m := regexp.MustCompile(`(\d+) repositories, \d+ entities changed, (\d+) API calls \(([\d.]+) per repository\), (\d+) GraphQL points, paused (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		return nil, fmt.Errorf("sync printed no report:\n%s", out.String())
	}
	var progressLines int
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "GraphQL points and") {
			progressLines++
		}
	}
	size, err := fileSize(db)
	if err != nil {
		return nil, err
	}
	figs := []figure{
		{fmt.Sprintf("backfill of %s repositories (`callboard sync`, fake GitHub at 50 ms a request + 2 ms a repository of a query), wall time", m[1]), fmt.Sprintf("%.1f s (%.0f repositories/s; %d progress lines)", took.Seconds(), float64(n)/took.Seconds(), progressLines), "", mark.stolen()},
		{"… GitHub API calls (REST + GraphQL) / per repository", fmt.Sprintf("%s / %s (GitHub saw %d, %d of them GraphQL)", m[2], m[3], len(gh.Calls()), gh.CallCount("POST /graphql")), "≤ 0.05 a repository", ""},
		{"… GraphQL points spent", fmt.Sprintf("%s (paused %s)", m[4], m[5]), "", ""},
		{"… peak RSS of `callboard sync`", fmt.Sprintf("%.0f MB", syncRSS()), "< 150 MB", ""},
		{fmt.Sprintf("SQLite file after the backfill of %d repositories", n), fmt.Sprintf("%.0f MB", float64(size)/(1<<20)), "", ""},
	}

	dg, err := backfillDigestFigure(bin, env, n)
	if err != nil {
		return nil, err
	}
	return append(figs, dg), nil
}

// backfillDigestFigure times the digest over the repositories a backfill stored:
// `callboard digest`, start to end, best of 3.
func backfillDigestFigure(bin string, env []string, n int) (figure, error) {
	year, week := time.Now().ISOWeek()
	var best time.Duration
	var rss float64
	mark := markCPU()
	for range 3 {
		dg := exec.Command(bin, "digest", "--week", fmt.Sprintf("%d-W%02d", year, week), "--format", "text")
		dg.Env = env
		dgRSS := measured(dg)
		t0 := time.Now()
		if out, err := dg.CombinedOutput(); err != nil {
			return figure{}, fmt.Errorf("digest: %v\n%s", err, out)
		}
		if d := time.Since(t0); best == 0 || d < best {
			best = d
		}
		rss = max(rss, dgRSS())
	}
	return figure{fmt.Sprintf("digest at %d repositories (`callboard digest --format text`, whole process, best of 3) / peak RSS", n), fmt.Sprintf("%.2f s / %.0f MB", best.Seconds(), rss), "< 2 s; < 150 MB", mark.stolen()}, nil
}

// fileSize is a database's size with its write-ahead log.
func fileSize(db string) (int64, error) {
	var total int64
	for _, p := range []string{db, db + "-wal"} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		total += fi.Size()
	}
	return total, nil
}

// ownerResult is what the owner child process measured.
type ownerResult struct {
	AnswerP50, AnswerP99, MissP50, MissP99 time.Duration
	PeakRSS                                float64 // MB, its own VmHWM
}

// ownerChild measures owner answers and misses ("did you mean") against a
// database, in a process of its own so that its peak RSS is its own: the
// benchmark runs "bench -child-owner DB REQUESTS".
func ownerChild(db string, requests int) error {
	ctx := context.Background()
	sdb, st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer sdb.Close()
	defer st.Close()
	all, err := st.Names(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, ne := range all {
		if strings.HasPrefix(ne.Ref, "component:") {
			names = append(names, ne.Name)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	measure := func(n int, query func() string, found bool) (time.Duration, time.Duration, error) {
		var lat []time.Duration
		for i := 0; i < n+n/10; i++ {
			q := query()
			t0 := time.Now()
			a, err := catalog.FindOwner(ctx, st, q)
			d := time.Since(t0)
			if err != nil || a.Found() != found {
				return 0, 0, fmt.Errorf("owner %s: found %v, err %v", q, a != nil && a.Found(), err)
			}
			if i >= n/10 { // the first tenth warms up (the miss's first builds the index)
				lat = append(lat, d)
			}
		}
		p50, p99 := percentiles(lat)
		return p50, p99, nil
	}
	var r ownerResult
	if r.AnswerP50, r.AnswerP99, err = measure(requests, func() string { return names[rng.IntN(len(names))] }, true); err != nil {
		return err
	}
	if r.MissP50, r.MissP99, err = measure(max(requests/5, 200), func() string { return names[rng.IntN(len(names))] + "x" }, false); err != nil {
		return err
	}
	r.PeakRSS = selfHWM()
	return json.NewEncoder(os.Stdout).Encode(r)
}

// ownerFigures runs ownerChild on a database and reads what it measured.
func ownerFigures(db string, n, requests int, target func(string) string) ([]figure, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-child-owner", db, strconv.Itoa(requests))
	cmd.Stderr = os.Stderr
	mark := markCPU()
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("owner child: %w", err)
	}
	var r ownerResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("owner child said %q: %w", out, err)
	}
	stolen := mark.stolen()
	missTarget := "p99 < 10 ms"
	return []figure{
		{fmt.Sprintf("owner answer at %d entities, p50 / p99", n), fmt.Sprintf("%s / %s", ms(r.AnswerP50), ms(r.AnswerP99)), target("p99 < 5 ms"), stolen},
		{fmt.Sprintf("owner miss with did-you-mean at %d entities, p50 / p99", n), fmt.Sprintf("%s / %s", ms(r.MissP50), ms(r.MissP99)), missTarget, stolen + loadNote()},
		{fmt.Sprintf("… peak RSS of the process answering them at %d entities", n), fmt.Sprintf("%.0f MB", r.PeakRSS), "< 150 MB", ""},
	}, nil
}

// loadNote is the machine's load average, beside a tail latency that other
// processes on the machine move.
func loadNote() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return ", load " + f[0]
}
