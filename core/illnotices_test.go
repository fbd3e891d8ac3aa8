package core_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestILLDeskSeesItsNotices: the ILL librarian of the library that handles
// ILL sees the notices the desk's requests sent their patrons (a loan
// arrived: hold_ready for the temporary copy; a copy to keep arrived:
// ill_arrived; not supplied: ill_not_supplied), at whichever library the
// patron collects, may resend one and record one delivered by hand; she
// sees no other notice of her library, and opening one is refused. ILL
// staff of another member library see none; the circulation desk of the
// ILL library sees all of its library's as before.
func TestILLDeskSeesItsNotices(t *testing.T) {
	f := newRotaFixture(t, memstore.New())
	desk := f.illStaff("liga", lib, core.RoleILL)
	other := f.illStaff("sandra", demo.Subate, core.RoleILL)
	circ := f.illStaff("ilze", lib, core.RoleCirculation)
	request := func(svc core.ILLServiceType, pickup string) core.ILLTransaction {
		t.Helper()
		x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: rota[0], Service: svc, PickupLibrary: pickup,
			Item: core.ILLItem{Title: "Kalevipoeg " + string(svc) + " " + pickup}})
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	answer := func(x core.ILLTransaction, in core.ILLEventInput) {
		t.Helper()
		in.Dir, in.Origin = illstate.Incoming, core.OriginAPDU
		if _, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &x.TID, Role: illstate.Requester}, in); err != nil {
			t.Fatalf("%s %s: %v", x.ID, in.Service, err)
		}
	}
	arrive := func(x core.ILLTransaction) {
		t.Helper()
		answer(x, core.ILLEventInput{Service: illstate.ILLAnswer, Qualifier: illstate.QWillSupply})
		answer(x, core.ILLEventInput{Service: illstate.ShippedService})
		if _, err := f.svc.StaffILLAction(f.ctx, desk, x.ID, "receive", core.ILLDeskAction{}); err != nil {
			t.Fatalf("receive %s: %v", x.ID, err)
		}
	}
	arrive(request(core.ILLLoan, lib))
	arrive(request(core.ILLCopy, demo.Subate))
	answer(request(core.ILLLoan, lib), core.ILLEventInput{Service: illstate.ILLAnswer, Qualifier: illstate.QUnfilled, Reason: "not-owned"})
	for _, n := range []core.Notice{
		{ID: "reminder/1", Kind: core.NoticeReminder, PatronID: demo.PatronGood, Library: lib},
		{ID: "hold_ready/H1/I-not-ill", Kind: core.NoticeHoldReady, PatronID: demo.PatronGood, Library: lib, ItemID: "I-not-ill"},
	} {
		if _, err := f.svc.Notify(f.ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	kinds := func(by core.Actor) ([]string, error) {
		t.Helper()
		ns, err := f.svc.DeskNotices(f.ctx, by, core.NoticeQuery{})
		var out []string
		for _, n := range ns {
			out = append(out, string(n.Kind)+"@"+n.Library)
		}
		sort.Strings(out)
		return out, err
	}
	illKinds := []string{"hold_ready@" + lib, "ill_arrived@" + demo.Subate, "ill_not_supplied@" + lib}
	for _, tc := range []struct {
		name      string
		by        core.Actor
		want      []string
		forbidden bool
	}{
		{"the ILL desk", desk, illKinds, false},
		{"ILL staff of another library", other, nil, true},
		{"circulation at the ILL library", circ, []string{"hold_ready@" + lib, "hold_ready@" + lib, "ill_not_supplied@" + lib, "overdue_reminder@" + lib}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := kinds(tc.by)
			if tc.forbidden != (core.ReasonOf(err) == core.ReasonForbidden) || !tc.forbidden && err != nil {
				t.Fatalf("notices: %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("notices %q, want %q", got, tc.want)
			}
		})
	}

	ns, err := f.svc.DeskNotices(f.ctx, desk, core.NoticeQuery{Status: core.NoticeQueued})
	if err != nil || len(ns) != 3 {
		t.Fatalf("the ILL desk's queue: %d %v", len(ns), err)
	}
	for _, n := range ns {
		if n.Kind == core.NoticeILLNotSupplied {
			if _, err := f.svc.DeskNoticeDelivered(f.ctx, desk, n.ID, "phoned"); err != nil {
				t.Errorf("delivered by hand: %v", err)
			}
		}
		if n.Kind == core.NoticeILLArrived {
			if _, err := f.svc.DeskResendNotice(f.ctx, desk, n.ID); err != nil {
				t.Errorf("resend: %v", err)
			}
		}
	}
	for _, id := range []string{"reminder/1", "hold_ready/H1/I-not-ill"} {
		if _, err := f.svc.DeskNotice(f.ctx, desk, id); core.ReasonOf(err) != core.ReasonForbidden {
			t.Errorf("the ILL desk opens %s: %v", id, err)
		}
		if _, err := f.svc.DeskResendNotice(f.ctx, desk, id); core.ReasonOf(err) != core.ReasonForbidden {
			t.Errorf("the ILL desk resends %s: %v", id, err)
		}
	}
	if ns, err := f.svc.DeskNotices(f.ctx, desk, core.NoticeQuery{Library: demo.Subate}); err != nil || len(ns) != 1 || ns[0].Kind != core.NoticeILLArrived {
		t.Errorf("the ILL desk's notices at %s: %+v %v", demo.Subate, ns, err)
	}
}
