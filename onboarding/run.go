package onboarding

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/ghapi"
)

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
	cands, out, err := s.candidates(ctx, in, rows, opts.Repos)
	if err != nil {
		return out, err
	}
	tr := &teamRepos{}
	if err := s.cheapOwners(ctx, cands, tr, in, org); err != nil {
		return out, err
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

// candidates are the installation's repositories onboarding may propose a
// file to (of only, when given); the skipped ones asked for by name come
// back as results.
func (s *Service) candidates(ctx context.Context, in Installation, rows map[string]*catalog.Repository, only []string) ([]*candidate, []Result, error) {
	repos, err := s.gh.Repositories(ctx, in.ID)
	if err != nil {
		return nil, nil, err
	}
	wanted := map[string]bool{}
	for _, r := range only {
		wanted[strings.ToLower(r)] = true
	}
	var out []Result
	var cands []*candidate
	for _, r := range repos {
		key := strings.ToLower(r.FullName)
		if len(wanted) > 0 && !wanted[key] {
			continue
		}
		rec, why, err := s.skipped(ctx, r, rows[key])
		if err != nil {
			return nil, out, err
		}
		if why != "" {
			if len(wanted) > 0 {
				out = append(out, Result{Repo: r.FullName, Action: ActSkipped, Why: why, URL: recURL(rec)})
			}
			continue
		}
		cands = append(cands, &candidate{repo: r, row: rows[key], rec: rec})
	}
	return cands, out, nil
}

// skipped reads the repository's record and says why it is not a
// candidate ("" when it is); a record waiting on nobody any more is
// deleted.
func (s *Service) skipped(ctx context.Context, r Repo, row *catalog.Repository) (*Record, string, error) {
	rec, err := s.store.Get(ctx, r.FullName)
	if errors.Is(err, ErrNotFound) {
		rec = nil
	} else if err != nil {
		return nil, "", err
	}
	why, err := s.skip(ctx, r, row, rec)
	if err != nil || why == "" {
		return rec, why, err
	}
	if rec != nil && (rec.State == StateNeedsOwner || rec.State == StateDryRun) {
		// No longer a candidate (registered, archived, ...): it waits on nobody.
		if err := s.store.Delete(ctx, r.FullName); err != nil {
			return rec, "", err
		}
	}
	return rec, why, nil
}

// cheapOwners sets each candidate's owner from CODEOWNERS or, failing
// that, team permissions (read once, into tr).
func (s *Service) cheapOwners(ctx context.Context, cands []*candidate, tr *teamRepos, in Installation, org Org) error {
	for _, c := range cands {
		f := s.facts(c, nil)
		if c.owner, _ = cheapOwner(f, org); c.owner == "" {
			perms, err := s.teamPermissions(ctx, tr, in, org)
			if err != nil {
				return err
			}
			f.TeamPermissions = perms[strings.ToLower(c.repo.FullName)]
			c.owner, _ = cheapOwner(f, org)
		}
	}
	return nil
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
