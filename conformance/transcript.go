package conformance

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is what a transcript line is.
type Kind uint8

// Line kinds.
const (
	// Comment is a "#" line: free text, or a "# key: value" header field or
	// directive (Key is set then).
	Comment Kind = iota
	// Blank is an empty line.
	Blank
	// Send is a "> " line: a message the client sends.
	Send
	// Expect is a "< " line: a message the server must answer.
	Expect
)

// Header fields and directives. A comment of the form "# key: value" whose
// key is lower-case letters and dashes and whose value is one word must use
// one of these keys, so that a misspelt directive ("# advnce: 24h") fails
// instead of passing silently as a comment; prose that happens to start
// with "word:" stays a comment.
const (
	KeyProtocol = "protocol"  // header: "sip2"
	KeyClock    = "clock"     // header: RFC 3339 time the server's clock is set to
	KeyFixtures = "fixtures"  // header: the data set loaded before the session ("demo")
	KeyAccount  = "account"   // header: the login whose secrets replace "****"
	KeyRecorded = "recorded"  // header: when a recording was made (informative)
	KeyUpstream = "upstream"  // header: the server a recording was made against (informative)
	KeyClient   = "client"    // header: the client a recording was made from (informative)
	KeySecrets  = "secrets"   // header: how secrets appear ("masked") (informative)
	KeyKnownBug = "known-bug" // header: the server is known to deviate; the expected lines say what is right
	KeyAdvance  = "advance"   // directive: move the server's clock forward by a Go duration ("168h")
	KeyExpect   = "expect"    // directive: "closed" — the server must have closed the connection
	KeyStaff    = "staff"     // directive (ILL): a staff action on a transaction, "ship REQLIB/GQ1/TQ1"
)

var knownKeys = map[string]bool{KeyProtocol: true, KeyClock: true, KeyFixtures: true, KeyAccount: true,
	KeyRecorded: true, KeyUpstream: true, KeyClient: true, KeySecrets: true, KeyKnownBug: true, KeyAdvance: true, KeyExpect: true,
	KeyStaff: true}

// Line is one line of a transcript.
type Line struct {
	Kind Kind
	// No is the 1-based line number in the file (0 for lines made in memory).
	No int
	// Text: for Send and Expect the message bytes with escapes resolved and
	// without terminator; for Comment the whole line as written.
	Text string
	// Key and Value of a "# key: value" comment; empty otherwise.
	Key, Value string
}

// Transcript is one session: header, messages and directives, in order.
type Transcript struct {
	Name  string // for messages, usually the file name
	Lines []Line
}

// Header returns the value of a header key: the first "# key: value"
// before the first message, or "".
func (t *Transcript) Header(key string) string {
	for _, l := range t.Lines {
		if l.Kind == Send || l.Kind == Expect {
			break
		}
		if l.Kind == Comment && l.Key == key {
			return l.Value
		}
	}
	return ""
}

// Clock returns the "# clock:" header as a time; ok is false without one.
func (t *Transcript) Clock() (time.Time, bool, error) {
	v := t.Header(KeyClock)
	if v == "" {
		return time.Time{}, false, nil
	}
	c, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%s: clock %q: %w", t.Name, v, err)
	}
	return c, true, nil
}

// ParseTranscript reads a transcript. name labels errors.
func ParseTranscript(name string, r io.Reader) (*Transcript, error) {
	t := &Transcript{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	no := 0
	for sc.Scan() {
		no++
		s := strings.TrimSuffix(sc.Text(), "\r")
		l := Line{No: no}
		switch {
		case strings.TrimSpace(s) == "":
			l.Kind = Blank
		case strings.HasPrefix(s, "#"):
			l.Kind, l.Text = Comment, s
			if k, v, ok := directive(s); ok && knownKeys[k] {
				l.Key, l.Value = k, v
				if err := checkDirective(k, v); err != nil {
					return nil, fmt.Errorf("%s:%d: %w", name, no, err)
				}
			} else if ok && v != "" && !strings.ContainsAny(v, " \t") {
				return nil, fmt.Errorf("%s:%d: unknown directive %q (a free comment must not look like \"# key: value\")", name, no, k)
			}
		case strings.HasPrefix(s, "> "), strings.HasPrefix(s, "< "):
			l.Kind = Send
			if s[0] == '<' {
				l.Kind = Expect
			}
			msg, err := Unescape(s[2:])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, no, err)
			}
			l.Text = msg
		default:
			return nil, fmt.Errorf("%s:%d: a line starts with \"> \", \"< \" or \"#\": %q", name, no, s)
		}
		t.Lines = append(t.Lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// directive splits "# key: value" where key is lower-case letters and dashes.
func directive(s string) (key, value string, ok bool) {
	rest := strings.TrimSpace(strings.TrimPrefix(s, "#"))
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return "", "", false
	}
	for _, c := range rest[:i] {
		if (c < 'a' || c > 'z') && c != '-' {
			return "", "", false
		}
	}
	return rest[:i], strings.TrimSpace(rest[i+1:]), true
}

func checkDirective(key, value string) error {
	switch key {
	case KeyAdvance:
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 {
			return fmt.Errorf("advance: want a positive Go duration such as 168h, got %q", value)
		}
	case KeyExpect:
		if value != "closed" {
			return fmt.Errorf("expect: the only expectation is \"closed\", got %q", value)
		}
	case KeyStaff:
		if f := strings.Fields(value); len(f) != 2 || strings.Count(f[1], "/") != 2 {
			return fmt.Errorf("staff: want an action and a transaction-id tuple such as \"ship REQLIB/GQ1/TQ1\", got %q", value)
		}
	case KeyClock:
		if _, err := time.Parse(time.RFC3339, value); err != nil {
			return fmt.Errorf("clock: want RFC 3339 such as 2026-11-02T10:00:00+02:00: %w", err)
		}
	}
	return nil
}

// Format writes the transcript in its text form. Reading it back gives the
// same lines.
func (t *Transcript) Format() []byte {
	var b bytes.Buffer
	for _, l := range t.Lines {
		switch l.Kind {
		case Blank:
		case Comment:
			b.WriteString(l.Text)
		case Send:
			b.WriteString("> ")
			b.WriteString(Escape(l.Text))
		case Expect:
			b.WriteString("< ")
			b.WriteString(Escape(l.Text))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// CommentLine makes a comment line ("# " + text).
func CommentLine(text string) Line {
	s := "# " + text
	l := Line{Kind: Comment, Text: s}
	if k, v, ok := directive(s); ok && knownKeys[k] {
		l.Key, l.Value = k, v
	}
	return l
}

// Escape renders message bytes for a transcript line. The text is kept as
// it is except: a backslash is written "\\"; control bytes, bytes that are
// not valid UTF-8 (a message in a single-byte charset) and a final blank
// (which editors strip) are written "\xHH".
func Escape(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		r, n := utf8.DecodeRuneInString(msg[i:])
		switch {
		case r == utf8.RuneError && n <= 1, r < 0x20, r == 0x7f, r == ' ' && i == len(msg)-1:
			fmt.Fprintf(&b, "\\x%02X", msg[i])
			n = 1
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(msg[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Unescape reverses Escape.
func Unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x':
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				return "", fmt.Errorf("bad escape %q", s[i:i+4])
			}
			b.WriteByte(byte(v))
			i += 3
		default:
			return "", fmt.Errorf("bad escape at %q (use \\\\ or \\xHH)", s[i:])
		}
	}
	return b.String(), nil
}
