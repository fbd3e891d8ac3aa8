package z3950

import (
	"fmt"

	"github.com/bibgate/bibgate/internal/ber"
)

// Diagnostic is a DiagRec: normally a DefaultDiagFormat (diagnostic set,
// condition, addinfo). It implements error so a backend can return one.
type Diagnostic struct {
	Set       ber.OID // empty means Bib-1
	Condition int
	AddInfo   string
	// External holds an externallyDefined DiagRec as received; encoders
	// ignore the fields above when it is set.
	External *ber.External
}

// NewDiagnostic returns a Bib-1 diagnostic.
func NewDiagnostic(condition int, addinfo string) *Diagnostic {
	return &Diagnostic{Set: OIDBib1Diagnostics, Condition: condition, AddInfo: addinfo}
}

func (d *Diagnostic) Error() string {
	msg := Bib1Message(d.Condition)
	set := "bib-1"
	if d.Set != "" && d.Set != OIDBib1Diagnostics {
		set = string(d.Set)
		msg = ""
	}
	s := fmt.Sprintf("z3950: %s diagnostic %d", set, d.Condition)
	if msg != "" {
		s += " (" + msg + ")"
	}
	if d.AddInfo != "" {
		s += ": " + d.AddInfo
	}
	return s
}

// Bib-1 diagnostic conditions the server and its backends use.
const (
	DiagPermanentSystemError     = 1
	DiagTemporarySystemError     = 2
	DiagUnsupportedSearch        = 3
	DiagPresentOutOfRange        = 13
	DiagErrorPresentingRecord    = 14
	DiagRecordTooLargeForMessage = 16
	DiagRecordTooLarge           = 17
	DiagResultSetExists          = 21
	DiagResultSetNamingUnsupp    = 22
	DiagDatabaseCombination      = 23
	DiagBadElementSetName        = 25
	DiagResultSetDeleted         = 27
	DiagResultSetMissing         = 30
	DiagUnspecified              = 100
	DiagUnsupportedQueryType     = 107
	DiagMalformedQuery           = 108
	DiagDatabaseUnavailable      = 109
	DiagUnsupportedOperator      = 110
	DiagTooManyResultSets        = 112
	DiagUnsupportedAttrType      = 113
	DiagUnsupportedUse           = 114
	DiagUnsupportedRelation      = 117
	DiagUnsupportedStructure     = 118
	DiagUnsupportedPosition      = 119
	DiagUnsupportedTruncation    = 120
	DiagUnsupportedAttributeSet  = 121
	DiagUnsupportedCompleteness  = 122
	DiagUnsupportedAttrCombo     = 123
	DiagMalformedTerm            = 125
	DiagUnsupportedSort          = 207
	DiagMalformedScan            = 228
	DiagUnsupportedTermType      = 229
	DiagDatabaseMissing          = 235
	DiagAccessDenied             = 236
	DiagNotInSyntax              = 238
	DiagUnsupportedSyntax        = 239
	DiagUnsupportedAddRanges     = 243
	DiagUnsupportedCompSpec      = 244
	DiagMalformedAPDU            = 1001
	DiagInitRefused              = 1010
	DiagBadUserPassword          = 1011
	DiagAuthSystemError          = 1014
	DiagTooManySessions          = 1015
	DiagRecordDeleted            = 1028
	DiagTooManyScanTerms         = 1029
)

var bib1Messages = map[int]string{
	1:    "Permanent system error",
	2:    "Temporary system error",
	3:    "Unsupported search",
	13:   "Present request out-of-range",
	14:   "System error in presenting records",
	16:   "Record exceeds Preferred-message-size",
	17:   "Record exceeds Exceptional-record-size",
	21:   "Result set exists and replace indicator off",
	22:   "Result set naming not supported",
	23:   "Specified combination of databases not supported",
	25:   "Specified element set name not valid for specified database",
	27:   "Result set no longer exists - unilaterally deleted by target",
	30:   "Specified result set does not exist",
	100:  "Unspecified error",
	107:  "Query type not supported",
	108:  "Malformed query",
	109:  "Database unavailable",
	110:  "Operator unsupported",
	112:  "Too many result sets created",
	113:  "Unsupported attribute type",
	114:  "Unsupported Use attribute",
	117:  "Unsupported Relation attribute",
	118:  "Unsupported Structure attribute",
	119:  "Unsupported Position attribute",
	120:  "Unsupported Truncation attribute",
	121:  "Unsupported Attribute Set",
	122:  "Unsupported Completeness attribute",
	123:  "Unsupported attribute combination",
	125:  "Malformed search term",
	207:  "Cannot sort according to sequence",
	228:  "Scan: malformed scan",
	229:  "Term type not supported",
	235:  "Database does not exist",
	236:  "Access to specified database denied",
	238:  "Record not available in requested syntax",
	239:  "Record syntax not supported",
	243:  "Present: additional-ranges parameter not supported",
	244:  "Present: comp-spec parameter not supported",
	1001: "Malformed APDU",
	1010: "Init/AC: Bad Userid",
	1011: "Init/AC: Bad Userid and/or Password",
	1014: "Init/AC: Authentication System error",
	1015: "Init/AC: Maximum number of simultaneous sessions for Userid",
	1028: "Record deleted",
	1029: "Scan: too many terms requested",
}

// Bib1Message returns the standard text of a Bib-1 condition, or "".
func Bib1Message(condition int) string { return bib1Messages[condition] }

// defaultDiagNode encodes a DefaultDiagFormat body (a SEQUENCE) with the
// given tag. In version 2 addinfo is a VisibleString, else a GeneralString.
func (d *Diagnostic) defaultDiagNode(c ber.Class, tag int, v2 bool) *ber.Node {
	set := d.Set
	if set == "" {
		set = OIDBib1Diagnostics
	}
	strTag := ber.TagGeneralString
	if v2 {
		strTag = ber.TagVisibleString
	}
	return ber.NewConstructed(c, tag,
		ber.NewOID(ber.Universal, ber.TagOID, set),
		ber.NewInt(ber.Universal, ber.TagInteger, int64(d.Condition)),
		ber.NewString(ber.Universal, strTag, d.AddInfo))
}

// diagRecNode encodes a DiagRec CHOICE (untagged).
func (d *Diagnostic) diagRecNode(v2 bool) *ber.Node {
	if d.External != nil {
		return d.External.Node(ber.Universal, ber.TagExternal)
	}
	return d.defaultDiagNode(ber.Universal, ber.TagSequence, v2)
}

// parseDefaultDiag decodes a DefaultDiagFormat body whatever its tag.
func parseDefaultDiag(n *ber.Node) (*Diagnostic, error) {
	if !n.Constructed || len(n.Children) < 2 {
		return nil, fmt.Errorf("z3950: DefaultDiagFormat: %w", errShape)
	}
	d := &Diagnostic{}
	var err error
	if d.Set, err = n.Children[0].OID(); err != nil {
		return nil, fmt.Errorf("z3950: diagnosticSetId: %w", err)
	}
	if d.Condition, err = n.Children[1].IntValue(); err != nil {
		return nil, fmt.Errorf("z3950: diagnostic condition: %w", err)
	}
	if len(n.Children) > 2 {
		if d.AddInfo, err = n.Children[2].Text(); err != nil {
			return nil, fmt.Errorf("z3950: addinfo: %w", err)
		}
	}
	return d, nil
}

// parseDiagRec decodes a DiagRec CHOICE.
func parseDiagRec(n *ber.Node) (*Diagnostic, error) {
	if n.Is(ber.Universal, ber.TagExternal) {
		e, err := ber.ParseExternal(n)
		if err != nil {
			return nil, err
		}
		d := &Diagnostic{External: e, Set: e.DirectReference}
		if e.DirectReference == OIDDiag1 && e.Encoding == ber.SingleASN1Type {
			if inner := diag1First(e.Single); inner != nil {
				inner.External = e
				return inner, nil
			}
		}
		return d, nil
	}
	return parseDefaultDiag(n)
}

// diag1Node encodes a Diag-1 DiagnosticFormat holding one defaultDiagRec.
func (d *Diagnostic) diag1Node(v2 bool) *ber.Node {
	return ber.NewSequence(ber.NewSequence(
		ber.NewConstructed(ber.Context, 1, d.defaultDiagNode(ber.Context, 1, v2))))
}

// diag1First returns the first defaultDiagRec in a Diag-1 DiagnosticFormat.
func diag1First(n *ber.Node) *Diagnostic {
	if n == nil {
		return nil
	}
	for _, item := range n.Children {
		wrap := item.Child(ber.Context, 1)
		if wrap == nil || len(wrap.Children) != 1 {
			continue
		}
		if inner := wrap.Children[0]; inner.Is(ber.Context, 1) {
			if d, err := parseDefaultDiag(inner); err == nil {
				return d
			}
		}
	}
	return nil
}
