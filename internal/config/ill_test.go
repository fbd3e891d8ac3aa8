package config

import (
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
)

// TestILLConfig: the [ill] table sets the listener and the engine's
// settings, partners with their price lists included.
func TestILLConfig(t *testing.T) {
	src := `[demo]
load = true

[ill]
listen = "127.0.0.1:4990"
max_apdu = 65536
idle_timeout = "2m"
symbol = "LV:ILU"
loan_periods = { audio = { days = 7 } }
expiry_days = 30

[[ill.partner]]
symbol = "EE:TARTU"
name = "Tartu"
request_reply = "answer"
queue_retry = true
prices = { loan = 350, copy-non-returnable = 120 }

[[ill.partner]]
symbol = "REQLIB"
addresses = ["192.0.2.7", "2001:db8::/32"]
catalogue = "z3950://z3950.example.org:210/books"
lends = ["book", "audio"]
distance_km = 120
`
	c, err := Parse("ill.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	if c.ILL.Listen != "127.0.0.1:4990" || c.ILL.MaxAPDU != 65536 || c.ILL.IdleTimeout.Minutes() != 2 {
		t.Errorf("listener %+v", c.ILL)
	}
	if p := c.ILL.Partners[0]; p.RequestReply != "answer" || !p.QueueRetry || p.Prices[core.ILLCopy] != 120 || p.Name != "Tartu" {
		t.Errorf("partner %+v", p)
	}
	if a := c.ILLAddresses(); len(a) != 1 || len(a["REQLIB"]) != 2 || a["REQLIB"][0].String() != "192.0.2.7/32" {
		t.Errorf("addresses %v", a)
	}
	f := c.PartnerFinder()
	if len(f.Targets) != 1 || f.Targets[0].Symbol != "REQLIB" || f.Targets[0].Catalogue != "z3950://z3950.example.org:210/books" ||
		f.Targets[0].Distance != 120 || len(f.Targets[0].Lends) != 2 || f.Targets[0].HasPrice {
		t.Errorf("partner catalogues %+v", f.Targets)
	}
	cons, err := c.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	s := cons.ILL
	if s.Symbol != "LV:ILU" || len(s.Partners) != 2 || s.Partners[1].Symbol != "REQLIB" || s.ExpiryDays != 30 ||
		s.LoanPeriods[policy.MaterialAudio].Days != 7 || s.Partners[0].Prices[core.ILLLoan] != 350 {
		t.Errorf("engine settings %+v", s)
	}
}

func TestILLConfigErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"listen without port", "[ill]\nsymbol = \"X\"\nlisten = \"4990\"", "b.toml:6: ill.listen: \"4990\" is not host:port"},
		{"no symbol", "[ill]\nlisten = \"127.0.0.1:4990\"", "b.toml:4: ill: interlibrary loan needs our ILL symbol"},
		{"TLS without certificate", "[ill]\nsymbol = \"X\"\ntls_listen = \":4991\"", "b.toml:6: ill.tls_listen: needs a certificate file"},
		{"tiny max_apdu", "[ill]\nmax_apdu = 10", "b.toml:5: ill.max_apdu: 10: an ILL-Request takes more"},
		{"negative read timeout", "[ill]\nread_timeout = \"-1s\"", "b.toml:5: ill.read_timeout: -1s: must not be negative"},
		{"partner without symbol", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nname = \"n\"", "b.toml:6: ill.partner.0.symbol: ILL partner 1 has no symbol"},
		{"partner twice", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\n[[ill.partner]]\nsymbol = \"A\"", "b.toml:9: ill.partner.1.symbol: ILL partner \"A\" appears twice"},
		{"reply mode", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\nrequest_reply = \"maybe\"", "b.toml:8: ill.partner.0.request_reply: \"maybe\""},
		{"partner address", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\naddress = \"ill.example.org\"", "b.toml:8: ill.partner.0.address: \"ill.example.org\" is not host:port"},
		{"price for a service not shipped", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\nprices = { estimate = 5 }", "b.toml:8: ill.partner.0.prices: \"estimate\""},
		{"bad address", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\naddresses = [\"10.0.0.300\"]", "b.toml:8: ill.partner.0.addresses: \"10.0.0.300\""},
		{"partner catalogue", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\ncatalogue = \"ftp://x/y\"", "b.toml:8: ill.partner.0.catalogue: \"ftp://x/y\": use z3950://host:port/Database"},
		{"partner lends", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\nlends = [\"books\"]", "b.toml:8: ill.partner.0.lends: \"books\": the material types are book, magazine"},
		{"partner distance", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\ndistance_km = -3", "b.toml:8: ill.partner.0.distance_km: -3: must not be negative"},
		{"find timeout", "[ill]\nsymbol = \"X\"\nfind_timeout = \"-1s\"", "b.toml:6: ill.find_timeout: -1s: must not be negative"},
		{"unknown library", "[ill]\nsymbol = \"X\"\nlibrary = \"NOPE\"", "b.toml:6: ill.library: no library \"NOPE\""},
		{"unknown key", "[ill]\nsymbol = \"X\"\nlisten_addr = \":1\"", "b.toml:6: ill.listen_addr: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("b.toml", "[demo]\nload = true\n\n"+tt.body+"\n")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n  %v\nwant it to start\n  %s", err, tt.want)
			}
		})
	}
}
