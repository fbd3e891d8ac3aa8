package policy

// Reason is a stable, protocol-neutral code for why something was refused
// (or what happened). Adapters map reasons to SIP2 screen messages, Bib-1
// diagnostics and ILL reason codes; the strings never change once released.
type Reason string

// Reasons a rule can give.
const (
	OK Reason = ""

	PatronBlockedManual    Reason = "patron_blocked"
	PatronHasOverdue       Reason = "patron_has_overdue"
	PatronFeesOverLimit    Reason = "patron_fees_over_limit"
	PatronRemoteOnly       Reason = "patron_remote_only"
	PatronReadingRoomOnly  Reason = "patron_reading_room_only"
	PatronExpired          Reason = "patron_card_expired"
	LoanLimitReached       Reason = "loan_limit_reached"
	ItemReadingRoomOnly    Reason = "item_reading_room_only"
	ItemILLReadingRoom     Reason = "item_ill_reading_room"
	ItemNotAvailable       Reason = "item_not_available"
	ItemOnHoldForOther     Reason = "item_on_hold_for_another_patron"
	ItemAlreadyOnLoanToYou Reason = "item_already_on_loan_to_you"

	RenewalOverdue        Reason = "renewal_after_due_date"
	RenewalLimit          Reason = "renewal_limit_reached"
	RenewalReserved       Reason = "renewal_reserved_by_another"
	RenewalHighDemand     Reason = "renewal_high_demand"
	RenewalNotAllowed     Reason = "renewal_not_allowed"
	RenewalUnpaidFees     Reason = "renewal_unpaid_fees"
	RenewalAlreadyPending Reason = "renewal_already_requested"
	RenewalTooSoon        Reason = "renewal_would_not_move_due_date"

	HoldDebtor        Reason = "hold_patron_is_debtor"
	HoldLimit         Reason = "hold_limit_reached"
	HoldDuplicate     Reason = "hold_already_placed"
	HoldAlreadyLoaned Reason = "hold_item_on_loan_to_you"
	HoldNotHoldable   Reason = "hold_not_holdable"
)
