package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/sip2"
)

// Record runs a recording proxy until ctx is cancelled: it listens on
// listenAddr, forwards every client connection byte for byte to the
// server at upstreamAddr, which speaks protocol ("sip2" or "ill"), and
// writes one transcript per connection into outDir. See [Recorder].
func Record(ctx context.Context, protocol, listenAddr, upstreamAddr, outDir string, log zerolog.Logger) error {
	if protocol != "sip2" && protocol != "ill" {
		return fmt.Errorf("record: protocol %q: use sip2 or ill", protocol)
	}
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return fmt.Errorf("record: listen: %w", err)
	}
	r := &Recorder{Protocol: protocol, Upstream: upstreamAddr, OutDir: outDir, Log: log}
	return r.Serve(ctx, ln)
}

// Recorder is a TCP proxy between SIP2 or ISO 10161 (ILL) clients and a
// server that writes what passes as transcripts. Bytes are forwarded unchanged and at once;
// the transcript is written when the connection ends.
//
// What a recorded transcript holds:
//   - the header: protocol sip2; "recorded" (wall time of the connection);
//     "upstream" and "client" addresses; "clock": the server's own clock
//     as read from its first 98 (date/time sync), else from the first
//     response's transaction date, else the wall time, in the recorder's
//     local time zone; "fixtures: demo" (the usual case is recording
//     against a bibgate serving its demo data — edit it otherwise);
//     "account": the CN of the first 93; "secrets: masked".
//   - requests with the values of CO, AC and AD replaced by "****" (see
//     [MaskSIP2Secrets]); a replay puts the account's secrets back, so the
//     transcript runs as it is while no real PIN or password ever lands in
//     a file;
//   - responses masked by [MaskSIP2].
//
// Messages are split at CR; a LF right after a CR (a CRLF terminator) is
// dropped; a message still unterminated when the connection closes is kept
// with a comment saying so.
//
// An ILL recording (Protocol "ill") cuts each direction into APDUs by
// their BER lengths and writes them as an ILL transcript (see the package
// documentation): the header protocol ill, recorded, upstream, client,
// "clock" (the time of the connection: a replay sets the server's clock
// to it, so that the dates in the answers come out the same) and
// "fixtures: demo"; each APDU as hex lines with its rendering; answers
// masked by [MaskILL]. Nothing is masked in what the client sent (an ILL
// authentication extension is kept: record with test credentials).
// Bytes that cannot be framed as BER are kept, as one message, with a
// comment.
type Recorder struct {
	// Protocol is "sip2" (the default when empty) or "ill".
	Protocol string
	Upstream string         // address of the server
	OutDir   string         // where transcripts are written
	Log      zerolog.Logger // one line per connection and per transcript written
	// Now is the wall clock (default time.Now).
	Now func() time.Time

	mu    sync.Mutex
	count int
}

func (r *Recorder) protocol() string {
	if r.Protocol == "" {
		return "sip2"
	}
	return r.Protocol
}

func (r *Recorder) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Serve accepts connections on ln until ctx is cancelled, then closes the
// open connections, writes their transcripts and returns nil.
func (r *Recorder) Serve(ctx context.Context, ln net.Listener) error {
	if err := os.MkdirAll(r.OutDir, 0o750); err != nil {
		ln.Close()
		return fmt.Errorf("record: %w", err)
	}
	r.Log.Info().Str("listen", ln.Addr().String()).Str("upstream", r.Upstream).Str("out", r.OutDir).Str("protocol", r.protocol()).
		Msg("recording sessions")
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("record: accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.session(ctx, c)
		}()
	}
}

// direction of a recorded message.
type direction byte

const (
	toServer direction = '>'
	toClient direction = '<'
)

type event struct {
	dir        direction
	msg        string
	unfinished bool
}

// session proxies one client connection and writes its transcript.
func (r *Recorder) session(ctx context.Context, client net.Conn) {
	start := r.now()
	r.mu.Lock()
	r.count++
	n := r.count
	r.mu.Unlock()
	log := r.Log.With().Str("client", client.RemoteAddr().String()).Logger()
	var d net.Dialer
	upstream, err := d.DialContext(ctx, "tcp", r.Upstream)
	if err != nil {
		log.Error().Err(err).Msg("record: cannot reach upstream; closing client")
		client.Close()
		return
	}
	stop := context.AfterFunc(ctx, func() {
		client.Close()
		upstream.Close()
	})
	defer stop()

	var mu sync.Mutex
	var events []event
	add := func(e event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	pipe := pipe
	if r.protocol() == "ill" {
		pipe = pipeBER
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		pipe(upstream, client, toServer, add)
		upstream.Close()
		client.Close()
	}()
	go func() {
		defer wg.Done()
		pipe(client, upstream, toClient, add)
		upstream.Close()
		client.Close()
	}()
	wg.Wait()

	if len(events) == 0 {
		log.Info().Msg("record: connection closed without messages; no transcript")
		return
	}
	var t *Transcript
	if r.protocol() == "ill" {
		t = r.illTranscript(start, client.RemoteAddr().String(), events)
	} else {
		t = r.transcript(start, client.RemoteAddr().String(), events)
	}
	path, err := r.write(start, n, t.Format())
	if err != nil {
		log.Error().Err(err).Msg("record: writing transcript")
		return
	}
	log.Info().Str("path", path).Int("messages", len(events)).Msg("record: transcript written")
}

// write stores a transcript under a new name: it appears complete or not
// at all, and never replaces an existing file.
func (r *Recorder) write(start time.Time, n int, text []byte) (string, error) {
	tmp, err := os.CreateTemp(r.OutDir, "."+r.protocol()+"-*.tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(text)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	base := fmt.Sprintf("%s-%s-%03d", r.protocol(), start.UTC().Format("20060102T150405Z"), n)
	for i := 0; ; i++ {
		name := base + ".session"
		if i > 0 {
			name = fmt.Sprintf("%s-%d.session", base, i)
		}
		path := filepath.Join(r.OutDir, name)
		err := os.Link(tmp.Name(), path)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, os.ErrExist) || i == 99 {
			return "", err
		}
	}
}

// pipe copies src to dst and reports every message that passes.
func pipe(dst io.Writer, src io.Reader, dir direction, add func(event)) {
	buf := make([]byte, 32<<10)
	var pending []byte
	afterCR := false
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				err = werr
			}
			for _, b := range buf[:n] {
				if afterCR && b == '\n' {
					afterCR = false
					continue
				}
				afterCR = false
				if b == '\r' {
					add(event{dir: dir, msg: string(pending)})
					pending = pending[:0]
					afterCR = true
					continue
				}
				pending = append(pending, b)
			}
		}
		if err != nil {
			if len(pending) > 0 {
				add(event{dir: dir, msg: string(pending), unfinished: true})
			}
			return
		}
	}
}

// transcript builds the recorded transcript from the messages seen.
func (r *Recorder) transcript(start time.Time, client string, events []event) *Transcript {
	clock, account := start.Truncate(time.Second), ""
	clockFound := false
	for _, e := range events {
		if e.dir == toServer && account == "" && strings.HasPrefix(e.msg, sip2.CodeLoginRequest) {
			if m, err := (&sip2.Codec{ErrorDetection: sip2.ErrorDetectionOff}).Parse([]byte(e.msg)); err == nil {
				account = m.(*sip2.LoginRequest).UserID
			}
		}
	}
	for _, want98 := range []bool{true, false} {
		for _, e := range events {
			if clockFound || e.dir != toClient || (want98 && !strings.HasPrefix(e.msg, sip2.CodeACSStatusResponse)) {
				continue
			}
			if m, err := (&sip2.Codec{ErrorDetection: sip2.ErrorDetectionOff}).Parse([]byte(e.msg)); err == nil {
				if d := sip2.TransactionDate(m); d != nil && !d.IsZero() {
					clock, clockFound = *d, true
				}
			}
		}
	}
	t := &Transcript{}
	t.Lines = append(t.Lines,
		CommentLine(KeyProtocol+": sip2"),
		CommentLine(KeyRecorded+": "+start.Format(time.RFC3339)),
		CommentLine(KeyUpstream+": "+r.Upstream),
		CommentLine(KeyClient+": "+client),
		CommentLine(KeyClock+": "+clock.Format(time.RFC3339)),
		CommentLine(KeyFixtures+": demo"),
	)
	if account != "" {
		t.Lines = append(t.Lines, CommentLine(KeyAccount+": "+account))
	}
	t.Lines = append(t.Lines, CommentLine(KeySecrets+": masked (CO, AC, AD written as ****)"))
	if !clockFound {
		t.Lines = append(t.Lines, CommentLine("The server sent no date; the clock is the time of the connection."))
	}
	for _, e := range events {
		if e.unfinished {
			t.Lines = append(t.Lines, CommentLine("The connection closed before this message was terminated."))
		}
		switch e.dir {
		case toServer:
			t.Lines = append(t.Lines, Line{Kind: Send, Text: MaskSIP2Secrets(e.msg)})
		case toClient:
			t.Lines = append(t.Lines, Line{Kind: Expect, Text: MaskSIP2(e.msg)})
		}
	}
	return t
}

// pipeBER copies src to dst and reports every BER value that passes (an
// ILL APDU). Once the stream cannot be framed, the rest is kept as one
// unfinished message.
func pipeBER(dst io.Writer, src io.Reader, dir direction, add func(event)) {
	buf := make([]byte, 32<<10)
	var pending []byte
	framed := true
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				err = werr
			}
			pending = append(pending, buf[:n]...)
			for framed && len(pending) > 0 {
				_, used, perr := ber.Parse(pending, illLimits)
				if perr != nil {
					framed = errors.Is(perr, ber.ErrTruncated)
					break
				}
				add(event{dir: dir, msg: string(pending[:used])})
				pending = pending[used:]
			}
		}
		if err != nil {
			if len(pending) > 0 {
				add(event{dir: dir, msg: string(pending), unfinished: true})
			}
			return
		}
	}
}

// illTranscript builds the recorded ILL transcript.
func (r *Recorder) illTranscript(start time.Time, client string, events []event) *Transcript {
	t := &Transcript{}
	t.Lines = append(t.Lines,
		CommentLine(KeyProtocol+": ill"),
		CommentLine(KeyRecorded+": "+start.Format(time.RFC3339)),
		CommentLine(KeyUpstream+": "+r.Upstream),
		CommentLine(KeyClient+": "+client),
		CommentLine(KeyClock+": "+start.Truncate(time.Second).Format(time.RFC3339)),
		CommentLine(KeyFixtures+": demo"),
	)
	for _, e := range events {
		if e.unfinished {
			t.Lines = append(t.Lines, CommentLine("The connection closed before these bytes made a whole BER value."))
		}
		switch e.dir {
		case toServer:
			t.Lines = append(t.Lines, ILLLines(Send, []byte(e.msg))...)
		case toClient:
			t.Lines = append(t.Lines, ILLLines(Expect, MaskILL([]byte(e.msg)))...)
		}
	}
	return t
}
