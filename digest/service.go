package digest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
)

// Catalog is what the digest reads from the catalog and its usage events;
// *store.Store satisfies it.
type Catalog interface {
	UsageBetween(ctx context.Context, from, to time.Time) ([]catalog.UsageEvent, error)
	UsageCounts(ctx context.Context, from, to time.Time) (map[string]int, error)
	Coverage(ctx context.Context) (catalog.Coverage, error)
	EntitiesCreatedBetween(ctx context.Context, from, to time.Time) ([]string, error)
	Query(ctx context.Context, q catalog.Query) (catalog.Page, error)
	EntityWithoutRelations(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error)
}

// Config is what a Service needs. Only Catalog and Records are required;
// without a Mailer or a Poster that channel is off.
type Config struct {
	Catalog  Catalog
	Records  *Store
	Location *time.Location // DIGEST_TIMEZONE; UTC when nil
	// BaseURL is CALLBOARD_BASE_URL; digests link to BaseURL/digest?week=...
	BaseURL string

	Mailer Mailer
	From   string   // DIGEST_FROM
	To     []string // DIGEST_TO: the full digest goes to each
	// AllowedDomains are the mail domains (and their subdomains) a plugin
	// owner's part may be mailed to (DIGEST_ALLOWED_DOMAINS; default: the
	// domains of To). An owner's address comes from catalog data, which
	// any repository can declare: usage must not be mailed outside the
	// organisation.
	AllowedDomains []string

	Slack        Poster
	SlackChannel string // DIGEST_SLACK_CHANNEL

	Merges MergeWindow // DefaultMergeWindow when zero
	// KPIs are where the adoption KPIs read their facts; nil leaves them
	// out of the digest.
	KPIs *KPISources
	// Onboarding is the source of the onboarding section; nil leaves it out.
	Onboarding OnboardingSource
	// SendTimeout bounds one email or Slack post (default 1 minute);
	// StaleClaim is how old a 'sending' claim must be before another run may
	// take it over (default 30 minutes, well above SendTimeout).
	SendTimeout time.Duration
	StaleClaim  time.Duration

	Now    func() time.Time
	Logger *slog.Logger
}

// Service builds, renders and sends digests.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New checks the configuration and returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Catalog == nil || cfg.Records == nil {
		return nil, errors.New("digest: Catalog and Records are required")
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	} else {
		cfg.Records.Now = cfg.Now // one clock for the digest and its claims
	}
	if cfg.Merges == (MergeWindow{}) {
		cfg.Merges = DefaultMergeWindow
	}
	cfg.SendTimeout = cmp.Or(cfg.SendTimeout, time.Minute)
	cfg.StaleClaim = cmp.Or(cfg.StaleClaim, 30*time.Minute)
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	log := cmp.Or(cfg.Logger, slog.Default())
	if cfg.Mailer != nil {
		if _, err := mail.ParseAddress(cfg.From); err != nil {
			return nil, fmt.Errorf("DIGEST_FROM %q is not an address: %v", cfg.From, err)
		}
		if len(cfg.To) == 0 {
			return nil, errors.New("DIGEST_TO is empty: the platform team's address is needed to send the digest")
		}
	}
	var err error
	if cfg.To, err = recipients(cfg.To); err != nil {
		return nil, err
	}
	cfg.AllowedDomains = allowedDomains(cfg.AllowedDomains, cfg.To)
	if cfg.Slack != nil && cfg.SlackChannel == "" {
		return nil, errors.New("DIGEST_SLACK_CHANNEL is empty: the channel for the digest summary is needed")
	}
	return &Service{cfg: cfg, log: log}, nil
}

// recipients checks DIGEST_TO's addresses: lower-cased, sorted, each once.
func recipients(addrs []string) ([]string, error) {
	to := make([]string, 0, len(addrs))
	for _, addr := range addrs {
		a, err := mail.ParseAddress(strings.TrimSpace(addr))
		if err != nil {
			return nil, fmt.Errorf("DIGEST_TO %q is not an address: %v", addr, err)
		}
		to = append(to, strings.ToLower(a.Address))
	}
	slices.Sort(to)
	return slices.Compact(to), nil
}

// allowedDomains are the domains owners' digests may go to: those given,
// else the domains of the recipients to.
func allowedDomains(given, to []string) []string {
	if len(given) == 0 {
		for _, addr := range to {
			_, d, _ := strings.Cut(addr, "@")
			given = append(given, d)
		}
	}
	for i, d := range given {
		given[i] = strings.ToLower(strings.Trim(strings.TrimSpace(d), "."))
	}
	return given
}

// Location is the digest's time zone.
func (s *Service) Location() *time.Location { return s.cfg.Location }

// ThisWeek is the ISO week now falls in, in the digest's time zone.
func (s *Service) ThisWeek() Week { return WeekOf(s.cfg.Now(), s.cfg.Location) }

// LastWeek is the most recent complete week: what a scheduled digest reports.
func (s *Service) LastWeek() Week { return s.ThisWeek().Add(-1) }

// URL is where the digest of w can be read in a browser.
func (s *Service) URL(w Week) string {
	if s.cfg.BaseURL == "" {
		return ""
	}
	return s.cfg.BaseURL + "/digest?week=" + w.String()
}

// Digest gathers a week's data and builds its digest. For this week and the
// last one it also records today's catalog coverage as that week's snapshot,
// so the next digest can say what changed; an older week is shown with the
// coverage of its own snapshot when there is one.
func (s *Service) Digest(ctx context.Context, w Week) (*Digest, error) {
	loc, now := s.cfg.Location, s.cfg.Now()
	from, to := w.Start(loc), w.End(loc)
	in := Input{Week: w, Location: loc, Now: now}
	var err error
	if in.Events, err = s.cfg.Catalog.UsageBetween(ctx, from, to); err != nil {
		return nil, err
	}
	prev := w.Add(-1)
	if in.PrevEvents, err = s.cfg.Catalog.UsageBetween(ctx, prev.Start(loc), from); err != nil {
		return nil, err
	}
	if in.Weekly, err = s.weekly(ctx, w); err != nil {
		return nil, err
	}
	if in.Owners, err = s.owners(ctx); err != nil {
		return nil, err
	}
	if in.NewEntities, err = s.cfg.Catalog.EntitiesCreatedBetween(ctx, from, to); err != nil {
		return nil, err
	}
	if in.Merges, err = s.cfg.Records.MergeStats(ctx, from, to, s.cfg.Merges); err != nil {
		return nil, err
	}
	if in.PrevCoverage, err = s.cfg.Records.SnapshotBefore(ctx, w); err != nil {
		return nil, err
	}
	if in.Coverage, err = s.coverage(ctx, w, now); err != nil {
		return nil, err
	}
	d := Build(in)
	if d.Adoption, err = s.adoption(ctx, w); err != nil {
		return nil, err
	}
	d.URL = s.URL(w)
	if s.cfg.Onboarding != nil && d.Scope == "" {
		if d.Onboarding, err = s.cfg.Onboarding.OnboardingBetween(ctx, d.From, d.To); err != nil {
			return nil, fmt.Errorf("reading onboarding pull requests: %w", err)
		}
	}
	if s.cfg.BaseURL != "" {
		d.MissingURLs = &MissingURLs{
			CodeownersOnly: s.cfg.BaseURL + catalog.RepositoriesPath(catalog.RepoCodeowners),
			Neither:        s.cfg.BaseURL + catalog.RepositoriesPath(catalog.RepoNothing),
		}
	}
	return d, nil
}

// weekly counts each plugin's events in the trend's weeks before w, oldest
// first; w's own counts, last, come from its events.
func (s *Service) weekly(ctx context.Context, w Week) ([]map[string]int, error) {
	loc := s.cfg.Location
	var out []map[string]int
	for i := TrendWeeks - 1; i >= 1; i-- {
		wk := w.Add(-i)
		counts, err := s.cfg.Catalog.UsageCounts(ctx, wk.Start(loc), wk.End(loc))
		if err != nil {
			return nil, err
		}
		out = append(out, counts)
	}
	return append(out, nil), nil
}

// coverage is the catalog coverage w's digest shows. For this week and the
// last one it is measured now and recorded as w's snapshot; an older week
// shows its own snapshot, or today's coverage when it has none.
func (s *Service) coverage(ctx context.Context, w Week, now time.Time) (catalog.Coverage, error) {
	current := WeekOf(now, s.cfg.Location)
	recent := w == current || w == current.Add(-1)
	if !recent {
		own, err := s.cfg.Records.SnapshotBefore(ctx, w.Add(1))
		if err != nil {
			return catalog.Coverage{}, err
		}
		if own != nil && own.Week == w {
			return own.Coverage, nil
		}
	}
	c, err := s.cfg.Catalog.Coverage(ctx)
	if err != nil {
		return c, fmt.Errorf("measuring coverage: %w", err)
	}
	if recent {
		if err := s.cfg.Records.SaveSnapshot(ctx, Snapshot{Week: w, TakenAt: now, Coverage: c}); err != nil {
			return c, err
		}
	}
	return c, nil
}

// owners maps plugin ids to the owners of the entities that carry
// AnnotationPluginID. When two entities claim one id, the first by ref wins.
func (s *Service) owners(ctx context.Context) (map[string]Owner, error) {
	page, err := s.cfg.Catalog.Query(ctx, catalog.Query{
		Filter: catalog.Filter{{{Key: "metadata.annotations." + AnnotationPluginID}}},
	})
	if err != nil {
		return nil, fmt.Errorf("finding plugin owners: %w", err)
	}
	es := page.Entities
	slices.SortFunc(es, func(a, b *catalog.Entity) int { return cmp.Compare(a.Ref().String(), b.Ref().String()) })
	out := map[string]Owner{}
	for _, e := range es {
		var o *Owner
		for _, id := range strings.Split(e.Metadata.Annotations[AnnotationPluginID], ",") {
			id = strings.ToLower(strings.TrimSpace(id))
			if id == "" || Own(id) {
				continue
			}
			if _, taken := out[id]; taken {
				s.log.Warn("plugin id claimed twice; the first entity keeps it", "plugin", id, "entity", e.Ref().String())
				continue
			}
			if o == nil {
				o = &Owner{Entity: e.Ref().String()}
				if ref, ok := e.OwnerRef(); ok {
					o.Ref, o.Name = ref.String(), ref.Name
					oe, err := s.cfg.Catalog.EntityWithoutRelations(ctx, ref)
					switch {
					case errors.Is(err, catalog.ErrNotFound):
					case err != nil:
						return nil, fmt.Errorf("reading the owner of %s: %w", o.Entity, err)
					default:
						o.Name, o.Email = oe.DisplayName(), oe.Email()
					}
				}
			}
			out[id] = *o
		}
	}
	return out, nil
}
