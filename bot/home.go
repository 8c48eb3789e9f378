package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/humanize"
	"github.com/callboard/callboard/internal/slacktext"
	"github.com/slack-go/slack"
)

// Proposals lists a team's open onboarding proposals — pull requests that
// add a catalog file to one of its repositories — for the App Home. It has
// the shape of the web view's hook (web.Onboarding), so one implementation
// serves both. Onboarding is not built yet (issue 17): the default lists
// none, and the App Home shows the section only when there are some.
type Proposals interface {
	OpenProposals(ctx context.Context, team catalog.Ref) ([]Proposal, error)
}

// Proposal is one open onboarding pull request.
type Proposal struct {
	Repository string // org/repo
	Title      string
	URL        string // the pull request
	Opened     time.Time
}

type noProposals struct{}

func (noProposals) OpenProposals(context.Context, catalog.Ref) ([]Proposal, error) { return nil, nil }

// What the App Home lists.
const (
	maxHomeTeams    = 10
	maxHomeOwned    = 25
	maxHomeRepos    = 50 // repositories whose latest check is read
	maxHomeFailures = 10
	// maxHomeFailingPRs are read, to say how many more there are.
	maxHomeFailingPRs = 100
	maxHomeProps      = 10
	maxUsers          = 100_000 // catalog users indexed by email
)

// home is what the App Home says to one person.
type home struct {
	name    string                     // their name in the catalog
	ref     string                     // their user ref
	login   string                     // their GitHub login
	teams   []*catalog.Entity          // their groups
	owned   []*catalog.Entity          // what they and their teams own
	mine    map[string]bool            // refs of what they own themselves
	failing []catalog.PullRequestCheck // open pull requests whose latest check failed
	props   []Proposal
	checks  bool   // pull-request checks are known (Config.Checks)
	why     string // why they were not found in the catalog ("" when they were)
}

// publishHome draws the App Home for the user who opened it
// (app_home_opened), with views.publish.
func (b *Bot) publishHome(ctx context.Context, userID, team string) error {
	if b.api == nil {
		return errNoBotToken
	}
	h, err := b.homeOf(ctx, userID)
	if err != nil {
		return err
	}
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: b.homeBlocks(h, team)}}
	_, err = b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
	if err != nil {
		return fmt.Errorf("views.publish: %w", err)
	}
	return nil
}

// homeOf finds the person who opened the App Home in the catalog (their
// Slack email against the catalog's users) and gathers what it shows.
func (b *Bot) homeOf(ctx context.Context, userID string) (*home, error) {
	h := &home{mine: map[string]bool{}}
	email, err := b.dir.emailOf(ctx, userID)
	switch {
	case err != nil && slackError(err) == "":
		return nil, err // Slack could not be reached: nothing to draw yet
	case err != nil || email == "":
		h.why = "Slack does not show callboard your email address, so it cannot find you in the catalog (the app needs the `users:read.email` scope)."
		return h, nil
	}
	u, err := b.users.find(ctx, b.catalog, email)
	if err != nil {
		return nil, err
	}
	if u == nil {
		h.why = "No User in the catalog has your email address, " + slacktext.Escape(email) +
			". A User entity with `spec.profile.email` set to it would let me show your teams and what they own."
		return h, nil
	}
	h.name, h.ref = u.DisplayName(), u.Ref().String()
	h.login = u.Metadata.Annotations[catalog.AnnotationUserLogin]
	if h.login == "" {
		h.login = u.Metadata.Name
	}
	teams, err := b.catalog.RelatedRefs(ctx, u.Ref(), catalog.RelMemberOf)
	if err != nil {
		return nil, err
	}
	if len(teams) > maxHomeTeams {
		teams = teams[:maxHomeTeams]
	}
	if h.teams, err = b.entities(ctx, teams); err != nil {
		return nil, err
	}
	if err := b.gatherOwned(ctx, h, teams); err != nil {
		return nil, err
	}
	sort.SliceStable(h.owned, func(i, j int) bool { return kindOrder(h.owned[i]) < kindOrder(h.owned[j]) })
	if b.checks != nil {
		h.checks = true
		if h.failing, err = b.failingChecks(ctx, h.owned); err != nil {
			return nil, err
		}
	}
	h.props = b.openProposals(ctx, h.teams)
	return h, nil
}

// gatherOwned sets what someone (h.ref) and their teams own, marking
// their own, each entity once.
func (b *Bot) gatherOwned(ctx context.Context, h *home, teams []string) error {
	owners := append([]string{h.ref}, teams...)
	seen := map[string]bool{}
	for i, o := range owners {
		ref, err := catalog.ParseRef(o, catalog.RefDefaults{Kind: "group"})
		if err != nil {
			continue
		}
		refs, err := b.catalog.RelatedRefs(ctx, ref, catalog.RelOwnerOf)
		if err != nil {
			return err
		}
		es, err := b.entities(ctx, refs)
		if err != nil {
			return err
		}
		for _, e := range es {
			key := e.Ref().String()
			if i == 0 {
				h.mine[key] = true
			}
			if !seen[key] {
				seen[key] = true
				h.owned = append(h.owned, e)
			}
		}
	}
	return nil
}

// openProposals are the open onboarding proposals of teams, newest first.
// They are a courtesy: a failure to list them is logged, and the App Home
// is drawn without them.
func (b *Bot) openProposals(ctx context.Context, teams []*catalog.Entity) []Proposal {
	var out []Proposal
	seen := map[string]bool{}
	for _, t := range teams {
		ps, err := b.proposals.OpenProposals(ctx, t.Ref())
		if err != nil {
			b.log.Warn("listing onboarding proposals for the App Home", "team", t.Ref().String(), "err", err)
			continue
		}
		for _, p := range ps {
			if !seen[p.URL] {
				seen[p.URL] = true
				out = append(out, p)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Opened.After(out[j].Opened) })
	return out
}

func (b *Bot) entities(ctx context.Context, refs []string) ([]*catalog.Entity, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	es, err := b.catalog.EntitiesByRefs(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := es[:0]
	for _, e := range es {
		if e != nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// failingChecks are the open pull requests of what someone owns whose
// latest check failed, newest first (a later pass, or the pull request
// closing, takes one off).
func (b *Bot) failingChecks(ctx context.Context, owned []*catalog.Entity) ([]catalog.PullRequestCheck, error) {
	var repos []string
	seen := map[string]bool{}
	for _, e := range owned {
		slug := e.Metadata.Annotations[catalog.AnnotationProjectSlug]
		if slug == "" || seen[strings.ToLower(slug)] {
			continue
		}
		seen[strings.ToLower(slug)] = true
		if len(repos) == maxHomeRepos {
			break
		}
		repos = append(repos, slug)
	}
	return b.checks.FailingPullRequests(ctx, repos, maxHomeFailingPRs)
}

// homeBlocks is the App Home: who you are in the catalog, your teams, what
// you own, the pull-request checks failing there, and how to ask.
func (b *Bot) homeBlocks(h *home, team string) []slack.Block {
	blocks := []slack.Block{slacktext.Header("callboard")}
	if h.why != "" {
		blocks = append(blocks, slacktext.SectionText(h.why))
	} else {
		blocks = append(blocks, slacktext.SectionText("You are "+slacktext.Bold(h.name)+" "+slacktext.Code(h.ref)+" in the catalog."))
		blocks = append(blocks, b.homeTeams(h)...)
		blocks = append(blocks, slacktext.Header("What you own"), slacktext.Section(homeOwned(h)))
		if h.checks {
			blocks = append(blocks, slacktext.Header("Pull-request checks failing"), slacktext.Section(b.homeChecks(h)))
		}
		if len(h.props) > 0 {
			blocks = append(blocks, slacktext.Header("Onboarding proposals"), slacktext.Section(b.homeProposals(h)))
		}
	}
	blocks = append(blocks, slacktext.Context("Ask me in the Messages tab, or mention me in a channel: “who owns payments-api?”, “what does team search own?”, “where are the docs for payments-api?”, “who’s on call for payments-api?”. `/owner` and `/catalog` work everywhere."))
	if b.baseURL != "" {
		if blk := actionsBlock("home", []*slack.ButtonBlockElement{slacktext.LinkButton(actionOpen, "Open the catalog", b.baseURL+"/")}); blk != nil {
			blocks = append(blocks, blk)
		}
	}
	return slacktext.Bounded(blocks)
}

// homeTeams is the App Home's teams: a heading, then a section a team.
func (b *Bot) homeTeams(h *home) []slack.Block {
	blocks := []slack.Block{slacktext.Header("Your teams")}
	if len(h.teams) == 0 {
		blocks = append(blocks, slacktext.SectionText("You are in no team in the catalog."))
	}
	for _, t := range h.teams {
		line := slacktext.Bold(t.DisplayName()) + " " + slacktext.Code(t.Metadata.Name)
		if name, id := catalog.SlackChannelOf(t); name != "" || id != "" {
			line += " · " + slacktext.Channel(id, name)
		}
		if b.baseURL != "" {
			line += " · " + slacktext.Link(b.baseURL+catalog.PagePath(t.Ref()), "its page")
		}
		blocks = append(blocks, slacktext.SectionText(line))
	}
	return blocks
}

// homeOwned lists what someone and their teams own, theirs marked.
func homeOwned(h *home) *slacktext.Lines {
	owned := slacktext.NewLines(slacktext.MaxSectionText)
	if len(h.owned) == 0 {
		owned.Add("Nothing in the catalog names you or your teams as its owner yet.")
	}
	addUpTo(owned, len(h.owned), maxHomeOwned, andMore, func(i int) string {
		line := "• " + entityLine(h.owned[i])
		if h.mine[h.owned[i].Ref().String()] {
			line += " · yours"
		}
		return line
	})
	return owned
}

// homeChecks lists the open pull requests whose latest check failed.
func (b *Bot) homeChecks(h *home) *slacktext.Lines {
	checks := slacktext.NewLines(slacktext.MaxSectionText)
	if len(h.failing) == 0 {
		checks.Add("None: callboard's check passes on every open pull request of what you own.")
	}
	more := andMore
	if len(h.failing) == maxHomeFailingPRs {
		// Only so many were read: there may be more than that.
		more = func(n int) string { return fmt.Sprintf("and more than %d more", n-1) }
	}
	addUpTo(checks, len(h.failing), maxHomeFailures, more, func(i int) string {
		f := h.failing[i]
		line := "• " + slacktext.Link(f.URL, fmt.Sprintf("%s#%d", f.Repository, f.Number)) + " — " + slacktext.Escape("failed "+humanize.Ago(b.now(), f.At))
		switch {
		case f.Author != "" && strings.EqualFold(f.Author, h.login):
			line += ", your pull request"
		case f.Author != "":
			line += slacktext.Escape(", by @" + f.Author)
		}
		return line
	})
	return checks
}

// homeProposals lists the teams' open onboarding pull requests.
func (b *Bot) homeProposals(h *home) *slacktext.Lines {
	props := slacktext.NewLines(slacktext.MaxSectionText)
	addUpTo(props, len(h.props), maxHomeProps, andMore, func(i int) string {
		p := h.props[i]
		line := "• " + slacktext.Link(p.URL, cmp.Or(p.Title, "a catalog file")) + " — " + slacktext.Code(p.Repository)
		if !p.Opened.IsZero() {
			line += slacktext.Escape(", opened " + humanize.Ago(b.now(), p.Opened))
		}
		return line
	})
	return props
}

// addUpTo adds line(i) for the first max of n items, and then, when there
// are more, what more says of how many.
func addUpTo(t *slacktext.Lines, n, max int, more, line func(int) string) {
	for i := 0; i < n; i++ {
		if i == max {
			t.Add(more(n - i))
			return
		}
		t.Add(line(i))
	}
}

func andMore(n int) string { return fmt.Sprintf("and %d more", n) }

// userIndex finds the catalog's User by email, from an index rebuilt when
// the catalog changes.
type userIndex struct {
	mu      sync.Mutex
	version string
	byEmail map[string]string // lower-case email -> user ref
}

func (ui *userIndex) find(ctx context.Context, c Catalog, email string) (*catalog.Entity, error) {
	version, err := c.CatalogVersion(ctx)
	if err != nil {
		return nil, err
	}
	ui.mu.Lock()
	defer ui.mu.Unlock()
	if ui.byEmail == nil || ui.version != version {
		users, _, err := c.EntitiesOfKind(ctx, "user", maxUsers)
		if err != nil {
			return nil, err
		}
		ui.byEmail = make(map[string]string, len(users))
		for _, u := range users {
			if e := strings.ToLower(strings.TrimSpace(u.Email())); e != "" {
				ui.byEmail[e] = u.Ref().String()
			}
		}
		ui.version = version
	}
	ref, ok := ui.byEmail[strings.ToLower(email)]
	if !ok {
		return nil, nil
	}
	r, err := catalog.ParseRef(ref, catalog.RefDefaults{Kind: "user"})
	if err != nil {
		return nil, err
	}
	u, err := c.EntityWithoutRelations(ctx, r)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, nil
	}
	return u, err
}
