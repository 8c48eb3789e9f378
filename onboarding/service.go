package onboarding

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
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
