package sip2adapter_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/rs/zerolog"

	sip2adapter "github.com/bibgate/bibgate/adapters/sip2"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
	"github.com/bibgate/bibgate/sip2/sip2server"
	"github.com/bibgate/bibgate/store/memstore"
)

var cheapKDF = core.KDFParams{Time: 1, Memory: 64, Threads: 1}

// gateway is a core on the demo data behind a SIP2 server on loopback.
type gateway struct {
	svc   *core.Service
	clock *core.FixedClock
	addr  string
	tls   *tls.Config // client side, when the listener is TLS
}

func accounts() sip2server.Accounts {
	mk := func(login string, cs sip2.Charset, lang string) *sip2server.Account {
		return &sip2server.Account{UserID: login, Password: "pw-" + login, Institution: demo.Central, Location: demo.Central,
			Charset: cs, ScreenLanguage: lang, Currency: "EUR",
			Options: map[string]string{sip2adapter.OptionLibrary: demo.Central, sip2adapter.OptionAllowEID: "true"}}
	}
	return sip2server.Accounts{
		"utf8":    mk("utf8", sip2.UTF8, "lv"),
		"win1257": mk("win1257", sip2.Windows1257, "lv"),
		"english": mk("english", sip2.UTF8, "en"),
	}
}

func startGateway(t *testing.T, useTLS bool) *gateway {
	t.Helper()
	return startGatewayOpts(t, useTLS, nil)
}

func startGatewayWith(t *testing.T, edit func(sip2server.Accounts)) *gateway {
	t.Helper()
	return startGatewayOpts(t, false, edit)
}

func startGatewayOpts(t *testing.T, useTLS bool, edit func(sip2server.Accounts)) *gateway {
	t.Helper()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{Clock: clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	g := &gateway{svc: svc, clock: clock}
	accts := accounts()
	if edit != nil {
		edit(accts)
	}
	srv := &sip2server.Server{Backend: &sip2adapter.Backend{Svc: svc}, Accounts: accts, Logger: zerolog.Nop(),
		Now: clock.Now}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if useTLS {
		cert, pool := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		g.tls = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	g.addr = ln.Addr().String()
	return g
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bibgate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func (g *gateway) dial(t *testing.T, login string, cs sip2.Charset) *sip2client.Client {
	t.Helper()
	ctx := context.Background()
	c, err := sip2client.Dial(ctx, g.addr, sip2client.Options{TLS: g.tls, Charset: cs, ErrorDetection: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, login, "pw-"+login, demo.Central); err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	return c
}

func send[T sip2.Message](t *testing.T, c *sip2client.Client, req sip2.Message) T {
	t.Helper()
	resp, err := c.Send(context.Background(), req)
	if err != nil {
		t.Fatalf("%T: %v", req, err)
	}
	r, ok := resp.(T)
	if !ok {
		t.Fatalf("%T answered with %T", req, resp)
	}
	return r
}

// TestSelfcheckSession runs what a selfcheck does for a patron — status,
// patron information, checkout, item information, renewal, checkin, hold,
// fee payment, end of session — over TCP and TLS, with a UTF-8 and a
// Windows-1257 account, and checks that Latvian diacritics survive both
// ways (the patron's name and the title come back as they are stored, and
// a PIN typed with diacritics is rejected, not mangled into a match).
func TestSelfcheckSession(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tls     bool
		login   string
		charset sip2.Charset
	}{
		{"tcp/utf-8", false, "utf8", sip2.UTF8},
		{"tcp/windows-1257", false, "win1257", sip2.Windows1257},
		{"tls/utf-8", true, "utf8", sip2.UTF8},
		{"tls/windows-1257", true, "win1257", sip2.Windows1257},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := startGateway(t, tc.tls)
			c := g.dial(t, tc.login, tc.charset)
			pin := sip2.String(demo.PIN)

			st := send[*sip2.ACSStatusResponse](t, c, &sip2.SCStatusRequest{MaxPrintWidth: 80, ProtocolVersion: "2.00"})
			if !st.OnLine || !st.CheckoutOK {
				t.Fatalf("98: %+v", st)
			}
			ps := send[*sip2.PatronStatusResponse](t, c, &sip2.PatronStatusRequest{Language: sip2.LanguageUnknown,
				PatronID: demo.PatronGood, PatronPassword: pin})
			if ps.PersonalName != "Jānis Bērziņš" || ps.ValidPatron == nil || !*ps.ValidPatron || ps.PatronStatus.Any() {
				t.Fatalf("24: name %q valid %v status %v", ps.PersonalName, ps.ValidPatron, ps.PatronStatus)
			}
			co := send[*sip2.CheckoutResponse](t, c, &sip2.CheckoutRequest{PatronID: demo.PatronGood, ItemID: "I000001", PatronPassword: pin})
			if !co.OK || co.TitleID != "Zaļā zeme" || co.Desensitize != sip2.Yes {
				t.Fatalf("12: ok %v title %q screen %v", co.OK, co.TitleID, co.ScreenMessages)
			}
			if due := sip2.ParseDate(co.DueDate, demo.Riga()); due.Format("2006-01-02") != "2026-12-02" {
				t.Errorf("12 due %q", co.DueDate)
			}
			ii := send[*sip2.ItemInformationResponse](t, c, &sip2.ItemInformationRequest{ItemID: "I000001"})
			if ii.CirculationStatus != sip2.CirculationCharged || ii.TitleID != "Zaļā zeme" || ii.DueDate == "" {
				t.Errorf("18: %+v", ii)
			}
			info := send[*sip2.PatronInformationResponse](t, c, &sip2.PatronInformationRequest{Language: sip2.LanguageUnknown,
				Summary: summary(sip2.SummaryChargedItems), PatronID: demo.PatronGood, PatronPassword: pin})
			if info.ChargedItemsCount != 1 || len(info.ChargedItems) != 1 || info.ChargedItems[0] != "I000001" {
				t.Errorf("64 charged: %d %v", info.ChargedItemsCount, info.ChargedItems)
			}
			g.clock.Advance(7 * 24 * time.Hour)
			rn := send[*sip2.RenewResponse](t, c, &sip2.RenewRequest{PatronID: demo.PatronGood, ItemID: "I000001", PatronPassword: pin})
			if !rn.OK || !rn.RenewalOK {
				t.Errorf("30: %+v", rn)
			}
			ci := send[*sip2.CheckinResponse](t, c, &sip2.CheckinRequest{ItemID: "I000001", CurrentLocation: demo.Central})
			if !ci.OK || ci.Alert || ci.TitleID != "Zaļā zeme" || ci.SortBin != "SHELF-book" {
				t.Errorf("10: %+v", ci)
			}
			hd := send[*sip2.HoldResponse](t, c, &sip2.HoldRequest{HoldMode: sip2.HoldAdd, PatronID: demo.PatronGood,
				ItemID: "I000002", PickupLocation: demo.Subate, PatronPassword: pin})
			if !hd.OK || hd.QueuePosition != "1" || hd.PickupLocation != demo.Subate || hd.TitleID != "Mērnieku laiki" {
				t.Errorf("16: %+v", hd)
			}
			fp := send[*sip2.FeePaidResponse](t, c, &sip2.FeePaidRequest{FeeType: sip2.FeeOther, PaymentType: sip2.PaymentCash,
				Currency: "EUR", FeeAmount: "1.00", PatronID: demo.PatronDebtor, TransactionID: "TX1"})
			if !fp.PaymentAccepted {
				t.Errorf("38: %+v", fp)
			}
			// A PIN with diacritics is sent in the account's charset and
			// must arrive intact: it is wrong, so the patron is refused.
			bad := send[*sip2.PatronStatusResponse](t, c, &sip2.PatronStatusRequest{Language: sip2.LanguageUnknown,
				PatronID: demo.PatronGood, PatronPassword: sip2.String("ļļļļ")})
			if bad.ValidPatronPassword == nil || *bad.ValidPatronPassword {
				t.Errorf("24 with a wrong PIN: CQ %v", bad.ValidPatronPassword)
			}
			end := send[*sip2.EndPatronSessionResponse](t, c, &sip2.EndPatronSessionRequest{PatronID: demo.PatronGood})
			if !end.EndSession {
				t.Errorf("36: %+v", end)
			}
		})
	}
}

func summary(l sip2.SummaryList) sip2.Summary {
	var s sip2.Summary
	if l > sip2.SummaryNone {
		s[int(l)-1] = true
	}
	return s
}
