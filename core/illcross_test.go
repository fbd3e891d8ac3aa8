package core_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestILLBrokerCancelCrossing: the member's Cancel and the supplier's
// answer cross between the legs. A responder ships only from IN-PROCESS
// (ISO 10161), so a Shipped that arrives while the member's Cancel is
// pending goes on as Cancel-Reply no and then Shipped, with the
// supplier's due date; the supplier's own Cancel-Reply no, when it comes,
// is recorded on the second leg and not sent to the member a second time.
func TestILLBrokerCancelCrossing(t *testing.T) {
	due := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		onFirst bool // received on the first leg (from the member), else the second (from the supplier)
		in      core.ILLEventInput
	}
	cancel := step{true, core.ILLEventInput{Service: illstate.Cancel}}
	shipped := step{false, core.ILLEventInput{Service: illstate.ShippedService, Date: due}}
	replyNo := step{false, core.ILLEventInput{Service: illstate.CancelReply, Qualifier: illstate.QNo}}
	replyYes := step{false, core.ILLEventInput{Service: illstate.CancelReply, Qualifier: illstate.QYes}}
	unfilled := step{false, core.ILLEventInput{Service: illstate.ILLAnswer, Qualifier: illstate.QUnfilled, Reason: "not-owned"}}
	for _, tc := range []struct {
		name       string
		steps      []step
		wantFirst  illstate.State
		wantSecond illstate.State
		wantOutbox []string // in order, after the onward request was sent
		wantLegs   int
		wantDue    bool
		notRelayed string // the service left on the second leg, unrelayed
	}{
		{"shipped crosses the cancel", []step{cancel, shipped, replyNo}, illstate.Shipped, illstate.Shipped,
			[]string{brokerFirst + " Cancel", brokerMember + " Cancel-Reply:no", brokerMember + " Shipped"}, 1, true, "Cancel-Reply"},
		{"refused, then shipped", []step{cancel, replyNo, shipped}, illstate.Shipped, illstate.Shipped,
			[]string{brokerFirst + " Cancel", brokerMember + " Cancel-Reply:no", brokerMember + " Shipped"}, 1, true, ""},
		{"cancelled", []step{cancel, replyYes}, illstate.Cancelled, illstate.Cancelled,
			[]string{brokerFirst + " Cancel", brokerMember + " Cancel-Reply:yes"}, 1, false, ""},
		{"the member's cancel crosses the relayed shipped", []step{shipped, cancel}, illstate.Shipped, illstate.Shipped,
			[]string{brokerMember + " Shipped", brokerMember + " Cancel-Reply:no"}, 1, true, ""},
		{"unfilled crosses the cancel: not sent on", []step{cancel, unfilled}, illstate.Cancelled, illstate.NotSupplied,
			[]string{brokerFirst + " Cancel", brokerMember + " Cancel-Reply:yes"}, 1, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newBrokerFixture(t, memstore.New())
			first, second := f.request("x1")
			f.sendAll()
			for i, s := range tc.steps {
				x := second
				if s.onFirst {
					x = first
				}
				if _, err := f.receive(x, s.in); err != nil {
					t.Fatalf("step %d %s: %v", i+1, s.in.Service, err)
				}
			}
			first, second = f.get(first.ID), f.get(second.ID)
			if first.State != tc.wantFirst || second.State != tc.wantSecond {
				t.Fatalf("legs %s / %s, want %s / %s\n%s\n%s", first.State, second.State, tc.wantFirst, tc.wantSecond,
					history(first), history(second))
			}
			if got := f.pending(); !slices.Equal(got, tc.wantOutbox) {
				t.Errorf("outbox %q, want %q\n%s", got, tc.wantOutbox, history(first))
			}
			if len(first.Legs) != tc.wantLegs {
				t.Errorf("%d second legs, want %d", len(first.Legs), tc.wantLegs)
			}
			if tc.wantDue {
				var shipped *core.ILLEvent
				for i := range first.Events {
					if e := &first.Events[i]; e.Service == illstate.ShippedService {
						shipped = e
					}
				}
				if shipped == nil || !shipped.Date.Equal(due) || !first.Due.Equal(due) {
					t.Errorf("the member's Shipped %+v, due %s, want %s", shipped, first.Due, due)
				}
			}
			if tc.notRelayed != "" {
				e := last(second)
				if e.Service.String() != tc.notRelayed || !strings.HasPrefix(e.Relay, "not relayed") {
					t.Errorf("second leg's last event %s relay %q, want %s not relayed", e.Service, e.Relay, tc.notRelayed)
				}
			}
			f.verify()
		})
	}
}

func history(x core.ILLTransaction) string {
	var b strings.Builder
	b.WriteString(x.ID + ":")
	for _, e := range x.Events {
		b.WriteString(" " + string(e.Dir) + e.Service.String())
		if e.Qualifier != "" {
			b.WriteString(":" + e.Qualifier)
		}
		b.WriteString("→" + e.To.String())
	}
	return b.String()
}

// TestILLRotaPassedOver: a partner that does not answer in ExpiryDays is
// passed over by the timer with a Cancel, and the next partner is asked.
// The passed-over leg waits in CANCEL-PENDING for its partner: a
// Cancel-Reply yes closes it; a Cancel-Reply no with a Shipped (either
// way round) is recorded on that leg, never refused or dropped, and the
// desk lists the request to return the item, which arrived anyway. The
// current leg and the patron are untouched: no temporary copy, no fee.
func TestILLRotaPassedOver(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	type step struct {
		in      core.ILLEventInput
		wantErr core.Reason
	}
	in := func(svc illstate.Service, q string) step {
		return step{in: core.ILLEventInput{Service: svc, Dir: illstate.Incoming, Qualifier: q, Origin: core.OriginAPDU}}
	}
	staff := func(svc illstate.Service) step {
		return step{in: core.ILLEventInput{Service: svc, Dir: illstate.Outgoing, Origin: core.OriginStaff}}
	}
	shippedAt := in(illstate.ShippedService, "")
	shippedAt.in.ServiceTime, shippedAt.in.Repeatable = at, true
	again := shippedAt
	again.wantErr = core.ReasonILLDuplicateAPDU
	for _, tc := range []struct {
		name       string
		service    core.ILLServiceType
		steps      []step
		wantState  illstate.State
		wantReturn bool
		wantOut    []string // the outbox after the Cancel and the next request went
	}{
		{"cancelled", core.ILLLoan, []step{in(illstate.CancelReply, illstate.QYes)}, illstate.Cancelled, false, nil},
		{"refused, then shipped", core.ILLLoan, []step{in(illstate.CancelReply, illstate.QNo), in(illstate.ShippedService, "")},
			illstate.Shipped, true, nil},
		{"shipped crossing the cancel", core.ILLLoan, []step{shippedAt, again, in(illstate.CancelReply, illstate.QNo)},
			illstate.Shipped, true, nil},
		{"a copy arrives anyway: nothing to send back", core.ILLCopy, []step{in(illstate.ShippedService, ""),
			in(illstate.CancelReply, illstate.QNo)}, illstate.Shipped, false, nil},
		{"sent back", core.ILLLoan, []step{in(illstate.ShippedService, ""), in(illstate.CancelReply, illstate.QNo),
			staff(illstate.ReceivedService), staff(illstate.ReturnedService)}, illstate.Returned, false,
			[]string{rota[0] + " Received", rota[0] + " Returned"}},
		{"still refused after it closed", core.ILLLoan, []step{in(illstate.CancelReply, illstate.QYes),
			{in: in(illstate.ShippedService, "").in, wantErr: core.ReasonILLTransitionProhibited}}, illstate.Cancelled, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newRotaFixture(t, memstore.New())
			desk := f.illStaff("liga", lib, core.RoleILL)
			x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: rota, Service: tc.service,
				Item: core.ILLItem{Title: "Kalevipoeg"}})
			if err != nil {
				t.Fatal(err)
			}
			first := x.TID
			outbox := func() []string {
				t.Helper()
				pend, err := f.svc.ILLPending(f.ctx, 0)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, m := range pend {
					if m.Event.Service == illstate.Cancel || m.Event.Service == illstate.ReceivedService || m.Event.Service == illstate.ReturnedService {
						if m.Transaction.TID != first {
							t.Errorf("%s to %s with tuple %+v, want the first leg's", m.Event.Service, m.Transaction.Partner, m.Transaction.TID)
						}
					}
					out = append(out, m.Transaction.Partner+" "+m.Event.Service.String())
					if err := f.svc.ILLSent(f.ctx, m.Key); err != nil {
						t.Fatal(err)
					}
				}
				return out
			}
			outbox()
			f.clock.Advance(15 * 24 * time.Hour)
			if rep, err := f.svc.RunILLJobs(f.ctx); err != nil || rep.RotaMoved != 1 {
				t.Fatalf("ILL jobs %+v %v", rep, err)
			}
			if got, want := outbox(), []string{rota[0] + " Cancel", rota[1] + " ILL-Request"}; !slices.Equal(got, want) {
				t.Fatalf("outbox %q, want %q", got, want)
			}
			for i, s := range tc.steps {
				_, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &first, Role: illstate.Requester}, s.in)
				if core.ReasonOf(err) != s.wantErr {
					t.Fatalf("step %d %s%s: %v, want %q", i+1, s.in.Dir, s.in.Service, err, s.wantErr)
				}
			}
			x, err = f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
			if err != nil {
				t.Fatal(err)
			}
			a := x.Attempts[0]
			if a.State != tc.wantState || a.ReturnItem != tc.wantReturn {
				t.Errorf("passed-over leg %s return %v, want %s %v: %+v", a.State, a.ReturnItem, tc.wantState, tc.wantReturn, a)
			}
			if x.Partner != rota[1] || x.State != illstate.Pending || x.TempItemID != "" || x.FeeID != "" {
				t.Errorf("current leg %s %s temp %q fee %q", x.Partner, x.State, x.TempItemID, x.FeeID)
			}
			view, err := f.svc.ILLGet(f.ctx, core.ILLRef{TID: &first, Role: illstate.Requester})
			if err != nil || view.State != tc.wantState || view.Partner != rota[0] {
				t.Errorf("the first partner's view: %s %s %v", view.State, view.Partner, err)
			}
			if got := outbox(); !slices.Equal(got, tc.wantOut) {
				t.Errorf("outbox %q, want %q", got, tc.wantOut)
			}
			if toReturn := slices.Contains(f.queue(desk, core.ILLToReturn), x.ID); toReturn != tc.wantReturn {
				t.Errorf("in the desk's to_return queue: %v, want %v", toReturn, tc.wantReturn)
			}
			// The current partner is still asked and answered as usual.
			cur := x.TID
			if _, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &cur, Role: illstate.Requester},
				core.ILLEventInput{Service: illstate.ILLAnswer, Dir: illstate.Incoming, Qualifier: illstate.QWillSupply, Origin: core.OriginAPDU}); err != nil {
				t.Fatalf("the current partner's answer: %v", err)
			}
			if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
				t.Fatalf("invariants: %v %q", err, problems)
			}
		})
	}
}

// TestILLRotaSendBack: the desk offers send-back on a request whose
// passed-over partner shipped anyway; it records Received and Returned on
// that partner's leg and sends both to it, and the request leaves the
// to_return queue. Without such an item, send-back is refused.
func TestILLRotaSendBack(t *testing.T) {
	f := newRotaFixture(t, memstore.New())
	desk := f.illStaff("liga", lib, core.RoleILL)
	x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: rota, Item: core.ILLItem{Title: "Kalevipoeg"}})
	if err != nil {
		t.Fatal(err)
	}
	first := x.TID
	send := func() []string {
		t.Helper()
		pend, err := f.svc.ILLPending(f.ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range pend {
			out = append(out, m.Transaction.Partner+" "+m.Event.Service.String())
			if err := f.svc.ILLSent(f.ctx, m.Key); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	send()
	if _, err := f.svc.StaffILLAction(f.ctx, desk, x.ID, "send-back", core.ILLDeskAction{}); core.ReasonOf(err) != core.ReasonILLTransitionProhibited {
		t.Fatalf("send-back with nothing to send back: %v", err)
	}
	f.clock.Advance(15 * 24 * time.Hour)
	if _, err := f.svc.RunILLJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	send()
	if _, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &first, Role: illstate.Requester},
		core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Incoming, Origin: core.OriginAPDU}); err != nil {
		t.Fatal(err)
	}
	entry, err := f.svc.StaffILLTransaction(f.ctx, desk, x.ID)
	if err != nil || !slices.Contains(entry.Actions, "send-back") || !entry.In(core.ILLToReturn) {
		t.Fatalf("desk entry: actions %q queues %q %v", entry.Actions, entry.Queues, err)
	}
	x, err = f.svc.StaffILLAction(f.ctx, desk, x.ID, "send-back", core.ILLDeskAction{Note: "by post"})
	if err != nil {
		t.Fatal(err)
	}
	if a := x.Attempts[0]; a.State != illstate.Returned || a.ReturnItem {
		t.Errorf("passed-over leg after send-back: %+v", a)
	}
	if got, want := send(), []string{rota[0] + " Received", rota[0] + " Returned"}; !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q", got, want)
	}
	entry, err = f.svc.StaffILLTransaction(f.ctx, desk, x.ID)
	if err != nil || slices.Contains(entry.Actions, "send-back") || entry.In(core.ILLToReturn) || entry.Transaction.State != illstate.Pending {
		t.Errorf("desk entry after: %s actions %q queues %q %v", entry.Transaction.State, entry.Actions, entry.Queues, err)
	}
	if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
		t.Fatalf("invariants: %v %q", err, problems)
	}
}
