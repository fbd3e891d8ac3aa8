package app

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	sruadapter "github.com/bibgate/bibgate/adapters/sru"
	z3950adapter "github.com/bibgate/bibgate/adapters/z3950"
	"github.com/bibgate/bibgate/adapters/z3950/recordcache"
	"github.com/bibgate/bibgate/z3950/z3950server"
)

// z3950Servers builds the Z39.50 listener (which also answers SRU on the
// same port) and the separate SRU listener, as configured. Both serve the
// one catalogue through one record cache.
func (a *App) z3950Servers() ([]server, error) {
	zc, sc := &a.cfg.Z3950, &a.cfg.SRU
	if zc.Listen == "" && sc.Listen == "" {
		return nil, nil
	}
	db := zc.Database
	if db == "" {
		db = z3950adapter.DefaultDatabase
	}
	accounts := map[string]string{}
	for i, acct := range zc.Accounts {
		if acct.User == "" {
			return nil, fmt.Errorf("z3950 account %d: user is empty", i+1)
		}
		if _, dup := accounts[acct.User]; dup {
			return nil, fmt.Errorf("z3950 account %d: user %q twice", i+1, acct.User)
		}
		accounts[acct.User] = acct.Password
	}
	// Anonymous access is the default unless accounts are configured.
	anonymous := len(accounts) == 0
	if zc.Anonymous != nil {
		anonymous = *zc.Anonymous
	}
	if !anonymous && len(accounts) == 0 {
		return nil, errors.New("z3950: anonymous = false needs at least one [[z3950.account]]")
	}
	cache := recordcache.New(0)
	if err := registerCacheMetrics(a.reg, cache); err != nil {
		return nil, err
	}
	sruMetrics, err := newSRUMetrics(a.reg)
	if err != nil {
		return nil, err
	}
	sruLog := a.log.With().Str("protocol", "sru").Logger()
	// One SRU backend per listener, so that explain names the port it is
	// asked on; they share the cache.
	sruHandler := func(ln net.Listener) http.Handler {
		b := &sruadapter.Backend{Catalogue: a.catalog, Database: db, Cache: cache}
		if ta, ok := ln.Addr().(*net.TCPAddr); ok {
			b.Host, b.Port = hostName(ta), ta.Port
		}
		return b.Handler(&sruLog)
	}

	var out []server
	var zln, sln net.Listener
	if zc.Listen != "" {
		if zln, err = net.Listen("tcp", zc.Listen); err != nil {
			return nil, fmt.Errorf("z3950 listener: %w", err)
		}
	}
	if sc.Listen != "" {
		if sln, err = net.Listen("tcp", sc.Listen); err != nil {
			if zln != nil {
				zln.Close()
			}
			return nil, fmt.Errorf("sru listener: %w", err)
		}
	}
	if zln != nil {
		a.bound("z3950", zln.Addr())
		zs := &z3950server.Server{
			Backend: &z3950adapter.Backend{Catalogue: a.catalog, Database: db, Accounts: accounts, Anonymous: anonymous,
				Cache: cache, Logger: a.log.With().Str("protocol", "z3950").Logger()},
			HTTPHandler:        sruMetrics.wrap("z3950", sruHandler(zln)),
			Logger:             a.log.With().Str("protocol", "z3950").Logger(),
			Registerer:         a.reg,
			MaxConnections:     zc.MaxConns,
			ImplementationID:   "bibgate",
			ImplementationName: "bibgate",
		}
		out = append(out, server{name: "z3950",
			serve: func() error {
				if err := zs.Serve(zln); err != nil && !errors.Is(err, z3950server.ErrServerClosed) {
					return err
				}
				return nil
			},
			shutdown: zs.Shutdown})
	}
	if sln != nil {
		a.bound("sru", sln.Addr())
		hs := &http.Server{
			Handler:           sruMetrics.wrap("sru", sruHandler(sln)),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
		}
		out = append(out, server{name: "sru",
			serve: func() error {
				if err := hs.Serve(sln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			},
			shutdown: httpShutdown(hs)})
	}
	return out, nil
}

// hostName is the host explain records announce: the bound IP, or
// "localhost" for a wildcard address.
func hostName(ta *net.TCPAddr) string {
	if ta.IP == nil || ta.IP.IsUnspecified() {
		return "localhost"
	}
	return ta.IP.String()
}

// sruMetrics counts SRU requests by listener and HTTP status.
type sruMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newSRUMetrics(reg prometheus.Registerer) (*sruMetrics, error) {
	m := &sruMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "bibgate", Subsystem: "sru", Name: "requests_total",
			Help: "SRU requests by listener (z3950: the Z39.50 port, sru: the SRU port) and HTTP status.",
		}, []string{"listener", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "bibgate", Subsystem: "sru", Name: "request_seconds",
			Help: "SRU request handling time.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"listener"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("sru metrics: %w", err)
		}
	}
	return m, nil
}

func (m *sruMetrics) wrap(listener string, h http.Handler) http.Handler {
	lat := m.latency.WithLabelValues(listener)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		lat.Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(listener, strconv.Itoa(sw.code)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// registerCacheMetrics exposes the record cache's hit rate and size.
func registerCacheMetrics(reg prometheus.Registerer, c *recordcache.Cache) error {
	for _, col := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "bibgate", Subsystem: "record_cache", Name: "hits_total",
			Help: "Records served from the rendered-record cache (Z39.50 and SRU)."},
			func() float64 { h, _ := c.Stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "bibgate", Subsystem: "record_cache", Name: "misses_total",
			Help: "Records parsed or rendered because the cache did not hold them."},
			func() float64 { _, m := c.Stats(); return float64(m) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bibgate", Subsystem: "record_cache", Name: "entries",
			Help: "Entries in the rendered-record cache."},
			func() float64 { return float64(c.Len()) }),
	} {
		if err := reg.Register(col); err != nil {
			return fmt.Errorf("record cache metrics: %w", err)
		}
	}
	return nil
}
