package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// cheapKDF keeps tests fast; production uses core.DefaultKDF.
var cheapKDF = core.KDFParams{Time: 1, Memory: 64, Threads: 1}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *core.Service
	clock *core.FixedClock
}

// start is Monday 2 November 2026, 10:00 in Riga.
func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(st, demo.Consortium(), core.Options{Clock: clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, svc: svc, clock: clock}
}

func newMemFixture(t *testing.T) *fixture { return newFixture(t, memstore.New()) }

// item finds a demo item matching pred at library lib.
func (f *fixture) item(lib string, pred func(core.Item) bool) core.Item {
	f.t.Helper()
	for _, it := range demo.Items() {
		if (lib == "" || it.Library == lib) && pred(it) {
			if s, err := f.svc.Item(f.ctx, it.ID); err == nil && s.Item.Status == core.ItemAvailable {
				return s.Item
			}
		}
	}
	f.t.Fatalf("no demo item at %s matches", lib)
	return core.Item{}
}

func ordinaryBook(it core.Item) bool {
	return it.Material == policy.MaterialBook && !it.HighDemand && !it.ReadingRoomOnly && !it.ILL
}

func (f *fixture) checkout(lib, patron, item string) core.Loan {
	f.t.Helper()
	l, err := f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: lib, PatronID: patron, ItemID: item})
	if err != nil {
		f.t.Fatalf("checkout %s to %s: %v", item, patron, err)
	}
	return l
}

func (f *fixture) checkin(lib, item string) core.CheckinResult {
	f.t.Helper()
	r, err := f.svc.Checkin(f.ctx, core.CheckinRequest{Library: lib, ItemID: item})
	if err != nil {
		f.t.Fatalf("checkin %s at %s: %v", item, lib, err)
	}
	return r
}

func TestCheckoutAndCheckin(t *testing.T) {
	f := newMemFixture(t)
	loan := f.checkout(demo.Central, demo.PatronGood, "I000001")
	if got := loan.Due.Format("2006-01-02"); got != "2026-12-02" {
		t.Errorf("due %s, want 2026-12-02 (a book: 1 month)", got)
	}
	sum, err := f.svc.Patron(f.ctx, demo.PatronGood)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Loans) != 1 || sum.Loans[0].Loan.ItemID != "I000001" || sum.Patron.LoansOut != 1 {
		t.Fatalf("patron loans %+v count %d", sum.Loans, sum.Patron.LoansOut)
	}
	if sum.Patron.PINHash != "" {
		t.Error("summary leaks the PIN hash")
	}
	is, _ := f.svc.Item(f.ctx, "I000001")
	if is.Item.Status != core.ItemOnLoan || !is.Due.Equal(loan.Due) {
		t.Errorf("item %+v due %v", is.Item.Status, is.Due)
	}
	f.clock.Advance(3 * 24 * time.Hour)
	res := f.checkin(demo.Central, "I000001")
	if res.Loan == nil || res.Loan.ID != loan.ID || res.Fine != 0 || res.Disposition != core.Reshelve {
		t.Fatalf("checkin %+v", res)
	}
	sum, _ = f.svc.Patron(f.ctx, demo.PatronGood)
	if len(sum.Loans) != 0 || sum.Patron.LoansOut != 0 {
		t.Errorf("loans after return: %+v", sum.Loans)
	}
}

func TestCheckoutRefusals(t *testing.T) {
	f := newMemFixture(t)
	refItem := f.item("", func(it core.Item) bool { return it.Material == policy.MaterialReference })
	roomItem := f.item("", func(it core.Item) bool { return it.ReadingRoomOnly && it.Material == policy.MaterialBook })
	illItem := f.item("", func(it core.Item) bool { return it.ILL })
	lent := f.item(demo.Central, ordinaryBook)
	f.checkout(demo.Central, "P0010", lent.ID)
	free := f.item(demo.Central, ordinaryBook).ID
	tests := []struct {
		name, patron, item string
		want               core.Reason
	}{
		{"reference work", demo.PatronGood, refItem.ID, policy.ItemReadingRoomOnly},
		{"reading-room-only item", demo.PatronGood, roomItem.ID, policy.ItemReadingRoomOnly},
		{"item received by ILL", demo.PatronGood, illItem.ID, policy.ItemILLReadingRoom},
		{"blocked patron", demo.PatronBlocked, free, policy.PatronBlockedManual},
		{"patron at the limit", demo.PatronAtLimit, free, policy.LoanLimitReached},
		{"non-resident", demo.PatronNonResident, free, policy.PatronReadingRoomOnly},
		{"remote-only", demo.PatronRemoteOnly, free, policy.PatronRemoteOnly},
		{"debtor over the fee limit", demo.PatronDebtor, free, policy.PatronFeesOverLimit},
		{"item on loan to another", demo.PatronGood, lent.ID, policy.ItemNotAvailable},
		{"unknown patron", "NOPE", free, core.ReasonPatronNotFound},
		{"unknown item", demo.PatronGood, "NOPE", core.ReasonItemNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: demo.Central, PatronID: tt.patron, ItemID: tt.item})
			if got := core.ReasonOf(err); got != tt.want {
				t.Errorf("reason %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	if _, err := f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: demo.Central, PatronID: demo.PatronBlocked, ItemID: "I000001"}); !errors.Is(err, core.ErrPatronBlocked) {
		t.Errorf("errors.Is(ErrPatronBlocked) fails for %v", err)
	}
}

func TestOverdueFineAndBlock(t *testing.T) {
	f := newMemFixture(t)
	loan := f.checkout(demo.Central, demo.PatronGood, "I000001")
	f.clock.Set(loan.Due.Add(5*24*time.Hour - 12*time.Hour)) // noon, 5 days late
	other := f.item(demo.Central, ordinaryBook)
	_, err := f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: demo.Central, PatronID: demo.PatronGood, ItemID: other.ID})
	if core.ReasonOf(err) != policy.PatronHasOverdue {
		t.Fatalf("overdue patron not blocked: %v", err)
	}
	res := f.checkin(demo.Central, "I000001")
	if res.Fine != 50 {
		t.Errorf("fine %v, want 0.50 (5 days x 0.10)", res.Fine)
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
	if sum.Owed != 50 || len(sum.Fees) != 1 || sum.Fees[0].Kind != core.FeeOverdue {
		t.Errorf("owed %v fees %+v", sum.Owed, sum.Fees)
	}
	// Unpaid fees under the limit allow loans but not renewals or holds.
	l2 := f.checkout(demo.Central, demo.PatronGood, other.ID)
	if _, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: l2.ItemID}); core.ReasonOf(err) != policy.RenewalUnpaidFees {
		t.Errorf("renewal with unpaid fees: %v", err)
	}
	if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: demo.PatronGood, RecordID: "demo-0002"}); core.ReasonOf(err) != policy.HoldDebtor {
		t.Errorf("hold by debtor: %v", err)
	}
}

func TestHoldTrappedHereAndElsewhere(t *testing.T) {
	f := newMemFixture(t)
	book := f.item(demo.Subate, ordinaryBook)
	f.checkout(demo.Subate, "P0010", book.ID)
	// Every other copy of the title goes out too, so the queue matters.
	h, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: demo.PatronGood, ItemID: book.ID, PickupLibrary: demo.Central})
	if err != nil {
		t.Fatal(err)
	}
	if h.Position != 1 || h.Hold.Status != core.HoldWaiting {
		t.Fatalf("hold %+v", h)
	}
	if _, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: "P0010", ItemID: book.ID}); core.ReasonOf(err) != policy.RenewalReserved {
		t.Errorf("renewal of a reserved title: %v", err)
	}
	// Returned at Subate: trapped, in transit to the central library.
	res := f.checkin(demo.Subate, book.ID)
	if res.Disposition != core.TransitForHold || res.Destination != demo.Central || res.HoldPatron.ID != demo.PatronGood {
		t.Fatalf("checkin at Subate %+v", res)
	}
	if _, err := f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: demo.Subate, PatronID: "P0011", ItemID: book.ID}); core.ReasonOf(err) != policy.ItemOnHoldForOther {
		t.Errorf("another patron took a trapped item: %v", err)
	}
	// Arrives at the central library: on the hold shelf, patron notified.
	res = f.checkin(demo.Central, book.ID)
	if res.Disposition != core.HoldShelf || res.Hold.Status != core.HoldReady || res.SortBin != "HOLDS" {
		t.Fatalf("checkin at pickup %+v", res)
	}
	if got := res.Hold.Expires.Format("2006-01-02"); got != "2026-11-05" {
		t.Errorf("pickup deadline %s, want 2026-11-05 (3 days)", got)
	}
	notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
	if len(notices) != 1 || notices[0].Kind != core.NoticeHoldReady {
		t.Errorf("notices %+v", notices)
	}
	loan := f.checkout(demo.Central, demo.PatronGood, book.ID)
	if loan.ItemID != book.ID {
		t.Fatal("hold patron could not borrow")
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
	if len(sum.Holds) != 0 || sum.Patron.Holds != 0 {
		t.Errorf("fulfilled hold still counted: %+v", sum.Holds)
	}
	// Returned at Subate again with no queue: goes home... it is Subate's.
	if res := f.checkin(demo.Central, book.ID); res.Disposition != core.TransitHome || res.Destination != demo.Subate {
		t.Errorf("return elsewhere %+v", res)
	}
}

func TestHoldExpiresToNextInQueue(t *testing.T) {
	f := newMemFixture(t)
	book := f.item(demo.Central, ordinaryBook)
	for _, p := range []string{"P0010", "P0011"} {
		if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: p, ItemID: book.ID, PickupLibrary: demo.Central}); err != nil {
			t.Fatal(err)
		}
	}
	res := f.checkin(demo.Central, book.ID) // pulled from the shelf for the first hold
	if res.HoldPatron.ID != "P0010" || res.Disposition != core.HoldShelf {
		t.Fatalf("queue order: %+v", res)
	}
	f.clock.Set(res.Hold.Expires.Add(time.Hour))
	for i := 0; i < 2; i++ { // the second run must change nothing
		rep, err := f.svc.RunJobs(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 - i; rep.HoldsExpired != want {
			t.Errorf("run %d expired %d holds, want %d", i, rep.HoldsExpired, want)
		}
	}
	is, _ := f.svc.Item(f.ctx, book.ID)
	if is.Item.Status != core.ItemOnHold || is.HoldPickup != demo.Central {
		t.Fatalf("item after expiry %+v", is)
	}
	sum, _ := f.svc.Patron(f.ctx, "P0011")
	if len(sum.Holds) != 1 || sum.Holds[0].Status != core.HoldReady {
		t.Errorf("next in queue %+v", sum.Holds)
	}
	sum, _ = f.svc.Patron(f.ctx, "P0010")
	if len(sum.Holds) != 0 || sum.Patron.Holds != 0 {
		t.Errorf("expired hold still counted %+v", sum.Holds)
	}
}

func TestHoldLimitAndCancel(t *testing.T) {
	f := newMemFixture(t)
	for i, rec := range []string{"demo-0001", "demo-0002", "demo-0004"} {
		if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: demo.PatronGood, RecordID: rec}); err != nil {
			t.Fatalf("hold %d: %v", i+1, err)
		}
	}
	if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: demo.PatronGood, RecordID: "demo-0010"}); core.ReasonOf(err) != policy.HoldLimit {
		t.Errorf("4th hold: %v", err)
	}
	if err := f.svc.CancelHold(f.ctx, core.CancelHoldRequest{PatronID: demo.PatronGood, RecordID: "demo-0002"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: demo.PatronGood, RecordID: "demo-0010"}); err != nil {
		t.Errorf("hold after cancel: %v", err)
	}
	if err := f.svc.CancelHold(f.ctx, core.CancelHoldRequest{PatronID: demo.PatronGood, RecordID: "demo-0002"}); core.ReasonOf(err) != core.ReasonHoldNotFound {
		t.Errorf("cancel twice: %v", err)
	}
}

func TestRenewals(t *testing.T) {
	f := newMemFixture(t)
	loan := f.checkout(demo.Central, demo.PatronGood, "I000001")
	for i := 1; i <= 2; i++ {
		f.clock.Advance(7 * 24 * time.Hour)
		r, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: "I000001"})
		if err != nil {
			t.Fatalf("renewal %d: %v", i, err)
		}
		if r.Loan.Renewals != i || !r.Loan.Due.After(loan.Due) {
			t.Errorf("renewal %d: %+v", i, r.Loan)
		}
	}
	if _, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: "I000001"}); core.ReasonOf(err) != policy.RenewalLimit {
		t.Errorf("3rd renewal: %v", err)
	}
	all, err := f.svc.RenewAll(f.ctx, demo.Central, demo.PatronAtLimit)
	if err != nil || len(all) != 5 {
		t.Fatalf("renew all: %v %d", err, len(all))
	}
	for _, r := range all {
		if r.Err != nil || r.Loan.Renewals != 1 {
			t.Errorf("renew all: %+v", r)
		}
	}
}

func TestRenewalNeedsApproval(t *testing.T) {
	f := newMemFixture(t)
	yes := true
	f.svc.Consortium().Rules.Overrides = append(f.svc.Consortium().Rules.Overrides,
		policy.Override{Library: demo.Central, Set: policy.Partial{RenewalNeedsApproval: &yes}})
	loan := f.checkout(demo.Central, demo.PatronGood, "I000001")
	f.clock.Advance(24 * time.Hour) // on the day of checkout a renewal would not move the due date
	r, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: "I000001"})
	if err != nil || !r.Requested || !r.Loan.RenewalRequested || !r.Loan.Due.Equal(loan.Due) {
		t.Fatalf("request: %+v %v", r, err)
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
	if !sum.Loans[0].Loan.RenewalRequested {
		t.Error("loan does not show renewal requested")
	}
	f.clock.Advance(24 * time.Hour)
	l, err := f.svc.DecideRenewal(f.ctx, loan.ID, true)
	if err != nil || l.Renewals != 1 || l.RenewalRequested || !l.Due.After(loan.Due) {
		t.Fatalf("approve: %+v %v", l, err)
	}
	notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
	if len(notices) != 1 || notices[0].Kind != core.NoticeRenewal {
		t.Errorf("notices %+v", notices)
	}
}

// TestEveryRejectedRenewalIsTold: a patron whose renewal request is
// rejected, asks again and is rejected again is told both times.
func TestEveryRejectedRenewalIsTold(t *testing.T) {
	f := newMemFixture(t)
	yes := true
	f.svc.Consortium().Rules.Overrides = append(f.svc.Consortium().Rules.Overrides,
		policy.Override{Library: demo.Central, Set: policy.Partial{RenewalNeedsApproval: &yes}})
	loan := f.checkout(demo.Central, demo.PatronGood, "I000001")
	for i := range 2 {
		f.clock.Advance(24 * time.Hour)
		if r, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: "I000001"}); err != nil || !r.Requested {
			t.Fatalf("request %d: %+v %v", i+1, r, err)
		}
		if _, err := f.svc.DecideRenewal(f.ctx, loan.ID, false); err != nil {
			t.Fatalf("reject %d: %v", i+1, err)
		}
	}
	notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
	if len(notices) != 2 {
		t.Fatalf("%d notices for two rejected renewals: %+v", len(notices), notices)
	}
}

func TestRemindersAreIdempotentAndGoToGuardian(t *testing.T) {
	f := newMemFixture(t)
	book := f.item(demo.Children, ordinaryBook)
	loan := f.checkout(demo.Children, demo.PatronChild, book.ID)
	f.clock.Set(loan.Due.Add(7*24*time.Hour - 12*time.Hour))
	for i := 0; i < 3; i++ {
		rep, err := f.svc.RunJobs(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The first run also reminds P0003, whose five demo loans are as late.
		if want := map[int]int{0: 6}[i]; rep.RemindersSent != want {
			t.Errorf("run %d sent %d reminders, want %d", i, rep.RemindersSent, want)
		}
	}
	notices, _ := f.svc.Notices(f.ctx, demo.PatronChild)
	if len(notices) != 1 || notices[0].Number != 1 || notices[0].To.Name != "Inga Ozoliņa" {
		t.Fatalf("notices %+v", notices)
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronChild)
	if sum.Owed != 100 {
		t.Errorf("owed %v, want one reminder fee 1.00", sum.Owed)
	}
	f.clock.Set(loan.Due.Add(21*24*time.Hour - 12*time.Hour))
	if _, err := f.svc.RunJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	notices, _ = f.svc.Notices(f.ctx, demo.PatronChild)
	if len(notices) != 3 || notices[1].Number != 2 || notices[2].Number != 3 {
		t.Errorf("days 14 and 21: notices %+v", notices)
	}
	sum, _ = f.svc.Patron(f.ctx, demo.PatronChild)
	if sum.Owed != 300 {
		t.Errorf("owed %v, want 3.00", sum.Owed)
	}
	var delivered []core.Notice
	n, err := f.svc.DeliverNotices(f.ctx, notifierFunc(func(_ context.Context, n core.Notice) error {
		if n.PatronID == demo.PatronChild {
			delivered = append(delivered, n)
		}
		return nil
	}))
	if err != nil || n != 18 || len(delivered) != 3 { // 3 reminders each for 6 loans
		t.Fatalf("delivered %d (%d to the child) %v", n, len(delivered), err)
	}
	if n, _ := f.svc.DeliverNotices(f.ctx, notifierFunc(func(context.Context, core.Notice) error { return nil })); n != 0 {
		t.Errorf("redelivered %d", n)
	}
}

type notifierFunc func(context.Context, core.Notice) error

func (f notifierFunc) Deliver(ctx context.Context, n core.Notice) error { return f(ctx, n) }

func TestPayFees(t *testing.T) {
	f := newMemFixture(t)
	if _, err := f.svc.Charge(f.ctx, demo.PatronDebtor, core.FeeLabel, 0, "I000002", "label torn off"); err != nil {
		t.Fatal(err)
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronDebtor)
	if sum.Owed != 800 || len(sum.Fees) != 2 {
		t.Fatalf("owed %v fees %d", sum.Owed, len(sum.Fees))
	}
	if _, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: demo.PatronDebtor, Amount: 900}); core.ReasonOf(err) != core.ReasonBadRequest {
		t.Errorf("overpayment: %v", err)
	}
	rec, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: demo.PatronDebtor, Amount: 700, TransactionID: "T1"})
	if err != nil {
		t.Fatal(err)
	}
	// Oldest first: the 6.00 damage fee, then 1.00 of the label fee.
	if len(rec.Applied) != 2 || rec.Applied[0].Amount != 600 || rec.Applied[1].Amount != 100 || rec.Owed != 100 {
		t.Fatalf("receipt %+v", rec)
	}
	again, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: demo.PatronDebtor, Amount: 700, TransactionID: "T1"})
	if err != nil || again.Owed != 100 {
		t.Fatalf("resent payment %+v %v", again, err)
	}
	sum, _ = f.svc.Patron(f.ctx, demo.PatronDebtor)
	if sum.Owed != 100 {
		t.Errorf("resent payment counted twice: owed %v", sum.Owed)
	}
	if _, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: demo.PatronDebtor, FeeID: sum.Fees[0].ID, Amount: 100}); err != nil {
		t.Errorf("pay a given fee: %v", err)
	}
}

func TestLostAndFound(t *testing.T) {
	f := newMemFixture(t)
	f.checkout(demo.Central, demo.PatronGood, "I000001")
	fees, err := f.svc.DeclareLost(f.ctx, "I000001")
	if err != nil || len(fees) != 2 {
		t.Fatalf("lost: %v %+v", err, fees)
	}
	it, _ := f.svc.Item(f.ctx, "I000001")
	if fees[0].Amount != it.Item.Value || fees[1].Kind != core.FeeProcessing {
		t.Errorf("lost charges %+v", fees)
	}
	total := fees[0].Amount + fees[1].Amount
	if _, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: demo.PatronGood, Amount: total}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(30 * 24 * time.Hour)
	res := f.checkin(demo.Central, "I000001")
	if res.Refund != it.Item.Value || res.Disposition != core.Reshelve {
		t.Errorf("found within 2 months: %+v", res)
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
	if sum.Owed != -it.Item.Value {
		t.Errorf("credit %v, want the value refunded (not the processing fee)", sum.Owed)
	}
}

func TestPrivacyJobs(t *testing.T) {
	f := newMemFixture(t)
	loan := f.checkout(demo.Central, "P0020", "I000001")
	f.clock.Advance(24 * time.Hour)
	f.checkin(demo.Central, "I000001")
	rep, err := f.svc.RunJobs(f.ctx)
	if err != nil || rep.LoansAnonymised != 1 {
		t.Fatalf("anonymise: %+v %v", rep, err)
	}
	l, _ := f.svc.Loan(f.ctx, loan.ID)
	if l.PatronID != "" || !l.Anonymised || l.ItemID != "I000001" {
		t.Errorf("anonymised loan %+v", l)
	}
	f.clock.Set(f.clock.Now().AddDate(5, 0, 1))
	rep, err = f.svc.RunJobs(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// P0003 has loans and P0007 owes: they stay; everyone else goes.
	if rep.PatronsDeleted != 98 {
		t.Errorf("deleted %d inactive patrons, want 98", rep.PatronsDeleted)
	}
	for _, id := range []string{demo.PatronAtLimit, demo.PatronDebtor} {
		if _, err := f.svc.Patron(f.ctx, id); err != nil {
			t.Errorf("%s with obligations was deleted: %v", id, err)
		}
	}
	if _, err := f.svc.Patron(f.ctx, "P0020"); !errors.Is(err, core.ErrPatronNotFound) {
		t.Errorf("inactive patron kept: %v", err)
	}
}

func TestVerifyPatron(t *testing.T) {
	f := newMemFixture(t)
	tests := []struct {
		name, id, pin string
		want          core.Reason
	}{
		{"right PIN", demo.PatronGood, demo.PIN, ""},
		{"right PIN again (cached)", demo.PatronGood, demo.PIN, ""},
		{"wrong PIN", demo.PatronGood, "9999", core.ReasonBadPIN},
		{"empty PIN", demo.PatronGood, "", core.ReasonBadPIN},
		{"unknown patron", "P9999", demo.PIN, core.ReasonPatronNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := core.ReasonOf(f.svc.VerifyPatron(f.ctx, tt.id, tt.pin)); got != tt.want {
				t.Errorf("reason %q, want %q", got, tt.want)
			}
		})
	}
	card, err := f.svc.ResolvePatron(f.ctx, "01019012345", true)
	if err != nil || card != demo.PatronEID {
		t.Errorf("eID lookup: %q %v", card, err)
	}
	if _, err := f.svc.ResolvePatron(f.ctx, demo.PersonalCodeEID, false); !errors.Is(err, core.ErrPatronNotFound) {
		t.Errorf("eID accepted where not allowed: %v", err)
	}
}

func TestBlockAndEnable(t *testing.T) {
	f := newMemFixture(t)
	if err := f.svc.BlockPatron(f.ctx, demo.PatronGood, "card retained by selfcheck"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: demo.Central, PatronID: demo.PatronGood, ItemID: "I000001"}); !errors.Is(err, core.ErrPatronBlocked) {
		t.Errorf("blocked patron borrowed: %v", err)
	}
	if err := f.svc.EnablePatron(f.ctx, demo.PatronGood); err != nil {
		t.Fatal(err)
	}
	f.checkout(demo.Central, demo.PatronGood, "I000001")
}

// TestJobsWalkPastOneBatch: background jobs work in bounded transactions;
// a population larger than one batch is still swept completely.
func TestJobsWalkPastOneBatch(t *testing.T) {
	f := newMemFixture(t)
	if err := demo.LoadBench(f.ctx, f.svc, 450, 0); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(f.clock.Now().AddDate(5, 0, 1))
	rep, err := f.svc.RunJobs(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.PatronsDeleted != 98+450 {
		t.Errorf("deleted %d, want %d", rep.PatronsDeleted, 98+450)
	}
	c, _ := f.svc.Counts(f.ctx)
	if c.Patrons != 2 {
		t.Errorf("%d patrons left, want 2 (those with obligations)", c.Patrons)
	}
}

func TestAuthenticate(t *testing.T) {
	f := newMemFixture(t)
	pin := func(s string) *string { return &s }
	tests := []struct {
		name, id  string
		pin       *string
		eid       bool
		want      core.Authentication
		wantError core.Reason
	}{
		{"card and right PIN", demo.PatronGood, pin(demo.PIN), false, core.Authentication{Card: demo.PatronGood, PINChecked: true, PINValid: true}, ""},
		{"card and wrong PIN", demo.PatronGood, pin("0000"), false, core.Authentication{Card: demo.PatronGood, PINChecked: true}, ""},
		{"card and empty PIN", demo.PatronGood, pin(""), false, core.Authentication{Card: demo.PatronGood, PINChecked: true}, ""},
		{"card, no PIN", demo.PatronGood, nil, false, core.Authentication{Card: demo.PatronGood}, ""},
		{"eID where allowed", demo.PersonalCodeEID, nil, true, core.Authentication{Card: demo.PatronEID, ByEID: true}, ""},
		{"eID where not allowed", demo.PersonalCodeEID, nil, false, core.Authentication{}, core.ReasonPatronNotFound},
		{"unknown", "P9999", pin(demo.PIN), true, core.Authentication{}, core.ReasonPatronNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.svc.Authenticate(f.ctx, tt.id, tt.pin, tt.eid)
			if core.ReasonOf(err) != tt.wantError || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, %q", got, err, tt.want, tt.wantError)
			}
		})
	}
}

// A notice that cannot be delivered stays queued and does not hold up the
// others.
func TestUndeliverableNoticeDoesNotBlock(t *testing.T) {
	f := newMemFixture(t)
	book := f.item(demo.Central, ordinaryBook)
	loan := f.checkout(demo.Central, "P0010", book.ID)
	f.clock.Set(loan.Due.Add(7*24*time.Hour - 12*time.Hour))
	if _, err := f.svc.RunJobs(f.ctx); err != nil {
		t.Fatal(err)
	}
	var delivered []string
	nf := notifierFunc(func(_ context.Context, n core.Notice) error {
		if n.PatronID == demo.PatronAtLimit {
			return errors.New("mailbox full")
		}
		delivered = append(delivered, n.PatronID)
		return nil
	})
	n, err := f.svc.DeliverNotices(f.ctx, nf)
	if err == nil || n != 1 || len(delivered) != 1 || delivered[0] != "P0010" {
		t.Fatalf("sent %d (%v), err %v: the failing notices held up the good one", n, delivered, err)
	}
	c, _ := f.svc.Counts(f.ctx)
	if c.QueuedNotices != 5 {
		t.Errorf("%d notices queued, want the 5 that failed", c.QueuedNotices)
	}
}

// A return stored by an offline selfcheck and sent later is fined up to
// when the item really came back.
func TestOfflineReturnDate(t *testing.T) {
	f := newMemFixture(t)
	loan := f.checkout(demo.Central, demo.PatronGood, "I000001")
	returned := loan.Due.Add(2*24*time.Hour - 12*time.Hour) // noon, 2 days late
	f.clock.Set(loan.Due.Add(10 * 24 * time.Hour))          // sent 10 days after the due date
	res, err := f.svc.Checkin(f.ctx, core.CheckinRequest{Library: demo.Central, ItemID: "I000001", ReturnedAt: returned})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fine != 20 || !res.Loan.Returned.Equal(returned) {
		t.Errorf("fine %v returned %v, want 0.20 and %v", res.Fine, res.Loan.Returned, returned)
	}
}
