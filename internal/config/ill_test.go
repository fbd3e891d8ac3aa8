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
allow_from = ["192.0.2.7", "2001:db8::/32"]

[[ill.partner]]
symbol = "US:RESHARE"
url = "https://ill.example.org/iso18626"
version = "2017"
dialect = "reshare"
user = "lv"
password = "pw"
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
	if p := c.ILL.Partners[2]; p.URL != "https://ill.example.org/iso18626" || p.Dialect != "reshare" || !p.Authenticated() {
		t.Errorf("ISO 18626 partner %+v", p)
	}
	if a := c.ILLAddresses(); len(a) != 1 || len(a["REQLIB"]) != 2 || a["REQLIB"][0].String() != "192.0.2.7/32" {
		t.Errorf("addresses %v", a)
	}
	cons, err := c.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	s := cons.ILL
	if s.Symbol != "LV:ILU" || len(s.Partners) != 3 || s.Partners[1].Symbol != "REQLIB" || s.ExpiryDays != 30 ||
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
		{"bad address", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\nallow_from = [\"10.0.0.300\"]", "b.toml:8: ill.partner.0.allow_from: \"10.0.0.300\""},
		{"HTTP listen without port", "[ill]\nsymbol = \"X\"\nhttp_listen = \"8626\"", "b.toml:6: ill.http_listen: \"8626\" is not host:port"},
		{"HTTPS without certificate", "[ill]\nsymbol = \"X\"\nhttp_tls_listen = \":8627\"", "b.toml:6: ill.http_tls_listen: needs a certificate file"},
		{"partner URL", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\nurl = \"ftp://x\"", "b.toml:8: ill.partner.0.url: \"ftp://x\" is not an http"},
		{"address and URL", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\naddress = \"h:1\"\nurl = \"http://h/\"", "b.toml:9: ill.partner.0.url: set address"},
		{"18626 dialect", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\ndialect = \"vdx\"", "b.toml:8: ill.partner.0.dialect: ISO 18626 dialect \"vdx\""},
		{"18626 version", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\nversion = \"2014\"", "b.toml:8: ill.partner.0.version: ISO 18626 version \"2014\""},
		{"user without password", "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\nuser = \"u\"", "b.toml:8: ill.partner.0.user: HTTP basic"},
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
