package bot

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// ProposalCounts is what Proposals may also answer: how many onboarding
// pull requests each team has open (group ref -> count), for /catalog
// onboarding without a team.
type ProposalCounts interface {
	OpenProposalCounts(ctx context.Context) (map[string]int, error)
}

// maxProposals listed in one answer; the rest are counted.
const maxProposals = 25

// onboarding answers /catalog onboarding [team] (issue 17): the team's open
// proposals, or how many each team has.
func (b *Bot) onboarding(ctx context.Context, q string, ev *catalog.UsageEvent) (message, error) {
	if _, off := b.proposals.(noProposals); off {
		return sectionMessage("Onboarding pull requests are off here (`ONBOARDING`).", "Onboarding pull requests are off."), nil
	}
	if q == "" {
		counts, ok := b.proposals.(ProposalCounts)
		if !ok {
			return sectionMessage("Which team? Try `/catalog onboarding payments`.", "Which team?"), nil
		}
		n, err := counts.OpenProposalCounts(ctx)
		if err != nil {
			return message{}, err
		}
		ev.Outcome = catalog.OutcomeAnswered
		return onboardingByTeam(n), nil
	}
	a, err := b.findTeam(ctx, q)
	if err != nil {
		return message{}, fmt.Errorf("finding team %q: %w", q, err)
	}
	if !a.Found() || !a.Team || a.Entity == nil {
		return missMessage(a, "/catalog onboarding"), nil
	}
	ref, name := a.Entity.Ref(), cmp.Or(a.Entity.Metadata.Title, a.Entity.Metadata.Name)
	ev.Entity = ref.String()
	ps, err := b.proposals.OpenProposals(ctx, ref)
	if err != nil {
		return message{}, err
	}
	ev.Outcome = catalog.OutcomeAnswered
	if len(ps) == 0 {
		return sectionMessage(slacktext.Bold(name)+" has no open catalog-file pull request.", name+" has no open onboarding pull request"), nil
	}
	t := slacktext.NewLines(slacktext.MaxSectionText)
	t.Add(fmt.Sprintf("%s has %d open %s proposing a catalog file; merging one puts the repository in the catalog:",
		slacktext.Bold(name), len(ps), plural(len(ps), "pull request", "pull requests")))
	for i, p := range ps {
		if i == maxProposals {
			t.Add(fmt.Sprintf("…and %d more", len(ps)-maxProposals))
			break
		}
		line := "• " + slacktext.Link(p.URL, p.Repository)
		if !p.Opened.IsZero() {
			line += " — open since " + p.Opened.UTC().Format("2 Jan")
		}
		t.Add(line)
	}
	return message{Text: fmt.Sprintf("%s: %d open onboarding %s", name, len(ps), plural(len(ps), "pull request", "pull requests")), Blocks: []slack.Block{slacktext.Section(t)}}, nil
}

// onboardingByTeam counts the open proposals per team.
func onboardingByTeam(counts map[string]int) message {
	total := 0
	var owners []string
	for o, n := range counts {
		total += n
		owners = append(owners, o)
	}
	if total == 0 {
		return sectionMessage("No catalog-file pull request is open.", "No onboarding pull request is open.")
	}
	// Most first, then by name.
	sortOwners(owners, counts)
	t := slacktext.NewLines(slacktext.MaxSectionText)
	t.Add(fmt.Sprintf("%d open %s proposing a catalog file:", total, plural(total, "pull request", "pull requests")))
	for _, o := range owners {
		t.Add(fmt.Sprintf("• %s: %d", slacktext.Escape(strings.TrimPrefix(o, "group:default/")), counts[o]))
	}
	return message{Text: fmt.Sprintf("%d open onboarding %s", total, plural(total, "pull request", "pull requests")),
		Blocks: []slack.Block{slacktext.Section(t), slacktext.Context("`/catalog onboarding TEAM` lists a team's.")}}
}

func sortOwners(owners []string, counts map[string]int) {
	for i := 1; i < len(owners); i++ {
		for j := i; j > 0 && (counts[owners[j]] > counts[owners[j-1]] || counts[owners[j]] == counts[owners[j-1]] && owners[j] < owners[j-1]); j-- {
			owners[j], owners[j-1] = owners[j-1], owners[j]
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
