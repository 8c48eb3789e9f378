package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/scaffold"
	"github.com/callboard/callboard/sqlite"
	"github.com/gorilla/mux"
)

// kpiConfig is the configuration of the adoption KPIs and the DX pulse.
type kpiConfig struct {
	// KPIProductionEnvironments are the deployment environment patterns
	// that count as production (KPI_PRODUCTION_ENVIRONMENTS, globs).
	KPIProductionEnvironments []string
	// KPIPlatformTeam is the group that builds the platform
	// (KPI_PLATFORM_TEAM), for "contributions from outside the platform team".
	KPIPlatformTeam string
}

func (k *kpiConfig) load(getenv func(string) string) (errs []string) {
	k.KPIProductionEnvironments = digest.DefaultProductionEnvironments
	if v := strings.TrimSpace(getenv("KPI_PRODUCTION_ENVIRONMENTS")); v != "" {
		k.KPIProductionEnvironments = nil
		for _, p := range splitList(v) {
			if _, err := path.Match(p, ""); err != nil || strings.Contains(p, "/") {
				errs = append(errs, fmt.Sprintf("KPI_PRODUCTION_ENVIRONMENTS %q: want environment names or globs, comma-separated (production, prod-*)", p))
				continue
			}
			k.KPIProductionEnvironments = append(k.KPIProductionEnvironments, p)
		}
	}
	k.KPIPlatformTeam = strings.ToLower(strings.TrimSpace(getenv("KPI_PLATFORM_TEAM")))
	if strings.ContainsAny(k.KPIPlatformTeam, " ,*:") {
		errs = append(errs, fmt.Sprintf("KPI_PLATFORM_TEAM %q: want one group name (platform)", k.KPIPlatformTeam))
	}
	return errs
}

// kpiSources are where the KPIs read their facts in this install.
func kpiSources(cfg config, db *sqlite.DB, st *store.Store) digest.KPISources {
	requests := scaffold.NewStore(db, nil)
	return digest.KPISources{
		Records: digest.NewStore(db), Catalog: st, Usage: st,
		Scaffolds: func(ctx context.Context, since time.Time) ([]kpi.Scaffold, error) {
			rs, err := requests.RequestsSince(ctx, since)
			out := make([]kpi.Scaffold, 0, len(rs))
			for _, r := range rs {
				out = append(out, kpi.Scaffold{Author: r.Author, Target: r.Target, Requested: r.At})
			}
			return out, err
		},
		Production:   cfg.KPIProductionEnvironments,
		PlatformTeam: cfg.KPIPlatformTeam,
	}
}

// kpiSourcesFor is kpiSources for a digest.Config.
func kpiSourcesFor(cfg config, db *sqlite.DB, st *store.Store) *digest.KPISources {
	src := kpiSources(cfg, db, st)
	return &src
}

// registerKPIs mounts GET /api/kpis, behind CALLBOARD_API_TOKEN as every /api route.
func registerKPIs(r *mux.Router, cfg config, db *sqlite.DB, st *store.Store, logger *slog.Logger) error {
	loc, err := time.LoadLocation(cfg.DigestTimezone)
	if err != nil {
		return fmt.Errorf("DIGEST_TIMEZONE %q: %v", cfg.DigestTimezone, err)
	}
	r.Handle("/api/kpis", digest.KPIHandler(kpiSources(cfg, db, st), digest.KPIOptions{
		Token: cfg.APIToken, Location: loc, Logger: logger.With("component", "kpi"),
	})).Methods(http.MethodGet)
	return nil
}
