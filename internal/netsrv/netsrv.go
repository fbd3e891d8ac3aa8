// Package netsrv is the TCP server shared by bibgate's protocol front ends:
// listeners, optional TLS, a connection cap, one goroutine per connection
// with panic recovery, connection metrics and a lame-duck Shutdown that lets
// in-flight requests finish. It knows nothing of the protocols: a Handler
// gets the connection and a context, and reports whether it is busy with a
// request so Shutdown can tell idle connections from working ones.
package netsrv

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Handler serves one connection. It returns when the connection is done;
// the server closes the connection afterwards. Between requests a handler
// calls MarkIdle(ctx), and MarkBusy(ctx) once a request is read. Shutdown
// interrupts the reads of idle connections (the read fails with a timeout)
// and closes a busy one when it next calls MarkIdle, so a request already
// read runs to its normal answer. ctx stays live through that drain: it is
// cancelled only by Close, or when Shutdown's own context ends, so work in
// hand is not failed just because a shutdown began.
type Handler interface {
	ServeConn(ctx context.Context, c net.Conn)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, c net.Conn)

// ServeConn calls f.
func (f HandlerFunc) ServeConn(ctx context.Context, c net.Conn) { f(ctx, c) }

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or Close.
var ErrServerClosed = errors.New("netsrv: server closed")

// Metrics are the connection metrics of one protocol. Several servers (e.g.
// a plain and a TLS listener) may share one Metrics.
type Metrics struct {
	active  prometheus.Gauge
	total   prometheus.Counter
	refused prometheus.Counter
	panics  prometheus.Counter
}

// NewMetrics registers the connection metrics of a protocol on reg:
// bibgate_connections_active, bibgate_connections_total,
// bibgate_connections_refused_total and bibgate_connection_panics_total, each
// with the constant label protocol.
func NewMetrics(reg prometheus.Registerer, protocol string) (*Metrics, error) {
	labels := prometheus.Labels{"protocol": protocol}
	m := &Metrics{
		active: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bibgate_connections_active",
			Help: "Open client connections.", ConstLabels: labels}),
		total: prometheus.NewCounter(prometheus.CounterOpts{Name: "bibgate_connections_total",
			Help: "Client connections accepted.", ConstLabels: labels}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{Name: "bibgate_connections_refused_total",
			Help: "Client connections closed at once because the connection cap was reached.", ConstLabels: labels}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{Name: "bibgate_connection_panics_total",
			Help: "Connections ended by a recovered panic.", ConstLabels: labels}),
	}
	for _, c := range []prometheus.Collector{m.active, m.total, m.refused, m.panics} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("netsrv: register metrics for %s: %w", protocol, err)
		}
	}
	return m, nil
}

// Server accepts TCP connections and hands each to Handler in its own goroutine.
type Server struct {
	Addr      string      // for ListenAndServe, e.g. ":6001"
	TLSConfig *tls.Config // if set, connections are TLS
	// MaxConns caps open connections; beyond it a new connection is closed at
	// once and counted as refused. 0 means no cap.
	MaxConns int
	// HandshakeTimeout bounds the TLS handshake (default 10s).
	HandshakeTimeout time.Duration
	Handler          Handler
	Logger           zerolog.Logger
	Metrics          *Metrics // optional

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*trackedConn]struct{}
	wg        sync.WaitGroup
	ctx       context.Context
	cancel    context.CancelFunc
	closing   atomic.Bool
}

type connState int32

const (
	stateIdle connState = iota
	stateBusy
)

type trackedConn struct {
	net.Conn
	raw   net.Conn
	srv   *Server
	state atomic.Int32
}

type ctxKey struct{}

// MarkBusy tells the server that the connection served under ctx is handling
// a request; Shutdown waits for it to become idle.
func MarkBusy(ctx context.Context) {
	if tc, ok := ctx.Value(ctxKey{}).(*trackedConn); ok {
		tc.state.Store(int32(stateBusy))
	}
}

// MarkIdle tells the server that the connection is waiting for its next
// request. During Shutdown the connection is closed at once: call it
// before reading the next request, not after.
func MarkIdle(ctx context.Context) {
	if tc, ok := ctx.Value(ctxKey{}).(*trackedConn); ok {
		tc.state.Store(int32(stateIdle))
		if tc.srv.closing.Load() {
			tc.raw.Close()
		}
	}
}

// ShuttingDown reports whether the server of the connection served under
// ctx is shutting down, e.g. to tell a read interrupted by Shutdown from a
// client that went quiet.
func ShuttingDown(ctx context.Context) bool {
	tc, ok := ctx.Value(ctxKey{}).(*trackedConn)
	return ok && tc.srv.closing.Load()
}

func (s *Server) init() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
		s.conns = map[*trackedConn]struct{}{}
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
}

// ListenAndServe listens on s.Addr and serves.
func (s *Server) ListenAndServe() error {
	if s.closing.Load() {
		return ErrServerClosed
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("netsrv: listen %s: %w", s.Addr, err)
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Shutdown or Close. It always returns
// a non-nil error; after Shutdown or Close it is ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.Logger.Warn().Err(err).Dur("retry_in", backoff).Msg("accept")
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("netsrv: accept: %w", err)
		}
		backoff = 0
		s.startConn(c)
	}
}

// isTemporary reports accept errors that pass (EMFILE and the like), so
// Serve backs off instead of stopping.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (s *Server) startConn(c net.Conn) {
	s.mu.Lock()
	if s.closing.Load() || (s.MaxConns > 0 && len(s.conns) >= s.MaxConns) {
		s.mu.Unlock()
		c.Close()
		if s.Metrics != nil {
			s.Metrics.refused.Inc()
		}
		s.Logger.Warn().Str("remote", c.RemoteAddr().String()).Int("max_conns", s.MaxConns).Msg("connection refused: cap reached")
		return
	}
	tc := &trackedConn{Conn: c, raw: c, srv: s}
	s.conns[tc] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	if s.Metrics != nil {
		s.Metrics.total.Inc()
		s.Metrics.active.Inc()
	}
	go s.serveConn(tc)
}

func (s *Server) serveConn(tc *trackedConn) {
	log := s.Logger.With().Str("remote", tc.raw.RemoteAddr().String()).Logger()
	defer func() {
		if r := recover(); r != nil {
			if s.Metrics != nil {
				s.Metrics.panics.Inc()
			}
			log.Error().Interface("panic", r).Bytes("stack", debug.Stack()).Msg("connection handler panicked")
		}
		tc.raw.Close()
		s.mu.Lock()
		delete(s.conns, tc)
		s.mu.Unlock()
		if s.Metrics != nil {
			s.Metrics.active.Dec()
		}
		s.wg.Done()
	}()
	if s.TLSConfig != nil {
		tlsConn := tls.Server(tc.raw, s.TLSConfig)
		timeout := s.HandshakeTimeout
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		hctx, cancel := context.WithTimeout(s.ctx, timeout)
		err := tlsConn.HandshakeContext(hctx)
		cancel()
		if err != nil {
			log.Info().Err(err).Msg("TLS handshake failed")
			return
		}
		tc.Conn = tlsConn
	}
	ctx := context.WithValue(s.ctx, ctxKey{}, tc)
	s.Handler.ServeConn(ctx, tc.Conn)
}

// ActiveConns reports the number of open connections.
func (s *Server) ActiveConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// stopAccepting closes the listeners. The handlers' context stays live.
func (s *Server) stopAccepting() {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing.Store(true)
	for ln := range s.listeners {
		ln.Close()
	}
}

// interruptIdle ends the reads of connections waiting for a request. It
// sets a read deadline instead of closing, so that a request whose bytes
// were read just before is still served and answered: its handler marks
// itself busy, runs it, writes the answer and is closed by MarkIdle.
// Shutdown repeats it, which also catches a handler that set its own
// deadline just after the previous round.
func (s *Server) interruptIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := time.Unix(1, 0)
	for tc := range s.conns {
		if connState(tc.state.Load()) == stateIdle {
			tc.raw.SetReadDeadline(past)
		}
	}
}

// Shutdown stops accepting, interrupts idle connections, lets busy ones
// finish their request with its normal answer (each is closed when it
// turns idle) and waits for all handlers to return. If ctx ends first, the
// handlers' context is cancelled, the remaining connections are closed and
// ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopAccepting()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		s.interruptIdle()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			s.Close()
			<-done
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Close stops accepting, cancels the handlers' context and closes every
// connection at once.
func (s *Server) Close() error {
	s.stopAccepting()
	s.cancel()
	s.mu.Lock()
	for tc := range s.conns {
		tc.raw.Close()
	}
	s.mu.Unlock()
	return nil
}
