package ber

import (
	"bytes"
	"os"
	"testing"
)

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"testdata/init_charset.bin", "testdata/init_plain.bin"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(unhex(f, searchHex))
	f.Add(unhex(f, "BF 30 05 9F 81 53 01 00"))
	f.Add(unhex(f, "24 80 04 02 41 42 04 01 43 00 00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		lim := Limits{MaxSize: 1 << 16, MaxDepth: 20}
		n, used, err := Parse(in, lim)
		rraw, rerr := NewReader(bytes.NewReader(in), lim).ReadRaw()
		if err != nil {
			return
		}
		// The stream reader frames exactly what Parse consumed.
		if rerr != nil || !bytes.Equal(rraw, in[:used]) {
			t.Fatalf("Parse used %d bytes, Reader got %d (%v)", used, len(rraw), rerr)
		}
		// Exercise the accessors; they must not panic.
		walk(n)
		// Definite re-encoding decodes to the same tree and is stable.
		enc := Marshal(n)
		if EncodedLen(n) != len(enc) {
			t.Fatalf("EncodedLen %d != %d", EncodedLen(n), len(enc))
		}
		n2, err := Unmarshal(enc, Limits{MaxSize: 1 << 20, MaxDepth: 20})
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !bytes.Equal(Marshal(n2), enc) {
			t.Fatal("re-encoding not stable")
		}
	})
}

func walk(n *Node) {
	_, _ = n.Int()
	_, _ = n.Bool()
	_, _ = n.OID()
	_, _ = n.BitString()
	_, _ = n.Text()
	_ = n.String()
	if n.Constructed {
		_, _ = ParseExternal(n)
	}
	for _, c := range n.Children {
		walk(c)
	}
}
