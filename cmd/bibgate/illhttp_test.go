package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
)

// newILLHTTPNode is a bibgate serve whose partner speaks ISO 18626 over
// HTTP at partnerAddr, both holding the same shared secret.
func newILLHTTPNode(t *testing.T, name, symbol, partner, partnerAddr, version string) *illNode {
	n := &illNode{t: t, name: name, dir: filepath.Join(t.TempDir(), name), admin: freeAddr(t), sip2: freeAddr(t), listenFlag: "--ill-http"}
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n.cfg = filepath.Join(n.dir, "bibgate.toml")
	cfg := fmt.Sprintf("data_dir = %q\n[demo]\nload = true\n"+
		"[ill]\nsymbol = %q\noutbox_interval = \"200ms\"\n"+
		"[[ill.partner]]\nsymbol = %q\nname = %q\nurl = \"http://%s/\"\nversion = %q\nsecret = \"two-gateways-ill-secret\"\n"+
		"[ill.partner.prices]\nloan = 350\n",
		filepath.Join(n.dir, "data"), symbol, partner, partner, partnerAddr, version)
	if err := os.WriteFile(n.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTwoGatewaysLoanOverHTTP: two bibgate serve processes, a Latvian
// library (writing ISO 18626:2021) borrowing from an Estonian one
// (writing 2017), exchange a whole loan over ISO 18626 HTTP only, driven
// by their staff through bibgate ill --server: request, WillSupply,
// Loaned with the due date, Received, ShippedReturn, LoanCompleted. Each
// gateway is killed with SIGKILL right after a staff action, with its
// message possibly on the way, and restarted: nothing is lost, nothing
// applied twice, both outboxes end empty. A message without the shared
// secret is refused with 401.
func TestTwoGatewaysLoanOverHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several bibgate serve processes")
	}
	t.Setenv(adminTokenEnv, "two-gateways-admin-token")
	lvHTTP, eeHTTP := freeAddr(t), freeAddr(t)
	lv := newILLHTTPNode(t, "lv", "LV:ILU", "EE:TARTU", eeHTTP, "2021")
	ee := newILLHTTPNode(t, "ee", "EE:TARTU", "LV:ILU", lvHTTP, "2017")
	lv.ill, ee.ill = lvHTTP, eeHTTP
	lv.start()
	ee.start()

	resp, err := http.Post("http://"+eeHTTP+"/", "application/xml", strings.NewReader(`<?xml version="1.0"?>`+
		`<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" version="1.2"><request><header>`+
		`<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>EE:TARTU</agencyIdValue></supplyingAgencyId>`+
		`<requestingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>LV:ILU</agencyIdValue></requestingAgencyId>`+
		`<timestamp>2026-12-01T10:00:00Z</timestamp><requestingAgencyRequestId>FORGED</requestingAgencyRequestId></header>`+
		`<bibliographicInfo><title>Kalevipoeg</title></bibliographicInfo></request></ISO18626Message>`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a request without the secret: HTTP %d, want 401", resp.StatusCode)
	}

	out := lv.run("ill", "request", "--patron", demo.PatronGood, "--partner", "EE:TARTU", "--title", "Kalevipoeg",
		"--isbn", "9789985652660", "--pickup", demo.Central)
	if !strings.Contains(out, "to EE:TARTU filed") {
		t.Fatalf("request: %s", out)
	}
	lv.stop(syscall.SIGKILL) // the request may or may not have gone
	lv.start()

	lend := ee.wait("answered the request", func(x core.ILLTransaction) bool {
		return x.Role == illstate.Responder && len(x.Events) >= 2 && x.Events[1].Qualifier == illstate.QWillSupply
	})
	lv.wait("received WillSupply", func(x core.ILLTransaction) bool { return lastEvent(x).Qualifier == illstate.QWillSupply })

	ee.run("ill", "ship", lend.ID)
	ee.stop(syscall.SIGKILL)
	ee.start()
	borrow := lv.wait("received Loaned", func(x core.ILLTransaction) bool { return x.State == illstate.Shipped && !x.Due.IsZero() })

	lv.run("ill", "receive", borrow.ID)
	lv.stop(syscall.SIGKILL)
	lv.start()
	ee.wait("received Received", func(x core.ILLTransaction) bool { return x.State == illstate.Received })

	lv.run("ill", "return", borrow.ID)
	ee.wait("received ShippedReturn", func(x core.ILLTransaction) bool { return x.State == illstate.Returned })
	ee.run("ill", "checkin", lend.ID)
	lv.wait("received LoanCompleted", func(x core.ILLTransaction) bool { return x.State == illstate.CheckedIn })

	// One transaction each: the forged request was not applied.
	for _, n := range []*illNode{lv, ee} {
		n.settled()
		n.stop(syscall.SIGTERM)
	}
}
