package sip2

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns its input in the given chunk sizes, then EOF.
type chunkReader struct {
	data   string
	chunks []int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.data == "" {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.chunks) > 0 {
		n = min(c.chunks[0], n)
		c.chunks = c.chunks[1:]
	}
	n = copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func readAll(t *testing.T, r *Reader) (msgs []string, errs []error) {
	t.Helper()
	for {
		b, err := r.ReadMessage()
		if err == io.EOF {
			return msgs, errs
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				errs = append(errs, err)
				return msgs, errs
			}
			errs = append(errs, err)
			msgs = append(msgs, "<error>")
			continue
		}
		msgs = append(msgs, string(b))
	}
}

func TestReaderFraming(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		chunks []int
		want   []string
	}{
		{"CR", "9900302.00\r9300CNa|COb|\r", nil, []string{"9900302.00", "9300CNa|COb|"}},
		{"CRLF", "9900302.00\r\n9300CNa|COb|\r\n", nil, []string{"9900302.00", "9300CNa|COb|"}},
		{"LF", "9900302.00\n9300CNa|COb|\n", nil, []string{"9900302.00", "9300CNa|COb|"}},
		{"CRLF split across reads", "9900302.00\r\n9300CNa|COb|\r\n", []int{11, 1, 5}, []string{"9900302.00", "9300CNa|COb|"}},
		{"byte by byte", "97AZFEF5\r\n23x\r", []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, []string{"97AZFEF5", "23x"}},
		{"several messages in one read", "941\r941\r940\r", nil, []string{"941", "941", "940"}},
		{"empty line", "941\r\r941\r", nil, []string{"941", "", "941"}},
		{"leading NUL", "\x00\x00941\r", nil, []string{"941"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(&chunkReader{data: tc.in, chunks: tc.chunks}, 0)
			got, errs := readAll(t, r)
			if len(errs) > 0 || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q %v, want %q", got, errs, tc.want)
			}
		})
	}
}

func TestReaderSizeCap(t *testing.T) {
	long := "17" + strings.Repeat("x", 300)
	in := "941\r" + long + "\r" + "940\r"
	for _, chunks := range [][]int{nil, {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}} {
		r := NewReader(&chunkReader{data: in, chunks: chunks}, 100)
		got, errs := readAll(t, r)
		if strings.Join(got, ",") != "941,<error>,940" || len(errs) != 1 || !errors.Is(errs[0], &ParseError{Kind: KindTooLong}) {
			t.Errorf("chunks %v: %q %v", chunks, got, errs)
		}
	}
	// Exactly at the cap is fine.
	r := NewReader(strings.NewReader(strings.Repeat("9", 100)+"\r"), 100)
	if b, err := r.ReadMessage(); err != nil || len(b) != 100 {
		t.Errorf("%d %v", len(b), err)
	}
}

func TestReaderEOF(t *testing.T) {
	r := NewReader(strings.NewReader("941\r94"), 0)
	if _, err := r.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadMessage(); err != io.ErrUnexpectedEOF {
		t.Errorf("partial message at EOF: %v", err)
	}
	r = NewReader(iotest.ErrReader(io.ErrClosedPipe), 0)
	if _, err := r.ReadMessage(); err != io.ErrClosedPipe {
		t.Errorf("%v", err)
	}
}
