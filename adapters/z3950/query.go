package z3950adapter

import (
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/cqlquery"
	"github.com/bibgate/bibgate/search/rpnquery"
	"github.com/bibgate/bibgate/z3950"
)

// rpnToQuery converts a Type-1 query; result-set operands name earlier
// result sets of the association.
func rpnToQuery(q *z3950.RPNQuery, lookup func(string) (any, bool)) (search.Query, error) {
	return rpnquery.Converter{ResultSet: resultSetQuery(lookup)}.FromRPN(q)
}

// cqlToQuery parses and converts a type-104 CQL query with its sortBy keys;
// cql.resultSetId names earlier result sets of the association.
func cqlToQuery(text string, lookup func(string) (any, bool)) (search.Query, []search.SortSpec, error) {
	return cqlquery.Converter{ResultSet: resultSetQuery(lookup)}.Parse(text)
}

// resultSetQuery resolves a result set's name to the set of its records.
func resultSetQuery(lookup func(string) (any, bool)) func(string) (search.Query, error) {
	return func(name string) (search.Query, error) {
		ids, ok := resultSetIDs(lookup, name)
		if !ok {
			return nil, z3950.NewDiagnostic(z3950.DiagResultSetMissing, name)
		}
		return &search.Set{IDs: ids}, nil
	}
}
