package core_test

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store/boltstore"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestILLReopen: ILL transactions, their history and the messages not yet
// sent survive closing and reopening the bolt file, and the lifecycle goes
// on from where it was.
func TestILLReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ill.db")
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newILLFixture(t, st)
	x := f.incoming(partnerQueue, "R-1", "rec-book", core.ILLLoan)
	x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := core.NewService(st, illConsortium(), core.Options{Clock: f.clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.ILLGet(f.ctx, core.ILLRef{TID: &x.TID, Role: illstate.Responder})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != x.ID || got.State != illstate.Shipped || len(got.Events) != 3 || !got.Due.Equal(x.Due) || got.TID != x.TID {
		t.Fatalf("after reopen: %+v", got)
	}
	for i, e := range got.Events {
		if e.Service != x.Events[i].Service || !e.At.Equal(x.Events[i].At) || e.Origin != x.Events[i].Origin {
			t.Errorf("event %d: %+v, was %+v", i, e, x.Events[i])
		}
	}
	pend, err := svc.ILLPending(f.ctx, 0)
	if err != nil || len(pend) != 2 {
		t.Fatalf("outbox after reopen: %d %v, want the answer and Shipped", len(pend), err)
	}
	f.clock.Advance(24 * time.Hour)
	got, err = svc.ILLApply(f.ctx, core.ILLRef{TID: &x.TID}, core.ILLEventInput{Service: illstate.ReturnedService, Dir: illstate.Incoming, Origin: core.OriginAPDU})
	if err != nil || got.State != illstate.Returned {
		t.Fatalf("returned after reopen: %v %s", err, got.State)
	}
	if problems, err := svc.Verify(f.ctx); err != nil || len(problems) > 0 {
		t.Fatalf("invariants: %v %q", err, problems)
	}
}

// TestILLQueuedThenSupplied: a request that was queued (hold-placed) is
// supplied when a copy comes back: the copy is trapped for the partner at
// check-in, and shipping lends that copy.
func TestILLQueuedThenSupplied(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	x := f.incoming(partnerQueue, "W-1", "rec-busy", core.ILLLoan)
	if last(x).Qualifier != illstate.QHoldPlaced {
		t.Fatalf("answer %+v", last(x))
	}
	// Both local readers return; the first copy goes to P0011 (ahead in
	// the queue), the second to the partner.
	f.clock.Advance(24 * time.Hour)
	for _, id := range []string{"Q1", "Q2"} {
		if _, err := f.svc.Checkin(f.ctx, core.CheckinRequest{Library: lib, ItemID: id}); err != nil {
			t.Fatal(err)
		}
	}
	x = f.apply(x, core.ILLEventInput{Service: illstate.ILLAnswer, Dir: illstate.Outgoing, Qualifier: illstate.QWillSupply})
	x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
	if x.CopyID != "Q2" || x.State != illstate.Shipped {
		t.Fatalf("shipped copy %q state %s, want Q2", x.CopyID, x.State)
	}
	is, _ := f.svc.Item(f.ctx, "Q1")
	if is.Item.Status != core.ItemOnHold {
		t.Errorf("Q1 is %s, want on the hold shelf for the local reader", is.Item.Status)
	}
	f.verify()
}

// TestILLSameRequestTwiceAtOnce: the same ILL-Request arriving on two
// connections at once (a resend by a partner) makes one transaction and
// one hold; the other is refused as a duplicate (transaction-id-problem).
func TestILLSameRequestTwiceAtOnce(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			f := newILLFixture(t, open())
			var wg sync.WaitGroup
			var made, dup atomic.Int32
			for range 8 {
				wg.Go(func() {
					_, err := f.svc.ILLIncoming(f.ctx, core.ILLIncomingRequest{TID: tid(partnerQueue, "D-1"), Item: core.ILLItem{RecordIDs: []string{"rec-book"}}})
					switch core.ReasonOf(err) {
					case "":
						if err != nil {
							t.Error(err)
							return
						}
						made.Add(1)
					case core.ReasonILLDuplicateTransaction:
						dup.Add(1)
					default:
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if made.Load() != 1 || dup.Load() != 7 {
				t.Fatalf("%d made, %d duplicates; want 1 and 7", made.Load(), dup.Load())
			}
			sum, _ := f.svc.Patron(f.ctx, core.InstitutionCard(partnerQueue))
			if len(sum.Holds) != 1 {
				t.Errorf("holds %+v, want one", sum.Holds)
			}
			f.verify()
		})
	}
}
