package ber

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The searchRequest for `find @attr 1=4 12` as yaz-client sends it.
const searchHex = "B6 3F 8D 01 00 8E 01 01 8F 01 00 90 01 01 91 01 31 B2 0A 9F 69 07 44 65 66 61 75 6C 74" +
	" B5 22 A1 20 06 07 2A 86 48 CE 13 03 01 A0 15 BF 66 12 BF 2C 0A 30 08 9F 78 01 01 9F 79 01 04 9F 2D 02 31 32"

func TestParseSearchRequest(t *testing.T) {
	raw := unhex(t, searchHex)
	n, err := Unmarshal(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !n.Is(Context, 22) || !n.Constructed {
		t.Fatalf("top = %s", n.label())
	}
	db := n.Child(Context, 18).Child(Context, 105)
	if s, _ := db.Text(); s != "Default" {
		t.Errorf("database = %q", s)
	}
	q := n.Child(Context, 21).Child(Context, 1)
	if o, _ := q.Children[0].OID(); o != "1.2.840.10003.3.1" {
		t.Errorf("attribute set = %q", o)
	}
	apt := q.Child(Context, 0).Child(Context, 102)
	if apt == nil {
		t.Fatal("no [102] under op")
	}
	attr := apt.Child(Context, 44).Children[0]
	typ, _ := attr.Child(Context, 120).Int()
	val, _ := attr.Child(Context, 121).Int()
	if typ != 1 || val != 4 {
		t.Errorf("attribute = %d=%d", typ, val)
	}
	if term, _ := apt.Child(Context, 45).Text(); term != "12" {
		t.Errorf("term = %q", term)
	}
	if got := Marshal(n); !bytes.Equal(got, raw) {
		t.Errorf("re-encode differs:\n got %X\nwant %X", got, raw)
	}
}

func TestIndefiniteInit(t *testing.T) {
	raw, err := os.ReadFile("testdata/init_charset.bin")
	if err != nil {
		t.Fatal(err)
	}
	n, used, err := Parse(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if used != len(raw) {
		t.Errorf("used %d of %d", used, len(raw))
	}
	if !n.Is(Context, 20) {
		t.Fatalf("top = %s", n.label())
	}
	if auth, _ := n.Child(Context, 7).Children[0].Text(); auth != "alice/secret" {
		t.Errorf("auth = %q", auth)
	}
	other := n.Child(Context, 201)
	if other == nil {
		t.Fatal("no otherInfo [201]")
	}
	ext, err := ParseExternal(other.Children[0].Child(Context, 4))
	if err != nil {
		t.Fatal(err)
	}
	if ext.DirectReference != "1.2.840.10003.15.3" || ext.Encoding != SingleASN1Type {
		t.Errorf("external = %+v", ext)
	}
	// Definite re-encoding parses back to the same tree.
	def := Marshal(n)
	if bytes.Contains(def[:2], []byte{0x80}) {
		t.Errorf("re-encoding is not definite: % X", def[:4])
	}
	n2, err := Unmarshal(def, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if n.String() != n2.String() {
		t.Errorf("trees differ:\n%s\n%s", n, n2)
	}
}

func TestHighTagNumbers(t *testing.T) {
	tests := []struct {
		class       Class
		constructed bool
		tag         int
		want        string
	}{
		{Context, false, 104, "9F68"},
		{Context, true, 104, "BF68"},
		{Context, true, 201, "BF8149"},
		{Context, false, 30, "9E"},
		{Context, false, 31, "9F1F"},
		{Universal, false, 16383, "1FFF7F"},
	}
	for _, tt := range tests {
		got := appendIdentifier(nil, tt.class, tt.constructed, tt.tag)
		if hex.EncodeToString(got) != strings.ToLower(tt.want) {
			t.Errorf("tag %d: got %X want %s", tt.tag, got, tt.want)
		}
		c, con, tag, n, err := parseIdentifier(got)
		if err != nil || c != tt.class || con != tt.constructed || tag != tt.tag || n != len(got) {
			t.Errorf("parse %X = %v %v %d %d %v", got, c, con, tag, n, err)
		}
	}
}

func TestLengths(t *testing.T) {
	for _, l := range []int{0, 1, 127, 128, 255, 256, 366, 65535, 1 << 20} {
		enc := appendLength(nil, l)
		got, n, err := parseLength(enc)
		if err != nil || got != l || n != len(enc) {
			t.Errorf("length %d: enc %X -> %d,%d,%v", l, enc, got, n, err)
		}
		if headerLen(1, l) != 1+len(enc) {
			t.Errorf("headerLen(%d) = %d, want %d", l, headerLen(1, l), 1+len(enc))
		}
	}
	if l, _, _ := parseLength([]byte{0x82, 0x01, 0x6e}); l != 366 {
		t.Errorf("82 01 6E = %d", l)
	}
}

func TestOID(t *testing.T) {
	tests := []struct {
		oid OID
		hex string
	}{
		{"1.2.840.10003", "2A8648CE13"},
		{"1.0.10646.1.0.8", "28D316010008"},
		{"1.2.840.10003.5.109.10", "2A8648CE13056D0A"},
		{"2.999.3", "883703"},
	}
	for _, tt := range tests {
		n := NewOID(Universal, TagOID, tt.oid)
		if n == nil {
			t.Fatalf("%s: invalid", tt.oid)
		}
		if got := hex.EncodeToString(n.Value); got != strings.ToLower(tt.hex) {
			t.Errorf("%s: got %s want %s", tt.oid, got, tt.hex)
		}
		back, err := n.OID()
		if err != nil || back != tt.oid {
			t.Errorf("%s: decoded %q %v", tt.oid, back, err)
		}
	}
	for _, bad := range []OID{"", "1", "1.", "3.1", "1.40", "1.02", "a.b"} {
		if bad.Valid() {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, bad := range []string{"", "2A86", "2A8048"} {
		n := NewPrimitive(Universal, TagOID, unhex(t, bad))
		if _, err := n.OID(); err == nil {
			t.Errorf("OID %s decoded", bad)
		}
	}
}

func TestIntegers(t *testing.T) {
	for _, v := range []int64{0, 1, 127, 128, 255, 256, -1, -128, -129, 1 << 40, -1 << 40} {
		n := NewInt(Universal, TagInteger, v)
		got, err := n.Int()
		if err != nil || got != v {
			t.Errorf("%d -> %X -> %d %v", v, n.Value, got, err)
		}
	}
	if got := NewInt(Universal, TagInteger, 128).Value; !bytes.Equal(got, []byte{0, 0x80}) {
		t.Errorf("128 = %X", got)
	}
	if _, err := NewPrimitive(Universal, TagInteger, nil).Int(); err == nil {
		t.Error("empty integer accepted")
	}
	if _, err := NewPrimitive(Universal, TagInteger, make([]byte, 9)).Int(); err == nil {
		t.Error("9-octet integer accepted")
	}
	if _, err := NewInt(Universal, TagInteger, 1<<33).IntValue(); err == nil {
		t.Error("IntValue accepted 2^33")
	}
}

func TestBitString(t *testing.T) {
	// yaz-client's options: search present delSet triggerResourceCtrl scan sort extendedServices namedResultSets negotiationModel
	n := NewPrimitive(Context, 4, unhex(t, "00E9A240"))
	b, err := n.BitString()
	if err != nil {
		t.Fatal(err)
	}
	var set []int
	for i := 0; i < 24; i++ {
		if b.At(i) {
			set = append(set, i)
		}
	}
	want := []int{0, 1, 2, 4, 7, 8, 10, 14, 17}
	if len(set) != len(want) {
		t.Fatalf("bits %v want %v", set, want)
	}
	for i := range want {
		if set[i] != want[i] {
			t.Fatalf("bits %v want %v", set, want)
		}
	}
	v := Bits(0, 1, 2)
	if got := NewBitString(Context, 3, v).Value; !bytes.Equal(got, []byte{5, 0xe0}) {
		t.Errorf("version bits = %X", got)
	}
	if b.At(100) {
		t.Error("bit past end set")
	}
}

func TestBool(t *testing.T) {
	for _, tt := range []struct {
		v    []byte
		want bool
	}{{[]byte{0}, false}, {[]byte{1}, true}, {[]byte{0xff}, true}} {
		got, err := NewPrimitive(Universal, TagBoolean, tt.v).Bool()
		if err != nil || got != tt.want {
			t.Errorf("%X = %v %v", tt.v, got, err)
		}
	}
}

func TestExternalRoundTrip(t *testing.T) {
	tests := []*External{
		NewOctetExternal("1.2.840.10003.5.10", []byte("00026nam a2200037 a 4500")),
		NewSingleExternal("1.2.840.10003.5.101", NewString(Universal, TagGeneralString, "title: x")),
	}
	for _, e := range tests {
		raw := Marshal(e.Node(Universal, TagExternal))
		n, err := Unmarshal(raw, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseExternal(n)
		if err != nil {
			t.Fatal(err)
		}
		if back.DirectReference != e.DirectReference || back.Encoding != e.Encoding ||
			!bytes.Equal(back.Octets, e.Octets) || (e.Single != nil && back.Single.String() != e.Single.String()) {
			t.Errorf("round trip %+v -> %+v", e, back)
		}
	}
}

func TestLimits(t *testing.T) {
	deep := []byte{}
	for i := 0; i < 10; i++ {
		deep = append(deep, 0x30, 0x80)
	}
	for i := 0; i < 10; i++ {
		deep = append(deep, 0, 0)
	}
	tests := []struct {
		name string
		in   []byte
		lim  Limits
		want error
	}{
		{"deep indefinite", deep, Limits{MaxDepth: 5}, ErrTooDeep},
		{"deep ok", deep, Limits{MaxDepth: 10}, nil},
		{"too large", append([]byte{0x04, 0x82, 0x01, 0x00}, make([]byte, 256)...), Limits{MaxSize: 100}, ErrTooLarge},
		{"huge length", []byte{0x04, 0x84, 0x7f, 0xff, 0xff, 0xff}, Limits{}, ErrTooLarge},
		{"truncated", []byte{0x04, 0x05, 1, 2}, Limits{}, ErrTruncated},
		{"indefinite primitive", []byte{0x04, 0x80, 0, 0}, Limits{}, ErrSyntax},
		{"eoc at top", []byte{0, 0}, Limits{}, ErrSyntax},
		{"unterminated indefinite", []byte{0x30, 0x80, 0x05, 0x00}, Limits{}, ErrTruncated},
		{"five length octets", []byte{0x04, 0x85, 0, 0, 0, 0, 1, 0}, Limits{}, ErrTooLarge},
		{"long tag", []byte{0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00}, Limits{}, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse(tt.in, tt.lim)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Errorf("Parse: %v, want %v", err, tt.want)
			}
			_, err = NewReader(bytes.NewReader(tt.in), tt.lim).Read()
			if tt.want == nil && err != nil {
				t.Errorf("Reader: %v", err)
			}
			if tt.want != nil && err == nil {
				t.Errorf("Reader accepted")
			}
			if errors.Is(tt.want, ErrTooDeep) && !errors.Is(err, ErrTooDeep) {
				t.Errorf("Reader: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestReaderFramesWithoutOverreading(t *testing.T) {
	first, err := os.ReadFile("testdata/init_charset.bin")
	if err != nil {
		t.Fatal(err)
	}
	second := unhex(t, searchHex)
	stream := append(append([]byte{}, first...), second...)
	stream = append(stream, 'G', 'E', 'T')
	br := bufio.NewReader(bytes.NewReader(stream))
	r := NewReader(br, Limits{})
	got1, err := r.ReadRaw()
	if err != nil || !bytes.Equal(got1, first) {
		t.Fatalf("first: %v (%d bytes)", err, len(got1))
	}
	got2, err := r.ReadRaw()
	if err != nil || !bytes.Equal(got2, second) {
		t.Fatalf("second: %v", err)
	}
	rest, _ := io.ReadAll(br)
	if string(rest) != "GET" {
		t.Errorf("left in stream: %q", rest)
	}
}

func TestReaderEOF(t *testing.T) {
	r := NewReader(bytes.NewReader(nil), Limits{})
	if _, err := r.ReadRaw(); err != io.EOF {
		t.Errorf("empty stream: %v", err)
	}
	r = NewReader(bytes.NewReader(unhex(t, searchHex)[:20]), Limits{})
	if _, err := r.ReadRaw(); err != io.ErrUnexpectedEOF {
		t.Errorf("cut stream: %v", err)
	}
	r = NewReader(bytes.NewReader([]byte{0x30, 0x80, 0x05, 0x00}), Limits{})
	if _, err := r.ReadRaw(); err != io.ErrUnexpectedEOF {
		t.Errorf("cut indefinite: %v", err)
	}
}

func TestReaderSizeLimit(t *testing.T) {
	big := Marshal(NewPrimitive(Universal, TagOctetString, make([]byte, 5000)))
	if _, err := NewReader(bytes.NewReader(big), Limits{MaxSize: 4096}).ReadRaw(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v", err)
	}
	if _, err := NewReader(bytes.NewReader(big), Limits{MaxSize: 8192}).ReadRaw(); err != nil {
		t.Errorf("got %v", err)
	}
}

func TestConstructedOctetString(t *testing.T) {
	n, err := Unmarshal(unhex(t, "24 80 04 02 41 42 04 01 43 00 00"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := n.Text(); s != "ABC" {
		t.Errorf("got %q", s)
	}
}
