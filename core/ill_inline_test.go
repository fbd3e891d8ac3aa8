package core_test

import (
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestILLAnswerInline: an answer given on the connection the request came
// on is recorded as sent and never queued, so no transport sends it twice;
// without the flag it waits in the outbox.
func TestILLAnswerInline(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	pending := func() int {
		t.Helper()
		out, err := f.svc.ILLPending(f.ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(out)
	}
	x, err := f.svc.ILLIncoming(f.ctx, core.ILLIncomingRequest{TID: tid(partnerQueue, "IN-1"), Service: core.ILLLoan,
		Item: core.ILLItem{RecordIDs: []string{"rec-book"}}, AnswerInline: true})
	if err != nil {
		t.Fatal(err)
	}
	if ev := last(x); ev.Service != illstate.ILLAnswer || !ev.Send || !ev.Sent.Equal(f.clock.Now()) {
		t.Fatalf("inline answer: %+v", ev)
	}
	if n := pending(); n != 0 {
		t.Fatalf("%d queued after an inline answer", n)
	}
	x = f.apply(x, core.ILLEventInput{Service: illstate.StatusQuery, Dir: illstate.Incoming, Origin: core.OriginAPDU, AnswerInline: true})
	if ev := last(x); ev.Service != illstate.StatusOrErrorReport || ev.Sent.IsZero() {
		t.Fatalf("inline status report: %+v", ev)
	}
	if n := pending(); n != 0 {
		t.Fatalf("%d queued after an inline status report", n)
	}
	// Staff shipping is not an answer: it is queued as always.
	x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing, AnswerInline: true})
	if n := pending(); n != 1 || !last(x).Sent.IsZero() {
		t.Fatalf("shipped: %d queued, sent %v", n, last(x).Sent)
	}
	f.incoming(partnerQueue, "IN-2", "rec-book", core.ILLLoan)
	if n := pending(); n != 2 {
		t.Fatalf("%d queued, want the second request's answer too", n)
	}
	f.verify()
}
