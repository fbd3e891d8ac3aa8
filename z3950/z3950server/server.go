package z3950server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Defaults for zero Server fields.
const (
	DefaultMaxAPDUSize          = 1 << 20
	DefaultMaxDepth             = 64
	DefaultIdleTimeout          = 10 * time.Minute
	DefaultInitTimeout          = 30 * time.Second
	DefaultWriteTimeout         = 60 * time.Second
	DefaultMaxResultSets        = 20
	DefaultPreferredMessageSize = 1 << 20
	DefaultMaxRecordSize        = 1 << 20
	DefaultMaxPresent           = 1000
	DefaultMaxScanTerms         = 200
)

// readBufferSize is the read buffer of one connection.
const readBufferSize = 16 << 10

// Server is a Z39.50 server. Set the fields, then call Serve or
// ListenAndServe; fields must not change afterwards.
type Server struct {
	Backend Backend
	// HTTPHandler, when set, serves connections that open with an HTTP
	// request (SRU on the Z39.50 port).
	HTTPHandler http.Handler
	Logger      zerolog.Logger
	// Registerer receives the server's metrics; nil keeps them unregistered.
	Registerer prometheus.Registerer

	MaxConnections       int           // 0: unlimited
	MaxAPDUSize          int           // largest request APDU accepted
	MaxDepth             int           // deepest BER nesting accepted
	IdleTimeout          time.Duration // Close(lackOfActivity) after this long without a request
	InitTimeout          time.Duration // time allowed for the first APDU, and for each whole HTTP request
	WriteTimeout         time.Duration
	MaxResultSets        int // named result sets kept per connection (least recently used go first)
	PreferredMessageSize int // upper bound for the negotiated preferredMessageSize
	MaxRecordSize        int // upper bound for the negotiated exceptionalRecordSize
	MaxPresent           int // records fetched for one Present
	MaxScanTerms         int // terms allowed in one Scan (more: diagnostic 1029)

	ImplementationID      string
	ImplementationName    string
	ImplementationVersion string

	initOnce sync.Once
	metrics  *metrics

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	active    atomic.Int64
	shutdown  atomic.Bool
	wg        sync.WaitGroup
	baseCtx   context.Context
	cancel    context.CancelFunc

	httpSrv *http.Server // under mu
	httpLn  *chanListener
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("z3950server: server closed")

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.metrics = newMetrics(s.Registerer)
		s.listeners = map[net.Listener]struct{}{}
		s.conns = map[*conn]struct{}{}
		s.baseCtx, s.cancel = context.WithCancel(context.Background())
	})
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func orDur(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// ListenAndServe listens on the TCP address and serves.
func (s *Server) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l, one goroutine each, until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.shutdown.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		if max := s.MaxConnections; max > 0 && s.active.Load() >= int64(max) {
			s.metrics.rejected.Inc()
			s.Logger.Warn().Str("proto", "z3950").Str("remote", nc.RemoteAddr().String()).Msg("connection limit reached")
			nc.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(s.baseCtx, nc)
		}()
	}
}

// ServeConn serves one accepted connection until it ends; it closes nc.
// A shared listener (internal/netsrv) can call it as its handler.
func (s *Server) ServeConn(ctx context.Context, nc net.Conn) {
	s.init()
	s.wg.Add(1)
	defer s.wg.Done()
	s.serveConn(ctx, nc)
}

func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	s.active.Add(1)
	s.metrics.connsActive.Inc()
	s.metrics.connsTotal.Inc()
	defer func() {
		s.active.Add(-1)
		s.metrics.connsActive.Dec()
	}()

	br := bufio.NewReaderSize(nc, readBufferSize)
	nc.SetReadDeadline(time.Now().Add(orDur(s.InitTimeout, DefaultInitTimeout)))
	if isHTTP(br) {
		if s.HTTPHandler == nil {
			nc.Close()
			return
		}
		// From here the HTTP server owns the connection. This goroutine
		// waits for it to close it, so the connection keeps its slot (and
		// Shutdown waits for it) for as long as it is open.
		nc.SetReadDeadline(time.Time{})
		hc := &prefixedConn{Conn: nc, r: br, closed: make(chan struct{})}
		if ln := s.startHTTP(); ln == nil || !ln.deliver(hc) {
			hc.Close()
		}
		<-hc.closed
		return
	}
	c := newConn(s, nc, br)
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	c.serve(ctx)
}

// isHTTP peeks at the first bytes: Z39.50 opens with 0xB4 (initRequest),
// HTTP with an upper-case method name and a space.
func isHTTP(br *bufio.Reader) bool {
	first, err := br.Peek(1)
	if err != nil || first[0] < 'A' || first[0] > 'Z' {
		return false
	}
	for _, m := range []string{"GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE "} {
		p, err := br.Peek(len(m))
		if err == nil && string(p) == m {
			return true
		}
	}
	return false
}

// startHTTP returns the listener of the HTTP server, starting it on first
// use; nil once the server shuts down.
func (s *Server) startHTTP() *chanListener {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Load() {
		return nil
	}
	if s.httpSrv == nil {
		s.httpLn = newChanListener()
		s.httpSrv = &http.Server{
			Handler:           s.HTTPHandler,
			ReadHeaderTimeout: orDur(s.InitTimeout, DefaultInitTimeout),
			// The whole request, body included, within the same time as a
			// first APDU: a body sent a byte at a time gets 400.
			ReadTimeout:    orDur(s.InitTimeout, DefaultInitTimeout),
			IdleTimeout:    orDur(s.IdleTimeout, DefaultIdleTimeout),
			WriteTimeout:   orDur(s.WriteTimeout, DefaultWriteTimeout),
			MaxHeaderBytes: 64 << 10,
		}
		go s.httpSrv.Serve(s.httpLn)
	}
	return s.httpLn
}

// Shutdown stops accepting, lets requests in progress finish, sends
// Close(shutdown) to every association and waits for the connections to
// end, or for ctx; then it closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	s.shutdown.Store(true)
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		c.interruptIfIdle()
	}
	hs := s.httpSrv
	s.mu.Unlock()
	var httpErr error
	if hs != nil {
		if httpErr = hs.Shutdown(ctx); httpErr != nil {
			hs.Close()
		}
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return httpErr
	case <-ctx.Done():
		s.cancel()
		s.mu.Lock()
		for c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// prefixedConn is a connection whose first bytes were already buffered.
// closed is closed by the first Close.
type prefixedConn struct {
	net.Conn
	r      io.Reader
	once   sync.Once
	closed chan struct{}
}

func (p *prefixedConn) Read(b []byte) (int, error) { return p.r.Read(b) }
func (p *prefixedConn) Close() error {
	err := p.Conn.Close()
	p.once.Do(func() { close(p.closed) })
	return err
}

// chanListener feeds handed-over connections to an http.Server.
type chanListener struct {
	ch     chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newChanListener() *chanListener {
	return &chanListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) deliver(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.closed.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return chanAddr{} }

type chanAddr struct{}

func (chanAddr) Network() string { return "z3950-sniffed" }
func (chanAddr) String() string  { return "z3950-sniffed" }
