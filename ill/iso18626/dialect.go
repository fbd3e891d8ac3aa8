package iso18626

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Dialect is one peer's way of bending ISO 18626, as a small named shim
// applied by Reader.Parse after reading and by Writer.Marshal before
// writing, so that the engine sees one model whoever the peer is. Dialects
// agree on two conventions: signals peers carry in notes become Markers, and
// an empty status on a Notification means the status has not changed.
type Dialect struct {
	Name string
	// Version is the edition the peer speaks; Writer uses it when asked for
	// none.
	Version Version
	// VersionAttr is the version attribute the peer expects, "" for
	// Version.String().
	VersionAttr string
	// Read adjusts a message just read (before validation).
	Read func(m *Message)
	// Write adjusts a message about to be written. It gets a shallow copy of
	// the caller's Message and must copy any struct it changes.
	Write func(m *Message)
}

// DialectNamed returns the dialect a configuration names: reshare, oclc,
// alma (or rapido), or nil for "" (none).
func DialectNamed(name string) (*Dialect, error) {
	switch strings.ToLower(name) {
	case "":
		return nil, nil
	case "reshare":
		return ReShare, nil
	case "oclc":
		return OCLC, nil
	case "alma", "rapido":
		return Alma, nil
	}
	return nil, fmt.Errorf("ISO 18626 dialect %q: use reshare, oclc or alma", name)
}

// Markers are in-band signals a peer carries in a note, read out of it by
// the peer's dialect (and written back into it for that peer).
type Markers struct {
	// Seq numbers a peer's messages, LastSeq is the last number it sent
	// before, so that loss and reordering show; nil when absent.
	Seq, LastSeq *int
	// Flags are the signals without value, in order: the Flag constants,
	// or a peer's own name for one this package does not know.
	Flags []string
	// Updated are request fields the requester changed: field name
	// (ReShare's, e.g. "Title", "Neededby") → new value.
	Updated map[string]string
}

// Has reports whether the markers carry flag f.
func (mk *Markers) Has(f string) bool {
	if mk == nil {
		return false
	}
	for _, g := range mk.Flags {
		if g == f {
			return true
		}
	}
	return false
}

// Flags in Markers, in the engine's words.
const (
	// The supplier adds a loan condition the requester must agree to.
	FlagAddLoanCondition = "AddLoanCondition"
	// The supplier waits for the requester to agree to its conditions.
	FlagAwaitingConditionConfirmation = "AwaitingConditionConfirmation"
	// The supplier went ahead taking the conditions as agreed.
	FlagConditionsAssumedAgreed = "ConditionsAssumedAgreed"
	// The requester agrees to the conditions.
	FlagConditionsAccepted = "ConditionsAccepted"
	// The requester refuses the conditions.
	FlagConditionsRejected = "ConditionsRejected"
)

func intp(n int) *int { return &n }

// noteOf returns a copy-on-write pointer to m's note: the message struct
// that holds it is copied first, so that the caller's message is untouched.
func noteOf(m *Message) *string {
	switch {
	case m.Request != nil:
		r := *m.Request
		s := ServiceInfo{}
		if r.ServiceInfo != nil {
			s = *r.ServiceInfo
		}
		r.ServiceInfo = &s
		m.Request = &r
		return &s.Note
	case m.SupplyingAgencyMessage != nil:
		s := *m.SupplyingAgencyMessage
		m.SupplyingAgencyMessage = &s
		return &s.MessageInfo.Note
	case m.RequestingAgencyMessage != nil:
		r := *m.RequestingAgencyMessage
		m.RequestingAgencyMessage = &r
		return &r.Note
	}
	return nil
}

func appendLine(note, line string) string {
	if note == "" {
		return line
	}
	return note + "\n" + line
}

// ReShare is the dialect of ReShare (mod-rs): ISO 18626:2017 with version
// 1.2, and the markers it writes into notes because 2017 has no conditional
// reply — #seq:N#, #lastSeq:N#, #ReShareAddLoanCondition#,
// #ReShareLoanConditionAgreeResponse#,
// #ReShareSupplierAwaitingConditionConfirmation#,
// #ReShareSupplierConditionsAssumedAgreed#, #ReShareUpdatedField-F:value# —
// read into Markers and stripped from the note, and written back from them.
// ReShare sends status RequestReceived on every Notification; it is read as
// no status change. Toward ReShare a refusal of conditions is a Cancel, as
// ReShare expects it.
var ReShare = &Dialect{
	Name:        "reshare",
	Version:     V2017,
	VersionAttr: "1.2",
	Read:        reshareRead,
	Write:       reshareWrite,
}

var (
	reshareMarker = regexp.MustCompile(`#(seq|lastSeq):(-?\d+)#|#ReShareUpdatedField-([A-Za-z]+)[:-]([^#]*)#|#(ReShare[A-Za-z]+)#`)
	reshareFlags  = map[string]string{
		"ReShareAddLoanCondition":                      FlagAddLoanCondition,
		"ReShareLoanConditionAgreeResponse":            FlagConditionsAccepted,
		"ReShareSupplierAwaitingConditionConfirmation": FlagAwaitingConditionConfirmation,
		"ReShareSupplierConditionsAssumedAgreed":       FlagConditionsAssumedAgreed,
	}
	// reshareDashFields are the updated fields ReShare separates from
	// their value with '-' rather than ':'.
	reshareDashFields = map[string]bool{"ServiceLevel": true, "MaximumCostsMonetaryValue": true, "MaximumCostsCurrencyCode": true}
)

func reshareRead(m *Message) {
	if s := m.SupplyingAgencyMessage; s != nil && s.MessageInfo.ReasonForMessage == ReasonNotification &&
		s.StatusInfo.Status == StatusRequestReceived {
		s.StatusInfo.Status = ""
	}
	note := m.Note()
	if note == nil || !strings.Contains(*note, "#") {
		return
	}
	mk := &Markers{}
	found := false
	*note = reshareMarker.ReplaceAllStringFunc(*note, func(s string) string {
		g := reshareMarker.FindStringSubmatch(s)
		found = true
		switch {
		case g[1] != "":
			n, err := strconv.Atoi(g[2])
			if err != nil {
				return s
			}
			if g[1] == "seq" {
				mk.Seq = intp(n)
			} else {
				mk.LastSeq = intp(n)
			}
		case g[3] != "":
			if mk.Updated == nil {
				mk.Updated = map[string]string{}
			}
			mk.Updated[g[3]] = g[4]
		default:
			f, ok := reshareFlags[g[5]]
			if !ok {
				f = g[5]
			}
			mk.Flags = append(mk.Flags, f)
		}
		return ""
	})
	if found {
		*note = strings.TrimSpace(*note)
		m.Markers = mk
	}
}

func reshareWrite(m *Message) {
	mk := m.Markers
	if r := m.RequestingAgencyMessage; r != nil && r.Action == ActionNotification && mk.Has(FlagConditionsRejected) {
		c := *r
		c.Action = ActionCancel
		m.RequestingAgencyMessage = &c
	}
	if mk == nil {
		return
	}
	note := noteOf(m)
	if note == nil {
		return
	}
	var b strings.Builder
	b.WriteString(*note)
	for _, f := range mk.Flags {
		if f == FlagConditionsRejected {
			continue // said by the Cancel
		}
		name := f
		for rs, ours := range reshareFlags {
			if ours == f {
				name = rs
			}
		}
		b.WriteString("#" + name + "#")
	}
	for _, k := range sortedKeys(mk.Updated) {
		sep := ":"
		if reshareDashFields[k] {
			sep = "-"
		}
		b.WriteString("#ReShareUpdatedField-" + k + sep + strings.ReplaceAll(mk.Updated[k], "#", "") + "#")
	}
	if mk.LastSeq != nil {
		b.WriteString("#lastSeq:" + strconv.Itoa(*mk.LastSeq) + "#")
	}
	if mk.Seq != nil {
		b.WriteString("#seq:" + strconv.Itoa(*mk.Seq) + "#")
	}
	*note = b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// OCLC is the dialect of OCLC WorldShare ILL and Tipasa: schema-valid
// ISO 18626:2017 with version attribute v1_2_2017.
var OCLC = &Dialect{
	Name:        "oclc",
	Version:     V2017,
	VersionAttr: "v1_2_2017",
}

// Alma is the dialect of Ex Libris Alma and Rapido. Alma staff see only the
// note, so toward Alma what matters is flattened into it: loan conditions,
// offered and delivery costs, the delivery URL, the return address of a loan
// and the delivery address of a request. Alma has no ExpectToSupply
// (WillSupply is sent), takes only its own service levels (anything else
// becomes Standard) and upper-case identifier codes. From Alma, a
// Notification whose note is ACCEPT or REJECT answers conditions.
var Alma = &Dialect{
	Name:    "alma",
	Version: V2017,
	Read:    almaRead,
	Write:   almaWrite,
}

var almaServiceLevels = map[string]string{"standard": "Standard", "rush": "Rush", "express": "Express",
	"normal": "Normal", "urgent": "Urgent", "secondarymail": "SecondaryMail"}

func almaRead(m *Message) {
	r := m.RequestingAgencyMessage
	if r == nil || r.Action != ActionNotification {
		return
	}
	switch strings.ToUpper(strings.TrimSpace(r.Note)) {
	case "ACCEPT":
		m.Markers = &Markers{Flags: []string{FlagConditionsAccepted}}
	case "REJECT":
		m.Markers = &Markers{Flags: []string{FlagConditionsRejected}}
	}
}

func costsText(c Costs) string {
	return strings.TrimSpace(c.MonetaryValue + " " + c.CurrencyCode.Value)
}

func addressText(name string, p *PhysicalAddress) string {
	var parts []string
	for _, s := range []string{name, p.Line1, p.Line2, strings.TrimSpace(p.PostalCode + " " + p.Locality), p.Region.Value, p.Country.Value} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func almaWrite(m *Message) {
	switch {
	case m.SupplyingAgencyMessage != nil:
		note := noteOf(m) // copies the message
		s := m.SupplyingAgencyMessage
		if s.StatusInfo.Status == StatusExpectToSupply {
			s.StatusInfo.Status = StatusWillSupply
		}
		var lines []string
		if m.Markers.Has(FlagAwaitingConditionConfirmation) {
			lines = append(lines, "Conditions pending: please answer ACCEPT or REJECT in a note.")
		}
		if d := s.DeliveryInfo; d != nil {
			for _, c := range d.LoanCondition {
				lines = append(lines, "Loan condition: "+c.Value)
			}
			for _, c := range d.DeliveryCosts {
				lines = append(lines, "Delivery costs: "+costsText(c))
			}
			if d.URL != "" {
				lines = append(lines, "URL: "+d.URL)
			}
		}
		if c := s.MessageInfo.OfferedCosts; c != nil {
			lines = append(lines, "Offered costs: "+costsText(*c))
		} else if ri := s.RetryInfo; ri != nil && len(ri.OfferedCosts) > 0 {
			lines = append(lines, "Offered costs: "+costsText(ri.OfferedCosts[0]))
		}
		if ri := s.ReturnInfo; ri != nil && ri.PhysicalAddress != nil && s.StatusInfo.Status == StatusLoaned {
			lines = append(lines, "Return to: "+addressText(ri.Name, ri.PhysicalAddress))
		}
		for _, l := range lines {
			if !strings.Contains(*note, l) {
				*note = appendLine(*note, l)
			}
		}
	case m.Request != nil:
		hadService := m.Request.ServiceInfo != nil
		note := noteOf(m) // copies the request and its serviceInfo
		r := m.Request
		if sl := r.ServiceInfo.ServiceLevel; !sl.IsZero() {
			v, ok := almaServiceLevels[strings.ToLower(strings.TrimSpace(sl.Value))]
			if !ok {
				v = "Standard"
			}
			r.ServiceInfo.ServiceLevel = SchemeValue{Scheme: sl.Scheme, Value: v}
		}
		b := r.BibliographicInfo
		b.BibliographicItemID = append([]BibliographicItemID(nil), b.BibliographicItemID...)
		for i := range b.BibliographicItemID {
			b.BibliographicItemID[i].Code.Value = strings.ToUpper(b.BibliographicItemID[i].Code.Value)
		}
		b.BibliographicRecordID = append([]BibliographicRecordID(nil), b.BibliographicRecordID...)
		for i := range b.BibliographicRecordID {
			b.BibliographicRecordID[i].Code.Value = strings.ToUpper(b.BibliographicRecordID[i].Code.Value)
		}
		r.BibliographicInfo = b
		for _, d := range r.RequestedDeliveryInfo {
			if d.Address != nil && d.Address.PhysicalAddress != nil {
				name := ""
				if r.RequestingAgencyInfo != nil {
					name = r.RequestingAgencyInfo.Name
				}
				l := "Deliver to: " + addressText(name, d.Address.PhysicalAddress)
				if !strings.Contains(*note, l) {
					*note = appendLine(*note, l)
				}
				break
			}
		}
		if !hadService {
			// No serviceInfo, so no note to flatten into: a serviceInfo
			// would need a serviceType the request does not give.
			r.ServiceInfo = nil
		}
	}
}
