package digest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/internal/humanize"
)

// phrases are this file's helpers as every digest template calls them.
var phrases = map[string]any{
	"num":       num,
	"pct":       pct,
	"points":    points,
	"signed":    signed,
	"decimal":   decimal,
	"day":       day,
	"plural":    plural,
	"sparkline": sparkline,
	"actions":   actionsLine,
	"owner":     ownerLine,
	"rate":      rateLine,
	"tenth":     tenthLine,
	"joined":    list,
	"trunc":     truncate,
	"newcomer":  newcomerLine,
}

// num writes an integer with thousands separators: 12,345.
func num(n int) string { return humanize.Int(n) }

// plural returns "1 event", "2 events".
func plural(n int, one, many string) string { return humanize.Plural(n, one, many) }

// pct writes a percentage with one decimal where it matters: 78.6%, 100%.
func pct(f float64) string {
	r := math.Round(f*10) / 10
	if r == math.Trunc(r) {
		return fmt.Sprintf("%.0f%%", r)
	}
	return fmt.Sprintf("%.1f%%", r)
}

// points writes a change in percentage points: +2.4 pts, −1 pt, ±0 pts.
func points(f float64) string {
	r := math.Round(f*10) / 10
	s := strconv.FormatFloat(math.Abs(r), 'f', -1, 64)
	unit := " pts"
	if math.Abs(r) == 1 {
		unit = " pt"
	}
	switch {
	case r > 0:
		return "+" + s + unit
	case r < 0:
		return "−" + s + unit
	}
	return "±0 pts"
}

// signed writes a count change: +3, −2, ±0.
func signed(n int) string {
	switch {
	case n > 0:
		return "+" + num(n)
	case n < 0:
		return "−" + num(-n)
	}
	return "±0"
}

// decimal writes a rate with two decimals.
func decimal(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// days writes a duration in days with at most one decimal.
func days(f float64) string {
	r := math.Round(f*10) / 10
	if r == 1 {
		return "1 day"
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + " days"
}

// dateRange writes the week's days: "Mon 16 Nov – Sun 22 Nov 2026".
func dateRange(from, to time.Time) string {
	last := to.AddDate(0, 0, -1)
	if from.Year() != last.Year() {
		return from.Format("Mon 2 Jan 2006") + " – " + last.Format("Mon 2 Jan 2006")
	}
	return from.Format("Mon 2 Jan") + " – " + last.Format("Mon 2 Jan 2006")
}

func day(t time.Time) string { return t.Format("2 Jan 2006") }

var sparks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws counts as block characters scaled to the largest; a zero is a dot.
func sparkline(counts []int) string {
	hi := 0
	for _, c := range counts {
		hi = max(hi, c)
	}
	var b strings.Builder
	for _, c := range counts {
		if c == 0 || hi == 0 {
			b.WriteRune('·')
			continue
		}
		i := int(math.Ceil(float64(c)*float64(len(sparks))/float64(hi))) - 1
		b.WriteRune(sparks[min(max(i, 0), len(sparks)-1)])
	}
	return b.String()
}

// truncate shortens s to at most n runes, ending in "…" when it cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// subject is the email's subject line.
func subject(d *Digest) string {
	who := "callboard weekly digest"
	if d.Scope != "" {
		who = "callboard digest for " + d.Scope
	}
	if d.Total.Events == 0 {
		return fmt.Sprintf("%s, %s: no usage yet", who, d.Week)
	}
	s := fmt.Sprintf("%s, %s: %s by %s", who, d.Week, plural(d.Total.Events, "event", "events"), plural(d.Total.Users, "person", "people"))
	if !d.Total.Change.None && !d.Total.Change.New {
		s += " (" + d.Total.Change.String() + ")"
	}
	return s
}

// summary is the one-line account of the week's usage.
func summary(d *Digest) string {
	if d.Total.Events == 0 {
		if d.Total.Prev > 0 {
			return fmt.Sprintf("No usage yet this week (last week: %s).", plural(d.Total.Prev, "event", "events"))
		}
		return "No usage yet: no events were recorded this week."
	}
	s := fmt.Sprintf("%s by %s", plural(d.Total.Events, "event", "events"), plural(d.Total.Users, "person", "people"))
	switch {
	case d.Total.Change.New:
		s += ", the first recorded (none last week)"
	case d.Partial:
		s += fmt.Sprintf(" so far; last week had %s", num(d.Total.Prev))
	default:
		s += fmt.Sprintf(", %s on last week (%s)", d.Total.Change, num(d.Total.Prev))
	}
	return s + "."
}

// ownerLine says who a plugin reports to.
func ownerLine(p PluginUsage) string {
	switch {
	case p.Own:
		return "callboard feature"
	case p.Owner == nil:
		return "no owner: annotate its entity with " + AnnotationPluginID
	case p.Owner.Email == "":
		return "owned by " + p.Owner.Name + " (no email on record)"
	}
	return "owned by " + p.Owner.Name
}

func actionsLine(p PluginUsage) string {
	if len(p.TopActions) == 0 {
		return ""
	}
	parts := make([]string, len(p.TopActions))
	for i, a := range p.TopActions {
		parts[i] = a.Name + " " + num(a.Count)
	}
	s := "top actions: " + strings.Join(parts, " · ")
	if more := p.Actions - len(p.TopActions); more > 0 {
		s += fmt.Sprintf(" · %s more", plural(more, "action", "actions"))
	}
	return s
}

// list joins up to maxListed names, saying how many more there are.
func list(names []string) string {
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:maxListed], ", ") + fmt.Sprintf(" and %s more", num(len(names)-maxListed))
}

func newcomerLine(n Newcomer) string {
	if d, ok := n.DaysToTenth(); ok {
		return "10 merged PRs in " + days(d)
	}
	return fmt.Sprintf("%d of 10 so far", n.Merged)
}

func rateLine(k KPIs) string {
	if k.Authors == 0 {
		return "no merged pull requests recorded this week"
	}
	s := fmt.Sprintf("%s merges per active developer per working day (%s by %s over %s)",
		decimal(k.PerDevPerDay), plural(k.Merges, "merge", "merges"), plural(k.Authors, "developer", "developers"), plural(k.WorkDays, "day", "days"))
	if k.HasPrev {
		s += "; last week " + decimal(k.Prev)
	}
	return s
}

func tenthLine(k KPIs) string {
	if len(k.Newcomers) == 0 {
		if k.Since.IsZero() {
			return "no merged pull requests recorded yet"
		}
		return "no engineer's first merged PR falls in the window yet"
	}
	n := len(k.Newcomers) + k.MoreNewcomers
	if k.Reached == 0 {
		return fmt.Sprintf("none of %s has reached a 10th merged PR yet", plural(n, "newcomer", "newcomers"))
	}
	return fmt.Sprintf("median %s after their first (%d of %s reached it)", days(k.MedianDays), k.Reached, plural(n, "newcomer", "newcomers"))
}
