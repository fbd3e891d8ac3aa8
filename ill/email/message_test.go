package email

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/ill"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// answer is an ILL-Answer (will-supply) from RESPLIB to REQLIB for the
// transaction of testdata/ill-request-loan.ber.
func answer() *ill.Answer {
	t := "130000"
	return &ill.Answer{
		Header: ill.Header{
			Version: ill.Version2,
			TransactionID: ill.TransactionID{InitialRequesterID: ill.Institution("REQLIB"),
				GroupQualifier: "GQ1", Qualifier: "TQ0001"},
			ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: "20250102", Time: &t}},
			RequesterID:     ill.Institution("REQLIB"),
			ResponderID:     ill.Institution("RESPLIB"),
		},
		TransactionResults: ill.WillSupply,
		ResponderNote:      ill.Str("Ships on Monday"),
	}
}

// TestComposeIsRFC2503 composes messages and reads them back with the
// standard library's MIME reader, not the one Compose writes with: the
// headers, the staff summary, the APDU part's type, encoding and bytes.
func TestComposeIsRFC2503(t *testing.T) {
	date := time.Date(2025, 1, 2, 13, 0, 0, 0, time.UTC)
	enc, err := ill.Encode(answer())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		out     Outgoing
		wantBER []byte
		subject []string // substrings of the decoded Subject
		summary []string // lines of the text part
	}{
		{
			name:    "yaz-illclient request verbatim",
			out:     Outgoing{BER: readTestdata(t, "ill-request-loan.ber")},
			wantBER: readTestdata(t, "ill-request-loan.ber"),
			subject: []string{"ILL-Request", "REQLIB/GQ1/TQ0001", "The Art of Computer Programming"},
			summary: []string{
				"Message:         ILL-Request (protocol version 2)",
				"Transaction:     REQLIB/GQ1/TQ0001",
				"Requester:       REQLIB",
				"Responder:       RESPLIB",
				"Date:            20250101 120000",
				"Title:           The Art of Computer Programming",
				"Author:          Knuth, Donald",
				"ISBN:            0201896834",
				"Requester note:  please send by courier",
			},
		},
		{
			name:    "encoded answer",
			out:     Outgoing{APDU: answer()},
			wantBER: enc,
			subject: []string{"ILL-Answer REQLIB/GQ1/TQ0001"},
			summary: []string{
				"Message:         ILL-Answer (protocol version 2)",
				"Result:          will supply",
				"Responder note:  Ships on Monday",
			},
		},
		{
			name: "non-ASCII title",
			out: func() Outgoing {
				r, err := ill.Decode(readTestdata(t, "ill-request-loan.ber"))
				if err != nil {
					t.Fatal(err)
				}
				r.(*ill.Request).ItemID.Title = ill.Str("Mõistatuslik saar\r\nBcc: x@y")
				return Outgoing{APDU: r}
			}(),
			subject: []string{"Mõistatuslik saar  Bcc: x@y"},
			summary: []string{"Title:           Mõistatuslik saar  Bcc: x@y"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.out
			o.From, o.To, o.Date = "REQLIB ILL <ill@reqlib.example>", "ill@resplib.example", date
			c, err := Compose(o)
			if err != nil {
				t.Fatal(err)
			}
			m, err := mail.ReadMessage(bytes.NewReader(c.Raw))
			if err != nil {
				t.Fatalf("not a mail message: %v\n%s", err, c.Raw)
			}
			if got := m.Header.Get("Message-Id"); got != "<"+c.MessageID+">" || !strings.HasSuffix(c.MessageID, "@reqlib.example") {
				t.Errorf("Message-Id %q, composed %q", got, c.MessageID)
			}
			if got, _ := m.Header.Date(); !got.Equal(date) {
				t.Errorf("Date %v, want %v", got, date)
			}
			if got := m.Header.Get("From"); !strings.Contains(got, "<ill@reqlib.example>") {
				t.Errorf("From %q", got)
			}
			if got := m.Header.Get("To"); !strings.Contains(got, "ill@resplib.example") {
				t.Errorf("To %q", got)
			}
			if len(m.Header["Bcc"]) > 0 {
				t.Errorf("a title injected a header: %v", m.Header)
			}
			subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.subject {
				if !strings.Contains(subj, s) {
					t.Errorf("Subject %q lacks %q", subj, s)
				}
			}
			mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
			if err != nil || mt != "multipart/mixed" {
				t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
			}
			mr := multipart.NewReader(m.Body, params["boundary"])
			// multipart.Reader decodes quoted-printable itself but leaves
			// base64 alone, so the APDU part is read as sent.
			text, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			if ct := text.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("text part Content-Type %q", ct)
			}
			body, _ := io.ReadAll(text)
			for _, l := range tt.summary {
				if !bytes.Contains(body, []byte(l+"\r\n")) {
					t.Errorf("summary lacks line %q:\n%s", l, body)
				}
			}
			ap, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			if ct := ap.Header.Get("Content-Type"); ct != "application/iso-10161-ill-1; transfer-encoding=iso-8825-ber" {
				t.Errorf("APDU part Content-Type %q", ct)
			}
			if cte := ap.Header.Get("Content-Transfer-Encoding"); cte != "base64" {
				t.Errorf("APDU part Content-Transfer-Encoding %q", cte)
			}
			b64, _ := io.ReadAll(ap)
			for _, l := range strings.Split(strings.TrimRight(string(b64), "\r\n"), "\r\n") {
				if len(l) > 76 {
					t.Errorf("base64 line of %d characters", len(l))
				}
			}
			got, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b64)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.BER) || (tt.wantBER != nil && !bytes.Equal(got, tt.wantBER)) {
				t.Errorf("APDU part carries %X, want %X", got, c.BER)
			}
			if _, err := mr.NextPart(); err != io.EOF {
				t.Errorf("more than one APDU per message: %v", err)
			}
		})
	}
}

func TestComposeRefuses(t *testing.T) {
	noResponder := answer()
	noResponder.ResponderID = nil
	for _, tt := range []struct {
		name string
		out  Outgoing
		want error
	}{
		{"no responder-id", Outgoing{APDU: noResponder}, ErrMissingID},
		{"yaz request with empty ids", Outgoing{BER: readTestdata(t, "../../testdata/ill-request-no-params.ber")}, nil},
		{"undecodable BER", Outgoing{BER: []byte{0x61, 0x03, 1, 2, 3}}, nil},
		{"nothing", Outgoing{}, nil},
		{"bad From", Outgoing{APDU: answer(), From: "not an address"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.out
			if o.From == "" {
				o.From = "ill@resplib.example"
			}
			o.To = "ill@reqlib.example"
			c, err := Compose(o)
			if err == nil {
				t.Fatalf("composed:\n%s", c.Raw)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseComposed(t *testing.T) {
	req := readTestdata(t, "ill-request-loan-oclc-auth.ber")
	c, err := Compose(Outgoing{From: "REQLIB <ILL@RegLib.Example>", To: "ill@resplib.example", BER: req})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(c.Raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != c.MessageID || m.From != "ill@reglib.example" || !strings.HasPrefix(m.Subject, "ILL-Request REQLIB/GQ1/TQ0001: ") || m.Date.IsZero() {
		t.Errorf("parsed %+v", m)
	}
	if len(m.Parts) != 1 {
		t.Fatalf("%d parts", len(m.Parts))
	}
	p := m.Parts[0]
	if p.Err != nil || !bytes.Equal(p.BER, req) || p.Key != c.Key {
		t.Fatalf("part %+v", p)
	}
	r, ok := p.APDU.(*ill.Request)
	if !ok || string(*r.ItemID.Title) != "The Art of Computer Programming" || len(r.Extensions) != 2 {
		t.Errorf("APDU %+v", p.APDU)
	}
}

func TestKey(t *testing.T) {
	a, b := []byte{1, 2, 3}, []byte{1, 2, 4}
	if Key("m1@x", a) != Key("m1@x", bytes.Clone(a)) {
		t.Error("same message and APDU, different keys")
	}
	for _, k := range []string{Key("m2@x", a), Key("m1@x", b), Key("", a)} {
		if k == Key("m1@x", a) {
			t.Errorf("key %q collides", k)
		}
	}
	if want := "<m1@x> sha256:039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"; Key("m1@x", a) != want {
		t.Errorf("Key = %q, want %q", Key("m1@x", a), want)
	}
}

// mime64 is BER as a base64 body with CRLF line ends.
func mime64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return out.String() + s + "\r\n"
}

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// TestParseVariants feeds Parse messages as partners' mailers write them.
func TestParseVariants(t *testing.T) {
	req := readTestdata(t, "ill-request-loan.ber")
	rep := readTestdata(t, "status-or-error-report-ok.reply.ber")
	head := "From: ILL <ill@resplib.example>\nTo: ill@reqlib.example\nMessage-ID: <v1@resplib.example>\nSubject: whatever the subject\nMIME-Version: 1.0\n"
	part := func(ct string, body []byte) string {
		return "--b\nContent-Type: " + ct + "\nContent-Transfer-Encoding: base64\n\n" + mime64(body)
	}
	multi := func(parts ...string) []byte {
		return crlf(head + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nHello staff\n" +
			strings.Join(parts, "") + "--b--\n")
	}
	single := func(ct string, body []byte) []byte {
		return crlf(head + "Content-Type: " + ct + "\nContent-Transfer-Encoding: base64\n\n" + mime64(body))
	}
	tests := []struct {
		name  string
		msg   []byte
		lim   Limits
		types []ill.Type // decoded parts in order; 0 for a part with Err
		err   error
	}{
		{"whole body", single("application/iso-10161-ill-1; transfer-encoding=iso-8825-ber", req), Limits{}, []ill.Type{ill.TypeRequest}, nil},
		{"no parameter", multi(part("application/iso-10161-ill-1", req)), Limits{}, []ill.Type{ill.TypeRequest}, nil},
		{"x- type", multi(part("application/x-iso-10161-ill-1", req)), Limits{}, []ill.Type{ill.TypeRequest}, nil},
		{"upper case, quoted parameter", multi(part(`Application/ISO-10161-ILL-1; Transfer-Encoding="ISO-8825-BER"`, req)), Limits{}, []ill.Type{ill.TypeRequest}, nil},
		{"two APDUs", multi(part(MediaType, req), part(MediaType, rep)), Limits{}, []ill.Type{ill.TypeRequest, ill.TypeStatusOrErrorReport}, nil},
		{"nested multipart", crlf(head + "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary=b\n\n" +
			part(MediaType, req) + "--b--\n--o--\n"), Limits{}, []ill.Type{ill.TypeRequest}, nil},
		{"EDIFACT", multi(part(MediaType+"; transfer-encoding=edifact", req)), Limits{}, []ill.Type{0}, nil},
		{"not BER", multi(part(MediaType, []byte("hello"))), Limits{}, []ill.Type{0}, nil},
		{"missing end boundary", crlf(head + "Content-Type: multipart/mixed; boundary=b\n\n" + part(MediaType, req)), Limits{}, []ill.Type{0}, nil},
		{"plain text", crlf(head + "\nPlease send us Dune.\n"), Limits{}, nil, ErrNoAPDU},
		{"octet-stream", multi("--b\nContent-Type: application/octet-stream; name=req.ber\nContent-Transfer-Encoding: base64\n\n" + mime64(req)), Limits{}, nil, ErrNoAPDU},
		{"message too large", single(MediaType, req), Limits{MaxMessage: 300}, nil, ErrTooLarge},
		{"APDU too large", single(MediaType, req), Limits{MaxAPDU: 100}, nil, ErrTooLarge},
		{"too many parts", multi(part(MediaType, req), part(MediaType, req), part(MediaType, req)), Limits{MaxParts: 3}, nil, ErrTooLarge},
		{"too deep", crlf(head + "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary=b\n\n" +
			part(MediaType, req) + "--b--\n--o--\n"), Limits{MaxDepth: 2}, nil, ErrTooLarge},
		{"no header end", []byte("From: x@y\r\nSubject: unterminated"), Limits{}, nil, ErrNoAPDU},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.msg, tt.lim)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.From != "ill@resplib.example" || m.MessageID != "v1@resplib.example" {
				t.Errorf("From %q, Message-ID %q", m.From, m.MessageID)
			}
			if len(m.Parts) != len(tt.types) {
				t.Fatalf("%d parts, want %d", len(m.Parts), len(tt.types))
			}
			for i, p := range m.Parts {
				if p.Key != Key(m.MessageID, p.BER) {
					t.Errorf("part %d key %q", i, p.Key)
				}
				if tt.types[i] == 0 {
					if p.Err == nil || p.APDU != nil {
						t.Errorf("part %d: want an error, got %v", i, p.APDU)
					}
					continue
				}
				if p.Err != nil {
					t.Fatalf("part %d: %v", i, p.Err)
				}
				if p.APDU.Type() != tt.types[i] {
					t.Errorf("part %d is %s, want %s", i, p.APDU.Type(), tt.types[i])
				}
			}
			if tt.types[0] == ill.TypeRequest && !bytes.Equal(m.Parts[0].BER, req) {
				t.Errorf("BER changed")
			}
		})
	}
}

// TestParseNotBERIsDecodeError: a part that is not an APDU reports the
// general problem a responder answers with.
func TestParseNotBERIsDecodeError(t *testing.T) {
	m, err := Parse(crlf("From: a@b\nContent-Type: "+MediaType+"\nContent-Transfer-Encoding: base64\n\n"+mime64([]byte{0x7f, 0x00})), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var de *ill.DecodeError
	if !errors.As(m.Parts[0].Err, &de) || de.Problem != ill.BadlyStructuredAPDU {
		t.Errorf("error %v, want a badly-structured-APDU DecodeError", m.Parts[0].Err)
	}
}

// TestRecomposeKeepsKey: composing the same APDU under the same Message-ID
// later (a resend after a crash) gives another message with the same key.
func TestRecomposeKeepsKey(t *testing.T) {
	o := Outgoing{From: "ill@reqlib.example", To: "ill@resplib.example", MessageID: "ill.T1.7@reqlib.example", APDU: answer()}
	a, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	o.Date = time.Now().Add(time.Hour)
	b, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Raw, b.Raw) {
		t.Fatal("two compositions gave the same bytes")
	}
	ma, err := Parse(a.Raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := Parse(b.Raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Key != b.Key || ma.Parts[0].Key != a.Key || mb.Parts[0].Key != a.Key {
		t.Errorf("keys %q %q, parsed %q %q", a.Key, b.Key, ma.Parts[0].Key, mb.Parts[0].Key)
	}
	o.MessageID = "ill.T1.8@reqlib.example"
	if c, err := Compose(o); err != nil || c.Key == a.Key {
		t.Errorf("another Message-ID, same key (%v)", err)
	}
}

func TestSubject(t *testing.T) {
	req, err := ill.Decode(readTestdata(t, "ill-request-loan.ber"))
	if err != nil {
		t.Fatal(err)
	}
	long := answer()
	long.TransactionID.Qualifier = ill.String(strings.Repeat("Q", 300))
	for _, tt := range []struct {
		apdu ill.APDU
		want string
	}{
		{req, "ILL-Request REQLIB/GQ1/TQ0001: The Art of Computer Programming"},
		{answer(), "ILL-Answer REQLIB/GQ1/TQ0001"},
		{&ill.Shipped{Header: answer().Header}, "ILL Shipped REQLIB/GQ1/TQ0001"},
		{long, "ILL-Answer REQLIB/GQ1/" + strings.Repeat("Q", 189) + "…"},
	} {
		if got := Subject(tt.apdu); got != tt.want {
			t.Errorf("Subject(%s) = %q, want %q", tt.apdu.Type(), got, tt.want)
		}
	}
}

func TestSummaryDates(t *testing.T) {
	held := answer()
	held.TransactionResults = ill.HoldPlaced
	held.ResultsExplanation = &ill.ResultsExplanation{HoldPlaced: &ill.HoldPlacedResults{EstimatedDateAvailable: "20250301"}}
	shipped, due := "20250103", &ill.DateDue{Date: "20250124"}
	sh := &ill.Shipped{Header: answer().Header, SupplyDetails: ill.SupplyDetails{DateShipped: &shipped, DateDue: due}}
	for _, tt := range []struct {
		apdu ill.APDU
		want []string
	}{
		{held, []string{"Result:          hold placed, expected 20250301"}},
		{sh, []string{"Shipped on:      20250103", "Due back:        20250124 (not renewable)"}},
	} {
		got := Summary(tt.apdu)
		for _, l := range tt.want {
			if !strings.Contains(got, l+"\r\n") {
				t.Errorf("%s summary lacks %q:\n%s", tt.apdu.Type(), l, got)
			}
		}
	}
}
