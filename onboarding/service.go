package onboarding

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/check"
	"github.com/callboard/callboard/internal/ghapi"
)

// Plugin is onboarding's usage plugin id.
const Plugin = catalog.PluginOnboarding

// Modes (ONBOARDING).
const (
	ModeOff    = "off"
	ModeDryRun = "dry-run"
	ModeOn     = "on"
)

// Config configures onboarding.
type Config struct {
	Mode       string   // ONBOARDING: off, dry-run, on
	PerHour    int      // ONBOARDING_PER_HOUR (default 20)
	ActiveDays int      // ONBOARDING_ACTIVE_DAYS (default 180)
	Exclude    []string // ONBOARDING_EXCLUDE: org/repo patterns (path.Match globs)
	// Reserve is the GitHub rate budget left alone for everything else
	// callboard does (default 1,000 calls): no pull request is written below it.
	Reserve     int
	CatalogFile string // CATALOG_FILE (default catalog-info.yaml)
	// Usage records a usage event (plugin onboarding) for each pull request
	// opened or updated; may be nil.
	Usage  catalog.UsageRecorder
	Now    func() time.Time
	Logger *slog.Logger
}

// ParseExclude splits ONBOARDING_EXCLUDE (comma-separated org/repo globs)
// and checks each pattern.
func ParseExclude(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := path.Match(strings.ToLower(p), "x/y"); err != nil || !strings.Contains(p, "/") {
			return nil, fmt.Errorf("%q is not an org/repo pattern (globs: acme/legacy-*, */sandbox)", p)
		}
		out = append(out, strings.ToLower(p))
	}
	return out, nil
}

// Catalog is what onboarding reads of the catalog; the catalog store satisfies it.
type Catalog interface {
	Repositories(ctx context.Context) ([]*catalog.Repository, error)
	EntitiesWithAnnotation(ctx context.Context, key, value string) ([]*catalog.Entity, error)
	EntitiesOfKind(ctx context.Context, kind string, limit int) ([]*catalog.Entity, int, error)
}

// GitHub is what onboarding asks of GitHub (GitHubAPI, over go-github).
type GitHub interface {
	Installations(ctx context.Context) ([]Installation, error)
	Repositories(ctx context.Context, inst int64) ([]Repo, error)
	RateRemaining(ctx context.Context, inst int64) (int, error)
	TeamRepos(ctx context.Context, inst int64, org, slug string) (map[string]string, error)
	Head(ctx context.Context, inst int64, repo, branch string) (Head, error)
	Files(ctx context.Context, inst int64, repo, tree string) ([]string, error)
	Committers(ctx context.Context, inst int64, repo, branch string, since time.Time) ([]string, error)
	Commit(ctx context.Context, inst int64, repo string, base Head, path string, content []byte, message string) (string, error)
	CreateBranch(ctx context.Context, inst int64, repo, sha string) error
	MoveBranch(ctx context.Context, inst int64, repo, sha string) error
	OpenPull(ctx context.Context, inst int64, repo, base, title, body string) (PullRequest, error)
	EditPull(ctx context.Context, inst int64, repo string, number int, title, body string) error
	Pull(ctx context.Context, inst int64, repo string, number int) (PullRequest, error)
	PullsFromBranch(ctx context.Context, inst int64, repo string) ([]PullRequest, error)
}

// Service runs onboarding.
type Service struct {
	cfg   Config
	gh    GitHub
	store *Store
	cat   Catalog
	log   *slog.Logger
}

// New returns the service. gh may be nil (no GitHub App): Run then says so.
func New(cfg Config, gh GitHub, st *Store, cat Catalog) *Service {
	cfg.Mode = cmp.Or(cfg.Mode, ModeOff)
	cfg.PerHour = cmp.Or(cfg.PerHour, 20)
	cfg.ActiveDays = cmp.Or(cfg.ActiveDays, 180)
	cfg.Reserve = cmp.Or(cfg.Reserve, 1000)
	cfg.CatalogFile = strings.TrimPrefix(cmp.Or(cfg.CatalogFile, "catalog-info.yaml"), "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, gh: gh, store: st, cat: cat, log: log}
}

// Store is the service's store.
func (s *Service) Store() *Store { return s.store }

// Mode is ONBOARDING.
func (s *Service) Mode() string { return s.cfg.Mode }

// Actions a run reports for a repository.
const (
	ActOpened     = "opened"
	ActUpdated    = "updated"
	ActUnchanged  = "unchanged"
	ActWouldOpen  = "would open"
	ActWouldEdit  = "would update"
	ActNeedsOwner = "needs an owner"
	ActDeferred   = "deferred" // the hour's budget or GitHub's rate reserve is spent
	ActSkipped    = "skipped"
	ActLeftAlone  = "left alone" // closed, merged, or edited by a person
)

// Result is what a run did for one repository.
type Result struct {
	Repo     string
	Action   string
	Why      string
	Proposal *Proposal // when one was inferred
	URL      string    // the pull request
	APICalls int       // GitHub calls made for this repository (counted by the caller's counter, when given)
}

// RunOptions narrow a run.
type RunOptions struct {
	DryRun bool     // propose nothing: record and show
	Repos  []string // only these org/repo (any case); every candidate when empty
	// Calls, when set, counts GitHub API calls so far (for Result.APICalls).
	Calls func() int64
}

// Run proposes catalog files to the candidates of every installation.
func (s *Service) Run(ctx context.Context, opts RunOptions) ([]Result, error) {
	if s.gh == nil {
		return nil, errors.New("onboarding needs the GitHub App (GITHUB_APP_ID and GITHUB_PRIVATE_KEY)")
	}
	dry := opts.DryRun || s.cfg.Mode != ModeOn
	insts, err := s.gh.Installations(ctx)
	if err != nil {
		return nil, err
	}
	org, err := s.org(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.rows(ctx)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, in := range insts {
		res, err := s.runInstallation(ctx, in, org, rows, dry, opts)
		out = append(out, res...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func (s *Service) rows(ctx context.Context) (map[string]*catalog.Repository, error) {
	rs, err := s.cat.Repositories(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*catalog.Repository, len(rs))
	for _, r := range rs {
		out[strings.ToLower(r.FullName)] = r
	}
	return out, nil
}

// org reads the groups, their members and their systems from the catalog.
func (s *Service) org(ctx context.Context) (Org, error) {
	org := Org{Groups: map[string]Group{}, MemberOf: map[string][]string{}, Systems: map[string][]string{}}
	groups, _, err := s.cat.EntitiesOfKind(ctx, "group", 1_000_000)
	if err != nil {
		return org, err
	}
	for _, g := range groups {
		name := strings.ToLower(g.Metadata.Name)
		org.Groups[name] = Group{Ref: g.Ref().String(), Name: name, Title: g.Metadata.Title, TeamSlug: g.Metadata.Annotations[catalog.AnnotationTeamSlug]}
		for _, m := range g.SpecStrings("members") {
			ref, err := catalog.ParseRef(m, catalog.RefDefaults{Kind: "user"})
			if err == nil {
				org.MemberOf[strings.ToLower(ref.Name)] = appendOnce(org.MemberOf[strings.ToLower(ref.Name)], name)
			}
		}
	}
	users, _, err := s.cat.EntitiesOfKind(ctx, "user", 1_000_000)
	if err != nil {
		return org, err
	}
	for _, u := range users {
		login := strings.ToLower(cmp.Or(u.Metadata.Annotations[catalog.AnnotationUserLogin], u.Metadata.Name))
		for _, m := range u.SpecStrings("memberOf") {
			if ref, err := catalog.ParseRef(m, catalog.RefDefaults{Kind: "group"}); err == nil {
				org.MemberOf[login] = appendOnce(org.MemberOf[login], strings.ToLower(ref.Name))
			}
		}
	}
	systems, _, err := s.cat.EntitiesOfKind(ctx, "system", 1_000_000)
	if err != nil {
		return org, err
	}
	for _, sys := range systems {
		if ref, ok := sys.OwnerRef(); ok {
			org.Systems[ref.String()] = append(org.Systems[ref.String()], strings.ToLower(sys.Metadata.Name))
		}
	}
	return org, nil
}

func appendOnce(ss []string, s string) []string {
	if slices.Contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

// candidate is a repository onboarding may propose a file to.
type candidate struct {
	repo  Repo
	row   *catalog.Repository // nil when the catalog has no row
	rec   *Record             // nil when nothing was proposed
	owner string              // the owner cheap evidence gives (CODEOWNERS, team permissions); "" when unknown yet
}

// skip says why a repository is not a candidate ("" when it is).
func (s *Service) skip(ctx context.Context, r Repo, row *catalog.Repository, rec *Record) (string, error) {
	now := s.cfg.Now()
	switch {
	case r.Archived:
		return "archived", nil
	case r.Fork:
		return "a fork", nil
	case r.Size == 0:
		return "empty", nil
	case r.PushedAt.Before(now.AddDate(0, 0, -s.cfg.ActiveDays)):
		return fmt.Sprintf("no push in the last %d days (ONBOARDING_ACTIVE_DAYS)", s.cfg.ActiveDays), nil
	case s.excluded(r.FullName):
		return "matches ONBOARDING_EXCLUDE", nil
	case row != nil && row.CatalogStatus != catalog.StatusMissing:
		return "it has a catalog file (" + row.CatalogStatus + ")", nil
	case rec != nil && rec.State == StateClosed:
		return fmt.Sprintf("the proposal #%d was closed without a merge: no thanks", rec.Number), nil
	case rec != nil && rec.State == StateMerged:
		return fmt.Sprintf("the proposal #%d was merged", rec.Number), nil
	}
	es, err := s.cat.EntitiesWithAnnotation(ctx, catalog.AnnotationProjectSlug, r.FullName)
	if err != nil {
		return "", err
	}
	if len(es) > 0 {
		return "the catalog already holds " + es[0].Ref().String() + " for it", nil
	}
	return "", nil
}

func (s *Service) excluded(repo string) bool {
	for _, p := range s.cfg.Exclude {
		if ok, _ := path.Match(p, strings.ToLower(repo)); ok {
			return true
		}
	}
	return false
}

// teamRepos lists, once per run, the repositories of every group that is a
// GitHub team, with the team's permission: lower-case org/repo -> group
// name -> permission.
type teamRepos struct {
	read  bool
	perms map[string]map[string]string
}

func (s *Service) teamPermissions(ctx context.Context, tr *teamRepos, inst Installation, org Org) (map[string]map[string]string, error) {
	if tr.read {
		return tr.perms, nil
	}
	tr.perms = map[string]map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(org.Groups)) {
		teamOrg, slug, ok := strings.Cut(org.Groups[name].TeamSlug, "/")
		if !ok || !strings.EqualFold(teamOrg, inst.Account) {
			continue // not a GitHub team of this organisation
		}
		repos, err := s.gh.TeamRepos(ctx, inst.ID, teamOrg, slug)
		if err != nil {
			return nil, err
		}
		for repo, p := range repos {
			if tr.perms[repo] == nil {
				tr.perms[repo] = map[string]string{}
			}
			tr.perms[repo][name] = p
		}
	}
	tr.read = true
	return tr.perms, nil
}

func mapsKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// factsCache is the evidence read from GitHub, kept with the record so an
// unchanged repository costs no call the next run.
type factsCache struct {
	Files      []string `json:"files"`
	Committers []string `json:"committers,omitempty"`
	Commits    bool     `json:"commits_read,omitempty"`
}

func (s *Service) runInstallation(ctx context.Context, in Installation, org Org, rows map[string]*catalog.Repository, dry bool, opts RunOptions) ([]Result, error) {
	log := s.log.With("installation", in.ID)
	repos, err := s.gh.Repositories(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, r := range opts.Repos {
		wanted[strings.ToLower(r)] = true
	}
	var out []Result
	var cands []*candidate
	for _, r := range repos {
		key := strings.ToLower(r.FullName)
		if len(wanted) > 0 && !wanted[key] {
			continue
		}
		rec, err := s.store.Get(ctx, r.FullName)
		if errors.Is(err, ErrNotFound) {
			rec = nil
		} else if err != nil {
			return out, err
		}
		why, err := s.skip(ctx, r, rows[key], rec)
		if err != nil {
			return out, err
		}
		if why != "" {
			if rec != nil && (rec.State == StateNeedsOwner || rec.State == StateDryRun) {
				// No longer a candidate (registered, archived, ...): it waits on nobody.
				if err := s.store.Delete(ctx, r.FullName); err != nil {
					return out, err
				}
			}
			if len(wanted) > 0 {
				out = append(out, Result{Repo: r.FullName, Action: ActSkipped, Why: why, URL: recURL(rec)})
			}
			continue
		}
		cands = append(cands, &candidate{repo: r, row: rows[key], rec: rec})
	}
	tr := &teamRepos{}
	for _, c := range cands {
		f := s.facts(c, nil)
		if c.owner, _ = cheapOwner(f, org); c.owner == "" {
			perms, err := s.teamPermissions(ctx, tr, in, org)
			if err != nil {
				return out, err
			}
			f.TeamPermissions = perms[strings.ToLower(c.repo.FullName)]
			c.owner, _ = cheapOwner(f, org)
		}
	}
	order, err := s.order(ctx, cands)
	if err != nil {
		return out, err
	}
	budget, err := s.hourBudget(ctx)
	if err != nil {
		return out, err
	}
	for _, c := range order {
		before := calls(opts)
		res, err := s.one(ctx, log, in, c, org, tr, dry, &budget)
		res.APICalls = int(calls(opts) - before)
		if err != nil {
			f := ghapi.Classify(err, s.cfg.Now())
			if f.Kind == ghapi.Wait || f.Kind == ghapi.Other && ctx.Err() != nil {
				return out, err
			}
			log.Error("onboarding a repository", "repository", c.repo.FullName, "err", err)
			res = Result{Repo: c.repo.FullName, Action: ActSkipped, Why: "GitHub refused: " + err.Error(), APICalls: res.APICalls}
		}
		out = append(out, res)
	}
	return out, nil
}

func calls(opts RunOptions) int64 {
	if opts.Calls == nil {
		return 0
	}
	return opts.Calls()
}

func recURL(rec *Record) string {
	if rec == nil {
		return ""
	}
	return rec.URL
}

// hourBudget is how many pull requests may still be opened this hour.
func (s *Service) hourBudget(ctx context.Context) (int, error) {
	n, err := s.store.OpenedSince(ctx, s.cfg.Now().Add(-time.Hour))
	if err != nil {
		return 0, err
	}
	return max(s.cfg.PerHour-n, 0), nil
}

// order spreads the candidates across teams: one per owner in turn, the
// owners with fewest open proposals first, each owner's most recently
// pushed repository first; repositories whose owner is not known yet come
// last. Open proposals come first of all, to be kept current.
func (s *Service) order(ctx context.Context, cands []*candidate) ([]*candidate, error) {
	var open []*candidate
	byOwner := map[string][]*candidate{}
	for _, c := range cands {
		if c.rec != nil && c.rec.State == StateOpen {
			open = append(open, c)
			continue
		}
		byOwner[c.owner] = append(byOwner[c.owner], c)
	}
	openCount := map[string]int{}
	for owner := range byOwner {
		if owner == "" {
			continue
		}
		rs, err := s.store.ByOwner(ctx, owner, StateOpen)
		if err != nil {
			return nil, err
		}
		openCount[owner] = len(rs)
	}
	owners := mapsKeys(byOwner)
	slices.SortFunc(owners, func(a, b string) int {
		if (a == "") != (b == "") {
			if a == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(openCount[a], openCount[b]), strings.Compare(a, b))
	})
	for _, o := range owners {
		slices.SortStableFunc(byOwner[o], func(a, b *candidate) int {
			return cmp.Or(b.repo.PushedAt.Compare(a.repo.PushedAt), strings.Compare(a.repo.FullName, b.repo.FullName))
		})
	}
	out := open
	for i := 0; ; i++ {
		added := false
		for _, o := range owners {
			if o == "" {
				continue
			}
			if i < len(byOwner[o]) {
				out = append(out, byOwner[o][i])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return append(out, byOwner[""]...), nil
}

// facts is what is known of a candidate without asking GitHub, plus the
// cached evidence when given.
func (s *Service) facts(c *candidate, cache *factsCache) Facts {
	f := Facts{Repo: c.repo.FullName, Description: c.repo.Description, Topics: c.repo.Topics, Language: c.repo.Language,
		Homepage: c.repo.Homepage, DefaultBranch: c.repo.DefaultBranch, CreatedAt: c.repo.CreatedAt, PushedAt: c.repo.PushedAt}
	if c.row != nil {
		f.Codeowners, f.CodeownersPath = c.row.Codeowners, c.row.CodeownersPath
	}
	if cache != nil {
		f.Files, f.Committers = cache.Files, cache.Committers
	}
	return f
}

// cheapOwner is the owner CODEOWNERS or team permissions give (no commits read).
func cheapOwner(f Facts, org Org) (string, Evidence) {
	f.Committers = nil
	g, e, _ := inferOwner(f, org)
	return g.Ref, e
}

// cachedFacts returns the evidence kept with the record when the
// repository has not been pushed to since it was read (callboard's own
// pushes to its branch excepted).
func cachedFacts(c *candidate) (*factsCache, bool) {
	if c.rec == nil || c.rec.Facts == "" || c.rec.FactsPushedAt.IsZero() {
		return nil, false
	}
	var fc factsCache
	if json.Unmarshal([]byte(c.rec.Facts), &fc) != nil {
		return nil, false
	}
	seen := c.rec.FactsPushedAt
	if c.rec.WrittenAt.After(seen) {
		seen = c.rec.WrittenAt.Add(time.Minute) // our own push to the branch moves pushed_at
	}
	if c.repo.PushedAt.After(seen) {
		return nil, false
	}
	return &fc, true
}

// one proposes (or keeps current) the file of one candidate.
func (s *Service) one(ctx context.Context, log *slog.Logger, in Installation, c *candidate, org Org, tr *teamRepos, dry bool, budget *int) (Result, error) {
	repo := c.repo.FullName
	res := Result{Repo: repo}
	cache, fresh := cachedFacts(c)
	var head Head
	if !fresh {
		var err error
		if head, err = s.gh.Head(ctx, in.ID, repo, c.repo.DefaultBranch); err != nil {
			return res, err
		}
		cache = &factsCache{}
		if cache.Files, err = s.gh.Files(ctx, in.ID, repo, head.Tree); err != nil {
			return res, err
		}
	}
	f := s.facts(c, cache)
	if fresh {
		// The last push the evidence saw: callboard's own pushes to its branch move pushed_at too.
		f.PushedAt = c.rec.FactsPushedAt
	}
	if tr.read {
		f.TeamPermissions = tr.perms[strings.ToLower(repo)]
	}
	if c.owner == "" && !cache.Commits {
		var err error
		if cache.Committers, err = s.gh.Committers(ctx, in.ID, repo, c.repo.DefaultBranch, s.cfg.Now().AddDate(0, 0, -90)); err != nil {
			return res, err
		}
		cache.Commits = true
		f.Committers = cache.Committers
	}
	p, err := Infer(f, org, s.cfg.Now())
	if err != nil {
		return res, err
	}
	res.Proposal = p
	rec := c.rec
	if rec == nil {
		rec = &Record{Repo: repo}
	}
	rec.Installation = in.ID
	factsJSON, _ := json.Marshal(cache)
	rec.Facts = string(factsJSON)
	if !fresh {
		rec.FactsPushedAt = c.repo.PushedAt
	}
	if p.NeedsOwner() {
		res.Action, res.Why = ActNeedsOwner, p.Evidence[0].Why
		if rec.State == StateOpen {
			// The evidence that named an owner is gone; the open pull request stays as it is.
			res.Action, res.Why, res.URL = ActLeftAlone, "no owner can be inferred any more; the open pull request is left as it is", rec.URL
			return res, s.store.Put(ctx, rec)
		}
		rec.State, rec.Owner, rec.Title, rec.File, rec.Body, rec.Fingerprint = StateNeedsOwner, "", "", "", "", ""
		return res, s.store.Put(ctx, rec)
	}
	if err := Check(p, org, s.cfg.CatalogFile); err != nil {
		return res, fmt.Errorf("the proposed file of %s does not pass callboard's own check (a bug): %w", repo, err)
	}
	if rec.State == StateOpen {
		return s.keepCurrent(ctx, in, c, rec, p, head, dry, res)
	}
	if dry {
		rec.State = StateDryRun
		setProposal(rec, p)
		res.Action = ActWouldOpen
		return res, s.store.Put(ctx, rec)
	}
	if *budget <= 0 {
		res.Action, res.Why = ActDeferred, fmt.Sprintf("%d pull requests opened in the last hour (ONBOARDING_PER_HOUR)", s.cfg.PerHour)
		return res, s.store.Put(ctx, rec)
	}
	if left, err := s.gh.RateRemaining(ctx, in.ID); err != nil {
		return res, err
	} else if left < s.cfg.Reserve {
		res.Action, res.Why = ActDeferred, fmt.Sprintf("GitHub's rate budget is down to %d calls, below the reserve of %d", left, s.cfg.Reserve)
		return res, s.store.Put(ctx, rec)
	}
	return s.open(ctx, in, c, rec, p, head, budget, res)
}

// Check holds a proposed file to callboard's own parsing and validation,
// and to the pull-request check (the owner must be a known group).
func Check(p *Proposal, org Org, catalogFile string) error {
	parsed, problems := catalog.ParseFile(catalogFile, p.File, nil)
	if len(problems) > 0 {
		return fmt.Errorf("%s", problems[0].Message)
	}
	known := map[string]string{}
	for _, g := range org.Groups {
		known[g.Ref] = ""
	}
	rep := check.Evaluate(check.Input{Repository: p.Repo, CatalogPath: catalogFile, CatalogFound: true, Parsed: parsed,
		KnownOwners: known, MkdocsFound: true, DocsDirFound: true, Readme: &check.File{Path: "README.md", Content: []byte("readme\n")}})
	if rep.Conclusion == check.Failure {
		for _, f := range rep.Findings {
			if f.Severity == check.Error {
				return fmt.Errorf("%s", f.Message)
			}
		}
		return errors.New("the check fails")
	}
	return nil
}

func setProposal(rec *Record, p *Proposal) {
	rec.Owner, rec.Title, rec.File, rec.Body, rec.Fingerprint = p.Owner, p.Title, string(p.File), p.Body, p.Fingerprint()
}

// base is the default branch's head: as read for the facts, else read now.
func (s *Service) base(ctx context.Context, in Installation, c *candidate, head Head) (Head, error) {
	if head.Commit != "" {
		return head, nil
	}
	return s.gh.Head(ctx, in.ID, c.repo.FullName, c.repo.DefaultBranch)
}

// open writes the file on the branch and opens the pull request. A branch
// already there is looked at first: a pull request from it that was closed
// without a merge is "no thanks".
func (s *Service) open(ctx context.Context, in Installation, c *candidate, rec *Record, p *Proposal, head Head, budget *int, res Result) (Result, error) {
	repo := c.repo.FullName
	head, err := s.base(ctx, in, c, head)
	if err != nil {
		return res, err
	}
	sha, err := s.gh.Commit(ctx, in.ID, repo, head, s.cfg.CatalogFile, p.File, p.Title)
	if err != nil {
		return res, err
	}
	err = s.gh.CreateBranch(ctx, in.ID, repo, sha)
	if errors.Is(err, errBranchExists) {
		prs, err := s.gh.PullsFromBranch(ctx, in.ID, repo)
		if err != nil {
			return res, err
		}
		for _, pr := range prs {
			switch {
			case pr.Merged:
				rec.State, rec.Number, rec.URL, rec.ClosedAt = StateMerged, pr.Number, pr.URL, pr.Closed
				res.Action, res.Why, res.URL = ActLeftAlone, fmt.Sprintf("#%d from %s was merged", pr.Number, Branch), pr.URL
				return res, s.store.Put(ctx, rec)
			case pr.State == "closed":
				rec.State, rec.Number, rec.URL, rec.ClosedAt = StateClosed, pr.Number, pr.URL, pr.Closed
				res.Action, res.Why, res.URL = ActLeftAlone, fmt.Sprintf("#%d from %s was closed without a merge: no thanks", pr.Number, Branch), pr.URL
				return res, s.store.Put(ctx, rec)
			}
		}
		if err := s.gh.MoveBranch(ctx, in.ID, repo, sha); err != nil {
			return res, err
		}
		if len(prs) > 0 { // open, though callboard had no record of it
			rec.State, rec.Number, rec.URL, rec.OpenedAt = StateOpen, prs[0].Number, prs[0].URL, prs[0].Created
			return s.edit(ctx, in, rec, p, sha, res, ActUpdated)
		}
	} else if err != nil {
		return res, err
	}
	pr, err := s.gh.OpenPull(ctx, in.ID, repo, c.repo.DefaultBranch, p.Title, p.Body)
	if err != nil {
		return res, err
	}
	*budget--
	now := s.cfg.Now()
	rec.State, rec.Number, rec.URL, rec.OpenedAt, rec.WrittenAt, rec.HeadSHA, rec.ClosedAt = StateOpen, pr.Number, pr.URL, now, now, sha, time.Time{}
	setProposal(rec, p)
	res.Action, res.URL = ActOpened, pr.URL
	s.record(ctx, "proposed", p)
	return res, s.store.Put(ctx, rec)
}

// keepCurrent rewrites an open proposal whose file, title or body changed
// (the inferred owner did), unless the pull request was closed meanwhile or
// a person pushed to its branch.
func (s *Service) keepCurrent(ctx context.Context, in Installation, c *candidate, rec *Record, p *Proposal, head Head, dry bool, res Result) (Result, error) {
	res.URL = rec.URL
	if rec.Fingerprint == p.Fingerprint() {
		res.Action = ActUnchanged
		return res, s.store.Put(ctx, rec)
	}
	if dry {
		res.Action, res.Why = ActWouldEdit, fmt.Sprintf("#%d says %s", rec.Number, rec.Title)
		return res, nil
	}
	repo := c.repo.FullName
	pr, err := s.gh.Pull(ctx, in.ID, repo, rec.Number)
	if err != nil {
		return res, err
	}
	switch {
	case pr.Merged || pr.State == "closed":
		rec.State, rec.ClosedAt = StateClosed, pr.Closed
		if pr.Merged {
			rec.State = StateMerged
		}
		res.Action, res.Why = ActLeftAlone, "the pull request is "+rec.State
		return res, s.store.Put(ctx, rec)
	case pr.HeadSHA != rec.HeadSHA && rec.HeadSHA != "":
		res.Action, res.Why = ActLeftAlone, "someone pushed to "+Branch+": the proposal is theirs now"
		return res, s.store.Put(ctx, rec)
	}
	head, err = s.base(ctx, in, c, head)
	if err != nil {
		return res, err
	}
	sha, err := s.gh.Commit(ctx, in.ID, repo, head, s.cfg.CatalogFile, p.File, p.Title)
	if err != nil {
		return res, err
	}
	if err := s.gh.MoveBranch(ctx, in.ID, repo, sha); err != nil {
		return res, err
	}
	return s.edit(ctx, in, rec, p, sha, res, ActUpdated)
}

func (s *Service) edit(ctx context.Context, in Installation, rec *Record, p *Proposal, sha string, res Result, action string) (Result, error) {
	if err := s.gh.EditPull(ctx, in.ID, rec.Repo, rec.Number, p.Title, p.Body); err != nil {
		return res, err
	}
	rec.WrittenAt, rec.HeadSHA = s.cfg.Now(), sha
	setProposal(rec, p)
	res.Action, res.URL = action, rec.URL
	s.record(ctx, "updated", p)
	return res, s.store.Put(ctx, rec)
}

// record notes a usage event; a failure is logged, never fatal.
func (s *Service) record(ctx context.Context, action string, p *Proposal) {
	if s.cfg.Usage == nil {
		return
	}
	_, name, _ := strings.Cut(p.Repo, "/")
	e := catalog.UsageEvent{Plugin: Plugin, Action: action, Actor: "callboard", At: s.cfg.Now(),
		Entity: "component:default/" + Name(name), Outcome: catalog.OutcomeSuccess, Detail: p.Owner}
	if err := s.cfg.Usage.RecordUsage(ctx, e); err != nil {
		s.log.Warn("recording usage", "plugin", Plugin, "err", err)
	}
}
