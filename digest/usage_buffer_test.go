package digest

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/testcatalog"
)

// gatedRecorder blocks every write until the test opens the gate.
type gatedRecorder struct {
	gate   chan struct{}
	events int
}

func (g *gatedRecorder) RecordUsage(ctx context.Context, events ...catalog.UsageEvent) error {
	<-g.gate
	g.events += len(events)
	return nil
}

// Events are written to the real store once they stop coming (and by
// Stop); an event recorded after Stop, or while the buffer is full, is
// dropped and counted instead of blocking the caller.
func TestUsageBufferDrainsAndNeverBlocks(t *testing.T) {
	st := testcatalog.Open(t)
	b := NewUsageBuffer(st, nil)
	b.Start()
	at := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	for i := range 1000 {
		b.Record(catalog.UsageEvent{Plugin: catalog.PluginCatalogAPI, Action: fmt.Sprintf("GET /entities/%d", i%3), Actor: "tool", At: at})
	}
	// Once events stop coming, they are written without waiting for Stop.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		evs, err := st.UsageBetween(context.Background(), at, at.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 1000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 1000 events written 5 s after the last one came", len(evs))
		}
	}
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.Record(catalog.UsageEvent{Plugin: catalog.PluginCatalogAPI, Action: "late", Actor: "tool", At: at})
	evs, err := st.UsageBetween(context.Background(), at, at.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1000 || b.Dropped() != 1 {
		t.Errorf("%d events stored, %d dropped; want 1000 stored and the late one dropped", len(evs), b.Dropped())
	}

	g := &gatedRecorder{gate: make(chan struct{})}
	b = NewUsageBuffer(g, slog.New(slog.DiscardHandler))
	b.Start()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range usageMaxHeld + 1000 {
			b.Record(catalog.UsageEvent{Plugin: "p", Action: "a", Actor: "x"})
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Record blocked while the database did not answer")
	}
	close(g.gate)
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if total := int64(g.events) + b.Dropped(); total != usageMaxHeld+1000 || b.Dropped() == 0 {
		t.Errorf("%d written and %d dropped of %d", g.events, b.Dropped(), usageMaxHeld+1000)
	}
}
