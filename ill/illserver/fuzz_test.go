package illserver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
)

// bufConn is a connection that reads the given octets, then EOF, and
// keeps what is written.
type bufConn struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (c *bufConn) Read(b []byte) (int, error)       { return c.in.Read(b) }
func (c *bufConn) Write(b []byte) (int, error)      { return c.out.Write(b) }
func (c *bufConn) Close() error                     { return nil }
func (c *bufConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *bufConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *bufConn) SetDeadline(time.Time) error      { return nil }
func (c *bufConn) SetReadDeadline(time.Time) error  { return nil }
func (c *bufConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzServe feeds a connection arbitrary octets: the server never
// panics, ends when the input does, and everything it writes back is a
// decodable APDU.
func FuzzServe(f *testing.F) {
	for _, name := range []string{"ill-request-loan.ber", "ill-request-no-params.ber"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(append(b, b...))
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{0x04, 0x03, 'a', 'b', 'c'})
	f.Add([]byte{0x61, 0x02, 0x30, 0x00})
	f.Add([]byte{0x61, 0xff})
	f.Add([]byte{0x61, 0x84, 0x7f, 0xff, 0xff, 0xff})
	s := &Server{Backend: &ackBackend{}, Logger: zerolog.Nop(), MaxAPDUSize: 1 << 16}
	s.init()
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &bufConn{in: bytes.NewReader(in)}
		s.serveConn(context.Background(), c)
		rd := ber.NewReader(&c.out, ber.Limits{})
		for {
			raw, err := rd.ReadRaw()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("the server wrote something that is not BER: %v", err)
			}
			if _, err := ill.Decode(raw); err != nil {
				t.Fatalf("the server wrote an undecodable APDU: %v", err)
			}
		}
	})
}
