package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// The rota of the tests: three partners asked in this order.
var rota = []string{"EE:TARTU", "EE:NLIB", "LV:LNB"}

func newRotaFixture(t *testing.T, st store.Store) *illFixture {
	t.Helper()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: "LV:ILU", ExpiryDays: 14}
	for _, p := range rota {
		cons.ILL.Partners = append(cons.ILL.Partners, core.ILLPartner{Symbol: p, Name: p})
	}
	svc, err := core.NewService(st, cons, core.Options{Clock: clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	f := &illFixture{t: t, ctx: context.Background(), svc: svc, clock: clock, st: st}
	if err := svc.RegisterPatrons(f.ctx, demo.Patrons(clock.Now())[:4]); err != nil {
		t.Fatal(err)
	}
	return f
}

// answer is what a partner sends on the leg whose tuple is id.
type answer struct {
	leg int // 1-based: the leg's tuple is used (attempt leg-1)
	in  core.ILLEventInput
}

func unfilled(leg int, reason string) answer {
	return answer{leg, core.ILLEventInput{Service: illstate.ILLAnswer, Dir: illstate.Incoming, Qualifier: illstate.QUnfilled,
		Reason: reason, Origin: core.OriginAPDU}}
}

func incoming(leg int, svc illstate.Service, q string) answer {
	return answer{leg, core.ILLEventInput{Service: svc, Dir: illstate.Incoming, Qualifier: q, Origin: core.OriginAPDU}}
}

// TestILLRota: a request with a rota moves to the next partner when the
// current one does not supply, recording each leg, and ends not supplied
// (the patron told) only when the rota is exhausted. A repeated answer of
// an earlier leg never moves it twice.
func TestILLRota(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 2, h, 0, 0, 0, demo.Riga()) }
	repeatable := func(a answer, when time.Time) answer {
		a.in.ServiceTime, a.in.Repeatable = when, true
		return a
	}
	tests := []struct {
		name    string
		answers []answer
		// refused: the reason each answer is refused with ("" applied)
		refused  []core.Reason
		state    illstate.State
		partner  string
		outcomes []string // per attempt
		notified bool     // the patron got ill_not_supplied
	}{
		{name: "unfilled moves to the next", answers: []answer{unfilled(1, "not-owned")},
			state: illstate.Pending, partner: rota[1], outcomes: []string{"unfilled", ""}},
		{name: "expired moves to the next", answers: []answer{incoming(1, illstate.Expired, "")},
			state: illstate.Pending, partner: rota[1], outcomes: []string{"expired", ""}},
		{name: "retry moves to the next", answers: []answer{incoming(1, illstate.ILLAnswer, illstate.QRetry)},
			state: illstate.Pending, partner: rota[1], outcomes: []string{"retry", ""}},
		{name: "the second supplies", answers: []answer{unfilled(1, "non-circulating"), incoming(2, illstate.ILLAnswer, illstate.QWillSupply),
			incoming(2, illstate.ShippedService, "")},
			state: illstate.Shipped, partner: rota[1], outcomes: []string{"unfilled", "shipped"}},
		{name: "exhausted: not supplied", answers: []answer{unfilled(1, "not-owned"), incoming(2, illstate.Expired, ""), unfilled(3, "policy-problem")},
			state: illstate.NotSupplied, partner: rota[2], outcomes: []string{"unfilled", "expired", "unfilled"}, notified: true},
		{name: "a cost estimate ends it", answers: []answer{incoming(1, illstate.ILLAnswer, illstate.QEstimate)},
			state: illstate.NotSupplied, partner: rota[0], outcomes: []string{"estimate"}, notified: true},
		{name: "duplicate unfilled, same service time",
			answers: []answer{repeatable(unfilled(1, "not-owned"), at(11)), repeatable(unfilled(1, "not-owned"), at(11))},
			refused: []core.Reason{"", core.ReasonILLDuplicateAPDU},
			state:   illstate.Pending, partner: rota[1], outcomes: []string{"unfilled", ""}},
		{name: "duplicate unfilled, date only", answers: []answer{unfilled(1, "not-owned"), unfilled(1, "not-owned"), unfilled(1, "not-owned")},
			refused: []core.Reason{"", core.ReasonILLDuplicateAPDU, core.ReasonILLDuplicateAPDU},
			state:   illstate.Pending, partner: rota[1], outcomes: []string{"unfilled", ""}},
		{name: "the same time from another partner is no duplicate",
			answers: []answer{repeatable(unfilled(1, "not-owned"), at(11)), repeatable(unfilled(2, "not-owned"), at(11))},
			state:   illstate.Pending, partner: rota[2], outcomes: []string{"unfilled", "unfilled", ""}},
		{name: "an earlier leg's partner ships late",
			answers: []answer{unfilled(1, "not-owned"), incoming(1, illstate.ShippedService, "")},
			refused: []core.Reason{"", core.ReasonILLTransitionProhibited},
			state:   illstate.Pending, partner: rota[1], outcomes: []string{"unfilled", ""}},
	}
	for name, open := range backends(t) {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				f := newRotaFixture(t, open())
				x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: rota,
					Item: core.ILLItem{Title: "Kalevipoeg"}})
				if err != nil {
					t.Fatal(err)
				}
				if x.Partner != rota[0] || len(x.Attempts) != 1 || x.Attempts[0].TID != x.TID {
					t.Fatalf("request: %+v", x)
				}
				first := x.TID
				for i, a := range tc.answers {
					f.clock.Advance(time.Hour)
					cur, err := f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
					if err != nil {
						t.Fatal(err)
					}
					if a.leg > len(cur.Attempts) {
						t.Fatalf("answer %d: leg %d not started: %+v", i, a.leg, cur.Attempts)
					}
					id := cur.Attempts[a.leg-1].TID
					_, err = f.svc.ILLApply(f.ctx, core.ILLRef{TID: &id, Role: illstate.Requester}, a.in)
					want := core.Reason("")
					if i < len(tc.refused) {
						want = tc.refused[i]
					}
					if core.ReasonOf(err) != want || (want == "" && err != nil) {
						t.Fatalf("answer %d %s%s:%s on leg %d: %v, want %q", i, a.in.Dir, a.in.Service, a.in.Qualifier, a.leg, err, want)
					}
				}
				x, err = f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
				if err != nil {
					t.Fatal(err)
				}
				if x.State != tc.state || x.Partner != tc.partner || len(x.Attempts) != len(tc.outcomes) {
					t.Fatalf("state %s partner %s attempts %+v; want %s, %s, %d attempts", x.State, x.Partner, x.Attempts,
						tc.state, tc.partner, len(tc.outcomes))
				}
				for i, a := range x.Attempts {
					if a.Partner != rota[i] || a.Outcome != tc.outcomes[i] {
						t.Errorf("attempt %d: %+v, want %s %q", i+1, a, rota[i], tc.outcomes[i])
					}
					want := first
					if i > 0 {
						want.Transaction += "-" + string(rune('1'+i))
					}
					if a.TID != want {
						t.Errorf("attempt %d tuple %+v, want %+v", i+1, a.TID, want)
					}
					if e := x.Events[a.Event-1]; e.Service != illstate.ILLRequest || e.Dir != illstate.Outgoing {
						t.Errorf("attempt %d names event %+v, not its ILL-Request", i+1, e)
					}
					if (i < len(x.Attempts)-1 || tc.state == illstate.NotSupplied) && a.Ended.IsZero() {
						t.Errorf("attempt %d ended without an end time", i+1)
					}
				}
				if x.Attempts[0].Reason == "" && tc.outcomes[0] == "unfilled" {
					t.Errorf("the reason of the first leg is lost: %+v", x.Attempts[0])
				}
				notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
				told := false
				for _, n := range notices {
					told = told || n.Kind == core.NoticeILLNotSupplied
				}
				if told != tc.notified {
					t.Errorf("patron told not supplied: %v, want %v (%+v)", told, tc.notified, notices)
				}
				// One ILL-Request per leg asked, each to its leg's partner with
				// its tuple and the partners already tried.
				pend, err := f.svc.ILLPending(f.ctx, 0)
				if err != nil {
					t.Fatal(err)
				}
				var asked []core.ILLOutgoing
				for _, m := range pend {
					if m.Event.Service == illstate.ILLRequest {
						asked = append(asked, m)
					}
				}
				if len(asked) != len(x.Attempts) {
					t.Fatalf("%d requests queued for %d legs", len(asked), len(x.Attempts))
				}
				for i, m := range asked {
					if m.Transaction.Partner != rota[i] || m.Transaction.TID != x.Attempts[i].TID || len(m.Transaction.AlreadyTried()) != i {
						t.Errorf("request %d goes to %s as %+v having tried %v", i+1, m.Transaction.Partner, m.Transaction.TID, m.Transaction.AlreadyTried())
					}
					if err := f.svc.ILLSent(f.ctx, m.Key); err != nil {
						t.Fatal(err)
					}
				}
				x, _ = f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
				for i, a := range x.Attempts {
					if a.Sent.IsZero() {
						t.Errorf("attempt %d: sent time not recorded", i+1)
					}
				}
				if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
					t.Fatalf("invariants: %v %q", err, problems)
				}
			})
		}
	}
}

// TestILLRotaChecked: a rota names configured partners, once each, the
// partner first.
func TestILLRotaChecked(t *testing.T) {
	tests := []struct {
		name    string
		partner string
		rota    []string
		want    core.Reason
	}{
		{"partner from the rota", "", rota, ""},
		{"partner first", rota[0], rota, ""},
		{"partner not first", rota[1], rota, core.ReasonBadRequest},
		{"twice", "", []string{rota[0], rota[1], rota[0]}, core.ReasonBadRequest},
		{"unknown", "", []string{rota[0], "XX:NONE"}, core.ReasonILLUnknownPartner},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newRotaFixture(t, memstore.New())
			_, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: tc.partner, Rota: tc.rota,
				Item: core.ILLItem{Title: "Kalevipoeg"}})
			if core.ReasonOf(err) != tc.want || (tc.want == "" && err != nil) {
				t.Fatalf("%v, want %q", err, tc.want)
			}
		})
	}
}

// TestILLRotaEarlierLegQueued: a message of a leg still in the outbox when
// the rota moved on (staff recorded the answer before it went) goes to that
// leg's partner with that leg's tuple; the next leg's request to the next.
func TestILLRotaEarlierLegQueued(t *testing.T) {
	f := newRotaFixture(t, memstore.New())
	x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: rota[:2], Item: core.ILLItem{Title: "Kalevipoeg"}})
	if err != nil {
		t.Fatal(err)
	}
	first := x.TID
	x = f.apply(x, core.ILLEventInput{Service: illstate.Message, Dir: illstate.Outgoing, Note: "is it there?"})
	x = f.apply(x, core.ILLEventInput{Service: illstate.ILLAnswer, Dir: illstate.Incoming, Qualifier: illstate.QUnfilled, Origin: core.OriginStaff,
		Note: "by phone: not owned"})
	pend, err := f.svc.ILLPending(f.ctx, 0)
	if err != nil || len(pend) != 3 {
		t.Fatalf("outbox %d %v, want request, message, request", len(pend), err)
	}
	for i, want := range []string{rota[0], rota[0], rota[1]} {
		if pend[i].Transaction.Partner != want {
			t.Errorf("message %d (%s) to %s, want %s", i+1, pend[i].Event.Service, pend[i].Transaction.Partner, want)
		}
	}
	if pend[1].Transaction.TID != first || pend[2].Transaction.TID == first {
		t.Errorf("tuples %+v %+v", pend[1].Transaction.TID, pend[2].Transaction.TID)
	}
	// The first partner's view: its leg, ended.
	got, err := f.svc.ILLGet(f.ctx, core.ILLRef{TID: &first, Role: illstate.Requester})
	if err != nil || got.Partner != rota[0] || got.State != illstate.NotSupplied || got.TID != first {
		t.Fatalf("leg 1 as its partner sees it: %s %s %+v %v", got.Partner, got.State, got.TID, err)
	}
	if x.Attempts[0].Outcome != illstate.QUnfilled || x.Attempts[0].Note != "by phone: not owned" {
		t.Errorf("leg 1: %+v", x.Attempts[0])
	}
}

// TestILLRotaSilentPartner: a partner that never answers is passed over
// by the ILL timers ExpiryDays (14) after our request reached it, and the
// next partner is asked; a request still in the outbox, a partner that
// answered (hold-placed) and the rota's last partner are waited for.
func TestILLRotaSilentPartner(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			f := newRotaFixture(t, open())
			x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: rota, Item: core.ILLItem{Title: "Kalevipoeg"}})
			if err != nil {
				t.Fatal(err)
			}
			jobs := func(want int) core.ILLTransaction {
				t.Helper()
				rep, err := f.svc.RunILLJobs(f.ctx)
				if err != nil || rep.RotaMoved != want {
					t.Fatalf("ILL jobs %+v %v, want %d moved on", rep, err, want)
				}
				x, err := f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
				if err != nil {
					t.Fatal(err)
				}
				return x
			}
			send := func() {
				t.Helper()
				pend, err := f.svc.ILLPending(f.ctx, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range pend {
					if err := f.svc.ILLSent(f.ctx, m.Key); err != nil {
						t.Fatal(err)
					}
				}
			}
			f.clock.Advance(20 * 24 * time.Hour)
			jobs(0) // never delivered: it waits in the outbox
			send()
			f.clock.Advance(13 * 24 * time.Hour)
			jobs(0)
			f.clock.Advance(2 * 24 * time.Hour)
			x = jobs(1)
			if x.State != illstate.Pending || x.Partner != rota[1] || x.Attempts[0].Outcome != "passed-over" || x.Attempts[0].Note == "" ||
				x.Attempts[0].State != illstate.CancelPending {
				t.Fatalf("after 15 days unanswered: %s %s %+v", x.State, x.Partner, x.Attempts)
			}
			if e := x.Events[x.Attempts[1].Event-2]; e.Service != illstate.Cancel || e.Dir != illstate.Outgoing || e.Origin != core.OriginTimer {
				t.Errorf("the leg ended by %+v", e)
			}
			jobs(0)
			send()
			id := x.TID
			if _, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &id, Role: illstate.Requester}, core.ILLEventInput{Service: illstate.ILLAnswer,
				Dir: illstate.Incoming, Qualifier: illstate.QHoldPlaced, Origin: core.OriginAPDU}); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(30 * 24 * time.Hour)
			jobs(0) // it answered: we wait for its queue
			if _, err := f.svc.ILLApply(f.ctx, core.ILLRef{TID: &id, Role: illstate.Requester}, core.ILLEventInput{Service: illstate.ILLAnswer,
				Dir: illstate.Incoming, Qualifier: illstate.QUnfilled, Origin: core.OriginAPDU}); err != nil {
				t.Fatal(err)
			}
			send()
			f.clock.Advance(30 * 24 * time.Hour)
			x = jobs(0) // the last partner: waited for
			if x.Partner != rota[2] || x.State != illstate.Pending || len(x.Attempts) != 3 {
				t.Fatalf("last leg: %s %s %+v", x.Partner, x.State, x.Attempts)
			}
			if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
				t.Fatalf("invariants: %v %q", err, problems)
			}
		})
	}
}
