package digest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Week is an ISO 8601 week: Monday to Sunday, week 1 being the week with the
// year's first Thursday. Where it starts and ends depends on the time zone.
type Week struct {
	Year int
	Num  int // 1 to 52 or 53
}

// WeekOf returns the ISO week that t falls in, on the wall clock of loc.
func WeekOf(t time.Time, loc *time.Location) Week {
	y, w := t.In(loc).ISOWeek()
	return Week{Year: y, Num: w}
}

// ParseWeek reads "2026-W47" (also "2026W47" and lower case).
func ParseWeek(s string) (Week, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	y, n, ok := strings.Cut(u, "W")
	y = strings.TrimSuffix(y, "-")
	year, err1 := strconv.Atoi(y)
	num, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || len(n) != 2 {
		return Week{}, fmt.Errorf("week %q: want an ISO week such as 2026-W47", s)
	}
	w := Week{Year: year, Num: num}
	if num < 1 || num > WeeksIn(year) {
		return Week{}, fmt.Errorf("week %q: %d has weeks 1 to %d", s, year, WeeksIn(year))
	}
	return w, nil
}

// WeeksIn returns how many ISO weeks year has (52 or 53).
func WeeksIn(year int) int {
	_, w := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// String returns the week as "2026-W47".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Start returns Monday 00:00 of the week in loc.
func (w Week) Start(loc *time.Location) time.Time {
	// 4 January is always in week 1.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w.Num-1))
}

// End returns the start of the next week: the week is [Start, End).
func (w Week) End(loc *time.Location) time.Time { return w.Add(1).Start(loc) }

// Add returns the week n weeks later (earlier when n < 0).
func (w Week) Add(n int) Week {
	// Noon UTC on the week's Thursday never crosses a year boundary by accident.
	thu := w.Start(time.UTC).AddDate(0, 0, 3+7*n).Add(12 * time.Hour)
	return WeekOf(thu, time.UTC)
}

// Before reports whether w comes before o.
func (w Week) Before(o Week) bool {
	return w.Year < o.Year || (w.Year == o.Year && w.Num < o.Num)
}
