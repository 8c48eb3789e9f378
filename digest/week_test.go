package digest

import (
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading time zone %s: %v", name, err)
	}
	return loc
}

func TestWeekOfAcrossTimeZones(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	newYork := mustLoad(t, "America/New_York")
	tokyo := mustLoad(t, "Asia/Tokyo")
	tests := []struct {
		name string
		at   string // UTC
		loc  *time.Location
		want string
	}{
		{"Sunday 23:30 UTC is still Sunday in UTC", "2026-11-22T23:30:00Z", time.UTC, "2026-W47"},
		{"Sunday 23:30 UTC is Monday 00:30 in Berlin", "2026-11-22T23:30:00Z", berlin, "2026-W48"},
		{"Monday 03:00 UTC is Sunday evening in New York", "2026-11-23T03:00:00Z", newYork, "2026-W47"},
		{"Sunday 15:00 UTC is Monday in Tokyo", "2026-11-22T15:00:00Z", tokyo, "2026-W48"},
		{"Monday 00:00 exactly starts the week", "2026-11-23T00:00:00Z", time.UTC, "2026-W48"},
		{"one nanosecond before Monday is last week", "2026-11-22T23:59:59.999999999Z", time.UTC, "2026-W47"},
		{"1 January 2021 belongs to 2020's week 53", "2021-01-01T12:00:00Z", time.UTC, "2020-W53"},
		{"31 December 2024 belongs to 2025's week 1", "2024-12-31T12:00:00Z", time.UTC, "2025-W01"},
		{"New Year's Eve 23:30 UTC is 2027 in Berlin, still week 53", "2026-12-31T23:30:00Z", berlin, "2026-W53"},
		{"3 January 2027 is the last day of 2026-W53", "2027-01-03T12:00:00Z", time.UTC, "2026-W53"},
		{"4 January 2027 starts 2027-W01", "2027-01-04T00:00:00Z", time.UTC, "2027-W01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339Nano, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			got := WeekOf(at, tc.loc)
			if got.String() != tc.want {
				t.Errorf("WeekOf(%s, %s) = %s, want %s", tc.at, tc.loc, got, tc.want)
			}
			// The week's bounds hold the instant.
			if s, e := got.Start(tc.loc), got.End(tc.loc); at.Before(s) || !at.Before(e) {
				t.Errorf("%s is outside its week [%s, %s)", tc.at, s, e)
			}
		})
	}
}

func TestWeekBounds(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	tests := []struct {
		week      string
		loc       *time.Location
		start     string
		hoursLong float64
	}{
		{"2026-W47", time.UTC, "2026-11-16T00:00:00Z", 168},
		{"2026-W47", berlin, "2026-11-15T23:00:00Z", 168},
		{"2026-W53", time.UTC, "2026-12-28T00:00:00Z", 168},
		{"2027-W01", time.UTC, "2027-01-04T00:00:00Z", 168},
		{"2020-W53", time.UTC, "2020-12-28T00:00:00Z", 168},
		{"2026-W01", time.UTC, "2025-12-29T00:00:00Z", 168},
		// Clocks go forward on 29 March 2026 and back on 25 October 2026 in Berlin.
		{"2026-W13", berlin, "2026-03-22T23:00:00Z", 167},
		{"2026-W43", berlin, "2026-10-18T22:00:00Z", 169},
	}
	for _, tc := range tests {
		t.Run(tc.week+" "+tc.loc.String(), func(t *testing.T) {
			w, err := ParseWeek(tc.week)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Start(tc.loc).UTC().Format(time.RFC3339); got != tc.start {
				t.Errorf("start %s, want %s", got, tc.start)
			}
			if got := w.End(tc.loc).Sub(w.Start(tc.loc)).Hours(); got != tc.hoursLong {
				t.Errorf("%v hours long, want %v", got, tc.hoursLong)
			}
			if wd := w.Start(tc.loc).Weekday(); wd != time.Monday {
				t.Errorf("starts on %s", wd)
			}
		})
	}
}

func TestWeekArithmetic(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-W53", 1, "2027-W01"},
		{"2027-W01", -1, "2026-W53"},
		{"2025-W01", -1, "2024-W52"},
		{"2026-W47", -7, "2026-W40"},
		{"2026-W02", -8, "2025-W46"},
	}
	for _, tc := range tests {
		w, err := ParseWeek(tc.from)
		if err != nil {
			t.Fatal(err)
		}
		if got := w.Add(tc.n).String(); got != tc.want {
			t.Errorf("%s + %d = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestParseWeek(t *testing.T) {
	for _, ok := range []string{"2026-W47", "2026w47", " 2026-W01 ", "2026-W53", "2020-W53"} {
		if _, err := ParseWeek(ok); err != nil {
			t.Errorf("ParseWeek(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "2026-47", "2026-W7", "2026-W00", "2025-W53", "26-W47", "2026-W47x", "W47"} {
		if w, err := ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) = %s, want an error", bad, w)
		}
	}
	if WeeksIn(2026) != 53 || WeeksIn(2025) != 52 || WeeksIn(2020) != 53 {
		t.Errorf("WeeksIn: 2026 %d, 2025 %d, 2020 %d; want 53, 52, 53", WeeksIn(2026), WeeksIn(2025), WeeksIn(2020))
	}
}
