package z3950server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/z3950"
)

// conn is one association.
type conn struct {
	srv  *Server
	nc   net.Conn
	br   *bufio.Reader
	rd   *ber.Reader
	lim  ber.Limits
	idle atomic.Bool

	inited  bool
	version int
	session Session
	user    string
	pms     int // negotiated preferredMessageSize
	ers     int // negotiated exceptionalRecordSize
	named   bool

	sets    map[string]*resultSet
	evicted map[string]bool
	clock   uint64
	wbuf    []byte
}

type resultSet struct {
	handle    any
	count     int
	databases []string
	lastUse   uint64
}

func newConn(s *Server, nc net.Conn, br *bufio.Reader) *conn {
	lim := ber.Limits{MaxSize: orInt(s.MaxAPDUSize, DefaultMaxAPDUSize), MaxDepth: orInt(s.MaxDepth, DefaultMaxDepth)}
	return &conn{srv: s, nc: nc, br: br, rd: ber.NewReader(br, lim), lim: lim, version: 3,
		sets: map[string]*resultSet{}, evicted: map[string]bool{}}
}

// interruptIfIdle makes a connection blocked waiting for a request notice
// the shutdown; a busy one notices when its request is done.
func (c *conn) interruptIfIdle() {
	if c.idle.Load() {
		c.nc.SetReadDeadline(time.Now())
	}
}

func (c *conn) log() *zerolog.Logger { return &c.srv.Logger }

func (c *conn) serve(ctx context.Context) {
	defer c.nc.Close()
	defer func() {
		if cl, ok := c.session.(Closer); ok {
			if err := cl.Close(); err != nil {
				c.log().Warn().Err(err).Str("proto", "z3950").Msg("session close")
			}
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			c.log().Error().Str("proto", "z3950").Str("remote", c.nc.RemoteAddr().String()).
				Str("panic", fmt.Sprint(r)).Msg("panic serving connection")
			c.sendClose(nil, z3950.CloseSystemProblem, "internal error")
		}
	}()
	for {
		timeout := orDur(c.srv.IdleTimeout, DefaultIdleTimeout)
		if !c.inited {
			timeout = orDur(c.srv.InitTimeout, DefaultInitTimeout)
		}
		c.nc.SetReadDeadline(time.Now().Add(timeout))
		c.idle.Store(true)
		if c.srv.shutdown.Load() {
			c.sendClose(nil, z3950.CloseShutdown, "server shutting down")
			return
		}
		raw, err := c.rd.ReadRaw()
		c.idle.Store(false)
		if err != nil {
			c.readFailed(err)
			return
		}
		start := time.Now()
		pdu, err := z3950.Unmarshal(raw, c.lim)
		if err != nil {
			c.metric("malformed", "protocolError", start)
			c.log().Info().Str("proto", "z3950").Str("remote", c.nc.RemoteAddr().String()).Err(err).Msg("malformed APDU")
			c.sendClose(nil, z3950.CloseProtocolError, "malformed APDU")
			return
		}
		if !c.dispatch(ctx, pdu, start) {
			return
		}
	}
}

func (c *conn) readFailed(err error) {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
	case errors.As(err, &ne) && ne.Timeout():
		if c.srv.shutdown.Load() {
			c.sendClose(nil, z3950.CloseShutdown, "server shutting down")
		} else {
			c.metric("timeout", "lackOfActivity", time.Now())
			c.sendClose(nil, z3950.CloseLackOfActivity, "idle timeout")
		}
	case errors.Is(err, ber.ErrTooLarge), errors.Is(err, ber.ErrTooDeep), errors.Is(err, ber.ErrSyntax):
		c.metric("malformed", "protocolError", time.Now())
		c.log().Info().Str("proto", "z3950").Str("remote", c.nc.RemoteAddr().String()).Err(err).Msg("bad APDU")
		c.sendClose(nil, z3950.CloseProtocolError, err.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
	default:
		c.log().Debug().Str("proto", "z3950").Err(err).Msg("read")
	}
}

func (c *conn) metric(pdu, outcome string, start time.Time) {
	c.srv.metrics.requests.WithLabelValues(pdu, outcome).Inc()
	c.srv.metrics.latency.WithLabelValues(pdu).Observe(time.Since(start).Seconds())
}

func (c *conn) write(p z3950.PDU) error {
	c.wbuf = z3950.AppendPDU(c.wbuf[:0], p, c.version)
	c.nc.SetWriteDeadline(time.Now().Add(orDur(c.srv.WriteTimeout, DefaultWriteTimeout)))
	_, err := c.nc.Write(c.wbuf)
	if cap(c.wbuf) > 1<<20 {
		c.wbuf = nil // do not pin a large buffer to an idle connection
	}
	return err
}

func (c *conn) sendClose(refID []byte, reason int, info string) {
	_ = c.write(&z3950.Close{ReferenceID: refID, CloseReason: reason, DiagnosticInformation: info})
}

// event is the one log line of a request.
type event struct {
	outcome string
	diag    *z3950.Diagnostic
	fields  func(*zerolog.Event)
}

// dispatch handles one request; false ends the connection.
func (c *conn) dispatch(ctx context.Context, pdu z3950.PDU, start time.Time) bool {
	name := z3950.PDUName(pdu.Tag())
	var (
		resp z3950.PDU
		ev   event
		keep = true
	)
	switch p := pdu.(type) {
	case *z3950.InitializeRequest:
		if c.inited {
			resp, ev, keep = &z3950.Close{ReferenceID: p.ReferenceID, CloseReason: z3950.CloseProtocolError,
				DiagnosticInformation: "second initRequest"}, event{outcome: "protocolError"}, false
			break
		}
		resp, ev, keep = c.handleInit(ctx, p)
	case *z3950.Close:
		resp, ev, keep = &z3950.Close{ReferenceID: p.ReferenceID, CloseReason: z3950.CloseFinished,
			DiagnosticInformation: "association closed by client"}, event{outcome: "ok"}, false
	default:
		if !c.inited {
			resp, ev, keep = &z3950.Close{ReferenceID: pdu.RefID(), CloseReason: z3950.CloseProtocolError,
				DiagnosticInformation: "initRequest expected"}, event{outcome: "protocolError"}, false
			break
		}
		switch p := pdu.(type) {
		case *z3950.SearchRequest:
			resp, ev = c.handleSearch(ctx, p)
		case *z3950.PresentRequest:
			resp, ev = c.handlePresent(ctx, p)
		case *z3950.DeleteResultSetRequest:
			resp, ev = c.handleDelete(p)
		case *z3950.ScanRequest:
			resp, ev = c.handleScan(ctx, p)
		case *z3950.SortRequest:
			resp, ev = c.handleSort(ctx, p)
		default:
			resp, ev, keep = &z3950.Close{ReferenceID: pdu.RefID(), CloseReason: z3950.CloseProtocolError,
				DiagnosticInformation: "unsupported APDU " + name}, event{outcome: "protocolError"}, false
		}
	}
	err := c.write(resp)
	c.metric(name, ev.outcome, start)
	le := c.log().Info()
	if ev.outcome != "ok" && ev.outcome != "diagnostic" {
		le = c.log().Warn()
	}
	if le.Enabled() {
		le = le.Str("proto", "z3950").Str("remote", c.nc.RemoteAddr().String()).Str("user", c.user).
			Str("pdu", name).Str("outcome", ev.outcome).Dur("latency", time.Since(start))
		if ev.diag != nil {
			le = le.Int("diag", ev.diag.Condition).Str("addinfo", ev.diag.AddInfo)
		}
		if ev.fields != nil {
			ev.fields(le)
		}
		if err != nil {
			le = le.AnErr("write", err)
		}
		le.Msg("request")
	}
	return keep && err == nil
}

// asDiagnostic turns a backend error into a diagnostic.
func (c *conn) asDiagnostic(err error, what string) *z3950.Diagnostic {
	var d *z3950.Diagnostic
	if errors.As(err, &d) {
		return d
	}
	c.log().Error().Str("proto", "z3950").Str("op", what).Err(err).Msg("backend error")
	return z3950.NewDiagnostic(z3950.DiagTemporarySystemError, what)
}

func (c *conn) handleInit(ctx context.Context, p *z3950.InitializeRequest) (z3950.PDU, event, bool) {
	s := c.srv
	resp := &z3950.InitializeResponse{
		ReferenceID:           p.ReferenceID,
		ImplementationID:      orStr(s.ImplementationID, "bibgate"),
		ImplementationName:    orStr(s.ImplementationName, "bibgate"),
		ImplementationVersion: orStr(s.ImplementationVersion, "dev"),
	}
	switch {
	case p.ProtocolVersion.At(z3950.Version3):
		c.version = 3
		resp.ProtocolVersion = ber.Bits(z3950.Version1, z3950.Version2, z3950.Version3)
	case p.ProtocolVersion.At(z3950.Version2), p.ProtocolVersion.At(z3950.Version1):
		c.version = 2
		resp.ProtocolVersion = ber.Bits(z3950.Version1, z3950.Version2)
	default:
		resp.ProtocolVersion = ber.Bits(z3950.Version1, z3950.Version2, z3950.Version3)
		resp.Options = ber.Bits()
		resp.UserInformationField = z3950.InitRefusal(z3950.NewDiagnostic(z3950.DiagInitRefused, "no common protocol version"), 3)
		return resp, event{outcome: "refused"}, false
	}
	resp.PreferredMessageSize = clampSize(p.PreferredMessageSize, orInt(s.PreferredMessageSize, DefaultPreferredMessageSize))
	resp.ExceptionalRecordSize = clampSize(p.ExceptionalRecordSize, orInt(s.MaxRecordSize, DefaultMaxRecordSize))
	c.pms, c.ers = resp.PreferredMessageSize, resp.ExceptionalRecordSize

	info := InitInfo{
		ImplementationID:      p.ImplementationID,
		ImplementationName:    p.ImplementationName,
		ImplementationVersion: p.ImplementationVersion,
		RemoteAddr:            c.nc.RemoteAddr(),
		Request:               p,
		Anonymous:             p.Auth == nil || p.Auth.Kind == z3950.AuthAnonymous,
	}
	info.User, info.Group, info.Password = p.Auth.Credentials()

	var charsetAnswered bool
	if prop, ok := z3950.FindCharsetProposal(p.OtherInfo); ok && c.version == 3 {
		cr := &z3950.CharsetResponse{}
		for _, cs := range prop.Charsets {
			if cs.IsUTF8() {
				cr.Selected = &z3950.Charset{Encoding: z3950.OIDUTF8}
				cr.RecordsInSelectedCharsets = z3950.BoolPtr(true)
				info.Charset = "UTF-8"
				break
			}
		}
		resp.OtherInfo = append(resp.OtherInfo, z3950.CharsetInfo(cr.Node()))
		charsetAnswered = true
	}

	sess, err := s.Backend.Init(ctx, info)
	if err != nil {
		var d *z3950.Diagnostic
		if !errors.As(err, &d) {
			c.log().Error().Str("proto", "z3950").Err(err).Msg("backend init")
			d = z3950.NewDiagnostic(z3950.DiagAuthSystemError, "")
		}
		resp.Options = ber.Bits()
		resp.Result = false
		resp.OtherInfo = nil
		resp.UserInformationField = z3950.InitRefusal(d, c.version)
		// The log gets the condition only: the addinfo of a refused init
		// may be what the client sent as its user, and that may hold its
		// password.
		logged := *d
		logged.AddInfo = ""
		return resp, event{outcome: "refused", diag: &logged}, false
	}
	if sess == nil {
		d := z3950.NewDiagnostic(z3950.DiagInitRefused, "")
		resp.Options = ber.Bits()
		resp.UserInformationField = z3950.InitRefusal(d, c.version)
		return resp, event{outcome: "refused", diag: d}, false
	}
	c.session = sess
	c.inited = true
	c.user = info.User // logged from now on: a user the backend accepted, never before
	c.named = p.Options.At(z3950.OptNamedResultSets)

	offered := []int{z3950.OptSearch, z3950.OptPresent, z3950.OptDelSet, z3950.OptNamedResultSets, z3950.OptQueryType104}
	if _, ok := sess.(Scanner); ok {
		offered = append(offered, z3950.OptScan)
	}
	if _, ok := sess.(Sorter); ok {
		offered = append(offered, z3950.OptSort)
	}
	if charsetAnswered {
		offered = append(offered, z3950.OptNegotiationModel)
	}
	for _, bit := range offered {
		if p.Options.At(bit) {
			resp.Options.Set(bit)
		}
	}
	if resp.Options.Len == 0 {
		resp.Options = ber.Bits()
	}
	resp.Result = true
	return resp, event{outcome: "ok", fields: func(e *zerolog.Event) {
		e.Int("version", c.version).Str("client", p.ImplementationName).Str("charset", info.Charset)
	}}, true
}

func clampSize(asked, limit int) int {
	if asked <= 0 || asked > limit {
		return limit
	}
	return asked
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// lookup finds a result set; the diagnostic says why not.
func (c *conn) lookup(name string) (*resultSet, *z3950.Diagnostic) {
	rs, ok := c.sets[name]
	if !ok {
		if c.evicted[name] {
			return nil, z3950.NewDiagnostic(z3950.DiagResultSetDeleted, name)
		}
		return nil, z3950.NewDiagnostic(z3950.DiagResultSetMissing, name)
	}
	c.clock++
	rs.lastUse = c.clock
	return rs, nil
}

// peek returns a result set's handle for a resultSet operand in a query.
func (c *conn) peek(name string) (any, bool) {
	rs, d := c.lookup(name)
	if d != nil {
		return nil, false
	}
	return rs.handle, true
}

func (c *conn) store(name string, rs *resultSet) {
	if !c.named {
		clear(c.sets)
	}
	delete(c.evicted, name)
	if _, exists := c.sets[name]; !exists {
		for len(c.sets) >= orInt(c.srv.MaxResultSets, DefaultMaxResultSets) {
			oldest, oldestUse := "", ^uint64(0)
			for n, s := range c.sets {
				if s.lastUse < oldestUse {
					oldest, oldestUse = n, s.lastUse
				}
			}
			delete(c.sets, oldest)
			if len(c.evicted) > 1000 {
				clear(c.evicted)
			}
			c.evicted[oldest] = true
		}
	}
	c.clock++
	rs.lastUse = c.clock
	c.sets[name] = rs
}

func (c *conn) handleSearch(ctx context.Context, p *z3950.SearchRequest) (z3950.PDU, event) {
	resp := &z3950.SearchResponse{ReferenceID: p.ReferenceID}
	name := p.ResultSetName
	if name == "" {
		name = "default"
	}
	fail := func(d *z3950.Diagnostic) (z3950.PDU, event) {
		resp.SearchStatus = false
		resp.ResultSetStatus = z3950.IntPtr(z3950.ResultSetNone)
		resp.Records = &z3950.Records{Diagnostics: []*z3950.Diagnostic{d}}
		return resp, event{outcome: "diagnostic", diag: d, fields: func(e *zerolog.Event) { e.Str("set", name) }}
	}
	if _, exists := c.sets[name]; exists && !p.ReplaceIndicator && c.named {
		return fail(z3950.NewDiagnostic(z3950.DiagResultSetExists, name))
	}
	if p.Query.Kind != z3950.QueryRPN && p.Query.Kind != z3950.QueryCQL {
		delete(c.sets, name)
		return fail(z3950.NewDiagnostic(z3950.DiagUnsupportedQueryType, fmt.Sprint(p.Query.Type)))
	}
	if p.Query.Kind == z3950.QueryRPN && (p.Query.RPN == nil || p.Query.RPN.Root == nil) {
		delete(c.sets, name)
		return fail(z3950.NewDiagnostic(z3950.DiagMalformedQuery, ""))
	}
	res, err := c.session.Search(ctx, SearchArgs{ResultSetName: name, Databases: p.DatabaseNames, Query: p.Query, Request: p,
		LookupResultSet: c.peek})
	if err != nil {
		delete(c.sets, name)
		return fail(c.asDiagnostic(err, "search"))
	}
	rs := &resultSet{handle: res.Handle, count: res.Count, databases: p.DatabaseNames}
	c.store(name, rs)
	resp.SearchStatus = true
	resp.ResultCount = res.Count

	n, esn := 0, ""
	switch {
	case res.Count <= p.SmallSetUpperBound:
		n, esn = res.Count, p.SmallSetElementSetNames.Name()
	case res.Count < p.LargeSetLowerBound:
		n, esn = min(p.MediumSetPresentNumber, res.Count), p.MediumSetElementSetNames.Name()
	}
	if n > 0 {
		pr := c.present(ctx, rs, 1, n, p.PreferredRecordSyntax, esn)
		resp.Records = pr.records
		resp.NumberOfRecordsReturned = pr.returned
		resp.NextResultSetPosition = pr.next
		resp.PresentStatus = z3950.IntPtr(pr.status)
	} else if res.Count > 0 {
		resp.NextResultSetPosition = 1
	}
	query := p.Query.CQL
	if p.Query.Kind == z3950.QueryRPN {
		query = z3950.FormatPQF(p.Query.RPN)
	}
	return resp, event{outcome: "ok", fields: func(e *zerolog.Event) {
		e.Str("set", name).Strs("db", p.DatabaseNames).Int("hits", res.Count).Int("returned", resp.NumberOfRecordsReturned)
		if c.srv.Logger.GetLevel() <= zerolog.DebugLevel {
			e.Str("query", query)
		}
	}}
}

type presentResult struct {
	records  *z3950.Records
	returned int
	next     int
	status   int
	diag     *z3950.Diagnostic
}

// present fetches records start..start+n-1 and applies the message-size
// rules: records are added while the message stays within the preferred
// message size; a record that alone exceeds it is sent only when it was the
// only one asked for (else surrogate 16), and one over the exceptional
// record size never (surrogate 17).
func (c *conn) present(ctx context.Context, rs *resultSet, start, n int, syntax ber.OID, esn string) presentResult {
	failed := func(d *z3950.Diagnostic) presentResult {
		return presentResult{records: &z3950.Records{Diagnostics: []*z3950.Diagnostic{d}}, next: start,
			status: z3950.PresentFailure, diag: d}
	}
	if start < 1 || start > rs.count {
		return failed(z3950.NewDiagnostic(z3950.DiagPresentOutOfRange, fmt.Sprint(start)))
	}
	if n <= 0 {
		return presentResult{next: start, status: z3950.PresentSuccess}
	}
	want := min(n, rs.count-start+1)
	fetch := min(want, orInt(c.srv.MaxPresent, DefaultMaxPresent))
	if syntax == "" {
		syntax = z3950.OIDUSMARC
	}
	recs, err := c.session.Records(ctx, RecordsArgs{Handle: rs.handle, Databases: rs.databases, Start: start,
		Count: fetch, Syntax: syntax, ElementSet: esn})
	if err != nil {
		return failed(c.asDiagnostic(err, "present"))
	}
	if len(recs) > fetch {
		recs = recs[:fetch]
	}
	out := presentResult{records: &z3950.Records{Records: make([]z3950.NamePlusRecord, 0, len(recs))}, status: z3950.PresentSuccess}
	const overhead = 64 // PDU header and counters
	total := overhead
	db := ""
	if len(rs.databases) > 0 {
		db = rs.databases[0]
	}
	for i, r := range recs {
		npr := z3950.NamePlusRecord{Database: orStr(r.Database, db), Record: r.External, Diagnostic: r.Diagnostic}
		if npr.Record == nil && npr.Diagnostic == nil {
			npr.Diagnostic = z3950.NewDiagnostic(z3950.DiagErrorPresentingRecord, fmt.Sprint(start+i))
		}
		size := npr.EncodedSize(c.version)
		if npr.Diagnostic == nil {
			switch {
			case size > c.ers:
				npr = z3950.NamePlusRecord{Database: npr.Database, Diagnostic: z3950.NewDiagnostic(z3950.DiagRecordTooLarge, fmt.Sprint(start+i))}
				size = npr.EncodedSize(c.version)
			case size+overhead > c.pms && want > 1:
				npr = z3950.NamePlusRecord{Database: npr.Database, Diagnostic: z3950.NewDiagnostic(z3950.DiagRecordTooLargeForMessage, fmt.Sprint(start+i))}
				size = npr.EncodedSize(c.version)
			case total+size > c.pms && i > 0:
				out.status = z3950.PresentPartial2
				out.next = start + i
				out.returned = i
				return out
			}
		}
		if npr.Diagnostic != nil && out.status == z3950.PresentSuccess {
			out.status = z3950.PresentPartial4
		}
		total += size
		out.records.Records = append(out.records.Records, npr)
	}
	out.returned = len(out.records.Records)
	out.next = start + out.returned
	if out.returned < want && out.status == z3950.PresentSuccess {
		out.status = z3950.PresentPartial2
	}
	return out
}

func (c *conn) handlePresent(ctx context.Context, p *z3950.PresentRequest) (z3950.PDU, event) {
	resp := &z3950.PresentResponse{ReferenceID: p.ReferenceID}
	name := p.ResultSetID
	if name == "" {
		name = "default"
	}
	failWith := func(d *z3950.Diagnostic) (z3950.PDU, event) {
		resp.PresentStatus = z3950.PresentFailure
		resp.NextResultSetPosition = p.ResultSetStartPoint
		resp.Records = &z3950.Records{Diagnostics: []*z3950.Diagnostic{d}}
		return resp, event{outcome: "diagnostic", diag: d, fields: func(e *zerolog.Event) { e.Str("set", name) }}
	}
	switch {
	case len(p.AdditionalRanges) > 0:
		return failWith(z3950.NewDiagnostic(z3950.DiagUnsupportedAddRanges, ""))
	case p.CompSpec != nil:
		return failWith(z3950.NewDiagnostic(z3950.DiagUnsupportedCompSpec, ""))
	}
	rs, d := c.lookup(name)
	if d != nil {
		return failWith(d)
	}
	pr := c.present(ctx, rs, p.ResultSetStartPoint, p.NumberOfRecordsRequested, p.PreferredRecordSyntax, p.ElementSetNames.Name())
	resp.Records = pr.records
	resp.NumberOfRecordsReturned = pr.returned
	resp.NextResultSetPosition = pr.next
	resp.PresentStatus = pr.status
	outcome := "ok"
	if pr.diag != nil {
		outcome = "diagnostic"
	}
	syntax := p.PreferredRecordSyntax
	if syntax == "" {
		syntax = z3950.OIDUSMARC
	}
	return resp, event{outcome: outcome, diag: pr.diag, fields: func(e *zerolog.Event) {
		e.Str("set", name).Int("start", p.ResultSetStartPoint).Int("requested", p.NumberOfRecordsRequested).
			Int("returned", pr.returned).Str("syntax", z3950.SyntaxName(syntax)).Int("status", pr.status)
	}}
}

func (c *conn) handleDelete(p *z3950.DeleteResultSetRequest) (z3950.PDU, event) {
	resp := &z3950.DeleteResultSetResponse{ReferenceID: p.ReferenceID}
	if p.DeleteFunction == z3950.DeleteAll {
		n := len(c.sets)
		clear(c.sets)
		return resp, event{outcome: "ok", fields: func(e *zerolog.Event) { e.Int("deleted", n) }}
	}
	resp.DeleteListStatuses = []z3950.DeleteStatus{}
	failed := 0
	for _, name := range p.ResultSetList {
		st := z3950.DeleteSuccess
		switch {
		case c.sets[name] != nil:
			delete(c.sets, name)
		case c.evicted[name]:
			st = z3950.DeletePreviouslyDeleted
		default:
			st = z3950.DeleteNotExist
		}
		if st != z3950.DeleteSuccess {
			failed++
			resp.DeleteOperationStatus = st
		}
		resp.DeleteListStatuses = append(resp.DeleteListStatuses, z3950.DeleteStatus{ID: name, Status: st})
	}
	if failed > 1 || (failed == 1 && len(p.ResultSetList) > 1) {
		resp.DeleteOperationStatus = z3950.DeleteNotAllRequested
	}
	return resp, event{outcome: "ok", fields: func(e *zerolog.Event) {
		e.Strs("sets", p.ResultSetList).Int("status", resp.DeleteOperationStatus)
	}}
}

func (c *conn) handleScan(ctx context.Context, p *z3950.ScanRequest) (z3950.PDU, event) {
	resp := &z3950.ScanResponse{ReferenceID: p.ReferenceID, StepSize: p.StepSize}
	fail := func(d *z3950.Diagnostic) (z3950.PDU, event) {
		resp.ScanStatus = z3950.ScanFailure
		resp.Diagnostics = []*z3950.Diagnostic{d}
		return resp, event{outcome: "diagnostic", diag: d}
	}
	sc, ok := c.session.(Scanner)
	if !ok {
		return fail(z3950.NewDiagnostic(z3950.DiagUnsupportedSearch, "scan"))
	}
	max := orInt(c.srv.MaxScanTerms, DefaultMaxScanTerms)
	if p.NumberOfTermsRequested > max {
		return fail(z3950.NewDiagnostic(z3950.DiagTooManyScanTerms, fmt.Sprint(max)))
	}
	if p.NumberOfTermsRequested < 0 {
		return fail(z3950.NewDiagnostic(z3950.DiagMalformedScan, "numberOfTermsRequested"))
	}
	args := ScanArgs{Databases: p.DatabaseNames, AttributeSet: p.AttributeSet, Term: p.TermListAndStartPoint,
		Count: p.NumberOfTermsRequested, Position: 1}
	if args.AttributeSet == "" {
		args.AttributeSet = z3950.OIDBib1Attributes
	}
	if p.StepSize != nil {
		args.StepSize = *p.StepSize
	}
	if p.PreferredPositionInResponse != nil {
		args.Position = *p.PreferredPositionInResponse
	}
	res, err := sc.Scan(ctx, args)
	if err != nil {
		return fail(c.asDiagnostic(err, "scan"))
	}
	terms := res.Terms
	if len(terms) > max {
		terms = terms[:max]
	}
	resp.Entries = make([]z3950.ScanEntry, 0, len(terms))
	for _, t := range terms {
		e := z3950.ScanEntry{Term: z3950.GeneralTerm(t.Term), DisplayTerm: t.DisplayTerm, GlobalOccurrences: z3950.IntPtr(t.Count)}
		resp.Entries = append(resp.Entries, e)
	}
	resp.NumberOfEntriesReturned = len(terms)
	if res.Position > 0 {
		resp.PositionOfTerm = z3950.IntPtr(res.Position)
	}
	resp.ScanStatus = res.Status
	if res.Status == 0 && len(terms) < p.NumberOfTermsRequested {
		resp.ScanStatus = z3950.ScanPartial5
	}
	return resp, event{outcome: "ok", fields: func(e *zerolog.Event) {
		e.Str("term", p.TermListAndStartPoint.Term.String()).Int("entries", len(terms))
	}}
}

func (c *conn) handleSort(ctx context.Context, p *z3950.SortRequest) (z3950.PDU, event) {
	resp := &z3950.SortResponse{ReferenceID: p.ReferenceID}
	fail := func(d *z3950.Diagnostic) (z3950.PDU, event) {
		resp.SortStatus = z3950.SortFailure
		resp.ResultSetStatus = z3950.IntPtr(4)
		if _, ok := c.sets[p.SortedResultSetName]; ok {
			resp.ResultSetStatus = z3950.IntPtr(3)
		}
		resp.Diagnostics = []*z3950.Diagnostic{d}
		return resp, event{outcome: "diagnostic", diag: d}
	}
	so, ok := c.session.(Sorter)
	if !ok {
		return fail(z3950.NewDiagnostic(z3950.DiagUnsupportedSort, "sort"))
	}
	if p.SortedResultSetName == "" {
		return fail(z3950.NewDiagnostic(208, ""))
	}
	if len(p.InputResultSetNames) == 0 {
		return fail(z3950.NewDiagnostic(z3950.DiagResultSetMissing, ""))
	}
	args := SortArgs{Output: p.SortedResultSetName, Keys: p.SortSequence}
	var dbs []string
	for _, name := range p.InputResultSetNames {
		rs, d := c.lookup(name)
		if d != nil {
			return fail(d)
		}
		dbs = append(dbs, rs.databases...)
		args.Inputs = append(args.Inputs, SortInput{Name: name, Handle: rs.handle, Count: rs.count})
	}
	res, err := so.Sort(ctx, args)
	if err != nil {
		return fail(c.asDiagnostic(err, "sort"))
	}
	c.store(p.SortedResultSetName, &resultSet{handle: res.Handle, count: res.Count, databases: dbs})
	resp.SortStatus = z3950.SortSuccess
	resp.ResultCount = z3950.IntPtr(res.Count)
	return resp, event{outcome: "ok", fields: func(e *zerolog.Event) {
		e.Str("input", strings.Join(p.InputResultSetNames, ",")).Str("output", p.SortedResultSetName).Int("hits", res.Count)
	}}
}
