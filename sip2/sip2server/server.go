package sip2server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/internal/netsrv"
	"github.com/bibgate/bibgate/internal/throttle"
	"github.com/bibgate/bibgate/sip2"
)

// Server is a SIP2 server. Set the fields, then call ListenAndServe or Serve.
type Server struct {
	Addr      string      // e.g. ":6001"
	TLSConfig *tls.Config // TLS on this listener when set
	Backend   Backend
	// Accounts finds the account of a 93 login.
	Accounts AccountSource
	// Default gives the wire settings before login (nil: UTF-8, "|", CR,
	// auto error detection) and is the account of clients from
	// TrustedNetworks, who may skip the 93.
	Default         *Account
	TrustedNetworks []netip.Prefix

	MaxConns       int // connection cap; 0 = none
	MaxMessageSize int // bytes; default 64 KiB
	// WriteTimeout bounds writing one response (default 30s).
	WriteTimeout time.Duration

	// LoginTimeout is the time from connect to a successful 93 (default
	// 60s; negative: none). The Default account's LoginTimeout, when set,
	// takes precedence.
	LoginTimeout time.Duration
	// MaxUnauthenticated caps the connections that have not logged in
	// (trusted clients do not count). When it is reached, the connection
	// that has waited longest for its login is closed to make room. 0
	// means a quarter of MaxConns (none without MaxConns); negative, none.
	MaxUnauthenticated int
	// LoginThrottle locks out 93 logins from a source address that failed
	// too often (zero: DefaultLoginThrottle; a negative Limit: never).
	// While locked every 93 from it gets 940 unchecked.
	LoginThrottle throttle.Settings
	// MaxLoginFailures closes a connection after this many failed 93 on it
	// (0: 5; negative: never).
	MaxLoginFailures int

	Logger      zerolog.Logger
	Metrics     *Metrics        // optional; NewMetrics
	ConnMetrics *netsrv.Metrics // optional; netsrv.NewMetrics(reg, "sip2")
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu     sync.Mutex
	net    *netsrv.Server
	logins *throttle.Throttle

	pending pendingConns // connections waiting for their login
}

// DefaultLoginThrottle refuses 93 logins from an address for 5 minutes
// after 10 failed ones, each within a minute of the previous.
var DefaultLoginThrottle = throttle.Settings{Limit: 10, Window: time.Minute, Lockout: 5 * time.Minute}

func (s *Server) loginThrottle() *throttle.Throttle {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logins == nil {
		set := s.LoginThrottle
		if set == (throttle.Settings{}) {
			set = DefaultLoginThrottle
		}
		s.logins = throttle.New(set)
	}
	return s.logins
}

func (s *Server) maxLoginFailures() int {
	switch {
	case s.MaxLoginFailures < 0:
		return 0
	case s.MaxLoginFailures == 0:
		return 5
	}
	return s.MaxLoginFailures
}

// Metrics are the request metrics of SIP2 servers.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers bibgate_sip2_requests_total{message,outcome} and
// bibgate_sip2_request_duration_seconds{message} on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bibgate_sip2_requests_total",
			Help: "SIP2 requests by message type and outcome."}, []string{"message", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "bibgate_sip2_request_duration_seconds",
			Help:    "Time from reading a SIP2 request to writing its response.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}},
			[]string{"message"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("sip2server: register metrics: %w", err)
		}
	}
	return m, nil
}

// Outcomes counted in bibgate_sip2_requests_total and logged.
const (
	OutcomeOK              = "ok"              // answered by the Session with a positive response
	OutcomeDenied          = "denied"          // answered by the Session with ok=0 / a refusal
	OutcomeError           = "error"           // the Session failed; a failure response was sent
	OutcomeDisabled        = "disabled"        // not allowed for the account
	OutcomeUnauthenticated = "unauthenticated" // request before login
	OutcomeLoginFailed     = "login_failed"
	OutcomeReplayed        = "replayed" // duplicate answered from the stored response
	OutcomeResent          = "resent"   // 97 answered with the last response
	OutcomeBadRequest      = "bad_request"
	OutcomeTooLong         = "too_long"
	OutcomeWrongPIN        = "wrong_pin"       // a refusal: the patron's PIN was wrong (reported by the Session)
	OutcomePINLocked       = "pin_locked"      // a refusal: PIN entry locked after too many wrong PINs (Session)
	OutcomeLoginThrottled  = "login_throttled" // 93 refused unchecked: too many failed logins from the address
)

// OutcomeReporter is an optional Session capability: after each request
// the server asks for a finer outcome than the response shows (a wrong
// PIN, a throttled PIN) to count and log it; "" keeps the server's own.
type OutcomeReporter interface {
	Outcome() string
}

func (s *Server) netServer() *netsrv.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.net == nil {
		s.net = &netsrv.Server{Addr: s.Addr, TLSConfig: s.TLSConfig, MaxConns: s.MaxConns,
			Handler: netsrv.HandlerFunc(s.ServeConn), Logger: s.Logger, Metrics: s.ConnMetrics}
	}
	return s.net
}

// ListenAndServe listens on Addr and serves until Shutdown.
func (s *Server) ListenAndServe() error { return s.netServer().ListenAndServe() }

// Serve serves connections accepted on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.netServer().Serve(ln) }

// Shutdown stops accepting, closes idle connections, lets requests in
// flight finish with their normal answers and waits for their connections
// to close, or for ctx; the Session's context is cancelled only then.
func (s *Server) Shutdown(ctx context.Context) error { return s.netServer().Shutdown(ctx) }

// Close closes the listeners and every connection at once.
func (s *Server) Close() error { return s.netServer().Close() }

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) maxMessageSize() int {
	if s.MaxMessageSize > 0 {
		return s.MaxMessageSize
	}
	return sip2.DefaultMaxMessageSize
}

func (s *Server) writeTimeout() time.Duration {
	if s.WriteTimeout > 0 {
		return s.WriteTimeout
	}
	return 30 * time.Second
}

func (s *Server) trusted(addr net.Addr) bool {
	if s.Default == nil || len(s.TrustedNetworks) == 0 || addr == nil {
		return false
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range s.TrustedNetworks {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
