package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/testcatalog"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
)

func demoStore(t testing.TB) *store.Store { return testcatalog.Demo(t) }

func TestSearch(t *testing.T) {
	st := demoStore(t)
	tests := []struct {
		text string
		want []string // first results, in order
	}{
		{"payments", []string{"group:default/payments"}},
		{"payments api", []string{"component:default/payments-api"}},
		{"pay", []string{"group:default/payments"}},
		{"search grpc", []string{"api:default/search-api"}},
		{"issues refunds", []string{"component:default/payments-api"}},
		{`"; DROP TABLE entities; --`, nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			es, err := st.Search(context.Background(), tt.text, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Ref().String())
			}
			if len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want) {
				t.Errorf("got %v, want it to start with %v", got, tt.want)
			}
			if tt.want == nil && len(got) != 0 {
				t.Errorf("got %v, want nothing", got)
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	st := demoStore(t)
	c, err := st.Coverage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// 5 repositories; 4 have catalog files; all 5 have an owner (legacy-billing
	// through CODEOWNERS); payments-api and search-service declare TechDocs.
	want := catalog.Coverage{Repositories: 5, Registered: 4, Owned: 5, Documented: 2, Entities: 20}
	if c != want {
		t.Errorf("coverage %+v, want %+v", c, want)
	}
}

func TestUsageRoundTrip(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC)
	in := []catalog.UsageEvent{
		{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "U123", At: at, Outcome: catalog.OutcomeAnswered, Entity: "component:default/payments-api"},
		{Plugin: catalog.PluginSlackOwner, Action: "owner", Actor: "U456", At: at.Add(time.Hour), Outcome: catalog.OutcomeUnanswered, Detail: "paymnts"},
	}
	if err := st.RecordUsage(ctx, in...); err != nil {
		t.Fatal(err)
	}
	got, err := st.UsageBetween(ctx, at, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != in[0] {
		t.Errorf("got %+v, want only %+v ([from, to) excludes to)", got, in[0])
	}
}
