package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/config"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key as
// PEM files and returns their paths and a pool trusting it.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
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
	pool = x509.NewCertPool()
	pool.AddCert(leaf)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "console.crt"), filepath.Join(dir, "console.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}

// TestStaffConsoleListeners: the console answers under /staff/ on the
// admin listener and, over TLS, on its own listener, where its session
// cookie is Secure.
func TestStaffConsoleListeners(t *testing.T) {
	certFile, keyFile, pool := writeCert(t)
	a := startApp(t, func(cfg *config.Config) {
		cfg.Console = config.Console{Listen: "127.0.0.1:0", CertFile: certFile, KeyFile: keyFile}
	})
	if _, err := a.Service().AddStaff(context.Background(), nil, core.NewStaff{ID: "ilze", Library: "ILU", Name: "Ilze",
		Roles: []core.Role{core.RoleCirculation}, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	plain := &http.Client{CheckRedirect: noRedirect}
	resp, err := plain.Get("http://" + a.Addr("admin").String() + "/staff/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/signin") {
		t.Errorf("admin listener /staff/: %s to %q, want the sign-in page", resp.Status, resp.Header.Get("Location"))
	}

	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: noRedirect, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + a.Addr("staff").String()
	resp, err = cl.Get(base + "/staff/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("sign-in page over TLS: %s\n%s", resp.Status, page)
	}
	resp, err = cl.PostForm(base+"/staff/signin", url.Values{"csrf": {string(m[1])}, "id": {"ilze"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "bibgate_console" && c.Value != "" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("sign-in over TLS: %s, cookie %v", resp.Status, session)
	}
	resp, err = cl.Get(base + "/staff/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "count-renewals") {
		t.Errorf("dashboard over TLS: %s", resp.Status)
	}
}

// TestStaffConsoleBehindProxy: with staff.secure_cookie the console's
// session cookie is Secure on the plain admin listener, for the TLS proxy
// in front of it.
func TestStaffConsoleBehindProxy(t *testing.T) {
	a := startApp(t, func(cfg *config.Config) { cfg.Staff.SecureCookie = true })
	if _, err := a.Service().AddStaff(context.Background(), nil, core.NewStaff{ID: "ilze", Library: "ILU", Name: "Ilze",
		Roles: []core.Role{core.RoleCirculation}, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + a.Addr("admin").String()
	resp, err := cl.Get(base + "/staff/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("sign-in page: %s", resp.Status)
	}
	resp, err = cl.PostForm(base+"/staff/signin", url.Values{"csrf": {string(m[1])}, "id": {"ilze"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "bibgate_console" && c.Value != "" {
			if !c.Secure {
				t.Errorf("session cookie behind a TLS proxy is not Secure: %v", c)
			}
			return
		}
	}
	t.Errorf("sign-in: %s, no session cookie", resp.Status)
}
