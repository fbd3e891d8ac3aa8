package z3950server

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	connsActive prometheus.Gauge
	connsTotal  prometheus.Counter
	rejected    prometheus.Counter
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		connsActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bibgate_z3950_connections_active", Help: "Z39.50 connections open now."}),
		connsTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bibgate_z3950_connections_total", Help: "Z39.50 connections accepted."}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bibgate_z3950_connections_rejected_total", Help: "Z39.50 connections closed at once because the connection limit was reached."}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bibgate_z3950_requests_total", Help: "Z39.50 requests by APDU type and outcome."}, []string{"pdu", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bibgate_z3950_request_duration_seconds", Help: "Z39.50 request handling time by APDU type.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"pdu"}),
	}
	if reg == nil {
		return m
	}
	m.connsActive = register(reg, m.connsActive)
	m.connsTotal = register(reg, m.connsTotal)
	m.rejected = register(reg, m.rejected)
	m.requests = register(reg, m.requests)
	m.latency = register(reg, m.latency)
	return m
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
