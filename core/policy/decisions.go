package policy

import "time"

// PatronState is what the rules need to know about a patron.
type PatronState struct {
	Category string
	// ManuallyBlocked is set by staff or a selfcheck (SIP2 01).
	ManuallyBlocked bool
	// IdentityConfirmed is false for a remotely registered patron whose
	// identity was not yet confirmed in person: remote services only.
	IdentityConfirmed bool
	// Resident is false for a patron from outside the county: reading room
	// only.
	Resident bool
	// Expired is true when the card's validity has ended.
	Expired bool
	// LoansOut is the number of items on loan now.
	LoansOut int
	// Overdue is the number of loans past their due date now.
	Overdue int
	// Owed is the unpaid balance of fees.
	Owed Money
	// Accrued is the overdue fine accruing on loans still out, charged at
	// return: it counts against the fee limit already.
	Accrued Money
	// Holds is the number of active holds.
	Holds int
}

// ItemState is what the rules need to know about an item.
type ItemState struct {
	Material        string
	HighDemand      bool
	ReadingRoomOnly bool
	// ILL is true for an item received from another library by
	// interlibrary loan: used in the reading room only.
	ILL bool
	// Available: on the shelf or on the hold shelf for this patron.
	Available bool
	// HeldForOther: trapped for, or at the head of the queue of, someone
	// else.
	HeldForOther bool
	// OnLoanToPatron: this patron has it already.
	OnLoanToPatron bool
}

// Blocked returns why a patron may use no service at all, or OK. A patron
// with overdue items is blocked from all services until settled (002 §39);
// so is one owing more than the fee limit, or blocked by staff.
func Blocked(r Rules, p PatronState) Reason {
	switch {
	case p.ManuallyBlocked:
		return PatronBlockedManual
	case p.Expired:
		return PatronExpired
	case p.Overdue > 0:
		return PatronHasOverdue
	case p.Owed+p.Accrued > r.FeeLimit:
		return PatronFeesOverLimit
	}
	return OK
}

// Checkout decides whether the patron may borrow the item now, and until
// when. cal is the calendar of the library lending it.
func Checkout(r Rules, cal Calendar, now time.Time, p PatronState, it ItemState) (time.Time, Reason) {
	if why := Blocked(r, p); why != OK {
		return time.Time{}, why
	}
	switch {
	case !p.IdentityConfirmed:
		return time.Time{}, PatronRemoteOnly
	case !p.Resident:
		return time.Time{}, PatronReadingRoomOnly
	case it.OnLoanToPatron:
		return time.Time{}, ItemAlreadyOnLoanToYou
	case it.ILL:
		return time.Time{}, ItemILLReadingRoom
	case it.ReadingRoomOnly || r.ReadingRoomOnly:
		return time.Time{}, ItemReadingRoomOnly
	case it.HeldForOther:
		return time.Time{}, ItemOnHoldForOther
	case !it.Available:
		return time.Time{}, ItemNotAvailable
	case p.LoansOut >= r.MaxLoans:
		return time.Time{}, LoanLimitReached
	}
	return DueDate(r, cal, now, it.HighDemand), OK
}

// DueDate is the end of the last day of the loan period starting now, moved
// forward off days the library is closed.
func DueDate(r Rules, cal Calendar, now time.Time, highDemand bool) time.Time {
	p := r.LoanPeriod
	if highDemand {
		p = r.HighDemandPeriod
	}
	return cal.EndOfDay(cal.NextOpenDay(p.After(now.In(cal.loc()))))
}

// LoanState is what the rules need to know about a loan being renewed.
type LoanState struct {
	Due              time.Time
	Renewals         int
	RenewalRequested bool
}

// RenewDecision is the outcome of a renewal.
type RenewDecision struct {
	Reason Reason
	// NewDue is the new due date when Reason is OK.
	NewDue time.Time
	// NeedsApproval: the renewal becomes a request a librarian approves;
	// the loan keeps its due date meanwhile.
	NeedsApproval bool
}

// Renew decides a renewal: only before the due date, at most MaxRenewals,
// never when another patron has reserved the item, never for high-demand
// items, never with unpaid fees, never where the library disallows it. Each
// renewal is for the length of the loan period, counted from now.
func Renew(r Rules, cal Calendar, now time.Time, p PatronState, it ItemState, l LoanState, othersWaiting bool) RenewDecision {
	deny := func(why Reason) RenewDecision { return RenewDecision{Reason: why} }
	switch {
	case p.ManuallyBlocked:
		return deny(PatronBlockedManual)
	case p.Expired:
		return deny(PatronExpired)
	case now.After(l.Due):
		return deny(RenewalOverdue)
	case p.Overdue > 0:
		return deny(PatronHasOverdue)
	case p.Owed > 0:
		return deny(RenewalUnpaidFees)
	case !r.Renewable:
		return deny(RenewalNotAllowed)
	case it.HighDemand:
		return deny(RenewalHighDemand)
	case othersWaiting:
		return deny(RenewalReserved)
	case l.RenewalRequested:
		return deny(RenewalAlreadyPending)
	case l.Renewals >= r.MaxRenewals:
		return deny(RenewalLimit)
	}
	due := DueDate(r, cal, now, false)
	if !due.After(l.Due) {
		// Renewing on the day of checkout (or again the same day) gives
		// the same due date: nothing gained, no renewal used.
		return deny(RenewalTooSoon)
	}
	return RenewDecision{NewDue: due, NeedsApproval: r.RenewalNeedsApproval}
}

// DecideRenewal re-checks a renewal that was requested in time (before the
// due date) at the moment a librarian approves it: every rule of Renew
// applies again as things stand now (a hold placed meanwhile, fees, the
// renewal limit), except the due date, which the request met. The new due
// date runs from now. The days between the old due date and a late
// decision are not forgiven: Late is the fine for them.
func DecideRenewal(r Rules, cal Calendar, now time.Time, value Money, p PatronState, it ItemState, l LoanState, othersWaiting bool) (RenewDecision, Money) {
	check := l
	check.RenewalRequested = false
	if now.After(check.Due) {
		check.Due = now // met by the request; judged on the other rules
		if p.Overdue > 0 {
			p.Overdue-- // this loan is overdue only because the decision came late
		}
	}
	d := Renew(r, cal, now, p, it, check, othersWaiting)
	d.NeedsApproval = false
	if d.Reason != OK {
		return d, 0
	}
	return d, OverdueFine(r, value, l.Due, now)
}

// Hold decides whether the patron may place a hold: not a debtor (overdue
// items or any unpaid fee), under the hold limit, not twice for one title,
// not for a title they have on loan. Remote-only and reading-room-only
// patrons may place holds.
func Hold(r Rules, p PatronState, alreadyHolding, hasOnLoan bool) Reason {
	switch {
	case p.ManuallyBlocked:
		return PatronBlockedManual
	case p.Expired:
		return PatronExpired
	case p.Overdue > 0 || p.Owed > 0:
		return HoldDebtor
	case alreadyHolding:
		return HoldDuplicate
	case hasOnLoan:
		return HoldAlreadyLoaned
	case p.Holds >= r.MaxHolds:
		return HoldLimit
	}
	return OK
}

// HoldExpiry is when a hold trapped now lapses if not collected: the end of
// the last pickup day, moved off closed days of the pickup library.
func HoldExpiry(r Rules, cal Calendar, now time.Time) time.Time {
	return cal.EndOfDay(cal.NextOpenDay(now.In(cal.loc()).AddDate(0, 0, r.HoldPickupDays)))
}

// DaysOverdue counts whole days after the due date up to now (0 if not
// overdue). A loan due at the end of a day is one day overdue during the
// next day.
func DaysOverdue(due, now time.Time) int {
	if !now.After(due) {
		return 0
	}
	loc := due.Location()
	dy, dm, dd := due.Date()
	ny, nm, nd := now.In(loc).Date()
	a := time.Date(dy, dm, dd, 12, 0, 0, 0, time.UTC)
	b := time.Date(ny, nm, nd, 12, 0, 0, 0, time.UTC)
	days := int(b.Sub(a).Hours() / 24)
	if days < 1 {
		return 1
	}
	return days
}

// OverdueFine is the fine accrued on a loan of an item worth value, due at
// due and returned (or still out) at now: FinePerDay for each day overdue,
// capped by FineCap; a FineCap of zero caps it at the item's value (when
// the value is known), -1 means no cap.
func OverdueFine(r Rules, value Money, due, now time.Time) Money {
	f := Money(DaysOverdue(due, now)) * r.FinePerDay
	limit := r.FineCap
	if limit == 0 {
		limit = value
	}
	if limit > 0 && f > limit {
		f = limit
	}
	return f
}

// Reminder is one written reminder that is due.
type Reminder struct {
	// Number is 1 for the first reminder.
	Number int
	// Day is the day after the due date it belongs to.
	Day int
	Fee Money
	// ToGuardian: the patron is a minor; the reminder goes to the guardian.
	ToGuardian bool
}

// RemindersDue lists the reminders that are due by now and not yet sent
// (sent counts those already sent for this loan). With the defaults: the
// first on the 7th day after the due date, the second and third at 7-day
// intervals. Each costs ReminderFee.
func RemindersDue(r Rules, due, now time.Time, sent int, minor bool) []Reminder {
	var out []Reminder
	days := DaysOverdue(due, now)
	for i, d := range r.ReminderDays {
		if i < sent || days < d {
			continue
		}
		out = append(out, Reminder{Number: i + 1, Day: d, Fee: r.ReminderFee, ToGuardian: minor})
	}
	return out
}

// IsMinor reports whether someone born on birth is a minor at now.
func IsMinor(r Rules, birth, now time.Time) bool {
	if birth.IsZero() {
		return false
	}
	return birth.AddDate(r.MinorAge, 0, 0).After(now)
}

// LostCharge is what a patron pays for a lost item of the given value: the
// value plus the processing fee. A kit is charged as a whole (one value).
func LostCharge(r Rules, value Money) (valueCharge, processing Money) {
	return value, r.LostProcessingFee
}

// LostRefund is the refund when a lost item paid for at paidAt is returned
// at returnedAt: its value if within LostRefundWindow, else nothing. Fees and
// fines are never refunded.
func LostRefund(r Rules, value Money, paidAt, returnedAt time.Time) Money {
	if returnedAt.Before(paidAt) || returnedAt.After(r.LostRefundWindow.After(paidAt)) {
		return 0
	}
	return value
}

// Inactive reports whether a patron last active at lastActive should be
// deleted now: InactiveYears without use and no obligations (no loans, no
// holds, nothing owed).
func Inactive(r Rules, lastActive, now time.Time, p PatronState) bool {
	if p.LoansOut > 0 || p.Holds > 0 || p.Owed != 0 {
		return false
	}
	return !lastActive.AddDate(r.InactiveYears, 0, 0).After(now)
}
