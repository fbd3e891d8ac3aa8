package z3950adapter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/cql"
	"github.com/bibgate/bibgate/search/rpnquery"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950server"
)

// Bib-1 conditions this adapter reports beyond the z3950 constants.
const (
	diagOnlyZeroStep       = 205 // Only zero step size supported for Scan
	diagNoSortedSetName    = 208
	diagDBSpecificSort     = 210 // Database specific sort not supported
	diagIllegalSortRel     = 214 // Illegal sort relation
	diagScanPosition       = 233 // Scan: unsupported value of position-in-response
	diagTooManySortKeys    = 211
	maxSortKeys            = 8
	diagUnsupportedAttrSet = z3950.DiagUnsupportedAttributeSet
)

// Search runs a Type-1 or CQL query against the catalogue.
func (s *session) Search(ctx context.Context, args z3950server.SearchArgs) (z3950server.SearchResult, error) {
	if err := s.checkDatabases(args.Databases); err != nil {
		return z3950server.SearchResult{}, err
	}
	var (
		q     search.Query
		sorts []search.SortSpec
		err   error
	)
	switch args.Query.Kind {
	case z3950.QueryRPN:
		q, err = rpnToQuery(args.Query.RPN, args.LookupResultSet)
	case z3950.QueryCQL:
		q, sorts, err = cqlToQuery(args.Query.CQL, args.LookupResultSet)
	default:
		err = z3950.NewDiagnostic(z3950.DiagUnsupportedQueryType, strconv.Itoa(args.Query.Type))
	}
	if err != nil {
		return z3950server.SearchResult{}, asDiagnostic(err)
	}
	res, err := s.b.Catalogue.Search(ctx, q)
	if err != nil {
		return z3950server.SearchResult{}, asDiagnostic(err)
	}
	ids := res.IDs
	if len(sorts) > 0 && len(ids) > 1 {
		if ids, err = s.b.Catalogue.Sort(ctx, ids, sorts...); err != nil {
			return z3950server.SearchResult{}, asDiagnostic(err)
		}
	}
	return z3950server.SearchResult{Count: len(ids), Handle: &resultSet{ids: ids}}, nil
}

// resultSetIDs resolves a result-set operand of a query to its ids.
func resultSetIDs(lookup func(string) (any, bool), name string) ([]uint32, bool) {
	if lookup == nil {
		return nil, false
	}
	h, ok := lookup(name)
	if !ok {
		return nil, false
	}
	rs, ok := h.(*resultSet)
	if !ok {
		return nil, false
	}
	return rs.ids, true
}

// asDiagnostic renders query and index errors as Bib-1 diagnostics; other
// errors pass unchanged (the server reports them as diagnostic 2 and logs
// them).
func asDiagnostic(err error) error {
	if d, ok := rpnquery.AsDiagnostic(err); ok {
		// A CQL syntax error has no offending index or term to name: say
		// what is wrong instead.
		var ce *cql.Error
		if d.AddInfo == "" && errors.As(err, &ce) && ce.Reason != "" {
			d = z3950.NewDiagnostic(d.Condition, ce.Reason)
		}
		return d
	}
	return err
}

// Scan lists index terms around the scan term.
func (s *session) Scan(ctx context.Context, args z3950server.ScanArgs) (z3950server.ScanResult, error) {
	if err := s.checkDatabases(args.Databases); err != nil {
		return z3950server.ScanResult{}, err
	}
	if args.AttributeSet != "" && args.AttributeSet != z3950.OIDBib1Attributes {
		return z3950server.ScanResult{}, z3950.NewDiagnostic(diagUnsupportedAttrSet, string(args.AttributeSet))
	}
	if args.StepSize != 0 {
		return z3950server.ScanResult{}, z3950.NewDiagnostic(diagOnlyZeroStep, strconv.Itoa(args.StepSize))
	}
	if args.Position < 0 || args.Position > args.Count+1 {
		return z3950server.ScanResult{}, z3950.NewDiagnostic(diagScanPosition, strconv.Itoa(args.Position))
	}
	t := args.Term
	if t.Term.Kind != z3950.TermGeneral && t.Term.Kind != z3950.TermCharacterString {
		return z3950server.ScanResult{}, z3950.NewDiagnostic(z3950.DiagUnsupportedTermType, strconv.Itoa(int(t.Term.Kind)))
	}
	use, _ := t.Attr(1)
	ix, err := search.ByUse(use)
	if err != nil {
		return z3950server.ScanResult{}, asDiagnostic(err)
	}
	for _, a := range t.Attributes {
		if a.AttributeSet != "" && a.AttributeSet != z3950.OIDBib1Attributes {
			return z3950server.ScanResult{}, z3950.NewDiagnostic(diagUnsupportedAttrSet, string(a.AttributeSet))
		}
		if a.Complex != nil {
			return z3950server.ScanResult{}, z3950.NewDiagnostic(z3950.DiagUnsupportedAttrType, strconv.Itoa(a.Type))
		}
		if a.Type == 2 && a.Value != int(search.RelEqual) && a.Value != int(search.RelGreaterEqual) {
			return z3950server.ScanResult{}, z3950.NewDiagnostic(z3950.DiagUnsupportedRelation, strconv.Itoa(a.Value))
		}
	}
	structure, _ := t.Attr(4)
	completeness, _ := t.Attr(6)
	headings := structure == int(search.StructPhrase) || structure == int(search.StructString) ||
		structure == int(search.StructKey) || completeness == int(search.CompleteSubfield) ||
		completeness == int(search.CompleteField)
	from := string(t.Term.Bytes)
	before := max(args.Position-1, 0)
	terms, err := s.b.Catalogue.Scan(ctx, search.ScanRequest{Index: ix.Name, Headings: headings, From: from,
		Before: before, Count: args.Count})
	if err != nil {
		return z3950server.ScanResult{}, asDiagnostic(err)
	}
	res := z3950server.ScanResult{Terms: make([]z3950server.ScanTerm, len(terms))}
	start := search.Fold(scanKey(ix, headings, from))
	res.Position = 1
	for i, st := range terms {
		res.Terms[i] = z3950server.ScanTerm{Term: st.Term, Count: st.Count}
		if search.Fold(st.Term) < start {
			res.Position = i + 2
		}
	}
	if len(terms) == 0 {
		res.Position = 0
	}
	return res, nil
}

// scanKey is the start term in the form the index files terms, so that the
// position of the start term in the list can be found.
func scanKey(ix *search.Index, headings bool, from string) string {
	switch ix.Kind {
	case search.KindText:
		if headings && ix.Headings {
			return search.Phrase(from)
		}
		if toks := search.Tokens(from); len(toks) > 0 {
			return toks[0]
		}
		return ""
	case search.KindISBN:
		k, _ := search.NormalizeISBN(from)
		return k
	case search.KindISSN:
		return search.NormalizeISSN(from)
	case search.KindLCCN:
		return search.NormalizeLCCN(from)
	}
	return search.Normalize(strings.TrimSpace(from))
}

// Sort orders the union of the input sets by title, author or date.
func (s *session) Sort(ctx context.Context, args z3950server.SortArgs) (z3950server.SearchResult, error) {
	if len(args.Keys) == 0 {
		return z3950server.SearchResult{}, z3950.NewDiagnostic(z3950.DiagUnsupportedSort, "no sort keys")
	}
	if len(args.Keys) > maxSortKeys {
		return z3950server.SearchResult{}, z3950.NewDiagnostic(diagTooManySortKeys, strconv.Itoa(maxSortKeys))
	}
	specs := make([]search.SortSpec, 0, len(args.Keys))
	for _, k := range args.Keys {
		spec, err := s.sortSpec(k)
		if err != nil {
			return z3950server.SearchResult{}, err
		}
		specs = append(specs, spec)
	}
	var ids []uint32
	for i, in := range args.Inputs {
		rs, ok := in.Handle.(*resultSet)
		if !ok {
			return z3950server.SearchResult{}, z3950.NewDiagnostic(z3950.DiagResultSetMissing, in.Name)
		}
		if i == 0 {
			ids = rs.ids
			continue
		}
		ids = union(ids, rs.ids)
	}
	sorted, err := s.b.Catalogue.Sort(ctx, slices.Clone(ids), specs...)
	if err != nil {
		return z3950server.SearchResult{}, asDiagnostic(err)
	}
	return z3950server.SearchResult{Count: len(sorted), Handle: &resultSet{ids: sorted}}, nil
}

// sortSpec maps one sort key: a sort field naming an index ("title",
// "dc.date") or Bib-1 sort attributes (1=4, 1=1003, 1=31 ...).
func (s *session) sortSpec(k z3950.SortKeySpec) (search.SortSpec, error) {
	key := k.Key
	if len(k.Databases) > 0 {
		found := false
		for i, db := range k.Databases {
			if strings.EqualFold(db, s.b.database()) && i < len(k.DatabaseKeys) {
				key, found = k.DatabaseKeys[i], true
				break
			}
		}
		if !found {
			return search.SortSpec{}, z3950.NewDiagnostic(diagDBSpecificSort, strings.Join(k.Databases, ","))
		}
	}
	var (
		ix  *search.Index
		err error
	)
	switch key.Kind {
	case z3950.SortField:
		name := strings.TrimSpace(key.Field)
		if ix, err = search.ByName(strings.ToLower(name)); err != nil {
			ix, err = search.ByCQL(name)
		}
		if err != nil {
			if use, convErr := strconv.Atoi(strings.TrimPrefix(name, "1=")); convErr == nil {
				ix, err = search.ByUse(use)
			}
		}
		if err != nil {
			return search.SortSpec{}, z3950.NewDiagnostic(z3950.DiagUnsupportedSort, name)
		}
	case z3950.SortAttributes:
		if key.AttributeSet != "" && key.AttributeSet != z3950.OIDBib1Attributes {
			return search.SortSpec{}, z3950.NewDiagnostic(diagUnsupportedAttrSet, string(key.AttributeSet))
		}
		use := 0
		for _, a := range key.Attributes {
			if a.Type == 1 {
				use = a.Value
			}
		}
		if use == 0 {
			return search.SortSpec{}, z3950.NewDiagnostic(z3950.DiagUnsupportedSort, "no use attribute")
		}
		if ix, err = search.ByUse(use); err != nil {
			return search.SortSpec{}, z3950.NewDiagnostic(z3950.DiagUnsupportedSort, strconv.Itoa(use))
		}
	default:
		return search.SortSpec{}, z3950.NewDiagnostic(z3950.DiagUnsupportedSort, "elementSpec")
	}
	sk, ok := search.SortKeyFor(ix)
	if !ok {
		return search.SortSpec{}, z3950.NewDiagnostic(z3950.DiagUnsupportedSort, ix.Name)
	}
	switch k.Relation {
	case 0:
		return search.SortSpec{Key: sk}, nil
	case 1:
		return search.SortSpec{Key: sk, Descending: true}, nil
	}
	return search.SortSpec{}, z3950.NewDiagnostic(diagIllegalSortRel, fmt.Sprint(k.Relation))
}

// union merges two id lists, keeping the first one's order and adding the
// second one's ids not in it.
func union(a, b []uint32) []uint32 {
	seen := make(map[uint32]struct{}, len(a))
	out := slices.Clone(a)
	for _, id := range a {
		seen[id] = struct{}{}
	}
	for _, id := range b {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}
