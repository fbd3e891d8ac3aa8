package main

import (
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
// Request, hold-placed with the expected date, will-supply once the
// lender's copy is back, shipped, received (the patron's SIP2 home
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

	// The lender's only copy of the title is out: the request is queued.
	const copyID = "I000370" // "Python Web programming", ISBN 0735710902, at ILU
	if co := ee.sip2Send(t, &sip2.CheckoutRequest{InstitutionID: demo.Central, PatronID: "P0020", ItemID: copyID, PatronPassword: ptr(demo.PIN)}).(*sip2.CheckoutResponse); !co.OK {
		t.Fatalf("lend the copy at the lender: %+v", co)
	}
	out := lv.run("ill", "request", "--patron", demo.PatronGood, "--partner", "EE:TARTU", "--title", "Python Web programming",
		"--isbn", "0735710902", "--pickup", demo.Central)
	if !strings.Contains(out, "ILL-Request to EE:TARTU filed") {
		t.Fatalf("request: %s", out)
	}
	lv.stop(syscall.SIGKILL) // the request may or may not have been mailed
	lv.start()

	lend := ee.wait("answered the request", func(x core.ILLTransaction) bool {
		return x.Role == illstate.Responder && len(x.Events) >= 2 && x.Events[1].Qualifier == illstate.QHoldPlaced
	})
	held := lv.wait("received hold-placed", func(x core.ILLTransaction) bool { return lastEvent(x).Qualifier == illstate.QHoldPlaced })
	if lastEvent(held).Date.IsZero() {
		t.Fatalf("hold-placed without the expected date: %+v", lastEvent(held))
	}
	// The copy comes back at the lender: trapped for the partner, supplied.
	if ci := ee.sip2Send(t, &sip2.CheckinRequest{InstitutionID: demo.Central, ItemID: copyID}).(*sip2.CheckinResponse); !ci.OK {
		t.Fatalf("check the copy in at the lender: %+v", ci)
	}
	ee.run("ill", "supply", lend.ID)
	lv.wait("received will-supply", func(x core.ILLTransaction) bool { return lastEvent(x).Qualifier == illstate.QWillSupply })

	ee.run("ill", "ship", lend.ID)
	ee.stop(syscall.SIGKILL)
	ee.start()
	borrow := lv.wait("received Shipped", func(x core.ILLTransaction) bool { return x.State == illstate.Shipped })

	lv.run("ill", "receive", borrow.ID)
	ee.wait("received Received", func(x core.ILLTransaction) bool { return x.State == illstate.Received })
	borrow = lv.wait("has the temporary copy", func(x core.ILLTransaction) bool { return x.TempItemID != "" })

	// The patron at the selfcheck: a home loan of an ILL item is refused.
	lv.refusesHomeLoan(borrow)

	lv.run("ill", "return", borrow.ID)
	ee.wait("received Returned", func(x core.ILLTransaction) bool { return x.State == illstate.Returned })
	ee.run("ill", "checkin", lend.ID)
	lv.wait("received Checked-In", func(x core.ILLTransaction) bool { return x.State == illstate.CheckedIn })

	// Every APDU applied once, and everything to send sent.
	for _, n := range []*illNode{lv, ee} {
		n.settled()
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
