package z3950server

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/z3950"
)

// A small in-memory catalogue used by the tests.
type book struct {
	id, title, author, isbn, year string
	callNumber                    string
	available                     bool
	big                           int // pad the record to this many bytes
}

var catalogue = []book{
	{id: "1", title: "How to program a computer", author: "Collins, Jack", isbn: "9780201896831", year: "1991", callNumber: "005.1 COL", available: true},
	{id: "2", title: "Computer networks", author: "Tanenbaum, Andrew", isbn: "9780132126953", year: "2010", callNumber: "004.6 TAN"},
	{id: "3", title: "War and peace", author: "Tolstoy, Leo", isbn: "9780140447934", year: "1869", callNumber: "891.73 TOL", available: true},
	{id: "4", title: "Anna Karenina", author: "Tolstoy, Leo", isbn: "9780143035008", year: "1878", callNumber: "891.73 TOL"},
	{id: "5", title: "Computing machinery and intelligence", author: "Turing, Alan", year: "1950", callNumber: "006.3 TUR", available: true},
	{id: "6", title: "Big computer manual", author: "Anon", year: "2001", big: 6000},
	{id: "7", title: "Huge computer atlas", author: "Anon", year: "2002", big: 40000},
}

type fakeBackend struct {
	requireAuth bool
	inits       []InitInfo
}

func (b *fakeBackend) Init(_ context.Context, info InitInfo) (Session, error) {
	b.inits = append(b.inits, info)
	if info.User == "" && b.requireAuth {
		return nil, z3950.NewDiagnostic(z3950.DiagInitRefused, "authentication required")
	}
	if info.User != "" && (info.User != "alice" || info.Password != "secret") {
		return nil, z3950.NewDiagnostic(z3950.DiagBadUserPassword, info.User)
	}
	return &fakeSession{}, nil
}

type fakeSession struct{ closed bool }

func (s *fakeSession) Close() error { s.closed = true; return nil }

// handle is a result set: indexes into catalogue.
type handle []int

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

func (s *fakeSession) Search(_ context.Context, args SearchArgs) (SearchResult, error) {
	for _, db := range args.Databases {
		if db != "Default" {
			return SearchResult{}, z3950.NewDiagnostic(z3950.DiagDatabaseMissing, db)
		}
	}
	var hits []int
	var err error
	switch args.Query.Kind {
	case z3950.QueryRPN:
		hits, err = s.eval(args.Query.RPN.Root, args.LookupResultSet)
	case z3950.QueryCQL:
		index, term, ok := strings.Cut(args.Query.CQL, "=")
		if !ok {
			index, term = "cql.serverChoice", args.Query.CQL
		}
		use := map[string]int{"dc.title": 4, "dc.creator": 1003, "cql.serverchoice": 1016}[strings.ToLower(strings.TrimSpace(index))]
		if use == 0 {
			return SearchResult{}, z3950.NewDiagnostic(z3950.DiagUnsupportedUse, index)
		}
		hits = match(use, strings.Trim(strings.TrimSpace(term), `"`), false)
	}
	if err != nil {
		return SearchResult{}, err
	}
	return SearchResult{Count: len(hits), Handle: handle(hits)}, nil
}

func (s *fakeSession) eval(n z3950.RPNStructure, lookup func(string) (any, bool)) ([]int, error) {
	switch v := n.(type) {
	case *z3950.AttributesPlusTerm:
		use, ok := v.Attr(1)
		if !ok {
			use = 1016
		}
		trunc, _ := v.Attr(5)
		if trunc != 0 && trunc != 1 && trunc != 100 {
			return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedTruncation, strconv.Itoa(trunc))
		}
		if use != 4 && use != 1003 && use != 1016 && use != 7 {
			return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedUse, strconv.Itoa(use))
		}
		if v.Term.Kind != z3950.TermGeneral {
			return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedTermType, "")
		}
		return match(use, string(v.Term.Bytes), trunc == 1), nil
	case *z3950.ResultSetOperand:
		h, ok := lookup(v.ID)
		if !ok {
			return nil, z3950.NewDiagnostic(z3950.DiagResultSetMissing, v.ID)
		}
		return h.(handle), nil
	case *z3950.RPNOperation:
		l, err := s.eval(v.Left, lookup)
		if err != nil {
			return nil, err
		}
		r, err := s.eval(v.Right, lookup)
		if err != nil {
			return nil, err
		}
		var out []int
		switch v.Op.Kind {
		case z3950.OpAnd:
			for _, x := range l {
				if slices.Contains(r, x) {
					out = append(out, x)
				}
			}
		case z3950.OpOr:
			out = append(append(out, l...), r...)
			sort.Ints(out)
			out = slices.Compact(out)
		case z3950.OpAndNot:
			for _, x := range l {
				if !slices.Contains(r, x) {
					out = append(out, x)
				}
			}
		default:
			return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedOperator, "prox")
		}
		return out, nil
	}
	return nil, z3950.NewDiagnostic(z3950.DiagMalformedQuery, "")
}

func match(use int, term string, rightTrunc bool) []int {
	var hits []int
	qw := words(term)
	for i, b := range catalogue {
		var field string
		switch use {
		case 4:
			field = b.title
		case 1003:
			field = b.author
		case 7:
			if b.isbn != "" && strings.ReplaceAll(term, "-", "") == b.isbn {
				hits = append(hits, i)
			}
			continue
		default:
			field = b.title + " " + b.author + " " + b.year
		}
		fw := words(field)
		all := len(qw) > 0
		for j, w := range qw {
			found := false
			for _, f := range fw {
				if f == w || (rightTrunc && j == len(qw)-1 && strings.HasPrefix(f, w)) {
					found = true
				}
			}
			all = all && found
		}
		if all {
			hits = append(hits, i)
		}
	}
	return hits
}

func (s *fakeSession) Records(_ context.Context, args RecordsArgs) ([]Record, error) {
	switch args.ElementSet {
	case "", "F", "B", "marcxml", "opac":
	default:
		return nil, z3950.NewDiagnostic(z3950.DiagBadElementSetName, args.ElementSet)
	}
	switch args.Syntax {
	case z3950.OIDUSMARC, z3950.OIDXML, z3950.OIDSUTRS, z3950.OIDOPAC:
	default:
		return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedSyntax, string(args.Syntax))
	}
	h := args.Handle.(handle)
	var out []Record
	for i := args.Start - 1; i < args.Start-1+args.Count && i < len(h); i++ {
		b := catalogue[h[i]]
		out = append(out, Record{Database: "Default", External: render(b, args.Syntax)})
	}
	return out, nil
}

func render(b book, syntax ber.OID) *ber.External {
	switch syntax {
	case z3950.OIDXML:
		return z3950.OctetRecord(z3950.OIDXML, []byte(fmt.Sprintf(
			`<record xmlns="http://www.loc.gov/MARC21/slim"><controlfield tag="001">%s</controlfield>`+
				`<datafield tag="245" ind1="1" ind2="0"><subfield code="a">%s</subfield></datafield></record>`, b.id, b.title)))
	case z3950.OIDSUTRS:
		return z3950.SUTRSRecord(fmt.Sprintf("title: %s\nauthor: %s\n", b.title, b.author))
	case z3950.OIDOPAC:
		return (&z3950.OPACRecord{
			Bibliographic: z3950.OctetRecord(z3950.OIDUSMARC, marcRecord(b)),
			Holdings: []z3950.HoldingsRecord{{Circ: &z3950.HoldingsAndCirc{
				LocalLocation: "Central Library", CallNumber: b.callNumber,
				Circulation: []z3950.CircRecord{{AvailableNow: b.available, ItemID: "BC" + b.id, AvailabilityDate: "2030-01-15", Renewable: true}},
			}}},
		}).External()
	}
	return z3950.OctetRecord(z3950.OIDUSMARC, marcRecord(b))
}

// marcRecord builds a minimal MARC 21 record in ISO 2709.
func marcRecord(b book) []byte {
	type field struct{ tag, data string }
	fields := []field{
		{"001", b.id},
		{"008", "910710s" + b.year + "    xx            000 0 eng d"},
		{"100", "1 \x1fa" + b.author},
		{"245", "10\x1fa" + b.title},
	}
	if b.isbn != "" {
		fields = append(fields, field{"020", "  \x1fa" + b.isbn})
	}
	if b.big > 0 {
		fields = append(fields, field{"500", "  \x1fa" + strings.Repeat("x", b.big)})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].tag < fields[j].tag })
	var dir, data strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&dir, "%s%04d%05d", f.tag, len(f.data)+1, data.Len())
		data.WriteString(f.data + "\x1e")
	}
	base := 24 + dir.Len() + 1
	total := base + data.Len() + 1
	leader := fmt.Sprintf("%05dnam a22%05d a 4500", total, base)
	return []byte(leader + dir.String() + "\x1e" + data.String() + "\x1d")
}

func (s *fakeSession) Scan(_ context.Context, args ScanArgs) (ScanResult, error) {
	use, _ := args.Term.Attr(1)
	if use != 4 && use != 1003 {
		return ScanResult{}, z3950.NewDiagnostic(z3950.DiagUnsupportedUse, strconv.Itoa(use))
	}
	counts := map[string]int{}
	for _, b := range catalogue {
		f := b.title
		if use == 1003 {
			f = b.author
		}
		seen := map[string]bool{}
		for _, w := range words(f) {
			if !seen[w] {
				counts[w]++
				seen[w] = true
			}
		}
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	from := sort.SearchStrings(keys, strings.ToLower(string(args.Term.Term.Bytes)))
	start := max(0, from-(args.Position-1))
	var res ScanResult
	for i := start; i < len(keys) && len(res.Terms) < args.Count; i++ {
		res.Terms = append(res.Terms, ScanTerm{Term: keys[i], DisplayTerm: strings.ToUpper(keys[i]), Count: counts[keys[i]]})
	}
	res.Position = from - start + 1
	return res, nil
}

func (s *fakeSession) Sort(_ context.Context, args SortArgs) (SearchResult, error) {
	var all handle
	for _, in := range args.Inputs {
		all = append(all, in.Handle.(handle)...)
	}
	sorted := slices.Clone(all)
	for k := len(args.Keys) - 1; k >= 0; k-- {
		key := args.Keys[k]
		var use int
		switch key.Key.Kind {
		case z3950.SortAttributes:
			for _, a := range key.Key.Attributes {
				if a.Type == 1 {
					use = a.Value
				}
			}
		case z3950.SortField:
			use = map[string]int{"title": 4, "author": 1003, "date": 31}[key.Key.Field]
		}
		get := map[int]func(book) string{4: func(b book) string { return b.title }, 1003: func(b book) string { return b.author },
			31: func(b book) string { return b.year }}[use]
		if get == nil {
			return SearchResult{}, z3950.NewDiagnostic(z3950.DiagUnsupportedSort, "")
		}
		sort.SliceStable(sorted, func(i, j int) bool {
			a, b := get(catalogue[sorted[i]]), get(catalogue[sorted[j]])
			if key.CaseSensitivity == 1 {
				a, b = strings.ToLower(a), strings.ToLower(b)
			}
			if key.Relation == 1 {
				return a > b
			}
			return a < b
		})
	}
	return SearchResult{Count: len(sorted), Handle: sorted}, nil
}
