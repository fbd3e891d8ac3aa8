package illserver

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	apdus   *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		apdus: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bibgate_ill_apdus_total",
			Help: "ISO 10161 APDUs received over TCP by type and outcome (ok, error_report, malformed, version, failed, timeout, too_large)."},
			[]string{"apdu", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bibgate_ill_apdu_duration_seconds", Help: "ISO 10161 APDU handling time by type.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"apdu"}),
	}
	if reg == nil {
		return m
	}
	m.apdus = register(reg, m.apdus)
	m.latency = register(reg, m.latency)
	return m
}

// observe counts one APDU ("" when none could be framed).
func (m *metrics) observe(apdu, outcome string, start time.Time) {
	if apdu == "" || apdu == "APDU-0" {
		apdu = "unknown"
	}
	m.apdus.WithLabelValues(apdu, outcome).Inc()
	m.latency.WithLabelValues(apdu).Observe(time.Since(start).Seconds())
}

// register registers c, or returns the collector already registered under
// the same name (two servers sharing one registry).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}
