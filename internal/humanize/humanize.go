// Package humanize writes numbers and durations the way callboard's pages,
// digests and Slack replies print them to people: 12,345; 3 entities; 5
// minutes ago.
package humanize

import (
	"strconv"
	"strings"
	"time"
)

// Int writes an integer with thousands separators: 12,345.
func Int(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Plural writes a count and the noun that fits it: "1 entity", "3 entities".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Int(n) + " " + many
}

// Ago writes how long before now t was: "never" (t is zero), "just now",
// "5 minutes ago", "3 hours ago" (under two days), "3 days ago".
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "never"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return Plural(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 48*time.Hour:
		return Plural(int(d/time.Hour), "hour", "hours") + " ago"
	}
	return Plural(int(d/(24*time.Hour)), "day", "days") + " ago"
}
