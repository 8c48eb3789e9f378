package queue

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	outcomes   *prometheus.CounterVec   // processed, by event and final state
	processing *prometheus.HistogramVec // seconds from claim to outcome
	queueDepth prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callboard_github_deliveries_processed_total", Help: "Webhook deliveries processed, by event and state (done, ignored, pending = retry, failed).",
		}, []string{"event", "state"}),
		processing: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "callboard_github_delivery_processing_seconds", Help: "Time to process one delivery.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"event"}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "callboard_github_queue_depth", Help: "Deliveries stored and not yet finished.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.outcomes, m.processing, m.queueDepth)
	}
	return m
}
