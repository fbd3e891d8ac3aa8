package illserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
)

// tlsSeen records whether sessions were told they run over TLS.
type tlsSeen struct {
	ackBackend
	tls chan bool
}

func (b *tlsSeen) NewSession(ctx context.Context, c ConnInfo) (Session, error) {
	b.tls <- c.TLS
	return b.ackBackend.NewSession(ctx, c)
}

// Over TLS an ILL-Request is answered like in the clear, and the session
// knows; a client speaking BER in the clear to the TLS listener gets
// nothing.
func TestTLS(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bibgate ill test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	b := &tlsSeen{tls: make(chan bool, 2)}
	addr := start(t, &Server{Backend: b, TLSConfig: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}})

	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(fixture(t, "ill-request-loan.ber")); err != nil {
		t.Fatal(err)
	}
	if r := readReport(t, ber.NewReader(c, ber.Limits{})); string(r.TransactionID.Qualifier) != "TQ0001" {
		t.Fatalf("%+v", r)
	}
	if !<-b.tls {
		t.Error("the session was not told the connection is TLS")
	}

	plain := dial(t, addr)
	if _, err := plain.Write(encode(t, request("clear"))); err != nil {
		t.Fatal(err)
	}
	_ = plain.SetReadDeadline(time.Now().Add(5 * time.Second))
	if raw, err := ber.NewReader(plain, ber.Limits{}).ReadRaw(); err == nil {
		if a, err := ill.Decode(raw); err == nil {
			t.Fatalf("a client in the clear got %s", a.Type())
		}
	}
}
