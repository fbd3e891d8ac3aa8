package screentext

import (
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
)

// Every reason the core can give has a text in every language, and the
// texts differ by language.
func TestEveryReasonHasFourLanguages(t *testing.T) {
	reasons := []core.Reason{
		policy.PatronBlockedManual, policy.PatronHasOverdue, policy.PatronFeesOverLimit, policy.PatronRemoteOnly,
		policy.PatronReadingRoomOnly, policy.PatronExpired, policy.LoanLimitReached, policy.ItemReadingRoomOnly,
		policy.ItemILLReadingRoom, policy.ItemNotAvailable, policy.ItemOnHoldForOther, policy.ItemAlreadyOnLoanToYou,
		policy.RenewalOverdue, policy.RenewalLimit, policy.RenewalReserved, policy.RenewalHighDemand,
		policy.RenewalNotAllowed, policy.RenewalUnpaidFees, policy.RenewalAlreadyPending, policy.RenewalTooSoon, policy.HoldDebtor,
		policy.HoldLimit, policy.HoldDuplicate, policy.HoldAlreadyLoaned, policy.HoldNotHoldable,
		core.ReasonPatronNotFound, core.ReasonItemNotFound, core.ReasonLibraryNotFound, core.ReasonHoldNotFound,
		core.ReasonFeeNotFound, core.ReasonNotOnLoan, core.ReasonBadPIN, core.ReasonPINLocked, core.ReasonPINCheckBusy, core.ReasonBadRequest,
		core.ReasonNothingOwed, core.ReasonItemUnusable, core.ReasonNoStocktake, core.ReasonStocktakeOpen,
		StocktakeSeen, StocktakeSeenAgain, StocktakeNoRecord, StocktakeElsewhere,
	}
	for _, r := range reasons {
		t.Run(string(r), func(t *testing.T) {
			if !Has(r) {
				t.Fatalf("no text for %s", r)
			}
			seen := map[string]bool{}
			for _, lang := range []string{Latvian, Estonian, Slovenian, English} {
				s := For(r, lang)
				if s == "" || seen[s] {
					t.Errorf("%s in %s: %q (empty or same as another language)", r, lang, s)
				}
				seen[s] = true
			}
		})
	}
	if For("no_such_reason", "xx") != For(SystemError, English) {
		t.Error("unknown reason does not fall back to the system error in English")
	}
}
