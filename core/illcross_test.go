package core_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
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
