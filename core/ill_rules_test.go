package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// received runs a request of our patron through to arrival; the supplier
// gives due date due.
func (f *illFixture) received(patron string, due time.Time) core.ILLTransaction {
	f.t.Helper()
	x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: patron, Partner: partnerQueue, Item: core.ILLItem{Title: "Kalevipoeg"}})
	if err != nil {
		f.t.Fatal(err)
	}
	x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Incoming, Origin: core.OriginAPDU, Date: due})
	return f.apply(x, core.ILLEventInput{Service: illstate.ReceivedService, Dir: illstate.Outgoing})
}

// TestILLPolicyR20R21: an item received by ILL is for the reading room
// (R20, seed 002 §41) unless the consortium lets it go home; then the home
// loan ends before the supplier's due date (R21, seed 001: the supplier's
// loan rules apply) by the days the return post takes.
func TestILLPolicyR20R21(t *testing.T) {
	supplierDue := time.Date(2026, 11, 25, 23, 59, 59, 0, demo.Riga()) // 21 days after shipping (seed 001)
	tests := []struct {
		name     string
		homeLoan bool
		transit  int
		want     policy.Reason
		due      string
	}{
		{name: "R20 reading room only by default (002 §41)", want: policy.ItemILLReadingRoom},
		{name: "R21 home loan ends 3 days before the supplier's due date", homeLoan: true, due: "2026-11-22"},
		{name: "R21 with 7 days of return post", homeLoan: true, transit: 7, due: "2026-11-18"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newILLFixture(t, memstore.New())
			c := illConsortium()
			c.ILL.ReceivedForHomeLoan, c.ILL.ReturnTransitDays = tc.homeLoan, tc.transit
			svc, err := core.NewService(f.st, c, core.Options{Clock: f.clock, KDF: cheapKDF})
			if err != nil {
				t.Fatal(err)
			}
			f.svc = svc
			x := f.received(demo.PatronGood, supplierDue)
			is, _ := f.svc.Item(f.ctx, x.TempItemID)
			if is.Item.ReadingRoomOnly == tc.homeLoan || !is.Item.ILL {
				t.Errorf("temporary copy reading-room-only %v ILL %v", is.Item.ReadingRoomOnly, is.Item.ILL)
			}
			loan, err := f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: demo.Central, PatronID: demo.PatronGood, ItemID: x.TempItemID})
			if core.ReasonOf(err) != tc.want {
				t.Fatalf("checkout: %v, want %q", err, tc.want)
			}
			if tc.due != "" && ymd(loan.Due) != tc.due {
				t.Errorf("due %s, want %s (supplier's %s)", ymd(loan.Due), tc.due, ymd(supplierDue))
			}
			f.verify()
		})
	}
}

// TestILLPolicyR22: the supplier's price is charged at arrival and stays
// owed when the patron never collects (seed 003); Shipped's cost wins over
// the price list (seed 001: the supplier's price list).
func TestILLPolicyR22(t *testing.T) {
	tests := []struct {
		name string
		cost core.Money
		want core.Money
	}{
		{"R22 price list of the partner (001)", 0, 350},
		{"R22 cost on the Shipped", 275, 275},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newILLFixture(t, memstore.New())
			x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: partnerQueue, Item: core.ILLItem{Title: "t"}})
			if err != nil {
				t.Fatal(err)
			}
			x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Incoming, Amount: tc.cost})
			if x = f.apply(x, core.ILLEventInput{Service: illstate.ReceivedService, Dir: illstate.Outgoing}); x.Cost != tc.want {
				t.Errorf("transaction cost %v, want %v", x.Cost, tc.want)
			}
			f.clock.Advance(30 * 24 * time.Hour)
			if _, err := f.svc.RunJobs(f.ctx); err != nil {
				t.Fatal(err)
			}
			sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
			if sum.Patron.Owed != tc.want || len(sum.Fees) != 1 || sum.Fees[0].Kind != core.FeeILL {
				t.Fatalf("owed %v fees %+v, want %v for the ILL", sum.Patron.Owed, sum.Fees, tc.want)
			}
		})
	}
}

// TestILLRequesterEvents: what each service from the supplier does on our
// side (ill.md §5, requester table).
func TestILLRequesterEvents(t *testing.T) {
	due := time.Date(2026, 11, 25, 23, 59, 59, 0, demo.Riga())
	later := due.AddDate(0, 0, 14)
	tests := []struct {
		name   string
		events []core.ILLEventInput
		state  illstate.State
		due    time.Time
		owed   core.Money
		temp   bool // the temporary copy still exists
	}{
		{"renewed: the supplier's new due date", []core.ILLEventInput{
			{Service: illstate.Renew, Dir: illstate.Outgoing},
			{Service: illstate.RenewAnswer, Dir: illstate.Incoming, Qualifier: illstate.QYes, Date: later}}, illstate.Received, later, 350, true},
		{"renewal refused keeps the date", []core.ILLEventInput{
			{Service: illstate.Renew, Dir: illstate.Outgoing},
			{Service: illstate.RenewAnswer, Dir: illstate.Incoming, Qualifier: illstate.QNo, Date: due}}, illstate.Received, due, 350, true},
		{"recall and overdue are recorded", []core.ILLEventInput{
			{Service: illstate.RecallService, Dir: illstate.Incoming, Note: "needed back"},
			{Service: illstate.OverdueService, Dir: illstate.Incoming}}, illstate.Overdue, due, 350, true},
		{"lost: the patron pays the supplier's value (001)", []core.ILLEventInput{
			{Service: illstate.LostService, Dir: illstate.Outgoing, Amount: 2400}}, illstate.Lost, due, 2750, false},
		{"messages change nothing", []core.ILLEventInput{
			{Service: illstate.Message, Dir: illstate.Incoming, Note: "hello"},
			{Service: illstate.StatusQuery, Dir: illstate.Incoming},
			{Service: illstate.Damaged, Dir: illstate.Incoming}}, illstate.Received, due, 350, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newILLFixture(t, memstore.New())
			x := f.received(demo.PatronGood, due)
			for _, e := range tc.events {
				e.Origin = core.OriginAPDU
				x = f.apply(x, e)
			}
			if e := tc.events[len(tc.events)-1]; e.Service == illstate.StatusQuery || e.Service == illstate.Damaged {
				if n := len(x.Events); x.Events[n-2].Service != illstate.StatusOrErrorReport || !x.Events[n-2].Send {
					t.Errorf("Status-Query not answered: %+v", x.Events[n-2])
				}
			}
			if x.State != tc.state || !x.Due.Equal(tc.due) {
				t.Errorf("state %s due %v, want %s %v", x.State, x.Due, tc.state, tc.due)
			}
			sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
			if sum.Patron.Owed != tc.owed {
				t.Errorf("owed %v, want %v", sum.Patron.Owed, tc.owed)
			}
			_, err := f.svc.Item(f.ctx, x.TempItemID)
			if (err == nil) != tc.temp {
				t.Errorf("temporary copy: %v, want exists=%v", err, tc.temp)
			}
			f.verify()
		})
	}
}

// TestILLResponderLost: our copy lost at the partner is written off as
// lost and its value charged to the partner's institutional patron.
func TestILLResponderLost(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	x := f.incoming(partnerQueue, "X-1", "rec-book", core.ILLLoan)
	x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
	x = f.apply(x, core.ILLEventInput{Service: illstate.LostService, Dir: illstate.Incoming, Origin: core.OriginAPDU})
	if x.State != illstate.Lost {
		t.Fatalf("state %s", x.State)
	}
	is, _ := f.svc.Item(f.ctx, x.CopyID)
	sum, _ := f.svc.Patron(f.ctx, core.InstitutionCard(partnerQueue))
	if is.Item.Status != core.ItemLost || sum.Patron.Owed != 1500 || sum.Patron.LoansOut != 0 {
		t.Fatalf("copy %s, partner owes %v with %d loans", is.Item.Status, sum.Patron.Owed, sum.Patron.LoansOut)
	}
	f.verify()
}

// TestILLVerifyFindsBrokenLinks: Verify notices an ILL transaction whose
// temporary copy or loan was lost behind the engine's back.
func TestILLVerifyFindsBrokenLinks(t *testing.T) {
	f := newILLFixture(t, memstore.New())
	x := f.received(demo.PatronGood, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	y := f.incoming(partnerQueue, "V-1", "rec-book", core.ILLLoan)
	y = f.apply(y, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
	f.verify()
	err := f.st.Update(f.ctx, func(tx store.Tx) error {
		if err := tx.Delete("item", x.TempItemID); err != nil {
			return err
		}
		return tx.Delete("loan", y.LoanID)
	})
	if err != nil {
		t.Fatal(err)
	}
	problems, err := f.svc.Verify(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ill int
	for _, p := range problems {
		if strings.HasPrefix(p, "ILL ") {
			ill++
		}
	}
	if ill != 2 {
		t.Errorf("problems %q, want one for each ILL transaction", problems)
	}
}

// TestILLDeskCheckin: the copy a partner borrowed comes back in the post
// and is checked in at the desk like any other: the transaction records
// the return and Checked-In goes to the partner.
func TestILLDeskCheckin(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before []core.ILLEventInput
		state  illstate.State
		sent   string
	}{
		{"returned APDU first", []core.ILLEventInput{{Service: illstate.ReturnedService, Dir: illstate.Incoming, Origin: core.OriginAPDU}}, illstate.CheckedIn, "Checked-In"},
		{"no Returned from the partner", nil, illstate.CheckedIn, "Checked-In"},
		{"after Received and a renewal", []core.ILLEventInput{{Service: illstate.ReceivedService, Dir: illstate.Incoming},
			{Service: illstate.Renew, Dir: illstate.Incoming}}, illstate.CheckedIn, "Checked-In"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newILLFixture(t, memstore.New())
			x := f.incoming(partnerQueue, "K-1", "rec-book", core.ILLLoan)
			x = f.apply(x, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
			for _, e := range tc.before {
				x = f.apply(x, e)
			}
			if _, err := f.svc.Checkin(f.ctx, core.CheckinRequest{Library: lib, ItemID: x.CopyID}); err != nil {
				t.Fatal(err)
			}
			x, _ = f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
			if len(x.Events) < 2 || x.Events[len(x.Events)-2].Service != illstate.ReturnedService && tc.before == nil {
				t.Errorf("the return was not recorded: %+v", x.Events)
			}
			if x.State != tc.state || last(x).Service.String() != tc.sent {
				t.Fatalf("state %s last %s, want %s %s", x.State, last(x).Service, tc.state, tc.sent)
			}
			f.verify()
		})
	}
}
