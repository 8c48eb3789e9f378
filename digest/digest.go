package digest

import (
	"fmt"
	"math"
	"time"

	"github.com/callboard/callboard/catalog"
)

// TrendWeeks is how many weeks the trend of each plugin covers, this one included.
const TrendWeeks = 8

// Limits on the lists a digest prints, so a busy week stays readable.
const (
	maxTopActions = 3
	maxQuestions  = 10
	maxListed     = 10
	maxNewcomers  = 10
)

// AnnotationPluginID names, on a catalog entity (usually the Component that
// is the plugin), the usage plugin id(s) it stands for, comma-separated. The
// entity's owner (spec.owner), through its spec.profile.email, receives
// that plugin's section of the digest.
const AnnotationPluginID = "callboard.dev/usage-plugin-id"

// Own reports whether a plugin id is one of callboard's own features, whose
// usage goes to DIGEST_TO rather than to an owner from the catalog.
func Own(plugin string) bool {
	switch plugin {
	case catalog.PluginSlackOwner, catalog.PluginSlackCatalog, catalog.PluginPRCheck, catalog.PluginScaffolder, catalog.PluginCatalogAPI, catalog.PluginWeb,
		catalog.PluginSlackMention, catalog.PluginSlackDM, catalog.PluginSlackHome, catalog.PluginOnboarding:
		return true
	}
	return false
}

// Owner is who answers for a plugin: the entity that carries the plugin id
// annotation, and the owner of that entity.
type Owner struct {
	Entity string // the annotated entity's ref
	Ref    string // the owner's ref
	Name   string // the owner's display name
	Email  string // the owner's spec.profile.email; empty when it has none
}

// Input is everything one week's digest is computed from. Build turns it into
// a Digest without I/O.
type Input struct {
	Week     Week
	Location *time.Location
	Now      time.Time // when the digest is made; a week not over yet is partial

	Events     []catalog.UsageEvent // this week's
	PrevEvents []catalog.UsageEvent // the previous week's (for PR checks fixed across the boundary)
	// Weekly holds the events per plugin of the TrendWeeks weeks that end
	// with this one, oldest first.
	Weekly []map[string]int
	Owners map[string]Owner // by plugin id

	Coverage     catalog.Coverage
	PrevCoverage *Snapshot // the latest snapshot of an earlier week; nil when there is none
	NewEntities  []string

	Merges MergeStats
}

// Snapshot is catalog coverage as one week's digest saw it.
type Snapshot struct {
	Week     Week
	TakenAt  time.Time
	Coverage catalog.Coverage
}

// MergeStats is what the merged pull requests say, as the store counts them
// (bots left out).
type MergeStats struct {
	Merges, Authors         int // this week
	PrevMerges, PrevAuthors int // the week before
	// Newcomers are the authors whose first merged PR is recent, with how far
	// they got towards their 10th.
	Newcomers []Newcomer
	// Since is when merges began to be recorded (the earliest stored); zero when none is.
	Since time.Time
	// NewcomersFrom is the earliest first merge that counts as a newcomer's.
	NewcomersFrom time.Time
}

// Newcomer is an engineer whose first merged PR is recent.
type Newcomer struct {
	Login  string
	First  time.Time // first merged PR
	Tenth  time.Time // 10th merged PR; zero while they have fewer
	Merged int       // merged PRs so far, counted up to 10
}

// DaysToTenth is the time from the first to the 10th merged PR, in days.
func (n Newcomer) DaysToTenth() (float64, bool) {
	if n.Tenth.IsZero() {
		return 0, false
	}
	return n.Tenth.Sub(n.First).Hours() / 24, true
}

// Digest is one ISO week's adoption report.
type Digest struct {
	Week        Week
	Zone        string    // the time zone's name
	From, To    time.Time // the week is [From, To) in Zone
	Partial     bool      // the week is not over yet
	GeneratedAt time.Time
	// Scope is empty for the full digest; for an owner's digest it names the
	// owner, and only their plugins are in it.
	Scope string
	// URL is where the digest can be read in a browser; set by the service.
	URL string
	// MissingURLs list, in the web view, the repositories with no catalog
	// file: those with CODEOWNERS only, and those with neither. Set by the
	// service with the base URL.
	MissingURLs *MissingURLs

	Total   Totals
	Plugins []PluginUsage
	Trend   []Week // the weeks of each plugin's Trend, oldest first

	Coverage      CoverageReport
	NewEntities   []string
	Scaffolded    []Scaffolded
	ChecksFailing []string // repositories whose latest check this week failed
	ChecksFixed   []string // repositories whose check went from failing to passing
	Unanswered    []Question
	KPIs          KPIs
	Adoption      *Adoption         // the adoption KPIs (kpi_digest.go); nil when not computed
	Onboarding    *OnboardingReport // nil while ONBOARDING is off
}

// MissingURLs are the web view's lists of repositories with no catalog file.
type MissingURLs struct {
	CodeownersOnly, Neither string
}

// Totals sums every plugin's usage.
type Totals struct {
	Events, Users, Prev int
	Change              Change
}

// PluginUsage is one plugin's week.
type PluginUsage struct {
	ID         string
	Own        bool   // one of callboard's features
	Owner      *Owner // from the catalog; nil when no entity claims the plugin
	Events     int
	Users      int
	Prev       int // events the week before
	Change     Change
	Trend      []int // events per week, oldest first, this week last
	TopActions []Count
	Actions    int // distinct actions

	actors map[string]bool
}

// Count is how often something happened.
type Count struct {
	Name  string
	Count int
}

// Scaffolded is a service created from a template.
type Scaffolded struct {
	What  string // the entity ref or repository created, or what the event said
	Actor string
}

// Question is something /owner was asked and could not answer.
type Question struct {
	Text   string
	Count  int // times asked
	Askers int // distinct people
}

// CoverageReport is the catalog's coverage now, against the last snapshot.
type CoverageReport struct {
	Repositories int
	Entities     int
	Invalid      int // repositories whose catalog file does not validate
	Rows         []CoverageRow
	// Since is the week of the snapshot the changes are measured from; nil
	// when there is no earlier snapshot.
	Since           *Week
	RepositoryDelta int
	EntityDelta     int
}

// CoverageRow is one measure of coverage.
type CoverageRow struct {
	Label    string
	Part     int
	Pct      float64
	Delta    float64 // percentage points since the snapshot
	HasDelta bool
}

// KPIs are the measures the merged pull requests support.
type KPIs struct {
	Merges, Authors int
	WorkDays        int     // working days (Monday to Friday) of the week counted
	PerDevPerDay    float64 // merges per active developer per working day
	Prev            float64 // the same, the week before
	HasPrev         bool
	Newcomers       []Newcomer // at most maxNewcomers, earliest first merge first
	MoreNewcomers   int
	Reached         int     // newcomers who reached their 10th merged PR
	MedianDays      float64 // median days from first to 10th merged PR, of those who reached it
	Since           time.Time
	NewcomersFrom   time.Time
}

// Change is this week against the previous one.
type Change struct {
	Pct  float64 // rounded to a whole number
	New  bool    // nothing the week before, something now
	None bool    // nothing either week
}

// ChangeOf compares cur with prev without ever dividing by zero.
func ChangeOf(cur, prev int) Change {
	switch {
	case prev == 0 && cur == 0:
		return Change{None: true}
	case prev == 0:
		return Change{New: true}
	}
	return Change{Pct: math.Round(100 * float64(cur-prev) / float64(prev))}
}

// String reads "+25%", "−10%", "±0%", "new" or "–".
func (c Change) String() string {
	switch {
	case c.None:
		return "–"
	case c.New:
		return "new"
	case c.Pct > 0:
		return fmt.Sprintf("+%.0f%%", c.Pct)
	case c.Pct < 0:
		return fmt.Sprintf("−%.0f%%", -c.Pct)
	}
	return "±0%"
}
