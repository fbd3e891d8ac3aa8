package sru

import (
	"strings"

	"github.com/bibgate/bibgate/search/cql"
)

// ParseSortKeys turns an SRU 1.1 sortKeys parameter into CQL sort keys.
// The parameter is a space-separated list of keys, each
// "path,schema,ascending,caseSensitive,missingValue" with trailing parts
// optional: ascending 1/0 (or true/false, default 1), caseSensitive 1/0
// (default 0), missingValue abort, highValue, lowValue, omit or a value.
// path must be an index name (dc.title), not an XPath; schema is ignored.
func ParseSortKeys(s string) ([]cql.SortKey, error) {
	var keys []cql.SortKey
	for _, spec := range strings.Fields(s) {
		parts := strings.Split(spec, ",")
		if len(parts) > 5 || parts[0] == "" {
			return nil, NewDiagnostic(DiagParamValue, "sortKeys")
		}
		for len(parts) < 5 {
			parts = append(parts, "")
		}
		k := cql.SortKey{Index: parts[0]}
		switch parts[2] {
		case "", "1", "true":
			k.Modifiers = append(k.Modifiers, cql.Modifier{Name: "sort.ascending"})
		case "0", "false":
			k.Modifiers = append(k.Modifiers, cql.Modifier{Name: "sort.descending"})
		default:
			return nil, NewDiagnostic(90, parts[2])
		}
		switch parts[3] {
		case "", "0", "false":
		case "1", "true":
			k.Modifiers = append(k.Modifiers, cql.Modifier{Name: "sort.respectCase"})
		default:
			return nil, NewDiagnostic(91, parts[3])
		}
		switch parts[4] {
		case "":
		case "abort":
			k.Modifiers = append(k.Modifiers, cql.Modifier{Name: "sort.missingFail"})
		case "highValue":
			k.Modifiers = append(k.Modifiers, cql.Modifier{Name: "sort.missingHigh"})
		case "lowValue":
			k.Modifiers = append(k.Modifiers, cql.Modifier{Name: "sort.missingLow"})
		case "omit":
			k.Modifiers = append(k.Modifiers, cql.Modifier{Name: "sort.missingOmit"})
		default:
			k.Modifiers = append(k.Modifiers, cql.Modifier{Name: "sort.missingValue", Comparison: "=", Value: parts[4]})
		}
		keys = append(keys, k)
	}
	return keys, nil
}
