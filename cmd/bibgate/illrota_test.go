package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestThreeGatewaysRotaOverTCP: three bibgate serve processes over ISO
// 10161 TCP. A Latvian library files a request with a rota of two
// Estonian partners through bibgate ill request --rota: the first has no
// catalogue of its own and answers unfilled (not-owned); the requester
// asks the second by itself, which holds the copy and supplies it. The
// requester's transaction shows both legs, each with its own tuple, and
// ends shipped; every APDU was applied once and everything sent. The
// same again with the rota taken from the partners' catalogues: the
// partner given first, then the second, whose Z39.50 catalogue holds the
// title (bibgate ill request --from-find).
func TestThreeGatewaysRotaOverTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three bibgate serve processes")
	}
	for _, fromFind := range []bool{false, true} {
		name := "rota"
		if fromFind {
			name = "from-find"
		}
		t.Run(name, func(t *testing.T) { threeGatewaysRota(t, fromFind) })
	}
}

// threeGatewaysRota is TestThreeGatewaysRotaOverTCP with the rota given
// (--rota) or taken from the second partner's catalogue (--from-find).
func threeGatewaysRota(t *testing.T, fromFind bool) {
	t.Setenv(adminTokenEnv, "rota-admin-token")
	lvILL, tartuILL, nlibILL := freeAddr(t), freeAddr(t), freeAddr(t)
	lv := newILLNode(t, "lv", "LV:ILU", "EE:TARTU", tartuILL)
	tartu := newILLNode(t, "tartu", "EE:TARTU", "LV:ILU", lvILL)
	nlib := newILLNode(t, "nlib", "EE:NLIB", "LV:ILU", lvILL)
	lv.ill, tartu.ill, nlib.ill = lvILL, tartuILL, nlibILL

	// The requester knows both partners.
	// The second's catalogue is asked who holds the title (ill find).
	nlib.z3950 = freeAddr(t)
	appendFile(t, lv.cfg, fmt.Sprintf("[[ill.partner]]\nsymbol = \"EE:NLIB\"\nname = \"EE:NLIB\"\naddress = %q\ncatalogue = \"z3950://%s/Default\"\n",
		nlibILL, nlib.z3950))
	// The first partner is a library without our title: no demo data, a
	// library of its own, an empty catalogue.
	cfg := fmt.Sprintf("data_dir = %q\n[[library]]\nid = \"TRT\"\nname = \"Tartu City Library\"\naddress = \"Kompanii 3, Tartu\"\n"+
		"[ill]\nsymbol = \"EE:TARTU\"\noutbox_interval = \"200ms\"\n"+
		"[[ill.partner]]\nsymbol = \"LV:ILU\"\nname = \"LV:ILU\"\naddress = %q\n", filepath.Join(tartu.dir, "data"), lvILL)
	if err := os.WriteFile(tartu.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tartu.sip2 = "off"
	for _, n := range []*illNode{lv, tartu, nlib} {
		n.start()
	}

	args := []string{"ill", "request", "--patron", demo.PatronGood, "--title", "Python Web programming", "--isbn", "0735710902", "--pickup", demo.Central}
	if fromFind {
		// The partner staff agreed with the patron first, then whoever
		// the partners' catalogues say holds it.
		args = append(args, "--partner", "EE:TARTU", "--from-find", "0735710902")
	} else {
		args = append(args, "--rota", "EE:TARTU,EE:NLIB")
	}
	out := lv.run(args...)
	if !strings.Contains(out, "ILL-Request to EE:TARTU filed") || !strings.Contains(out, "rota EE:TARTU, EE:NLIB") {
		t.Fatalf("request: %s", out)
	}
	tartu.wait("answered unfilled", func(x core.ILLTransaction) bool {
		return x.Role == illstate.Responder && x.State == illstate.NotSupplied && len(x.Events) >= 2 &&
			x.Events[1].Qualifier == illstate.QUnfilled && x.Events[1].Reason == "not-owned"
	})
	lend := nlib.wait("answered will-supply", func(x core.ILLTransaction) bool {
		return x.Role == illstate.Responder && len(x.Events) >= 2 && x.Events[1].Qualifier == illstate.QWillSupply
	})
	borrow := lv.wait("heard will-supply from the second", func(x core.ILLTransaction) bool {
		return x.Partner == "EE:NLIB" && lastEvent(x).Qualifier == illstate.QWillSupply
	})
	if !strings.HasSuffix(lend.TID.Transaction, "-2") || lend.TID.InitialRequester.Symbol != "LV:ILU" || lend.TID.Transaction != borrow.TID.Transaction {
		t.Errorf("second leg's tuple at the lender %+v, at the requester %+v", lend.TID, borrow.TID)
	}

	nlib.run("ill", "ship", lend.ID)
	borrow = lv.wait("received Shipped", func(x core.ILLTransaction) bool {
		return x.State == illstate.Shipped && len(x.Attempts) == 2 && !x.Attempts[1].Sent.IsZero()
	})
	a1, a2 := borrow.Attempts[0], borrow.Attempts[1]
	if a1.Partner != "EE:TARTU" || a1.Outcome != illstate.QUnfilled || a1.Reason != "not-owned" || a1.Sent.IsZero() || a1.Ended.IsZero() {
		t.Errorf("first leg %+v", a1)
	}
	if a2.Partner != "EE:NLIB" || a2.Outcome != "shipped" || a2.TID == a1.TID {
		t.Errorf("second leg %+v", a2)
	}
	show := lv.run("ill", "show", borrow.ID)
	for _, want := range []string{"Rota", "EE:TARTU, EE:NLIB", "Attempts:", "unfilled", "not-owned", "shipped", "rota 2 of 2"} {
		if !strings.Contains(show, want) {
			t.Errorf("ill show lacks %q:\n%s", want, show)
		}
	}
	if !regexp.MustCompile(`OUTCOME +STATE +RETURN +REASON`).MatchString(show) ||
		!regexp.MustCompile(`(?m)^2 +EE:NLIB +\S+ +\S+ \S+ +shipped +SHIPPED +- +-$`).MatchString(show) {
		t.Errorf("ill show's attempts lack the state and return columns, or the second leg is not SHIPPED with nothing to send back:\n%s", show)
	}
	t.Logf("lv:\n%s", show)

	// Every APDU applied once, everything to send sent, at each gateway.
	for _, n := range []*illNode{lv, tartu, nlib} {
		var xs []core.ILLTransaction
		if err := (remoteILL{base: "http://" + n.admin}).call(context.Background(), "GET", "/ill/transactions", nil, &xs); err != nil {
			t.Fatal(err)
		}
		if len(xs) != 1 {
			t.Fatalf("%s: %d transactions, want 1", n.name, len(xs))
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
		if n != lv {
			t.Logf("%s:\n%s", n.name, hist.String())
		}
		n.stop(syscall.SIGTERM)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// TestILLShowPassedOverLeg: bibgate ill show on a request whose first
// partner the rota passed over (no answer in the expiry days) and which
// then shipped anyway says, on each attempt, the leg's state and whether
// its item is to go back; after send-back the first leg is RETURNED with
// nothing to send back, and the current leg shows the transaction's
// state. bibgate ill --help names send-back.
func TestILLShowPassedOverLeg(t *testing.T) {
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: "LV:ILU", ExpiryDays: 14,
		Partners: []core.ILLPartner{{Symbol: "EE:TARTU", Name: "EE:TARTU"}, {Symbol: "EE:NLIB", Name: "EE:NLIB"}}}
	svc, err := core.NewService(memstore.New(), cons, core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RegisterPatrons(ctx, demo.Patrons(clock.Now())[:4]); err != nil {
		t.Fatal(err)
	}
	x, err := svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: []string{"EE:TARTU", "EE:NLIB"}, Item: core.ILLItem{Title: "Kalevipoeg"}})
	if err != nil {
		t.Fatal(err)
	}
	first := x.TID
	deliver := func() {
		t.Helper()
		pend, err := svc.ILLPending(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pend {
			if err := svc.ILLSent(ctx, m.Key); err != nil {
				t.Fatal(err)
			}
		}
	}
	deliver()
	clock.Advance(15 * 24 * time.Hour)
	if _, err := svc.RunILLJobs(ctx); err != nil {
		t.Fatal(err)
	}
	deliver()
	if _, err := svc.ILLApply(ctx, core.ILLRef{TID: &first, Role: illstate.Requester},
		core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Incoming, Origin: core.OriginAPDU}); err != nil {
		t.Fatal(err)
	}
	// attempt is the attempt row of partner in ill show's output, its
	// columns: #, partner, transaction, sent (date and time or "to send"),
	// outcome, state, return, reason.
	attempt := func(show, partner string) []string {
		t.Helper()
		m := regexp.MustCompile(`(?m)^\d+ +` + regexp.QuoteMeta(partner) + ` +(\S+) +(\S+ \S+|-|to send) +(\S+) +(\S+) +(send back|-) +(.*)$`).FindStringSubmatch(show)
		if m == nil {
			t.Fatalf("no attempt of %s in ill show:\n%s", partner, show)
		}
		return m[3:6]
	}
	show := func() string {
		t.Helper()
		x, err := svc.ILLGet(ctx, core.ILLRef{ID: x.ID})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := printILLTransaction(&out, x); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	for _, tc := range []struct {
		name        string
		before      func()
		tartu, nlib []string
	}{
		{"shipped after it was passed over", func() {}, []string{"shipped", "SHIPPED", "send back"}, []string{"waiting", "PENDING", "-"}},
		{"after send-back", func() {
			if _, err := svc.ILLStaffAction(ctx, core.ILLRef{ID: x.ID}, "send-back", "by post", "", time.Time{}); err != nil {
				t.Fatal(err)
			}
		}, []string{"shipped", "RETURNED", "-"}, []string{"waiting", "PENDING", "-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.before()
			out := show()
			if !regexp.MustCompile(`OUTCOME +STATE +RETURN +REASON`).MatchString(out) {
				t.Errorf("no attempts header:\n%s", out)
			}
			for _, leg := range []struct {
				partner string
				want    []string
			}{{"EE:TARTU", tc.tartu}, {"EE:NLIB", tc.nlib}} {
				if got := attempt(out, leg.partner); strings.Join(got, "|") != strings.Join(leg.want, "|") {
					t.Errorf("%s: outcome, state, return %q, want %q\n%s", leg.partner, got, leg.want, out)
				}
			}
		})
	}

	var out, help bytes.Buffer
	if code := run(ctx, []string{"ill", "--help"}, &out, &help); code != 0 || !strings.Contains(help.String(), "send-back ID") {
		t.Errorf("bibgate ill --help (exit %d) does not name send-back:\n%s%s", code, out.String(), help.String())
	}
}
