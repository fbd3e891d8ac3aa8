// Package z3950client is a minimal Z39.50 client: connect, Init, Search
// with a PQF or CQL query, Present records in a syntax, Close. It serves
// `bibgate bench z3950` and tests; it keeps no state beyond one association.
package z3950client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/z3950"
)

// Options configure a connection.
type Options struct {
	Timeout     time.Duration // per dial and per request; default 30s
	MaxAPDUSize int           // largest response accepted; default 16 MiB
}

// Client is one Z39.50 association. It is not safe for concurrent use.
type Client struct {
	nc      net.Conn
	rd      *ber.Reader
	lim     ber.Limits
	timeout time.Duration
	seq     int
	wbuf    []byte
	// InitResponse is the target's answer to Init.
	InitResponse *z3950.InitializeResponse
}

// ErrRefused is returned by Init when the target refuses the association.
var ErrRefused = errors.New("z3950client: init refused")

// ParseTarget splits a YAZ-style target "tcp:host:port/Database" (the
// "tcp:" prefix and the database are optional) into a dial address and a
// database name ("Default" when none is given).
func ParseTarget(target string) (addr, database string) {
	t := strings.TrimPrefix(target, "tcp:")
	addr, database, _ = strings.Cut(t, "/")
	if database == "" {
		database = "Default"
	}
	if !strings.Contains(addr, ":") {
		addr += ":210"
	}
	return addr, database
}

// Dial connects to addr ("host:port").
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	size := opts.MaxAPDUSize
	if size <= 0 {
		size = 16 << 20
	}
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("z3950client: dial %s: %w", addr, err)
	}
	lim := ber.Limits{MaxSize: size, MaxDepth: 128}
	return &Client{nc: nc, rd: ber.NewReader(nc, lim), lim: lim, timeout: timeout}, nil
}

// RoundTrip sends a request and reads the next APDU.
func (c *Client) RoundTrip(ctx context.Context, p z3950.PDU) (z3950.PDU, error) {
	deadline := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Now()) })
	defer stop()
	c.wbuf = z3950.AppendPDU(c.wbuf[:0], p, 3)
	if _, err := c.nc.Write(c.wbuf); err != nil {
		return nil, fmt.Errorf("z3950client: send %s: %w", z3950.PDUName(p.Tag()), ctxErr(ctx, err))
	}
	raw, err := c.rd.ReadRaw()
	if err != nil {
		return nil, fmt.Errorf("z3950client: read reply to %s: %w", z3950.PDUName(p.Tag()), ctxErr(ctx, err))
	}
	resp, err := z3950.Unmarshal(raw, c.lim)
	if err != nil {
		return nil, err
	}
	if cl, ok := resp.(*z3950.Close); ok && p.Tag() != z3950.TagClose {
		return cl, fmt.Errorf("z3950client: target closed the association (reason %d: %s)", cl.CloseReason, cl.DiagnosticInformation)
	}
	return resp, nil
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (c *Client) refID() []byte {
	c.seq++
	return []byte(strconv.Itoa(c.seq))
}

// InitOptions are the parameters of an InitializeRequest.
type InitOptions struct {
	User, Password        string // sent as idAuthentication open "user/password" when User is set
	Charset               string // e.g. "UTF-8": propose it by character-set negotiation
	PreferredMessageSize  int    // default 1 MiB
	ExceptionalRecordSize int    // default 4 MiB
}

// Init opens the association. A refusal returns ErrRefused wrapped with the
// target's diagnostic when it sent one.
func (c *Client) Init(ctx context.Context, o InitOptions) (*z3950.InitializeResponse, error) {
	req := &z3950.InitializeRequest{
		ReferenceID:     c.refID(),
		ProtocolVersion: ber.Bits(z3950.Version1, z3950.Version2, z3950.Version3),
		Options: ber.Bits(z3950.OptSearch, z3950.OptPresent, z3950.OptDelSet, z3950.OptScan, z3950.OptSort,
			z3950.OptNamedResultSets, z3950.OptQueryType104),
		PreferredMessageSize:  orInt(o.PreferredMessageSize, 1<<20),
		ExceptionalRecordSize: orInt(o.ExceptionalRecordSize, 4<<20),
		ImplementationID:      "bibgate",
		ImplementationName:    "bibgate z3950client",
	}
	if o.User != "" {
		req.Auth = &z3950.IDAuthentication{Kind: z3950.AuthOpen, Open: o.User + "/" + o.Password}
	}
	if o.Charset != "" {
		cs := z3950.Charset{Name: o.Charset}
		if strings.EqualFold(o.Charset, "utf-8") {
			cs = z3950.Charset{Encoding: z3950.OIDUTF8}
		}
		req.Options.Set(z3950.OptNegotiationModel)
		req.OtherInfo = []z3950.OtherInfo{z3950.CharsetInfo((&z3950.CharsetProposal{
			Charsets: []z3950.Charset{cs}, RecordsInSelectedCharsets: z3950.BoolPtr(true)}).Node())}
	}
	p, err := c.RoundTrip(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, ok := p.(*z3950.InitializeResponse)
	if !ok {
		return nil, fmt.Errorf("z3950client: init answered with %s", z3950.PDUName(p.Tag()))
	}
	c.InitResponse = resp
	if !resp.Result {
		if d, ok := z3950.InitRefusalDiagnostic(resp.UserInformationField); ok {
			return resp, fmt.Errorf("%w: %w", ErrRefused, d)
		}
		return resp, ErrRefused
	}
	return resp, nil
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// SearchOptions describe a search. Exactly one of PQF and CQL is used.
type SearchOptions struct {
	Databases []string // default "Default"
	PQF       string
	CQL       string
	ResultSet string // default "default"
	// Piggyback asks for up to this many records in the search response
	// (ZOOM style); 0 asks for none.
	Piggyback  int
	Syntax     ber.OID
	ElementSet string
}

// Search runs a query. A failed search returns the response and its
// diagnostic as the error.
func (c *Client) Search(ctx context.Context, o SearchOptions) (*z3950.SearchResponse, error) {
	req := &z3950.SearchRequest{
		ReferenceID:           c.refID(),
		ReplaceIndicator:      true,
		ResultSetName:         o.ResultSet,
		DatabaseNames:         o.Databases,
		PreferredRecordSyntax: o.Syntax,
	}
	if req.ResultSetName == "" {
		req.ResultSetName = "default"
	}
	if len(req.DatabaseNames) == 0 {
		req.DatabaseNames = []string{"Default"}
	}
	if o.Piggyback > 0 {
		req.SmallSetUpperBound = 0
		req.LargeSetLowerBound = 1<<31 - 1
		req.MediumSetPresentNumber = o.Piggyback
		req.MediumSetElementSetNames = z3950.GenericESN(o.ElementSet)
	} else {
		req.LargeSetLowerBound = 1
	}
	switch {
	case o.CQL != "":
		req.Query = z3950.Query{Kind: z3950.QueryCQL, CQL: o.CQL}
	default:
		q, err := z3950.ParsePQF(o.PQF)
		if err != nil {
			return nil, err
		}
		req.Query = z3950.Query{Kind: z3950.QueryRPN, RPN: q}
	}
	p, err := c.RoundTrip(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, ok := p.(*z3950.SearchResponse)
	if !ok {
		return nil, fmt.Errorf("z3950client: search answered with %s", z3950.PDUName(p.Tag()))
	}
	if !resp.SearchStatus {
		return resp, firstDiag(resp.Records, "search failed")
	}
	return resp, nil
}

func firstDiag(r *z3950.Records, what string) error {
	if r != nil && len(r.Diagnostics) > 0 {
		return r.Diagnostics[0]
	}
	return errors.New("z3950client: " + what)
}

// Present fetches n records from start (1-based). Records that came back
// as surrogate diagnostics are in the response; a failed present returns
// its diagnostic as the error.
func (c *Client) Present(ctx context.Context, set string, start, n int, syntax ber.OID, elementSet string) (*z3950.PresentResponse, error) {
	if set == "" {
		set = "default"
	}
	p, err := c.RoundTrip(ctx, &z3950.PresentRequest{ReferenceID: c.refID(), ResultSetID: set, ResultSetStartPoint: start,
		NumberOfRecordsRequested: n, PreferredRecordSyntax: syntax, ElementSetNames: z3950.GenericESN(elementSet)})
	if err != nil {
		return nil, err
	}
	resp, ok := p.(*z3950.PresentResponse)
	if !ok {
		return nil, fmt.Errorf("z3950client: present answered with %s", z3950.PDUName(p.Tag()))
	}
	if resp.PresentStatus == z3950.PresentFailure {
		return resp, firstDiag(resp.Records, "present failed")
	}
	return resp, nil
}

// Close ends the association politely (Close finished, wait briefly for
// the target's Close) and closes the connection.
func (c *Client) Close(ctx context.Context) error {
	_, err := c.RoundTrip(ctx, &z3950.Close{ReferenceID: c.refID(), CloseReason: z3950.CloseFinished})
	cerr := c.nc.Close()
	if err != nil {
		return err
	}
	return cerr
}

// Abort closes the connection without a Close APDU.
func (c *Client) Abort() error { return c.nc.Close() }
