package humanize

import (
	"testing"
	"time"
)

func TestInt(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {12345, "12,345"}, {1234567, "1,234,567"}, {-1, "-1"}, {-1234, "-1,234"}, {-123456, "-123,456"}} {
		if got := Int(c.n); got != c.want {
			t.Errorf("Int(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 entities"}, {1, "1 entity"}, {2, "2 entities"}, {1500, "1,500 entities"}} {
		if got := Plural(c.n, "entity", "entities"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		before time.Duration
		want   string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{59 * time.Minute, "59 minutes ago"},
		{time.Hour, "1 hour ago"},
		{47 * time.Hour, "47 hours ago"},
		{48 * time.Hour, "2 days ago"},
		{1200 * 24 * time.Hour, "1,200 days ago"},
	} {
		if got := Ago(now, now.Add(-c.before)); got != c.want {
			t.Errorf("Ago(%s before) = %q, want %q", c.before, got, c.want)
		}
	}
	if got := Ago(now, time.Time{}); got != "never" {
		t.Errorf("Ago(zero) = %q, want never", got)
	}
}
