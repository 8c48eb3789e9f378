package digest

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
)

func TestMergeStats(t *testing.T) {
	st := openStore(t, "")
	rs := NewStore(st.db)
	ctx := t.Context()
	day := func(s string) time.Time { return utc(s + "T12:00:00Z") }
	n := 0
	merge := func(author string, at time.Time) {
		t.Helper()
		n++
		if err := rs.RecordMerge(ctx, "acme/payments-api", n, author, at); err != nil {
			t.Fatal(err)
		}
	}
	// Merges have been recorded since 1 June: veteran's first is in the
	// warm-up and may not be their first ever.
	merge("veteran", day("2026-06-01"))
	for i := range 12 {
		merge("grace", day("2026-09-01").AddDate(0, 0, 2*i)) // 10th on 19 September: 18 days
	}
	for i := range 4 {
		merge("heidi", day("2026-11-02").AddDate(0, 0, i))
	}
	merge("Heidi", day("2026-11-17")) // logins are case-insensitive
	merge("dependabot[bot]", day("2026-11-17"))
	merge("dependabot[bot]", day("2026-11-18"))
	merge("veteran", day("2026-11-18"))
	merge("grace", day("2026-11-19"))
	merge("old-timer", day("2026-05-01").AddDate(0, 0, 200)) // first merge 17 Nov, well after the warm-up

	// A redelivered event changes nothing.
	if err := rs.RecordMerge(ctx, "ACME/payments-api", 3, "someone-else", day("2026-11-18")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		repo   string
		number int
		author string
		at     time.Time
	}{{"payments-api", 1, "a", day("2026-11-18")}, {"acme/x", 0, "a", day("2026-11-18")}, {"acme/x", 1, "", day("2026-11-18")}, {"acme/x", 1, "a", time.Time{}}} {
		if err := rs.RecordMerge(ctx, bad.repo, bad.number, bad.author, bad.at); err == nil {
			t.Errorf("RecordMerge(%q, %d, %q, %v) accepted", bad.repo, bad.number, bad.author, bad.at)
		}
	}

	w := Week{2026, 47} // 16 to 22 November, UTC
	m, err := rs.MergeStats(ctx, w.Start(time.UTC), w.End(time.UTC), DefaultMergeWindow)
	if err != nil {
		t.Fatal(err)
	}
	// This week: Heidi, veteran, grace, old-timer (bots left out).
	if m.Merges != 4 || m.Authors != 4 {
		t.Errorf("this week %d merges by %d authors, want 4 by 4", m.Merges, m.Authors)
	}
	if m.PrevMerges != 0 || m.PrevAuthors != 0 {
		t.Errorf("last week %d merges by %d authors, want none", m.PrevMerges, m.PrevAuthors)
	}
	if !m.Since.Equal(day("2026-06-01")) {
		t.Errorf("since %s, want 1 June", m.Since)
	}
	// 90 days before 23 November is 25 August; the warm-up ended on 29 June.
	if want := utc("2026-08-25T00:00:00Z"); !m.NewcomersFrom.Equal(want) {
		t.Errorf("newcomers from %s, want %s", m.NewcomersFrom, want)
	}
	var got []string
	for _, nc := range m.Newcomers {
		d, ok := nc.DaysToTenth()
		got = append(got, fmt.Sprintf("%s %d %v %.0f", nc.Login, nc.Merged, ok, d))
	}
	want := []string{"grace 10 true 18", "heidi 5 false 0", "old-timer 1 false 0"}
	if !slices.Equal(got, want) {
		t.Errorf("newcomers %q, want %q", got, want)
	}

	// Before the warm-up is over nobody counts as a newcomer.
	early := Week{2026, 24}
	m, err = rs.MergeStats(ctx, early.Start(time.UTC), early.End(time.UTC), DefaultMergeWindow)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Newcomers) != 0 {
		t.Errorf("newcomers during the warm-up: %+v", m.Newcomers)
	}
}

func TestClaims(t *testing.T) {
	st := openStore(t, "")
	rs := NewStore(st.db)
	c := &clock{t: utc("2026-11-23T08:00:00Z")}
	rs.Now = c.Now
	ctx := t.Context()
	w := Week{2026, 47}
	claim := func(want bool, why string) {
		t.Helper()
		ok, err := rs.Claim(ctx, w, ChannelEmail, "a@acme.example", 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok != want {
			t.Errorf("%s: claimed %v, want %v", why, ok, want)
		}
	}
	claim(true, "first claim")
	claim(false, "while another holds it")
	c.Set(c.Now().Add(31 * time.Minute))
	claim(true, "a claim gone stale")
	if err := rs.MarkFailed(ctx, w, ChannelEmail, "a@acme.example", fmt.Errorf("connection refused")); err != nil {
		t.Fatal(err)
	}
	claim(true, "after a failure")
	if err := rs.MarkSent(ctx, w, ChannelEmail, "a@acme.example"); err != nil {
		t.Fatal(err)
	}
	c.Set(c.Now().Add(24 * time.Hour))
	claim(false, "once sent, ever")
	ok, err := rs.Claim(ctx, w.Add(1), ChannelEmail, "a@acme.example", 30*time.Minute)
	if err != nil || !ok {
		t.Errorf("next week's claim: %v, %v", ok, err)
	}
	recs, err := rs.Sends(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].State != StateSent || recs[0].Attempts != 3 || recs[0].LastError != "" {
		t.Errorf("records %+v, want one sent after 3 attempts", recs)
	}
}

func TestSnapshots(t *testing.T) {
	st := openStore(t, "")
	rs := NewStore(st.db)
	ctx := t.Context()
	if s, err := rs.SnapshotBefore(ctx, Week{2026, 47}); err != nil || s != nil {
		t.Fatalf("SnapshotBefore on an empty table: %v, %v", s, err)
	}
	for _, s := range []Snapshot{
		{Week: Week{2025, 52}, TakenAt: utc("2025-12-29T08:00:00Z"), Coverage: catalog.Coverage{Repositories: 1}},
		{Week: Week{2026, 9}, TakenAt: utc("2026-03-02T08:00:00Z"), Coverage: catalog.Coverage{Repositories: 9}},
		{Week: Week{2026, 10}, TakenAt: utc("2026-03-09T08:00:00Z"), Coverage: catalog.Coverage{Repositories: 10}},
		{Week: Week{2026, 10}, TakenAt: utc("2026-03-09T09:00:00Z"), Coverage: catalog.Coverage{Repositories: 11, Owned: 3}}, // the latest wins
	} {
		if err := rs.SaveSnapshot(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		before Week
		want   string
	}{
		{Week{2026, 11}, "2026-W10 11"},
		{Week{2026, 10}, "2026-W09 9"},
		{Week{2026, 1}, "2025-W52 1"},
		{Week{2025, 52}, "none"},
	}
	for _, tc := range tests {
		s, err := rs.SnapshotBefore(ctx, tc.before)
		if err != nil {
			t.Fatal(err)
		}
		got := "none"
		if s != nil {
			got = fmt.Sprintf("%s %d", s.Week, s.Coverage.Repositories)
		}
		if got != tc.want {
			t.Errorf("SnapshotBefore(%s) = %s, want %s", tc.before, got, tc.want)
		}
	}
}

// TestCoverageSinceLastWeek renders two weeks in turn: the second says what
// changed since the first.
func TestCoverageSinceLastWeek(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	ctx := t.Context()
	d, err := svc.Digest(ctx, Week{2026, 47})
	if err != nil {
		t.Fatal(err)
	}
	if d.Coverage.Since != nil {
		t.Errorf("the first digest compares with %s", d.Coverage.Since)
	}
	// A week on, a repository more, without a catalog file.
	f.clock.Set(f.clock.Now().AddDate(0, 0, 7))
	if err := f.st.PutRepository(ctx, &catalog.Repository{FullName: "acme/new-thing"}); err != nil {
		t.Fatal(err)
	}
	d, err = svc.Digest(ctx, Week{2026, 48})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Coverage
	if c.Since == nil || *c.Since != (Week{2026, 47}) || c.RepositoryDelta != 1 {
		t.Fatalf("coverage %+v, want changes since 2026-W47 with one repository more", c)
	}
	// 4 of 5 (80%) registered, now 4 of 6 (66.7%).
	if r := c.Rows[0]; !r.HasDelta || math.Abs(r.Delta-(-13.3)) > 0.001 {
		t.Errorf("valid catalog file %+v, want −13.3 pts", r)
	}
}
