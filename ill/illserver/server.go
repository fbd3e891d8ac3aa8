// Package illserver is an ISO 10161-1 (ISO ILL) server over TCP: it frames
// the BER APDUs a peer sends back to back (definite and indefinite
// lengths, ill.md §2.1), decodes them with package ill, hands each to a
// Session in order and writes the APDUs the Session answers with.
//
// What the APDUs mean is the Session's business: a Backend (adapters/ill
// over the circulation core, or a proxy to another system) starts one per
// connection. The server itself answers only what no Session can: an
// APDU that cannot be decoded gets a Status-Or-Error-Report with
// general-problem (unrecognized, mistyped, badly structured, protocol
// version not supported); input that cannot even be framed (not BER,
// larger than MaxAPDUSize, nested deeper than MaxDepth) gets one too and
// the connection is closed, since the next APDU's start is lost.
//
// Connections are served by internal/netsrv: TLS, a connection cap, and a
// Shutdown that stops accepting, lets an APDU being handled finish with its
// answer, and closes idle connections. Each connection has an idle
// timeout (waiting for an APDU) and a read timeout (for the rest of an
// APDU once its first octet arrived).
package illserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/internal/netsrv"
)

// Defaults for zero Server fields.
const (
	DefaultMaxAPDUSize  = 1 << 20
	DefaultMaxDepth     = 32 // ILL APDUs nest under 20 levels (ill.md §8)
	DefaultIdleTimeout  = 10 * time.Minute
	DefaultReadTimeout  = 30 * time.Second
	DefaultWriteTimeout = 60 * time.Second
)

// readBufferSize is the read buffer of one connection.
const readBufferSize = 16 << 10

// ConnInfo describes a connection to the Backend.
type ConnInfo struct {
	RemoteAddr net.Addr
	TLS        bool
}

// Backend starts a Session for each connection.
type Backend interface {
	NewSession(ctx context.Context, c ConnInfo) (Session, error)
}

// Session handles the APDUs of one connection, one at a time and in the
// order they arrived.
type Session interface {
	// Handle answers one decoded APDU of protocol version 1 or 2 with the
	// APDUs to write back, in order. No answer is a valid answer: ISO ILL
	// is asynchronous, and most tracking APDUs need none. An error is a
	// failure of the Session itself (its store is down); the server
	// answers it with a Status-Or-Error-Report unable-to-perform and goes
	// on with the next APDU.
	Handle(ctx context.Context, a ill.APDU) ([]ill.APDU, error)
}

// Closer is an optional Session capability: Close is called when the
// connection ends.
type Closer interface {
	Close() error
}

// Server is an ISO ILL server. Set the fields, then call Serve; fields must
// not change afterwards.
type Server struct {
	Backend   Backend
	TLSConfig *tls.Config // if set, connections are TLS
	Logger    zerolog.Logger
	// Registerer receives the server's APDU metrics; nil keeps them
	// unregistered. Two servers may share one.
	Registerer prometheus.Registerer
	// ConnMetrics counts connections (optional; netsrv.NewMetrics(reg,
	// "ill"), shared by the plain and the TLS listener).
	ConnMetrics *netsrv.Metrics

	MaxConns     int           // 0: unlimited
	MaxAPDUSize  int           // largest APDU accepted, in octets
	MaxDepth     int           // deepest BER nesting accepted
	IdleTimeout  time.Duration // close after this long without an APDU
	ReadTimeout  time.Duration // time allowed for the rest of an APDU once it began
	WriteTimeout time.Duration
	// Now is the clock for the service date-time of the server's own
	// reports; nil is the wall clock.
	Now func() time.Time

	once    sync.Once
	net     *netsrv.Server
	metrics *metrics
}

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = netsrv.ErrServerClosed

func (s *Server) init() {
	s.once.Do(func() {
		s.metrics = newMetrics(s.Registerer)
		s.net = &netsrv.Server{TLSConfig: s.TLSConfig, MaxConns: s.MaxConns, Handler: netsrv.HandlerFunc(s.serveConn),
			Logger: s.Logger, Metrics: s.ConnMetrics}
	})
}

// Serve accepts connections on ln, one goroutine each, until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	return s.net.Serve(ln)
}

// ListenAndServe listens on the TCP address addr and serves.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("illserver: listen %s: %w", addr, err)
	}
	return s.Serve(ln)
}

// Shutdown stops accepting, closes idle connections, lets the APDUs being
// handled finish and their answers go out, and waits for the connections
// to end, or for ctx; then it closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	return s.net.Shutdown(ctx)
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.init()
	return s.net.Close()
}

// ActiveConns is the number of open connections.
func (s *Server) ActiveConns() int {
	s.init()
	return s.net.ActiveConns()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
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

// serveConn serves one connection until it ends; it closes nc.
func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	defer nc.Close()
	_, isTLS := nc.(*tls.Conn)
	log := s.Logger.With().Str("protocol", "ill").Str("remote", addrString(nc.RemoteAddr())).Logger()
	sess, err := s.Backend.NewSession(ctx, ConnInfo{RemoteAddr: nc.RemoteAddr(), TLS: isTLS})
	if err != nil {
		log.Warn().Err(err).Msg("ill: no session for the connection")
		return
	}
	if cl, ok := sess.(Closer); ok {
		defer func() {
			if err := cl.Close(); err != nil {
				log.Warn().Err(err).Msg("ill: session close")
			}
		}()
	}
	lim := ber.Limits{MaxSize: orInt(s.MaxAPDUSize, DefaultMaxAPDUSize), MaxDepth: orInt(s.MaxDepth, DefaultMaxDepth)}
	c := &conn{srv: s, nc: nc, br: bufio.NewReaderSize(nc, readBufferSize), sess: sess, log: log,
		dec: ill.Decoder{Limits: lim}}
	c.rd = ber.NewReader(c.br, lim)
	c.serve(ctx)
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// conn is one connection.
type conn struct {
	srv  *Server
	nc   net.Conn
	br   *bufio.Reader
	rd   *ber.Reader
	dec  ill.Decoder
	sess Session
	log  zerolog.Logger
}

func (c *conn) serve(ctx context.Context) {
	s := c.srv
	for {
		netsrv.MarkIdle(ctx)
		if ctx.Err() != nil || netsrv.ShuttingDown(ctx) {
			return
		}
		c.nc.SetReadDeadline(time.Now().Add(orDur(s.IdleTimeout, DefaultIdleTimeout)))
		if _, err := c.br.Peek(1); err != nil {
			c.readFailed(ctx, err, false)
			return
		}
		c.nc.SetReadDeadline(time.Now().Add(orDur(s.ReadTimeout, DefaultReadTimeout)))
		raw, err := c.rd.ReadRaw()
		if err != nil {
			netsrv.MarkBusy(ctx)
			c.readFailed(ctx, err, true)
			return
		}
		netsrv.MarkBusy(ctx)
		if !c.handle(ctx, raw) {
			return
		}
	}
}

// readFailed ends the connection after a read error, answering what can
// be answered: input that cannot be framed.
func (c *conn) readFailed(ctx context.Context, err error, begun bool) {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
	case errors.As(err, &ne) && ne.Timeout():
		if netsrv.ShuttingDown(ctx) {
			return
		}
		if begun {
			c.srv.metrics.observe("", "timeout", time.Now())
			c.log.Info().Dur("read_timeout", orDur(c.srv.ReadTimeout, DefaultReadTimeout)).Msg("ill: APDU not complete in time: connection closed")
		} else {
			c.log.Info().Dur("idle_timeout", orDur(c.srv.IdleTimeout, DefaultIdleTimeout)).Msg("ill: connection idle: closed")
		}
	case errors.Is(err, ber.ErrTooLarge):
		c.srv.metrics.observe("", "too_large", time.Now())
		c.log.Info().Err(err).Msg("ill: APDU too large: connection closed")
		c.writeGeneral(nil, ill.OtherProblem, fmt.Sprintf("APDU larger than %d octets", orInt(c.srv.MaxAPDUSize, DefaultMaxAPDUSize)))
	case errors.Is(err, ber.ErrTooDeep), errors.Is(err, ber.ErrSyntax):
		c.srv.metrics.observe("", "malformed", time.Now())
		c.log.Info().Err(err).Msg("ill: input is not a BER APDU: connection closed")
		c.writeGeneral(nil, ill.BadlyStructuredAPDU, "not a BER-encoded APDU")
	case errors.Is(err, io.ErrUnexpectedEOF):
		c.log.Info().Msg("ill: connection closed inside an APDU")
	default:
		c.log.Debug().Err(err).Msg("ill: read")
	}
}

// handle decodes and answers one APDU; false ends the connection.
func (c *conn) handle(ctx context.Context, raw []byte) bool {
	start := time.Now()
	a, err := c.dec.Decode(raw)
	if err != nil {
		var de *ill.DecodeError
		if !errors.As(err, &de) {
			de = &ill.DecodeError{Problem: ill.BadlyStructuredAPDU, Err: err}
		}
		c.srv.metrics.observe(de.Type.String(), "malformed", start)
		c.log.Info().Err(err).Int("problem", int(de.Problem)).Msg("ill: undecodable APDU answered with general-problem")
		return c.writeGeneral(de.Header, de.Problem, problemText(de))
	}
	name := a.Type().String()
	if err := a.Head().CheckVersion(); err != nil {
		c.srv.metrics.observe(name, "version", start)
		c.log.Info().Int("version", a.Head().Version).Str("apdu", name).Msg("ill: protocol version not supported")
		return c.writeGeneral(a.Head(), ill.ProtocolVersionNotSupported,
			fmt.Sprintf("protocol version %d: versions 1 and 2 are supported", a.Head().Version))
	}
	replies, err := c.sess.Handle(ctx, a)
	if err != nil {
		c.srv.metrics.observe(name, "failed", start)
		c.log.Error().Err(err).Str("apdu", name).Msg("ill: session failed")
		unable := 2 // resource-limitation
		rep := ErrorReport(a.Head(), c.srv.now(), ill.ErrorReport{CorrelationInformation: "unable to perform",
			ReportSource: ill.ProviderSource, UserErrorReport: &ill.UserErrorReport{UnableToPerform: &unable}}, "")
		return c.write(rep)
	}
	outcome := "ok"
	for _, r := range replies {
		if rep, ok := r.(*ill.StatusOrErrorReport); ok && rep.ErrorReport != nil {
			outcome = "error_report"
		}
	}
	c.srv.metrics.observe(name, outcome, start)
	c.log.Debug().Str("apdu", name).Str("outcome", outcome).Dur("latency", time.Since(start)).Msg("ill: APDU handled")
	for _, r := range replies {
		if !c.write(r) {
			return false
		}
	}
	return true
}

func problemText(de *ill.DecodeError) string {
	switch de.Problem {
	case ill.UnrecognizedAPDU:
		return "not an ISO 10161 APDU"
	case ill.MistypedAPDU:
		return "mistyped " + de.Type.String()
	default:
		return "badly structured APDU"
	}
}

func (c *conn) writeGeneral(h *ill.Header, p ill.GeneralProblem, why string) bool {
	return c.write(GeneralProblem(h, c.srv.now(), p, why))
}

// write encodes and sends a; false ends the connection.
func (c *conn) write(a ill.APDU) bool {
	b, err := ill.Encode(a)
	if err != nil {
		c.log.Error().Err(err).Str("apdu", a.Type().String()).Msg("ill: answer not encodable")
		return false
	}
	c.nc.SetWriteDeadline(time.Now().Add(orDur(c.srv.WriteTimeout, DefaultWriteTimeout)))
	if _, err := c.nc.Write(b); err != nil {
		c.log.Info().Err(err).Str("apdu", a.Type().String()).Msg("ill: write")
		return false
	}
	return true
}

// DateTime is the ISO date and time of t, as a service-date-time says.
func DateTime(t time.Time) ill.DateTime {
	tm := t.Format("150405")
	return ill.DateTime{Date: t.Format("20060102"), Time: &tm}
}

// ReplyHeader is the header of an answer to an APDU with header h (nil
// when it could not be read): version 2, the transaction-id and both
// system ids echoed unchanged, the service date-time at.
func ReplyHeader(h *ill.Header, at time.Time) ill.Header {
	out := ill.Header{Version: ill.Version2, ServiceDateTime: ill.ServiceDateTime{This: DateTime(at)}}
	if h != nil {
		out.TransactionID, out.RequesterID, out.ResponderID = h.TransactionID, h.RequesterID, h.ResponderID
	}
	return out
}

// ErrorReport is a Status-Or-Error-Report carrying rep in answer to an APDU
// with header h, with an optional note for the partner's staff.
func ErrorReport(h *ill.Header, at time.Time, rep ill.ErrorReport, note string) *ill.StatusOrErrorReport {
	out := &ill.StatusOrErrorReport{Header: ReplyHeader(h, at), ErrorReport: &rep}
	if note != "" {
		out.Note = ill.Str(note)
	}
	return out
}

// GeneralProblem is the Status-Or-Error-Report for an APDU that cannot be
// used: a provider error general-problem p, why in its correlation
// information.
func GeneralProblem(h *ill.Header, at time.Time, p ill.GeneralProblem, why string) *ill.StatusOrErrorReport {
	return ErrorReport(h, at, ill.ErrorReport{CorrelationInformation: ill.String(why), ReportSource: ill.ProviderSource,
		ProviderErrorReport: &ill.ProviderErrorReport{GeneralProblem: &p}}, "")
}
