// Package accounting holds the rules of Latvian Cabinet Regulation No. 317
// (2010, "Nacionālā bibliotēku krājuma noteikumi") that a library's
// collection accounting follows, as pure functions and data: the write-off
// reasons of §33, the yearly numbering of register entries and acts (§25),
// the open-access loss norm of §34, the stocktaking schedule of §30 and the
// summary register (§22–25, annex 5) by document type, language, UDC main
// class and balance. It keeps nothing and reads no store; the core calls it.
//
// Amounts are integer euro cents, as everywhere in bibgate.
package accounting

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// Money is an amount in euro cents.
type Money = policy.Money

// Reason is one of the write-off criteria of §33, with a stable code for
// files and protocols and the regulation's own wording.
type Reason struct {
	// Code is stable: it is what acts and CSV files carry.
	Code string
	// Paragraph is the point of the regulation, e.g. "33.6".
	Paragraph string
	// Latvian is the wording of the regulation.
	Latvian string
	// English is a translation for staff who read no Latvian.
	English string
}

// Write-off reason codes (§33.1–33.8).
const (
	ReasonOutdated     = "outdated"
	ReasonDuplicates   = "duplicates"
	ReasonOutOfProfile = "out_of_profile"
	ReasonWornOut      = "worn_out"
	ReasonDisaster     = "disaster"
	ReasonLost         = "lost"
	ReasonPatronFault  = "patron_fault"
	ReasonExchange     = "exchange"
)

// Reasons are the §33 criteria in the regulation's order.
var reasons = [...]Reason{
	{ReasonOutdated, "33.1", "novecojuši pēc satura", "content out of date"},
	{ReasonDuplicates, "33.2", "liekie dubleti, stereotipie dubleti", "surplus duplicates, stereotype duplicates"},
	{ReasonOutOfProfile, "33.3", "bibliotēkas krājuma profilam neatbilstoši iespieddarbi un citi dokumenti",
		"out of the collection's profile"},
	{ReasonWornOut, "33.4", "nolietoti iespieddarbi un citi dokumenti, kuri lietošanas procesā kļuvuši turpmākai " +
		"izmantošanai nederīgi un kurus nav iespējams salabot", "worn out in use beyond repair"},
	{ReasonDisaster, "33.5", "bojāti stihisku nelaimju dēļ", "damaged by a natural disaster"},
	{ReasonLost, "33.6", "nozaudētie iespieddarbi un citi dokumenti, kuri pazuduši (piemēram, pasta sūtījumu laikā, " +
		"brīvpieejas apstākļos) un kuru zudumu bibliotēka ir konstatējusi",
		"lost (e.g. in the post, in open access), the loss established by the library"},
	{ReasonPatronFault, "33.7", "iespieddarbi un citi dokumenti nav atgūstami bibliotēkas lietotāja vainas dēļ " +
		"(piemēram, nozaudēti, bibliotēkas lietotāja dzīvesvietas maiņas dēļ)",
		"not recoverable through the patron's fault (e.g. lost, the patron moved away)"},
	{ReasonExchange, "33.8", "iespieddarbi un citi dokumenti, kas iekļauti apmaiņas krājumā",
		"included in the exchange collection"},
}

// Reasons returns the §33 write-off criteria in the regulation's order.
func Reasons() []Reason { return append([]Reason(nil), reasons[:]...) }

// ReasonByCode finds a write-off reason by its code or by its paragraph
// ("lost" or "33.6").
func ReasonByCode(code string) (Reason, bool) {
	c := strings.TrimSpace(strings.ToLower(code))
	for _, r := range reasons {
		if r.Code == c || r.Paragraph == c {
			return r, true
		}
	}
	return Reason{}, false
}

// Counter numbers the entries of one register or one kind of act of one
// library. Numbers restart at 1 with each calendar year (§25).
type Counter struct {
	Library string `json:"library"`
	Year    int    `json:"year"`
	Last    int    `json:"last"`
}

// Next returns the counter after numbering an entry made at `at`, in the
// library's time zone loc (nil: UTC), and the entry's number: one more
// than the last of the same year, 1 for the first of a new year.
func (c Counter) Next(at time.Time, loc *time.Location) (Counter, int) {
	if loc == nil {
		loc = time.UTC
	}
	y := at.In(loc).Year()
	if y != c.Year {
		c.Year, c.Last = y, 0
	}
	c.Last++
	return c, c.Last
}

// Number is an entry or act number: the n-th of a year.
type Number struct {
	Year int `json:"year"`
	N    int `json:"n"`
}

// String renders the number as acts print it: "12/2026".
func (n Number) String() string {
	if n.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", n.N, n.Year)
}

// ParseNumber reads "12/2026".
func ParseNumber(s string) (Number, error) {
	bad := fmt.Errorf("accounting: number %q: want N/YEAR, e.g. 3/2026", s)
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Number{}, bad
	}
	n, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || n < 1 || y < 1 || y > 9999 || a[0] == '+' || b[0] == '+' {
		return Number{}, bad
	}
	return Number{Year: y, N: n}, nil
}

// LossNormPerMille is the §34 norm: 0.3 % = 3 ‰.
const LossNormPerMille = 3

// LossNorm is the most that may be written off in a year for copies lost
// in open access (§34): 0.3 % of the collection's value at the start of
// the financial year, rounded down to the cent (a norm is a ceiling).
func LossNorm(valueAtStartOfYear Money) Money {
	if valueAtStartOfYear <= 0 {
		return 0
	}
	return valueAtStartOfYear * LossNormPerMille / 1000
}

// Interval is how often a library must take stock (§30).
type Interval struct {
	// Years is the longest time between two regular stocktakings.
	Years int
	// Sample: above 500,000 units stock is taken by sample, following a
	// plan approved by the director (§30.4).
	Sample bool
	// Paragraph is the point of §30 that applies.
	Paragraph string
}

// Schedule returns the stocktaking interval for a collection of `units`
// physical units: up to 50,000 every 8 years (§30.1), up to 100,000 every
// 10 (§30.2), up to 500,000 every 15 (§30.3), above that by sample every
// 20 (§30.4). A collection of exactly 50,000 is "up to 50,000".
func Schedule(units int) Interval {
	switch {
	case units <= 50_000:
		return Interval{Years: 8, Paragraph: "30.1"}
	case units <= 100_000:
		return Interval{Years: 10, Paragraph: "30.2"}
	case units <= 500_000:
		return Interval{Years: 15, Paragraph: "30.3"}
	default:
		return Interval{Years: 20, Sample: true, Paragraph: "30.4"}
	}
}

// NextStocktaking is when the next regular stocktaking is due after one
// taken at last, for a collection of units. A library that never took
// stock (zero last) is due now: the zero time is returned.
func NextStocktaking(last time.Time, units int) time.Time {
	if last.IsZero() {
		return time.Time{}
	}
	return last.AddDate(Schedule(units).Years, 0, 0)
}
