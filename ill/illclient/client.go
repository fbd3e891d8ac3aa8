// Package illclient sends ISO 10161 APDUs to a partner over TCP: BER on a
// connection, as ill/illserver receives them.
//
// Each Send is one connection: the APDU is written, the sending side of
// the connection is closed, and every APDU the partner answers with is
// read until it closes its side. A partner that answers nothing is
// indistinguishable from one that crashed after reading: with
// ExpectReply (bibgate partners always answer, at least with a
// Status-Or-Error-Report receipt), an APDU without an answer counts as not
// delivered and is sent again later, and the partner recognises the
// repeat by its service-date-time.
package illclient

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
)

// Defaults.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAPDUSize = 1 << 20
	maxReplies         = 16
)

// Errors of an exchange.
var (
	// ErrNoReply: the partner closed the connection without answering.
	ErrNoReply = errors.New("illclient: the partner closed the connection without an answer")
	// ErrBadReply: the partner answered with something that is not an
	// APDU we can read. The APDU sent was received.
	ErrBadReply = errors.New("illclient: unreadable answer")
)

// Client sends APDUs to one partner.
type Client struct {
	// Addr is the partner's host:port.
	Addr string
	// TLS, when set, wraps the connection (ServerName defaults to Addr's
	// host).
	TLS *tls.Config
	// Timeout bounds a whole exchange: dial, write and the answers
	// (default DefaultTimeout).
	Timeout time.Duration
	// MaxAPDUSize bounds an answer (default DefaultMaxAPDUSize).
	MaxAPDUSize int
	// ExpectReply makes an exchange without an answer an error
	// (ErrNoReply).
	ExpectReply bool
}

// Send delivers a and returns the partner's answers.
func (c *Client) Send(ctx context.Context, a ill.APDU) ([]ill.APDU, error) {
	raw, err := ill.Encode(a)
	if err != nil {
		return nil, fmt.Errorf("illclient: encode %s: %w", a.Type(), err)
	}
	return c.SendRaw(ctx, raw)
}

// SendRaw delivers one encoded APDU and returns the partner's answers.
func (c *Client) SendRaw(ctx context.Context, raw []byte) ([]ill.APDU, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return nil, fmt.Errorf("illclient: %w", err)
	}
	defer nc.Close()
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()
	conn := nc
	if c.TLS != nil {
		cfg := c.TLS.Clone()
		if cfg.ServerName == "" {
			if host, _, err := net.SplitHostPort(c.Addr); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("illclient: TLS with %s: %w", c.Addr, err)
		}
		conn = tc
	}
	if _, err := conn.Write(raw); err != nil {
		return nil, fmt.Errorf("illclient: write to %s: %w", c.Addr, err)
	}
	switch w := conn.(type) {
	case *net.TCPConn:
		err = w.CloseWrite()
	case *tls.Conn:
		err = w.CloseWrite()
	}
	if err != nil {
		return nil, fmt.Errorf("illclient: close the sending side to %s: %w", c.Addr, err)
	}
	max := c.MaxAPDUSize
	if max <= 0 {
		max = DefaultMaxAPDUSize
	}
	lim := ber.Limits{MaxSize: max}
	rd := ber.NewReader(bufio.NewReader(conn), lim)
	dec := ill.Decoder{Limits: lim}
	var out []ill.APDU
	for len(out) < maxReplies {
		b, err := rd.ReadRaw()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if len(out) > 0 {
				break // what came before was answered
			}
			return nil, fmt.Errorf("illclient: answer from %s: %w", c.Addr, err)
		}
		r, err := dec.Decode(b)
		if err != nil {
			return out, fmt.Errorf("%w from %s: %w", ErrBadReply, c.Addr, err)
		}
		out = append(out, r)
	}
	if len(out) == 0 && c.ExpectReply {
		return nil, ErrNoReply
	}
	return out, nil
}
