package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// Partners of the ILL tests: an Estonian library that queues (seed 001),
// one that wants retry instead of a place in the queue, with its price
// list for our patrons.
const (
	partnerQueue = "EE:LVKRK/ILL" // symbols are opaque: colons and slashes allowed
	partnerRetry = "LV-SBA"
	lib          = demo.Central
)

func illConsortium() *core.Consortium {
	c := demo.Consortium()
	c.ILL = core.ILLSettings{
		Symbol: "LV:ILU",
		Partners: []core.ILLPartner{
			{Symbol: partnerQueue, Name: "Lääne-Virumaa Keskraamatukogu", Prices: map[core.ILLServiceType]core.Money{core.ILLLoan: 350, core.ILLCopy: 120}},
			{Symbol: partnerRetry, Name: "Līvānu bibliotēka", QueueRetry: true, RetryDays: 10},
		},
	}
	return c
}

type illFixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *core.Service
	clock *core.FixedClock
	st    store.Store
}

// newILLFixture: a small catalogue at the central library, Monday 2
// November 2026 10:00 in Riga.
func newILLFixture(t *testing.T, st store.Store) *illFixture {
	t.Helper()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(st, illConsortium(), core.Options{Clock: clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	f := &illFixture{t: t, ctx: context.Background(), svc: svc, clock: clock, st: st}
	if err := svc.RegisterPatrons(f.ctx, demo.Patrons(clock.Now())[:12]); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Charge(f.ctx, demo.PatronDebtor, core.FeeDamage, 600, "", "damaged book"); err != nil {
		t.Fatal(err)
	}
	book := func(id, rec, title, material string, rr bool) core.Item {
		return core.Item{ID: id, RecordID: rec, Title: title, Library: lib, Material: material, ReadingRoomOnly: rr, Value: 1500}
	}
	items := []core.Item{
		book("B1", "rec-book", "Tõde ja õigus", policy.MaterialBook, false),
		book("A1", "rec-audio", "Rūdolfa mantojums", policy.MaterialAudio, false),
		book("R1", "rec-ref", "Latviešu valodas vārdnīca", policy.MaterialReference, false),
		book("RR1", "rec-rr", "Ilūkstes novada vēsture", policy.MaterialBook, true),
		book("Q1", "rec-busy", "Kalevipoeg", policy.MaterialBook, false),
		book("Q2", "rec-busy", "Kalevipoeg", policy.MaterialBook, false),
	}
	if err := svc.PutItems(f.ctx, items); err != nil {
		t.Fatal(err)
	}
	// Both copies of rec-busy are out (due 2 December), and one reader
	// already queues for it.
	if _, err := svc.Checkout(f.ctx, core.CheckoutRequest{Library: lib, PatronID: "P0009", ItemID: "Q1"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(24 * time.Hour)
	if _, err := svc.Checkout(f.ctx, core.CheckoutRequest{Library: lib, PatronID: "P0010", ItemID: "Q2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: "P0011", RecordID: "rec-busy", PickupLibrary: lib}); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 11, 4, 10, 0, 0, 0, demo.Riga()))
	return f
}

func tid(symbol, q string) core.TransactionID {
	return core.TransactionID{InitialRequester: core.SystemID{Symbol: symbol}, Group: "g1", Transaction: q}
}

func (f *illFixture) incoming(partner, q, record string, svc core.ILLServiceType) core.ILLTransaction {
	f.t.Helper()
	x, err := f.svc.ILLIncoming(f.ctx, core.ILLIncomingRequest{TID: tid(partner, q), Service: svc,
		Item: core.ILLItem{RecordIDs: []string{record}, Title: "t " + record}})
	if err != nil {
		f.t.Fatalf("incoming %s: %v", q, err)
	}
	return x
}

func (f *illFixture) apply(x core.ILLTransaction, in core.ILLEventInput) core.ILLTransaction {
	f.t.Helper()
	out, err := f.svc.ILLApply(f.ctx, core.ILLRef{ID: x.ID}, in)
	if err != nil {
		f.t.Fatalf("%s%s on %s in %s: %v", in.Dir, in.Service, x.ID, x.State, err)
	}
	return out
}

func (f *illFixture) verify() {
	f.t.Helper()
	if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
		f.t.Fatalf("invariants: %v %q", err, problems)
	}
}

func last(x core.ILLTransaction) core.ILLEvent { return x.Events[len(x.Events)-1] }

func ymd(t time.Time) string { return t.Format("2006-01-02") }

const refNote = "reference or reading-room only: not lent by interlibrary loan"

// TestILLResponderDecisions: an incoming request is answered by the rules
// of seed 001 against our catalogue and copies.
func TestILLResponderDecisions(t *testing.T) {
	tests := []struct {
		name, partner, record string
		pre                   string // a reader who holds the title first
		service               core.ILLServiceType
		want                  string // qualifier
		reason                string
		date                  string // expected / retry date
		note                  string
		queue                 int
		state                 illstate.State
	}{
		{name: "not owned", partner: partnerQueue, record: "rec-none", want: illstate.QUnfilled, reason: "not-owned", state: illstate.NotSupplied},
		{name: "reference work is not lent (seed 001)", partner: partnerQueue, record: "rec-ref", want: illstate.QUnfilled, reason: "non-circulating", note: refNote, state: illstate.NotSupplied},
		{name: "reading-room-only copy is not lent", partner: partnerQueue, record: "rec-rr", want: illstate.QUnfilled, reason: "non-circulating", note: refNote, state: illstate.NotSupplied},
		{name: "a copy of a reference work can be supplied", partner: partnerQueue, record: "rec-ref", service: core.ILLCopy, want: illstate.QWillSupply, state: illstate.InProcess},
		{name: "on the shelf", partner: partnerQueue, record: "rec-book", want: illstate.QWillSupply, reason: "being-processed-for-supply", state: illstate.InProcess},
		{name: "the copy on the shelf is for the reader who queued first", partner: partnerQueue, record: "rec-book", pre: demo.PatronGood,
			want: illstate.QHoldPlaced, note: "queue position 2", queue: 2, state: illstate.InProcess},
		{name: "R23 all out: queue position and expected date (seed 001)", partner: partnerQueue, record: "rec-busy", want: illstate.QHoldPlaced,
			date: "2026-12-02", note: "queue position 2, expected back 2026-12-02", queue: 2, state: illstate.InProcess},
		{name: "R23 all out: retry with the retry date for a partner that wants it", partner: partnerRetry, record: "rec-busy", want: illstate.QRetry,
			reason: "in-use-on-loan", date: "2026-12-02", state: illstate.NotSupplied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newILLFixture(t, memstore.New())
			if tc.pre != "" {
				if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: tc.pre, RecordID: tc.record}); err != nil {
					t.Fatal(err)
				}
			}
			x := f.incoming(tc.partner, "Q-1", tc.record, tc.service)
			if len(x.Events) != 2 {
				t.Fatalf("events %+v, want the request and its answer", x.Events)
			}
			req, ans := x.Events[0], x.Events[1]
			if req.Service != illstate.ILLRequest || req.Origin != core.OriginAPDU || req.Dir != illstate.Incoming || !req.At.Equal(f.clock.Now()) {
				t.Errorf("request event %+v", req)
			}
			if ans.Service != illstate.ILLAnswer || ans.Qualifier != tc.want || ans.Origin != core.OriginRule || !ans.Send {
				t.Fatalf("answer %s:%s origin %s send %v, want %s", ans.Service, ans.Qualifier, ans.Origin, ans.Send, tc.want)
			}
			if tc.reason != "" && ans.Reason != tc.reason {
				t.Errorf("reason %q, want %q", ans.Reason, tc.reason)
			}
			if tc.date != "" && ymd(ans.Date) != tc.date {
				t.Errorf("date %s, want %s", ymd(ans.Date), tc.date)
			}
			if ans.Note != tc.note || ans.QueuePosition != tc.queue {
				t.Errorf("note %q queue %d, want %q %d", ans.Note, ans.QueuePosition, tc.note, tc.queue)
			}
			if x.State != tc.state {
				t.Errorf("state %s, want %s", x.State, tc.state)
			}
			// The hold for the partner's institutional patron.
			sum, err := f.svc.Patron(f.ctx, core.InstitutionCard(tc.partner))
			switch {
			case tc.want == illstate.QWillSupply && tc.service != core.ILLCopy:
				if err != nil || len(sum.Holds) != 1 || sum.Holds[0].Status != core.HoldReady || sum.Holds[0].PickupLibrary != lib {
					t.Fatalf("institutional patron's holds %+v %v, want one ready at %s", sum.Holds, err, lib)
				}
				is, _ := f.svc.Item(f.ctx, x.CopyID)
				if is.Item.Status != core.ItemOnHold {
					t.Errorf("copy %s is %s, want held for the partner", x.CopyID, is.Item.Status)
				}
			case tc.want == illstate.QHoldPlaced:
				if err != nil || len(sum.Holds) != 1 || sum.Holds[0].Status != core.HoldWaiting {
					t.Fatalf("institutional patron's holds %+v %v, want one waiting", sum.Holds, err)
				}
			default:
				if err == nil && len(sum.Holds) != 0 {
					t.Errorf("holds %+v after %s", sum.Holds, tc.want)
				}
			}
			pend, err := f.svc.ILLPending(f.ctx, 0)
			if err != nil || len(pend) != 1 || pend[0].Event.Service != illstate.ILLAnswer || pend[0].Transaction.TID != tid(tc.partner, "Q-1") {
				t.Fatalf("outbox %+v %v, want the answer with the tuple echoed", pend, err)
			}
			f.verify()
		})
	}
}

// TestILLResponderLoan: ship with the supplier loan period (seed 001: 21
// days books, 5 days audio), renew only if nobody waits, returned,
// checked in.
func TestILLResponderLoan(t *testing.T) {
	for _, tc := range []struct {
		record, due string
	}{{"rec-book", "2026-11-25"}, {"rec-audio", "2026-11-09"}} {
		t.Run(tc.record, func(t *testing.T) {
			f := newILLFixture(t, memstore.New())
			x := f.incoming(partnerQueue, "L-1", tc.record, core.ILLLoan)
			copyID := x.CopyID
			x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing, Origin: core.OriginStaff})
			sh := last(x)
			if x.State != illstate.Shipped || ymd(sh.Date) != tc.due || ymd(x.Due) != tc.due {
				t.Fatalf("shipped: state %s due %s, want %s", x.State, ymd(sh.Date), tc.due)
			}
			if !strings.Contains(sh.ReturnAddress, "Ilūkstes novada centrālā bibliotēka") {
				t.Errorf("return address %q", sh.ReturnAddress)
			}
			is, _ := f.svc.Item(f.ctx, copyID)
			if is.Item.Status != core.ItemOnLoan || ymd(is.Due) != tc.due {
				t.Fatalf("copy %+v due %s, want on loan to the partner", is.Item, ymd(is.Due))
			}
			x = f.apply(x, core.ILLEventInput{Service: illstate.ReceivedService, Dir: illstate.Incoming, Origin: core.OriginAPDU})
			x = f.apply(x, core.ILLEventInput{Service: illstate.Renew, Dir: illstate.Incoming, Origin: core.OriginAPDU})
			ra := last(x)
			if ra.Service != illstate.RenewAnswer || ra.Qualifier != illstate.QYes || x.State != illstate.Received || !ra.Date.After(sh.Date) {
				t.Fatalf("renew answer %+v state %s", ra, x.State)
			}
			is, _ = f.svc.Item(f.ctx, copyID)
			if !is.Due.Equal(ra.Date) {
				t.Errorf("loan due %v after renewal, want %v", is.Due, ra.Date)
			}
			// Someone here now wants it: the next renewal is refused.
			if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: demo.PatronGood, ItemID: copyID}); err != nil {
				t.Fatal(err)
			}
			x = f.apply(x, core.ILLEventInput{Service: illstate.Renew, Dir: illstate.Incoming, Origin: core.OriginAPDU})
			if ra := last(x); ra.Qualifier != illstate.QNo || !ra.Date.Equal(x.Due) {
				t.Fatalf("second renewal %+v, want no with the due date unchanged", ra)
			}
			x = f.apply(x, core.ILLEventInput{Service: illstate.ReturnedService, Dir: illstate.Incoming, Origin: core.OriginAPDU})
			x = f.apply(x, core.ILLEventInput{Service: illstate.CheckedInService, Dir: illstate.Outgoing, Origin: core.OriginStaff})
			if x.State != illstate.CheckedIn {
				t.Fatalf("state %s", x.State)
			}
			is, _ = f.svc.Item(f.ctx, copyID)
			if is.Item.Status != core.ItemOnHold { // trapped for the local reader who waits
				t.Errorf("copy after check-in: %s, want on the hold shelf for %s", is.Item.Status, demo.PatronGood)
			}
			var sent []string
			pend, _ := f.svc.ILLPending(f.ctx, 0)
			for _, o := range pend {
				sent = append(sent, illstate.Event{Service: o.Event.Service, Dir: o.Event.Dir, Qualifier: o.Event.Qualifier}.String())
				if err := f.svc.ILLSent(f.ctx, o.Key); err != nil {
					t.Fatal(err)
				}
			}
			want := ">ILL-Answer:will-supply >Shipped >Renew-Answer:yes >Renew-Answer:no >Checked-In"
			if strings.Join(sent, " ") != want {
				t.Errorf("sent %s\nwant %s", strings.Join(sent, " "), want)
			}
			if pend, _ := f.svc.ILLPending(f.ctx, 0); len(pend) != 0 {
				t.Errorf("outbox after sending: %d", len(pend))
			}
			f.verify()
		})
	}
}

// TestILLRequesterLoan: our patron borrows from a partner: the item
// arrives as a temporary copy for the reading room (seed 002 §41) with the
// supplier's due date, the patron is told and charged the supplier's price
// (seed 003); sent back, the copy is deleted.
func TestILLRequesterLoan(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: partnerQueue,
		Item: core.ILLItem{Title: "Tõde ja õigus", Author: "A. H. Tammsaare"}, PickupLibrary: demo.Subate})
	if err != nil {
		t.Fatal(err)
	}
	if x.Role != illstate.Requester || x.State != illstate.Pending || x.TID.InitialRequester.Symbol != "LV:ILU" || x.TID.Transaction == "" {
		t.Fatalf("request %+v", x)
	}
	x = f.apply(x, core.ILLEventInput{Service: illstate.ILLAnswer, Dir: illstate.Incoming, Qualifier: illstate.QHoldPlaced, Origin: core.OriginAPDU,
		Date: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Note: "queue position 1"})
	x = f.apply(x, core.ILLEventInput{Service: illstate.ILLAnswer, Dir: illstate.Incoming, Qualifier: illstate.QWillSupply, Origin: core.OriginAPDU})
	supplierDue := time.Date(2026, 12, 1, 23, 59, 59, 0, demo.Riga())
	x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Incoming, Origin: core.OriginAPDU, Date: supplierDue, Amount: 420})
	f.clock.Advance(48 * time.Hour)
	x = f.apply(x, core.ILLEventInput{Service: illstate.ReceivedService, Dir: illstate.Outgoing, Origin: core.OriginStaff})
	if x.State != illstate.Received || x.TempItemID == "" || !x.Due.Equal(supplierDue) || x.FeeID == "" || x.Cost != 420 {
		t.Fatalf("received: %+v", x)
	}
	is, err := f.svc.Item(f.ctx, x.TempItemID)
	if err != nil || !is.Item.ILL || !is.Item.ReadingRoomOnly || is.Item.Library != demo.Subate || is.Item.Status != core.ItemOnHold {
		t.Fatalf("temporary copy %+v %v", is.Item, err)
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
	if sum.Patron.Owed != 420 || len(sum.Holds) != 1 || sum.Holds[0].Status != core.HoldReady || sum.Holds[0].PickupLibrary != demo.Subate {
		t.Fatalf("patron owes %v holds %+v, want 4.20 and a ready hold at Subate", sum.Patron.Owed, sum.Holds)
	}
	notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
	if len(notices) != 1 || notices[0].Kind != core.NoticeHoldReady || notices[0].Title != "Tõde ja õigus" {
		t.Fatalf("notices %+v, want one that it arrived", notices)
	}
	// R20: the patron may read it in the reading room, not take it home.
	_, err = f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: demo.Subate, PatronID: demo.PatronGood, ItemID: x.TempItemID})
	if core.ReasonOf(err) != policy.ItemILLReadingRoom {
		t.Fatalf("home loan of an ILL item: %v, want %s", err, policy.ItemILLReadingRoom)
	}
	x = f.apply(x, core.ILLEventInput{Service: illstate.ReturnedService, Dir: illstate.Outgoing, Origin: core.OriginStaff})
	if _, err := f.svc.Item(f.ctx, x.TempItemID); !errors.Is(err, core.ErrItemNotFound) {
		t.Fatalf("temporary copy after return: %v, want deleted", err)
	}
	x, err = f.svc.ILLApply(f.ctx, core.ILLRef{TID: &x.TID}, core.ILLEventInput{Service: illstate.CheckedInService, Dir: illstate.Incoming, Origin: core.OriginAPDU})
	if err != nil || x.State != illstate.CheckedIn {
		t.Fatalf("checked-in by tuple: %v %s", err, x.State)
	}
	sum, _ = f.svc.Patron(f.ctx, demo.PatronGood)
	if len(sum.Holds) != 0 || sum.Patron.Owed != 420 {
		t.Errorf("after return: holds %+v owed %v", sum.Holds, sum.Patron.Owed)
	}
	var sent []string
	pend, _ := f.svc.ILLPending(f.ctx, 0)
	for _, o := range pend {
		sent = append(sent, o.Event.Service.String())
	}
	if strings.Join(sent, " ") != "ILL-Request Received Returned" {
		t.Errorf("sent %v", sent)
	}
	f.verify()
}

// TestILLFeeKeptWhenNotCollected (seed 003): the patron pays the
// supplier's price even if the item is never collected. The price comes
// from the partner's price list when Shipped names none.
func TestILLFeeKeptWhenNotCollected(t *testing.T) {
	for _, service := range []core.ILLServiceType{core.ILLLoan, core.ILLCopy} {
		t.Run(string(service), func(t *testing.T) {
			f := newILLFixture(t, memstore.New())
			x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: partnerQueue, Service: service,
				Item: core.ILLItem{Title: "Kalevipoeg"}})
			if err != nil {
				t.Fatal(err)
			}
			x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Incoming, Origin: core.OriginAPDU})
			x = f.apply(x, core.ILLEventInput{Service: illstate.ReceivedService, Dir: illstate.Outgoing})
			want := map[core.ILLServiceType]core.Money{core.ILLLoan: 350, core.ILLCopy: 120}[service]
			f.clock.Advance(10 * 24 * time.Hour)
			rep, err := f.svc.RunJobs(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if service == core.ILLLoan && rep.HoldsExpired != 1 {
				t.Errorf("holds expired %d, want the uncollected one", rep.HoldsExpired)
			}
			if service == core.ILLLoan {
				if x = f.apply(x, core.ILLEventInput{Service: illstate.ReturnedService, Dir: illstate.Outgoing}); x.State != illstate.Returned {
					t.Errorf("state %s after sending it back", x.State)
				}
			}
			sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
			if sum.Patron.Owed != want || len(sum.Holds) != 0 {
				t.Fatalf("owed %v holds %+v, want %v still owed", sum.Patron.Owed, sum.Holds, want)
			}
			notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
			if len(notices) == 0 {
				t.Error("the patron was not told it arrived")
			}
			f.verify()
		})
	}
}

// TestILLRequestRefusals: debtors and remote-only patrons cannot ask
// (issue 10, R13/R4).
func TestILLRequestRefusals(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	for _, tc := range []struct {
		patron, partner string
		want            core.Reason
	}{
		{demo.PatronDebtor, partnerQueue, policy.PatronFeesOverLimit},
		{demo.PatronRemoteOnly, partnerQueue, policy.PatronRemoteOnly},
		{demo.PatronBlocked, partnerQueue, policy.PatronBlockedManual},
		{"P9999", partnerQueue, core.ReasonPatronNotFound},
		{demo.PatronGood, "NOBODY", core.ReasonILLUnknownPartner},
	} {
		_, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: tc.patron, Partner: tc.partner, Item: core.ILLItem{Title: "x"}})
		if core.ReasonOf(err) != tc.want {
			t.Errorf("patron %s partner %s: %v, want %s", tc.patron, tc.partner, err, tc.want)
		}
	}
	if list, _ := f.svc.ILLList(f.ctx); len(list) != 0 {
		t.Errorf("refused requests left %d transactions", len(list))
	}
}

// TestILLProhibited: an APDU out of turn is refused with the reason that
// becomes state-transition-prohibited, naming the APDU type and state,
// and changes nothing; unknown and duplicate tuples are refused.
func TestILLProhibited(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	x := f.incoming(partnerQueue, "P-1", "rec-book", core.ILLLoan)
	_, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &x.TID}, core.ILLEventInput{Service: illstate.ReceivedService, Dir: illstate.Incoming, Origin: core.OriginAPDU})
	var te *illstate.TransitionError
	if core.ReasonOf(err) != core.ReasonILLTransitionProhibited || !errors.As(err, &te) || te.Event.Service != 8 || te.State != illstate.InProcess {
		t.Fatalf("Received before Shipped: %v", err)
	}
	after, _ := f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
	if len(after.Events) != len(x.Events) || after.State != x.State {
		t.Errorf("a refused event changed the transaction: %+v", after)
	}
	other := tid(partnerQueue, "nope")
	if _, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &other}, core.ILLEventInput{Service: illstate.Message, Dir: illstate.Incoming}); core.ReasonOf(err) != core.ReasonILLUnknownTransaction {
		t.Errorf("unknown tuple: %v", err)
	}
	if _, err := f.svc.ILLIncoming(f.ctx, core.ILLIncomingRequest{TID: x.TID, Item: core.ILLItem{RecordIDs: []string{"rec-book"}}}); core.ReasonOf(err) != core.ReasonILLDuplicateTransaction {
		t.Errorf("same tuple again: %v", err)
	}
	if _, err := f.svc.ILLApply(f.ctx, core.ILLRef{ID: x.ID}, core.ILLEventInput{Service: illstate.Message, Dir: "?"}); core.ReasonOf(err) != core.ReasonBadRequest {
		t.Errorf("garbage direction: %v", err)
	}
}

// TestILLTupleIsTheKey: the same transaction qualifier from two initial
// requesters, or in two groups, is two transactions; the tuple comes back
// verbatim.
func TestILLTupleIsTheKey(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	a := core.TransactionID{InitialRequester: core.SystemID{Symbol: partnerQueue, Name: "LVKRK"}, Group: "7", Transaction: "42", SubTransaction: "x/y:z"}
	b := a
	b.Group = "8"
	c := a
	c.InitialRequester.Symbol = partnerRetry
	var ids []string
	for _, id := range []core.TransactionID{a, b, c} {
		x, err := f.svc.ILLIncoming(f.ctx, core.ILLIncomingRequest{TID: id, Partner: partnerQueue, Item: core.ILLItem{RecordIDs: []string{"rec-none"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	for i, id := range []core.TransactionID{a, b, c} {
		x, err := f.svc.ILLGet(f.ctx, core.ILLRef{TID: &id})
		if err != nil || x.ID != ids[i] || x.TID != id {
			t.Errorf("lookup %d: %v %+v", i, err, x.TID)
		}
	}
}

// TestILLCancel: a cancel before shipping is accepted and frees the copy;
// one that crosses our Shipped is refused.
func TestILLCancel(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	x := f.incoming(partnerQueue, "C-1", "rec-book", core.ILLLoan)
	copyID := x.CopyID
	x = f.apply(x, core.ILLEventInput{Service: illstate.Cancel, Dir: illstate.Incoming, Origin: core.OriginAPDU})
	if ev := last(x); x.State != illstate.Cancelled || ev.Service != illstate.CancelReply || ev.Qualifier != illstate.QYes {
		t.Fatalf("cancel: state %s last %+v", x.State, ev)
	}
	if is, _ := f.svc.Item(f.ctx, copyID); is.Item.Status != core.ItemAvailable {
		t.Errorf("copy after cancel: %s", is.Item.Status)
	}
	y := f.incoming(partnerQueue, "C-2", "rec-book", core.ILLLoan)
	y = f.apply(y, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
	y = f.apply(y, core.ILLEventInput{Service: illstate.Cancel, Dir: illstate.Incoming, Origin: core.OriginAPDU})
	if ev := last(y); y.State != illstate.Shipped || ev.Qualifier != illstate.QNo || !ev.Crossing {
		t.Fatalf("cancel after shipping: state %s last %+v", y.State, ev)
	}
	f.verify()
}

// TestILLTimers: Overdue and Expired are sent by the job runner, once
// however often it runs.
func TestILLTimers(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	lent := f.incoming(partnerQueue, "T-1", "rec-audio", core.ILLLoan)
	lent = f.apply(lent, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
	queued, err := f.svc.ILLIncoming(f.ctx, core.ILLIncomingRequest{TID: tid(partnerQueue, "T-2"), Item: core.ILLItem{RecordIDs: []string{"rec-busy"}},
		Expiry: f.clock.Now().AddDate(0, 0, 3)})
	if err != nil || last(queued).Qualifier != illstate.QHoldPlaced {
		t.Fatalf("queued: %v %+v", err, queued)
	}
	f.clock.Advance(6 * 24 * time.Hour) // the audio copy was due after 5 days
	for run := 0; run < 2; run++ {
		rep, err := f.svc.RunJobs(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := core.ILLJobReport{Overdue: 1, Expired: 1}
		if run == 1 {
			want = core.ILLJobReport{}
		}
		if rep.ILL != want {
			t.Errorf("run %d: %+v, want %+v", run, rep.ILL, want)
		}
	}
	lent, _ = f.svc.ILLGet(f.ctx, core.ILLRef{ID: lent.ID})
	if ev := last(lent); lent.State != illstate.Overdue || ev.Origin != core.OriginTimer || !ev.Date.Equal(lent.Due) {
		t.Errorf("overdue: %s %+v", lent.State, ev)
	}
	queued, _ = f.svc.ILLGet(f.ctx, core.ILLRef{ID: queued.ID})
	if ev := last(queued); queued.State != illstate.NotSupplied || ev.Service != illstate.Expired || ev.Origin != core.OriginTimer {
		t.Errorf("expired: %s %+v", queued.State, ev)
	}
	sum, _ := f.svc.Patron(f.ctx, core.InstitutionCard(partnerQueue))
	if len(sum.Holds) != 0 {
		t.Errorf("the expired request's hold is still there: %+v", sum.Holds)
	}
	pend, _ := f.svc.ILLPending(f.ctx, 0)
	n := 0
	for _, o := range pend {
		if o.Event.Origin == core.OriginTimer {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d timer messages queued, want 2", n)
	}
	f.verify()
}
