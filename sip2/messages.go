package sip2

import "time"

// Field codes as constants are not needed by callers; each struct names its
// fields. Comments give the wire code of each field. Required fields are
// always written (empty if need be); optional plain strings are written only
// when not empty; pointer fields are written when not nil, so an empty value
// can be told from a missing one.

// LoginRequest is message 93.
type LoginRequest struct {
	UIDAlgorithm string // fixed, 1; "0" = clear text
	PWDAlgorithm string // fixed, 1
	UserID       string // CN
	Password     string // CO
	Location     string // CP
	Extra        []Field
}

func (*LoginRequest) Code() string { return CodeLoginRequest }
func (m *LoginRequest) layout() layout {
	return layout{
		fixed:  []fixedSpec{fxCode(&m.UIDAlgorithm, 1, "0", false), fxCode(&m.PWDAlgorithm, 1, "0", false)},
		fields: []fieldSpec{req("CN", &m.UserID), req("CO", &m.Password), opt("CP", &m.Location)},
		extra:  &m.Extra,
	}
}

// LoginResponse is message 94.
type LoginResponse struct {
	OK    bool // fixed, 1/0
	Extra []Field
}

func (*LoginResponse) Code() string { return CodeLoginResponse }
func (m *LoginResponse) layout() layout {
	return layout{fixed: []fixedSpec{fxOK(&m.OK)}, extra: &m.Extra}
}

// SCStatusRequest is message 99.
type SCStatusRequest struct {
	StatusCode      string // fixed, 1: 0 OK, 1 out of paper, 2 shutting down
	MaxPrintWidth   int    // fixed, 3
	ProtocolVersion string // fixed, 4; any text is accepted ("2.00", "1.00", "2.0E")
	Extra           []Field
}

func (*SCStatusRequest) Code() string { return CodeSCStatusRequest }
func (m *SCStatusRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxCode(&m.StatusCode, 1, "0", false), fxNum(&m.MaxPrintWidth, 3, 0),
			fxCode(&m.ProtocolVersion, 4, "2.00", false)},
		extra: &m.Extra,
	}
}

// ACSStatusResponse is message 98.
type ACSStatusResponse struct {
	OnLine           bool              // fixed Y/N
	CheckinOK        bool              // fixed Y/N
	CheckoutOK       bool              // fixed Y/N
	RenewalPolicy    bool              // fixed Y/N: ACS renewal policy
	StatusUpdateOK   bool              // fixed Y/N
	OfflineOK        bool              // fixed Y/N
	TimeoutPeriod    int               // fixed, 3; 0 = off-line, 999 = unknown
	RetriesAllowed   int               // fixed, 3; 999 = unknown
	DateTimeSync     time.Time         // fixed, 18
	ProtocolVersion  string            // fixed, 4
	InstitutionID    string            // AO
	LibraryName      string            // AM
	Supported        SupportedMessages // BX
	TerminalLocation string            // AN
	ScreenMessages   []string          // AF
	PrintLines       []string          // AG
	Extra            []Field
}

func (*ACSStatusResponse) Code() string { return CodeACSStatusResponse }
func (m *ACSStatusResponse) layout() layout {
	return layout{
		fixed: []fixedSpec{fxYN(&m.OnLine), fxYN(&m.CheckinOK), fxYN(&m.CheckoutOK), fxYN(&m.RenewalPolicy),
			fxYN(&m.StatusUpdateOK), fxYN(&m.OfflineOK), fxNum(&m.TimeoutPeriod, 3, 999), fxNum(&m.RetriesAllowed, 3, 999),
			fxDate(&m.DateTimeSync), fxCode(&m.ProtocolVersion, 4, "2.00", false)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), opt("AM", &m.LibraryName),
			{code: "BX", kind: kFunc, required: true,
				get: func() (string, bool) { return m.Supported.String(), true },
				set: func(s string) {
					for i := range m.Supported {
						m.Supported[i] = i < len(s) && readYN(s[i])
					}
				}},
			opt("AN", &m.TerminalLocation)},
		extra: &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// PatronStatusRequest is message 23.
type PatronStatusRequest struct {
	Language         Language  // fixed, 3
	TransactionDate  time.Time // fixed, 18
	InstitutionID    string    // AO
	PatronID         string    // AA
	TerminalPassword string    // AC
	PatronPassword   *string   // AD (required by the spec; nil when the SC left it out)
	Extra            []Field
}

func (*PatronStatusRequest) Code() string { return CodePatronStatusRequest }
func (m *PatronStatusRequest) layout() layout {
	return layout{
		fixed:  []fixedSpec{fxCode(&m.Language, 3, LanguageUnknown, true), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), req("AC", &m.TerminalPassword), pres("AD", &m.PatronPassword, true)},
		extra:  &m.Extra,
	}
}

// PatronStatusResponse is message 24, the answer to 23 and to 01.
type PatronStatusResponse struct {
	PatronStatus        PatronStatus // fixed, 14
	Language            Language     // fixed, 3
	TransactionDate     time.Time    // fixed, 18
	InstitutionID       string       // AO
	PatronID            string       // AA
	PersonalName        string       // AE
	ValidPatron         *bool        // BL
	ValidPatronPassword *bool        // CQ (send only if the request had AD)
	Currency            string       // BH
	FeeAmount           string       // BV
	ScreenMessages      []string     // AF
	PrintLines          []string     // AG
	Extra               []Field
}

func (*PatronStatusResponse) Code() string { return CodePatronStatusResponse }
func (m *PatronStatusResponse) layout() layout {
	return layout{
		fixed: []fixedSpec{fxFlags(m.PatronStatus[:]), fxCode(&m.Language, 3, LanguageUnknown, true), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), req("AE", &m.PersonalName),
			flag("BL", &m.ValidPatron), flag("CQ", &m.ValidPatronPassword), opt("BH", &m.Currency), amount("BV", &m.FeeAmount, false)},
		extra: &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// PatronInformationRequest is message 63.
type PatronInformationRequest struct {
	Language         Language  // fixed, 3
	TransactionDate  time.Time // fixed, 18
	Summary          Summary   // fixed, 10
	InstitutionID    string    // AO
	PatronID         string    // AA
	TerminalPassword *string   // AC
	PatronPassword   *string   // AD
	StartItem        string    // BP, 1-based
	EndItem          string    // BQ
	Extra            []Field
}

func (*PatronInformationRequest) Code() string { return CodePatronInformationRequest }
func (m *PatronInformationRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxCode(&m.Language, 3, LanguageUnknown, true), fxDate(&m.TransactionDate), fxFlags(m.Summary[:])},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), pres("AC", &m.TerminalPassword, false),
			pres("AD", &m.PatronPassword, false), opt("BP", &m.StartItem), opt("BQ", &m.EndItem)},
		extra: &m.Extra,
	}
}

// PatronInformationResponse is message 64. Counts are 0..9999; -1 is
// written as 4 blanks (unsupported).
type PatronInformationResponse struct {
	PatronStatus          PatronStatus // fixed, 14
	Language              Language     // fixed, 3
	TransactionDate       time.Time    // fixed, 18
	HoldItemsCount        int          // fixed, 4
	OverdueItemsCount     int          // fixed, 4
	ChargedItemsCount     int          // fixed, 4
	FineItemsCount        int          // fixed, 4
	RecallItemsCount      int          // fixed, 4
	UnavailableHoldsCount int          // fixed, 4
	InstitutionID         string       // AO
	PatronID              string       // AA
	PersonalName          string       // AE
	HoldItemsLimit        string       // BZ, 4 digits
	OverdueItemsLimit     string       // CA, 4 digits
	ChargedItemsLimit     string       // CB, 4 digits
	ValidPatron           *bool        // BL
	ValidPatronPassword   *bool        // CQ
	Currency              string       // BH
	FeeAmount             string       // BV
	FeeLimit              string       // CC
	HoldItems             []string     // AS
	OverdueItems          []string     // AT
	ChargedItems          []string     // AU
	FineItems             []string     // AV
	RecallItems           []string     // BU
	UnavailableHoldItems  []string     // CD
	HomeAddress           string       // BD
	EmailAddress          string       // BE
	HomePhone             string       // BF
	ScreenMessages        []string     // AF
	PrintLines            []string     // AG
	Extra                 []Field
}

func (*PatronInformationResponse) Code() string { return CodePatronInformationResponse }
func (m *PatronInformationResponse) layout() layout {
	return layout{
		fixed: []fixedSpec{fxFlags(m.PatronStatus[:]), fxCode(&m.Language, 3, LanguageUnknown, true), fxDate(&m.TransactionDate),
			fxCount(&m.HoldItemsCount), fxCount(&m.OverdueItemsCount), fxCount(&m.ChargedItemsCount),
			fxCount(&m.FineItemsCount), fxCount(&m.RecallItemsCount), fxCount(&m.UnavailableHoldsCount)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), req("AE", &m.PersonalName),
			opt("BZ", &m.HoldItemsLimit), opt("CA", &m.OverdueItemsLimit), opt("CB", &m.ChargedItemsLimit),
			flag("BL", &m.ValidPatron), flag("CQ", &m.ValidPatronPassword), opt("BH", &m.Currency),
			amount("BV", &m.FeeAmount, false), amount("CC", &m.FeeLimit, false),
			list("AS", &m.HoldItems), list("AT", &m.OverdueItems), list("AU", &m.ChargedItems),
			list("AV", &m.FineItems), list("BU", &m.RecallItems), list("CD", &m.UnavailableHoldItems),
			opt("BD", &m.HomeAddress), opt("BE", &m.EmailAddress), opt("BF", &m.HomePhone)},
		extra: &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// CheckoutRequest is message 11.
type CheckoutRequest struct {
	SCRenewalPolicy  bool      // fixed Y/N: the SC may renew an item already out to this patron
	NoBlock          bool      // fixed Y/N: done offline already; do not refuse
	TransactionDate  time.Time // fixed, 18
	NBDueDate        time.Time // fixed, 18; zero when blank
	InstitutionID    string    // AO
	PatronID         string    // AA
	ItemID           string    // AB
	TerminalPassword string    // AC
	ItemProperties   string    // CH
	PatronPassword   *string   // AD
	FeeAcknowledged  *bool     // BO
	Cancel           *bool     // BI
	Extra            []Field
}

func (*CheckoutRequest) Code() string { return CodeCheckoutRequest }
func (m *CheckoutRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxYN(&m.SCRenewalPolicy), fxYN(&m.NoBlock), fxDate(&m.TransactionDate), fxDate(&m.NBDueDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), id("AB", &m.ItemID), req("AC", &m.TerminalPassword),
			opt("CH", &m.ItemProperties), pres("AD", &m.PatronPassword, false), flag("BO", &m.FeeAcknowledged), flag("BI", &m.Cancel)},
		extra: &m.Extra,
	}
}

// CheckoutResponse is message 12.
type CheckoutResponse struct {
	OK              bool      // fixed 1/0
	RenewalOK       bool      // fixed Y/N: it was a renewal
	MagneticMedia   Tri       // fixed Y/N/U
	Desensitize     Tri       // fixed Y/N/U
	TransactionDate time.Time // fixed, 18
	InstitutionID   string    // AO
	PatronID        string    // AA
	ItemID          string    // AB
	TitleID         string    // AJ
	DueDate         string    // AH
	FeeType         FeeType   // BT
	SecurityInhibit *bool     // CI
	Currency        string    // BH
	FeeAmount       string    // BV
	MediaType       MediaType // CK
	ItemProperties  string    // CH
	TransactionID   string    // BK
	ScreenMessages  []string  // AF
	PrintLines      []string  // AG
	Extra           []Field
}

func (*CheckoutResponse) Code() string { return CodeCheckoutResponse }
func (m *CheckoutResponse) layout() layout {
	return circulationLayout(&m.OK, &m.RenewalOK, &m.MagneticMedia, &m.Desensitize, &m.TransactionDate,
		&m.InstitutionID, &m.PatronID, &m.ItemID, &m.TitleID, &m.DueDate, &m.FeeType, &m.SecurityInhibit, &m.Currency,
		&m.FeeAmount, &m.MediaType, &m.ItemProperties, &m.TransactionID, &m.ScreenMessages, &m.PrintLines, &m.Extra)
}

func circulationLayout(ok, renewal *bool, mm, des *Tri, date *time.Time, ao, aa, ab, aj, ah *string, bt *FeeType,
	ci **bool, bh, bv *string, ck *MediaType, ch, bk *string, af, ag *[]string, extra *[]Field) layout {
	return layout{
		fixed: []fixedSpec{fxOK(ok), fxYN(renewal), fxTri(mm), fxTri(des), fxDate(date)},
		fields: []fieldSpec{id("AO", ao), id("AA", aa), id("AB", ab), req("AJ", aj), req("AH", ah), optT("BT", bt),
			flag("CI", ci), opt("BH", bh), amount("BV", bv, false), optT("CK", ck), opt("CH", ch), optID("BK", bk)},
		extra: extra, screen: af, print: ag,
	}
}

// RenewResponse is message 30; its layout is that of 12.
type RenewResponse struct {
	OK              bool      // fixed 1/0
	RenewalOK       bool      // fixed Y/N
	MagneticMedia   Tri       // fixed Y/N/U
	Desensitize     Tri       // fixed Y/N/U
	TransactionDate time.Time // fixed, 18
	InstitutionID   string    // AO
	PatronID        string    // AA
	ItemID          string    // AB
	TitleID         string    // AJ
	DueDate         string    // AH
	FeeType         FeeType   // BT
	SecurityInhibit *bool     // CI
	Currency        string    // BH
	FeeAmount       string    // BV
	MediaType       MediaType // CK
	ItemProperties  string    // CH
	TransactionID   string    // BK
	ScreenMessages  []string  // AF
	PrintLines      []string  // AG
	Extra           []Field
}

func (*RenewResponse) Code() string { return CodeRenewResponse }
func (m *RenewResponse) layout() layout {
	return circulationLayout(&m.OK, &m.RenewalOK, &m.MagneticMedia, &m.Desensitize, &m.TransactionDate,
		&m.InstitutionID, &m.PatronID, &m.ItemID, &m.TitleID, &m.DueDate, &m.FeeType, &m.SecurityInhibit, &m.Currency,
		&m.FeeAmount, &m.MediaType, &m.ItemProperties, &m.TransactionID, &m.ScreenMessages, &m.PrintLines, &m.Extra)
}

// CheckinRequest is message 09.
type CheckinRequest struct {
	NoBlock          bool      // fixed Y/N
	TransactionDate  time.Time // fixed, 18
	ReturnDate       time.Time // fixed, 18
	CurrentLocation  string    // AP
	InstitutionID    string    // AO
	ItemID           string    // AB
	TerminalPassword string    // AC
	ItemProperties   string    // CH
	Cancel           *bool     // BI
	Extra            []Field
}

func (*CheckinRequest) Code() string { return CodeCheckinRequest }
func (m *CheckinRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxYN(&m.NoBlock), fxDate(&m.TransactionDate), fxDate(&m.ReturnDate)},
		fields: []fieldSpec{req("AP", &m.CurrentLocation), id("AO", &m.InstitutionID), id("AB", &m.ItemID), req("AC", &m.TerminalPassword),
			opt("CH", &m.ItemProperties), flag("BI", &m.Cancel)},
		extra: &m.Extra,
	}
}

// CheckinResponse is message 10, with the sorter extensions CR..DA.
type CheckinResponse struct {
	OK                  bool      // fixed 1/0
	Resensitize         bool      // fixed Y/N
	MagneticMedia       Tri       // fixed Y/N/U
	Alert               bool      // fixed Y/N: divert the item
	TransactionDate     time.Time // fixed, 18
	InstitutionID       string    // AO
	ItemID              string    // AB
	PermanentLocation   string    // AQ
	TitleID             string    // AJ
	SortBin             string    // CL
	PatronID            string    // AA
	MediaType           MediaType // CK
	ItemProperties      string    // CH
	CollectionCode      string    // CR (extension)
	CallNumber          string    // CS (extension)
	DestinationLocation string    // CT (extension)
	AlertType           AlertType // CV (extension)
	HoldPatronID        string    // CY (extension)
	HoldPatronName      string    // DA (extension)
	ScreenMessages      []string  // AF
	PrintLines          []string  // AG
	Extra               []Field
}

func (*CheckinResponse) Code() string { return CodeCheckinResponse }
func (m *CheckinResponse) layout() layout {
	return layout{
		fixed: []fixedSpec{fxOK(&m.OK), fxYN(&m.Resensitize), fxTri(&m.MagneticMedia), fxYN(&m.Alert), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AB", &m.ItemID), req("AQ", &m.PermanentLocation), req("AJ", &m.TitleID),
			opt("CL", &m.SortBin), optID("AA", &m.PatronID), optT("CK", &m.MediaType), opt("CH", &m.ItemProperties),
			opt("CR", &m.CollectionCode), opt("CS", &m.CallNumber), opt("CT", &m.DestinationLocation), optT("CV", &m.AlertType),
			optID("CY", &m.HoldPatronID), opt("DA", &m.HoldPatronName)},
		extra: &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// RenewRequest is message 29.
type RenewRequest struct {
	ThirdPartyAllowed bool      // fixed Y/N
	NoBlock           bool      // fixed Y/N
	TransactionDate   time.Time // fixed, 18
	NBDueDate         time.Time // fixed, 18
	InstitutionID     string    // AO
	PatronID          string    // AA
	PatronPassword    *string   // AD
	ItemID            string    // AB
	TitleID           string    // AJ
	TerminalPassword  *string   // AC
	ItemProperties    string    // CH
	FeeAcknowledged   *bool     // BO
	Extra             []Field
}

func (*RenewRequest) Code() string { return CodeRenewRequest }
func (m *RenewRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxYN(&m.ThirdPartyAllowed), fxYN(&m.NoBlock), fxDate(&m.TransactionDate), fxDate(&m.NBDueDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), pres("AD", &m.PatronPassword, false),
			optID("AB", &m.ItemID), opt("AJ", &m.TitleID), pres("AC", &m.TerminalPassword, false), opt("CH", &m.ItemProperties),
			flag("BO", &m.FeeAcknowledged)},
		extra: &m.Extra,
	}
}

// RenewAllRequest is message 65.
type RenewAllRequest struct {
	TransactionDate  time.Time // fixed, 18
	InstitutionID    string    // AO
	PatronID         string    // AA
	PatronPassword   *string   // AD
	TerminalPassword *string   // AC
	FeeAcknowledged  *bool     // BO
	Extra            []Field
}

func (*RenewAllRequest) Code() string { return CodeRenewAllRequest }
func (m *RenewAllRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), pres("AD", &m.PatronPassword, false),
			pres("AC", &m.TerminalPassword, false), flag("BO", &m.FeeAcknowledged)},
		extra: &m.Extra,
	}
}

// RenewAllResponse is message 66.
type RenewAllResponse struct {
	OK              bool      // fixed 1/0
	RenewedCount    int       // fixed, 4
	UnrenewedCount  int       // fixed, 4
	TransactionDate time.Time // fixed, 18
	InstitutionID   string    // AO
	RenewedItems    []string  // BM
	UnrenewedItems  []string  // BN
	ScreenMessages  []string  // AF
	PrintLines      []string  // AG
	Extra           []Field
}

func (*RenewAllResponse) Code() string { return CodeRenewAllResponse }
func (m *RenewAllResponse) layout() layout {
	return layout{
		fixed:  []fixedSpec{fxOK(&m.OK), fxCount(&m.RenewedCount), fxCount(&m.UnrenewedCount), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), list("BM", &m.RenewedItems), list("BN", &m.UnrenewedItems)},
		extra:  &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// ItemInformationRequest is message 17.
type ItemInformationRequest struct {
	TransactionDate  time.Time // fixed, 18
	InstitutionID    string    // AO
	ItemID           string    // AB
	TerminalPassword *string   // AC
	Extra            []Field
}

func (*ItemInformationRequest) Code() string { return CodeItemInformationRequest }
func (m *ItemInformationRequest) layout() layout {
	return layout{
		fixed:  []fixedSpec{fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AB", &m.ItemID), pres("AC", &m.TerminalPassword, false)},
		extra:  &m.Extra,
	}
}

// ItemInformationResponse is message 18, with the extensions CT..DA.
type ItemInformationResponse struct {
	CirculationStatus   CirculationStatus // fixed, 2
	SecurityMarker      SecurityMarker    // fixed, 2
	FeeType             FeeType           // fixed, 2
	TransactionDate     time.Time         // fixed, 18
	HoldQueueLength     string            // CF
	DueDate             string            // AH
	RecallDate          string            // CJ
	HoldPickupDate      string            // CM
	ItemID              string            // AB
	TitleID             string            // AJ
	Owner               string            // BG
	Currency            string            // BH
	FeeAmount           string            // BV
	MediaType           MediaType         // CK
	PermanentLocation   string            // AQ
	CurrentLocation     string            // AP
	ItemProperties      string            // CH
	DestinationLocation string            // CT (extension)
	CallNumber          string            // CS (extension)
	CollectionCode      string            // CR (extension)
	HoldPatronID        string            // CY (extension)
	HoldPatronName      string            // DA (extension)
	ScreenMessages      []string          // AF
	PrintLines          []string          // AG
	Extra               []Field
}

func (*ItemInformationResponse) Code() string { return CodeItemInformationResponse }
func (m *ItemInformationResponse) layout() layout {
	return layout{
		fixed: []fixedSpec{fxCode(&m.CirculationStatus, 2, CirculationOther, true), fxCode(&m.SecurityMarker, 2, SecurityOther, true),
			fxCode(&m.FeeType, 2, FeeOther, true), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{opt("CF", &m.HoldQueueLength), opt("AH", &m.DueDate), opt("CJ", &m.RecallDate), opt("CM", &m.HoldPickupDate),
			id("AB", &m.ItemID), req("AJ", &m.TitleID), opt("BG", &m.Owner), opt("BH", &m.Currency), amount("BV", &m.FeeAmount, false),
			optT("CK", &m.MediaType), opt("AQ", &m.PermanentLocation), opt("AP", &m.CurrentLocation), opt("CH", &m.ItemProperties),
			opt("CT", &m.DestinationLocation), opt("CS", &m.CallNumber), opt("CR", &m.CollectionCode),
			optID("CY", &m.HoldPatronID), opt("DA", &m.HoldPatronName)},
		extra: &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// ItemStatusUpdateRequest is message 19.
type ItemStatusUpdateRequest struct {
	TransactionDate  time.Time // fixed, 18
	InstitutionID    string    // AO
	ItemID           string    // AB
	TerminalPassword *string   // AC
	ItemProperties   string    // CH
	Extra            []Field
}

func (*ItemStatusUpdateRequest) Code() string { return CodeItemStatusUpdateRequest }
func (m *ItemStatusUpdateRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AB", &m.ItemID), pres("AC", &m.TerminalPassword, false),
			req("CH", &m.ItemProperties)},
		extra: &m.Extra,
	}
}

// ItemStatusUpdateResponse is message 20.
type ItemStatusUpdateResponse struct {
	ItemPropertiesOK bool      // fixed 1/0
	TransactionDate  time.Time // fixed, 18
	ItemID           string    // AB
	TitleID          string    // AJ
	ItemProperties   string    // CH
	ScreenMessages   []string  // AF
	PrintLines       []string  // AG
	Extra            []Field
}

func (*ItemStatusUpdateResponse) Code() string { return CodeItemStatusUpdateResponse }
func (m *ItemStatusUpdateResponse) layout() layout {
	return layout{
		fixed:  []fixedSpec{fxOK(&m.ItemPropertiesOK), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AB", &m.ItemID), opt("AJ", &m.TitleID), opt("CH", &m.ItemProperties)},
		extra:  &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// HoldRequest is message 15.
type HoldRequest struct {
	HoldMode         HoldMode  // fixed, 1: + add, - delete, * change
	TransactionDate  time.Time // fixed, 18
	ExpirationDate   string    // BW
	PickupLocation   string    // BS
	HoldType         HoldType  // BY
	InstitutionID    string    // AO
	PatronID         string    // AA
	PatronPassword   *string   // AD
	ItemID           string    // AB
	TitleID          string    // AJ
	TerminalPassword *string   // AC
	FeeAcknowledged  *bool     // BO
	Extra            []Field
}

func (*HoldRequest) Code() string { return CodeHoldRequest }
func (m *HoldRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxCode(&m.HoldMode, 1, HoldAdd, false), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{opt("BW", &m.ExpirationDate), opt("BS", &m.PickupLocation), optT("BY", &m.HoldType),
			id("AO", &m.InstitutionID), id("AA", &m.PatronID), pres("AD", &m.PatronPassword, false), optID("AB", &m.ItemID),
			opt("AJ", &m.TitleID), pres("AC", &m.TerminalPassword, false), flag("BO", &m.FeeAcknowledged)},
		extra: &m.Extra,
	}
}

// HoldResponse is message 16.
type HoldResponse struct {
	OK              bool      // fixed 1/0
	Available       bool      // fixed Y/N
	TransactionDate time.Time // fixed, 18
	ExpirationDate  string    // BW
	QueuePosition   string    // BR
	PickupLocation  string    // BS
	InstitutionID   string    // AO
	PatronID        string    // AA
	ItemID          string    // AB
	TitleID         string    // AJ
	ScreenMessages  []string  // AF
	PrintLines      []string  // AG
	Extra           []Field
}

func (*HoldResponse) Code() string { return CodeHoldResponse }
func (m *HoldResponse) layout() layout {
	return layout{
		fixed: []fixedSpec{fxOK(&m.OK), fxYN(&m.Available), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{opt("BW", &m.ExpirationDate), opt("BR", &m.QueuePosition), opt("BS", &m.PickupLocation),
			id("AO", &m.InstitutionID), id("AA", &m.PatronID), optID("AB", &m.ItemID), opt("AJ", &m.TitleID)},
		extra: &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// FeePaidRequest is message 37.
type FeePaidRequest struct {
	TransactionDate  time.Time   // fixed, 18
	FeeType          FeeType     // fixed, 2
	PaymentType      PaymentType // fixed, 2
	Currency         string      // fixed, 3 (ISO 4217)
	FeeAmount        string      // BV
	InstitutionID    string      // AO
	PatronID         string      // AA
	TerminalPassword *string     // AC
	PatronPassword   *string     // AD
	FeeID            string      // CG
	TransactionID    string      // BK
	Extra            []Field
}

func (*FeePaidRequest) Code() string { return CodeFeePaidRequest }
func (m *FeePaidRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxDate(&m.TransactionDate), fxCode(&m.FeeType, 2, FeeOther, true),
			fxCode(&m.PaymentType, 2, PaymentCash, true), fxCode(&m.Currency, 3, "EUR", false)},
		fields: []fieldSpec{amount("BV", &m.FeeAmount, true), id("AO", &m.InstitutionID), id("AA", &m.PatronID),
			pres("AC", &m.TerminalPassword, false), pres("AD", &m.PatronPassword, false), optID("CG", &m.FeeID), optID("BK", &m.TransactionID)},
		extra: &m.Extra,
	}
}

// FeePaidResponse is message 38.
type FeePaidResponse struct {
	PaymentAccepted bool      // fixed Y/N
	TransactionDate time.Time // fixed, 18
	InstitutionID   string    // AO
	PatronID        string    // AA
	TransactionID   string    // BK
	ScreenMessages  []string  // AF
	PrintLines      []string  // AG
	Extra           []Field
}

func (*FeePaidResponse) Code() string { return CodeFeePaidResponse }
func (m *FeePaidResponse) layout() layout {
	return layout{
		fixed:  []fixedSpec{fxYN(&m.PaymentAccepted), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), optID("BK", &m.TransactionID)},
		extra:  &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// EndPatronSessionRequest is message 35.
type EndPatronSessionRequest struct {
	TransactionDate  time.Time // fixed, 18
	InstitutionID    string    // AO
	PatronID         string    // AA
	TerminalPassword *string   // AC
	PatronPassword   *string   // AD
	Extra            []Field
}

func (*EndPatronSessionRequest) Code() string { return CodeEndPatronSessionRequest }
func (m *EndPatronSessionRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), pres("AC", &m.TerminalPassword, false),
			pres("AD", &m.PatronPassword, false)},
		extra: &m.Extra,
	}
}

// EndPatronSessionResponse is message 36.
type EndPatronSessionResponse struct {
	EndSession      bool      // fixed Y/N
	TransactionDate time.Time // fixed, 18
	InstitutionID   string    // AO
	PatronID        string    // AA
	ScreenMessages  []string  // AF
	PrintLines      []string  // AG
	Extra           []Field
}

func (*EndPatronSessionResponse) Code() string { return CodeEndPatronSessionResponse }
func (m *EndPatronSessionResponse) layout() layout {
	return layout{
		fixed:  []fixedSpec{fxYN(&m.EndSession), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID)},
		extra:  &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// BlockPatronRequest is message 01; the ACS answers with a 24.
type BlockPatronRequest struct {
	CardRetained     bool      // fixed Y/N
	TransactionDate  time.Time // fixed, 18
	InstitutionID    string    // AO
	BlockedCardMsg   string    // AL
	PatronID         string    // AA
	TerminalPassword string    // AC
	Extra            []Field
}

func (*BlockPatronRequest) Code() string { return CodeBlockPatronRequest }
func (m *BlockPatronRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxYN(&m.CardRetained), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), req("AL", &m.BlockedCardMsg), id("AA", &m.PatronID),
			req("AC", &m.TerminalPassword)},
		extra: &m.Extra,
	}
}

// PatronEnableRequest is message 25.
type PatronEnableRequest struct {
	TransactionDate  time.Time // fixed, 18
	InstitutionID    string    // AO
	PatronID         string    // AA
	TerminalPassword *string   // AC
	PatronPassword   *string   // AD
	Extra            []Field
}

func (*PatronEnableRequest) Code() string { return CodePatronEnableRequest }
func (m *PatronEnableRequest) layout() layout {
	return layout{
		fixed: []fixedSpec{fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), pres("AC", &m.TerminalPassword, false),
			pres("AD", &m.PatronPassword, false)},
		extra: &m.Extra,
	}
}

// PatronEnableResponse is message 26.
type PatronEnableResponse struct {
	PatronStatus        PatronStatus // fixed, 14
	Language            Language     // fixed, 3
	TransactionDate     time.Time    // fixed, 18
	InstitutionID       string       // AO
	PatronID            string       // AA
	PersonalName        string       // AE
	ValidPatron         *bool        // BL
	ValidPatronPassword *bool        // CQ
	ScreenMessages      []string     // AF
	PrintLines          []string     // AG
	Extra               []Field
}

func (*PatronEnableResponse) Code() string { return CodePatronEnableResponse }
func (m *PatronEnableResponse) layout() layout {
	return layout{
		fixed: []fixedSpec{fxFlags(m.PatronStatus[:]), fxCode(&m.Language, 3, LanguageUnknown, true), fxDate(&m.TransactionDate)},
		fields: []fieldSpec{id("AO", &m.InstitutionID), id("AA", &m.PatronID), req("AE", &m.PersonalName),
			flag("BL", &m.ValidPatron), flag("CQ", &m.ValidPatronPassword)},
		extra: &m.Extra, screen: &m.ScreenMessages, print: &m.PrintLines,
	}
}

// ACSResendRequest is message 97: the SC asks for the last response again.
// It carries only the AZ trailer.
type ACSResendRequest struct{}

func (*ACSResendRequest) Code() string   { return CodeACSResendRequest }
func (*ACSResendRequest) layout() layout { return layout{} }

// SCResendRequest is message 96: the ACS could not read the last request.
type SCResendRequest struct{}

func (*SCResendRequest) Code() string   { return CodeSCResendRequest }
func (*SCResendRequest) layout() layout { return layout{} }
