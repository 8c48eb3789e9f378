package githubapp

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// backfillMetrics are where each installation's latest backfill stands, as
// the progress line of callboard sync says it. They are read from the
// database when /metrics is scraped, so serve shows a backfill that
// callboard sync runs in another process too.
type backfillMetrics struct {
	store repoFactsStore
	now   func() time.Time
	log   *slog.Logger

	done, total, rate, points, calls, left, paused *prometheus.Desc
}

func newBackfillMetrics() *backfillMetrics {
	l := []string{"installation", "account"}
	return &backfillMetrics{
		done:   prometheus.NewDesc("callboard_github_backfill_repositories_done", "Repositories the latest backfill of the installation has stored.", l, nil),
		total:  prometheus.NewDesc("callboard_github_backfill_repositories_total", "Repositories the latest backfill of the installation reads.", l, nil),
		rate:   prometheus.NewDesc("callboard_github_backfill_repositories_per_second", "Repositories stored a second by the latest backfill.", l, nil),
		points: prometheus.NewDesc("callboard_github_backfill_graphql_points_left", "GraphQL points left in the hour, as the latest backfill last saw them (-1: not known).", l, nil),
		calls:  prometheus.NewDesc("callboard_github_backfill_rest_calls_left", "REST calls left in the hour, as the latest backfill last saw them (-1: not known).", l, nil),
		left:   prometheus.NewDesc("callboard_github_backfill_seconds_left", "Time the latest backfill needs to finish at its rate (0 when finished).", l, nil),
		paused: prometheus.NewDesc("callboard_github_backfill_paused", "1 while the backfill waits for a budget's reset to keep the reserve for webhook work.", l, nil),
	}
}

func (m *backfillMetrics) register(reg prometheus.Registerer) { reg.MustRegister(m) }

// Describe implements prometheus.Collector.
func (m *backfillMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.done, m.total, m.rate, m.points, m.calls, m.left, m.paused} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *backfillMetrics) Collect(ch chan<- prometheus.Metric) {
	if m.store.db == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ps, err := m.store.progress(ctx)
	if err != nil {
		m.log.Warn("reading backfill progress for /metrics", "err", err)
		return
	}
	for _, p := range ps {
		l := []string{strconv.FormatInt(p.Installation, 10), p.Account}
		paused := 0.0
		if !p.PausedUntil.IsZero() && m.now().Before(p.PausedUntil) {
			paused = 1
		}
		for d, v := range map[*prometheus.Desc]float64{
			m.done: float64(p.Done), m.total: float64(p.Total), m.rate: p.Rate, m.points: float64(p.PointsLeft),
			m.calls: float64(p.CallsLeft), m.left: p.Left.Seconds(), m.paused: paused,
		} {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
		}
	}
}

// set records progress (a failure is logged: progress is not worth failing a backfill).
func (m *backfillMetrics) set(p BackfillProgress) {
	if m == nil || m.store.db == nil {
		return
	}
	if err := m.store.putProgress(context.Background(), p, m.now()); err != nil {
		m.log.Warn("recording backfill progress", "installation", p.Installation, "err", err)
	}
}
