package config

import (
	"os"
	"path/filepath"
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
catalogue = "z3950://z3950.example.org:210/books"
lends = ["book", "audio"]
distance_km = 120

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

// TestILLMailConfig: [ill.mail] and the partners' mailboxes; the SMTP
// server defaults to the notices' one, the password comes from a file,
// the environment or the file, in that order.
func TestILLMailConfig(t *testing.T) {
	src := `[demo]
load = true
[notices]
smtp = "127.0.0.1:25"
from = "desk@ilu.example"
[ill]
symbol = "LV:ILU"
[ill.mail]
from = "ill@ilu.example"
imap = "127.0.0.1:143"
imap_tls = "plain"
username = "ill"
password = "in-the-file"
poll_interval = "200ms"
[[ill.partner]]
symbol = "EE:TARTU"
email = "ill@tartu.example"
`
	c, err := Parse("m.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	if c.ILLMailSMTP() != "127.0.0.1:25" || c.ILL.Partners[0].Email != "ill@tartu.example" || c.ILL.Mail.PollInterval.Milliseconds() != 200 {
		t.Errorf("mail %+v, partner %+v", c.ILL.Mail, c.ILL.Partners[0])
	}
	t.Setenv(ILLMailPasswordEnv, "")
	if pw, err := c.ILLMailPassword(); err != nil || pw != "in-the-file" {
		t.Errorf("password %q, %v", pw, err)
	}
	t.Setenv(ILLMailPasswordEnv, "from-env")
	if pw, _ := c.ILLMailPassword(); pw != "from-env" {
		t.Errorf("password from the environment: %q", pw)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ILL.Mail.PasswordFile = pwFile
	if pw, _ := c.ILLMailPassword(); pw != "from-file" {
		t.Errorf("password from the file: %q", pw)
	}
}

func TestILLMailConfigErrors(t *testing.T) {
	partner := "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\n"
	tests := []struct{ name, body, want string }{
		{"bad email", partner + "email = \"not an address\"", "b.toml:8: ill.partner.0.email: \"not an address\" is not a mail address"},
		{"email without from", partner + "email = \"ill@a.example\"", "b.toml:8: ill.partner.0.email: mail to partners needs our ILL address in ill.mail.from"},
		{"email without smtp", "[ill]\nsymbol = \"X\"\n[ill.mail]\nfrom = \"ill@x.example\"\n[[ill.partner]]\nsymbol = \"A\"\nemail = \"ill@a.example\"", "b.toml:10: ill.partner.0.email: mail to partners needs an SMTP server"},
		{"bad from", "[ill]\nsymbol = \"X\"\n[ill.mail]\nfrom = \"Us <ill@x.example>\"", "b.toml:7: ill.mail.from: \"Us <ill@x.example>\" is not a mail address"},
		{"imap without port", "[ill]\nsymbol = \"X\"\n[ill.mail]\nimap = \"mail.example\"", "b.toml:7: ill.mail.imap: \"mail.example\" is not host:port"},
		{"imap without user", "[ill]\nsymbol = \"X\"\n[ill.mail]\nfrom = \"ill@x.example\"\nimap = \"mail.example:993\"", "b.toml:8: ill.mail.imap: needs the mailbox's login in ill.mail.username"},
		{"plain to a remote server", "[ill]\nsymbol = \"X\"\n[ill.mail]\nimap = \"192.0.2.1:143\"\nimap_tls = \"plain\"", "b.toml:8: ill.mail.imap_tls: plain sends the password in the clear"},
		{"smtp tls", "[ill]\nsymbol = \"X\"\n[ill.mail]\nsmtp_tls = \"maybe\"", "b.toml:7: ill.mail.smtp_tls: \"maybe\""},
		{"missing password file", "[ill]\nsymbol = \"X\"\n[ill.mail]\npassword_file = \"/nonexistent/pw\"", "b.toml:7: ill.mail.password_file: open /nonexistent/pw"},
		{"ca file without certificate", "[ill]\nsymbol = \"X\"\n[ill.mail]\nca_file = \"/dev/null\"", "b.toml:7: ill.mail.ca_file: no PEM certificate"},
		{"processed is the mailbox", "[ill]\nsymbol = \"X\"\n[ill.mail]\nprocessed = \"INBOX\"", "b.toml:7: ill.mail.processed: \"INBOX\" is the mailbox APDUs arrive in"},
		{"unknown key", "[ill]\nsymbol = \"X\"\n[ill.mail]\nimap_password = \"x\"", "b.toml:7: ill.mail.imap_password: unknown key"},
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

// A partner reached over TCP or ISO 18626 may also have an email (its
// mail is read); no SMTP server is needed for it.
func TestILLMailPartnerWithAnotherTransport(t *testing.T) {
	for _, transport := range []string{`address = "127.0.0.1:499"`, `url = "https://ill.tartu.example/iso18626"`} {
		src := "[demo]\nload = true\n[ill]\nsymbol = \"LV:ILU\"\n[ill.mail]\nfrom = \"ill@ilu.example\"\n" +
			"[[ill.partner]]\nsymbol = \"EE:TARTU\"\nemail = \"ill@tartu.example\"\n" + transport + "\n"
		if _, err := Parse("m.toml", src); err != nil {
			t.Errorf("%s: %v", transport, err)
		}
	}
}
