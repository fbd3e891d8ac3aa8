package sip2

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PatronStatus is the 14-character patron status of 24, 26 and 64. A true
// flag is written as "Y" and means the condition holds, i.e. the privilege is
// denied; false is written as a blank.
type PatronStatus [14]bool

// Positions in a PatronStatus (0-based; the specification counts from 1).
const (
	ChargePrivilegesDenied = iota
	RenewalPrivilegesDenied
	RecallPrivilegesDenied
	HoldPrivilegesDenied
	CardReportedLost
	TooManyItemsCharged
	TooManyItemsOverdue
	TooManyRenewals
	TooManyClaimsOfItemsReturned
	TooManyItemsLost
	ExcessiveOutstandingFines
	ExcessiveOutstandingFees
	RecallOverdue
	TooManyItemsBilled
)

// String renders the status as on the wire.
func (s PatronStatus) String() string {
	var b [14]byte
	for i, v := range s {
		b[i] = ' '
		if v {
			b[i] = 'Y'
		}
	}
	return string(b[:])
}

// Any reports whether any flag is set.
func (s PatronStatus) Any() bool { return s != PatronStatus{} }

// Summary is the 10-character summary of a 63 request: a Y picks the list
// the 64 response carries.
type Summary [10]bool

// SummaryList names the list a 63 asks for.
type SummaryList int

// The lists a Summary can select.
const (
	SummaryNone SummaryList = iota
	SummaryHoldItems
	SummaryOverdueItems
	SummaryChargedItems
	SummaryFineItems
	SummaryRecallItems
	SummaryUnavailableHolds
)

// List returns the list picked by the first Y, as Koha does; SummaryNone if
// no Y is set among the six defined positions.
func (s Summary) List() SummaryList {
	for i := 0; i < 6; i++ {
		if s[i] {
			return SummaryList(i + 1)
		}
	}
	return SummaryNone
}

// Tri is a Y/N/U value (magnetic media, desensitize). The zero value is Unknown.
type Tri byte

// Tri values.
const (
	Unknown Tri = 0
	Yes     Tri = 'Y'
	No      Tri = 'N'
)

func (t Tri) wire() byte {
	switch t {
	case Yes:
		return 'Y'
	case No:
		return 'N'
	}
	return 'U'
}

// SupportedMessages is the BX field of 98: which requests the ACS supports,
// in the fixed order of [SupportedMessageOrder].
type SupportedMessages [16]bool

// SupportedMessageOrder is the order of the 16 positions of BX.
var SupportedMessageOrder = [16]string{"23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15", "29", "65"}

// Set marks a request code as supported or not. Unknown codes are ignored.
func (s *SupportedMessages) Set(code string, on bool) {
	for i, c := range SupportedMessageOrder {
		if c == code {
			s[i] = on
		}
	}
}

// Has reports whether a request code is marked supported.
func (s SupportedMessages) Has(code string) bool {
	for i, c := range SupportedMessageOrder {
		if c == code {
			return s[i]
		}
	}
	return false
}

// String renders the 16 Y/N characters.
func (s SupportedMessages) String() string {
	var b [16]byte
	for i, v := range s {
		b[i] = 'N'
		if v {
			b[i] = 'Y'
		}
	}
	return string(b[:])
}

// Language is the 3-digit language code of 23, 24, 26, 63, 64.
type Language string

// Some language codes. Latvian, Lithuanian, Estonian and Slovenian have none:
// use LanguageUnknown.
const (
	LanguageUnknown Language = "000"
	LanguageEnglish Language = "001"
	LanguageGerman  Language = "003"
	LanguageFinnish Language = "007"
	LanguageRussian Language = "015"
	LanguagePolish  Language = "017"
	LanguageUK      Language = "024"
)

// CirculationStatus is the 2-digit item status of 18.
type CirculationStatus string

// Circulation status codes.
const (
	CirculationOther              CirculationStatus = "01"
	CirculationOnOrder            CirculationStatus = "02"
	CirculationAvailable          CirculationStatus = "03"
	CirculationCharged            CirculationStatus = "04"
	CirculationChargedNoRecall    CirculationStatus = "05"
	CirculationInProcess          CirculationStatus = "06"
	CirculationRecalled           CirculationStatus = "07"
	CirculationWaitingOnHoldShelf CirculationStatus = "08"
	CirculationWaitingToReshelve  CirculationStatus = "09"
	CirculationInTransit          CirculationStatus = "10"
	CirculationClaimedReturned    CirculationStatus = "11"
	CirculationLost               CirculationStatus = "12"
	CirculationMissing            CirculationStatus = "13"
)

// SecurityMarker is the 2-digit security marker of 18.
type SecurityMarker string

// Security marker codes.
const (
	SecurityOther      SecurityMarker = "00"
	SecurityNone       SecurityMarker = "01"
	SecurityTattleTape SecurityMarker = "02"
	SecurityWhisper    SecurityMarker = "03"
)

// FeeType is the 2-digit fee type of 18 and 37 (and the BT field).
type FeeType string

// Fee type codes.
const (
	FeeOther          FeeType = "01"
	FeeAdministrative FeeType = "02"
	FeeDamage         FeeType = "03"
	FeeOverdue        FeeType = "04"
	FeeProcessing     FeeType = "05"
	FeeRental         FeeType = "06"
	FeeReplacement    FeeType = "07"
	FeeComputerAccess FeeType = "08"
	FeeHold           FeeType = "09"
)

// PaymentType is the 2-digit payment type of 37. Codes beyond these occur
// and are kept.
type PaymentType string

// Payment type codes.
const (
	PaymentCash       PaymentType = "00"
	PaymentVISA       PaymentType = "01"
	PaymentCreditCard PaymentType = "02"
)

// MediaType is the 3-digit CK field.
type MediaType string

// Media type codes.
const (
	MediaOther        MediaType = "000"
	MediaBook         MediaType = "001"
	MediaMagazine     MediaType = "002"
	MediaBoundJournal MediaType = "003"
	MediaAudioTape    MediaType = "004"
	MediaVideoTape    MediaType = "005"
	MediaCD           MediaType = "006"
	MediaDiskette     MediaType = "007"
	MediaBookDiskette MediaType = "008"
	MediaBookCD       MediaType = "009"
	MediaBookAudio    MediaType = "010"
)

// HoldType is the BY field of 15.
type HoldType string

// Hold types.
const (
	HoldTypeOther        HoldType = "1"
	HoldTypeAnyCopy      HoldType = "2"
	HoldTypeSpecificCopy HoldType = "3"
	HoldTypeAnyAtBranch  HoldType = "4"
)

// HoldMode is the fixed hold mode of 15.
type HoldMode string

// Hold modes.
const (
	HoldAdd    HoldMode = "+"
	HoldDelete HoldMode = "-"
	HoldChange HoldMode = "*"
)

// AlertType is the CV extension field of 10.
type AlertType string

// Alert types.
const (
	AlertUnknown   AlertType = "00"
	AlertHoldHere  AlertType = "01"
	AlertHoldOther AlertType = "02"
	AlertHoldILL   AlertType = "03"
	AlertTransit   AlertType = "04"
	AlertOther     AlertType = "99"
)

// Date layouts of the 18-character SIP2 date.
const (
	DateLayoutLocal = "20060102    150405"
	DateLayoutUTC   = "20060102   Z150405"
)

// FormatDate renders t as an 18-character SIP2 date: 18 blanks for the zero
// time, the "   Z" zone for UTC, otherwise four blanks and t's own clock.
func FormatDate(t time.Time) string {
	if t.IsZero() || t.Year() < 0 || t.Year() > 9999 {
		return strings.Repeat(" ", 18)
	}
	if t.Location() == time.UTC {
		return t.Format(DateLayoutUTC)
	}
	return t.Format(DateLayoutLocal)
}

// ParseDate reads an 18-character SIP2 date. Blanks, placeholders and
// anything unreadable give the zero time; a "   Z" zone gives UTC and any
// other zone text is taken as local time in loc (time.Local if nil).
func ParseDate(s string, loc *time.Location) time.Time {
	if len(s) != 18 {
		return time.Time{}
	}
	if loc == nil {
		loc = time.Local
	}
	zone := s[8:12]
	if strings.TrimSpace(zone) == "Z" {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("20060102150405", s[:8]+s[12:], loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// FormatAmount writes an amount in cents the way SIP2 wants it: a dot and
// two decimals, no symbol, no grouping ("-75.00", "2.50").
func FormatAmount(cents int64) string {
	sign := ""
	if cents < 0 {
		sign = "-"
		cents = -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// ParseAmount reads an amount written with "." or "," as the decimal mark
// and returns it in cents (rounded half away from zero to 2 decimals).
func ParseAmount(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("sip2: amount: empty")
	}
	neg := false
	switch t[0] {
	case '-':
		neg = true
		t = t[1:]
	case '+':
		t = t[1:]
	}
	whole, frac := t, ""
	if i := strings.LastIndexAny(t, ".,"); i >= 0 {
		whole, frac = t[:i], t[i+1:]
	}
	if whole == "" && frac == "" {
		// "-", "+", "." alone: no digit, no amount
		return 0, fmt.Errorf("sip2: amount %q: not a number", s)
	}
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || (frac != "" && !allDigits(frac)) || len(whole) > 15 {
		return 0, fmt.Errorf("sip2: amount %q: not a number", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	cents := w * 100
	for len(frac) < 3 {
		frac += "0"
	}
	c, _ := strconv.ParseInt(frac[:2], 10, 64)
	cents += c
	if frac[2] >= '5' {
		cents++
	}
	if neg {
		cents = -cents
	}
	return cents, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
