package store

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
)

func TestUsageCounts(t *testing.T) {
	st := openTest(t)
	ctx := t.Context()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := st.RecordUsage(ctx,
		catalog.UsageEvent{Plugin: "techdocs", Action: "navigate", Actor: "a", At: at("2026-11-16T00:00:00Z")},
		catalog.UsageEvent{Plugin: "techdocs", Action: "navigate", Actor: "b", At: at("2026-11-20T12:00:00Z")},
		catalog.UsageEvent{Plugin: "slack.owner", Action: "owner", Actor: "a", At: at("2026-11-22T23:59:59Z")},
		catalog.UsageEvent{Plugin: "slack.owner", Action: "owner", Actor: "a", At: at("2026-11-23T00:00:00Z")}, // next week
	); err != nil {
		t.Fatal(err)
	}
	got, err := st.UsageCounts(ctx, at("2026-11-16T00:00:00Z"), at("2026-11-23T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"techdocs": 2, "slack.owner": 1}; !maps.Equal(got, want) {
		t.Errorf("counts %v, want %v", got, want)
	}
}

func TestEntitiesCreatedBetween(t *testing.T) {
	st := openTest(t) // the clock stands at 2026-11-16 09:00 UTC
	ctx := t.Context()
	if _, err := st.ReplaceSource(ctx, "file:a.yaml", parse(t, "a.yaml", fileV1), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	all, err := st.EntitiesCreatedBetween(ctx, time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := st.Count(ctx)
	if len(all) == 0 || len(all) != n || !slices.IsSorted(all) {
		t.Errorf("new this week %v, want all %d entities, sorted", all, n)
	}
	none, err := st.EntitiesCreatedBetween(ctx, time.Date(2026, 11, 16, 9, 0, 0, 1e6, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	if err != nil || len(none) != 0 {
		t.Errorf("created after the clock: %v, %v; want none", none, err)
	}
}
