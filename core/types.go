package core

import (
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// Money is an amount in euro cents.
type Money = policy.Money

// Library is one member of the consortium: a central library or a branch.
type Library struct {
	ID       string
	Name     string
	Address  string
	Email    string
	Phone    string
	Calendar policy.Calendar
}

// Consortium is the set of libraries sharing one union catalogue, patrons
// and items, and the rules they lend by.
type Consortium struct {
	Name      string
	Libraries []Library
	Rules     policy.RuleSet
	// ILL is how the consortium does interlibrary loan (ill.go).
	ILL ILLSettings
}

// Library returns the library with id, or false.
func (c *Consortium) Library(id string) (*Library, bool) {
	for i := range c.Libraries {
		if c.Libraries[i].ID == id {
			return &c.Libraries[i], true
		}
	}
	return nil, false
}

// Patron is a registered reader. ID is the reader card barcode.
type Patron struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// PINHash is the PIN hashed with a slow KDF (see HashPIN); never the PIN.
	PINHash string `json:"pin_hash,omitempty"`
	// PersonalCode is the national eID personal code, for eID login. It
	// is given in plain text and stored only as a keyed hash
	// ("hmac-sha256:..."): a patron read back carries the hash.
	PersonalCode string    `json:"personal_code,omitempty"`
	Category     string    `json:"category"`
	HomeLibrary  string    `json:"home_library"`
	BirthDate    time.Time `json:"birth_date,omitzero"`
	// Guardian receives notices for a minor.
	Guardian *Contact `json:"guardian,omitempty"`
	// IdentityConfirmed is false for a remote registration not yet
	// confirmed in person: remote services (holds, renewals) only.
	IdentityConfirmed bool `json:"identity_confirmed"`
	// Resident is false for a patron from outside the county: reading room
	// only.
	Resident bool `json:"resident"`
	// Blocked is a manual block by staff or a selfcheck, with its reason.
	Blocked     bool   `json:"blocked,omitempty"`
	BlockReason string `json:"block_reason,omitempty"`
	// BlockedBy says who set the block: "" staff, BlockedBySelfcheck a
	// selfcheck (SIP2 01).
	BlockedBy  string    `json:"blocked_by,omitempty"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	Language   string    `json:"language,omitempty"`
	// Counters kept in step with the loans, holds and fees records.
	LoansOut   int       `json:"loans_out"`
	Holds      int       `json:"holds"`
	Owed       Money     `json:"owed"`
	Registered time.Time `json:"registered,omitzero"`
	LastActive time.Time `json:"last_active,omitzero"`
}

// Contact is a person notices can go to.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// ItemStatus is where an item is in its life.
type ItemStatus string

// Item statuses.
const (
	ItemAvailable ItemStatus = "available"
	ItemOnLoan    ItemStatus = "on_loan"
	ItemOnHold    ItemStatus = "on_hold_shelf"
	ItemInTransit ItemStatus = "in_transit"
	ItemLost      ItemStatus = "lost"
	ItemMissing   ItemStatus = "missing"
	ItemWithdrawn ItemStatus = "withdrawn"
)

// Item is one physical copy. ID is its barcode.
type Item struct {
	ID              string `json:"id"`
	InventoryNumber string `json:"inventory_number,omitempty"`
	RecordID        string `json:"record_id"`
	Title           string `json:"title,omitempty"`
	Author          string `json:"author,omitempty"`
	Library         string `json:"library"`
	CallNumber      string `json:"call_number,omitempty"`
	Material        string `json:"material"`
	Value           Money  `json:"value"`
	HighDemand      bool   `json:"high_demand,omitempty"`
	ReadingRoomOnly bool   `json:"reading_room_only,omitempty"`
	// ILL marks an item received from another library by interlibrary loan.
	ILL    bool       `json:"ill,omitempty"`
	Status ItemStatus `json:"status"`
	// LoanID is the open loan while Status is on_loan.
	LoanID string `json:"loan_id,omitempty"`
	// HoldID is the hold it is trapped for (on hold shelf or in transit to
	// the pickup library).
	HoldID string `json:"hold_id,omitempty"`
	// TransitTo is the library an item in transit is going to.
	TransitTo string `json:"transit_to,omitempty"`
	// LostPaidAt is when the patron paid for it as lost (for the refund).
	LostPaidAt time.Time `json:"lost_paid_at,omitzero"`
	LostBy     string    `json:"lost_by,omitempty"`
	// Properties is free text a selfcheck or sorter keeps about the item
	// (SIP2 CH: e.g. number of pieces of a kit).
	Properties string `json:"properties,omitempty"`
	// Accounting is the rest of the individual record of the copy that
	// Regulation No. 317 §19 asks for (entry date, register numbers,
	// stocktaking marks, write-off).
	Accounting
}

// Loan is one lending of one item. After return and once nothing is owed on
// it, PatronID is erased (anonymised) and only statistics remain.
type Loan struct {
	ID               string    `json:"id"`
	ItemID           string    `json:"item_id"`
	PatronID         string    `json:"patron_id,omitempty"`
	Library          string    `json:"library"`
	Material         string    `json:"material"`
	Start            time.Time `json:"start"`
	Due              time.Time `json:"due"`
	Renewals         int       `json:"renewals"`
	RenewalRequested bool      `json:"renewal_requested,omitempty"`
	RemindersSent    int       `json:"reminders_sent,omitempty"`
	Returned         time.Time `json:"returned,omitzero"`
	Anonymised       bool      `json:"anonymised,omitempty"`
}

// Open reports whether the item is still out.
func (l *Loan) Open() bool { return l.Returned.IsZero() }

// Overdue reports whether an open loan is past its due date at now.
func (l *Loan) Overdue(now time.Time) bool { return l.Open() && now.After(l.Due) }

// HoldStatus is where a hold is in its life.
type HoldStatus string

// Hold statuses.
const (
	HoldWaiting   HoldStatus = "waiting"    // in the queue
	HoldInTransit HoldStatus = "in_transit" // an item is on its way to the pickup library
	HoldReady     HoldStatus = "ready"      // on the hold shelf at the pickup library
	HoldFulfilled HoldStatus = "fulfilled"
	HoldCancelled HoldStatus = "cancelled"
	HoldExpired   HoldStatus = "expired"
	HoldRefused   HoldStatus = "refused" // refused at the daily review, with a reason
)

// Hold is a patron's reservation of a title, queued per title.
type Hold struct {
	ID            string     `json:"id"`
	PatronID      string     `json:"patron_id"`
	RecordID      string     `json:"record_id"`
	Title         string     `json:"title,omitempty"`
	PickupLibrary string     `json:"pickup_library"`
	Placed        time.Time  `json:"placed"`
	Status        HoldStatus `json:"status"`
	// ItemID is the copy trapped for it once one is.
	ItemID  string    `json:"item_id,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
	Ended   time.Time `json:"ended,omitzero"`
	// Reviewed is when a librarian approved it at the daily review (seed
	// 000); Reason is why it was refused, for the patron.
	Reviewed time.Time `json:"reviewed,omitzero"`
	Reason   string    `json:"reason,omitempty"`
}

// Active reports whether the hold still counts against the patron.
func (h *Hold) Active() bool {
	return h.Status == HoldWaiting || h.Status == HoldInTransit || h.Status == HoldReady
}

// FeeKind says what a fee is for.
type FeeKind string

// Fee kinds.
const (
	FeeOverdue    FeeKind = "overdue"
	FeeReminder   FeeKind = "reminder"
	FeeLost       FeeKind = "lost"
	FeeProcessing FeeKind = "processing"
	FeeDamage     FeeKind = "damage"
	FeeLabel      FeeKind = "label"
	FeeService    FeeKind = "service"
	FeeRefund     FeeKind = "refund" // a credit: Amount is negative
)

// Fee is one charge to a patron.
type Fee struct {
	ID          string    `json:"id"`
	PatronID    string    `json:"patron_id"`
	Kind        FeeKind   `json:"kind"`
	Amount      Money     `json:"amount"`
	Paid        Money     `json:"paid"`
	Created     time.Time `json:"created"`
	ItemID      string    `json:"item_id,omitempty"`
	LoanID      string    `json:"loan_id,omitempty"`
	Description string    `json:"description,omitempty"`
	// Waived is the part a librarian waived, for WaiveReason.
	Waived      Money  `json:"waived,omitempty"`
	WaiveReason string `json:"waive_reason,omitempty"`
}

// Outstanding is what is still to pay on the fee.
func (f *Fee) Outstanding() Money { return f.Amount - f.Paid - f.Waived }

// NoticeKind says what a notice tells.
type NoticeKind string

// Notice kinds.
const (
	NoticeReminder    NoticeKind = "overdue_reminder"
	NoticeHoldReady   NoticeKind = "hold_ready"
	NoticeHoldExpired NoticeKind = "hold_expired"
	NoticeRenewal     NoticeKind = "renewal_decided"
)

// Notice is a message to a patron (or a minor's guardian), written in the
// same transaction as the event and delivered after commit. Its ID is
// derived from the event, so a job that runs twice writes it once.
type Notice struct {
	ID       string     `json:"id"`
	Kind     NoticeKind `json:"kind"`
	PatronID string     `json:"patron_id"`
	To       Contact    `json:"to"`
	Library  string     `json:"library"`
	ItemID   string     `json:"item_id,omitempty"`
	Title    string     `json:"title,omitempty"`
	Number   int        `json:"number,omitempty"`
	Due      time.Time  `json:"due,omitzero"`
	Fee      Money      `json:"fee,omitempty"`
	// Reason is the librarian's reason for a refusal (a renewal request
	// rejected, a reservation refused), told to the patron.
	Reason string `json:"reason,omitempty"`
	// Language is the patron's language for the text.
	Language string    `json:"language,omitempty"`
	Created  time.Time `json:"created"`
	Sent     time.Time `json:"sent,omitzero"`
	// Failure is the notifier's error while the notice waits in the queue
	// (no e-mail address, a relay refusing it), FailedAt when that error
	// was first seen (desknotices.go).
	Failure  string    `json:"failure,omitempty"`
	FailedAt time.Time `json:"failed_at,omitzero"`
	// Delivery says how staff delivered it by hand when the notifier could
	// not (printed and posted, phoned); empty when the notifier sent it.
	Delivery string `json:"delivery,omitempty"`
	// Resent counts the times staff put it back in the queue.
	Resent int `json:"resent,omitempty"`
}
