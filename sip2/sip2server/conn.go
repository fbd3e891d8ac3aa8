package sip2server

import (
	"bytes"
	"container/list"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/internal/netsrv"
	"github.com/bibgate/bibgate/sip2"
)

type conn struct {
	srv      *Server
	nc       net.Conn
	rd       *sip2.Reader
	acct     *Account
	codec    sip2.Codec
	sess     Session
	trusted  bool
	location string
	log      zerolog.Logger

	loginDeadline time.Time
	pending       *list.Element // in srv.pending while not logged in
	printWidth    int
	lastReq       []byte       // raw bytes of the last request run
	lastReqAt     time.Time    // when it was answered
	lastResp      sip2.Message // for 97
	lastRespBytes []byte       // for duplicate replay
	resends       int          // consecutive 96 sent
	loginFailures int          // failed 93 on this connection
	closing       bool
}

// ServeConn serves one connection until it closes, times out or the
// server shuts down. It is the netsrv handler and may be called directly
// (e.g. over net.Pipe).
func (s *Server) ServeConn(ctx context.Context, nc net.Conn) {
	acct := s.Default
	if acct == nil {
		acct = s.PreLogin
	}
	if acct == nil {
		acct = &Account{}
	}
	c := &conn{srv: s, nc: nc, acct: acct, codec: acct.codec(),
		rd: sip2.NewReader(nc, s.maxMessageSize()), trusted: s.trusted(nc.RemoteAddr()),
		log: s.Logger.With().Str("remote", addrString(nc.RemoteAddr())).Logger()}
	if d := s.loginTimeout(); d > 0 {
		c.loginDeadline = time.Now().Add(d)
	}
	defer c.endSession()
	waiting := !c.trusted // for a login, counted in s.pending
	if waiting {
		if old := s.pending.add(c, s.maxUnauthenticated()); old != nil {
			old.log.Info().Int("max_unauthenticated", s.maxUnauthenticated()).
				Msg("sip2: closing the connection that waited longest for its login: too many not logged in")
			old.nc.Close()
		}
		defer s.pending.remove(c)
	}
	for !c.closing {
		if ctx.Err() != nil {
			return
		}
		netsrv.MarkIdle(ctx)
		c.setReadDeadline()
		line, err := c.rd.ReadMessage()
		if err != nil {
			var pe *sip2.ParseError
			if errors.As(err, &pe) {
				netsrv.MarkBusy(ctx)
				c.badRequest(s.now(), sip2.Frame{}, pe, OutcomeTooLong)
				continue
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() && !netsrv.ShuttingDown(ctx) {
				c.log.Info().Str("account", c.acct.name()).Bool("logged_in", c.sess != nil).Msg("sip2: connection timed out")
			}
			return
		}
		netsrv.MarkBusy(ctx)
		c.handle(ctx, line)
		if waiting && c.sess != nil {
			s.pending.remove(c)
			waiting = false
		}
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func (c *conn) setReadDeadline() {
	var d time.Time
	if c.sess == nil && !c.trusted {
		d = c.loginDeadline
	} else if t := c.acct.idleTimeout(); t > 0 {
		d = time.Now().Add(t)
	}
	c.nc.SetReadDeadline(d)
}

func (c *conn) endSession() {
	if cl, ok := c.sess.(SessionCloser); ok {
		if err := cl.Close(); err != nil {
			c.log.Warn().Err(err).Msg("sip2: closing session")
		}
	}
	c.sess = nil
}

func (c *conn) write(b []byte) bool {
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.writeTimeout()))
	if _, err := c.nc.Write(b); err != nil {
		c.log.Info().Err(err).Msg("sip2: write failed")
		c.closing = true
		return false
	}
	return true
}

// record counts and logs one request.
func (c *conn) record(start time.Time, code string, m sip2.Message, outcome string, err error) {
	name := sip2.Name(code)
	lat := c.srv.now().Sub(start)
	if mt := c.srv.Metrics; mt != nil {
		mt.requests.WithLabelValues(name, outcome).Inc()
		mt.latency.WithLabelValues(name).Observe(lat.Seconds())
	}
	// One line per request is a busy selfcheck's whole day: ordinary
	// requests are logged at debug (the metrics count them), failures at
	// warn.
	lvl := zerolog.DebugLevel
	if outcome == OutcomeError || outcome == OutcomeBadRequest || outcome == OutcomeTooLong {
		lvl = zerolog.WarnLevel
	}
	ev := c.log.WithLevel(lvl)
	if ev == nil {
		return
	}
	// "message" is the log line's own text: the SIP2 message is sip2_message.
	ev = ev.Str("account", c.acct.name()).Str("sip2_message", name).Str("outcome", outcome).Dur("latency", lat)
	if err != nil {
		ev = ev.Err(err)
	}
	if m != nil && c.log.GetLevel() <= zerolog.DebugLevel && zerolog.GlobalLevel() <= zerolog.DebugLevel {
		if p := sip2.StringField(m, "AA"); p != nil && *p != "" {
			ev = ev.Str("patron", *p)
		}
		ev = ev.Str("request", sip2.Redacted(m))
	}
	ev.Msg("sip2 request")
}

// badRequest answers 96 and hangs up after too many in a row.
func (c *conn) badRequest(start time.Time, f sip2.Frame, pe *sip2.ParseError, outcome string) {
	c.write(c.codec.Encode(sip2.Frame{Message: &sip2.SCResendRequest{}, HasChecksum: f.HasChecksum}))
	c.record(start, pe.Code, nil, outcome, pe)
	c.resends++
	if r := c.acct.policy().RetriesAllowed; r > 0 && r < 999 && c.resends >= r {
		c.log.Info().Int("consecutive_96", c.resends).Msg("sip2: closing after repeated unreadable requests")
		c.closing = true
	}
}

func (c *conn) handle(ctx context.Context, line []byte) {
	start := c.srv.now()
	f, err := c.codec.Decode(line)
	if err != nil {
		var pe *sip2.ParseError
		errors.As(err, &pe)
		c.badRequest(start, f, pe, OutcomeBadRequest)
		return
	}
	req := f.Message
	code := req.Code()
	if code != sip2.CodeACSResendRequest && code != sip2.CodeSCResendRequest && sip2.IsRequest(code) {
		c.resends = 0 // a readable request ends a run of unreadable ones
	}

	// 97 (and a stray 96): resend the last response, run nothing.
	if code == sip2.CodeACSResendRequest || code == sip2.CodeSCResendRequest {
		if c.lastResp == nil || !c.acct.Allows(sip2.CodeACSResendRequest) {
			c.write(c.codec.Encode(sip2.Frame{Message: &sip2.SCResendRequest{}, HasChecksum: f.HasChecksum}))
			c.record(start, code, nil, OutcomeBadRequest, nil)
			return
		}
		// The Koha way: no AY, a fresh AZ when checksums are in use.
		c.write(c.codec.Encode(sip2.Frame{Message: c.lastResp, HasChecksum: f.HasChecksum}))
		c.record(start, code, nil, OutcomeResent, nil)
		return
	}

	// A retransmitted duplicate: replay, do not run it twice.
	if c.retransmission(line, f, code, start) {
		c.write(c.lastRespBytes)
		c.record(start, code, req, OutcomeReplayed, nil)
		return
	}

	if code == sip2.CodeLoginRequest {
		c.login(ctx, start, line, f)
		return
	}
	if !sip2.IsRequest(code) {
		// A response code sent to us: not a request we can answer.
		c.badRequest(start, f, &sip2.ParseError{Kind: sip2.KindUnknownMessage, Code: code}, OutcomeBadRequest)
		return
	}

	now := c.srv.now()
	var resp sip2.Message
	var outcome string
	var runErr error
	switch {
	case c.sess == nil && c.trusted:
		if sess, err := c.srv.Backend.Login(ctx, c.acct, LoginInfo{Location: c.acct.Location,
			RemoteAddr: c.nc.RemoteAddr(), TLS: isTLS(c.nc), Trusted: true}); err == nil && sess != nil {
			c.sess = sess
			c.location = c.acct.Location
		} else {
			runErr = err
		}
	}
	switch {
	case c.sess == nil && code == sip2.CodeSCStatusRequest && !c.acct.DisableStatusBeforeLogin:
		resp, outcome = c.acct.StatusResponse(now), OutcomeOK
	case c.sess == nil:
		resp, outcome = failure(req, c.acct, screenText(c.acct.ScreenLanguage, textNotLoggedIn)), OutcomeUnauthenticated
	case !c.acct.Allows(code):
		resp, outcome = failure(req, c.acct, screenText(c.acct.ScreenLanguage, textDisabled)), OutcomeDisabled
	default:
		resp, runErr = c.dispatch(ctx, req)
		switch {
		case errors.Is(runErr, ErrNotSupported):
			resp, outcome = failure(req, c.acct, screenText(c.acct.ScreenLanguage, textDisabled)), OutcomeDisabled
		case runErr != nil || resp == nil:
			if runErr == nil {
				runErr = errors.New("sip2server: session returned no response")
			}
			resp, outcome = failure(req, c.acct, screenText(c.acct.ScreenLanguage, textSystemError)), OutcomeError
		default:
			outcome = OutcomeOK
			if denied(resp) {
				outcome = OutcomeDenied
			}
		}
		if r, ok := c.sess.(OutcomeReporter); ok {
			if o := r.Outcome(); o != "" && (outcome == OutcomeOK || outcome == OutcomeDenied) {
				outcome = o
			}
		}
	}
	if r, ok := req.(*sip2.SCStatusRequest); ok {
		c.printWidth = r.MaxPrintWidth
	}
	c.finish(req, resp, now)
	c.respond(line, f, resp)
	c.record(start, code, req, outcome, runErr)
}

// retransmission reports a request that repeats the last one run and is to
// be answered from its stored response. Only a sequence number tells a
// retransmission from a new request: the same bytes with the same AY are
// one. Without AY two identical requests are two requests (a patron may
// cancel, place and cancel a hold again), unless the account sets a replay
// window: then an identical request with side effects within the window is
// taken for a retransmission.
func (c *conn) retransmission(line []byte, f sip2.Frame, code string, now time.Time) bool {
	if c.acct.DisableReplay || c.lastRespBytes == nil || !bytes.Equal(line, c.lastReq) {
		return false
	}
	if f.HasSeq {
		return true
	}
	w := c.acct.ReplayWindow
	return w > 0 && hasSideEffects(code) && now.Sub(c.lastReqAt) <= w
}

// respond writes resp in the frame of its request and remembers both.
func (c *conn) respond(line []byte, f sip2.Frame, resp sip2.Message) {
	b := c.codec.Encode(sip2.Frame{Message: resp, Seq: f.Seq, HasSeq: f.HasSeq, HasChecksum: f.HasChecksum})
	c.lastReqAt = c.srv.now()
	c.lastReq = append(c.lastReq[:0], line...)
	c.lastResp = resp
	c.lastRespBytes = b
	c.write(b)
}

func isTLS(nc net.Conn) bool {
	_, ok := nc.(*tls.Conn)
	return ok
}

func hasSideEffects(code string) bool {
	switch code {
	case sip2.CodeCheckoutRequest, sip2.CodeCheckinRequest, sip2.CodeRenewRequest, sip2.CodeRenewAllRequest,
		sip2.CodeFeePaidRequest, sip2.CodeHoldRequest, sip2.CodeBlockPatronRequest, sip2.CodePatronEnableRequest,
		sip2.CodeItemStatusUpdateRequest:
		return true
	}
	return false
}

func (c *conn) login(ctx context.Context, start time.Time, line []byte, f sip2.Frame) {
	req := f.Message.(*sip2.LoginRequest)
	// A new login ends the previous one, whether it succeeds or not.
	c.endSession()
	acct, ok := (*Account)(nil), false
	if c.srv.Accounts != nil {
		acct, ok = c.srv.Accounts.Account(req.UserID)
	}
	host := hostOf(c.nc.RemoteAddr())
	throttles := c.srv.loginThrottle()
	if locked, _ := throttles.Locked(host, start); locked {
		// Not even checked: a right password from a locked address is
		// refused too, so trying reveals nothing.
		c.respond(line, f, &sip2.LoginResponse{})
		c.record(start, sip2.CodeLoginRequest, nil, OutcomeLoginThrottled,
			errors.New("sip2server: login: too many failed logins from this address"))
		c.loginFailed()
		return
	}
	var err error
	switch {
	case req.UIDAlgorithm != "0" || req.PWDAlgorithm != "0":
		err = errors.New("sip2server: login: encrypted user id or password not supported")
	case !ok || acct == nil:
		err = errors.New("sip2server: login: unknown user id")
	case subtle.ConstantTimeCompare([]byte(req.Password), []byte(acct.Password)) != 1:
		err = errors.New("sip2server: login: wrong password")
	}
	if err == nil {
		loc := req.Location
		if loc == "" {
			loc = acct.Location
		}
		var sess Session
		sess, err = c.srv.Backend.Login(ctx, acct, LoginInfo{UserID: req.UserID, Location: loc,
			RemoteAddr: c.nc.RemoteAddr(), TLS: isTLS(c.nc)})
		if err == nil && sess == nil {
			err = ErrLoginRefused
		}
		if err == nil {
			c.sess, c.acct, c.codec, c.location = sess, acct, acct.codec(), loc
		}
	}
	// A failure counts against the address before the answer goes out:
	// a client answered "wrong" cannot race its next try past the count.
	if err != nil && throttles.Fail(host, start) {
		c.log.Warn().Str("address", host).Msg("sip2: too many failed logins; logins from this address refused for a while")
	}
	resp := &sip2.LoginResponse{OK: err == nil}
	c.respond(line, f, resp)
	if err != nil {
		c.record(start, sip2.CodeLoginRequest, nil, OutcomeLoginFailed, err)
		c.loginFailed()
		return
	}
	c.loginFailures = 0
	c.record(start, sip2.CodeLoginRequest, nil, OutcomeOK, nil)
}

// loginFailed counts a failed 93 on this connection and hangs up after
// the server's limit.
func (c *conn) loginFailed() {
	c.loginFailures++
	if n := c.srv.maxLoginFailures(); n > 0 && c.loginFailures >= n {
		c.log.Info().Int("failed_logins", c.loginFailures).Msg("sip2: closing after repeated failed logins")
		c.closing = true
	}
}

// hostOf is the address without its port.
func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap().String()
	}
	return a.String()
}

func (c *conn) dispatch(ctx context.Context, m sip2.Message) (sip2.Message, error) {
	s := c.sess
	switch r := m.(type) {
	case *sip2.SCStatusRequest:
		resp, err := s.SCStatus(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.PatronStatusRequest:
		resp, err := s.PatronStatus(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.CheckoutRequest:
		resp, err := s.Checkout(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.CheckinRequest:
		resp, err := s.Checkin(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.BlockPatronRequest:
		resp, err := s.BlockPatron(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.PatronInformationRequest:
		resp, err := s.PatronInformation(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.EndPatronSessionRequest:
		resp, err := s.EndPatronSession(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.FeePaidRequest:
		resp, err := s.FeePaid(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.ItemInformationRequest:
		resp, err := s.ItemInformation(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.ItemStatusUpdateRequest:
		resp, err := s.ItemStatusUpdate(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.PatronEnableRequest:
		resp, err := s.PatronEnable(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.HoldRequest:
		resp, err := s.Hold(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.RenewRequest:
		resp, err := s.Renew(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	case *sip2.RenewAllRequest:
		resp, err := s.RenewAll(ctx, r)
		if resp == nil {
			return nil, err
		}
		return resp, err
	}
	return nil, errors.New("sip2server: no handler for " + m.Code())
}
