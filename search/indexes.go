package search

import (
	"slices"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/marc"
)

// Kind says how an index normalises what it files and what it is asked.
type Kind int

// Index kinds.
const (
	// KindText files words, the first word of each field and (when the
	// index keeps Headings) each whole field.
	KindText  Kind = iota + 1
	KindISBN       // ISBN-13 form (ISBN-10 converted)
	KindISSN       // eight characters, no hyphen
	KindLCCN       // see NormalizeLCCN
	KindID         // whole value, trimmed and case-folded (001)
	KindStdID      // any standard number; ISBNs and ISSNs in their index forms
	KindYear       // four-digit years
	KindCode       // coded values (language codes, material types)
)

// FieldSpec names where an index takes its text from.
type FieldSpec struct {
	// Tag is a field tag; 'X' matches any digit ("6XX"). "LDR" is the leader.
	Tag string
	// Subfields lists the subfield codes of a data field to take; empty means
	// every letter code (digit codes are links and sources, never text).
	Subfields string
	// Start and End select bytes [Start, End) of a control field or the
	// leader; End 0 means the whole value.
	Start, End int
}

// Index is one searchable index. The table (see Indexes) is the single place
// where MARC fields, Bib-1 use attributes and CQL index names meet.
type Index struct {
	// ID is stored in every index key on disk: never renumber.
	ID       uint8
	Name     string
	Kind     Kind
	Fields   []FieldSpec
	Use      []int    // Bib-1 use attributes mapped here
	CQL      []string // CQL index names, lower-case ("dc.title")
	Headings bool     // text kind: also file first words, word pairs and whole fields
	// Identifiers (text kind) also files the index forms of ISBNs (020) and
	// ISSNs (022) as words, and lets an ISBN- or ISSN-shaped query match them,
	// so a keyword search for any printed form of an ISBN finds the record.
	Identifiers bool
}

// indexTableRows is the index table; Indexes hands out copies of it.
var indexTableRows = []*Index{
	{ID: 1, Name: "title", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "245", Subfields: "abnp"}, {Tag: "246", Subfields: "abnp"},
			{Tag: "130", Subfields: "anp"}, {Tag: "240", Subfields: "anp"}, {Tag: "210", Subfields: "ab"},
			{Tag: "222", Subfields: "ab"}, {Tag: "242", Subfields: "abnp"}, {Tag: "730", Subfields: "anp"},
			{Tag: "740", Subfields: "anp"}, {Tag: "440", Subfields: "anp"}, {Tag: "490", Subfields: "a"},
			{Tag: "830", Subfields: "anp"},
			// The title of a name/title entry ("Strauss, Johann. $t Die
			// Fledermaus") is a title too.
			{Tag: "600", Subfields: "t"}, {Tag: "610", Subfields: "t"}, {Tag: "611", Subfields: "t"},
			{Tag: "700", Subfields: "t"}, {Tag: "710", Subfields: "t"}, {Tag: "711", Subfields: "t"},
			{Tag: "800", Subfields: "t"}, {Tag: "810", Subfields: "t"}, {Tag: "811", Subfields: "t"}},
		Use: []int{4, 33},
		CQL: []string{"dc.title", "bath.title", "bath.keytitle", "title"}},
	{ID: 2, Name: "author", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "100", Subfields: "abcdq"}, {Tag: "110", Subfields: "abcdn"},
			{Tag: "111", Subfields: "acdnq"}, {Tag: "700", Subfields: "abcdq"}, {Tag: "710", Subfields: "abcdn"},
			{Tag: "711", Subfields: "acdnq"}, {Tag: "800", Subfields: "abcdq"}, {Tag: "810", Subfields: "abcdn"},
			{Tag: "811", Subfields: "acdnq"}},
		Use: []int{1003, 1002},
		CQL: []string{"dc.creator", "dc.author", "dc.contributor", "bath.name", "author", "creator"}},
	{ID: 3, Name: "subject", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "6XX"}},
		Use:    []int{21, 1079},
		CQL:    []string{"dc.subject", "bath.subject", "bath.subjects", "bath.topicalsubject", "subject"}},
	{ID: 4, Name: "isbn", Kind: KindISBN,
		Fields: []FieldSpec{{Tag: "020", Subfields: "az"}},
		Use:    []int{7},
		CQL:    []string{"bath.isbn", "isbn"}},
	{ID: 5, Name: "issn", Kind: KindISSN,
		Fields: []FieldSpec{{Tag: "022", Subfields: "alyz"}},
		Use:    []int{8},
		CQL:    []string{"bath.issn", "issn"}},
	{ID: 6, Name: "local", Kind: KindID,
		Fields: []FieldSpec{{Tag: "001"}},
		Use:    []int{12},
		CQL:    []string{"rec.id", "bath.localnumber", "local"}},
	{ID: 7, Name: "stdid", Kind: KindStdID,
		Fields: []FieldSpec{{Tag: "020", Subfields: "az"}, {Tag: "022", Subfields: "alyz"},
			{Tag: "024", Subfields: "az"}, {Tag: "027", Subfields: "az"}, {Tag: "028", Subfields: "a"}},
		Use: []int{1007},
		CQL: []string{"dc.identifier", "bath.standardidentifier", "identifier"}},
	{ID: 8, Name: "any", Kind: KindText, Identifiers: true,
		Fields: []FieldSpec{{Tag: "010", Subfields: "a"}, {Tag: "020", Subfields: "a"}, {Tag: "022", Subfields: "a"},
			{Tag: "024", Subfields: "a"}, {Tag: "1XX"}, {Tag: "2XX"}, {Tag: "3XX"}, {Tag: "4XX"}, {Tag: "5XX"},
			{Tag: "6XX"}, {Tag: "7XX"}, {Tag: "8XX"}},
		Use: []int{1016, 1017},
		CQL: []string{"cql.serverchoice", "cql.anywhere", "cql.keywords", "cql.allindexes", "cql.anyindexes",
			"bath.anywhere", "any", "anywhere", "keyword", "serverchoice"}},
	{ID: 9, Name: "date", Kind: KindYear,
		Fields: []FieldSpec{{Tag: "008", Start: 7, End: 11}, {Tag: "260", Subfields: "c"}, {Tag: "264", Subfields: "c"}},
		Use:    []int{30, 31},
		CQL:    []string{"dc.date", "bath.date", "date", "year"}},
	{ID: 10, Name: "lccn", Kind: KindLCCN,
		Fields: []FieldSpec{{Tag: "010", Subfields: "az"}},
		Use:    []int{9},
		CQL:    []string{"bath.lccn", "lccn"}},
	{ID: 11, Name: "publisher", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "260", Subfields: "b"}, {Tag: "264", Subfields: "b"}},
		Use:    []int{1018},
		CQL:    []string{"dc.publisher", "bath.publisher", "publisher"}},
	{ID: 12, Name: "language", Kind: KindCode,
		Fields: []FieldSpec{{Tag: "008", Start: 35, End: 38}, {Tag: "041", Subfields: "abdefghjkmn"}},
		Use:    []int{54},
		CQL:    []string{"dc.language", "bath.language", "language", "lang"}},
	{ID: 13, Name: "type", Kind: KindCode,
		Fields: []FieldSpec{{Tag: "LDR", Start: 6, End: 8}},
		Use:    []int{1031},
		CQL:    []string{"dc.type", "bath.materialtype", "type", "materialtype"}},
	{ID: 14, Name: "callnumber", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "050", Subfields: "ab"}, {Tag: "090", Subfields: "ab"}},
		Use:    []int{16},
		CQL:    []string{"bath.lccallnumber", "callnumber"}},
	{ID: 15, Name: "dewey", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "082", Subfields: "a"}},
		Use:    []int{13},
		CQL:    []string{"bath.dewey", "dewey"}},
	// The narrow Bib-1 uses each have an index of their own, so that a
	// corporate-name search does not answer with personal names.
	{ID: 16, Name: "personalname", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "100", Subfields: "abcdq"}, {Tag: "700", Subfields: "abcdq"},
			{Tag: "800", Subfields: "abcdq"}},
		Use: []int{1, 1004},
		CQL: []string{"bath.personalname", "personalname"}},
	{ID: 17, Name: "corporatename", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "110", Subfields: "abcdn"}, {Tag: "710", Subfields: "abcdn"},
			{Tag: "810", Subfields: "abcdn"}},
		Use: []int{2, 1005},
		CQL: []string{"bath.corporatename", "corporatename"}},
	{ID: 18, Name: "conferencename", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "111", Subfields: "acdnq"}, {Tag: "711", Subfields: "acdnq"},
			{Tag: "811", Subfields: "acdnq"}},
		Use: []int{3, 1006},
		CQL: []string{"bath.conferencename", "conferencename"}},
	{ID: 19, Name: "series", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "440", Subfields: "anp"}, {Tag: "490", Subfields: "a"},
			{Tag: "800", Subfields: "t"}, {Tag: "810", Subfields: "t"}, {Tag: "811", Subfields: "t"},
			{Tag: "830", Subfields: "anp"}},
		Use: []int{5},
		CQL: []string{"bath.seriestitle", "series", "seriestitle"}},
	{ID: 20, Name: "uniformtitle", Kind: KindText, Headings: true,
		Fields: []FieldSpec{{Tag: "130", Subfields: "anp"}, {Tag: "240", Subfields: "anp"},
			{Tag: "730", Subfields: "anp"}},
		Use: []int{6},
		CQL: []string{"bath.uniformtitle", "uniformtitle"}},
}

// Indexes returns the index table, in storage-id order. Adapters build
// their Explain records and attribute tables from it. The entries are
// shared: treat them as read-only.
func Indexes() []*Index { return slices.Clone(indexTableRows) }

// indexTable holds the lookup maps built from the table.
type indexTable struct {
	byName map[string]*Index
	byUse  map[int]*Index
	byCQL  map[string]*Index
	byID   [256]*Index
}

var table = buildTable(indexTableRows)

func buildTable(list []*Index) *indexTable {
	t := &indexTable{byName: map[string]*Index{}, byUse: map[int]*Index{}, byCQL: map[string]*Index{}}
	for _, ix := range list {
		if t.byID[ix.ID] != nil || ix.ID == 0 {
			panic("search: duplicate or zero index id " + strconv.Itoa(int(ix.ID)))
		}
		t.byID[ix.ID] = ix
		t.byName[ix.Name] = ix
		for _, u := range ix.Use {
			if t.byUse[u] != nil {
				panic("search: use attribute mapped twice: " + strconv.Itoa(u))
			}
			t.byUse[u] = ix
		}
		for _, c := range ix.CQL {
			if t.byCQL[c] != nil {
				panic("search: CQL index mapped twice: " + c)
			}
			t.byCQL[c] = ix
		}
	}
	return t
}

// ByName returns the index called name ("title"); "" is "any".
func ByName(name string) (*Index, error) {
	if name == "" {
		name = "any"
	}
	if ix := table.byName[name]; ix != nil {
		return ix, nil
	}
	return nil, diag(DiagUnsupportedUse, "%s", name)
}

// ByUse returns the index for a Bib-1 use attribute; 0 (no use attribute in
// the query) means "any", as for 1016. An unknown value gives a Diagnostic
// 114 whose AddInfo is the value.
func ByUse(use int) (*Index, error) {
	if use == 0 {
		use = 1016
	}
	if ix := table.byUse[use]; ix != nil {
		return ix, nil
	}
	return nil, diag(DiagUnsupportedUse, "%d", use)
}

// ByCQL returns the index for a CQL index name, case-insensitively:
// "dc.title", "bath.isbn", "cql.serverChoice", "rec.id", or a bare name
// from the server's own set ("title"). cql.allRecords is not an index: a
// CQL front end turns it into *All. An unknown name gives a Diagnostic 114
// (SRU diagnostic 16) whose AddInfo is the name.
func ByCQL(name string) (*Index, error) {
	if ix := table.byCQL[strings.ToLower(name)]; ix != nil {
		return ix, nil
	}
	return nil, diag(DiagUnsupportedUse, "%s", name)
}

// ByID returns the index with the given storage id, or nil.
func ByID(id uint8) *Index { return table.byID[id] }

func tagMatches(pattern, tag string) bool {
	if len(pattern) != len(tag) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != 'X' && pattern[i] != tag[i] {
			return false
		}
	}
	return true
}

func (s *FieldSpec) wants(code byte) bool {
	if s.Subfields == "" {
		return code >= 'a' && code <= 'z' || code >= 'A' && code <= 'Z'
	}
	return strings.IndexByte(s.Subfields, code) >= 0
}

// slice returns bytes [Start, End) of a control value, or "" when the value
// is too short.
func (s *FieldSpec) slice(v string) string {
	if s.End == 0 {
		return v
	}
	if len(v) < s.End {
		return ""
	}
	return v[s.Start:s.End]
}

// Reads reports whether the index takes text from fields tagged tag
// ("LDR" for the leader).
func (ix *Index) Reads(tag string) bool {
	for i := range ix.Fields {
		if tagMatches(ix.Fields[i].Tag, tag) {
			return true
		}
	}
	return false
}

// FieldTokens is one field's normalised words, subfield by subfield.
type FieldTokens [][]string

// visit calls fn for every (spec, field) pair of rec that the index reads,
// in record order. The leader is passed as a control field tagged "LDR".
func (ix *Index) visit(rec *marc.Record, fn func(spec *FieldSpec, f *marc.Field)) {
	for si := range ix.Fields {
		spec := &ix.Fields[si]
		if spec.Tag == "LDR" {
			fn(spec, &marc.Field{Tag: "LDR", Value: rec.Leader})
		}
	}
	for fi := range rec.Fields {
		f := &rec.Fields[fi]
		for si := range ix.Fields {
			spec := &ix.Fields[si]
			if tagMatches(spec.Tag, f.Tag) {
				fn(spec, f)
				break
			}
		}
	}
}

// FieldTokens returns the normalised words of each field a text index reads
// from rec, subfield by subfield; fields without words are left out. Phrase
// and position checks run against it.
func (ix *Index) FieldTokens(rec *marc.Record) []FieldTokens {
	return ix.fieldTokens(rec, false)
}

// FilingTokens is FieldTokens without the non-filing characters of each
// field (see NonFiling): what first-in-field and complete-field checks,
// like headings, compare with.
func (ix *Index) FilingTokens(rec *marc.Record) []FieldTokens {
	return ix.fieldTokens(rec, true)
}

func (ix *Index) fieldTokens(rec *marc.Record, filing bool) []FieldTokens {
	var out []FieldTokens
	ix.visit(rec, func(spec *FieldSpec, f *marc.Field) {
		if f.IsControl() || f.Tag == "LDR" {
			return
		}
		var ft FieldTokens
		nf := 0
		if filing {
			nf = NonFiling(f)
		}
		for si, sf := range f.Subfields {
			if !spec.wants(sf.Code) {
				continue
			}
			toks := Tokens(sf.Value)
			if si == 0 && nf > 0 {
				toks, _ = filingWords(sf.Value, nf, toks)
			}
			if len(toks) > 0 {
				ft = append(ft, toks)
			}
		}
		if len(ft) > 0 {
			out = append(out, ft)
		}
	})
	return out
}
