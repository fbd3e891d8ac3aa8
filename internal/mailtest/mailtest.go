// Package mailtest runs a throw-away mail system for tests: Debian's
// Postfix (SMTP) and Dovecot (IMAP) on free loopback ports, with their
// configuration, queue, mailboxes and a self-signed certificate in a
// temporary directory, stopped when the test ends.
//
// Postfix accepts mail for the users' addresses in Domain and delivers it
// with its virtual(8) agent into a Maildir per user, which Dovecot serves.
// SMTPAddr relays for loopback clients without authentication and offers
// STARTTLS; SubmissionAddr requires STARTTLS and SMTP AUTH (checked by
// Dovecot's passdb), SMTPSAddr the same over implicit TLS. IMAPAddr offers
// STARTTLS and allows plain-text login from loopback; IMAPSAddr is IMAP
// over implicit TLS. Mail to other domains is refused.
//
// Both daemons need root (Postfix's master drops privileges to its own
// users); Start skips the test when they are not installed or the test
// does not run as root. They end with the test, and with the test process
// should it die without cleaning up (a timeout, a kill).
package mailtest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Domain is the mail domain of every user.
const Domain = "bibgate.test"

// StartupTimeout bounds how long Start waits for both daemons.
const StartupTimeout = 20 * time.Second

// Options change the mail system Start runs.
type Options struct {
	// NoMove leaves MOVE out of Dovecot's IMAP capabilities, so clients
	// fall back to COPY, STORE \Deleted and EXPUNGE.
	NoMove bool
}

// Server is a running Postfix and Dovecot.
type Server struct {
	SMTPAddr       string // host:port: relay for loopback, no AUTH, STARTTLS offered
	SubmissionAddr string // host:port: STARTTLS and AUTH PLAIN required
	IMAPAddr       string // host:port: STARTTLS offered, plain-text login allowed
	SMTPSAddr      string // host:port: submission with implicit TLS (as port 465), AUTH required
	IMAPSAddr      string // host:port: IMAP with implicit TLS (as port 993)
	Dir            string // the temporary directory holding everything

	users    map[string]string // name → password
	roots    *x509.CertPool
	postfx   *exec.Cmd // the shell minding the Postfix master
	postfxIn io.WriteCloser
	dovect   *exec.Cmd
	logs     *logBuffer
	spool    string
}

// Address is user's mail address.
func (s *Server) Address(user string) string { return user + "@" + Domain }

// Password is user's password for IMAP and SMTP AUTH.
func (s *Server) Password(user string) string { return s.users[user] }

// TLSConfig is a client configuration that trusts the servers' certificate
// (issued for 127.0.0.1, localhost and mail.bibgate.test).
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12}
}

// Logs returns what Postfix and Dovecot logged so far.
func (s *Server) Logs() string { return s.logs.String() }

// Start runs Postfix and Dovecot with a mailbox for each of users (e.g.
// "ill-a", "ill-b"), or skips the test when they cannot run here. Everything
// is stopped and removed at the end of the test.
func Start(t testing.TB, opt Options, users ...string) *Server {
	t.Helper()
	postfix, err1 := exec.LookPath("postfix")
	dovecot, err2 := exec.LookPath("dovecot")
	for _, p := range []string{"/usr/sbin/postfix", "/usr/sbin/dovecot"} {
		if _, err := os.Stat(p); err == nil {
			if strings.HasSuffix(p, "postfix") && err1 != nil {
				postfix, err1 = p, nil
			}
			if strings.HasSuffix(p, "dovecot") && err2 != nil {
				dovecot, err2 = p, nil
			}
		}
	}
	if err1 != nil {
		t.Skipf("postfix not installed (Debian package postfix): %v", err1)
	}
	if err2 != nil {
		t.Skipf("dovecot not installed (Debian package dovecot-imapd): %v", err2)
	}
	if os.Geteuid() != 0 {
		t.Skip("Postfix and Dovecot need root to start; run the test as root (CI does)")
	}
	for _, name := range []string{"postfix", "nobody"} {
		if _, err := user.Lookup(name); err != nil {
			t.Skipf("no %s user (installed with the postfix package): %v", name, err)
		}
	}
	if len(users) == 0 {
		t.Fatal("mailtest: no users")
	}

	dir, err := os.MkdirTemp("", "mailtest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &Server{Dir: dir, users: map[string]string{}, logs: &logBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("mail system log:\n%s", s.Logs())
		}
	})
	for _, u := range users {
		if strings.ContainsAny(u, ":@/ \t\n") || u == "" {
			t.Fatalf("mailtest: bad user name %q", u)
		}
		s.users[u] = "pw-" + u + "-" + randHex(6)
	}
	ports, err := freePorts(6)
	if err != nil {
		t.Fatal(err)
	}
	s.SMTPAddr = "127.0.0.1:" + strconv.Itoa(ports[0])
	s.SubmissionAddr = "127.0.0.1:" + strconv.Itoa(ports[1])
	s.IMAPAddr = "127.0.0.1:" + strconv.Itoa(ports[2])
	authAddr := "127.0.0.1:" + strconv.Itoa(ports[3])
	s.SMTPSAddr = "127.0.0.1:" + strconv.Itoa(ports[4])
	s.IMAPSAddr = "127.0.0.1:" + strconv.Itoa(ports[5])

	if err := s.write(opt, authAddr); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(StartupTimeout)

	s.dovect = exec.Command(dovecot, "-F", "-c", filepath.Join(dir, "dovecot", "dovecot.conf"))
	s.dovect.Stdout, s.dovect.Stderr = s.logs.prefixed("dovecot: "), s.logs.prefixed("dovecot: ")
	// Dovecot's processes end when their master does; the master ends
	// with this process even when it dies without cleaning up.
	s.dovect.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := s.dovect.Start(); err != nil {
		t.Fatalf("mailtest: start dovecot: %v", err)
	}
	t.Cleanup(func() { stop(t, s.dovect, 0) })

	// What "postfix start-fg" does, under a shell that stops the master
	// when its standard input closes: when this process ends, cleanly or
	// not. (A parent-death signal does not survive the master's changes
	// of effective user id.)
	etc := filepath.Join(dir, "postfix", "etc")
	if out, err := exec.Command(postfix, "-c", etc, "check").CombinedOutput(); err != nil {
		t.Fatalf("mailtest: postfix check: %v\n%s", err, out)
	}
	daemons, err := exec.Command(filepath.Join(filepath.Dir(postfix), "postconf"), "-c", etc, "-h", "daemon_directory").Output()
	if err != nil {
		t.Fatalf("mailtest: postconf daemon_directory: %v", err)
	}
	s.postfx = exec.Command("/bin/sh", "-c", `"$0" -c "$1" -s & pid=$!; read _; kill -TERM $pid; wait $pid`,
		filepath.Join(strings.TrimSpace(string(daemons)), "master"), etc)
	s.postfx.Stdout, s.postfx.Stderr = s.logs.prefixed("postfix: "), s.logs.prefixed("postfix: ")
	s.postfx.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if s.postfxIn, err = s.postfx.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.postfx.Start(); err != nil {
		t.Fatalf("mailtest: start postfix: %v", err)
	}
	t.Cleanup(func() {
		s.postfxIn.Close()
		stop(t, s.postfx, s.masterPID())
	})

	tc := s.TLSConfig()
	tc.ServerName = "127.0.0.1"
	for _, a := range []struct {
		addr, greeting string
		tls            *tls.Config
	}{
		{s.SMTPAddr, "220 ", nil}, {s.SubmissionAddr, "220 ", nil}, {s.IMAPAddr, "* OK", nil},
		{s.SMTPSAddr, "220 ", tc}, {s.IMAPSAddr, "* OK", tc},
	} {
		if err := waitGreeting(a.addr, a.greeting, a.tls, deadline); err != nil {
			t.Fatalf("mailtest: %v\n%s", err, s.Logs())
		}
	}
	return s
}

// masterPID is the pid the Postfix master recorded.
func (s *Server) masterPID() int {
	b, err := os.ReadFile(filepath.Join(s.spool, "pid", "master.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// stop ends cmd (already told to stop, or else with SIGTERM), or kills it
// after five seconds, and then whatever is left of its process group and
// of the session of other (a daemon in a session of its own), if not 0.
func stop(t testing.TB, cmd *exec.Cmd, other int) {
	began := time.Now()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	pid := cmd.Process.Pid
	if other == 0 {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Logf("mailtest: %s did not stop; killing", filepath.Base(cmd.Path))
		_ = syscall.Kill(pid, syscall.SIGKILL)
		<-done
	}
	// The group leaders are gone; their stragglers go too.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	if other > 0 {
		_ = syscall.Kill(-other, syscall.SIGKILL)
	}
	t.Logf("mailtest: stopped %s in %v", filepath.Base(cmd.Path), time.Since(began).Round(time.Millisecond))
}

func waitGreeting(addr, prefix string, tc *tls.Config, deadline time.Time) error {
	var last error
	for time.Now().Before(deadline) {
		var c net.Conn
		var err error
		d := &net.Dialer{Timeout: time.Second}
		if tc != nil {
			c, err = tls.DialWithDialer(d, "tcp", addr, tc)
		} else {
			c, err = d.Dial("tcp", addr)
		}
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if err == nil && strings.HasPrefix(line, prefix) {
				return nil
			}
			last = fmt.Errorf("greeting %q: %v", line, err)
		} else {
			last = err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not answering within %v: %v", addr, StartupTimeout, last)
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("mailtest: free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// write lays out the configuration, queue and mail directories.
func (s *Server) write(opt Options, authAddr string) error {
	d := s.Dir
	pf, dc, mail := filepath.Join(d, "postfix"), filepath.Join(d, "dovecot"), filepath.Join(d, "mail")
	s.spool = filepath.Join(pf, "spool")
	for _, p := range []string{filepath.Join(pf, "etc"), s.spool, filepath.Join(pf, "data"),
		filepath.Join(dc, "run"), filepath.Join(dc, "state"), mail} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
	}
	// Postfix's user and Dovecot's mail user (nobody) walk into the tree.
	if err := os.Chmod(d, 0o755); err != nil {
		return err
	}
	if err := chown(filepath.Join(pf, "data"), "postfix", ""); err != nil {
		return err
	}
	if err := chown(mail, "nobody", ""); err != nil {
		return err
	}
	cert, key, err := s.certificate()
	if err != nil {
		return err
	}
	certFile, keyFile := filepath.Join(d, "cert.pem"), filepath.Join(d, "key.pem")
	if err := os.WriteFile(certFile, cert, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		return err
	}

	var vmaps, passwd []string
	for _, u := range sortedKeys(s.users) {
		vmaps = append(vmaps, s.Address(u)+"="+u+"/Maildir/")
		passwd = append(passwd, u+":{PLAIN}"+s.users[u])
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		return err
	}
	_, smtpPort, _ := net.SplitHostPort(s.SMTPAddr)
	_, subPort, _ := net.SplitHostPort(s.SubmissionAddr)
	_, imapPort, _ := net.SplitHostPort(s.IMAPAddr)
	_, authPort, _ := net.SplitHostPort(authAddr)
	_, smtpsPort, _ := net.SplitHostPort(s.SMTPSAddr)
	_, imapsPort, _ := net.SplitHostPort(s.IMAPSAddr)

	mainCF := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/spool
data_directory = %[1]s/data
mail_owner = postfix
myhostname = mail.%[2]s
mydomain = %[2]s
myorigin = %[2]s
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
relay_domains =
smtpd_relay_restrictions = reject_unauth_destination
default_transport = error:no delivery outside the test domain
smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject
virtual_mailbox_domains = %[2]s
virtual_mailbox_base = %[3]s
virtual_mailbox_maps = inline:{%[4]s}
virtual_uid_maps = static:%[5]s
virtual_gid_maps = static:%[6]s
virtual_minimum_uid = 1
maillog_file = /dev/stdout
smtputf8_enable = no
biff = no
smtp_dns_support_level = disabled
smtpd_tls_cert_file = %[7]s
smtpd_tls_key_file = %[8]s
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:%[9]s
smtpd_sasl_auth_enable = no
`, pf, Domain, mail, strings.Join(vmaps, ", "), nobody.Uid, nobody.Gid, certFile, keyFile, authAddr)
	masterCF := fmt.Sprintf(`127.0.0.1:%s inet n - n - - smtpd
127.0.0.1:%s inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
127.0.0.1:%s inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`, smtpPort, subPort, smtpsPort)
	capability := ""
	if opt.NoMove {
		// Dovecot 2.3's post-login capabilities without MOVE.
		capability = "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY SPECIAL-USE\n"
	}
	dovecotConf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = /dev/stderr
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[2]s
ssl_key = <%[3]s
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %%Ln
mail_location = maildir:%[4]s/%%n/Maildir
mail_uid = %[5]s
mail_gid = %[6]s
first_valid_uid = 1
auth_failure_delay = 0
%[9]spassdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%n %[1]s/users
}
userdb {
  driver = static
  args = home=%[4]s/%%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[7]s
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[10]s
    ssl = yes
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = %[8]s
  }
}
`, dc, certFile, keyFile, mail, nobody.Uid, nobody.Gid, imapPort, authPort, capability, imapsPort)
	for name, body := range map[string]string{
		filepath.Join(pf, "etc", "main.cf"):   mainCF,
		filepath.Join(pf, "etc", "master.cf"): masterCF,
		filepath.Join(dc, "dovecot.conf"):     dovecotConf,
		filepath.Join(dc, "users"):            strings.Join(passwd, "\n") + "\n",
	} {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func chown(path, owner, group string) error {
	u, err := user.Lookup(owner)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if group != "" {
		g, err := user.LookupGroup(group)
		if err != nil {
			return err
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	return os.Chown(path, uid, gid)
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// certificate makes a self-signed certificate for the loopback servers.
func (s *Server) certificate() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mail." + Domain},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost", "mail." + Domain},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	s.roots = x509.NewCertPool()
	s.roots.AddCert(c)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// logBuffer collects the daemons' output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type prefixWriter struct {
	l      *logBuffer
	prefix string
}

func (l *logBuffer) prefixed(p string) *prefixWriter { return &prefixWriter{l, p} }

func (w *prefixWriter) Write(b []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) > 0 {
			w.l.buf.WriteString(w.prefix)
			w.l.buf.Write(line)
		}
	}
	return len(b), nil
}
