package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bibgate/bibgate/core"
)

type metrics struct {
	ops         *prometheus.CounterVec
	opLatency   *prometheus.HistogramVec
	commitLat   prometheus.Histogram
	commitBatch prometheus.Histogram
	commitErrs  prometheus.Counter
	jobs        *prometheus.CounterVec
	leader      prometheus.Gauge
	rounds      prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "bibgate", Subsystem: "circulation", Name: "operations_total",
			Help: "Circulation operations by operation and outcome (ok or the refusal reason).",
		}, []string{"op", "outcome"}),
		opLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "bibgate", Subsystem: "circulation", Name: "operation_seconds",
			Help: "Circulation operation latency.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"op"}),
		commitLat: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "bibgate", Subsystem: "store", Name: "commit_seconds",
			Help: "Store commit latency (one batch, fsync included).", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}),
		commitBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "bibgate", Subsystem: "store", Name: "commit_batch_size",
			Help: "Transactions committed together in one batch.", Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
		commitErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "bibgate", Subsystem: "store", Name: "commit_errors_total", Help: "Failed store commits.",
		}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "bibgate", Subsystem: "jobs", Name: "events_total",
			Help: "What the background jobs did.",
		}, []string{"event"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "bibgate", Subsystem: "jobs", Name: "leader",
			Help: "1 while this node leads: runs the background jobs and sends notices (one node of those sharing a database).",
		}),
		rounds: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "bibgate", Subsystem: "jobs", Name: "rounds_total",
			Help: "Rounds of the background jobs this node ran to the end.",
		}),
	}
	reg.MustRegister(m.ops, m.opLatency, m.commitLat, m.commitBatch, m.commitErrs, m.jobs, m.leader, m.rounds)
	return m
}

func (m *metrics) observeOp(op string, reason core.Reason, d time.Duration) {
	outcome := string(reason)
	if outcome == "" {
		outcome = "ok"
	}
	m.ops.WithLabelValues(op, outcome).Inc()
	m.opLatency.WithLabelValues(op).Observe(d.Seconds())
}

func (m *metrics) observeCommit(batch int, d time.Duration, err error) {
	if err != nil {
		m.commitErrs.Inc()
	}
	m.commitLat.Observe(d.Seconds())
	m.commitBatch.Observe(float64(batch))
}

func (m *metrics) observeJobs(r core.JobReport) {
	m.rounds.Inc()
	m.jobs.WithLabelValues("hold_expired").Add(float64(r.HoldsExpired))
	m.jobs.WithLabelValues("reminder_sent").Add(float64(r.RemindersSent))
	m.jobs.WithLabelValues("loan_anonymised").Add(float64(r.LoansAnonymised))
	m.jobs.WithLabelValues("patron_deleted").Add(float64(r.PatronsDeleted))
}
