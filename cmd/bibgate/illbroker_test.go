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
	"github.com/bibgate/bibgate/internal/config"
)

// brokerNode is one bibgate serve of the broker test, on the illNode
// fixture, started with its own listener flags (the broker has two).
type brokerNode struct {
	*illNode
	flags []string // listener flags and addresses
	dials []string // the ILL listeners to wait for
}

func newBrokerNode(t *testing.T, name, cfg string, flags ...string) *brokerNode {
	n := &illNode{t: t, name: name, dir: filepath.Join(t.TempDir(), name), admin: freeAddr(t)}
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n.cfg = filepath.Join(n.dir, "bibgate.toml")
	cfg = fmt.Sprintf("data_dir = %q\n", filepath.Join(n.dir, "data")) + cfg
	if err := os.WriteFile(n.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	b := &brokerNode{illNode: n, flags: flags}
	for i := 1; i < len(flags); i += 2 {
		b.dials = append(b.dials, flags[i])
	}
	return b
}

func (n *brokerNode) begin() {
	n.t.Helper()
	args := append([]string{"serve", "--config", n.cfg, "--admin", n.admin, "--sip2", "off", "--z3950", "off", "--log-format", "json"}, n.flags...)
	cmd, logs := bibgate(n.t, n.dir, args...)
	waitListening(n.t, logs, "admin")
	n.logs = &drain{}
	go n.logs.run(logs)
	n.stop = func(sig syscall.Signal) {
		_ = cmd.Process.Signal(sig)
		_ = cmd.Wait()
	}
	for _, a := range n.dials {
		up := false
		for deadline := time.Now().Add(60 * time.Second); !up && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if c, err := net.Dial("tcp", a); err == nil {
				c.Close()
				up = true
			}
		}
		if !up {
			n.t.Fatalf("%s: ILL listener %s not up", n.name, a)
		}
	}
}

func (n *brokerNode) list() []core.ILLTransaction {
	n.t.Helper()
	var xs []core.ILLTransaction
	if err := (remoteILL{base: "http://" + n.admin}).call(context.Background(), "GET", "/ill/transactions", nil, &xs); err != nil {
		n.t.Fatalf("%s: list: %v", n.name, err)
	}
	return xs
}

// await waits until one of the node's transactions satisfies cond.
func (n *brokerNode) await(what string, cond func(core.ILLTransaction) bool) core.ILLTransaction {
	n.t.Helper()
	var last []core.ILLTransaction
	for deadline := time.Now().Add(45 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		last = nil
		if err := (remoteILL{base: "http://" + n.admin}).call(context.Background(), "GET", "/ill/transactions", nil, &last); err != nil {
			continue
		}
		for _, x := range last {
			if cond(x) {
				return x
			}
		}
	}
	n.t.Fatalf("%s: never %s: %+v\nlog:\n%s", n.name, what, last, n.logs)
	return core.ILLTransaction{}
}

// checkDelivered: every event to send was sent, and no received APDU
// (or relayed event) was applied twice.
func (n *brokerNode) checkDelivered() {
	n.t.Helper()
	for _, x := range n.list() {
		seen := map[string]int{}
		for _, e := range x.Events {
			if e.Origin == core.OriginAPDU {
				seen[e.Service.String()+":"+e.Qualifier]++
			}
			if e.Send && e.Sent.IsZero() {
				n.t.Errorf("%s: %s event %d %s never sent", n.name, x.ID, e.Seq, e.Service)
			}
		}
		for k, v := range seen {
			if v != 1 {
				n.t.Errorf("%s: %s: %s applied %d times", n.name, x.ID, k, v)
			}
		}
	}
}

// TestBrokerThreeGateways: three bibgate serve processes. A Slovenian
// member library (A) borrows through the national library (B), its
// consortium's intermediary (seed 003), from a foreign supplier (C): A
// speaks ISO 18626 over HTTP to B, B ISO 10161 over TCP to C, and B owns
// no copy. A whole loan: request, will-supply, Shipped with C's due date
// (which reaches A), Received, ShippedReturn, Checked-In at C, every leg
// completed; the broker is killed with SIGKILL right after C ships and
// restarted, and nothing is lost or applied twice. bibgate ill show on B
// shows both legs with their states. Then a title C does not hold: C's
// unfilled reaches A as Unfilled with the reason.
func TestBrokerThreeGateways(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several bibgate serve processes")
	}
	t.Setenv(adminTokenEnv, "broker-admin-token")
	const secret = "lenart-nuk-ill-secret"
	aHTTP, bHTTP, bTCP, cTCP := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	a := newBrokerNode(t, "A", fmt.Sprintf("[demo]\nload = true\n[ill]\nsymbol = \"SI:LENART\"\noutbox_interval = \"200ms\"\n"+
		"[[ill.partner]]\nsymbol = \"SI:NUK\"\nname = \"Narodna in univerzitetna knjižnica\"\nurl = \"http://%s/\"\nversion = \"2021\"\nsecret = %q\n",
		bHTTP, secret), "--ill-http", aHTTP)
	b := newBrokerNode(t, "B", fmt.Sprintf("[[library]]\nid = \"NUK\"\nname = \"Narodna in univerzitetna knjižnica\"\naddress = \"Turjaška ulica 1, Ljubljana\"\n"+
		"[ill]\nsymbol = \"SI:NUK\"\noutbox_interval = \"200ms\"\n"+
		"[[ill.partner]]\nsymbol = \"SI:LENART\"\nname = \"Knjižnica Lenart\"\nurl = \"http://%s/\"\nversion = \"2017\"\nsecret = %q\nbroker_to = [\"AT:ONB\"]\n"+
		"[[ill.partner]]\nsymbol = \"AT:ONB\"\nname = \"Österreichische Nationalbibliothek\"\naddress = %q\n",
		aHTTP, secret, cTCP), "--ill", bTCP, "--ill-http", bHTTP)
	c := newBrokerNode(t, "C", fmt.Sprintf("[demo]\nload = true\n[ill]\nsymbol = \"AT:ONB\"\noutbox_interval = \"200ms\"\n"+
		"[[ill.partner]]\nsymbol = \"SI:NUK\"\nname = \"Narodna in univerzitetna knjižnica\"\naddress = %q\n", bTCP), "--ill", cTCP)
	for _, n := range []*brokerNode{a, b, c} {
		n.begin()
	}
	defer func() {
		for _, n := range []*brokerNode{a, b, c} {
			n.stop(syscall.SIGTERM)
		}
	}()

	out := a.run("ill", "request", "--patron", demo.PatronGood, "--partner", "SI:NUK", "--title", "Kalevipoeg",
		"--isbn", "9789985652660", "--pickup", demo.Central)
	if !strings.Contains(out, "to SI:NUK filed") {
		t.Fatalf("request: %s", out)
	}
	borrow := a.await("filed the request", func(x core.ILLTransaction) bool { return x.Role == illstate.Requester })

	lend := c.await("answered will-supply", func(x core.ILLTransaction) bool {
		return x.Role == illstate.Responder && len(x.Events) >= 2 && x.Events[1].Qualifier == illstate.QWillSupply
	})
	if lend.Partner != "SI:NUK" {
		t.Fatalf("C lends to %q, want the broker", lend.Partner)
	}
	a.await("received WillSupply", func(x core.ILLTransaction) bool {
		return x.ID == borrow.ID && lastEvent(x).Qualifier == illstate.QWillSupply
	})
	first := b.await("has the first leg", func(x core.ILLTransaction) bool { return x.Leg == core.ILLLegFirst })
	if first.Partner != "SI:LENART" || first.TID.Transaction != borrow.ID || len(first.Legs) != 1 {
		t.Fatalf("first leg %+v", first)
	}

	c.run("ill", "ship", lend.ID)
	b.stop(syscall.SIGKILL) // C's Shipped may be on its way, or half relayed
	b.begin()
	lend = c.await("shipped", func(x core.ILLTransaction) bool { return x.ID == lend.ID && x.State == illstate.Shipped })
	borrow = a.await("received Loaned", func(x core.ILLTransaction) bool {
		return x.ID == borrow.ID && x.State == illstate.Shipped && !x.Due.IsZero()
	})
	// The item goes back to C, not through B: C's return address reaches A.
	if got, want := shippedEvent(borrow).ReturnAddress, shippedEvent(lend).ReturnAddress; want == "" || got != want {
		t.Errorf("return address at A %q, want C's %q", got, want)
	}
	cDue, aDue := lend.Due.In(demo.Riga()).Format(time.DateOnly), borrow.Due.In(demo.Riga()).Format(time.DateOnly)
	if cDue != aDue {
		t.Errorf("due date at A %s (%s), at C %s: the supplier's due date must reach the requester", aDue, borrow.Due, cDue)
	}

	a.run("ill", "receive", borrow.ID)
	c.await("received Received", func(x core.ILLTransaction) bool { return x.ID == lend.ID && x.State == illstate.Received })
	a.run("ill", "return", borrow.ID)
	c.await("received Returned", func(x core.ILLTransaction) bool { return x.ID == lend.ID && x.State == illstate.Returned })
	c.run("ill", "checkin", lend.ID)
	a.await("received LoanCompleted", func(x core.ILLTransaction) bool { return x.ID == borrow.ID && x.State == illstate.CheckedIn })
	b.await("both legs completed", func(x core.ILLTransaction) bool {
		if x.ID != first.ID || x.State != illstate.CheckedIn {
			return false
		}
		xs := b.list()
		for _, y := range xs {
			if y.ID == x.LinkedID {
				return y.State == illstate.CheckedIn
			}
		}
		return false
	})

	show := b.run("ill", "show", first.ID)
	second := first.Legs[0]
	for _, want := range []string{
		"Leg             first (we broker for SI:LENART)", "Current leg     " + second,
		"--- second leg " + second + ": AT:ONB, CHECKED-IN", "Leg             second (onward to AT:ONB)",
		"relay " + second + "#", "relay " + first.ID + "#", "return to " + shippedEvent(lend).ReturnAddress,
	} {
		if !strings.Contains(show, want) {
			t.Errorf("bibgate ill show %s on B lacks %q:\n%s", first.ID, want, show)
		}
	}
	if n := strings.Count(show, "State           CHECKED-IN"); n != 2 {
		t.Errorf("bibgate ill show: %d legs CHECKED-IN, want 2:\n%s", n, show)
	}
	t.Logf("bibgate ill show %s on B:\n%s", first.ID, show)

	// A title C does not hold: its unfilled reaches A with the reason.
	a.run("ill", "request", "--patron", demo.PatronGood, "--partner", "SI:NUK", "--title", "Der Mann ohne Eigenschaften",
		"--isbn", "9783498042133", "--pickup", demo.Central)
	refused := a.await("received Unfilled", func(x core.ILLTransaction) bool {
		return x.ID != borrow.ID && x.State == illstate.NotSupplied
	})
	if e := lastEvent(refused); e.Qualifier != illstate.QUnfilled || e.Reason != "not-owned" {
		t.Errorf("A's last event %+v, want unfilled not-owned", e)
	}
	c.await("answered unfilled", func(x core.ILLTransaction) bool { return x.ID != lend.ID && x.State == illstate.NotSupplied })
	b.await("first leg not supplied", func(x core.ILLTransaction) bool {
		return x.Leg == core.ILLLegFirst && x.ID != first.ID && x.State == illstate.NotSupplied
	})

	for _, n := range []*brokerNode{a, b, c} {
		n.await("outbox empty", func(core.ILLTransaction) bool {
			for _, x := range n.list() {
				for _, e := range x.Events {
					if e.Send && e.Sent.IsZero() {
						return false
					}
				}
			}
			return true
		})
		n.checkDelivered()
		if n == b {
			var hist bytes.Buffer
			for _, x := range n.list() {
				_ = printILLTransaction(&hist, x)
			}
			t.Logf("B:\n%s", hist.String())
		}
	}
}

func shippedEvent(x core.ILLTransaction) core.ILLEvent {
	for _, e := range x.Events {
		if e.Service == illstate.ShippedService {
			return e
		}
	}
	return core.ILLEvent{}
}

// TestReadmeBrokerConfig: the README's brokering configuration is valid
// and says what the section says.
func TestReadmeBrokerConfig(t *testing.T) {
	block := blockStarting(t, "[ill]\nsymbol = \"SI:NUK\"")
	c, err := config.Parse("readme.toml", "[demo]\nload = true\n"+block)
	if err != nil {
		t.Fatalf("README's brokering configuration: %v\n%s", err, block)
	}
	cons, err := c.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	if p := cons.ILL.Partners[0]; p.Symbol != "SI:LENART" || strings.Join(p.BrokerTo, ",") != "AT:ONB,DE:SBB" {
		t.Errorf("README's member partner %+v", p)
	}
}
