package core_test

import (
	"errors"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestLookupUser answers whether a patron may use interlibrary loan.
func TestLookupUser(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	for _, tc := range []struct {
		patron string
		want   core.Reason
	}{
		{demo.PatronGood, policy.OK},
		{demo.PatronDebtor, policy.PatronFeesOverLimit},
		{demo.PatronRemoteOnly, policy.PatronRemoteOnly},
		{demo.PatronBlocked, policy.PatronBlockedManual},
	} {
		p, why, err := f.svc.LookupUser(f.ctx, tc.patron)
		if err != nil || why != tc.want || p.ID != tc.patron || p.PINHash != "" {
			t.Errorf("%s: %q %v (PIN hash shown: %v), want %q", tc.patron, why, err, p.PINHash != "", tc.want)
		}
	}
	if _, _, err := f.svc.LookupUser(f.ctx, "P9999"); !errors.Is(err, core.ErrPatronNotFound) {
		t.Errorf("unknown patron: %v", err)
	}
}

// TestAcceptAndDeleteItem: the two operations an external ILL engine
// calls around a received item; deleting twice is fine, deleting a copy
// on loan is not.
func TestAcceptAndDeleteItem(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	it, h, err := f.svc.AcceptItem(f.ctx, core.AcceptItemRequest{ItemID: "EXT-1", Title: "Krst pri Savici", Library: demo.Subate,
		Owner: "SI-NUK", PatronID: demo.PatronGood, ReadingRoomOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !it.ILL || it.Status != core.ItemOnHold || h.Status != core.HoldReady || h.PickupLibrary != demo.Subate {
		t.Fatalf("accepted %+v hold %+v", it, h)
	}
	if _, _, err := f.svc.AcceptItem(f.ctx, core.AcceptItemRequest{ItemID: "B1", Library: lib, PatronID: demo.PatronGood}); core.ReasonOf(err) != core.ReasonBadRequest {
		t.Errorf("accepting over an existing barcode: %v", err)
	}
	notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
	if len(notices) != 1 || notices[0].Kind != core.NoticeHoldReady {
		t.Errorf("notices %+v", notices)
	}
	for range 2 {
		if err := f.svc.DeleteItem(f.ctx, "EXT-1"); err != nil {
			t.Fatal(err)
		}
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
	if len(sum.Holds) != 0 {
		t.Errorf("holds after delete: %+v", sum.Holds)
	}
	if err := f.svc.DeleteItem(f.ctx, "Q1"); core.ReasonOf(err) != core.ReasonBadRequest {
		t.Errorf("deleting a copy on loan: %v", err)
	}
	f.verify()
}

// TestNotifyOnce: a notice with the same id is written once.
func TestNotifyOnce(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	for i, want := range []bool{true, false} {
		added, err := f.svc.Notify(f.ctx, core.Notice{ID: "ill_update/T1", Kind: core.NoticeILLArrived, PatronID: demo.PatronChild, Title: "x"})
		if err != nil || added != want {
			t.Fatalf("notify %d: %v %v", i, added, err)
		}
	}
	notices, _ := f.svc.Notices(f.ctx, demo.PatronChild)
	if len(notices) != 1 || notices[0].To.Email != "guardian.p0004@patron.example.org" {
		t.Errorf("notices %+v, want one, to the guardian", notices)
	}
}
