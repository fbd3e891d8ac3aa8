package core

import (
	"errors"
	"fmt"

	"github.com/bibgate/bibgate/core/policy"
)

// Reason is a stable code for an outcome; see policy.Reason.
type Reason = policy.Reason

// Reasons the core adds to the policy's.
const (
	ReasonPatronNotFound  Reason = "patron_not_found"
	ReasonItemNotFound    Reason = "item_not_found"
	ReasonLibraryNotFound Reason = "library_not_found"
	ReasonHoldNotFound    Reason = "hold_not_found"
	ReasonFeeNotFound     Reason = "fee_not_found"
	ReasonLoanNotFound    Reason = "loan_not_found"
	ReasonNotOnLoan       Reason = "item_not_on_loan"
	ReasonBadPIN          Reason = "invalid_pin"
	ReasonPINLocked       Reason = "pin_locked"     // too many wrong PINs: the card's PIN is locked for a while
	ReasonPINCheckBusy    Reason = "pin_check_busy" // too many PIN checks at once: the PIN was not checked, try again
	ReasonBadRequest      Reason = "bad_request"
	ReasonNothingOwed     Reason = "nothing_owed"
	ReasonItemUnusable    Reason = "item_lost_missing_or_withdrawn"
)

// Error is a refusal with a stable reason.
type Error struct {
	Reason Reason
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return "core: " + string(e.Reason)
	}
	return fmt.Sprintf("core: %s: %s", e.Reason, e.Detail)
}

// Is matches any *Error with the same reason, so errors.Is(err,
// ErrItemNotFound) works whatever the detail.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Reason == e.Reason
}

func refuse(r Reason, format string, args ...any) error {
	return &Error{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// ReasonOf returns the reason of a core error, or "" for nil and for errors
// that are not refusals (I/O failures).
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// Sentinels for errors.Is.
var (
	ErrPatronNotFound = &Error{Reason: ReasonPatronNotFound}
	ErrItemNotFound   = &Error{Reason: ReasonItemNotFound}
	ErrHoldNotFound   = &Error{Reason: ReasonHoldNotFound}
	ErrNotOnLoan      = &Error{Reason: ReasonNotOnLoan}
	ErrBadPIN         = &Error{Reason: ReasonBadPIN}
	ErrPatronBlocked  = &Error{Reason: policy.PatronBlockedManual}
	ErrLoanLimit      = &Error{Reason: policy.LoanLimitReached}
)
