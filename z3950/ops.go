package z3950

import (
	"github.com/bibgate/bibgate/internal/ber"
)

// ScanRequest is the scanRequest APDU [35].
type ScanRequest struct {
	ReferenceID                 []byte
	DatabaseNames               []string
	AttributeSet                ber.OID
	TermListAndStartPoint       AttributesPlusTerm
	StepSize                    *int
	NumberOfTermsRequested      int
	PreferredPositionInResponse *int
	OtherInfo                   []OtherInfo
}

func (p *ScanRequest) Tag() int      { return TagScanRequest }
func (p *ScanRequest) RefID() []byte { return p.ReferenceID }

func (p *ScanRequest) node(bool) *ber.Node {
	var set *ber.Node
	if p.AttributeSet != "" {
		set = ber.NewOID(ber.Universal, ber.TagOID, p.AttributeSet)
	}
	return ber.NewConstructed(ber.Context, TagScanRequest,
		optOctets(2, p.ReferenceID),
		stringListNode(ber.Context, 3, 105, p.DatabaseNames),
		set,
		p.TermListAndStartPoint.node(102),
		optInt(5, p.StepSize),
		ctxInt(6, p.NumberOfTermsRequested),
		optInt(7, p.PreferredPositionInResponse),
		otherInfoNode(201, p.OtherInfo))
}

func decodeScanRequest(n *ber.Node) (*ScanRequest, error) {
	p := &ScanRequest{}
	var f fields
	seenTerm := false
	for _, c := range n.Children {
		switch {
		case c.Is(ber.Universal, ber.TagOID):
			p.AttributeSet = f.oid(c, "attributeSet")
		case isCtx(c, 2):
			p.ReferenceID = f.bytes(c, "referenceId")
		case isCtx(c, 3):
			p.DatabaseNames = f.stringList(c, "databaseNames")
		case isCtx(c, 102):
			p.TermListAndStartPoint, seenTerm = *f.attrTerm(c), true
		case isCtx(c, 5):
			p.StepSize = f.intp(c, "stepSize")
		case isCtx(c, 6):
			p.NumberOfTermsRequested = f.int(c, "numberOfTermsRequested")
		case isCtx(c, 7):
			p.PreferredPositionInResponse = f.intp(c, "preferredPositionInResponse")
		case isCtx(c, 201):
			p.OtherInfo = f.otherInfo(c)
		}
	}
	if !seenTerm {
		f.fail("termListAndStartPoint is mandatory")
	}
	return p, f.err
}

// Scan status values.
const (
	ScanSuccess  = 0
	ScanPartial1 = 1
	ScanPartial2 = 2
	ScanPartial3 = 3
	ScanPartial4 = 4
	ScanPartial5 = 5 // term list exhausted
	ScanFailure  = 6
)

// ScanEntry is one Entry of a ScanResponse: a term, or a surrogate
// diagnostic.
type ScanEntry struct {
	Term              Term
	DisplayTerm       string
	GlobalOccurrences *int
	Diagnostic        *Diagnostic
}

// ScanResponse is the scanResponse APDU [36].
type ScanResponse struct {
	ReferenceID             []byte
	StepSize                *int
	ScanStatus              int
	NumberOfEntriesReturned int
	PositionOfTerm          *int
	Entries                 []ScanEntry
	Diagnostics             []*Diagnostic // nonsurrogateDiagnostics
	AttributeSet            ber.OID
	OtherInfo               []OtherInfo
}

func (p *ScanResponse) Tag() int      { return TagScanResponse }
func (p *ScanResponse) RefID() []byte { return p.ReferenceID }

func (p *ScanResponse) node(v2 bool) *ber.Node {
	var list *ber.Node
	if p.Entries != nil || len(p.Diagnostics) > 0 {
		list = ber.NewConstructed(ber.Context, 7)
		if p.Entries != nil {
			ents := ber.NewConstructed(ber.Context, 1)
			for _, e := range p.Entries {
				if e.Diagnostic != nil {
					ents.Children = append(ents.Children, explicit(2, e.Diagnostic.diagRecNode(v2)))
					continue
				}
				ents.Children = append(ents.Children, ber.NewConstructed(ber.Context, 1,
					e.Term.node(), optStr(0, e.DisplayTerm), optInt(2, e.GlobalOccurrences)))
			}
			list.Children = append(list.Children, ents)
		}
		if len(p.Diagnostics) > 0 {
			ds := ber.NewConstructed(ber.Context, 2)
			for _, d := range p.Diagnostics {
				ds.Children = append(ds.Children, d.diagRecNode(v2))
			}
			list.Children = append(list.Children, ds)
		}
	}
	return ber.NewConstructed(ber.Context, TagScanResponse,
		optOctets(2, p.ReferenceID),
		optInt(3, p.StepSize),
		ctxInt(4, p.ScanStatus),
		ctxInt(5, p.NumberOfEntriesReturned),
		optInt(6, p.PositionOfTerm),
		list,
		optOID(8, p.AttributeSet),
		otherInfoNode(201, p.OtherInfo))
}

func decodeScanResponse(n *ber.Node) (*ScanResponse, error) {
	p := &ScanResponse{}
	var f fields
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 3:
			p.StepSize = f.intp(c, "stepSize")
		case 4:
			p.ScanStatus = f.int(c, "scanStatus")
		case 5:
			p.NumberOfEntriesReturned = f.int(c, "numberOfEntriesReturned")
		case 6:
			p.PositionOfTerm = f.intp(c, "positionOfTerm")
		case 7:
			for _, part := range c.Children {
				switch {
				case isCtx(part, 1):
					p.Entries = []ScanEntry{}
					for _, e := range part.Children {
						p.Entries = append(p.Entries, f.scanEntry(e))
					}
				case isCtx(part, 2):
					for _, d := range part.Children {
						dr, err := parseDiagRec(d)
						if err != nil {
							f.fail("nonsurrogateDiagnostics: %w", err)
							break
						}
						p.Diagnostics = append(p.Diagnostics, dr)
					}
				}
			}
		case 8:
			p.AttributeSet = f.oid(c, "attributeSet")
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	return p, f.err
}

func (f *fields) scanEntry(e *ber.Node) ScanEntry {
	var se ScanEntry
	switch {
	case isCtx(e, 1) && e.Constructed && len(e.Children) > 0:
		se.Term = f.term(e.Children[0])
		for _, c := range e.Children[1:] {
			switch {
			case isCtx(c, 0):
				se.DisplayTerm = f.str(c, "displayTerm")
			case isCtx(c, 2):
				se.GlobalOccurrences = f.intp(c, "globalOccurrences")
			}
		}
	case isCtx(e, 2):
		if d := f.only(e, "surrogateDiagnostic"); d != nil {
			dr, err := parseDiagRec(d)
			if err != nil {
				f.fail("surrogateDiagnostic: %w", err)
			}
			se.Diagnostic = dr
		}
	default:
		f.fail("scan entry %s: %w", tagLabel(e), errShape)
	}
	return se
}

// SortKeyKind selects the arm of SortKey.
type SortKeyKind int

// Sort key kinds.
const (
	SortField       SortKeyKind = 0 // sortfield [0]: a string the target knows
	SortElementSpec SortKeyKind = 1 // elementSpec [1], kept raw
	SortAttributes  SortKeyKind = 2 // sortAttributes [2]: attribute set and list
)

// SortKey is one sort key.
type SortKey struct {
	Kind         SortKeyKind
	Field        string
	ElementSpec  *ber.Node
	AttributeSet ber.OID
	Attributes   []AttributeElement
}

// Missing-value actions.
const (
	MissingNone  = 0 // not given
	MissingAbort = 1
	MissingNull  = 2
	MissingData  = 3
)

// SortKeySpec is one element of a sort sequence. Databases is set for a
// databaseSpecific element (one key per database); otherwise Key is generic.
type SortKeySpec struct {
	Key              SortKey
	Databases        []string
	DatabaseKeys     []SortKey
	Relation         int // 0 ascending, 1 descending, 3/4 by frequency
	CaseSensitivity  int // 0 sensitive, 1 insensitive
	MissingAction    int
	MissingValueData []byte
}

func (k SortKey) node() *ber.Node {
	switch k.Kind {
	case SortField:
		return ctxStr(0, k.Field)
	case SortElementSpec:
		if k.ElementSpec == nil {
			return ber.NewConstructed(ber.Context, 1)
		}
		return &ber.Node{Class: ber.Context, Tag: 1, Constructed: true, Children: k.ElementSpec.Children}
	}
	set := k.AttributeSet
	if set == "" {
		set = OIDBib1Attributes
	}
	return ber.NewConstructed(ber.Context, 2, ber.NewOID(ber.Universal, ber.TagOID, set), attrListNode(k.Attributes))
}

func (f *fields) sortKey(n *ber.Node) SortKey {
	var k SortKey
	switch {
	case isCtx(n, 0):
		k.Kind, k.Field = SortField, f.str(n, "sortfield")
	case isCtx(n, 1):
		k.Kind, k.ElementSpec = SortElementSpec, n
	case isCtx(n, 2) && len(n.Children) == 2:
		k.Kind = SortAttributes
		k.AttributeSet = f.oid(n.Children[0], "sortAttributes id")
		k.Attributes = f.attrList(n.Children[1])
	default:
		f.fail("SortKey %s: %w", tagLabel(n), errShape)
	}
	return k
}

// SortRequest is the sortRequest APDU [43].
type SortRequest struct {
	ReferenceID         []byte
	InputResultSetNames []string
	SortedResultSetName string
	SortSequence        []SortKeySpec
	OtherInfo           []OtherInfo
}

func (p *SortRequest) Tag() int      { return TagSortRequest }
func (p *SortRequest) RefID() []byte { return p.ReferenceID }

func (p *SortRequest) node(bool) *ber.Node {
	seq := ber.NewConstructed(ber.Context, 5)
	for _, s := range p.SortSequence {
		var elem *ber.Node
		if len(s.Databases) > 0 {
			elem = ber.NewConstructed(ber.Context, 2)
			for i, db := range s.Databases {
				var k SortKey
				if i < len(s.DatabaseKeys) {
					k = s.DatabaseKeys[i]
				}
				elem.Children = append(elem.Children, ber.NewSequence(ctxStr(105, db), k.node()))
			}
		} else {
			elem = explicit(1, s.Key.node())
		}
		var missing *ber.Node
		switch s.MissingAction {
		case MissingAbort:
			missing = explicit(3, ctxNull(1))
		case MissingNull:
			missing = explicit(3, ctxNull(2))
		case MissingData:
			missing = explicit(3, ber.NewPrimitive(ber.Context, 3, s.MissingValueData))
		}
		seq.Children = append(seq.Children, ber.NewSequence(elem, ctxInt(1, s.Relation), ctxInt(2, s.CaseSensitivity), missing))
	}
	return ber.NewConstructed(ber.Context, TagSortRequest,
		optOctets(2, p.ReferenceID),
		universalStrings(3, p.InputResultSetNames),
		ctxStr(4, p.SortedResultSetName),
		seq,
		otherInfoNode(201, p.OtherInfo))
}

func decodeSortRequest(n *ber.Node) (*SortRequest, error) {
	p := &SortRequest{}
	var f fields
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 3:
			p.InputResultSetNames = f.stringList(c, "inputResultSetNames")
		case 4:
			p.SortedResultSetName = f.str(c, "sortedResultSetName")
		case 5:
			for _, spec := range c.Children {
				var s SortKeySpec
				for i, k := range spec.Children {
					switch {
					case i == 0 && isCtx(k, 1):
						if key := f.only(k, "generic"); key != nil {
							s.Key = f.sortKey(key)
						}
					case i == 0 && isCtx(k, 2):
						for _, pair := range k.Children {
							if len(pair.Children) != 2 {
								f.fail("databaseSpecific: %w", errShape)
								break
							}
							s.Databases = append(s.Databases, f.str(pair.Children[0], "databaseName"))
							s.DatabaseKeys = append(s.DatabaseKeys, f.sortKey(pair.Children[1]))
						}
					case isCtx(k, 1):
						s.Relation = f.int(k, "sortRelation")
					case isCtx(k, 2):
						s.CaseSensitivity = f.int(k, "caseSensitivity")
					case isCtx(k, 3):
						if m := f.only(k, "missingValueAction"); m != nil && m.Class == ber.Context {
							s.MissingAction = m.Tag
							if m.Tag == MissingData {
								s.MissingValueData = f.bytes(m, "missingValueData")
							}
						}
					}
				}
				p.SortSequence = append(p.SortSequence, s)
			}
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	return p, f.err
}

// Sort status values.
const (
	SortSuccess  = 0
	SortPartial1 = 1
	SortFailure  = 2
)

// SortResponse is the sortResponse APDU [44].
type SortResponse struct {
	ReferenceID     []byte
	SortStatus      int
	ResultSetStatus *int // 1 empty, 2 interim, 3 unchanged, 4 none
	Diagnostics     []*Diagnostic
	ResultCount     *int
	OtherInfo       []OtherInfo
}

func (p *SortResponse) Tag() int      { return TagSortResponse }
func (p *SortResponse) RefID() []byte { return p.ReferenceID }

func (p *SortResponse) node(v2 bool) *ber.Node {
	var ds *ber.Node
	if len(p.Diagnostics) > 0 {
		ds = ber.NewConstructed(ber.Context, 5)
		for _, d := range p.Diagnostics {
			ds.Children = append(ds.Children, d.diagRecNode(v2))
		}
	}
	return ber.NewConstructed(ber.Context, TagSortResponse,
		optOctets(2, p.ReferenceID),
		ctxInt(3, p.SortStatus),
		optInt(4, p.ResultSetStatus),
		ds,
		optInt(6, p.ResultCount),
		otherInfoNode(201, p.OtherInfo))
}

func decodeSortResponse(n *ber.Node) (*SortResponse, error) {
	p := &SortResponse{}
	var f fields
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 3:
			p.SortStatus = f.int(c, "sortStatus")
		case 4:
			p.ResultSetStatus = f.intp(c, "resultSetStatus")
		case 5:
			for _, d := range c.Children {
				dr, err := parseDiagRec(d)
				if err != nil {
					f.fail("diagnostics: %w", err)
					break
				}
				p.Diagnostics = append(p.Diagnostics, dr)
			}
		case 6:
			p.ResultCount = f.intp(c, "resultCount")
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	return p, f.err
}

// Delete functions and statuses.
const (
	DeleteList = 0
	DeleteAll  = 1

	DeleteSuccess           = 0
	DeleteNotExist          = 1
	DeletePreviouslyDeleted = 2
	DeleteSystemProblem     = 3
	DeleteBulkUnsupported   = 7
	DeleteNotAllBulk        = 8
	DeleteNotAllRequested   = 9
	DeleteResultSetInUse    = 10
)

// DeleteResultSetRequest is the deleteResultSetRequest APDU [26].
type DeleteResultSetRequest struct {
	ReferenceID    []byte
	DeleteFunction int
	ResultSetList  []string
	OtherInfo      []OtherInfo
}

func (p *DeleteResultSetRequest) Tag() int      { return TagDeleteRequest }
func (p *DeleteResultSetRequest) RefID() []byte { return p.ReferenceID }

func (p *DeleteResultSetRequest) node(bool) *ber.Node {
	var list *ber.Node
	if len(p.ResultSetList) > 0 {
		list = stringListNode(ber.Universal, ber.TagSequence, 31, p.ResultSetList)
	}
	return ber.NewConstructed(ber.Context, TagDeleteRequest,
		optOctets(2, p.ReferenceID),
		ctxInt(32, p.DeleteFunction),
		list,
		otherInfoNode(201, p.OtherInfo))
}

func decodeDeleteRequest(n *ber.Node) (*DeleteResultSetRequest, error) {
	p := &DeleteResultSetRequest{}
	var f fields
	for _, c := range n.Children {
		switch {
		case isCtx(c, 2):
			p.ReferenceID = f.bytes(c, "referenceId")
		case isCtx(c, 32):
			p.DeleteFunction = f.int(c, "deleteFunction")
		case c.Is(ber.Universal, ber.TagSequence):
			p.ResultSetList = f.stringList(c, "resultSetList")
		case isCtx(c, 201):
			p.OtherInfo = f.otherInfo(c)
		}
	}
	return p, f.err
}

// DeleteStatus is the status of one result set in a delete response.
type DeleteStatus struct {
	ID     string
	Status int
}

// DeleteResultSetResponse is the deleteResultSetResponse APDU [27].
type DeleteResultSetResponse struct {
	ReferenceID           []byte
	DeleteOperationStatus int
	DeleteListStatuses    []DeleteStatus
	NumberNotDeleted      *int
	BulkStatuses          []DeleteStatus
	DeleteMessage         string
	OtherInfo             []OtherInfo
}

func (p *DeleteResultSetResponse) Tag() int      { return TagDeleteResponse }
func (p *DeleteResultSetResponse) RefID() []byte { return p.ReferenceID }

func listStatusesNode(tag int, list []DeleteStatus) *ber.Node {
	if list == nil {
		return nil
	}
	n := ber.NewConstructed(ber.Context, tag)
	for _, s := range list {
		n.Children = append(n.Children, ber.NewSequence(ctxStr(31, s.ID), ctxInt(33, s.Status)))
	}
	return n
}

func (f *fields) listStatuses(n *ber.Node) []DeleteStatus {
	out := []DeleteStatus{}
	for _, s := range n.Children {
		var d DeleteStatus
		for _, c := range s.Children {
			switch {
			case isCtx(c, 31):
				d.ID = f.str(c, "id")
			case isCtx(c, 33):
				d.Status = f.int(c, "status")
			}
		}
		out = append(out, d)
	}
	return out
}

func (p *DeleteResultSetResponse) node(bool) *ber.Node {
	return ber.NewConstructed(ber.Context, TagDeleteResponse,
		optOctets(2, p.ReferenceID),
		ctxInt(0, p.DeleteOperationStatus),
		listStatusesNode(1, p.DeleteListStatuses),
		optInt(34, p.NumberNotDeleted),
		listStatusesNode(35, p.BulkStatuses),
		optStr(36, p.DeleteMessage),
		otherInfoNode(201, p.OtherInfo))
}

func decodeDeleteResponse(n *ber.Node) (*DeleteResultSetResponse, error) {
	p := &DeleteResultSetResponse{}
	var f fields
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 0:
			p.DeleteOperationStatus = f.int(c, "deleteOperationStatus")
		case 1:
			p.DeleteListStatuses = f.listStatuses(c)
		case 34:
			p.NumberNotDeleted = f.intp(c, "numberNotDeleted")
		case 35:
			p.BulkStatuses = f.listStatuses(c)
		case 36:
			p.DeleteMessage = f.str(c, "deleteMessage")
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	return p, f.err
}

// Close is the close APDU [48].
type Close struct {
	ReferenceID           []byte
	CloseReason           int
	DiagnosticInformation string
	ResourceReportFormat  ber.OID
	OtherInfo             []OtherInfo
}

func (p *Close) Tag() int      { return TagClose }
func (p *Close) RefID() []byte { return p.ReferenceID }

func (p *Close) node(bool) *ber.Node {
	return ber.NewConstructed(ber.Context, TagClose,
		optOctets(2, p.ReferenceID),
		ctxInt(211, p.CloseReason),
		optStr(3, p.DiagnosticInformation),
		optOID(4, p.ResourceReportFormat),
		otherInfoNode(201, p.OtherInfo))
}

func decodeClose(n *ber.Node) (*Close, error) {
	p := &Close{}
	var f fields
	seen := false
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 211:
			p.CloseReason, seen = f.int(c, "closeReason"), true
		case 3:
			p.DiagnosticInformation = f.str(c, "diagnosticInformation")
		case 4:
			p.ResourceReportFormat = f.oid(c, "resourceReportFormat")
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	if !seen {
		f.fail("closeReason is mandatory")
	}
	return p, f.err
}
