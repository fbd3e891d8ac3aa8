package z3950adapter_test

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bibgate/bibgate/internal/ber"
)

// The ASN.1 rendering written under each APDU of a transcript: one line per
// value, indented by depth, with the Z39.50 names of the fields. It is a
// reading aid; the hex above it is what the replay compares.

// pduNames names the APDUs by tag.
var pduNames = map[int]string{20: "initRequest", 21: "initResponse", 22: "searchRequest", 23: "searchResponse",
	24: "presentRequest", 25: "presentResponse", 26: "deleteResultSetRequest", 27: "deleteResultSetResponse",
	35: "scanRequest", 36: "scanResponse", 43: "sortRequest", 44: "sortResponse", 48: "close"}

// fieldNames names the context tags directly inside each APDU.
var fieldNames = map[int]map[int]string{
	20: {2: "referenceId", 3: "protocolVersion", 4: "options", 5: "preferredMessageSize", 6: "exceptionalRecordSize",
		7: "idAuthentication", 110: "implementationId", 111: "implementationName", 112: "implementationVersion",
		11: "userInformationField", 201: "otherInfo"},
	21: {2: "referenceId", 3: "protocolVersion", 4: "options", 5: "preferredMessageSize", 6: "exceptionalRecordSize",
		12: "result", 110: "implementationId", 111: "implementationName", 112: "implementationVersion",
		11: "userInformationField", 201: "otherInfo"},
	22: {2: "referenceId", 13: "smallSetUpperBound", 14: "largeSetLowerBound", 15: "mediumSetPresentNumber",
		16: "replaceIndicator", 17: "resultSetName", 18: "databaseNames", 100: "smallSetElementSetNames",
		101: "mediumSetElementSetNames", 104: "preferredRecordSyntax", 21: "query", 203: "additionalSearchInfo", 201: "otherInfo"},
	23: {2: "referenceId", 23: "resultCount", 24: "numberOfRecordsReturned", 25: "nextResultSetPosition",
		22: "searchStatus", 26: "resultSetStatus", 27: "presentStatus", 28: "responseRecords",
		130: "nonSurrogateDiagnostic", 205: "multipleNonSurDiagnostics", 201: "otherInfo"},
	24: {2: "referenceId", 31: "resultSetId", 30: "resultSetStartPoint", 29: "numberOfRecordsRequested",
		212: "additionalRanges", 19: "simpleElementSetNames", 209: "complexCompSpec", 104: "preferredRecordSyntax", 201: "otherInfo"},
	25: {2: "referenceId", 24: "numberOfRecordsReturned", 25: "nextResultSetPosition", 27: "presentStatus",
		28: "responseRecords", 130: "nonSurrogateDiagnostic", 205: "multipleNonSurDiagnostics", 201: "otherInfo"},
	26: {2: "referenceId", 32: "deleteFunction", 31: "resultSetList", 201: "otherInfo"},
	27: {2: "referenceId", 0: "deleteOperationStatus", 1: "deleteListStatuses", 34: "numberNotDeleted",
		35: "bulkStatuses", 36: "deleteMessage", 201: "otherInfo"},
	35: {2: "referenceId", 3: "databaseNames", 102: "termListAndStartPoint", 5: "stepSize", 6: "numberOfTermsRequested",
		7: "preferredPositionInResponse", 201: "otherInfo"},
	36: {2: "referenceId", 3: "stepSize", 4: "scanStatus", 5: "numberOfEntriesReturned", 6: "positionOfTerm",
		7: "entries", 8: "attributeSet", 201: "otherInfo"},
	43: {2: "referenceId", 3: "inputResultSetNames", 4: "sortedResultSetName", 5: "sortSequence", 201: "otherInfo"},
	44: {2: "referenceId", 3: "sortStatus", 4: "resultSetStatus", 5: "diagnostics", 6: "resultCount", 201: "otherInfo"},
	48: {2: "referenceId", 211: "closeReason", 3: "diagnosticInformation", 4: "resourceReportFormat", 201: "otherInfo"},
}

// nestedNames names context tags below the first level where Z39.50 uses
// them unambiguously.
var nestedNames = map[int]string{
	44: "attributeList", 45: "term", 46: "operator", 102: "attributesPlusTerm", 105: "databaseName",
	120: "attributeType", 121: "attributeValue", 103: "elementSetName", 104: "cql", 214: "resultAttr",
}

// oidNames names the object identifiers the transcripts use.
var oidNames = map[ber.OID]string{
	"1.2.840.10003.3.1": "Bib-1 attributes", "1.2.840.10003.4.1": "Bib-1 diagnostics", "1.2.840.10003.4.2": "Diag-1",
	"1.2.840.10003.5.10": "USMARC", "1.2.840.10003.5.101": "SUTRS", "1.2.840.10003.5.102": "OPAC",
	"1.2.840.10003.5.109.10": "XML", "1.2.840.10003.10.3": "UserInfo-1", "1.2.840.10003.16.2": "CQL",
	"1.2.840.10003.15.3": "charset negotiation", "1.0.10646.1.0.8": "UTF-8",
}

// field names a value and, for a constructed one, its children. Scopes
// are keyed by "c<tag>" or "p<tag>" (constructed or primitive context
// tag), "<tag>" (either), or "seq" for the elements of a SEQUENCE OF.
type field struct {
	name string
	kids scope
}

type scope map[string]field

func (s scope) find(n *ber.Node) (field, bool) {
	if s == nil {
		return field{}, false
	}
	if n.Class == ber.Universal {
		f, ok := s["seq"]
		return f, ok && n.Tag == 16
	}
	kind := "p"
	if n.Constructed {
		kind = "c"
	}
	if f, ok := s[fmt.Sprint(kind, n.Tag)]; ok {
		return f, true
	}
	f, ok := s[fmt.Sprint(n.Tag)]
	return f, ok
}

var namePlusRecord = scope{"seq": {"namePlusRecord", scope{"0": {"name", nil},
	"1": {"record", scope{"1": {"retrievalRecord", nil}, "2": {"surrogateDiagnostic", nil}}}}}}

var circRecord = scope{"1": {"availableNow", nil}, "2": {"availablityDate", nil}, "3": {"availableThru", nil},
	"4": {"restrictions", nil}, "5": {"itemId", nil}, "6": {"renewable", nil}, "7": {"onHold", nil},
	"8": {"enumAndChron", nil}, "9": {"midspine", nil}, "10": {"temporaryLocation", nil}}

var holdingsAndCirc = scope{"1": {"typeOfRecord", nil}, "2": {"encodingLevel", nil}, "3": {"format", nil},
	"4": {"receiptAcqStatus", nil}, "5": {"generalRetention", nil}, "6": {"completeness", nil}, "7": {"dateOfReport", nil},
	"8": {"nucCode", nil}, "9": {"localLocation", nil}, "10": {"shelvingLocation", nil}, "11": {"callNumber", nil},
	"12": {"shelvingData", nil}, "13": {"copyNumber", nil}, "14": {"publicNote", nil}, "15": {"reproductionNote", nil},
	"16": {"termsUseRepro", nil}, "17": {"enumAndChron", nil}, "18": {"volumes", nil},
	"19": {"circulationData", scope{"seq": {"circRecord", circRecord}}}}

var opacRecord = scope{"seq": {"opacRecord", scope{"1": {"bibliographicRecord", nil},
	"2": {"holdingsData", scope{"1": {"marcHoldingsRecord", nil}, "2": {"holdingsAndCirc", holdingsAndCirc}}}}}}

var scanEntries = scope{"1": {"entries", scope{"1": {"termInfo", scope{"45": {"term", nil}, "0": {"displayTerm", nil},
	"2": {"globalOccurrences", nil}}}, "2": {"surrogateDiagnostic", nil}}}, "2": {"nonsurrogateDiagnostics", nil}}

var sortSequence = scope{"seq": {"sortKeySpec", scope{"c1": {"generic", scope{"0": {"sortField", nil},
	"2": {"sortAttributes", nil}}}, "c2": {"databaseSpecific", nil}, "p1": {"sortRelation", nil},
	"p2": {"caseSensitivity", nil}, "3": {"missingValueAction", nil}}}}

var listStatuses = scope{"seq": {"listStatus", scope{"31": {"id", nil}, "33": {"status", nil}}}}

// childScopes gives the APDU fields whose insides have names.
var childScopes = map[string]scope{
	"responseRecords": namePlusRecord, "entries": scanEntries, "sortSequence": sortSequence,
	"deleteListStatuses": listStatuses, "bulkStatuses": listStatuses,
}

// dumpPDU renders one APDU.
func dumpPDU(raw []byte) []string {
	n, err := ber.Unmarshal(raw, ber.Limits{MaxSize: 16 << 20})
	if err != nil {
		return []string{"not BER: " + err.Error()}
	}
	var out []string
	name := pduNames[n.Tag]
	if name == "" || n.Class != ber.Context {
		name = "APDU"
	}
	out = append(out, name+" "+label(n)+" {")
	for _, c := range n.Children {
		fname := fieldNames[n.Tag][c.Tag]
		if c.Class != ber.Context {
			fname = ""
		}
		dumpNode(&out, c, fname, childScopes[fname], 1)
	}
	return append(out, "}")
}

func dumpNode(out *[]string, n *ber.Node, name string, kids scope, depth int) {
	if name == "" && n.Class == ber.Context {
		name = nestedNames[n.Tag]
	}
	head := strings.Repeat("  ", depth)
	if name != "" {
		head += name + " "
	}
	head += label(n)
	if !n.Constructed {
		*out = append(*out, head+" "+value(n, name))
		return
	}
	if len(n.Children) == 0 {
		*out = append(*out, head+" {}")
		return
	}
	// The OPAC record inside an EXTERNAL gets its field names.
	if n.Class == ber.Universal && n.Tag == 8 && len(n.Children) > 1 {
		if o, err := n.Children[0].OID(); err == nil && o == "1.2.840.10003.5.102" {
			kids = scope{"0": {"single-ASN1-type", opacRecord}}
		}
	}
	*out = append(*out, head+" {")
	for _, c := range n.Children {
		f, _ := kids.find(c)
		dumpNode(out, c, f.name, f.kids, depth+1)
	}
	*out = append(*out, strings.Repeat("  ", depth)+"}")
}

// label is a value's tag as ASN.1 writes it: [n] for context tags, the
// type name for universal ones.
func label(n *ber.Node) string {
	if n.Class == ber.Universal {
		switch n.Tag {
		case 1:
			return "BOOLEAN"
		case 2:
			return "INTEGER"
		case 3:
			return "BIT STRING"
		case 4:
			return "OCTET STRING"
		case 5:
			return "NULL"
		case 6:
			return "OID"
		case 8:
			return "EXTERNAL"
		case 10:
			return "ENUMERATED"
		case 16:
			return "SEQUENCE"
		case 26:
			return "VisibleString"
		case 27:
			return "GeneralString"
		}
		return fmt.Sprintf("[UNIVERSAL %d]", n.Tag)
	}
	if n.Class == ber.Context {
		return fmt.Sprintf("[%d]", n.Tag)
	}
	return fmt.Sprintf("[%s %d]", n.Class, n.Tag)
}

// value renders a primitive value by what its name or type says it is.
func value(n *ber.Node, name string) string {
	switch {
	case n.Class == ber.Universal && n.Tag == 6, name == "preferredRecordSyntax", name == "resourceReportFormat":
		if o, err := n.OID(); err == nil {
			if s := oidNames[o]; s != "" {
				return string(o) + " (" + s + ")"
			}
			return string(o)
		}
	case n.Class == ber.Universal && n.Tag == 1, name == "result", name == "searchStatus", name == "replaceIndicator",
		name == "availableNow", name == "renewable", name == "onHold":
		if b, err := n.Bool(); err == nil {
			return strings.ToUpper(fmt.Sprint(b))
		}
	case n.Class == ber.Universal && n.Tag == 3, name == "protocolVersion", name == "options":
		if b, err := n.BitString(); err == nil {
			var bits []string
			for i := 0; i < 8*len(n.Value); i++ {
				if b.At(i) {
					bits = append(bits, fmt.Sprint(i))
				}
			}
			return "bits {" + strings.Join(bits, " ") + "}"
		}
	case n.Class == ber.Universal && (n.Tag == 2 || n.Tag == 10), isIntField(name):
		if v, err := n.Int(); err == nil {
			return fmt.Sprint(v)
		}
	case n.Class == ber.Universal && n.Tag == 5:
		return ""
	}
	return text(n.Value)
}

func isIntField(name string) bool {
	switch name {
	case "preferredMessageSize", "exceptionalRecordSize", "smallSetUpperBound", "largeSetLowerBound",
		"mediumSetPresentNumber", "resultCount", "numberOfRecordsReturned", "nextResultSetPosition", "resultSetStatus",
		"presentStatus", "resultSetStartPoint", "numberOfRecordsRequested", "deleteFunction", "deleteOperationStatus",
		"numberNotDeleted", "stepSize", "numberOfTermsRequested", "preferredPositionInResponse", "scanStatus",
		"numberOfEntriesReturned", "positionOfTerm", "sortStatus", "closeReason", "attributeType", "attributeValue",
		"globalOccurrences", "sortRelation", "caseSensitivity", "status":
		return true
	}
	return false
}

// text renders octets as a quoted string when they are UTF-8 text (MARC's
// separators shown as escapes), else as hex.
func text(b []byte) string {
	if !utf8.Valid(b) {
		return fmt.Sprintf("'%X'H", b)
	}
	printable := 0
	for _, c := range string(b) {
		if c >= 0x20 || c == 0x1d || c == 0x1e || c == 0x1f || c == '\n' {
			printable++
		}
	}
	if printable < utf8.RuneCount(b) {
		return fmt.Sprintf("'%X'H", b)
	}
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range string(b) {
		switch c {
		case '\n':
			s.WriteString(`\n`)
		case 0x1d:
			s.WriteString(`\x1d`)
		case 0x1e:
			s.WriteString(`\x1e`)
		case 0x1f:
			s.WriteString(`\x1f`)
		case '"', '\\':
			s.WriteByte('\\')
			s.WriteRune(c)
		default:
			s.WriteRune(c)
		}
	}
	s.WriteByte('"')
	return s.String()
}
