package z3950

import (
	"github.com/bibgate/bibgate/internal/ber"
)

// ElementSetNames is the ElementSetNames CHOICE: a generic name, or names
// per database.
type ElementSetNames struct {
	Generic          string
	DatabaseSpecific []DatabaseElementSet
}

// DatabaseElementSet pairs a database with an element set name.
type DatabaseElementSet struct {
	Database   string
	ElementSet string
}

// Name returns the generic name, or the first database-specific one.
func (e *ElementSetNames) Name() string {
	if e == nil {
		return ""
	}
	if e.Generic != "" || len(e.DatabaseSpecific) == 0 {
		return e.Generic
	}
	return e.DatabaseSpecific[0].ElementSet
}

// GenericESN returns ElementSetNames for a generic name, or nil for "".
func GenericESN(name string) *ElementSetNames {
	if name == "" {
		return nil
	}
	return &ElementSetNames{Generic: name}
}

func (e *ElementSetNames) node() *ber.Node {
	if e == nil {
		return nil
	}
	if len(e.DatabaseSpecific) == 0 {
		return ctxStr(0, e.Generic)
	}
	n := ber.NewConstructed(ber.Context, 1)
	for _, d := range e.DatabaseSpecific {
		n.Children = append(n.Children, ber.NewSequence(ctxStr(105, d.Database), ctxStr(103, d.ElementSet)))
	}
	return n
}

func (f *fields) esn(wrapper *ber.Node) *ElementSetNames {
	n := f.only(wrapper, "ElementSetNames")
	if n == nil {
		return nil
	}
	switch {
	case isCtx(n, 0):
		return &ElementSetNames{Generic: f.str(n, "genericElementSetName")}
	case isCtx(n, 1):
		e := &ElementSetNames{}
		for _, s := range n.Children {
			var d DatabaseElementSet
			for _, c := range s.Children {
				switch {
				case isCtx(c, 105):
					d.Database = f.str(c, "dbName")
				case isCtx(c, 103):
					d.ElementSet = f.str(c, "esn")
				}
			}
			e.DatabaseSpecific = append(e.DatabaseSpecific, d)
		}
		return e
	}
	f.fail("ElementSetNames %s: %w", tagLabel(n), errShape)
	return nil
}

// SearchRequest is the searchRequest APDU [22].
type SearchRequest struct {
	ReferenceID              []byte
	SmallSetUpperBound       int
	LargeSetLowerBound       int
	MediumSetPresentNumber   int
	ReplaceIndicator         bool
	ResultSetName            string
	DatabaseNames            []string
	SmallSetElementSetNames  *ElementSetNames
	MediumSetElementSetNames *ElementSetNames
	PreferredRecordSyntax    ber.OID
	Query                    Query
	AdditionalSearchInfo     []OtherInfo
	OtherInfo                []OtherInfo
}

func (p *SearchRequest) Tag() int      { return TagSearchRequest }
func (p *SearchRequest) RefID() []byte { return p.ReferenceID }

func (p *SearchRequest) node(bool) *ber.Node {
	return ber.NewConstructed(ber.Context, TagSearchRequest,
		optOctets(2, p.ReferenceID),
		ctxInt(13, p.SmallSetUpperBound),
		ctxInt(14, p.LargeSetLowerBound),
		ctxInt(15, p.MediumSetPresentNumber),
		ctxBool(16, p.ReplaceIndicator),
		ctxStr(17, p.ResultSetName),
		stringListNode(ber.Context, 18, 105, p.DatabaseNames),
		explicit(100, p.SmallSetElementSetNames.node()),
		explicit(101, p.MediumSetElementSetNames.node()),
		optOID(104, p.PreferredRecordSyntax),
		explicit(21, p.Query.node()),
		otherInfoNode(203, p.AdditionalSearchInfo),
		otherInfoNode(201, p.OtherInfo))
}

func decodeSearchRequest(n *ber.Node) (*SearchRequest, error) {
	p := &SearchRequest{}
	var f fields
	seenQuery := false
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 13:
			p.SmallSetUpperBound = f.int(c, "smallSetUpperBound")
		case 14:
			p.LargeSetLowerBound = f.int(c, "largeSetLowerBound")
		case 15:
			p.MediumSetPresentNumber = f.int(c, "mediumSetPresentNumber")
		case 16:
			p.ReplaceIndicator = f.bool(c, "replaceIndicator")
		case 17:
			p.ResultSetName = f.str(c, "resultSetName")
		case 18:
			p.DatabaseNames = f.stringList(c, "databaseNames")
		case 100:
			p.SmallSetElementSetNames = f.esn(c)
		case 101:
			p.MediumSetElementSetNames = f.esn(c)
		case 104:
			p.PreferredRecordSyntax = f.oid(c, "preferredRecordSyntax")
		case 21:
			if q := f.only(c, "query"); q != nil {
				p.Query, seenQuery = f.query(q), true
			}
		case 203:
			p.AdditionalSearchInfo = f.otherInfo(c)
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	if !seenQuery {
		f.fail("query is mandatory")
	}
	return p, f.err
}

// NamePlusRecord is one entry of responseRecords: a database record as an
// EXTERNAL, or a surrogate diagnostic in its place.
type NamePlusRecord struct {
	Database   string
	Record     *ber.External
	Diagnostic *Diagnostic
}

// Records is the Records CHOICE. With Diagnostics set it encodes as
// nonSurrogateDiagnostic (one) or multipleNonSurDiagnostics (several);
// otherwise as responseRecords.
type Records struct {
	Records     []NamePlusRecord
	Diagnostics []*Diagnostic
}

// EncodedSize is the size of r's encoding in a v2 or v3 association;
// servers measure records against the message size with it.
func (r *NamePlusRecord) EncodedSize(version int) int { return ber.EncodedLen(r.node(version == 2)) }

func (r *NamePlusRecord) node(v2 bool) *ber.Node {
	var rec *ber.Node
	switch {
	case r.Diagnostic != nil:
		rec = explicit(2, r.Diagnostic.diagRecNode(v2))
	case r.Record != nil:
		rec = explicit(1, r.Record.Node(ber.Universal, ber.TagExternal))
	}
	return ber.NewSequence(optStr(0, r.Database), explicit(1, rec))
}

func (r *Records) node(v2 bool) *ber.Node {
	if r == nil {
		return nil
	}
	switch {
	case len(r.Diagnostics) == 1:
		return r.Diagnostics[0].defaultDiagNode(ber.Context, 130, v2)
	case len(r.Diagnostics) > 1:
		n := ber.NewConstructed(ber.Context, 205)
		for _, d := range r.Diagnostics {
			n.Children = append(n.Children, d.diagRecNode(v2))
		}
		return n
	}
	n := ber.NewConstructed(ber.Context, 28)
	for i := range r.Records {
		n.Children = append(n.Children, r.Records[i].node(v2))
	}
	return n
}

func (f *fields) records(n *ber.Node) *Records {
	r := &Records{}
	switch n.Tag {
	case 28:
		for _, npr := range n.Children {
			var rec NamePlusRecord
			for _, c := range npr.Children {
				switch {
				case isCtx(c, 0):
					rec.Database = f.str(c, "name")
				case isCtx(c, 1):
					arm := f.only(c, "record")
					if arm == nil {
						continue
					}
					inner := f.only(arm, "record")
					if inner == nil {
						continue
					}
					switch {
					case isCtx(arm, 1):
						rec.Record = f.external(inner, "retrievalRecord")
					case isCtx(arm, 2):
						d, err := parseDiagRec(inner)
						if err != nil {
							f.fail("surrogateDiagnostic: %w", err)
						}
						rec.Diagnostic = d
					default:
						f.fail("record fragments are not supported")
					}
				}
			}
			r.Records = append(r.Records, rec)
		}
	case 130:
		d, err := parseDefaultDiag(n)
		if err != nil {
			f.fail("nonSurrogateDiagnostic: %w", err)
		}
		r.Diagnostics = []*Diagnostic{d}
	case 205:
		for _, c := range n.Children {
			d, err := parseDiagRec(c)
			if err != nil {
				f.fail("multipleNonSurDiagnostics: %w", err)
				break
			}
			r.Diagnostics = append(r.Diagnostics, d)
		}
	}
	return r
}

// SearchResponse is the searchResponse APDU [23].
type SearchResponse struct {
	ReferenceID             []byte
	ResultCount             int
	NumberOfRecordsReturned int
	NextResultSetPosition   int
	SearchStatus            bool
	ResultSetStatus         *int
	PresentStatus           *int
	Records                 *Records
	AdditionalSearchInfo    []OtherInfo
	OtherInfo               []OtherInfo
}

func (p *SearchResponse) Tag() int      { return TagSearchResponse }
func (p *SearchResponse) RefID() []byte { return p.ReferenceID }

func (p *SearchResponse) node(v2 bool) *ber.Node {
	return ber.NewConstructed(ber.Context, TagSearchResponse,
		optOctets(2, p.ReferenceID),
		ctxInt(23, p.ResultCount),
		ctxInt(24, p.NumberOfRecordsReturned),
		ctxInt(25, p.NextResultSetPosition),
		ctxBool(22, p.SearchStatus),
		optInt(26, p.ResultSetStatus),
		optInt(27, p.PresentStatus),
		p.Records.node(v2),
		otherInfoNode(203, p.AdditionalSearchInfo),
		otherInfoNode(201, p.OtherInfo))
}

func decodeSearchResponse(n *ber.Node) (*SearchResponse, error) {
	p := &SearchResponse{}
	var f fields
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 23:
			p.ResultCount = f.int(c, "resultCount")
		case 24:
			p.NumberOfRecordsReturned = f.int(c, "numberOfRecordsReturned")
		case 25:
			p.NextResultSetPosition = f.int(c, "nextResultSetPosition")
		case 22:
			p.SearchStatus = f.bool(c, "searchStatus")
		case 26:
			p.ResultSetStatus = f.intp(c, "resultSetStatus")
		case 27:
			p.PresentStatus = f.intp(c, "presentStatus")
		case 28, 130, 205:
			p.Records = f.records(c)
		case 203:
			p.AdditionalSearchInfo = f.otherInfo(c)
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	return p, f.err
}

// Range is one additional range of a PresentRequest.
type Range struct {
	Start, Count int
}

// PresentRequest is the presentRequest APDU [24].
type PresentRequest struct {
	ReferenceID              []byte
	ResultSetID              string
	ResultSetStartPoint      int
	NumberOfRecordsRequested int
	AdditionalRanges         []Range
	ElementSetNames          *ElementSetNames // recordComposition simple [19]
	CompSpec                 *ber.Node        // recordComposition complex [209], kept raw
	PreferredRecordSyntax    ber.OID
	OtherInfo                []OtherInfo
}

func (p *PresentRequest) Tag() int      { return TagPresentRequest }
func (p *PresentRequest) RefID() []byte { return p.ReferenceID }

func (p *PresentRequest) node(bool) *ber.Node {
	var ranges *ber.Node
	if len(p.AdditionalRanges) > 0 {
		ranges = ber.NewConstructed(ber.Context, 212)
		for _, r := range p.AdditionalRanges {
			ranges.Children = append(ranges.Children, ber.NewSequence(ctxInt(1, r.Start), ctxInt(2, r.Count)))
		}
	}
	var comp *ber.Node
	if p.CompSpec != nil {
		comp = &ber.Node{Class: ber.Context, Tag: 209, Constructed: true, Children: p.CompSpec.Children}
	} else {
		comp = explicit(19, p.ElementSetNames.node())
	}
	return ber.NewConstructed(ber.Context, TagPresentRequest,
		optOctets(2, p.ReferenceID),
		ctxStr(31, p.ResultSetID),
		ctxInt(30, p.ResultSetStartPoint),
		ctxInt(29, p.NumberOfRecordsRequested),
		ranges,
		comp,
		optOID(104, p.PreferredRecordSyntax),
		otherInfoNode(201, p.OtherInfo))
}

func decodePresentRequest(n *ber.Node) (*PresentRequest, error) {
	p := &PresentRequest{}
	var f fields
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 31:
			p.ResultSetID = f.str(c, "resultSetId")
		case 30:
			p.ResultSetStartPoint = f.int(c, "resultSetStartPoint")
		case 29:
			p.NumberOfRecordsRequested = f.int(c, "numberOfRecordsRequested")
		case 212:
			for _, r := range c.Children {
				var rg Range
				for _, k := range r.Children {
					switch {
					case isCtx(k, 1):
						rg.Start = f.int(k, "startingPosition")
					case isCtx(k, 2):
						rg.Count = f.int(k, "numberOfRecords")
					}
				}
				p.AdditionalRanges = append(p.AdditionalRanges, rg)
			}
		case 19:
			p.ElementSetNames = f.esn(c)
		case 209:
			if !c.Constructed {
				f.fail("complex: %w", errShape)
			}
			p.CompSpec = c
		case 104:
			p.PreferredRecordSyntax = f.oid(c, "preferredRecordSyntax")
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	return p, f.err
}

// PresentResponse is the presentResponse APDU [25].
type PresentResponse struct {
	ReferenceID             []byte
	NumberOfRecordsReturned int
	NextResultSetPosition   int
	PresentStatus           int
	Records                 *Records
	OtherInfo               []OtherInfo
}

func (p *PresentResponse) Tag() int      { return TagPresentResponse }
func (p *PresentResponse) RefID() []byte { return p.ReferenceID }

func (p *PresentResponse) node(v2 bool) *ber.Node {
	return ber.NewConstructed(ber.Context, TagPresentResponse,
		optOctets(2, p.ReferenceID),
		ctxInt(24, p.NumberOfRecordsReturned),
		ctxInt(25, p.NextResultSetPosition),
		ctxInt(27, p.PresentStatus),
		p.Records.node(v2),
		otherInfoNode(201, p.OtherInfo))
}

func decodePresentResponse(n *ber.Node) (*PresentResponse, error) {
	p := &PresentResponse{}
	var f fields
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 24:
			p.NumberOfRecordsReturned = f.int(c, "numberOfRecordsReturned")
		case 25:
			p.NextResultSetPosition = f.int(c, "nextResultSetPosition")
		case 27:
			p.PresentStatus = f.int(c, "presentStatus")
		case 28, 130, 205:
			p.Records = f.records(c)
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	return p, f.err
}
