package search

import "fmt"

// Bib-1 diagnostic numbers (Z39.50 diagnostic set Bib-1) that query
// validation can produce. Adapters render them as Z39.50 diagnostics or map
// them to SRU ones (114 -> 16, 117 -> 19, 118/123 -> 22, 119/122 -> 32,
// 120 -> 28, 125 -> 36).
const (
	DiagUnsupportedAttributeType = 113
	DiagUnsupportedUse           = 114
	DiagUnsupportedRelation      = 117
	DiagUnsupportedStructure     = 118
	DiagUnsupportedPosition      = 119
	DiagUnsupportedTruncation    = 120
	DiagUnsupportedCompleteness  = 122
	DiagUnsupportedCombination   = 123
	DiagMalformedTerm            = 125
)

// Diagnostic is a query the index cannot answer, with the Bib-1 diagnostic
// number and the additional information a client should see (the offending
// attribute value, index name or term).
type Diagnostic struct {
	Code    int
	AddInfo string
}

func (d *Diagnostic) Error() string {
	return fmt.Sprintf("search: %s (bib-1 %d): %s", diagText(d.Code), d.Code, d.AddInfo)
}

func diagText(code int) string {
	switch code {
	case DiagUnsupportedAttributeType:
		return "unsupported attribute type"
	case DiagUnsupportedUse:
		return "unsupported use attribute"
	case DiagUnsupportedRelation:
		return "unsupported relation attribute"
	case DiagUnsupportedStructure:
		return "unsupported structure attribute"
	case DiagUnsupportedPosition:
		return "unsupported position attribute"
	case DiagUnsupportedTruncation:
		return "unsupported truncation attribute"
	case DiagUnsupportedCompleteness:
		return "unsupported completeness attribute"
	case DiagUnsupportedCombination:
		return "unsupported combination of attributes"
	case DiagMalformedTerm:
		return "malformed search term"
	}
	return "unsupported search"
}

func diag(code int, format string, args ...any) *Diagnostic {
	return &Diagnostic{Code: code, AddInfo: fmt.Sprintf(format, args...)}
}
