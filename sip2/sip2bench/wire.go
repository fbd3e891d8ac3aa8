package sip2bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// wireConn is the load generator's connection: the least a SIP2 client
// can do per message, so that the figures measure the server. A request is
// encoded into a buffer reused for every message, the response is read
// without a copy, its checksum verified when error detection is on, and
// only the bytes that say yes or no are looked at; there is no per-message
// deadline or context bookkeeping (the run's deadline is set once).
type wireConn struct {
	nc    net.Conn
	rd    *sip2.Reader
	codec sip2.Codec
	ed    bool
	seq   int
	out   []byte
	// bodies holds this second's requests encoded without their trailer.
	bodies map[request][]byte
	sec    int64
}

// Errors a response can have.
var (
	errChecksum = errors.New("sip2bench: response checksum missing or wrong")
	errAnswer   = errors.New("sip2bench: response is not the answer to the request")
)

func dialWire(ctx context.Context, o Options) (*wireConn, error) {
	var d net.Dialer
	var nc net.Conn
	var err error
	if o.TLS {
		td := tls.Dialer{NetDialer: &d, Config: &tls.Config{InsecureSkipVerify: true}}
		nc, err = td.DialContext(ctx, "tcp", o.Addr)
	} else {
		nc, err = d.DialContext(ctx, "tcp", o.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("sip2bench: dial %s: %w", o.Addr, err)
	}
	ed := sip2.ErrorDetectionOff
	if o.ErrorDetection {
		ed = sip2.ErrorDetectionRequire
	}
	c := &wireConn{nc: nc, rd: sip2.NewReader(nc, 0), ed: o.ErrorDetection, out: make([]byte, 0, 512), bodies: map[request][]byte{},
		codec: sip2.Codec{Charset: o.Charset, ErrorDetection: ed}}
	if o.User != "" {
		if dl, ok := ctx.Deadline(); ok {
			nc.SetDeadline(dl)
		}
		line, err := c.roundTrip(&sip2.LoginRequest{UIDAlgorithm: "0", PWDAlgorithm: "0", UserID: o.User, Password: o.Password, Location: o.Location})
		if err == nil && !bytes.HasPrefix(line, []byte("94")) {
			err = errAnswer
		}
		if err == nil && (len(line) < 3 || line[2] != '1') {
			err = errors.New("sip2bench: login refused")
		}
		nc.SetDeadline(time.Time{})
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("sip2bench: login as %s: %w", o.User, err)
		}
	}
	return c, nil
}

func (c *wireConn) Close() error { return c.nc.Close() }

// send sends request r dated now and returns the response line, valid
// until the next call. The request's bytes are those of the codec; within
// a second the same request is encoded once and only the trailer (AY, AZ)
// is written per message.
func (c *wireConn) send(o *Options, r request, now time.Time) ([]byte, error) {
	c.frame(o, r, now)
	return c.exchange()
}

// frame encodes request r into c.out and advances the sequence number.
func (c *wireConn) frame(o *Options, r request, now time.Time) []byte {
	if sec := now.Unix(); sec != c.sec {
		clear(c.bodies)
		c.sec = sec
	}
	body, ok := c.bodies[r]
	if !ok {
		plain := sip2.Codec{Charset: c.codec.Charset, Delimiter: c.codec.Delimiter}
		body = plain.Format(o.build(r, now))
		c.bodies[r] = body
	}
	c.out = append(c.out[:0], body...)
	if c.ed {
		c.out = append(c.out, 'A', 'Y', byte('0'+c.seq), 'A', 'Z')
		c.out = appendHex4(c.out, sip2.Checksum(c.out))
	}
	c.out = append(c.out, '\r')
	c.seq = (c.seq + 1) % 10
	return c.out
}

func appendHex4(dst []byte, v uint16) []byte {
	const digits = "0123456789ABCDEF"
	return append(dst, digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15])
}

// roundTrip sends m through the codec and returns the response line.
func (c *wireConn) roundTrip(m sip2.Message) ([]byte, error) {
	c.out = c.codec.AppendFrame(c.out[:0], sip2.Frame{Message: m, Seq: c.seq, HasSeq: c.ed, HasChecksum: c.ed})
	c.seq = (c.seq + 1) % 10
	return c.exchange()
}

// exchange writes c.out and reads the response.
func (c *wireConn) exchange() ([]byte, error) {
	if _, err := c.nc.Write(c.out); err != nil {
		return nil, err
	}
	line, err := c.rd.ReadMessage()
	if err != nil {
		return nil, err
	}
	if c.ed {
		n := len(line)
		if n < 8 || line[n-6] != 'A' || line[n-5] != 'Z' || !checksumOK(line) {
			return line, errChecksum
		}
	}
	return line, nil
}

func checksumOK(line []byte) bool {
	n := len(line)
	var want uint16
	for _, b := range line[n-4:] {
		switch {
		case b >= '0' && b <= '9':
			want = want<<4 | uint16(b-'0')
		case b >= 'A' && b <= 'F':
			want = want<<4 | uint16(b-'A'+10)
		case b >= 'a' && b <= 'f':
			want = want<<4 | uint16(b-'a'+10)
		default:
			return false
		}
	}
	return sip2.Checksum(line[:n-4]) == want
}

// answers maps a request code to its response code and the response's
// fixed-part width (after the code), per the SIP2 2.00 specification.
var answers = map[string]struct {
	code  string
	fixed int
}{
	sip2.CodeCheckoutRequest:          {"12", 22},
	sip2.CodeCheckinRequest:           {"10", 22},
	sip2.CodeItemInformationRequest:   {"18", 24},
	sip2.CodePatronInformationRequest: {"64", 59},
	sip2.CodeSCStatusRequest:          {"98", 34},
}

// verdict reads a response to a request of code req: denied when the
// server said no (ok 0, an unknown patron or item, offline, or 96).
func verdict(req string, line []byte) (denied bool, err error) {
	if len(line) < 2 {
		return false, errAnswer
	}
	if line[0] == '9' && line[1] == '6' {
		return true, nil
	}
	a, ok := answers[req]
	if !ok || line[0] != a.code[0] || line[1] != a.code[1] || len(line) < 2+a.fixed {
		return false, errAnswer
	}
	switch a.code {
	case "12", "10":
		return line[2] != '1', nil
	case "98":
		return line[2] != 'Y', nil
	case "18":
		v, found := field(line[2+a.fixed:], "AJ")
		return !found || len(v) == 0, nil
	case "64":
		v, found := field(line[2+a.fixed:], "BL")
		return found && len(v) > 0 && v[0] == 'N', nil
	}
	return false, nil
}

// reason is the screen message (AF) of a refusal, or what kind of
// refusal it was when there is none.
func reason(req string, line []byte) string {
	if len(line) >= 2 && line[0] == '9' && line[1] == '6' {
		return "96: the server asked for the request again"
	}
	if a, ok := answers[req]; ok && len(line) >= 2+a.fixed {
		if v, found := field(line[2+a.fixed:], "AF"); found && len(v) > 0 {
			return string(v)
		}
	}
	switch req {
	case sip2.CodeItemInformationRequest:
		return "item unknown (no title)"
	case sip2.CodePatronInformationRequest:
		return "patron invalid"
	case sip2.CodeSCStatusRequest:
		return "server offline"
	}
	return "refused without a screen message"
}

// field finds a variable field by its code in the fields part of a
// response.
func field(fields []byte, code string) ([]byte, bool) {
	for len(fields) > 0 {
		f := fields
		if i := bytes.IndexByte(fields, '|'); i >= 0 {
			f, fields = fields[:i], fields[i+1:]
		} else {
			fields = nil
		}
		if len(f) >= 2 && f[0] == code[0] && f[1] == code[1] {
			return f[2:], true
		}
	}
	return nil, false
}
