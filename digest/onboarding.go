package digest

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// OnboardingSource says what onboarding pull requests did in a week
// (ONBOARDING, issue 17); cmd/callboard adapts the onboarding store.
type OnboardingSource interface {
	OnboardingBetween(ctx context.Context, from, to time.Time) (*OnboardingReport, error)
}

// OnboardingReport is the digest's "onboarding" section.
type OnboardingReport struct {
	Proposed, Merged, ClosedUnmerged int
	// MergeTimes are how long each pull request merged in the week was open.
	MergeTimes []time.Duration
	// Waiting are the open proposals, by team: the repositories still
	// waiting on their owners.
	Waiting []TeamProposals
	// NeedsOwner are the repositories no owner could be inferred for.
	NeedsOwner []ProposalLink
	// WouldPropose counts the proposals a dry run (ONBOARDING=dry-run) recorded.
	WouldPropose int
}

// TeamProposals are one team's open proposals.
type TeamProposals struct {
	Team  string
	Repos []ProposalLink
}

// ProposalLink is a repository and its pull request ("" when none).
type ProposalLink struct {
	Repo, URL string
}

// maxProposalsListed repositories per team, and without an owner, in the section.
const maxProposalsListed = 10

// MedianTimeToMerge is the median of MergeTimes (0 when none).
func (r *OnboardingReport) MedianTimeToMerge() time.Duration {
	if len(r.MergeTimes) == 0 {
		return 0
	}
	ts := slices.Clone(r.MergeTimes)
	slices.Sort(ts)
	if n := len(ts); n%2 == 0 {
		return (ts[n/2-1] + ts[n/2]) / 2
	}
	return ts[len(ts)/2]
}

// MedianText is the median time to merge as a person reads it.
func (r *OnboardingReport) MedianText() string {
	d := r.MedianTimeToMerge()
	switch {
	case len(r.MergeTimes) == 0:
		return "no merge yet"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

// Points is the share of the organisation's repositories the week's merges
// registered, in percentage points of coverage.
func (r *OnboardingReport) Points(repositories int) string {
	if repositories == 0 {
		return "0.0"
	}
	return fmt.Sprintf("%.1f", 100*float64(r.Merged)/float64(repositories))
}

// Open counts the open proposals.
func (r *OnboardingReport) Open() int {
	n := 0
	for _, t := range r.Waiting {
		n += len(t.Repos)
	}
	return n
}

// Shown are the team's first proposals, as many as the digest lists.
func (t TeamProposals) Shown() []ProposalLink { return first(t.Repos) }

// More counts the proposals Shown leaves out.
func (t TeamProposals) More() int { return max(len(t.Repos)-maxProposalsListed, 0) }

// NeedsOwnerShown are the first repositories without an owner.
func (r *OnboardingReport) NeedsOwnerShown() []ProposalLink { return first(r.NeedsOwner) }

// NeedsOwnerMore counts the repositories NeedsOwnerShown leaves out.
func (r *OnboardingReport) NeedsOwnerMore() int { return max(len(r.NeedsOwner)-maxProposalsListed, 0) }

func first(ls []ProposalLink) []ProposalLink { return ls[:min(len(ls), maxProposalsListed)] }
