package core_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// The broker tests: we are the national library (seed 003: requests from
// abroad go through it), intermediary for a member library, with two
// foreign suppliers in turn.
const (
	brokerMember = "SI:LENART"
	brokerFirst  = "AT:ONB"
	brokerNext   = "DE:SBB"
)

func brokerConsortium() *core.Consortium {
	c := demo.Consortium()
	c.ILL = core.ILLSettings{
		Symbol: "SI:NUK",
		Partners: []core.ILLPartner{
			{Symbol: brokerMember, Name: "Knjižnica Lenart", BrokerTo: []string{brokerFirst, brokerNext}},
			{Symbol: brokerFirst, Name: "Österreichische Nationalbibliothek"},
			{Symbol: brokerNext, Name: "Staatsbibliothek zu Berlin"},
		},
	}
	return c
}

type brokerFixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *core.Service
	clock *core.FixedClock
}

func newBrokerFixture(t *testing.T, st store.Store) *brokerFixture {
	t.Helper()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(st, brokerConsortium(), core.Options{Clock: clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	f := &brokerFixture{t: t, ctx: context.Background(), svc: svc, clock: clock}
	if err := svc.PutItems(f.ctx, []core.Item{{ID: "B1", RecordID: "rec-book", Title: "Tõde ja õigus", Library: lib,
		Material: policy.MaterialBook, Value: 1500}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// request is the member's request for a title we do not own.
func (f *brokerFixture) request(q string) (first, second core.ILLTransaction) {
	f.t.Helper()
	x, err := f.svc.ILLIncoming(f.ctx, core.ILLIncomingRequest{TID: tid(brokerMember, q), Service: core.ILLLoan,
		Item: core.ILLItem{Title: "Der Mann ohne Eigenschaften", Author: "Musil", ISBN: "9783498042133"}})
	if err != nil {
		f.t.Fatalf("request %s: %v", q, err)
	}
	return x, f.get(x.LinkedID)
}

func (f *brokerFixture) get(id string) core.ILLTransaction {
	f.t.Helper()
	x, err := f.svc.ILLGet(f.ctx, core.ILLRef{ID: id})
	if err != nil {
		f.t.Fatalf("get %s: %v", id, err)
	}
	return x
}

func (f *brokerFixture) receive(x core.ILLTransaction, in core.ILLEventInput) (core.ILLTransaction, error) {
	in.Dir = illstate.Incoming
	if in.Origin == "" {
		in.Origin = core.OriginAPDU
	}
	return f.svc.ILLApply(f.ctx, core.ILLRef{ID: x.ID}, in)
}

func (f *brokerFixture) verify() {
	f.t.Helper()
	if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
		f.t.Fatalf("invariants: %v %q", err, problems)
	}
}

// pending is the partners the outbox holds messages for, with the
// events, in order.
func (f *brokerFixture) pending() []string {
	f.t.Helper()
	out, err := f.svc.ILLPending(f.ctx, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var s []string
	for _, m := range out {
		ev := m.Event.Service.String()
		if m.Event.Qualifier != "" {
			ev += ":" + m.Event.Qualifier
		}
		s = append(s, m.Transaction.Partner+" "+ev)
	}
	return s
}

func (f *brokerFixture) sendAll() {
	f.t.Helper()
	out, err := f.svc.ILLPending(f.ctx, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range out {
		if err := f.svc.ILLSent(f.ctx, m.Key); err != nil {
			f.t.Fatal(err)
		}
	}
}

// TestILLBrokerRelay: a whole loan through the broker. Each row is an
// event one leg receives; the other leg sends the same service on, with
// its qualifier, date and cost, and both legs move as their own state
// tables say. Nothing of the circulation core runs at the broker.
func TestILLBrokerRelay(t *testing.T) {
	f := newBrokerFixture(t, memstore.New())
	first, second := f.request("q1")
	if first.Role != illstate.Responder || first.Leg != core.ILLLegFirst || first.State != illstate.InProcess || len(first.Events) != 1 {
		t.Fatalf("first leg %+v", first)
	}
	if second.Role != illstate.Requester || second.Leg != core.ILLLegSecond || second.Partner != brokerFirst ||
		second.LinkedID != first.ID || second.State != illstate.Pending || second.TID.InitialRequester.Symbol != "SI:NUK" ||
		second.Item.ISBN != "9783498042133" || len(second.Item.RecordIDs) != 0 {
		t.Fatalf("second leg %+v", second)
	}
	if got := f.pending(); len(got) != 1 || got[0] != brokerFirst+" ILL-Request" {
		t.Fatalf("outbox %q, want only the ILL-Request to %s", got, brokerFirst)
	}
	f.sendAll()

	due := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	renewed := time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC)
	type leg int
	const (
		onFirst leg = iota
		onSecond
	)
	steps := []struct {
		on           leg
		in           core.ILLEventInput
		wantFirst    illstate.State
		wantSecond   illstate.State
		wantPartner  string // who the relayed message goes to
		wantDue      time.Time
		wantRelayOut bool // false: stays on its leg
	}{
		{onSecond, core.ILLEventInput{Service: illstate.ILLAnswer, Qualifier: illstate.QWillSupply, Reason: "being-processed-for-supply"},
			illstate.InProcess, illstate.Pending, brokerMember, time.Time{}, true},
		{onSecond, core.ILLEventInput{Service: illstate.ShippedService, Date: due, Amount: 800, Note: "return by post",
			ReturnAddress: "Österreichische Nationalbibliothek, Josefsplatz 1, 1015 Wien"},
			illstate.Shipped, illstate.Shipped, brokerMember, due, true},
		{onFirst, core.ILLEventInput{Service: illstate.ReceivedService},
			illstate.Received, illstate.Received, brokerFirst, due, true},
		{onFirst, core.ILLEventInput{Service: illstate.StatusQuery},
			illstate.Received, illstate.Received, brokerMember, due, false},
		{onFirst, core.ILLEventInput{Service: illstate.Renew, Date: renewed},
			illstate.RenewPending, illstate.RenewPending, brokerFirst, due, true},
		{onSecond, core.ILLEventInput{Service: illstate.RenewAnswer, Qualifier: illstate.QYes, Date: renewed},
			illstate.Received, illstate.Received, brokerMember, renewed, true},
		{onSecond, core.ILLEventInput{Service: illstate.RecallService, Note: "wanted back"},
			illstate.Recall, illstate.Received, brokerMember, renewed, true},
		{onSecond, core.ILLEventInput{Service: illstate.OverdueService, Date: renewed},
			illstate.Overdue, illstate.Overdue, brokerMember, renewed, true},
		{onFirst, core.ILLEventInput{Service: illstate.Message, Note: "on its way back"},
			illstate.Overdue, illstate.Overdue, brokerFirst, renewed, true},
		{onFirst, core.ILLEventInput{Service: illstate.ReturnedService},
			illstate.Returned, illstate.Returned, brokerFirst, renewed, true},
		{onSecond, core.ILLEventInput{Service: illstate.CheckedInService},
			illstate.CheckedIn, illstate.CheckedIn, brokerMember, renewed, true},
	}
	for i, st := range steps {
		from, to := second, first
		if st.on == onFirst {
			from, to = first, second
		}
		if st.in.Service == illstate.OverdueService {
			// Past the due date: our timer sends nothing on a brokered
			// leg; the supplier's Overdue is relayed.
			f.clock.Set(renewed.AddDate(0, 0, 2))
			rep, err := f.svc.RunILLJobs(f.ctx)
			if err != nil || rep.Overdue != 0 || rep.Expired != 0 {
				t.Errorf("timers on a brokered request: %+v %v", rep, err)
			}
		}
		if _, err := f.receive(from, st.in); err != nil {
			t.Fatalf("step %d: <%s on the %s leg: %v", i, st.in.Service, from.Leg, err)
		}
		first, second = f.get(first.ID), f.get(second.ID)
		if first.State != st.wantFirst || second.State != st.wantSecond {
			t.Fatalf("step %d (<%s): first %s, second %s; want %s, %s", i, st.in.Service, first.State, second.State, st.wantFirst, st.wantSecond)
		}
		if !first.Due.Equal(st.wantDue) || !second.Due.Equal(st.wantDue) {
			t.Errorf("step %d: due %s / %s, want %s", i, first.Due, second.Due, st.wantDue)
		}
		got := f.pending()
		if !st.wantRelayOut {
			if st.in.Service == illstate.StatusQuery && (len(got) != 1 || got[0] != st.wantPartner+" Status-Or-Error-Report") {
				t.Errorf("step %d: a Status-Query is answered here: outbox %q", i, got)
			}
			f.sendAll()
			continue
		}
		to = f.get(to.ID)
		out := last(to)
		if out.Dir != illstate.Outgoing || out.Service != st.in.Service || out.Qualifier != st.in.Qualifier ||
			out.Origin != core.OriginRelay || !out.Date.Equal(st.in.Date) || out.Amount != st.in.Amount || out.Note != st.in.Note || out.ReturnAddress != st.in.ReturnAddress {
			t.Errorf("step %d: relayed as %+v, want >%s:%s with date, cost, note and return address", i, out, st.in.Service, st.in.Qualifier)
		}
		want := st.wantPartner + " " + st.in.Service.String()
		if st.in.Qualifier != "" {
			want += ":" + st.in.Qualifier
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("step %d: outbox %q, want %q", i, got, want)
		}
		if in := last(f.get(from.ID)); in.Relay != to.ID+"#"+strconv.Itoa(out.Seq) || out.Relay != from.ID+"#"+strconv.Itoa(in.Seq) {
			t.Errorf("step %d: relay links %q / %q", i, in.Relay, out.Relay)
		}
		f.sendAll()
	}
	if first.TempItemID != "" || first.LoanID != "" || second.TempItemID != "" || second.FeeID != "" || first.Cost != 800 {
		t.Errorf("the broker keeps no copy, loan or fee: %+v / %+v", first, second)
	}
	f.verify()
}

// TestILLBrokerOwnShelves: a brokered-for member's request for a title we
// can lend is answered from our shelves, as any partner's.
func TestILLBrokerOwnShelves(t *testing.T) {
	f := newBrokerFixture(t, memstore.New())
	x, err := f.svc.ILLIncoming(f.ctx, core.ILLIncomingRequest{TID: tid(brokerMember, "own"),
		Item: core.ILLItem{RecordIDs: []string{"rec-book"}, Title: "Tõde ja õigus"}})
	if err != nil {
		t.Fatal(err)
	}
	if x.Leg != "" || x.LinkedID != "" || last(x).Qualifier != illstate.QWillSupply || x.CopyID != "B1" {
		t.Fatalf("own copy: %+v", x)
	}
	if xs, _ := f.svc.ILLList(f.ctx); len(xs) != 1 {
		t.Fatalf("%d transactions, want no second leg", len(xs))
	}
}

// TestILLBrokerUnfilled: the first supplier's unfilled sends the request
// on to the next supplier, the member hearing nothing; the last one's
// unfilled reaches the member with its reason. A late message on the
// abandoned leg is kept there, not relayed.
func TestILLBrokerUnfilled(t *testing.T) {
	f := newBrokerFixture(t, memstore.New())
	first, second := f.request("q2")
	f.sendAll()
	if _, err := f.receive(second, core.ILLEventInput{Service: illstate.ILLAnswer, Qualifier: illstate.QUnfilled, Reason: "non-circulating"}); err != nil {
		t.Fatal(err)
	}
	first = f.get(first.ID)
	if first.State != illstate.InProcess || len(first.Events) != 1 || len(first.Legs) != 2 || first.LinkedID == second.ID {
		t.Fatalf("first leg after the first unfilled: %+v", first)
	}
	third := f.get(first.LinkedID)
	if third.Partner != brokerNext || third.State != illstate.Pending || third.Leg != core.ILLLegSecond {
		t.Fatalf("next leg %+v", third)
	}
	if got := f.pending(); len(got) != 1 || got[0] != brokerNext+" ILL-Request" {
		t.Fatalf("outbox %q", got)
	}
	if r := last(f.get(second.ID)).Relay; r != "onward to "+brokerNext+" as "+third.ID {
		t.Errorf("relay note %q", r)
	}
	f.sendAll()
	if _, err := f.receive(second, core.ILLEventInput{Service: illstate.Message, Note: "sorry"}); err != nil {
		t.Fatal(err)
	}
	if r := last(f.get(second.ID)).Relay; r != "not relayed: "+first.ID+" has gone on to "+third.ID {
		t.Errorf("late message: relay %q", r)
	}
	if _, err := f.receive(third, core.ILLEventInput{Service: illstate.ILLAnswer, Qualifier: illstate.QUnfilled, Reason: "not-owned"}); err != nil {
		t.Fatal(err)
	}
	first = f.get(first.ID)
	if out := last(first); first.State != illstate.NotSupplied || out.Qualifier != illstate.QUnfilled || out.Reason != "not-owned" || !out.Send {
		t.Fatalf("member not told: %s %+v", first.State, out)
	}
	if got := f.pending(); len(got) != 1 || got[0] != brokerMember+" ILL-Answer:unfilled" {
		t.Fatalf("outbox %q", got)
	}
	f.verify()
}

// TestILLBrokerCancel: the member's Cancel goes to the supplier, whose
// Cancel-Reply comes back.
func TestILLBrokerCancel(t *testing.T) {
	f := newBrokerFixture(t, memstore.New())
	first, second := f.request("q3")
	if _, err := f.receive(first, core.ILLEventInput{Service: illstate.Cancel}); err != nil {
		t.Fatal(err)
	}
	if s := f.get(second.ID); s.State != illstate.CancelPending || last(s).Service != illstate.Cancel {
		t.Fatalf("second leg %s %+v", s.State, last(s))
	}
	if _, err := f.receive(second, core.ILLEventInput{Service: illstate.CancelReply, Qualifier: illstate.QYes}); err != nil {
		t.Fatal(err)
	}
	if x := f.get(first.ID); x.State != illstate.Cancelled || last(x).Service != illstate.CancelReply || last(x).Qualifier != illstate.QYes {
		t.Fatalf("first leg %s %+v", x.State, last(x))
	}
	f.verify()
}

// TestILLBrokerRepeatedAPDU: the supplier sends its Shipped again (our
// receipt was lost): refused as a repeat, relayed once.
func TestILLBrokerRepeatedAPDU(t *testing.T) {
	f := newBrokerFixture(t, memstore.New())
	first, second := f.request("q4")
	at := time.Date(2026, 11, 2, 9, 30, 15, 0, time.UTC)
	shipped := core.ILLEventInput{Service: illstate.ShippedService, Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		ServiceTime: at, Repeatable: true}
	for i := 0; i < 2; i++ {
		_, err := f.receive(second, shipped)
		if want := i == 1; (core.ReasonOf(err) == core.ReasonILLDuplicateAPDU) != want {
			t.Fatalf("Shipped #%d: %v", i+1, err)
		}
	}
	n := 0
	for _, e := range f.get(first.ID).Events {
		if e.Service == illstate.ShippedService {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("Shipped relayed %d times", n)
	}
	if got := f.pending(); len(got) != 2 || got[1] != brokerMember+" Shipped" {
		t.Fatalf("outbox %q", got)
	}
}

// faultStore fails the next write to a bucket when armed: a crash between
// receiving on one leg and queueing on the other.
type faultStore struct {
	store.Store
	bucket string
	armed  atomic.Bool
}

var errFault = errors.New("disk gone")

func (s *faultStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(t store.Tx) error { return fn(faultTx{t, s}) })
}

type faultTx struct {
	store.Tx
	s *faultStore
}

func (t faultTx) Put(bucket, key string, v []byte) error {
	if bucket == t.s.bucket && t.s.armed.CompareAndSwap(true, false) {
		return errFault
	}
	return t.Tx.Put(bucket, key, v)
}

// TestILLBrokerAtomic: when queueing the relayed message fails, the
// received event is not recorded either; the supplier's repeat is then
// applied, and relayed, once.
func TestILLBrokerAtomic(t *testing.T) {
	st := &faultStore{Store: memstore.New(), bucket: "ill_outbox"}
	f := newBrokerFixture(t, st)
	first, second := f.request("q5")
	f.sendAll()
	in := core.ILLEventInput{Service: illstate.ILLAnswer, Qualifier: illstate.QWillSupply,
		ServiceTime: time.Date(2026, 11, 2, 9, 0, 1, 0, time.UTC), Repeatable: true}
	st.armed.Store(true)
	if _, err := f.receive(second, in); !errors.Is(err, errFault) {
		t.Fatalf("with the fault: %v", err)
	}
	if s, x := f.get(second.ID), f.get(first.ID); len(s.Events) != 1 || len(x.Events) != 1 || len(f.pending()) != 0 {
		t.Fatalf("half a relay survived: %d / %d events, outbox %q", len(s.Events), len(x.Events), f.pending())
	}
	if _, err := f.receive(second, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.receive(second, in); core.ReasonOf(err) != core.ReasonILLDuplicateAPDU {
		t.Fatalf("the repeat: %v", err)
	}
	if got := f.pending(); len(got) != 1 || got[0] != brokerMember+" ILL-Answer:will-supply" {
		t.Fatalf("outbox %q", got)
	}
	f.verify()
}
