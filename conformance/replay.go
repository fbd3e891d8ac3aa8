package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// Env is what a replay needs from where it runs.
type Env struct {
	// Dial opens the connection to the server under test.
	Dial func(ctx context.Context) (net.Conn, error)
	// Advance moves the server's clock forward ("# advance:"); nil makes
	// a transcript with that directive fail.
	Advance func(d time.Duration) error
	// Staff carries out a "# staff:" directive (ILL): a staff action
	// ("ship") on the transaction the tuple "initial-requester/group/
	// transaction" names, in the responder role; nil makes a transcript
	// with that directive fail.
	Staff func(ctx context.Context, action, tuple string) error
	// Secrets replace "****" in CO, AC and AD of the requests.
	Secrets Secrets
	// Timeout bounds the wait for each response (default 5s).
	Timeout time.Duration
	// Update reads exactly one response per request (or notes that the
	// server closed the connection) instead of as many as the transcript
	// expects, so that Result.Updated can rewrite the expected lines.
	Update bool
}

// Exchange is one expected or received response.
type Exchange struct {
	// Line is the transcript line of the expected response, or of the
	// request when there was no expected line.
	Line int
	// Request is the request as sent (secrets substituted).
	Request string
	// Want is the expected response (masked); "" when the transcript
	// expected none here. Got is the masked response, or a description in
	// parentheses such as "(connection closed)".
	Want, Got string
	// Problems lists what is wrong: field differences, a bad checksum.
	Problems []string
}

// Result is the outcome of a replay.
type Result struct {
	Transcript *Transcript
	Exchanges  []Exchange
	// received[i] are the masked responses to the request on line index i
	// (index into Transcript.Lines); closedAfter[i] is set when the server
	// closed the connection after that request.
	received    map[int][]string
	closedAfter map[int]bool
}

// Failed reports whether any exchange has a problem.
func (r *Result) Failed() bool {
	for _, e := range r.Exchanges {
		if len(e.Problems) > 0 {
			return true
		}
	}
	return false
}

// Report describes every failed exchange, with the request, both
// responses and the field differences.
func (r *Result) Report() string {
	var b strings.Builder
	for _, e := range r.Exchanges {
		if len(e.Problems) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s:%d:\n", r.Transcript.Name, e.Line)
		if r.Transcript.Header(KeyProtocol) == "ill" {
			fmt.Fprintf(&b, "    request: %s\n", e.Request)
			for _, p := range e.Problems {
				fmt.Fprintf(&b, "      %s\n", p)
			}
			continue
		}
		fmt.Fprintf(&b, "    request: %s\n", Escape(MaskSIP2Secrets(e.Request)))
		if e.Want != "" {
			fmt.Fprintf(&b, "    want:    %s\n", Escape(e.Want))
		}
		fmt.Fprintf(&b, "    got:     %s\n", Escape(e.Got))
		for _, p := range e.Problems {
			fmt.Fprintf(&b, "      %s\n", p)
		}
	}
	return b.String()
}

// errClosed marks a read that found the connection closed by the server.
var errClosed = errors.New("connection closed by the server")

// ReplaySIP2 runs a SIP2 transcript over one connection: it sends every
// "> " line (secrets substituted, CR appended), reads a response for every
// "< " line that follows it and compares MaskSIP2 of both, and obeys the
// directives. It returns an error only when the replay itself could not
// run (bad transcript, no connection); mismatches are in the Result.
func ReplaySIP2(ctx context.Context, t *Transcript, env Env) (*Result, error) {
	if p := t.Header(KeyProtocol); p != "sip2" {
		return nil, fmt.Errorf("%s: protocol %q, want sip2", t.Name, p)
	}
	timeout := env.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	conn, err := env.Dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: dial: %w", t.Name, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	rd := bufio.NewReader(conn)
	res := &Result{Transcript: t, received: map[int][]string{}, closedAfter: map[int]bool{}}
	closed := false
	lastSend, request := -1, ""

	read := func() (string, error) {
		conn.SetReadDeadline(time.Now().Add(timeout))
		line, err := rd.ReadString('\r')
		switch {
		case err == nil:
			return strings.TrimSuffix(line, "\r"), nil
		case errors.Is(err, io.EOF) && line == "":
			return "", errClosed
		case errors.Is(err, io.EOF):
			return line, fmt.Errorf("connection closed after %q without a CR terminator", line)
		case errors.Is(err, os.ErrDeadlineExceeded):
			if line != "" {
				return line, fmt.Errorf("no CR terminator within %v after %q", timeout, line)
			}
			return "", fmt.Errorf("no response within %v", timeout)
		}
		if isReset(err) {
			return "", errClosed
		}
		return line, err
	}
	// receive reads one response for the exchange ex and records it.
	receive := func(ex Exchange) {
		got, err := read()
		switch {
		case errors.Is(err, errClosed):
			ex.Got = "(connection closed)"
			closed = true
			res.closedAfter[lastSend] = true
			if ex.Want != "" || !env.Update {
				ex.Problems = append(ex.Problems, "the server closed the connection instead of answering")
			}
		case err != nil:
			ex.Got = "(" + err.Error() + ")"
			ex.Problems = append(ex.Problems, err.Error())
		default:
			if cerr := CheckSIP2Checksum(got); cerr != nil {
				ex.Problems = append(ex.Problems, "checksum: "+cerr.Error())
			}
			if strings.HasPrefix(got, "\n") {
				ex.Problems = append(ex.Problems, "response starts with LF: the previous one ended CR LF, the account says CR")
			}
			ex.Got = MaskSIP2(got)
			res.received[lastSend] = append(res.received[lastSend], ex.Got)
			if ex.Want != "" {
				want := MaskSIP2(ex.Want)
				ex.Want = want
				ex.Problems = append(ex.Problems, DiffSIP2(want, ex.Got)...)
			}
		}
		res.Exchanges = append(res.Exchanges, ex)
	}

	for i := 0; i < len(t.Lines); i++ {
		l := t.Lines[i]
		switch {
		case l.Kind == Send:
			if closed {
				res.Exchanges = append(res.Exchanges, Exchange{Line: l.No, Request: l.Text, Got: "(connection closed)",
					Problems: []string{"cannot send: the server closed the connection earlier"}})
				return res, nil
			}
			lastSend, request = i, SubstituteSIP2Secrets(l.Text, env.Secrets)
			conn.SetWriteDeadline(time.Now().Add(timeout))
			if _, err := io.WriteString(conn, request+"\r"); err != nil {
				res.Exchanges = append(res.Exchanges, Exchange{Line: l.No, Request: request, Got: "(" + err.Error() + ")",
					Problems: []string{"send: " + err.Error()}})
				return res, nil
			}
			if env.Update {
				receive(Exchange{Line: l.No, Request: request})
			}
		case l.Kind == Expect:
			if env.Update {
				continue
			}
			if lastSend < 0 {
				return nil, fmt.Errorf("%s:%d: an expected response before any request", t.Name, l.No)
			}
			if closed {
				res.Exchanges = append(res.Exchanges, Exchange{Line: l.No, Request: request, Want: l.Text,
					Got: "(connection closed)", Problems: []string{"the server closed the connection instead of answering"}})
				continue
			}
			receive(Exchange{Line: l.No, Request: request, Want: l.Text})
		case l.Key == KeyAdvance:
			d, _ := time.ParseDuration(l.Value)
			if env.Advance == nil {
				return nil, fmt.Errorf("%s:%d: advance: this environment cannot move the clock", t.Name, l.No)
			}
			if err := env.Advance(d); err != nil {
				return nil, fmt.Errorf("%s:%d: advance: %w", t.Name, l.No, err)
			}
		case l.Key == KeyExpect:
			if closed {
				continue
			}
			got, err := read()
			ex := Exchange{Line: l.No, Request: request, Want: "(connection closed)", Got: MaskSIP2(got)}
			switch {
			case errors.Is(err, errClosed):
				closed = true
				res.closedAfter[lastSend] = true
				ex.Got = "(connection closed)"
			case err == nil && env.Update:
				// The server answered after all: the update writes the answer.
				res.received[lastSend] = append(res.received[lastSend], ex.Got)
			case err != nil:
				ex.Got = "(" + err.Error() + ")"
				ex.Problems = []string{"the server did not close the connection: " + err.Error()}
			default:
				ex.Problems = []string{"the server answered instead of closing the connection"}
			}
			res.Exchanges = append(res.Exchanges, ex)
		}
	}
	return res, nil
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "connection reset")
}

// Updated returns the transcript with its expected responses replaced by
// the ones received in an Update replay: each request is followed by what
// the server answered, or by "# expect: closed" where it hung up. Comments,
// requests and other directives stay as they are.
func (r *Result) Updated() *Transcript {
	t := r.Transcript
	out := &Transcript{Name: t.Name}
	for i, l := range t.Lines {
		if l.Kind == Expect || l.Key == KeyExpect {
			continue
		}
		out.Lines = append(out.Lines, Line{Kind: l.Kind, Text: l.Text, Key: l.Key, Value: l.Value})
		if l.Kind != Send {
			continue
		}
		for _, got := range r.received[i] {
			out.Lines = append(out.Lines, Line{Kind: Expect, Text: got})
		}
		if r.closedAfter[i] {
			out.Lines = append(out.Lines, CommentLine(KeyExpect+": closed"))
		}
	}
	return out
}
