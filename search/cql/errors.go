package cql

import "fmt"

// SRU diagnostic numbers (info:srw/diagnostic/1/N) that this package
// reports.
const (
	DiagSyntax               = 10 // query syntax error
	DiagTooLong              = 12 // too many characters in query
	DiagParentheses          = 13 // invalid or unsupported use of parentheses
	DiagQuotes               = 14 // invalid or unsupported use of quotes
	DiagContextSet           = 15 // unsupported context set
	DiagIndex                = 16 // unsupported index
	DiagRelation             = 19 // unsupported relation
	DiagRelationModifier     = 20 // unsupported relation modifier
	DiagEmptyTerm            = 27 // empty term unsupported
	DiagMasking              = 28 // masking character not supported
	DiagAnchorPosition       = 32 // anchoring character in unsupported position
	DiagBoolean              = 37 // unsupported boolean operator
	DiagTooManyBooleans      = 38 // too many boolean operators in query
	DiagProximityRelation    = 40 // unsupported proximity relation
	DiagProximityDistance    = 41 // unsupported proximity distance
	DiagProximityUnit        = 42 // unsupported proximity unit
	DiagProximityCombination = 44 // unsupported combination of proximity modifiers
	DiagPrefixMultiple       = 45 // prefix assigned to multiple identifiers
	DiagBooleanModifier      = 46 // unsupported boolean modifier
	DiagSortType             = 81 // unsupported sort type
)

var diagMessages = map[int]string{
	DiagSyntax:               "Query syntax error",
	DiagTooLong:              "Too many characters in query",
	DiagParentheses:          "Invalid or unsupported use of parentheses",
	DiagQuotes:               "Invalid or unsupported use of quotes",
	DiagContextSet:           "Unsupported context set",
	DiagIndex:                "Unsupported index",
	DiagRelation:             "Unsupported relation",
	DiagRelationModifier:     "Unsupported relation modifier",
	DiagEmptyTerm:            "Empty term unsupported",
	DiagMasking:              "Masking character not supported",
	DiagAnchorPosition:       "Anchoring character in unsupported position",
	DiagBoolean:              "Unsupported boolean operator",
	DiagTooManyBooleans:      "Too many boolean operators in query",
	DiagProximityRelation:    "Unsupported proximity relation",
	DiagProximityDistance:    "Unsupported proximity distance",
	DiagProximityUnit:        "Unsupported proximity unit",
	DiagProximityCombination: "Unsupported combination of proximity modifiers",
	DiagPrefixMultiple:       "Prefix assigned to multiple identifiers",
	DiagBooleanModifier:      "Unsupported boolean modifier",
	DiagSortType:             "Unsupported sort type",
}

// Error is a query the package rejects. Code is the SRU diagnostic number
// (DiagSyntax ...), Details the SRU diagnostic details (the offending
// index, relation or modifier), Pos the byte offset in the query where the
// parser stopped, or -1 when the error is not tied to a position.
type Error struct {
	Code    int
	Details string
	Pos     int
	Reason  string // a sentence for people, in English
}

func (e *Error) Error() string {
	msg := diagMessages[e.Code]
	if msg == "" {
		msg = fmt.Sprintf("diagnostic %d", e.Code)
	}
	s := "cql: " + msg
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Pos >= 0 {
		s += fmt.Sprintf(" at offset %d", e.Pos)
	}
	return s
}

// Message returns the standard SRU message for the error's code.
func (e *Error) Message() string { return diagMessages[e.Code] }

func errorf(code, pos int, details, format string, args ...any) *Error {
	return &Error{Code: code, Pos: pos, Details: details, Reason: fmt.Sprintf(format, args...)}
}
