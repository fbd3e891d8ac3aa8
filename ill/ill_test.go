package ill

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/internal/ber"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func s(p *String) string {
	if p == nil {
		return "<absent>"
	}
	return string(*p)
}

func inst(id *SystemID) string {
	if id == nil || id.Symbol == nil {
		return "<absent>"
	}
	return s(id.Symbol.Institution)
}

// checkLoan asserts the fields of request.params, as the asn1parse dump
// and yaz-illclient's own print of the request show them.
func checkLoan(t *testing.T, a APDU) {
	r := a.(*Request)
	tid := r.TransactionID
	got := []string{
		inst(tid.InitialRequesterID), string(tid.GroupQualifier), string(tid.Qualifier),
		r.ServiceDateTime.This.Date, *r.ServiceDateTime.This.Time, inst(r.RequesterID), inst(r.ResponderID),
		s(r.DeliveryAddress.Postal.Name.Institution), s(r.DeliveryAddress.Postal.City),
		s(r.ClientID.Identifier), s(r.ItemID.Title), s(r.ItemID.Author), s(r.ItemID.ISBN), s(r.RequesterNote),
	}
	want := []string{"REQLIB", "GQ1", "TQ0001", "20250101", "120000", "REQLIB", "RESPLIB",
		"Requesting Library", "Tartu", "PATRON42", "The Art of Computer Programming", "Knuth, Donald",
		"0201896834", "please send by courier"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields\n got %q\nwant %q", got, want)
	}
	if r.Version != 2 || r.TransactionType != 1 || !reflect.DeepEqual(r.ServiceTypes, []ServiceType{Loan}) ||
		r.PlaceOnHold != 3 || r.RetryFlag || r.ForwardFlag || *r.ItemID.ItemType != 1 || r.SearchType.ExpiryFlag != 3 {
		t.Errorf("numbers: %+v", r)
	}
	if m := r.RequesterOptionalMessages; m != (RequesterOptionalMessages{true, true, Requires, Desires}) {
		t.Errorf("optional messages %+v", m)
	}
	// YAZ's empty sequences: electronic-address a1 00, billing-address a8 04 a0 00 a1 00.
	if e := r.DeliveryAddress.Electronic; e == nil || e.TelecomServiceAddress != nil {
		t.Errorf("electronic address %+v", e)
	}
	if b := r.BillingAddress; b == nil || b.Postal == nil || b.Electronic == nil || b.Postal.City != nil {
		t.Errorf("billing address %+v", b)
	}
}

func TestCaptures(t *testing.T) {
	tests := []struct {
		file  string
		check func(*testing.T, APDU)
	}{
		{"ill-request-loan.ber", func(t *testing.T, a APDU) {
			checkLoan(t, a)
			if a.(*Request).Extensions != nil {
				t.Error("extensions present")
			}
		}},
		{"ill-request-loan-oclc-auth.ber", func(t *testing.T, a APDU) {
			checkLoan(t, a)
			ext := a.(*Request).Extensions
			if len(ext) != 2 {
				t.Fatalf("%d extensions", len(ext))
			}
			for i, oid := range []ber.OID{"1.2.840.10003.8.1", "1.0.10161.13.2"} {
				x, err := ber.ParseExternal(ext[i].Item)
				if err != nil || x.DirectReference != oid || ext[i].Identifier != 1 || ext[i].Critical {
					t.Errorf("extension %d: %+v %v, want %s", i, x, err, oid)
				}
			}
			if !strings.Contains(ext[0].Item.String(), "'100-000-000'") {
				t.Errorf("PromptObject1 without the user id: %s", ext[0].Item)
			}
		}},
		{"ill-request-no-params.ber", func(t *testing.T, a APDU) {
			r := a.(*Request)
			// Every string present and empty, every enum 0.
			if r.Version != 0 || r.TransactionType != 0 || r.PlaceOnHold != 0 || !reflect.DeepEqual(r.ServiceTypes, []ServiceType{0}) {
				t.Errorf("numbers %+v", r)
			}
			for _, p := range []*String{r.TransactionID.SubQualifier, r.ItemID.Title, r.ItemID.VerificationReferenceSource,
				r.CopyrightCompliance, r.RequesterNote, r.ForwardNote, r.SearchType.LevelOfService} {
				if p == nil || *p != "" {
					t.Errorf("string %v, want present and empty", p)
				}
			}
			if r.ServiceDateTime.Original == nil || *r.ServiceDateTime.Original.Time != "" {
				t.Error("original service date-time absent")
			}
			if err := r.CheckVersion(); !errors.Is(err, ErrVersion) {
				t.Errorf("CheckVersion(0) = %v", err)
			}
		}},
		{"status-or-error-report-ok.reply.ber", func(t *testing.T, a APDU) {
			r := a.(*StatusOrErrorReport)
			if *r.ReasonNoReport != Temporary || r.ErrorReport != nil || r.ServiceDateTime.This.Date != "20261122" ||
				*r.ServiceDateTime.This.Time != "022734" || inst(r.ResponderID) != "RESPLIB" {
				t.Errorf("%+v", r)
			}
		}},
		{"status-or-error-report-minimal.reply.ber", func(t *testing.T, a APDU) {
			r := a.(*StatusOrErrorReport)
			if *r.ReasonNoReport != Temporary || r.RequesterID != nil || r.TransactionID.InitialRequesterID != nil ||
				r.ServiceDateTime.This.Time != nil || r.TransactionID.Qualifier != "TQ0001" {
				t.Errorf("%+v", r)
			}
		}},
		{"status-or-error-report-error.reply.ber", func(t *testing.T, a APDU) {
			r := a.(*StatusOrErrorReport)
			e := r.ErrorReport
			if r.ReasonNoReport != nil || e == nil || e.CorrelationInformation != "test" || e.ReportSource != ProviderSource ||
				*e.ProviderErrorReport.GeneralProblem != OtherProblem || s(r.Note) != "listener says no" {
				t.Errorf("%+v", r)
			}
		}},
		{"ill-answer-will-supply.reply.ber", func(t *testing.T, a APDU) {
			r := a.(*Answer)
			if r.TransactionResults != WillSupply || r.ResultsExplanation != nil || r.ServiceDateTime.This.Date != "20261122" {
				t.Errorf("%+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := read(t, tt.file)
			a, err := Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, a)
			// Re-encode. The version-0 robustness request is written
			// through the schema, since Encode refuses version 0.
			n, err := schemas[a.Type()].Encode(a, ber.EncodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if raw[1] != 0x80 {
				// Our replies are definite: byte-identical.
				if got := ber.Marshal(n); !bytes.Equal(got, raw) {
					t.Errorf("re-encoding differs\n got %X\nwant %X", got, raw)
				}
				return
			}
			// yaz-illclient writes the APPLICATION wrapper and the
			// SEQUENCE indefinite and everything inside definite:
			// written that way, ours is byte-identical.
			yazStyle := []byte{raw[0], 0x80, 0x30, 0x80}
			for _, c := range n.Children[0].Children {
				yazStyle = ber.Append(yazStyle, c)
			}
			yazStyle = append(yazStyle, 0, 0, 0, 0)
			if !bytes.Equal(yazStyle, raw) {
				t.Errorf("re-encoding differs\n got %X\nwant %X", yazStyle, raw)
			}
		})
	}
}

func TestRoundTripAll(t *testing.T) {
	for _, v := range []int{Version1, Version2} {
		for _, omit := range []bool{false, true} {
			all := fixtures(v)
			if len(all) != 20 {
				t.Fatalf("%d fixtures", len(all))
			}
			for i, a := range all {
				if a.Type() != Type(i+1) {
					t.Fatalf("fixture %d is %s", i, a.Type())
				}
				t.Run(a.Type().String(), func(t *testing.T) {
					raw, err := EncodeWith(a, EncodeOptions{OmitDefaults: omit})
					if err != nil {
						t.Fatal(err)
					}
					if raw[0] != 0x60|byte(a.Type()) || raw[2] != 0x30 && raw[3] != 0x30 && raw[4] != 0x30 {
						t.Errorf("not [APPLICATION %d] around a SEQUENCE: % X", a.Type(), raw[:6])
					}
					back, err := Decode(raw)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(back, a) {
						t.Errorf("v%d omit=%v: decoded value differs\n got %+v\nwant %+v", v, omit, back, a)
					}
					again, err := EncodeWith(back, EncodeOptions{OmitDefaults: omit})
					if err != nil || !bytes.Equal(again, raw) {
						t.Errorf("second encoding differs: %v", err)
					}
				})
			}
		}
	}
}

// indefinite writes n with indefinite lengths on every constructed value.
func indefinite(dst []byte, n *ber.Node) []byte {
	if !n.Constructed {
		return ber.Append(dst, n)
	}
	one := ber.Marshal(&ber.Node{Class: n.Class, Tag: n.Tag, Constructed: true})
	dst = append(dst, one[:len(one)-1]...) // identifier octets
	dst = append(dst, 0x80)
	for _, c := range n.Children {
		dst = indefinite(dst, c)
	}
	return append(dst, 0, 0)
}

func TestIndefiniteEverywhere(t *testing.T) {
	for _, a := range fixtures(Version2) {
		t.Run(a.Type().String(), func(t *testing.T) {
			n, err := EncodeNode(a, EncodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			raw := indefinite(nil, n)
			if bytes.Equal(raw, ber.Marshal(n)) {
				t.Fatal("no indefinite lengths written")
			}
			back, err := Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, a) {
				t.Errorf("decoded value differs\n got %+v\nwant %+v", back, a)
			}
		})
	}
}

// The wire form of single fields: IMPLICIT vs explicit, high tags, the
// APPLICATION wrapper.
func TestFieldEncodings(t *testing.T) {
	h := Header{Version: 2, TransactionID: TransactionID{GroupQualifier: "G", Qualifier: "Q"},
		ServiceDateTime: ServiceDateTime{This: DateTime{Date: "20261203"}}}
	head := "800102 a10a a1031b0147 a2031b0151 a20c a00a 80083230323631323033"
	tests := []struct {
		name string
		a    APDU
		want string // hex after the common header, inside the SEQUENCE
	}{
		{"message note [46] explicit GeneralString UTF-8", &Message{Header: h, Note: "Tõnu"},
			"bf2e07 1b05 54c3b56e75"},
		{"reason-no-report [43] implicit", &StatusOrErrorReport{Header: h, ReasonNoReport: ip(Temporary)}, "9f2b0101"},
		{"answer [35] implicit BOOLEAN", &CancelReply{Header: h, Answer: true}, "9f230101"},
		{"transaction-results [31]", &Answer{Header: h, TransactionResults: Unfilled,
			ResultsExplanation: &ResultsExplanation{Unfilled: &UnfilledResults{ReasonUnfilled: 5}}},
			"9f1f0103 bf2007 a305 3003 800105"}, // the CHOICE arm wraps its SEQUENCE
		{"will-supply results explicit inside", &Answer{Header: h, TransactionResults: WillSupply,
			ResultsExplanation: &ResultsExplanation{WillSupply: &WillSupplyResults{Reason: 26, SupplyDate: sp("20261205")}}},
			"9f1f0105 bf2015 a513 3011 a0030a011a a10a1a083230323631323035"},
		{"units-per-medium explicit", &Shipped{Header: h, TransactionType: 1, ShippedServiceType: Loan,
			SupplyDetails: SupplyDetails{UnitsPerMedium: []UnitsPerMedium{{Medium: 1, NoOfUnits: 2}}}},
			"850101 9b0101 bd0e a80c 300a a0030a0101 a103020102"},
		{"overdue extensions [49] explicit", &Overdue{Header: h, DateDue: DateDue{Date: "20261224", Renewable: true},
			Extensions: Extensions{{Identifier: 7, Item: ber.NewNull(ber.Universal, ber.TagNull)}}},
			"bf290d 80083230323631323234 810101 bf310e 300c 300a 800107 810100 a2020500"},
		{"other extensions [49] implicit", &Cancel{Header: h,
			Extensions: Extensions{{Identifier: 7, Item: ber.NewNull(ber.Universal, ber.TagNull)}}},
			"bf310c 300a 800107 810100 a2020500"},
		{"damaged-details [5] v2", &Damaged{Header: h, DamagedDetails: &DamagedDetails{
			DamagedPortion: DamagedPortion{CompleteDocument: &ber.Null{}}}}, "a502 8100"},
		{"expired header only", &Expired{Header: h}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := ber.Unmarshal(got, ber.Limits{})
			var body []byte
			for _, c := range n.Children[0].Children[3:] {
				body = ber.Append(body, c)
			}
			var hd []byte
			for _, c := range n.Children[0].Children[:3] {
				hd = ber.Append(hd, c)
			}
			if want := strings.ReplaceAll(head, " ", ""); hex.EncodeToString(hd) != want {
				t.Errorf("header %x, want %s", hd, want)
			}
			if want := strings.ReplaceAll(tt.want, " ", ""); hex.EncodeToString(body) != want {
				t.Errorf("fields\n got %x\nwant %s", body, want)
			}
			if got[0] != 0x60|byte(tt.a.Type()) {
				t.Errorf("first octet %02x", got[0])
			}
		})
	}
}

// Overdue's extensions come both ways: explicit as the module says (and
// YAZ writes), IMPLICIT as in every other APDU.
func TestOverdueExtensionsBothWays(t *testing.T) {
	base := "6c{30{800102 a1{a1{1b0147} a2{1b0151}} a2{a0{80083230323631323033}} bf29{80083230323631323234}"
	tests := []struct{ name, ext string }{
		{"explicit", "bf31{30{30{800107 a2{0500}} 30{800108 810101 a2{0500}}}}"},
		{"implicit", "bf31{30{800107 a2{0500}} 30{800108 810101 a2{0500}}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Decode(tlv(t, base+tt.ext+"}}"))
			if err != nil {
				t.Fatal(err)
			}
			o := a.(*Overdue)
			if len(o.Extensions) != 2 || o.Extensions[0].Identifier != 7 || o.Extensions[1].Identifier != 8 ||
				!o.Extensions[1].Critical || o.Extensions[0].Critical || !o.DateDue.Renewable {
				t.Errorf("%+v", o)
			}
		})
	}
	// And a Cancel with explicit extensions, written by a peer that
	// tags them as Overdue's: read too.
	a, err := Decode(tlv(t, "66{30{800102 a1{a1{1b0147} a2{1b0151}} a2{a0{80083230323631323033}} bf31{30{30{800107 a2{0500}}}}}}"))
	if err != nil || len(a.(*Cancel).Extensions) != 1 {
		t.Errorf("Cancel with explicit extensions: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	// An ILL-Request without the DEFAULT fields decodes to the defaults.
	min := "61{30{800102 a1{a1{1b0147} a2{1b0151}} a2{a0{80083230323631323033}} a9{0a0101} ab{800100 810100 820101 830101}" +
		" ac{} b0{a4{1b0158}} b2{} b4{}" + // search-type, cost-info, third-party-info: all fields left to defaults
		" }}"
	a, err := Decode(tlv(t, min))
	if err != nil {
		t.Fatal(err)
	}
	r := a.(*Request)
	if r.TransactionType != 1 || r.PlaceOnHold != 3 || r.RetryFlag || r.ForwardFlag || r.SearchType.ExpiryFlag != 3 ||
		r.ThirdPartyInfo.Preference != 2 || r.ThirdPartyInfo.PermissionToForward || r.CostInfo.WillPayFee {
		t.Errorf("defaults not applied: %+v %+v %+v", r, r.SearchType, r.ThirdPartyInfo)
	}
	// Written back: with defaults (YAZ's way) and without.
	with, _ := Encode(r)
	without, _ := EncodeWith(r, EncodeOptions{OmitDefaults: true})
	for _, f := range []string{"850101", "8e0103", "950100", "960100", "820103", "850102"} {
		b, _ := hex.DecodeString(f)
		if !bytes.Contains(with, b) {
			t.Errorf("default %s not written: %X", f, with)
		}
		if bytes.Contains(without, b) {
			t.Errorf("default %s written with OmitDefaults: %X", f, without)
		}
	}
	// A Date-Due with renewable FALSE is not a default and stays.
	o := &Overdue{Header: r.Header, DateDue: DateDue{Date: "20261224", Renewable: false}}
	raw, _ := EncodeWith(o, EncodeOptions{OmitDefaults: true})
	back, _ := Decode(raw)
	if back.(*Overdue).DateDue.Renewable {
		t.Error("renewable FALSE lost")
	}
	raw, _ = EncodeWith(&Overdue{Header: r.Header, DateDue: DateDue{Date: "20261224", Renewable: true}}, EncodeOptions{OmitDefaults: true})
	if back, _ := Decode(raw); !back.(*Overdue).DateDue.Renewable {
		t.Error("renewable default TRUE not restored")
	}
}

func TestVersions(t *testing.T) {
	// Version 1 APDUs decode and encode; version-2 fields are refused in
	// them on output.
	for _, a := range fixtures(Version1) {
		raw, err := Encode(a)
		if err != nil {
			t.Fatalf("%s v1: %v", a.Type(), err)
		}
		if back, err := Decode(raw); err != nil || back.Head().Version != Version1 {
			t.Errorf("%s: version 1 not read back: %v", a.Type(), err)
		}
	}
	v2 := fixtures(Version2)
	for _, i := range []int{0, 2, 3, 15} { // Request, Shipped, Answer, Damaged carry version-2 fields
		a := v2[i]
		a.Head().Version = Version1
		if _, err := Encode(a); !errors.Is(err, ErrVersion) {
			t.Errorf("%s v1 with version-2 field: %v, want ErrVersion", a.Type(), err)
		}
		// The same bytes as version 2 decode whatever version they claim.
		a.Head().Version = Version2
		raw, err := Encode(a)
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.Replace(raw, []byte{0x80, 0x01, 0x02}, []byte{0x80, 0x01, 0x01}, 1)
		back, err := Decode(raw)
		if err != nil || back.Head().Version != 1 {
			t.Errorf("%s: v1 with version-2 fields not read: %v", a.Type(), err)
		}
	}
	for _, v := range []int{0, 3} {
		m := &Message{Header: header(v), Note: "x"}
		if _, err := Encode(m); !errors.Is(err, ErrVersion) {
			t.Errorf("version %d encoded: %v", v, err)
		}
		if err := m.CheckVersion(); !errors.Is(err, ErrVersion) {
			t.Errorf("CheckVersion(%d) = %v", v, err)
		}
	}
}

func TestStrings(t *testing.T) {
	h := "71{30{800102 a1{a1{1b0147} a2{1b0151}} a2{a0{80083230323631323033}} bf2e{%s}}}"
	tests := []struct {
		name, note, want string
		latin1           bool
	}{
		{"GeneralString UTF-8", "1b{54c3b56e75}", "Tõnu", false},
		{"EDIFACTString", "1a{54616e6e}", "Tann", false},
		{"constructed GeneralString", "3b{1b{54c3}1b{b56e75}}", "Tõnu", false},
		{"ISO-8859-1 read as such", "1b{54f56e75}", "Tõnu", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tlv(t, strings.Replace(h, "%s", tt.note, 1))
			a, err := Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(a.(*Message).Note); got != tt.want {
				t.Errorf("note %q, want %q", got, tt.want)
			}
			if Latin1(raw) != tt.latin1 {
				t.Errorf("Latin1 = %v", !tt.latin1)
			}
		})
	}
	if _, err := Decode(tlv(t, strings.Replace(h, "%s", "0c{41}", 1))); err == nil {
		t.Error("UTF8String accepted as ILL-String")
	}
}

// Garbage gives a *DecodeError with the general-problem a server puts in
// its Status-Or-Error-Report, and the header when it can be read.
func TestGarbage(t *testing.T) {
	goodHead := "800102 a1{a1{1b0147} a2{1b0151}} a2{a0{80083230323631323033}}"
	tests := []struct {
		name    string
		in      []byte
		problem GeneralProblem
		typ     Type
		header  bool
	}{
		{"empty", nil, BadlyStructuredAPDU, 0, false},
		{"HTTP", []byte("GET / HTTP/1.1\r\n\r\n"), BadlyStructuredAPDU, 0, false},
		{"truncated", read(t, "ill-request-loan.ber")[:100], BadlyStructuredAPDU, 0, false},
		{"trailing bytes", append(read(t, "status-or-error-report-ok.reply.ber"), 0), BadlyStructuredAPDU, 0, false},
		{"Z39.50 init", tlv(t, "b4{830100}"), UnrecognizedAPDU, 0, false},
		{"APPLICATION 21", tlv(t, "75{30{"+goodHead+"}}"), UnrecognizedAPDU, 0, false},
		{"primitive APPLICATION 1", tlv(t, "4100"), MistypedAPDU, TypeRequest, false},
		{"Message without note", tlv(t, "71{30{"+goodHead+"}}"), MistypedAPDU, TypeMessage, true},
		{"Cancel with unknown field", tlv(t, "66{30{"+goodHead+" 9f6301ff}}"), MistypedAPDU, TypeCancel, true},
		{"Request missing item-id", tlv(t, "61{30{"+goodHead+" a9{0a0101} ab{800100 810100 820101 830101}}}"), MistypedAPDU, TypeRequest, true},
		{"wrong type in header", tlv(t, "72{30{0101ff}}"), MistypedAPDU, TypeStatusQuery, false},
		{"Forward-Notification without responder", tlv(t, "62{30{"+goodHead+" b9{a0{a1{1b0149}}}}}"), MistypedAPDU, TypeForwardNotification, true},
		{"bad enum length", tlv(t, "73{30{"+goodHead+" 9f2b00}}"), MistypedAPDU, TypeStatusOrErrorReport, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Decode(tt.in)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode = %v, %v; want a *DecodeError", a, err)
			}
			if de.Problem != tt.problem || de.Type != tt.typ || (de.Header != nil) != tt.header {
				t.Errorf("problem %d type %s header %v, want %d %s %v (%v)", de.Problem, de.Type, de.Header != nil,
					tt.problem, tt.typ, tt.header, err)
			}
			if de.Header != nil && de.Header.TransactionID.Qualifier != "Q" {
				t.Errorf("header %+v", de.Header)
			}
		})
	}
}

// tlv turns hex with braces into bytes, each braced group's length
// computed: "a1{1b0141}" is a1 03 1b 01 41.
func tlv(t testing.TB, in string) []byte {
	t.Helper()
	out, rest := tlvGroup(t, strings.ReplaceAll(in, " ", ""))
	if rest != "" {
		t.Fatalf("tlv %q: unbalanced at %q", in, rest)
	}
	return out
}

func tlvGroup(t testing.TB, s string) ([]byte, string) {
	var out []byte
	for s != "" {
		switch s[0] {
		case '}':
			return out, s
		case '{':
			inner, rest := tlvGroup(t, s[1:])
			if rest == "" {
				t.Fatal("tlv: unclosed brace")
			}
			l := ber.Marshal(ber.NewPrimitive(ber.Universal, ber.TagOctetString, inner))
			out = append(out, l[1:len(l)-len(inner)]...)
			out = append(out, inner...)
			s = rest[1:]
		default:
			i := strings.IndexAny(s, "{}")
			if i < 0 {
				i = len(s)
			}
			b, err := hex.DecodeString(s[:i])
			if err != nil {
				t.Fatalf("tlv: %v", err)
			}
			out = append(out, b...)
			s = s[i:]
		}
	}
	return out, ""
}
