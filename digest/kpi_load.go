package digest

import (
	"context"
	"fmt"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest/kpi"
)

// KPISources are where the KPIs' facts are read from. Records and Catalog
// are required; a source left nil contributes nothing (its KPIs say "not
// enough data").
type KPISources struct {
	Records *Store
	Catalog KPICatalog
	Usage   interface {
		UsageActorDays(ctx context.Context, from, to time.Time) ([]catalog.UsageEvent, error)
	}
	// Scaffolds reads the scaffold requests received since a time (the
	// scaffolder's store, adapted where both are wired).
	Scaffolds func(ctx context.Context, since time.Time) ([]kpi.Scaffold, error)
	Pulse     interface {
		PulseRounds(ctx context.Context, since time.Time) ([]kpi.PulseRound, error)
	}
	// Production are the environment patterns that count as production
	// (KPI_PRODUCTION_ENVIRONMENTS); DefaultProductionEnvironments when nil.
	Production []string
	// PlatformTeam is the group that builds the platform (KPI_PLATFORM_TEAM).
	PlatformTeam string
}

// kpiLookback is how far before the oldest week of a trend facts are read:
// the longest window a KPI looks back (newcomers and T-shapedness, 90
// days), with a week to spare.
const kpiLookback = 97 * 24 * time.Hour

// ComputeKPIs computes every KPI for the kpi.TrendWeeks weeks that end at weekEnd.
func ComputeKPIs(ctx context.Context, src KPISources, weekEnd time.Time) ([]kpi.Series, error) {
	if src.Records == nil || src.Catalog == nil {
		return nil, fmt.Errorf("computing KPIs: no records or catalog")
	}
	oldest := weekEnd.AddDate(0, 0, -7*kpi.TrendWeeks)
	since := oldest.Add(-kpiLookback)
	prod := src.Production
	if prod == nil {
		prod = DefaultProductionEnvironments
	}
	f := &kpi.Facts{PlatformTeam: src.PlatformTeam}
	// Merges and deployments of the windows the weeks look back over; of
	// older merges, each person's first.
	if err := src.Records.LoadKPIFacts(ctx, f, since, prod); err != nil {
		return nil, fmt.Errorf("computing KPIs: %w", err)
	}
	if err := LoadCatalogKPIFacts(ctx, src.Catalog, f); err != nil {
		return nil, fmt.Errorf("computing KPIs: %w", err)
	}
	if src.Usage != nil {
		us, err := src.Usage.UsageActorDays(ctx, oldest.Add(-kpi.MAUWindow), weekEnd)
		if err != nil {
			return nil, fmt.Errorf("computing KPIs: %w", err)
		}
		for _, u := range us {
			f.Usage = append(f.Usage, kpi.Use{Plugin: u.Plugin, Actor: u.Actor, At: u.At})
		}
	}
	if src.Scaffolds != nil {
		rs, err := src.Scaffolds(ctx, since)
		if err != nil {
			return nil, fmt.Errorf("computing KPIs: %w", err)
		}
		f.Scaffolds = rs
	}
	if src.Pulse != nil {
		rs, err := src.Pulse.PulseRounds(ctx, since)
		if err != nil {
			return nil, fmt.Errorf("computing KPIs: %w", err)
		}
		f.Pulse = rs
	}
	return kpi.Compute(f, weekEnd), nil
}
