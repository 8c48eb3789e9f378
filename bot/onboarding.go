package bot

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// Onboarding lists open onboarding pull requests (issue 17): a team's, or
// every team's when owner is "".
type Onboarding interface {
	OpenProposals(ctx context.Context, owner string) ([]Proposal, error)
}

// Proposal is an open pull request proposing a catalog file.
type Proposal struct {
	Repo   string // org/repo
	Owner  string // the group ref it is proposed to
	Title  string
	URL    string
	Opened time.Time
}

// maxProposals listed in one answer; the rest are counted.
const maxProposals = 25

// onboarding answers /catalog onboarding [team]: the team's open proposals,
// or how many each team has.
func (b *Bot) onboarding(ctx context.Context, q string, ev *catalog.UsageEvent) (message, error) {
	if b.proposals == nil {
		return sectionMessage("Onboarding pull requests are off here (`ONBOARDING`).", "Onboarding pull requests are off."), nil
	}
	owner, name := "", ""
	if q != "" {
		a, err := b.findTeam(ctx, q)
		if err != nil {
			return message{}, fmt.Errorf("finding team %q: %w", q, err)
		}
		if !a.Found() || !a.Team || a.Entity == nil {
			return missMessage(a, "/catalog onboarding"), nil
		}
		owner, name = a.Entity.Ref().String(), cmp.Or(a.Entity.Metadata.Title, a.Entity.Metadata.Name)
		ev.Entity = owner
	}
	ps, err := b.proposals.OpenProposals(ctx, owner)
	if err != nil {
		return message{}, err
	}
	ev.Outcome = catalog.OutcomeAnswered
	t := slacktext.NewLines(slacktext.MaxSectionText)
	if owner == "" {
		return b.onboardingByTeam(ps), nil
	}
	if len(ps) == 0 {
		return sectionMessage(slacktext.Bold(name)+" has no open catalog-file pull request.", name+" has no open onboarding pull request"), nil
	}
	t.Add(fmt.Sprintf("%s has %d open %s proposing a catalog file; merging one puts the repository in the catalog:",
		slacktext.Bold(name), len(ps), plural(len(ps), "pull request", "pull requests")))
	for i, p := range ps {
		if i == maxProposals {
			t.Add(fmt.Sprintf("…and %d more", len(ps)-maxProposals))
			break
		}
		line := "• " + slacktext.Link(p.URL, p.Repo)
		if !p.Opened.IsZero() {
			line += " — open since " + p.Opened.UTC().Format("2 Jan")
		}
		t.Add(line)
	}
	return message{Text: fmt.Sprintf("%s: %d open onboarding pull requests", name, len(ps)), Blocks: []slack.Block{slacktext.Section(t)}}, nil
}

// onboardingByTeam counts the open proposals per team.
func (b *Bot) onboardingByTeam(ps []Proposal) message {
	if len(ps) == 0 {
		return sectionMessage("No catalog-file pull request is open.", "No onboarding pull request is open.")
	}
	count := map[string]int{}
	var owners []string
	for _, p := range ps {
		if count[p.Owner] == 0 {
			owners = append(owners, p.Owner)
		}
		count[p.Owner]++
	}
	t := slacktext.NewLines(slacktext.MaxSectionText)
	t.Add(fmt.Sprintf("%d open %s proposing a catalog file:", len(ps), plural(len(ps), "pull request", "pull requests")))
	for _, o := range owners {
		t.Add(fmt.Sprintf("• %s: %d", slacktext.Escape(strings.TrimPrefix(o, "group:default/")), count[o]))
	}
	return message{Text: fmt.Sprintf("%d open onboarding pull requests", len(ps)),
		Blocks: []slack.Block{slacktext.Section(t), slacktext.Context("`/catalog onboarding TEAM` lists a team's.")}}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
