package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
)

// freeAddr is a loopback address nothing listens on (a gateway restarted
// after a kill comes back on the same one).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// illNode is one bibgate serve of the two-gateway test.
type illNode struct {
	t                *testing.T
	name, dir, cfg   string
	admin, ill, sip2 string
	// listenFlag is the flag of the ILL listener: --ill (ISO 10161,
	// the default) or --ill-http (ISO 18626).
	listenFlag string
	stop       func(sig syscall.Signal)
	logs       *drain
}

func newILLNode(t *testing.T, name, symbol, partner, partnerAddr string) *illNode {
	n := &illNode{t: t, name: name, dir: filepath.Join(t.TempDir(), name), admin: freeAddr(t), ill: freeAddr(t), sip2: freeAddr(t)}
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n.cfg = filepath.Join(n.dir, "bibgate.toml")
	cfg := fmt.Sprintf("data_dir = %q\n[demo]\nload = true\n"+
		"[[sip2.account]]\nlogin = \"desk\"\npassword = \"desk-pw\"\nlibrary = \"ILU\"\ninstitution = \"ILU\"\nlanguage = \"en\"\n"+
		"[ill]\nsymbol = %q\noutbox_interval = \"200ms\"\n"+
		"[[ill.partner]]\nsymbol = %q\nname = %q\naddress = %q\n[ill.partner.prices]\nloan = 350\n",
		filepath.Join(n.dir, "data"), symbol, partner, partner, partnerAddr)
	if err := os.WriteFile(n.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *illNode) start() {
	n.t.Helper()
	flag := n.listenFlag
	if flag == "" {
		flag = "--ill"
	}
	cmd, logs := bibgate(n.t, n.dir, "serve", "--config", n.cfg, "--admin", n.admin, "--sip2", n.sip2, "--z3950", "off",
		flag, n.ill, "--log-format", "json")
	waitListening(n.t, logs, "admin")
	n.logs = &drain{}
	go n.logs.run(logs)
	n.stop = func(sig syscall.Signal) {
		_ = cmd.Process.Signal(sig)
		_ = cmd.Wait()
	}
	n.waitReady()
}

func (n *illNode) waitReady() {
	n.t.Helper()
	if n.ill == "off" {
		return // the admin listener is up
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", n.ill); err == nil {
			c.Close()
			return
		}
	}
	n.t.Fatalf("%s: ILL listener %s not up", n.name, n.ill)
}

// ill runs bibgate ill ... --server against this node.
func (n *illNode) run(args ...string) string {
	n.t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--server", "http://"+n.admin)
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		n.t.Fatalf("%s: bibgate %s: exit %d: %s\nlog:\n%s", n.name, strings.Join(args, " "), code, errOut.String(), n.logs)
	}
	return out.String()
}

// wait waits until the node has one transaction and cond holds for it.
func (n *illNode) wait(what string, cond func(core.ILLTransaction) bool) core.ILLTransaction {
	n.t.Helper()
	var last []core.ILLTransaction
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		last = nil
		if err := (remoteILL{base: "http://" + n.admin}).call(context.Background(), "GET", "/ill/transactions", nil, &last); err != nil {
			continue
		}
		if len(last) == 1 && cond(last[0]) {
			return last[0]
		}
	}
	n.t.Fatalf("%s: never %s: %+v\nlog:\n%s", n.name, what, last, n.logs)
	return core.ILLTransaction{}
}

func ptr[T any](v T) *T { return &v }

// sip2Send sends one SIP2 message from the node's desk account.
func (n *illNode) sip2Send(t *testing.T, m sip2.Message) sip2.Message {
	t.Helper()
	c, err := sip2client.Dial(context.Background(), n.sip2, sip2client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(context.Background(), "desk", "desk-pw", demo.Central); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// refusesHomeLoan checks that the patron at the node's selfcheck is
// refused a home loan of the ILL copy of x (R20).
func (n *illNode) refusesHomeLoan(x core.ILLTransaction) {
	n.t.Helper()
	co := n.sip2Send(n.t, &sip2.CheckoutRequest{InstitutionID: demo.Central, PatronID: demo.PatronGood,
		ItemID: x.TempItemID, PatronPassword: ptr(demo.PIN)}).(*sip2.CheckoutResponse)
	if co.OK {
		n.t.Fatalf("home loan of an ILL copy over SIP2 allowed: %+v", co)
	}
	n.t.Logf("SIP2 checkout of %s refused: %q", x.TempItemID, co.ScreenMessages)
}

// settled checks the node's one transaction once a loan is over: every
// message from the partner applied once, every event to send sent. It
// logs the transaction's history and returns it.
func (n *illNode) settled() core.ILLTransaction {
	n.t.Helper()
	var xs []core.ILLTransaction
	if err := (remoteILL{base: "http://" + n.admin}).call(context.Background(), "GET", "/ill/transactions", nil, &xs); err != nil {
		n.t.Fatal(err)
	}
	if len(xs) != 1 {
		n.t.Fatalf("%s: %d transactions, want 1", n.name, len(xs))
	}
	seen := map[string]int{}
	for _, e := range xs[0].Events {
		if e.Origin == core.OriginAPDU {
			seen[e.Service.String()+":"+e.Qualifier]++
		}
		if e.Send && e.Sent.IsZero() {
			n.t.Errorf("%s: event %d %s never sent", n.name, e.Seq, e.Service)
		}
	}
	for k, v := range seen {
		if v != 1 {
			n.t.Errorf("%s: %s applied %d times", n.name, k, v)
		}
	}
	var hist bytes.Buffer
	_ = printILLTransaction(&hist, xs[0])
	n.t.Logf("%s:\n%s", n.name, hist.String())
	return xs[0]
}

func lastEvent(x core.ILLTransaction) core.ILLEvent {
	if len(x.Events) == 0 {
		return core.ILLEvent{}
	}
	return x.Events[len(x.Events)-1]
}

// TestTwoGatewaysLoanOverTCP: two bibgate serve processes, a Latvian
// library borrowing from an Estonian one, exchange a whole loan over ISO
// 10161 TCP only, driven by their staff through bibgate ill --server:
// request, hold-placed with the expected date (the lender's copy is out,
// R23), will-supply once it is back, shipped, received (over SIP2 the patron is
// refused a home loan, R20), returned, checked-in. Each gateway is killed
// with SIGKILL right after a staff action, with its APDU possibly on the
// way, and restarted: no APDU is lost, none is applied twice, and both
// outboxes end empty.
func TestTwoGatewaysLoanOverTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four bibgate serve processes")
	}
	t.Setenv(adminTokenEnv, "two-gateways-admin-token")
	lvILL, eeILL := freeAddr(t), freeAddr(t)
	lv := newILLNode(t, "lv", "LV:ILU", "EE:TARTU", eeILL)
	ee := newILLNode(t, "ee", "EE:TARTU", "LV:ILU", lvILL)
	lv.ill, ee.ill = lvILL, eeILL
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
	lv.stop(syscall.SIGKILL) // the request may or may not have gone
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
	lv.stop(syscall.SIGKILL)
	lv.start()
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
	}
}
