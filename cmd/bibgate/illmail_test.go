package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/internal/mailtest"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
)

// newILLMailNode is a gateway whose only way to its partner is e-mail:
// it mails through ms's SMTP relay (STARTTLS required) and reads the
// mailbox user over IMAP with STARTTLS, trusting ms's certificate.
func newILLMailNode(t *testing.T, ms *mailtest.Server, name, symbol, user, partner, partnerUser string) *illNode {
	n := &illNode{t: t, name: name, dir: filepath.Join(t.TempDir(), name), admin: freeAddr(t), ill: "off", sip2: freeAddr(t)}
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(n.dir, "ill-mail.pw")
	if err := os.WriteFile(pwFile, []byte(ms.Password(user)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n.cfg = filepath.Join(n.dir, "bibgate.toml")
	cfg := fmt.Sprintf("data_dir = %q\n[demo]\nload = true\n"+
		"[[sip2.account]]\nlogin = \"desk\"\npassword = \"desk-pw\"\nlibrary = \"ILU\"\ninstitution = \"ILU\"\nlanguage = \"en\"\n"+
		"[ill]\nsymbol = %q\noutbox_interval = \"200ms\"\n"+
		"[ill.mail]\nfrom = %q\nsmtp = %q\nsmtp_tls = \"require\"\nimap = %q\nusername = %q\npassword_file = %q\nca_file = %q\npoll_interval = \"200ms\"\n"+
		"[[ill.partner]]\nsymbol = %q\nname = %q\nemail = %q\n[ill.partner.prices]\nloan = 350\n",
		filepath.Join(n.dir, "data"), symbol, ms.Address(user), ms.SMTPAddr, ms.IMAPAddr, user, pwFile,
		filepath.Join(ms.Dir, "cert.pem"), partner, partner, ms.Address(partnerUser))
	if err := os.WriteFile(n.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

// maildir counts the messages in a folder of user's mailbox ("" is the
// inbox).
func maildir(ms *mailtest.Server, user, folder string) int {
	dir := filepath.Join(ms.Dir, "mail", user, "Maildir")
	if folder != "" {
		dir = filepath.Join(dir, "."+folder)
	}
	n := 0
	for _, sub := range []string{"cur", "new"} {
		es, _ := os.ReadDir(filepath.Join(dir, sub))
		n += len(es)
	}
	return n
}

// TestTwoGatewaysLoanOverEmail: the loan of TestTwoGatewaysLoanOverTCP
// with no ISO 10161 connection between the gateways, by e-mail only
// (RFC 2503) through Debian's Postfix and Dovecot: each gateway mails
// what it sends to the partner's ILL mailbox and reads its own over IMAP.
// Request, will-supply, shipped, received (the patron's SIP2 home
// checkout is refused, R20), returned, checked-in; each gateway is killed
// with SIGKILL once, right after a staff action, and restarted. No APDU
// is lost or applied twice, both outboxes end empty, and every message
// ends in the processed folder.
func TestTwoGatewaysLoanOverEmail(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Postfix, Dovecot and four bibgate serve processes")
	}
	ms := mailtest.Start(t, mailtest.Options{}, "ill-lv", "ill-ee")
	t.Setenv(adminTokenEnv, "two-gateways-admin-token")
	lv := newILLMailNode(t, ms, "lv", "LV:ILU", "ill-lv", "EE:TARTU", "ill-ee")
	ee := newILLMailNode(t, ms, "ee", "EE:TARTU", "ill-ee", "LV:ILU", "ill-lv")
	lv.start()
	ee.start()

	out := lv.run("ill", "request", "--patron", demo.PatronGood, "--partner", "EE:TARTU", "--title", "Kalevipoeg",
		"--isbn", "9789985652660", "--pickup", demo.Central)
	if !strings.Contains(out, "ILL-Request to EE:TARTU filed") {
		t.Fatalf("request: %s", out)
	}
	lv.stop(syscall.SIGKILL) // the request may or may not have been mailed
	lv.start()

	lend := ee.wait("answered the request", func(x core.ILLTransaction) bool {
		return x.Role == illstate.Responder && len(x.Events) >= 2 && x.Events[1].Qualifier == illstate.QWillSupply
	})
	lv.wait("received will-supply", func(x core.ILLTransaction) bool { return lastEvent(x).Qualifier == illstate.QWillSupply })

	ee.run("ill", "ship", lend.ID)
	ee.stop(syscall.SIGKILL)
	ee.start()
	borrow := lv.wait("received Shipped", func(x core.ILLTransaction) bool { return x.State == illstate.Shipped })

	lv.run("ill", "receive", borrow.ID)
	ee.wait("received Received", func(x core.ILLTransaction) bool { return x.State == illstate.Received })
	borrow = lv.wait("has the temporary copy", func(x core.ILLTransaction) bool { return x.TempItemID != "" })

	// The patron at the selfcheck: a home loan of an ILL item is refused.
	c, err := sip2client.Dial(context.Background(), lv.sip2, sip2client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(context.Background(), "desk", "desk-pw", demo.Central); err != nil {
		t.Fatal(err)
	}
	pin := demo.PIN
	resp, err := c.Send(context.Background(), &sip2.CheckoutRequest{InstitutionID: demo.Central, PatronID: demo.PatronGood,
		ItemID: borrow.TempItemID, PatronPassword: &pin})
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	if co := resp.(*sip2.CheckoutResponse); co.OK {
		t.Fatalf("home loan of an ILL copy over SIP2 allowed: %+v", co)
	} else {
		t.Logf("SIP2 checkout of %s refused: %q", borrow.TempItemID, co.ScreenMessages)
	}

	lv.run("ill", "return", borrow.ID)
	ee.wait("received Returned", func(x core.ILLTransaction) bool { return x.State == illstate.Returned })
	ee.run("ill", "checkin", lend.ID)
	lv.wait("received Checked-In", func(x core.ILLTransaction) bool { return x.State == illstate.CheckedIn })

	// Every APDU applied once, and everything to send sent.
	for _, n := range []*illNode{lv, ee} {
		var xs []core.ILLTransaction
		if err := (remoteILL{base: "http://" + n.admin}).call(context.Background(), "GET", "/ill/transactions", nil, &xs); err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range xs[0].Events {
			if e.Origin == core.OriginAPDU {
				seen[e.Service.String()+":"+e.Qualifier]++
			}
			if e.Send && e.Sent.IsZero() {
				t.Errorf("%s: event %d %s never sent", n.name, e.Seq, e.Service)
			}
		}
		for k, v := range seen {
			if v != 1 {
				t.Errorf("%s: %s applied %d times", n.name, k, v)
			}
		}
		var hist bytes.Buffer
		_ = printILLTransaction(&hist, xs[0])
		t.Logf("%s:\n%s", n.name, hist.String())
		n.stop(syscall.SIGTERM)
		log := n.logs.String()
		if !strings.Contains(log, `"ill: mail applied"`) {
			t.Errorf("%s: no mail applied since its last start:\n%s", n.name, log)
		}
		for _, u := range []string{"ill-lv", "ill-ee"} {
			if strings.Contains(log, ms.Password(u)) {
				t.Errorf("%s: the mailbox password of %s is in the log", n.name, u)
			}
		}
	}
	// The requester got will-supply, shipped, checked-in; the responder the
	// request, received, returned: each at least once (a message mailed
	// again after a kill is applied once, see above, and processed too).
	for _, m := range []struct {
		user string
		min  int
	}{{"ill-lv", 3}, {"ill-ee", 3}} {
		inbox, processed, rejected := maildir(ms, m.user, ""), maildir(ms, m.user, "ILL-Processed"), maildir(ms, m.user, "ILL-Rejected")
		if inbox != 0 || rejected != 0 || processed < m.min {
			t.Errorf("%s: %d in the inbox, %d processed, %d rejected; want all %d or more processed", m.user, inbox, processed, rejected, m.min)
		}
	}
}
