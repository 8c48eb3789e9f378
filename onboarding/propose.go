package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/check"
)

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
	f, cache, head, fresh, err := s.evidence(ctx, in, c, tr)
	if err != nil {
		return res, err
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
		return s.needsOwner(ctx, rec, p, res)
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
	if why, err := s.deferred(ctx, in, *budget); err != nil {
		return res, err
	} else if why != "" {
		res.Action, res.Why = ActDeferred, why
		return res, s.store.Put(ctx, rec)
	}
	return s.open(ctx, in, c, rec, p, head, budget, res)
}

// evidence is the candidate's facts: the cached ones when the repository
// has not been pushed to since, else its files at the default branch's
// head (returned too), and its recent committers when CODEOWNERS and team
// permissions name no owner.
func (s *Service) evidence(ctx context.Context, in Installation, c *candidate, tr *teamRepos) (Facts, *factsCache, Head, bool, error) {
	repo := c.repo.FullName
	cache, fresh := cachedFacts(c)
	var head Head
	if !fresh {
		var err error
		if head, err = s.gh.Head(ctx, in.ID, repo, c.repo.DefaultBranch); err != nil {
			return Facts{}, nil, head, false, err
		}
		cache = &factsCache{}
		if cache.Files, err = s.gh.Files(ctx, in.ID, repo, head.Tree); err != nil {
			return Facts{}, nil, head, false, err
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
			return Facts{}, nil, head, fresh, err
		}
		cache.Commits = true
		f.Committers = cache.Committers
	}
	return f, cache, head, fresh, nil
}

// needsOwner records that no owner can be inferred; an open pull request
// is left as it is.
func (s *Service) needsOwner(ctx context.Context, rec *Record, p *Proposal, res Result) (Result, error) {
	res.Action, res.Why = ActNeedsOwner, p.Evidence[0].Why
	if rec.State == StateOpen {
		// The evidence that named an owner is gone; the open pull request stays as it is.
		res.Action, res.Why, res.URL = ActLeftAlone, "no owner can be inferred any more; the open pull request is left as it is", rec.URL
		return res, s.store.Put(ctx, rec)
	}
	rec.State, rec.Owner, rec.Title, rec.File, rec.Body, rec.Fingerprint = StateNeedsOwner, "", "", "", "", ""
	return res, s.store.Put(ctx, rec)
}

// deferred says why no pull request may be opened now ("" when one may):
// the hour's budget is spent, or GitHub's rate budget is below the reserve.
func (s *Service) deferred(ctx context.Context, in Installation, budget int) (string, error) {
	if budget <= 0 {
		return fmt.Sprintf("%d pull requests opened in the last hour (ONBOARDING_PER_HOUR)", s.cfg.PerHour), nil
	}
	left, err := s.gh.RateRemaining(ctx, in.ID)
	if err != nil {
		return "", err
	}
	if left < s.cfg.Reserve {
		return fmt.Sprintf("GitHub's rate budget is down to %d calls, below the reserve of %d", left, s.cfg.Reserve), nil
	}
	return "", nil
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
