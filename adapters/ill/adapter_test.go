package illadapter_test

import (
	"context"
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/illserver"
	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// Partners: one acknowledged with a status report (yaz-illclient's
// need), one answered with the ILL-Answer itself.
const (
	ours       = "LV:ILU"
	ackPeer    = "EE:TARTU"
	answerPeer = "SI:NUK"
	// Demo titles: Kalevipoeg has free copies, the dictionary is a
	// reference work; Dune is not in the catalogue.
	kalevipoegISBN = "9789985652660"
	dictionaryISBN = "9984800115"
	duneISBN       = "9780441013593"
)

type fixture struct {
	t    testing.TB
	ctx  context.Context
	svc  *core.Service
	addr string
}

func newFixture(t testing.TB, st store.Store, configure ...func(*illadapter.Backend)) *fixture {
	t.Helper()
	ctx := context.Background()
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: ours, Partners: []core.ILLPartner{{Symbol: ackPeer, Name: "Tartu"}, {Symbol: answerPeer, Name: "NUK"}}}
	svc, err := core.NewService(st, cons, core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if loaded, err := demo.Loaded(ctx, svc); err != nil {
		t.Fatal(err)
	} else if !loaded {
		if err := demo.Load(ctx, svc); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := catalog.Open(filepath.Join(t.TempDir(), "catalogue.db"), svc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if _, err := cat.SeedIfEmpty(ctx, demo.CatalogueRecords()); err != nil {
		t.Fatal(err)
	}
	backend := &illadapter.Backend{Svc: svc, Catalogue: cat,
		Replies: map[string]illadapter.Reply{answerPeer: illadapter.ReplyAnswer}, Logger: zerolog.Nop()}
	for _, c := range configure {
		c(backend)
	}
	srv := &illserver.Server{Logger: zerolog.Nop(), Backend: backend}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &fixture{t: t, ctx: ctx, svc: svc, addr: ln.Addr().String()}
}

// exchange sends a on a new connection and reads n answers.
func (f *fixture) exchange(a ill.APDU, n int) []ill.APDU {
	f.t.Helper()
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		f.t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	b, err := ill.Encode(a)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := c.Write(b); err != nil {
		f.t.Fatal(err)
	}
	rd := ber.NewReader(c, ber.Limits{})
	var out []ill.APDU
	for range n {
		raw, err := rd.ReadRaw()
		if err != nil {
			f.t.Fatalf("answer %d to %s: %v", len(out)+1, a.Type(), err)
		}
		reply, err := ill.Decode(raw)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, reply)
	}
	if n == 0 { // nothing comes back: the connection stays quiet
		_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if raw, err := rd.ReadRaw(); err == nil {
			f.t.Fatalf("unexpected answer %X", raw)
		}
	}
	return out
}

func (f *fixture) report(a ill.APDU) *ill.StatusOrErrorReport {
	f.t.Helper()
	r, ok := f.exchange(a, 1)[0].(*ill.StatusOrErrorReport)
	if !ok {
		f.t.Fatalf("answer to %s is not a Status-Or-Error-Report", a.Type())
	}
	return r
}

// receipt sends an APDU the engine answers nothing to: the partner gets a
// receipt, a Status-Or-Error-Report with the status and no error.
func (f *fixture) receipt(a ill.APDU) *ill.StatusOrErrorReport {
	f.t.Helper()
	r := f.report(a)
	if r.ErrorReport != nil || r.StatusReport == nil {
		f.t.Fatalf("receipt for %s: %+v", a.Type(), r)
	}
	return r
}

func (f *fixture) pending() int {
	f.t.Helper()
	out, err := f.svc.ILLPending(f.ctx, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(out)
}

func header(peer, q string) ill.Header {
	tm := "101500"
	return ill.Header{Version: ill.Version2,
		TransactionID:   ill.TransactionID{InitialRequesterID: ill.Institution(peer), GroupQualifier: "G1", Qualifier: ill.String(q)},
		ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: "20261203", Time: &tm}},
		RequesterID:     ill.Institution(peer)}
}

func loan(peer, q, isbn, title string) *ill.Request {
	r := &ill.Request{Header: header(peer, q), ServiceTypes: []ill.ServiceType{ill.Loan},
		RequesterOptionalMessages: ill.RequesterOptionalMessages{CanSendReceived: true, CanSendReturned: true,
			RequesterShipped: ill.Requires, RequesterCheckedIn: ill.Desires}, PlaceOnHold: 3}
	if isbn != "" {
		r.ItemID.ISBN = ill.Str(isbn)
	}
	if title != "" {
		r.ItemID.Title = ill.Str(title)
	}
	return r
}

func errorReport(r *ill.StatusOrErrorReport) *ill.ErrorReport {
	if r.ErrorReport == nil {
		return &ill.ErrorReport{}
	}
	return r.ErrorReport
}

// A request is decided by the engine against the catalogue and its copies;
// the answer goes back as the partner's setting says.
func TestRequestsDecided(t *testing.T) {
	f := newFixture(t, memstore.New())
	tests := []struct {
		name, peer, isbn, title string
		result                  ill.TransactionResults
		reason                  int // unfilled reason, 0 for none
	}{
		{"free copy by ISBN", ackPeer, kalevipoegISBN, "", ill.WillSupply, 0},
		{"free copy by title", ackPeer, "", "Kalevipoeg", ill.WillSupply, 0},
		{"not owned", ackPeer, duneISBN, "Dune", ill.Unfilled, 5},
		{"a title that is only another's subtitle", ackPeer, "", "The Art of Computer Programming", ill.Unfilled, 5},
		{"reference work", ackPeer, dictionaryISBN, "", ill.Unfilled, 4},
		{"answered with the ILL-Answer", answerPeer, kalevipoegISBN, "", ill.WillSupply, 0},
		{"ILL-Answer unfilled", answerPeer, dictionaryISBN, "", ill.Unfilled, 4},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := "Q" + string(rune('A'+i))
			queued := f.pending()
			got := f.exchange(loan(tt.peer, q, tt.isbn, tt.title), 1)[0]
			if string(got.Head().TransactionID.Qualifier) != q || symbol(got.Head().ResponderID) != ours {
				t.Fatalf("header %+v", got.Head())
			}
			switch a := got.(type) {
			case *ill.StatusOrErrorReport:
				if tt.peer != ackPeer || a.StatusReport == nil || a.ErrorReport != nil {
					t.Fatalf("report %+v", a)
				}
				hr := a.StatusReport.UserStatusReport
				if hr.MostRecentService != int(ill.TypeAnswer) || hr.TransactionResults == nil || *hr.TransactionResults != tt.result {
					t.Fatalf("history %+v", hr)
				}
				want := ill.InProcess
				if tt.result == ill.Unfilled {
					want = ill.NotSupplied
				}
				if a.StatusReport.ProviderStatusReport != want {
					t.Errorf("state %d, want %d", a.StatusReport.ProviderStatusReport, want)
				}
				if f.pending() != queued+1 {
					t.Errorf("the ILL-Answer is not waiting in the outbox")
				}
			case *ill.Answer:
				if tt.peer != answerPeer || a.TransactionResults != tt.result {
					t.Fatalf("answer %+v", a)
				}
				if tt.reason != 0 && (a.ResultsExplanation == nil || a.ResultsExplanation.Unfilled == nil ||
					a.ResultsExplanation.Unfilled.ReasonUnfilled != tt.reason) {
					t.Errorf("explanation %+v", a.ResultsExplanation)
				}
				if f.pending() != queued {
					t.Errorf("an ILL-Answer given on the connection is queued again")
				}
			default:
				t.Fatalf("answer is %s", got.Type())
			}
			x, err := f.svc.ILLGet(f.ctx, core.ILLRef{TID: &core.TransactionID{InitialRequester: core.SystemID{Symbol: tt.peer},
				Group: "G1", Transaction: q}, Role: illstate.Responder})
			if err != nil {
				t.Fatal(err)
			}
			if tt.reason != 0 {
				reasons := map[int]string{4: "non-circulating", 5: "not-owned"}
				if last := x.Events[len(x.Events)-1]; last.Reason != reasons[tt.reason] {
					t.Errorf("engine's reason %q", last.Reason)
				}
			}
		})
	}
}

func symbol(s *ill.SystemID) string {
	if s == nil || s.Symbol == nil || s.Symbol.Institution == nil {
		return ""
	}
	return string(*s.Symbol.Institution)
}

// Later APDUs reach the transaction their tuple names; the engine's
// answers come back on the connection; what the state table forbids, an
// unknown tuple, a tuple used twice and a library that is not a partner
// get the Status-Or-Error-Report for each.
func TestLaterAPDUs(t *testing.T) {
	f := newFixture(t, memstore.New())
	f.exchange(loan(ackPeer, "T1", kalevipoegISBN, ""), 1)
	queued := f.pending()

	r := f.report(&ill.StatusQuery{Header: header(ackPeer, "T1")})
	if r.StatusReport == nil || r.StatusReport.ProviderStatusReport != ill.InProcess ||
		r.StatusReport.UserStatusReport.MostRecentService != int(ill.TypeAnswer) {
		t.Fatalf("status report %+v", r.StatusReport)
	}

	r = f.report(&ill.Renew{Header: header(ackPeer, "T1")})
	p := errorReport(r).ProviderErrorReport
	if p == nil || p.StateTransitionProhibited == nil || p.StateTransitionProhibited.APDUType != ill.TypeRenew ||
		p.StateTransitionProhibited.CurrentState != ill.InProcess {
		t.Fatalf("renew before shipping: %+v", r.ErrorReport)
	}

	f.receipt(&ill.Message{Header: header(ackPeer, "T1"), Note: "courier on Friday"})

	got := f.exchange(&ill.Cancel{Header: header(ackPeer, "T1")}, 1)[0]
	if cr, ok := got.(*ill.CancelReply); !ok || !cr.Answer || string(cr.TransactionID.Qualifier) != "T1" {
		t.Fatalf("cancel: %+v", got)
	}
	if f.pending() != queued {
		t.Errorf("answers given on the connection were queued: %d, want %d", f.pending(), queued)
	}

	r = f.report(&ill.Cancel{Header: header(ackPeer, "nope")})
	if p := errorReport(r).ProviderErrorReport; p == nil || p.TransactionIDProblem == nil || *p.TransactionIDProblem != 3 {
		t.Fatalf("unknown transaction: %+v", r.ErrorReport)
	}
	// The same request again (same tuple, same service-date-time: the
	// partner lost our answer) is acknowledged and not applied twice...
	before := f.pending()
	if again := f.report(loan(ackPeer, "T1", kalevipoegISBN, "")); again.ErrorReport != nil || again.StatusReport == nil {
		t.Fatalf("request sent again: %+v", again)
	}
	if x, err := f.svc.ILLList(f.ctx); err != nil || len(x) != 1 || f.pending() != before {
		t.Fatalf("request sent again was applied: %d transactions, %d queued (was %d), %v", len(x), f.pending(), before, err)
	}
	// ...another request reusing its transaction-id is refused.
	reused := loan(ackPeer, "T1", kalevipoegISBN, "")
	later := "101501"
	reused.ServiceDateTime.This.Time = &later
	r = f.report(reused)
	if p := errorReport(r).ProviderErrorReport; p == nil || p.TransactionIDProblem == nil || *p.TransactionIDProblem != 1 {
		t.Fatalf("duplicate: %+v", r.ErrorReport)
	}
	r = f.report(loan("XX:STRANGER", "S1", kalevipoegISBN, ""))
	if u := errorReport(r).UserErrorReport; u == nil || u.SecurityProblem == nil {
		t.Fatalf("stranger: %+v", r.ErrorReport)
	}
	noQualifier := loan(ackPeer, "", kalevipoegISBN, "")
	r = f.report(noQualifier)
	if p := errorReport(r).ProviderErrorReport; p == nil || p.TransactionIDProblem == nil || *p.TransactionIDProblem != 2 {
		t.Fatalf("no qualifier: %+v", r.ErrorReport)
	}
	copyLocations := loan(ackPeer, "L1", kalevipoegISBN, "")
	copyLocations.ServiceTypes = []ill.ServiceType{ill.Locations}
	if u := errorReport(f.report(copyLocations)).UserErrorReport; u == nil || u.UnableToPerform == nil {
		t.Fatalf("locations service: %+v", u)
	}
}

// The whole responder lifecycle of a loan over TCP: request, shipping (by
// staff), the partner's Received, Renew, Returned, then staff check-in.
func TestResponderLifecycle(t *testing.T) {
	f := newFixture(t, memstore.New())
	f.exchange(loan(answerPeer, "LC1", kalevipoegISBN, ""), 1)
	tid := core.TransactionID{InitialRequester: core.SystemID{Symbol: answerPeer}, Group: "G1", Transaction: "LC1"}
	x, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &tid, Role: illstate.Responder},
		core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := illadapter.APDU(x, len(x.Events)-1, ours, f.svc.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := shipped.(*ill.Shipped); !ok || s.SupplyDetails.DateDue == nil || s.ReturnToAddress == nil {
		t.Fatalf("shipped %+v", shipped)
	} else if _, err := ill.Encode(s); err != nil {
		t.Fatal(err)
	}
	f.receipt(&ill.Received{Header: header(answerPeer, "LC1"), DateReceived: "20261205", ShippedServiceType: ill.Loan})
	// Sent again (the partner did not get our receipt): acknowledged, not
	// applied twice (the count of APDU events below stays 4).
	f.receipt(&ill.Received{Header: header(answerPeer, "LC1"), DateReceived: "20261205", ShippedServiceType: ill.Loan})
	got := f.exchange(&ill.Renew{Header: header(answerPeer, "LC1")}, 1)[0]
	if ra, ok := got.(*ill.RenewAnswer); !ok || ra.DateDue == nil {
		t.Fatalf("renew: %+v", got)
	}
	f.receipt(&ill.Returned{Header: header(answerPeer, "LC1"), DateReturned: "20261220"})
	x, err = f.svc.ILLGet(f.ctx, core.ILLRef{TID: &tid, Role: illstate.Responder})
	if err != nil {
		t.Fatal(err)
	}
	if x.State != illstate.Returned {
		t.Fatalf("state %s", x.State)
	}
	var apdus int
	for _, e := range x.Events {
		if e.Origin == core.OriginAPDU {
			apdus++
		}
	}
	if apdus != 4 { // request, received, renew, returned
		t.Errorf("%d events from APDUs: %+v", apdus, x.Events)
	}
}

// A partner with addresses is accepted from them only: a request or a
// later APDU claiming it from elsewhere gets a security-problem report
// and changes nothing.
func TestPartnerAddresses(t *testing.T) {
	st := memstore.New()
	before := newFixture(t, st)
	before.exchange(loan(answerPeer, "A1", kalevipoegISBN, ""), 1)
	f := newFixture(t, st, func(b *illadapter.Backend) {
		b.Addresses = map[string][]netip.Prefix{ackPeer: {netip.MustParsePrefix("127.0.0.0/8")},
			answerPeer: {netip.MustParsePrefix("192.0.2.0/24")}}
	})
	if r, ok := f.exchange(loan(ackPeer, "A2", kalevipoegISBN, ""), 1)[0].(*ill.StatusOrErrorReport); !ok || r.ErrorReport != nil {
		t.Fatalf("from a listed address: %+v", r)
	}
	for _, a := range []ill.APDU{loan(answerPeer, "A3", kalevipoegISBN, ""), &ill.Cancel{Header: header(answerPeer, "A1")}} {
		r := f.report(a)
		if u := errorReport(r).UserErrorReport; u == nil || u.SecurityProblem == nil {
			t.Fatalf("%s from elsewhere: %+v", a.Type(), r.ErrorReport)
		}
	}
	tid := core.TransactionID{InitialRequester: core.SystemID{Symbol: answerPeer}, Group: "G1", Transaction: "A1"}
	if x, err := f.svc.ILLGet(f.ctx, core.ILLRef{TID: &tid, Role: illstate.Responder}); err != nil || x.State != illstate.InProcess {
		t.Fatalf("after a refused Cancel: %v %s", err, x.State)
	}
}
