package ber

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// A small module exercising every tagging form the mapping offers, shaped
// like ISO 10161's: an APPLICATION-wrapped SEQUENCE with implicit and
// explicit context tags, high tag numbers, DEFAULTs and CHOICEs.
type mapName struct {
	Choice
	Person      *string `ber:"0,explicit,general"`
	Institution *string `ber:"1,explicit,general"`
}

type mapDue struct {
	Date      string `ber:"0,visible"`
	Renewable bool   `ber:"1,default=true"`
}

type mapExt struct {
	ID       int   `ber:"0"`
	Critical bool  `ber:"1,default=false"`
	Item     *Node `ber:"2,explicit"`
}

type mapPortion struct {
	Choice
	Complete *Null      `ber:"1"`
	Units    []int      `ber:"2"`
	Doc      *OID       `ber:"3"`
	Any      *Node      `ber:"4,explicit"`
	Bits     *BitString `ber:"5"`
}

type mapPDU struct {
	Version  int         `ber:"0"`
	Name     mapName     `ber:"1,explicit"`
	Kind     int         `ber:"5,enum,default=1"`
	Services []int       `ber:"9,enum"`
	Note     *string     `ber:"46,explicit,optional,general"`
	Due      *mapDue     `ber:"41,optional"`
	Portion  *mapPortion `ber:"optional"`
	Raw      []byte      `ber:"20,optional"`
	Skip     string      `ber:"-"`
	Exts     []mapExt    `ber:"49,explicit,lax,optional"`
}

var mapSchema = MustCompile(mapPDU{}, "application,12,explicit")

func str(s string) *string { return &s }

func TestSchemaRoundTrip(t *testing.T) {
	oid := OID("1.0.10161.2.1")
	bits := Bits(1, 3)
	tests := []struct {
		name string
		v    mapPDU
		hex  string // definite encoding with defaults written
	}{
		{"minimal", mapPDU{Version: 2, Name: mapName{Institution: str("REQ")}, Kind: 1, Services: []int{1}},
			"6c{30{800102 a1{a1{1b03524551}} 850101 a9{0a0101}}}"},
		{"all fields", mapPDU{Version: 1, Name: mapName{Person: str("Ann")}, Kind: 3, Services: []int{2, 1},
			Note: str("Tartu õ"), Due: &mapDue{Date: "20260101", Renewable: false},
			Portion: &mapPortion{Units: []int{1, 300}}, Raw: []byte{0xff},
			Exts: []mapExt{{ID: 1, Item: NewString(Universal, TagGeneralString, "x")}}},
			"6c{30{800101 a1{a0{1b03416e6e}} 850103 a9{0a0102 0a0101}" +
				"bf2e{1b{546172747520c3b5}}" +
				"bf29{80083230323630313031 810100}" +
				"a2{020101 0202012c}" +
				"9401ff" +
				"bf31{30{30{800101 810100 a2{1b0178}}}}}}"},
		{"null arm", mapPDU{Version: 2, Name: mapName{Institution: str("")}, Kind: 1, Services: []int{},
			Portion: &mapPortion{Complete: &Null{}}},
			"6c{30{800102 a1{a1{1b00}} 850101 a900 8100}}"},
		{"oid arm", mapPDU{Version: 2, Name: mapName{Institution: str("")}, Kind: 1, Services: []int{},
			Portion: &mapPortion{Doc: &oid}},
			"6c{30{800102 a1{a1{1b00}} 850101 a900 83{28cf310201}}}"},
		{"bits and any", mapPDU{Version: 2, Name: mapName{Institution: str("")}, Kind: 1, Services: []int{},
			Portion: &mapPortion{Bits: &bits}},
			"6c{30{800102 a1{a1{1b00}} 850101 a900 85{0450}}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tlv(t, tt.hex)
			got, err := mapSchema.Marshal(&tt.v, EncodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != hex.EncodeToString(want) {
				t.Errorf("encoding\n got %X\nwant %X", got, want)
			}
			var back mapPDU
			if err := mapSchema.Unmarshal(got, Limits{}, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tt.v) {
				t.Errorf("decoded\n got %+v\nwant %+v", back, tt.v)
			}
		})
	}
}

func TestSchemaDefaults(t *testing.T) {
	v := mapPDU{Version: 2, Name: mapName{Institution: str("REQ")}, Kind: 1, Services: []int{1},
		Due: &mapDue{Date: "20260101", Renewable: true}}
	with, _ := mapSchema.Marshal(&v, EncodeOptions{})
	without, _ := mapSchema.Marshal(&v, EncodeOptions{OmitDefaults: true})
	if len(without) != len(with)-6 { // 85 01 01 and 81 01 01 left out
		t.Errorf("OmitDefaults: %X vs %X", without, with)
	}
	for _, enc := range [][]byte{with, without} {
		var back mapPDU
		if err := mapSchema.Unmarshal(enc, Limits{}, &back); err != nil {
			t.Fatal(err)
		}
		if back.Kind != 1 || !back.Due.Renewable {
			t.Errorf("%X decoded kind %d renewable %v, want the defaults", enc, back.Kind, back.Due.Renewable)
		}
	}
}

func TestSchemaIndefiniteAndLax(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		exts int
	}{
		// Outer two levels indefinite, as YAZ writes them.
		{"indefinite", "6c80 3080 800102 a107 a1051b03524551 a903 0a0101 0000 0000", 0},
		// Indefinite inside too, and the explicit tag of a string.
		{"indefinite inner", "6c80 3080 800102 a180 a1801b035245510000 0000 a9800a01010000 0000 0000", 0},
		// [49] as declared: explicit, one SEQUENCE OF.
		{"explicit exts", "6c{30{800102 a1{a1{1b03524551}} a9{0a0101} bf31{30{30{800101 a2{0500}}}}}}", 1},
		// [49] as IMPLICIT, the other way peers write it.
		{"implicit exts", "6c{30{800102 a1{a1{1b03524551}} a9{0a0101} bf31{30{800101 a2{0500}}}}}", 1},
		{"implicit two exts", "6c{30{800102 a1{a1{1b03524551}} a9{0a0101} bf31{30{800101 a2{0500}} 30{800102 a2{0500}}}}}", 2},
		{"empty explicit exts", "6c{30{800102 a1{a1{1b03524551}} a9{0a0101} bf31{3000}}}", 0},
		{"empty implicit exts", "6c{30{800102 a1{a1{1b03524551}} a9{0a0101} bf3100}}", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tlv(t, tt.hex)
			var v mapPDU
			if err := mapSchema.Unmarshal(raw, Limits{}, &v); err != nil {
				t.Fatal(err)
			}
			if v.Version != 2 || deref(v.Name.Institution) != "'REQ'" || v.Kind != 1 || len(v.Exts) != tt.exts {
				t.Errorf("decoded %+v", v)
			}
			if strings.Contains(tt.name, "exts") && v.Exts == nil {
				t.Error("present empty list decoded as absent")
			}
		})
	}
}

func TestSchemaErrors(t *testing.T) {
	tests := []struct {
		name, hex, want string
	}{
		{"missing mandatory", "6c{30{800102 a1{a1{1b03524551}}}}", "missing [9]"},
		{"unexpected element", "6c{30{800102 a1{a1{1b03524551}} a9{0a0101} 8701ff}}", "unexpected [7]"},
		{"out of order", "6c{30{a1{a1{1b03524551}} 800102 a9{0a0101}}}", "missing [0]"},
		{"wrong application", "6d{30{800102 a1{a1{1b03524551}} a9{0a0101}}}", "want [APPLICATION 12]"},
		{"no choice arm", "6c{30{800102 a1{a2{1b03524551}} a9{0a0101}}}", "[2] inside [1]: want ber.mapName"},
		{"explicit wrapper empty", "6c{30{800102 a100 a9{0a0101}}}", "want one wrapped value"},
		{"integer too long", "6c{30{80{010203040506070809} a1{a1{1b03524551}} a9{0a0101}}}", "integer of 9 octets"},
		{"wrong inner type", "6c{30{800102 a1{a1{0403524551}} a9{0a0101}}}", "[UNIVERSAL 4] inside [1]: want [UNIVERSAL 27]"},
		{"bad element", "6c{30{800102 a1{a1{1b03524551}} a9{020101}}}", "element 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tlv(t, tt.hex)
			var v mapPDU
			err := mapSchema.Unmarshal(raw, Limits{}, &v)
			if err == nil {
				t.Fatalf("accepted: %+v", v)
			}
			if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want ErrSyntax mentioning %q", err, tt.want)
			}
		})
	}
}

func TestSchemaEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		v    mapPDU
		want string
	}{
		{"no choice arm", mapPDU{Services: []int{1}}, "no alternative set"},
		{"two choice arms", mapPDU{Name: mapName{Person: str("a"), Institution: str("b")}}, "both"},
		{"missing any", mapPDU{Name: mapName{Person: str("a")}, Exts: []mapExt{{ID: 1}}}, "ANY value missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := mapSchema.Marshal(&tt.v, EncodeOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	type implicitChoice struct {
		N mapName `ber:"1"`
	}
	type optionalInt struct {
		N int `ber:"1,optional"`
	}
	type badOption struct {
		N int `ber:"1,sometimes"`
	}
	type explicitUntagged struct {
		N int `ber:"explicit"`
	}
	type nonPointerArm struct {
		Choice
		A int `ber:"0"`
	}
	type unmapped struct {
		F float64 `ber:"0"`
	}
	tests := []struct {
		v    any
		want string
	}{
		{implicitChoice{}, "cannot be tagged IMPLICIT"},
		{optionalInt{}, "optional needs a pointer"},
		{badOption{}, "unknown option"},
		{explicitUntagged{}, "without a tag number"},
		{nonPointerArm{}, "must be a pointer"},
		{unmapped{}, "no BER mapping"},
	}
	for _, tt := range tests {
		if _, err := Compile(tt.v, ""); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T: %v, want %q", tt.v, err, tt.want)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return "'" + *s + "'"
}

// tlv turns hex with braces into bytes: "a1{1b03414243}" is a1 05 1b 03 41
// 42 43, the length of each braced group computed, so test inputs are
// written as a tree without counting octets.
func tlv(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.ReplaceAll(s, " ", "")
	out, rest := tlvGroup(t, s)
	if rest != "" {
		t.Fatalf("tlv %q: unbalanced at %q", s, rest)
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
			if rest == "" || rest[0] != '}' {
				t.Fatalf("tlv: unclosed brace")
			}
			out = appendLength(out, len(inner))
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

// An embedded struct without a tag contributes its fields in place, so a
// header shared by many PDUs is declared once.
type mapHead struct {
	Version int     `ber:"0"`
	Ref     *string `ber:"1,optional,visible"`
}

type mapWithHead struct {
	mapHead
	Answer bool `ber:"35"`
}

func TestSchemaEmbeddedHeader(t *testing.T) {
	s := MustCompile(mapWithHead{}, "application,7,explicit")
	v := mapWithHead{mapHead: mapHead{Version: 2, Ref: str("r")}, Answer: true}
	got, err := s.Marshal(&v, EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := tlv(t, "67{30{800102 8101 72 9f230101}}"); hex.EncodeToString(got) != hex.EncodeToString(want) {
		t.Errorf("got %X want %X", got, want)
	}
	var back mapWithHead
	if err := s.Unmarshal(got, Limits{}, &back); err != nil || !reflect.DeepEqual(back, v) {
		t.Errorf("decoded %+v, %v", back, err)
	}
}
