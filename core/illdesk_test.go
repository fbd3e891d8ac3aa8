package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store/memstore"
)

// illStaff creates a staff member and signs them in.
func (f *illFixture) illStaff(id, lib string, roles ...core.Role) core.Actor {
	f.t.Helper()
	if _, err := f.svc.AddStaff(f.ctx, nil, core.NewStaff{ID: id, Library: lib, Name: "Staff " + id, Roles: roles, Password: staffPassword}); err != nil {
		f.t.Fatal(err)
	}
	_, _, st, err := f.svc.StaffSignIn(f.ctx, id, staffPassword, "192.0.2.20")
	if err != nil {
		f.t.Fatal(err)
	}
	return core.Actor{StaffID: st.ID, From: "192.0.2.20"}
}

func (f *illFixture) queue(by core.Actor, q core.ILLQueue) []string {
	f.t.Helper()
	es, err := f.svc.StaffILLQueue(f.ctx, by, q)
	if err != nil {
		f.t.Fatalf("queue %s: %v", q, err)
	}
	var ids []string
	for _, e := range es {
		ids = append(ids, e.Transaction.ID)
	}
	return ids
}

// TestILLDeskQueuesAndActions: the ILL desk sorts the transactions into
// its queues, offers the actions the state allows, refuses staff without
// ILL (and ILL staff of another library), refuses what the state does not
// allow with the engine's reason, and audits every action.
func TestILLDeskQueuesAndActions(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	ill := f.illStaff("liga", lib, core.RoleILL)
	circ := f.illStaff("ilze", lib, core.RoleCirculation)
	other := f.illStaff("anna", demo.Subate, core.RoleILL)
	root := f.illStaff("root", lib, core.RoleConsortiumAdmin)

	queued := f.incoming(partnerQueue, "Q-1", "rec-busy", core.ILLLoan) // all copies out: hold-placed
	ready := f.incoming(partnerQueue, "B-1", "rec-book", core.ILLLoan)  // B1 on the shelf: will-supply
	if last(queued).Qualifier != illstate.QHoldPlaced || last(ready).Qualifier != illstate.QWillSupply {
		t.Fatalf("answers %s, %s", last(queued).Qualifier, last(ready).Qualifier)
	}

	for name, by := range map[string]core.Actor{"circulation": circ, "another library": other} {
		if _, err := f.svc.StaffILLQueue(f.ctx, by, core.ILLInbox); core.ReasonOf(err) != core.ReasonForbidden {
			t.Errorf("%s: queue: %v, want forbidden", name, err)
		}
		if _, err := f.svc.StaffILLAction(f.ctx, by, ready.ID, "ship", core.ILLDeskAction{}); core.ReasonOf(err) != core.ReasonForbidden {
			t.Errorf("%s: ship: %v, want forbidden", name, err)
		}
		if _, err := f.svc.StaffILLRequest(f.ctx, by, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: partnerQueue,
			Item: core.ILLItem{Title: "x"}}); core.ReasonOf(err) != core.ReasonForbidden {
			t.Errorf("%s: request: %v, want forbidden", name, err)
		}
	}

	if got := f.queue(ill, core.ILLInbox); strings.Join(got, ",") != queued.ID {
		t.Errorf("inbox %v, want %s", got, queued.ID)
	}
	if got := f.queue(ill, core.ILLToShip); strings.Join(got, ",") != ready.ID {
		t.Errorf("to ship %v, want %s", got, ready.ID)
	}
	e, err := f.svc.StaffILLTransaction(f.ctx, ill, ready.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ymd(e.ShipDue) != "2026-11-25" { // 21 days, by the loan rules
		t.Errorf("due date if shipped now %s", ymd(e.ShipDue))
	}
	if e.Copy != "B1" || !strings.Contains(strings.Join(e.Actions, " "), "ship") || strings.Contains(strings.Join(e.Actions, " "), "receive") {
		t.Errorf("entry copy %q actions %v", e.Copy, e.Actions)
	}

	for _, tc := range []struct {
		name, id, action string
		in               core.ILLDeskAction
		want             core.Reason
	}{
		{"receive is the borrower's", ready.ID, "receive", core.ILLDeskAction{}, core.ReasonILLTransitionProhibited},
		{"no such action", ready.ID, "burn", core.ILLDeskAction{}, core.ReasonBadRequest},
		{"unknown transaction", "T999", "ship", core.ILLDeskAction{}, core.ReasonILLUnknownTransaction},
		{"copy trapped for another request", queued.ID, "supply", core.ILLDeskAction{ItemID: "B1"}, policy.ItemNotAvailable},
		{"copy on loan", queued.ID, "supply", core.ILLDeskAction{ItemID: "Q1"}, policy.ItemNotAvailable},
		{"unknown copy", queued.ID, "supply", core.ILLDeskAction{ItemID: "NOPE"}, core.ReasonItemNotFound},
		{"unfilled reason not in the list", queued.ID, "unfilled", core.ILLDeskAction{Reason: "bored"}, core.ReasonBadRequest},
		{"empty message", queued.ID, "message", core.ILLDeskAction{Note: " "}, core.ReasonBadRequest},
		{"ship with no copy", queued.ID, "ship", core.ILLDeskAction{}, core.ReasonBadRequest},
		{"agreed due date in the past", ready.ID, "ship", core.ILLDeskAction{Date: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)}, core.ReasonBadRequest},
	} {
		_, err := f.svc.StaffILLAction(f.ctx, ill, tc.id, tc.action, tc.in)
		if got := core.ReasonOf(err); got != tc.want {
			t.Errorf("%s: %v (reason %q), want %q", tc.name, err, got, tc.want)
		}
	}

	// A longer loan agreed with the partner: the Shipped carries it.
	x, err := f.svc.StaffILLAction(f.ctx, ill, ready.ID, "ship", core.ILLDeskAction{ItemID: e.Copy, Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || x.State != illstate.Shipped || ymd(x.Due) != "2026-12-01" || ymd(last(x).Date) != "2026-12-01" {
		t.Fatalf("ship: %v state %s due %s", err, x.State, ymd(x.Due))
	}
	x, err = f.svc.StaffILLAction(f.ctx, ill, queued.ID, "unfilled", core.ILLDeskAction{Reason: "in-use-on-loan", Note: "both copies out"})
	if err != nil || x.State != illstate.NotSupplied || last(x).Reason != "in-use-on-loan" {
		t.Fatalf("unfilled: %v state %s event %+v", err, x.State, last(x))
	}
	if got := f.queue(ill, core.ILLInbox); len(got) != 0 {
		t.Errorf("inbox after answering: %v", got)
	}

	// Our patron's request, filed at the desk.
	req, err := f.svc.StaffILLRequest(f.ctx, ill, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: partnerQueue,
		Item: core.ILLItem{Title: "Kalevipoeg", ISBN: "9789985"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.StaffILLQueue(f.ctx, ill, core.ILLOutbox)
	if err != nil || len(out) != 1 || out[0].Transaction.ID != req.ID || !out[0].ShowPatron || out[0].PatronName == "" ||
		out[0].Transaction.PatronID != demo.PatronGood {
		t.Fatalf("outbox %+v (%v), want the request with its patron", out, err)
	}
	// A copy may arrive before its Shipped does.
	if strings.Join(out[0].Actions, " ") != "cancel damaged message receive" {
		t.Errorf("actions of a pending request: %v", out[0].Actions)
	}

	// A month on, the partner has our copy past its due date.
	f.clock.Advance(31 * 24 * time.Hour)
	if got := f.queue(ill, core.ILLOverdue); strings.Join(got, ",") != ready.ID {
		t.Errorf("overdue %v, want %s", got, ready.ID)
	}
	counts, err := f.svc.StaffILLCounts(f.ctx, ill)
	if err != nil || counts[core.ILLOverdue] != 1 || counts[core.ILLOutbox] != 1 || counts[core.ILLInbox] != 0 {
		t.Errorf("counts %v (%v)", counts, err)
	}
	if got := f.queue(ill, core.ILLAll); len(got) != 3 || got[0] != req.ID {
		t.Errorf("all %v, want 3 newest first", got)
	}

	// Every action is in the audit log, by whom, on the transaction.
	entries, err := f.svc.QueryAudit(f.ctx, root, core.AuditQuery{Actor: "liga"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "ill_") {
			got = append(got, e.Action+" "+e.Object)
		}
	}
	want := "ill_ship ill/" + ready.ID + ",ill_unfilled ill/" + queued.ID + ",ill_request ill/" + req.ID
	if strings.Join(got, ",") != want {
		t.Errorf("audit %q\nwant %q", strings.Join(got, ","), want)
	}
	f.verify()
}

// TestILLDeskToReturn: a copy we borrowed is to go back once our patron
// is done with it, at once when the supplier recalls it, and when its due
// date is as near as the return post takes (3 days by default).
func TestILLDeskToReturn(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	ill := f.illStaff("liga", lib, core.RoleILL)
	received := func(title string) core.ILLTransaction {
		t.Helper()
		x, err := f.svc.StaffILLRequest(f.ctx, ill, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: partnerQueue,
			Item: core.ILLItem{Title: title}})
		if err != nil {
			t.Fatal(err)
		}
		x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Incoming, Origin: core.OriginAPDU,
			Date: f.clock.Now().AddDate(0, 0, 21)})
		if x, err = f.svc.StaffILLAction(f.ctx, ill, x.ID, "receive", core.ILLDeskAction{}); err != nil {
			t.Fatal(err)
		}
		return x
	}
	recalled, kept := received("Tõde ja õigus"), received("Kalevipoeg")
	// On the hold shelf for the patron: not yet to return.
	if got := f.queue(ill, core.ILLToReturn); len(got) != 0 {
		t.Errorf("to return while the patron has not had them: %v", got)
	}
	recalled = f.apply(recalled, core.ILLEventInput{Service: illstate.RecallService, Dir: illstate.Incoming, Origin: core.OriginAPDU})
	if got := f.queue(ill, core.ILLToReturn); strings.Join(got, ",") != recalled.ID {
		t.Errorf("to return after a recall %v, want %s", got, recalled.ID)
	}
	x, err := f.svc.StaffILLAction(f.ctx, ill, recalled.ID, "return", core.ILLDeskAction{})
	if err != nil || x.State != illstate.Returned {
		t.Fatalf("return: %v %s", err, x.State)
	}
	if got := f.queue(ill, core.ILLToReturn); len(got) != 0 {
		t.Errorf("to return after returning: %v", got)
	}
	f.clock.Set(kept.Due.AddDate(0, 0, -3))
	if got := f.queue(ill, core.ILLToReturn); strings.Join(got, ",") != kept.ID {
		t.Errorf("to return 3 days before the due date %v, want %s", got, kept.ID)
	}
	f.verify()
}

// TestILLDeskBrokeredRequest: a request we broker for a member is
// followed by its second leg, our request to the supplier (outbox); its
// first leg waits in no queue, since the engine relays the supplier's
// answer, and staff may only send a message on either leg.
func TestILLDeskBrokeredRequest(t *testing.T) {
	f := newBrokerFixture(t, memstore.New())
	f2 := &illFixture{t: t, ctx: f.ctx, svc: f.svc, clock: f.clock}
	ill := f2.illStaff("liga", lib, core.RoleILL)
	first, second := f.request("BR-1")
	if first.Leg != core.ILLLegFirst || second.Leg != core.ILLLegSecond {
		t.Fatalf("legs %q %q", first.Leg, second.Leg)
	}
	for _, q := range []core.ILLQueue{core.ILLInbox, core.ILLToShip, core.ILLToReturn, core.ILLOverdue} {
		if got := f2.queue(ill, q); len(got) != 0 {
			t.Errorf("%s: %v, want nothing", q, got)
		}
	}
	if got := f2.queue(ill, core.ILLOutbox); strings.Join(got, ",") != second.ID {
		t.Errorf("outbox %v, want the second leg %s", got, second.ID)
	}
	for _, x := range []core.ILLTransaction{first, second} {
		e, err := f.svc.StaffILLTransaction(f.ctx, ill, x.ID)
		if err != nil || strings.Join(e.Actions, " ") != "message" {
			t.Errorf("%s leg: actions %v (%v), want only a message", x.Leg, e.Actions, err)
		}
	}
	if _, err := f.svc.StaffILLAction(f.ctx, ill, second.ID, "cancel", core.ILLDeskAction{}); core.ReasonOf(err) != core.ReasonILLTransitionProhibited {
		t.Errorf("cancel on a brokered leg: %v", err)
	}
	if _, err := f.svc.StaffILLAction(f.ctx, ill, first.ID, "message", core.ILLDeskAction{Note: "it comes from Vienna"}); err != nil {
		t.Errorf("message on a brokered leg: %v", err)
	}
	f.verify()
}
