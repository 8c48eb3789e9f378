package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/callboard/callboard/bot"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/digest"
	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/digest/pulse"
	"github.com/callboard/callboard/scaffold"
	"github.com/callboard/callboard/sqlite"
	"github.com/gorilla/mux"
	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"
)

// kpiConfig is the configuration of the adoption KPIs and the DX pulse.
type kpiConfig struct {
	// KPIProductionEnvironments are the deployment environment patterns
	// that count as production (KPI_PRODUCTION_ENVIRONMENTS, globs).
	KPIProductionEnvironments []string
	// KPIPlatformTeam is the group that builds the platform
	// (KPI_PLATFORM_TEAM), for "contributions from outside the platform team".
	KPIPlatformTeam string
	// PulseSchedule is the cron spec of the DX pulse survey (PULSE_SCHEDULE); "" is off.
	PulseSchedule string
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
	k.PulseSchedule = strings.TrimSpace(getenv("PULSE_SCHEDULE"))
	if k.PulseSchedule != "" {
		if _, err := cron.ParseStandard(k.PulseSchedule); err != nil {
			errs = append(errs, fmt.Sprintf("PULSE_SCHEDULE %q: %v; want a cron spec such as %q (quarterly: 10:00 on the 1st of January, April, July and October)", k.PulseSchedule, err, "0 10 1 1,4,7,10 *"))
		}
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
		Pulse:        pulse.NewStore(db),
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

// pulseOn reports whether the DX pulse survey runs: PULSE_SCHEDULE set, and
// a Slack bot token and channel to ask in.
func pulseOn(cfg config) bool {
	return cfg.PulseSchedule != "" && cfg.SlackBotToken != "" && cfg.DigestSlackChannel != ""
}

func pulseFeature(cfg config) feature {
	f := feature{name: "dx-pulse", on: pulseOn(cfg)}
	if !f.on {
		f.why = "set PULSE_SCHEDULE (cron), SLACK_BOT_TOKEN and DIGEST_SLACK_CHANNEL: the survey is asked in that channel"
	}
	return f
}

// pulseSurvey takes the survey's answers from Slack's interactions; nil
// while the survey is off.
func pulseSurvey(cfg config, db *sqlite.DB, logger *slog.Logger) bot.Pulse {
	if !pulseOn(cfg) {
		return nil
	}
	return &pulse.Survey{Store: pulse.NewStore(db), Logger: logger.With("component", "pulse")}
}

// startPulse asks a round at each time of PULSE_SCHEDULE (in
// DIGEST_TIMEZONE) in DIGEST_SLACK_CHANNEL; the returned stop drains it.
func startPulse(cfg config, db *sqlite.DB, logger *slog.Logger) (func(context.Context), error) {
	if !pulseOn(cfg) {
		return func(context.Context) {}, nil
	}
	loc, err := time.LoadLocation(cfg.DigestTimezone)
	if err != nil {
		return nil, fmt.Errorf("DIGEST_TIMEZONE %q: %v", cfg.DigestTimezone, err)
	}
	var opts []slack.Option
	if cfg.SlackAPIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.SlackAPIURL))
	}
	api := slack.New(cfg.SlackBotToken, opts...)
	log := logger.With("component", "pulse")
	survey := &pulse.Survey{Store: pulse.NewStore(db), Logger: log}
	s, err := pulse.StartSchedule(cfg.PulseSchedule, loc, log, func(ctx context.Context) error {
		round, err := survey.Ask(ctx, api, cfg.DigestSlackChannel, time.Now())
		if err == nil {
			log.Info("pulse round asked", "round", round, "channel", cfg.DigestSlackChannel)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Stop, nil
}
