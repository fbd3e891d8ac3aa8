package policy

import "fmt"

// Problem is one value a rule table may not hold, named by its
// configuration key (e.g. "loan_period").
type Problem struct {
	Key string
	Msg string
}

// Check lists the values of p that make no sense: a loan or high-demand
// period that is zero or negative, a negative refund window, negative
// amounts or counts, reminder days that are not positive and increasing.
// A fine cap of -1 means "no cap"; 0 (the default) caps a loan's fine at
// the item's value.
func (p Partial) Check() []Problem {
	var out []Problem
	bad := func(key, format string, args ...any) {
		out = append(out, Problem{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	positive := func(key string, v *Period) {
		if v == nil {
			return
		}
		if v.Months < 0 || v.Days < 0 || v.IsZero() {
			bad(key, "period %+v: must be longer than zero (months and days not negative)", *v)
		}
	}
	positive("loan_period", p.LoanPeriod)
	positive("high_demand_period", p.HighDemandPeriod)
	if v := p.LostRefundWindow; v != nil && (v.Months < 0 || v.Days < 0) {
		bad("lost_refund_window", "period %+v: months and days may not be negative", *v)
	}
	for _, c := range []struct {
		key string
		v   *int
		min int
	}{
		{"max_loans", p.MaxLoans, 0}, {"max_renewals", p.MaxRenewals, 0}, {"max_holds", p.MaxHolds, 0},
		{"hold_pickup_days", p.HoldPickupDays, 1}, {"minor_age", p.MinorAge, 0}, {"inactive_years", p.InactiveYears, 1},
		{"anonymise_after_days", p.AnonymiseAfterDays, 0},
	} {
		if c.v != nil && *c.v < c.min {
			bad(c.key, "%d: must be at least %d", *c.v, c.min)
		}
	}
	for _, c := range []struct {
		key string
		v   *Money
	}{
		{"fine_per_day_cents", p.FinePerDay}, {"fee_limit_cents", p.FeeLimit}, {"reminder_fee_cents", p.ReminderFee},
		{"lost_processing_fee_cents", p.LostProcessingFee}, {"label_fee_cents", p.LabelFee},
	} {
		if c.v != nil && *c.v < 0 {
			bad(c.key, "%d: an amount may not be negative", *c.v)
		}
	}
	if p.FineCap != nil && *p.FineCap < -1 {
		bad("fine_cap_cents", "%d: use a positive cap, 0 for the item's value or -1 for no cap", *p.FineCap)
	}
	for i, d := range p.ReminderDays {
		if d <= 0 || (i > 0 && d <= p.ReminderDays[i-1]) {
			bad("reminder_days", "%v: days after the due date must be positive and increasing", p.ReminderDays)
			break
		}
	}
	return out
}
