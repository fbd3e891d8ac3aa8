// Package sip2client is a small SIP2 client: it dials an ACS, logs in and
// sends typed messages, handling sequence numbers, checksums, 96 (resend
// the request) and responses that fail their checksum (ask with 97).
package sip2client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// Options configure a client.
type Options struct {
	TLS        *tls.Config  // dial with TLS when set
	Charset    sip2.Charset // wire charset (default UTF-8)
	Terminator string       // "\r" (default) or "\r\n"
	Delimiter  byte         // default '|'
	// ErrorDetection sends AY/AZ with every request and verifies responses.
	ErrorDetection bool
	// Retries is how often a request is sent again after a 96 or a bad
	// response checksum (default 3).
	Retries        int
	MaxMessageSize int           // default 64 KiB
	Timeout        time.Duration // per request when ctx has no deadline; default 30s
}

// Client is one SIP2 connection. It is not safe for concurrent use.
type Client struct {
	conn  net.Conn
	rd    *sip2.Reader
	codec sip2.Codec
	opts  Options
	seq   int
}

// ErrLoginFailed is returned by Login when the ACS answers 940.
var ErrLoginFailed = errors.New("sip2client: login refused")

// Dial connects to addr.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	var d net.Dialer
	var conn net.Conn
	var err error
	if opts.TLS != nil {
		td := tls.Dialer{NetDialer: &d, Config: opts.TLS}
		conn, err = td.DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("sip2client: dial %s: %w", addr, err)
	}
	return NewClient(conn, opts), nil
}

// NewClient wraps an established connection.
func NewClient(conn net.Conn, opts Options) *Client {
	if opts.Retries == 0 {
		opts.Retries = 3
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	ed := sip2.ErrorDetectionOff
	if opts.ErrorDetection {
		ed = sip2.ErrorDetectionRequire
	}
	return &Client{conn: conn, rd: sip2.NewReader(conn, opts.MaxMessageSize), opts: opts,
		codec: sip2.Codec{Charset: opts.Charset, Terminator: opts.Terminator, Delimiter: opts.Delimiter, ErrorDetection: ed}}
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Login sends 93 with clear-text user id and password.
func (c *Client) Login(ctx context.Context, user, password, location string) error {
	resp, err := c.Send(ctx, &sip2.LoginRequest{UIDAlgorithm: "0", PWDAlgorithm: "0", UserID: user, Password: password, Location: location})
	if err != nil {
		return err
	}
	lr, ok := resp.(*sip2.LoginResponse)
	if !ok {
		return fmt.Errorf("sip2client: login answered with %s", resp.Code())
	}
	if !lr.OK {
		return ErrLoginFailed
	}
	return nil
}

// Send writes a request and returns the response. A 96 from the ACS makes
// it send the request again; a response that fails its checksum is asked
// for again with 97; both up to Options.Retries times.
func (c *Client) Send(ctx context.Context, req sip2.Message) (sip2.Message, error) {
	if deadline, ok := ctx.Deadline(); ok {
		c.conn.SetDeadline(deadline)
	} else {
		c.conn.SetDeadline(time.Now().Add(c.opts.Timeout))
	}
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	frame := sip2.Frame{Message: req, Seq: c.seq, HasSeq: c.opts.ErrorDetection, HasChecksum: c.opts.ErrorDetection}
	c.seq = (c.seq + 1) % 10
	out := c.codec.Encode(frame)
	for attempt := 0; ; attempt++ {
		if _, err := c.conn.Write(out); err != nil {
			return nil, c.wrap(ctx, "write", err)
		}
		line, err := c.rd.ReadMessage()
		if err != nil {
			return nil, c.wrap(ctx, "read", err)
		}
		f, err := c.codec.Decode(line)
		var pe *sip2.ParseError
		switch {
		case err == nil && f.Message.Code() == sip2.CodeSCResendRequest && req.Code() != sip2.CodeACSResendRequest:
			if attempt >= c.opts.Retries {
				return nil, fmt.Errorf("sip2client: %s: the ACS asked for a resend %d times", sip2.Name(req.Code()), attempt+1)
			}
			continue
		case err == nil:
			return f.Message, nil
		case errors.As(err, &pe) && pe.Kind == sip2.KindChecksum && attempt < c.opts.Retries:
			out = c.codec.Encode(sip2.Frame{Message: &sip2.ACSResendRequest{}, HasChecksum: true})
			continue
		default:
			return nil, fmt.Errorf("sip2client: %s: response: %w", sip2.Name(req.Code()), err)
		}
	}
}

func (c *Client) wrap(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("sip2client: %s: %w", op, ctx.Err())
	}
	var ne net.Error
	if d, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(d) {
		return fmt.Errorf("sip2client: %s: %w", op, context.DeadlineExceeded)
	}
	return fmt.Errorf("sip2client: %s: %w", op, err)
}
