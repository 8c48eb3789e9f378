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
	to := make([]string, 0, len(cfg.To))
	for _, addr := range cfg.To {
		a, err := mail.ParseAddress(strings.TrimSpace(addr))
		if err != nil {
			return nil, fmt.Errorf("DIGEST_TO %q is not an address: %v", addr, err)
		}
		to = append(to, strings.ToLower(a.Address))
	}
	slices.Sort(to)
	cfg.To = slices.Compact(to)
	if len(cfg.AllowedDomains) == 0 {
		for _, addr := range cfg.To {
			_, d, _ := strings.Cut(addr, "@")
			cfg.AllowedDomains = append(cfg.AllowedDomains, d)
		}
	}
	for i, d := range cfg.AllowedDomains {
		cfg.AllowedDomains[i] = strings.ToLower(strings.Trim(strings.TrimSpace(d), "."))
	}
	if cfg.Slack != nil && cfg.SlackChannel == "" {
		return nil, errors.New("DIGEST_SLACK_CHANNEL is empty: the channel for the digest summary is needed")
	}
	return &Service{cfg: cfg, log: log}, nil
}

// ParseAddresses splits DIGEST_TO ("a@x.example, b@x.example").
func ParseAddresses(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
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
	for i := TrendWeeks - 1; i >= 1; i-- {
		wk := w.Add(-i)
		counts, err := s.cfg.Catalog.UsageCounts(ctx, wk.Start(loc), wk.End(loc))
		if err != nil {
			return nil, err
		}
		in.Weekly = append(in.Weekly, counts)
	}
	in.Weekly = append(in.Weekly, nil) // this week's counts come from the events
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
	if current := WeekOf(now, loc); w == current || w == current.Add(-1) {
		if in.Coverage, err = s.cfg.Catalog.Coverage(ctx); err != nil {
			return nil, fmt.Errorf("measuring coverage: %w", err)
		}
		if err := s.cfg.Records.SaveSnapshot(ctx, Snapshot{Week: w, TakenAt: now, Coverage: in.Coverage}); err != nil {
			return nil, err
		}
	} else {
		own, err := s.cfg.Records.SnapshotBefore(ctx, w.Add(1))
		if err != nil {
			return nil, err
		}
		if own != nil && own.Week == w {
			in.Coverage = own.Coverage
		} else if in.Coverage, err = s.cfg.Catalog.Coverage(ctx); err != nil {
			return nil, fmt.Errorf("measuring coverage: %w", err)
		}
	}
	d := Build(in)
	if d.Adoption, err = s.adoption(ctx, w); err != nil {
		return nil, err
	}
	d.URL = s.URL(w)
	if s.cfg.BaseURL != "" {
		d.MissingURLs = &MissingURLs{
			CodeownersOnly: s.cfg.BaseURL + catalog.RepositoriesPath(catalog.RepoCodeowners),
			Neither:        s.cfg.BaseURL + catalog.RepositoriesPath(catalog.RepoNothing),
		}
	}
	return d, nil
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

// Report says what a Send did.
type Report struct {
	Week    Week
	Sent    []string // channel:recipient
	Skipped []string // sent before, or being sent by another process
	Failed  []string
	// NotAllowed are plugin owners' addresses outside AllowedDomains: not
	// mailed.
	NotAllowed []string
}

// allowedAddress reports whether addr is in one of the allowed domains or
// below one.
func (s *Service) allowedAddress(addr string) bool {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return false
	}
	_, domain, ok := strings.Cut(strings.ToLower(a.Address), "@")
	if !ok {
		return false
	}
	for _, d := range s.cfg.AllowedDomains {
		if d != "" && (domain == d || strings.HasSuffix(domain, "."+d)) {
			return true
		}
	}
	return false
}

type delivery struct {
	channel, recipient string
	digest             *Digest
}

// Send sends the digest of w to every recipient it has not reached yet: the
// full digest to each DIGEST_TO address and the Slack channel, each plugin
// owner's part to the owner's address. A (week, recipient) is claimed before
// it is sent and marked sent after, so it goes out once however many
// processes run Send; a failure is recorded and retried by the next Send.
// The error joins the failures.
func (s *Service) Send(ctx context.Context, w Week) (Report, error) {
	rep := Report{Week: w}
	d, err := s.Digest(ctx, w)
	if err != nil {
		return rep, err
	}
	var ds []delivery
	if s.cfg.Mailer != nil {
		full := map[string]bool{}
		for _, to := range s.cfg.To {
			full[to] = true
			ds = append(ds, delivery{ChannelEmail, to, d})
		}
		for _, addr := range d.OwnerEmails() {
			switch {
			case full[addr]:
			case !s.allowedAddress(addr):
				s.log.Warn("a plugin owner's digest is not mailed: the address is outside DIGEST_ALLOWED_DOMAINS", "week", w.String(), "recipient", addr)
				rep.NotAllowed = append(rep.NotAllowed, ChannelEmail+":"+addr)
			default:
				ds = append(ds, delivery{ChannelEmail, addr, d.ForOwner(addr)})
			}
		}
	}
	if s.cfg.Slack != nil {
		ds = append(ds, delivery{ChannelSlack, s.cfg.SlackChannel, d})
	}
	var errs []error
	for _, dl := range ds {
		key := dl.channel + ":" + dl.recipient
		ok, err := s.cfg.Records.Claim(ctx, w, dl.channel, dl.recipient, s.cfg.StaleClaim)
		if err != nil {
			return rep, err
		}
		if !ok {
			rep.Skipped = append(rep.Skipped, key)
			continue
		}
		err = s.deliver(ctx, dl)
		// Record the outcome even when ctx ended mid-send (shutdown).
		rctx := context.WithoutCancel(ctx)
		if err != nil {
			s.log.Error("sending the digest", "week", w.String(), "channel", dl.channel, "recipient", dl.recipient, "err", err)
			rep.Failed = append(rep.Failed, key)
			errs = append(errs, err)
			if merr := s.cfg.Records.MarkFailed(rctx, w, dl.channel, dl.recipient, err); merr != nil {
				return rep, errors.Join(append(errs, merr)...)
			}
			continue
		}
		if err := s.cfg.Records.MarkSent(rctx, w, dl.channel, dl.recipient); err != nil {
			return rep, err
		}
		s.log.Info("digest sent", "week", w.String(), "channel", dl.channel, "recipient", dl.recipient)
		rep.Sent = append(rep.Sent, key)
	}
	return rep, errors.Join(errs...)
}

func (s *Service) deliver(ctx context.Context, dl delivery) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
	defer cancel()
	switch dl.channel {
	case ChannelSlack:
		blocks, text := Slack(dl.digest)
		return s.cfg.Slack.PostDigest(ctx, dl.recipient, blocks, text)
	default:
		html, err := HTML(dl.digest)
		if err != nil {
			return err
		}
		m := Message{From: s.cfg.From, To: dl.recipient, Subject: subject(dl.digest), Text: Text(dl.digest), HTML: html}
		if a := dl.digest.Adoption; a != nil && dl.digest.Scope == "" {
			if m.Inline, err = a.Charts(); err != nil {
				return err
			}
		}
		return s.cfg.Mailer.Send(ctx, m)
	}
}

// Pending reports whether a send of week w failed, or was claimed longer
// ago than StaleClaim and never finished: the schedule's retries look at it.
func (s *Service) Pending(ctx context.Context, w Week) (bool, error) {
	recs, err := s.cfg.Records.Sends(ctx, w)
	if err != nil {
		return false, err
	}
	stale := s.cfg.Now().Add(-s.cfg.StaleClaim)
	for _, r := range recs {
		if r.State == StateFailed || (r.State == StateSending && r.ClaimedAt.Before(stale)) {
			return true, nil
		}
	}
	return false, nil
}

// Sends returns what was recorded about sending the digest of w.
func (s *Service) Sends(ctx context.Context, w Week) ([]SendRecord, error) {
	return s.cfg.Records.Sends(ctx, w)
}
