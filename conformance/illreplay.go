package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
)

// illBlock is the bytes of consecutive "> " or "< " lines of an ILL
// transcript: one stream of APDUs in one direction.
type illBlock struct {
	send   bool
	apdus  [][]byte
	line   int
	closed bool   // "# expect: closed" follows
	staff  []Line // "# staff:" and "# advance:" directives before the next block
}

// ILLAPDUs splits an ILL transcript into its blocks of APDUs, checking
// that every hex line is hex and every block is whole BER values.
func illBlocks(t *Transcript) ([]illBlock, []Line, error) {
	var out []illBlock
	var leading []Line // directives before the first message
	var data []byte
	flush := func() error {
		if len(out) == 0 || data == nil {
			return nil
		}
		b := &out[len(out)-1]
		for rest := data; len(rest) > 0; {
			_, n, err := ber.Parse(rest, illLimits)
			if err != nil {
				// Bytes that are no BER value (a robustness test) go as they are.
				if !b.send {
					return fmt.Errorf("%s:%d: the expected bytes are not BER: %w", t.Name, b.line, err)
				}
				b.apdus = append(b.apdus, rest)
				break
			}
			b.apdus = append(b.apdus, rest[:n])
			rest = rest[n:]
		}
		data = nil
		return nil
	}
	for _, l := range t.Lines {
		switch {
		case l.Kind == Send || l.Kind == Expect:
			raw, err := hex.DecodeString(strings.ReplaceAll(l.Text, " ", ""))
			if err != nil {
				return nil, nil, fmt.Errorf("%s:%d: not hex: %w", t.Name, l.No, err)
			}
			send := l.Kind == Send
			if n := len(out); n > 0 && out[n-1].send == send && !out[n-1].closed && len(out[n-1].staff) == 0 && data != nil {
				data = append(data, raw...)
				continue
			}
			if err := flush(); err != nil {
				return nil, nil, err
			}
			out = append(out, illBlock{send: send, line: l.No})
			data = raw
		case l.Key == KeyExpect:
			if len(out) == 0 {
				return nil, nil, fmt.Errorf("%s:%d: expect closed before any message", t.Name, l.No)
			}
			out[len(out)-1].closed = true
		case l.Key == KeyStaff || l.Key == KeyAdvance:
			if len(out) == 0 {
				leading = append(leading, l)
				continue
			}
			out[len(out)-1].staff = append(out[len(out)-1].staff, l)
		}
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	return out, leading, nil
}

// apduName names an encoded APDU for reports: its type and transaction.
func apduName(b []byte) string {
	a, err := ill.Decode(b)
	if err != nil {
		return fmt.Sprintf("%d octets that are no ILL APDU", len(b))
	}
	return fmt.Sprintf("%s %s", a.Type(), TupleOf(a.Head()))
}

// TupleOf writes a transaction-id as "initial-requester/group/transaction".
func TupleOf(h *ill.Header) string {
	tid := h.TransactionID
	init := ""
	if s := tid.InitialRequesterID; s != nil && s.Symbol != nil {
		switch {
		case s.Symbol.Institution != nil:
			init = string(*s.Symbol.Institution)
		case s.Symbol.Person != nil:
			init = string(*s.Symbol.Person)
		}
	}
	return init + "/" + string(tid.GroupQualifier) + "/" + string(tid.Qualifier)
}

// ReplayILL runs an ISO 10161 transcript over one connection: it sends
// every block of "> " APDUs as it is, reads as many APDUs as the "< "
// block after it holds and compares each, masked by [MaskILL] on both
// sides, byte for byte; on a difference the problems show both
// renderings line by line. It obeys "# expect: closed", "# advance:" and
// "# staff:" and, at the end, requires that the server sent nothing
// more. Mismatches are in the Result; an error means the replay could
// not run.
func ReplayILL(ctx context.Context, t *Transcript, env Env) (*Result, error) {
	if p := t.Header(KeyProtocol); p != "ill" {
		return nil, fmt.Errorf("%s: protocol %q, want ill", t.Name, p)
	}
	if env.Update {
		return nil, fmt.Errorf("%s: ILL transcripts are rewritten from their scenarios or recorded again, not updated in place", t.Name)
	}
	blocks, leading, err := illBlocks(t)
	if err != nil {
		return nil, err
	}
	timeout := env.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	directives := func(ls []Line) error {
		for _, l := range ls {
			switch l.Key {
			case KeyAdvance:
				d, _ := time.ParseDuration(l.Value)
				if env.Advance == nil {
					return fmt.Errorf("%s:%d: advance: this environment cannot move the clock", t.Name, l.No)
				}
				if err := env.Advance(d); err != nil {
					return fmt.Errorf("%s:%d: advance: %w", t.Name, l.No, err)
				}
			case KeyStaff:
				f := strings.Fields(l.Value)
				if env.Staff == nil {
					return fmt.Errorf("%s:%d: staff: this environment has no staff", t.Name, l.No)
				}
				if err := env.Staff(ctx, f[0], f[1]); err != nil {
					return fmt.Errorf("%s:%d: staff %s: %w", t.Name, l.No, l.Value, err)
				}
			}
		}
		return nil
	}
	if err := directives(leading); err != nil {
		return nil, err
	}
	conn, err := env.Dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: dial: %w", t.Name, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	rd := ber.NewReader(bufio.NewReader(conn), illLimits)
	res := &Result{Transcript: t}
	read := func(wait time.Duration) ([]byte, error) {
		conn.SetReadDeadline(time.Now().Add(wait))
		b, err := rd.ReadRaw()
		switch {
		case err == nil:
			return b, nil
		case errors.Is(err, io.EOF), isReset(err):
			return nil, errClosed
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, fmt.Errorf("no answer within %v", wait)
		}
		return nil, err
	}
	closed := false
	request := ""
	for _, b := range blocks {
		if b.send {
			if closed {
				res.Exchanges = append(res.Exchanges, Exchange{Line: b.line, Request: apduName(b.apdus[0]),
					Got: "(connection closed)", Problems: []string{"cannot send: the server closed the connection earlier"}})
				return res, nil
			}
			conn.SetWriteDeadline(time.Now().Add(timeout))
			for _, a := range b.apdus {
				request = apduName(a)
				if _, err := conn.Write(a); err != nil {
					res.Exchanges = append(res.Exchanges, Exchange{Line: b.line, Request: request,
						Got: "(" + err.Error() + ")", Problems: []string{"send: " + err.Error()}})
					return res, nil
				}
			}
		} else {
			for i, w := range b.apdus {
				ex := Exchange{Line: b.line, Request: request, Want: fmt.Sprintf("% X", w)}
				if closed {
					ex.Got, ex.Problems = "(connection closed)", []string{"the server closed the connection instead of answering"}
					res.Exchanges = append(res.Exchanges, ex)
					continue
				}
				got, err := read(timeout)
				switch {
				case errors.Is(err, errClosed):
					closed = true
					ex.Got, ex.Problems = "(connection closed)", []string{fmt.Sprintf("answer %d: the server closed the connection instead of answering", i+1)}
				case err != nil:
					ex.Got, ex.Problems = "("+err.Error()+")", []string{fmt.Sprintf("answer %d: %v", i+1, err)}
				default:
					ex.Got = fmt.Sprintf("% X", got)
					mw, mg := MaskILL(w), MaskILL(got)
					if !bytes.Equal(mw, mg) {
						ex.Problems = append(ex.Problems, fmt.Sprintf("answer %d differs (- expected, + received):", i+1))
						ex.Problems = append(ex.Problems, lineDiff(RenderILL(mw), RenderILL(mg))...)
						if slices.Equal(RenderILL(mw), RenderILL(mg)) {
							ex.Problems = append(ex.Problems, "same rendering, different octets: "+ex.Got)
						}
					}
				}
				res.Exchanges = append(res.Exchanges, ex)
			}
		}
		if b.closed && !closed {
			ex := Exchange{Line: b.line, Request: request, Want: "(connection closed)"}
			got, err := read(timeout)
			switch {
			case errors.Is(err, errClosed):
				closed = true
				ex.Got = "(connection closed)"
			case err != nil:
				ex.Got, ex.Problems = "("+err.Error()+")", []string{"the server did not close the connection: " + err.Error()}
			default:
				ex.Got = fmt.Sprintf("% X", got)
				ex.Problems = append([]string{"the server answered instead of closing the connection:"}, RenderILL(got)...)
			}
			res.Exchanges = append(res.Exchanges, ex)
		}
		if err := directives(b.staff); err != nil {
			return nil, err
		}
	}
	if !closed {
		// Nothing more may come: an answer the transcript does not expect
		// is a change too.
		if got, err := read(200 * time.Millisecond); err == nil {
			res.Exchanges = append(res.Exchanges, Exchange{Line: len(t.Lines), Request: request, Got: fmt.Sprintf("% X", got),
				Problems: append([]string{"an answer the transcript does not expect:"}, RenderILL(got)...)})
		}
	}
	return res, nil
}

// lineDiff shows two renderings line by line, marking the lines that
// differ.
func lineDiff(want, got []string) []string {
	var out []string
	for i := 0; i < max(len(want), len(got)); i++ {
		w, g := "", ""
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			out = append(out, "  "+w)
			continue
		}
		out = append(out, "- "+w, "+ "+g)
	}
	return out
}
