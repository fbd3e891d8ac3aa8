// Package policy holds the libraries' circulation rules as pure functions over
// rule tables: loan limits and periods, renewals, holds, fines, reminders,
// loss and damage charges, and due dates that avoid closed days. It does no
// I/O and keeps no state; every decision is reproducible from its inputs.
//
// Every number is a policy value, not a constant: a consortium sets defaults
// and overrides them per library, patron category and material type
// (RuleSet.Resolve). The defaults are the ones the member libraries publish,
// except the amounts of money, which no library's rules state: those are
// bibgate's own defaults (see Defaults).
package policy

import (
	"fmt"
	"time"
)

// Money is an amount in euro cents.
type Money int64

// String renders m as euros with two decimals, e.g. "1.50".
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)
}

// Period is a calendar length: months are added as calendar months, then days.
type Period struct {
	Months int `toml:"months" json:"months,omitempty"`
	Days   int `toml:"days" json:"days,omitempty"`
}

// After returns t moved forward by p.
func (p Period) After(t time.Time) time.Time { return t.AddDate(0, p.Months, p.Days) }

// IsZero reports whether p is empty.
func (p Period) IsZero() bool { return p.Months == 0 && p.Days == 0 }

// Material types the default rules know. A consortium may invent more.
const (
	MaterialBook      = "book"
	MaterialMagazine  = "magazine"
	MaterialAudio     = "audio"
	MaterialKit       = "kit" // language-course kit, lent as one unit
	MaterialReference = "reference"
	MaterialOther     = "other"
)

// Rules is the resolved set of values that applies to one (library, patron
// category, material type) combination.
type Rules struct {
	// MaxLoans is how many items a patron may have on loan at once.
	MaxLoans int
	// LoanPeriod is the loan length for the material type.
	LoanPeriod Period
	// HighDemandPeriod is the loan length for high-demand items and new
	// acquisitions.
	HighDemandPeriod Period
	// ReadingRoomOnly marks material that is never lent home.
	ReadingRoomOnly bool
	// Renewable is false where the library disallows renewals (e.g. required
	// school reading).
	Renewable bool
	// MaxRenewals is how many times one loan may be renewed.
	MaxRenewals int
	// RenewalNeedsApproval makes a renewal a request a librarian approves.
	RenewalNeedsApproval bool
	// MaxHolds is how many holds a patron may have at once.
	MaxHolds int
	// HoldPickupDays is how long a trapped hold waits on the hold shelf.
	HoldPickupDays int
	// FinePerDay accrues for each day an item is overdue.
	FinePerDay Money
	// FineCap limits the overdue fine for one loan; zero (the default)
	// caps it at the item's value, -1 means no cap.
	FineCap Money
	// FeeLimit: a patron owing more than this is blocked.
	FeeLimit Money
	// ReminderDays are the days after the due date on which written
	// reminders are sent, one reminder per item each time.
	ReminderDays []int
	// ReminderFee is charged for each reminder sent.
	ReminderFee Money
	// LostProcessingFee is charged on top of an item's value when it is lost.
	LostProcessingFee Money
	// LostRefundWindow: a lost item returned within this period after
	// payment has its value (not fees, not fines) refunded.
	LostRefundWindow Period
	// LabelFee is the fixed charge for a destroyed barcode or security label.
	LabelFee Money
	// MinorAge: patrons younger than this are minors; their notices go to
	// the guardian.
	MinorAge int
	// InactiveYears: a patron who used no library of the consortium for this
	// long, with no obligations, is deleted.
	InactiveYears int
	// AnonymiseAfterDays: a returned loan with nothing owed on it loses the
	// link to its patron this many days after return.
	AnonymiseAfterDays int
}

// Defaults returns the consortium-wide defaults of domain.md: Līvāni loan
// rules (seed 002), renewal rules (seeds 000, 003), hold rules (seed 000),
// reminder days (seed 003). No seed publishes an amount: the fine of 0.10 a
// day, the 1.00 reminder fee, the 3.00 processing fee, the 2.00 label fee
// and the 5.00 block limit are bibgate's own defaults, for each library to
// set to its price list.
func Defaults() Rules {
	return Rules{
		MaxLoans:           5,
		LoanPeriod:         Period{Months: 1},
		HighDemandPeriod:   Period{Days: 14},
		Renewable:          true,
		MaxRenewals:        2,
		MaxHolds:           3,
		HoldPickupDays:     3,
		FinePerDay:         10,
		FeeLimit:           500,
		ReminderDays:       []int{7, 14, 21},
		ReminderFee:        100,
		LostProcessingFee:  300,
		LostRefundWindow:   Period{Months: 2},
		LabelFee:           200,
		MinorAge:           15,
		InactiveYears:      5,
		AnonymiseAfterDays: 0,
	}
}

// DefaultMaterialOverrides are the per-material-type defaults: magazines and
// other documents 1 week, language-course kits 4 weeks, reference works
// reading-room only. Audio has the library's ordinary loan period: the
// 5 days of seed 001 are a supplier's rule for audio lent by interlibrary
// loan, not a home library's.
func DefaultMaterialOverrides() []Override {
	week := Period{Days: 7}
	return []Override{
		{Material: MaterialMagazine, Set: Partial{LoanPeriod: &week}},
		{Material: MaterialOther, Set: Partial{LoanPeriod: &week}},
		{Material: MaterialKit, Set: Partial{LoanPeriod: &Period{Days: 28}}},
		{Material: MaterialReference, Set: Partial{ReadingRoomOnly: ptr(true)}},
	}
}

func ptr[T any](v T) *T { return &v }

// Partial overrides some values of Rules; nil fields leave them alone.
type Partial struct {
	MaxLoans             *int    `toml:"max_loans"`
	LoanPeriod           *Period `toml:"loan_period"`
	HighDemandPeriod     *Period `toml:"high_demand_period"`
	ReadingRoomOnly      *bool   `toml:"reading_room_only"`
	Renewable            *bool   `toml:"renewable"`
	MaxRenewals          *int    `toml:"max_renewals"`
	RenewalNeedsApproval *bool   `toml:"renewal_needs_approval"`
	MaxHolds             *int    `toml:"max_holds"`
	HoldPickupDays       *int    `toml:"hold_pickup_days"`
	FinePerDay           *Money  `toml:"fine_per_day_cents"`
	FineCap              *Money  `toml:"fine_cap_cents"`
	FeeLimit             *Money  `toml:"fee_limit_cents"`
	ReminderDays         []int   `toml:"reminder_days"`
	ReminderFee          *Money  `toml:"reminder_fee_cents"`
	LostProcessingFee    *Money  `toml:"lost_processing_fee_cents"`
	LostRefundWindow     *Period `toml:"lost_refund_window"`
	LabelFee             *Money  `toml:"label_fee_cents"`
	MinorAge             *int    `toml:"minor_age"`
	InactiveYears        *int    `toml:"inactive_years"`
	AnonymiseAfterDays   *int    `toml:"anonymise_after_days"`
}

// ApplyTo sets the values p names in r.
func (p Partial) ApplyTo(r *Rules) {
	set(&r.MaxLoans, p.MaxLoans)
	set(&r.LoanPeriod, p.LoanPeriod)
	set(&r.HighDemandPeriod, p.HighDemandPeriod)
	set(&r.ReadingRoomOnly, p.ReadingRoomOnly)
	set(&r.Renewable, p.Renewable)
	set(&r.MaxRenewals, p.MaxRenewals)
	set(&r.RenewalNeedsApproval, p.RenewalNeedsApproval)
	set(&r.MaxHolds, p.MaxHolds)
	set(&r.HoldPickupDays, p.HoldPickupDays)
	set(&r.FinePerDay, p.FinePerDay)
	set(&r.FineCap, p.FineCap)
	set(&r.FeeLimit, p.FeeLimit)
	if p.ReminderDays != nil {
		r.ReminderDays = append([]int(nil), p.ReminderDays...)
	}
	set(&r.ReminderFee, p.ReminderFee)
	set(&r.LostProcessingFee, p.LostProcessingFee)
	set(&r.LostRefundWindow, p.LostRefundWindow)
	set(&r.LabelFee, p.LabelFee)
	set(&r.MinorAge, p.MinorAge)
	set(&r.InactiveYears, p.InactiveYears)
	set(&r.AnonymiseAfterDays, p.AnonymiseAfterDays)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Override applies Set wherever its non-empty selectors all match. An empty
// selector matches everything.
type Override struct {
	Library  string  `toml:"library"`
	Category string  `toml:"category"`
	Material string  `toml:"material"`
	Set      Partial `toml:"set"`
}

func (o Override) matches(library, category, material string) bool {
	return (o.Library == "" || o.Library == library) &&
		(o.Category == "" || o.Category == category) &&
		(o.Material == "" || o.Material == material)
}

func (o Override) specificity() int {
	n := 0
	for _, s := range []string{o.Library, o.Category, o.Material} {
		if s != "" {
			n++
		}
	}
	return n
}

// RuleSet is the consortium's defaults plus its overrides.
type RuleSet struct {
	Default   Rules
	Overrides []Override
}

// DefaultRuleSet is the defaults of domain.md with the per-material defaults.
func DefaultRuleSet() RuleSet {
	return RuleSet{Default: Defaults(), Overrides: DefaultMaterialOverrides()}
}

// Resolve returns the rules for a library, patron category and material
// type. Overrides apply from least to most specific (by how many selectors
// they name); among equally specific ones, later ones win.
func (rs RuleSet) Resolve(library, category, material string) Rules {
	r := rs.Default
	r.ReminderDays = append([]int(nil), r.ReminderDays...)
	for spec := 0; spec <= 3; spec++ {
		for _, o := range rs.Overrides {
			if o.specificity() == spec && o.matches(library, category, material) {
				o.Set.ApplyTo(&r)
			}
		}
	}
	return r
}
