package web

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/internal/humanize"
)

type digestView struct {
	*digest.Digest
	Dates     string
	Headline  string
	Prev      string
	Next      string
	Plugins   []pluginRow
	CovRows   []coverageRow
	New       []link
	MoreNew   int
	Failing   []link
	Fixed     []link
	Questions []digest.Question
	Missing   string // the repositories page, filtered to repositories without a catalog file
	Adoption  *adoptionView
}

type pluginRow struct {
	digest.PluginUsage
	Change, ChangeClass, OwnerLine, Actions string
	Bars                                    sparkline
}

type coverageRow struct {
	digest.CoverageRow
	Pct        string
	Width      int // of 100
	Delta      string
	DeltaClass string
}

const maxNewListed = 20

// digest is GET /digest: a week's digest (this one by default, or
// ?week=2026-W47), drawn for the browser at any width.
func (s *Site) digest(w http.ResponseWriter, r *http.Request, sess *Session) error {
	dg := s.cfg.Digest
	week := dg.ThisWeek()
	if q := strings.TrimSpace(r.URL.Query().Get("week")); q != "" {
		var err error
		if week, err = digest.ParseWeek(q); err != nil {
			return &httpError{status: http.StatusBadRequest, title: "No such week", msg: err.Error() + "."}
		}
	}
	d, err := s.digests.get(r.Context(), week)
	if err != nil {
		return err
	}
	v := digestView{Digest: d, Dates: dates(d), Headline: headline(d), Missing: "/repositories?status=" + catalog.RepoNothing}
	v.Prev = "/digest?week=" + week.Add(-1).String()
	if this := dg.ThisWeek(); week.Before(this) {
		v.Next = "/digest?week=" + week.Add(1).String()
	}
	for _, p := range d.Plugins {
		v.Plugins = append(v.Plugins, pluginRowOf(p, d))
	}
	for _, c := range d.Coverage.Rows {
		v.CovRows = append(v.CovRows, coverageRowOf(c))
	}
	for i, ref := range d.NewEntities {
		if i == maxNewListed {
			v.MoreNew = len(d.NewEntities) - maxNewListed
			break
		}
		v.New = append(v.New, link{Label: ref, URL: refPath(ref)})
	}
	repoLinks := func(repos []string) []link {
		var out []link
		for _, r := range repos {
			out = append(out, link{Label: r, URL: "https://github.com/" + r + "/pulls"})
		}
		return out
	}
	v.Failing, v.Fixed = repoLinks(d.ChecksFailing), repoLinks(d.ChecksFixed)
	v.Questions = d.Unanswered
	if len(v.Questions) > 10 {
		v.Questions = v.Questions[:10]
	}
	if v.Adoption, err = newAdoptionView(d); err != nil {
		return err
	}
	s.usage.add(catalog.UsageEvent{Plugin: PluginWeb, Action: "digest", Actor: sess.Login, At: s.cfg.Now(), Outcome: catalog.OutcomeAnswered, Detail: week.String()})
	return s.render(w, r, http.StatusOK, "digest", &view{Title: "Digest " + week.String(), Nav: "digest", Session: sess, Data: v})
}

// pluginRowOf is a plugin's row: its change, who owns it, its top actions
// and its trend drawn against the whole digest's.
func pluginRowOf(p digest.PluginUsage, d *digest.Digest) pluginRow {
	row := pluginRow{PluginUsage: p, Change: p.Change.String(), ChangeClass: changeClass(p.Change), Bars: newSparkline(p.Trend, d.Trend)}
	switch {
	case p.Own:
		row.OwnerLine = "callboard feature"
	case p.Owner == nil:
		row.OwnerLine = "no owner: annotate its entity with " + digest.AnnotationPluginID
	default:
		row.OwnerLine = "owned by " + p.Owner.Name
	}
	var acts []string
	for _, a := range p.TopActions {
		acts = append(acts, fmt.Sprintf("%s %s", a.Name, humanize.Int(a.Count)))
	}
	row.Actions = strings.Join(acts, " · ")
	return row
}

// coverageRowOf is a coverage row with its bar and its change in points.
func coverageRowOf(c digest.CoverageRow) coverageRow {
	cr := coverageRow{CoverageRow: c, Pct: fmt.Sprintf("%.0f%%", math.Round(c.Pct)), Width: int(math.Round(min(max(c.Pct, 0), 100)))}
	if c.HasDelta {
		switch r := math.Round(c.Delta*10) / 10; {
		case r > 0:
			cr.Delta, cr.DeltaClass = fmt.Sprintf("+%.1f pts", r), "up"
		case r < 0:
			cr.Delta, cr.DeltaClass = fmt.Sprintf("−%.1f pts", -r), "down"
		default:
			cr.Delta, cr.DeltaClass = "±0 pts", "flat"
		}
	}
	return cr
}

func changeClass(c digest.Change) string {
	switch {
	case c.None:
		return "flat"
	case c.New, c.Pct > 0:
		return "up"
	case c.Pct < 0:
		return "down"
	}
	return "flat"
}

func dates(d *digest.Digest) string {
	last := d.To.AddDate(0, 0, -1)
	return d.From.Format("Mon 2 Jan") + " – " + last.Format("Mon 2 Jan 2006") + " (" + d.Zone + ")"
}

// headline says the week in one sentence.
func headline(d *digest.Digest) string {
	t := d.Total
	if t.Events == 0 {
		if t.Prev > 0 {
			return fmt.Sprintf("No usage yet this week (last week: %s).", humanize.Plural(t.Prev, "event", "events"))
		}
		return "No usage recorded this week."
	}
	s := fmt.Sprintf("%s by %s", humanize.Plural(t.Events, "event", "events"), humanize.Plural(t.Users, "person", "people"))
	switch {
	case t.Change.New:
		s += ", the first recorded"
	case d.Partial:
		s += fmt.Sprintf(" so far; last week had %s", humanize.Int(t.Prev))
	default:
		s += fmt.Sprintf(", %s on last week (%s)", t.Change, humanize.Int(t.Prev))
	}
	return s + "."
}

// digestCache keeps built digests: building one reads two weeks of usage
// events, eight weeks of counts and the week's new entities (about 50 ms at
// 10,000 entities in the catalog's first week, growing with use), and records
// a coverage snapshot. This week's (and last week's) is rebuilt when 30 s
// old, an older week's when 10 minutes old, by a worker while the page shows
// the copy it has; only the first view of a week waits for a build.
type digestCache struct {
	dg  *digest.Service
	log *slog.Logger

	mu     sync.Mutex
	byWk   map[digest.Week]cachedDigest
	asked  map[digest.Week]bool // rebuilds asked for and not done
	work   chan digest.Week
	cancel context.CancelFunc
	done   chan struct{}
}

type cachedDigest struct {
	d  *digest.Digest
	at time.Time
}

const maxCachedDigests = 16

func newDigestCache(dg *digest.Service, log *slog.Logger) *digestCache {
	ctx, cancel := context.WithCancel(context.Background())
	c := &digestCache{dg: dg, log: log, byWk: map[digest.Week]cachedDigest{}, asked: map[digest.Week]bool{},
		work: make(chan digest.Week, maxCachedDigests), cancel: cancel, done: make(chan struct{})}
	go c.run(ctx)
	return c
}

func (c *digestCache) run(ctx context.Context) {
	defer close(c.done)
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-c.work:
			_, err := c.build(ctx, w)
			if err != nil && ctx.Err() == nil {
				c.log.Warn("rebuilding the digest page", "week", w.String(), "err", err)
			}
			c.mu.Lock()
			delete(c.asked, w)
			c.mu.Unlock()
		}
	}
}

func (c *digestCache) build(ctx context.Context, w digest.Week) (*digest.Digest, error) {
	d, err := c.dg.Digest(ctx, w)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byWk[w]; !ok && len(c.byWk) >= maxCachedDigests {
		clear(c.byWk)
	}
	c.byWk[w] = cachedDigest{d: d, at: time.Now()}
	return d, nil
}

func (c *digestCache) get(ctx context.Context, w digest.Week) (*digest.Digest, error) {
	ttl := 10 * time.Minute
	if !w.Before(c.dg.ThisWeek().Add(-1)) {
		ttl = 30 * time.Second
	}
	c.mu.Lock()
	e, ok := c.byWk[w]
	if ok && time.Since(e.at) >= ttl && !c.asked[w] {
		select {
		case c.work <- w:
			c.asked[w] = true
		default: // the worker is behind: the next view asks again
		}
	}
	c.mu.Unlock()
	if ok {
		return e.d, nil
	}
	return c.build(ctx, w)
}

func (c *digestCache) close() {
	c.cancel()
	<-c.done
}
