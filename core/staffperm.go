package core

import "slices"

// Action is something a staff member may be allowed to do.
type Action string

// Actions, as Permit checks them.
const (
	ActPatronRead    Action = "patron_read"    // find patrons; see their current loans, holds, fees
	ActPatronEdit    Action = "patron_edit"    // edit, confirm identity, block, unblock
	ActCirculate     Action = "circulate"      // check out, check in, renew at the desk
	ActFeePay        Action = "fee_pay"        // take a payment
	ActFeeWaive      Action = "fee_waive"      // waive a fee, with a reason
	ActItemStatus    Action = "item_status"    // declare a copy lost, damaged or found
	ActRenewalDecide Action = "renewal_decide" // approve or reject renewal requests
	ActHoldReview    Action = "hold_review"    // the daily review of reservations, the pull list
	ActDashboard     Action = "dashboard"      // the desk's counts
	ActCatalogue     Action = "catalogue"      // copies and their accounting records
	ActILL           Action = "ill"            // interlibrary loan requests
	ActAuditRead     Action = "audit_read"     // read the audit log
	ActNotices       Action = "notices"        // the library's notices: queue, sent, failed; resend, delivered by hand (an ILL request's: also the ILL desk, noticeFor)
	ActStaffAdmin    Action = "staff_admin"    // create staff accounts, set their passwords
	ActServerAdmin   Action = "server_admin"   // the admin listener's profiles and imports into the running server
)

// roleActions is what each role may do at its own library.
var roleActions = map[Role][]Action{
	RoleCirculation: {ActPatronRead, ActPatronEdit, ActCirculate, ActFeePay, ActFeeWaive, ActItemStatus,
		ActRenewalDecide, ActHoldReview, ActDashboard, ActNotices},
	RoleCataloguing: {ActCatalogue, ActItemStatus, ActDashboard},
	RoleILL:         {ActILL, ActPatronRead, ActDashboard},
}

// consortiumActions are what the consortium's shared lending lets a staff
// member do on another library's patrons and copies: a patron registered
// anywhere may borrow, return, renew and pay at any desk, so the desk must
// see them. Changing another library's records (editing its patrons,
// waiving its fees, declaring its copies lost, deciding its renewals and
// reservations) stays with that library.
var consortiumActions = []Action{ActPatronRead, ActCirculate, ActFeePay}

// Permit says whether st may do act on an object of library (a patron's
// home library, a copy's holding library, a fee's or loan's library, a
// hold's pickup library). It is the one place these rules live. nil
// means yes; a refusal has ReasonForbidden.
//
// An administrator may do everything at their own library, a consortium
// administrator everywhere. Other roles do what roleActions gives them at
// their own library and, at another library, only what consortium lending
// allows (consortiumActions). The audit log and staff accounts are for
// administrators only.
func Permit(st Staff, act Action, library string) error {
	if st.ID == "" {
		return refuse(ReasonForbidden, "no staff member")
	}
	if st.Disabled {
		return refuse(ReasonForbidden, "staff %s is disabled", st.ID)
	}
	if st.Has(RoleConsortiumAdmin) {
		return nil
	}
	own := library == "" || library == st.Library
	if st.Has(RoleAdmin) && own {
		return nil
	}
	allowed := false
	for _, r := range st.Roles {
		if slices.Contains(roleActions[r], act) {
			allowed = true
		}
	}
	if st.Has(RoleAdmin) && slices.Contains(consortiumActions, act) {
		allowed = true
	}
	if !allowed {
		return refuse(ReasonForbidden, "staff %s (%v) may not %s", st.ID, st.Roles, act)
	}
	if !own && !slices.Contains(consortiumActions, act) {
		return refuse(ReasonForbidden, "staff %s of %s may not %s at %s", st.ID, st.Library, act, library)
	}
	return nil
}
