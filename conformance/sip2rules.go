package conformance

import (
	"errors"
	"strings"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// DatePlaceholder replaces a masked 18-character SIP2 date. It is the
// placeholder Koha's tests use; the sip2 codec reads it as "no date".
const DatePlaceholder = "YYYYMMDDZZZZHHMMSS"

// SecretMask replaces a secret value (CO, AC, AD) in a recorded request.
const SecretMask = "****"

// MaskSIP2 applies the SIP2 masking rules to a response as it appears in a
// transcript. Replays compare MaskSIP2(expected) with MaskSIP2(actual);
// the recorder and -update write masked responses. The rules:
//
//  1. The 18-character transaction date of a response (for 98 its
//     date/time sync, the only date it has) becomes [DatePlaceholder]. It
//     is the wall clock of the server's host, not the session's clock.
//     Its place in the fixed part comes from the sip2 codec.
//  2. An AZ checksum is recomputed over the masked bytes, so a masked line
//     is itself a valid SIP2 message. (Whether the server's checksum was
//     right is checked on the unmasked bytes, see [CheckSIP2Checksum].)
//
// Nothing else is masked: AY must echo the request's sequence number, and
// due dates, hold expiry dates and amounts follow from the session's fixed
// clock, so they are compared as they are. Requests are never masked except
// for secrets (see [MaskSIP2Secrets]).
func MaskSIP2(line string) string {
	if len(line) < 2 {
		return line
	}
	if off, ok := sip2DateOffset(line[:2]); ok && len(line) >= 2+off+18 {
		line = line[:2+off] + DatePlaceholder + line[2+off+18:]
	}
	return fixChecksum(line)
}

// CheckSIP2Checksum reports an error if a line carries an AZ checksum that
// does not verify.
func CheckSIP2Checksum(line string) error {
	if _, ok := trailerAZ(line); !ok {
		return nil
	}
	if !checksumValid(line) {
		n := len(line)
		return errors.New("AZ" + line[n-4:] + " does not verify (want AZ" + hex4(sip2.Checksum([]byte(line[:n-4]))) + ")")
	}
	return nil
}

// trailerAZ returns the position of a final "AZhhhh".
func trailerAZ(line string) (int, bool) {
	n := len(line)
	if n < 8 || line[n-6:n-4] != "AZ" {
		return 0, false
	}
	for _, c := range []byte(line[n-4:]) {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f') {
			return 0, false
		}
	}
	return n - 6, true
}

func checksumValid(line string) bool {
	if _, ok := trailerAZ(line); !ok {
		return false
	}
	n := len(line)
	return strings.EqualFold(line[n-4:], hex4(sip2.Checksum([]byte(line[:n-4]))))
}

// fixChecksum recomputes a final AZ over the bytes before it.
func fixChecksum(line string) string {
	if _, ok := trailerAZ(line); !ok {
		return line
	}
	n := len(line)
	return line[:n-4] + hex4(sip2.Checksum([]byte(line[:n-4])))
}

func hex4(v uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}

// sip2DateOffset finds, with the codec, where the transaction date of a
// response starts within its fixed part: it formats an empty message with
// and without a date and looks where they differ.
func sip2DateOffset(code string) (int, bool) {
	if sip2.IsRequest(code) {
		return 0, false
	}
	m := sip2.New(code)
	if m == nil {
		return 0, false
	}
	d := sip2.TransactionDate(m)
	if d == nil {
		return 0, false
	}
	*d = time.Time{}
	blank := sip2.Format(m)
	*d = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	dated := sip2.Format(m)
	for i := 2; i < len(blank) && i < len(dated); i++ {
		if blank[i] != dated[i] {
			return i - 2, true
		}
	}
	return 0, false
}

// sip2FixedWidth finds, with the codec, the width of a message's fixed
// part: the shortest fixed part the codec does not call too short.
func sip2FixedWidth(code string) (int, bool) {
	if sip2.New(code) == nil {
		return 0, false
	}
	for w := 0; w <= 80; w++ {
		_, err := sip2.Parse([]byte(code + strings.Repeat("0", w)))
		var pe *sip2.ParseError
		if !errors.As(err, &pe) || pe.Kind != sip2.KindShortFixed {
			return w, true
		}
	}
	return 0, false
}

// rawSIP2 is a message split on the wire without interpreting values:
// code, fixed part, variable fields (each "XXvalue"), trailer.
type rawSIP2 struct {
	code, fixed string
	fields      []string
	trailer     string // "AYnAZhhhh", "AZhhhh" or ""
}

// splitSIP2 splits a line with delimiter '|'. ok is false for unknown
// codes or a fixed part that is too short.
func splitSIP2(line string) (rawSIP2, bool) {
	if len(line) < 2 {
		return rawSIP2{}, false
	}
	r := rawSIP2{code: line[:2]}
	w, ok := sip2FixedWidth(r.code)
	if !ok {
		return rawSIP2{}, false
	}
	body := line
	if i, ok := trailerAZ(body); ok {
		r.trailer, body = body[i:], body[:i]
	}
	if m := len(body); m >= 5 && body[m-3:m-1] == "AY" && body[m-1] >= '0' && body[m-1] <= '9' {
		r.trailer, body = body[m-3:]+r.trailer, body[:m-3]
	}
	if len(body) < 2+w {
		return rawSIP2{}, false
	}
	r.fixed = body[2 : 2+w]
	if rest := body[2+w:]; rest != "" {
		r.fields = strings.Split(rest, "|")
	}
	return r, true
}

func (r rawSIP2) join() string {
	return r.code + r.fixed + strings.Join(r.fields, "|") + r.trailer
}

// secretFields are the variable fields whose values are secrets: the login
// password of 93, the terminal password and the patron password (PIN).
var secretFields = [...]string{"CO", "AC", "AD"}

func isSecretField(f string) bool {
	for _, c := range secretFields {
		if strings.HasPrefix(f, c) {
			return true
		}
	}
	return false
}

// MaskSIP2Secrets replaces the non-empty values of CO, AC and AD in a
// request with [SecretMask]. An empty value stays empty (an empty AD is not
// a missing AD). If the request's checksum verified before, it is
// recomputed; a wrong checksum stays wrong.
func MaskSIP2Secrets(line string) string {
	r, ok := splitSIP2(line)
	if !ok || !sip2.IsRequest(r.code) {
		return line
	}
	valid := checksumValid(line)
	changed := false
	for i, f := range r.fields {
		if isSecretField(f) && len(f) > 2 && f[2:] != SecretMask {
			r.fields[i] = f[:2] + SecretMask
			changed = true
		}
	}
	if !changed {
		return line
	}
	out := r.join()
	if valid {
		out = fixChecksum(out)
	}
	return out
}

// Secrets are what a replay puts where a transcript says [SecretMask].
type Secrets struct {
	LoginPassword    string // CO of 93
	TerminalPassword string // AC
	PatronPassword   string // AD
}

// SubstituteSIP2Secrets puts the secrets where a request has [SecretMask]
// in CO, AC or AD. The checksum is recomputed if it verified over the
// masked text (as the recorder writes it); otherwise it is left alone.
func SubstituteSIP2Secrets(line string, s Secrets) string {
	if !strings.Contains(line, SecretMask) {
		return line
	}
	r, ok := splitSIP2(line)
	if !ok {
		return line
	}
	valid := checksumValid(line)
	for i, f := range r.fields {
		if len(f) < 2 || f[2:] != SecretMask {
			continue
		}
		switch f[:2] {
		case "CO":
			r.fields[i] = "CO" + s.LoginPassword
		case "AC":
			r.fields[i] = "AC" + s.TerminalPassword
		case "AD":
			r.fields[i] = "AD" + s.PatronPassword
		}
	}
	out := r.join()
	if valid {
		out = fixChecksum(out)
	}
	return out
}
