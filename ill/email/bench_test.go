package email

import (
	"testing"
	"time"
)

// BenchmarkCompose and BenchmarkParse mail the yaz-illclient loan request
// (288 bytes of BER) and read it back, decoding included.
func BenchmarkCompose(b *testing.B) {
	req := readTestdata(b, "ill-request-loan.ber")
	o := Outgoing{From: "REQLIB <ill@reqlib.example>", To: "ill@resplib.example", Date: time.Unix(0, 0), BER: req}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compose(o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	req := readTestdata(b, "ill-request-loan.ber")
	c, err := Compose(Outgoing{From: "REQLIB <ill@reqlib.example>", To: "ill@resplib.example", BER: req})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(c.Raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(c.Raw, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
