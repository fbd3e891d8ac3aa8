package core_test

import (
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
)

const day = 24 * time.Hour

// TestMoneyCases: each money case a patron or a librarian would notice,
// one row each, on the demo consortium (0.10 EUR a day, 3.00 processing).
func TestMoneyCases(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f *fixture, it core.Item, loan core.Loan)
	}{
		{"declaring lost keeps the overdue fine accrued", func(t *testing.T, f *fixture, it core.Item, loan core.Loan) {
			f.clock.Set(loan.Due.Add(10 * day))
			fees, err := f.svc.DeclareLost(f.ctx, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[core.FeeKind]core.Money{}
			for _, fee := range fees {
				kinds[fee.Kind] += fee.Amount
			}
			if kinds[core.FeeOverdue] != 100 || kinds[core.FeeLost] != it.Value || kinds[core.FeeProcessing] != 300 {
				t.Errorf("charges %v, want overdue 1.00, value %v, processing 3.00", kinds, it.Value)
			}
			if sum, _ := f.svc.Patron(f.ctx, demo.PatronGood); sum.Owed != 100+it.Value+300 {
				t.Errorf("owed %v", sum.Owed)
			}
		}},
		{"lost item returned before paying: value cancelled, processing kept", func(t *testing.T, f *fixture, it core.Item, _ core.Loan) {
			if _, err := f.svc.DeclareLost(f.ctx, it.ID); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(3 * day)
			res := f.checkin(demo.Central, it.ID)
			if res.Cancelled != it.Value || res.Refund != 0 || res.Disposition != core.Reshelve {
				t.Errorf("checkin %+v, want the value %v cancelled and the copy reshelved", res, it.Value)
			}
			sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
			if sum.Owed != 300 {
				t.Errorf("owed %v, want only the 3.00 processing fee", sum.Owed)
			}
			if s, _ := f.svc.Item(f.ctx, it.ID); s.Item.Status != core.ItemAvailable {
				t.Errorf("item %s", s.Item.Status)
			}
		}},
		{"lost item returned after paying part of its value: the part comes back", func(t *testing.T, f *fixture, it core.Item, _ core.Loan) {
			if _, err := f.svc.DeclareLost(f.ctx, it.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: demo.PatronGood, Amount: 200}); err != nil {
				t.Fatal(err)
			}
			res := f.checkin(demo.Central, it.ID)
			if res.Cancelled != it.Value-200 || res.Refund != 200 {
				t.Errorf("checkin %+v", res)
			}
			if sum, _ := f.svc.Patron(f.ctx, demo.PatronGood); sum.Owed != 300-200 {
				t.Errorf("owed %v, want processing 3.00 less the 2.00 paid back", sum.Owed)
			}
		}},
		{"fine accrues visibly while out and counts against the fee limit", func(t *testing.T, f *fixture, it core.Item, loan core.Loan) {
			f.clock.Set(loan.Due.Add(5 * day))
			sum, err := f.svc.Patron(f.ctx, demo.PatronGood)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Accruing != 50 || len(sum.Loans) != 1 || sum.Loans[0].Accrued != 50 || sum.Owed != 0 {
				t.Errorf("accruing %v loans %+v owed %v, want 0.50 accruing", sum.Accruing, sum.Loans, sum.Owed)
			}
		}},
		{"default fine cap is the item's value", func(t *testing.T, f *fixture, it core.Item, loan core.Loan) {
			f.clock.Set(loan.Due.Add(400 * day))
			res := f.checkin(demo.Central, it.ID)
			if res.Fine != it.Value {
				t.Errorf("fine %v after 400 days, want the item's value %v", res.Fine, it.Value)
			}
		}},
		{"renewal on the day of checkout uses no renewal", func(t *testing.T, f *fixture, it core.Item, loan core.Loan) {
			_, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: it.ID})
			if core.ReasonOf(err) != policy.RenewalTooSoon {
				t.Errorf("same-day renewal: %v", err)
			}
			l, _ := f.svc.Loan(f.ctx, loan.ID)
			if l.Renewals != 0 || !l.Due.Equal(loan.Due) {
				t.Errorf("loan %+v", l)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newMemFixture(t)
			it := f.item(demo.Central, ordinaryBook)
			loan := f.checkout(demo.Central, demo.PatronGood, it.ID)
			tt.run(t, f, it, loan)
		})
	}
}

// TestLateRenewalDecision: a renewal requested in time and decided after
// the due date is re-checked at the decision and the lateness is charged;
// a hold placed meanwhile turns the approval into a rejection.
func TestLateRenewalDecision(t *testing.T) {
	tests := []struct {
		name     string
		holdBy   string
		wantErr  policy.Reason
		wantFine core.Money
	}{
		{"approved 3 days late", "", policy.OK, 30},
		{"another patron reserved it meanwhile", "P0010", policy.RenewalReserved, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newMemFixture(t)
			yes := true
			f.svc.Consortium().Rules.Overrides = append(f.svc.Consortium().Rules.Overrides,
				policy.Override{Library: demo.Central, Set: policy.Partial{RenewalNeedsApproval: &yes}})
			it := f.item(demo.Central, ordinaryBook)
			loan := f.checkout(demo.Central, demo.PatronGood, it.ID)
			f.clock.Set(loan.Due.Add(-2 * day))
			if r, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: it.ID}); err != nil || !r.Requested {
				t.Fatalf("request: %+v %v", r, err)
			}
			if tt.holdBy != "" {
				if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: tt.holdBy, ItemID: it.ID}); err != nil {
					t.Fatal(err)
				}
			}
			f.clock.Set(loan.Due.Add(3*day - time.Hour))
			l, err := f.svc.DecideRenewal(f.ctx, loan.ID, true)
			if core.ReasonOf(err) != tt.wantErr {
				t.Fatalf("decision: %v, want %q", err, tt.wantErr)
			}
			sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
			var overdue core.Money
			for _, fee := range sum.Fees {
				if fee.Kind == core.FeeOverdue {
					overdue += fee.Amount
				}
			}
			if overdue != tt.wantFine {
				t.Errorf("overdue fee %v, want %v", overdue, tt.wantFine)
			}
			if tt.wantErr == policy.OK {
				if l.Renewals != 1 || !l.Due.After(f.clock.Now()) {
					t.Errorf("renewed loan %+v", l)
				}
			} else {
				if l.Renewals != 0 || l.RenewalRequested || !l.Due.Equal(loan.Due) {
					t.Errorf("rejected loan %+v", l)
				}
				if sum.Accruing != 30 {
					t.Errorf("accruing %v: the loan stays overdue from its due date", sum.Accruing)
				}
			}
			notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
			if len(notices) != 1 || notices[0].Kind != core.NoticeRenewal {
				t.Errorf("notices %+v", notices)
			}
		})
	}
}
