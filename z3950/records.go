package z3950

import (
	"fmt"

	"github.com/bibgate/bibgate/internal/ber"
)

// OctetRecord wraps record bytes (ISO 2709, XML, JSON) as an octet-aligned
// EXTERNAL of the given syntax.
func OctetRecord(syntax ber.OID, data []byte) *ber.External {
	return ber.NewOctetExternal(syntax, data)
}

// SUTRSRecord wraps text as a SUTRS record (single-ASN1-type
// InternationalString).
func SUTRSRecord(text string) *ber.External {
	return ber.NewSingleExternal(OIDSUTRS, ber.NewString(ber.Universal, ber.TagGeneralString, text))
}

// RecordBytes returns the payload of an octet-aligned record or the text of
// a SUTRS record.
func RecordBytes(e *ber.External) ([]byte, error) {
	if e == nil {
		return nil, fmt.Errorf("z3950: no record")
	}
	switch e.Encoding {
	case ber.OctetAligned:
		return e.Octets, nil
	case ber.SingleASN1Type:
		if e.Single != nil && !e.Single.Constructed {
			return e.Single.Value, nil
		}
	}
	return nil, fmt.Errorf("z3950: record of syntax %s is structured", e.DirectReference)
}

// OPACRecord is the OPAC record syntax (1.2.840.10003.5.102): a
// bibliographic record plus holdings with circulation data.
type OPACRecord struct {
	Bibliographic *ber.External
	Holdings      []HoldingsRecord
}

// HoldingsRecord is either a MARC holdings record or holdings-and-circulation
// data.
type HoldingsRecord struct {
	MARCHoldings *ber.External
	Circ         *HoldingsAndCirc
}

// HoldingsAndCirc is HoldingsAndCircData; field comments name the MARC
// holdings source.
type HoldingsAndCirc struct {
	TypeOfRecord     string // LDR/06
	EncodingLevel    string // LDR/17
	Format           string // 007/00-01
	ReceiptAcqStatus string // 008/06
	GeneralRetention string // 008/12
	Completeness     string // 008/16
	DateOfReport     string // 008/26-31
	NucCode          string // 852 $a
	LocalLocation    string // 852 $b
	ShelvingLocation string // 852 $c
	CallNumber       string // 852 $h $i
	ShelvingData     string // 852 $j-m
	CopyNumber       string // 852 $t
	PublicNote       string // 852 $z
	ReproductionNote string // 843
	TermsUseRepro    string // 845
	EnumAndChron     string // 85X/86X
	Volumes          []Volume
	Circulation      []CircRecord
}

// Volume is one volume of a holding.
type Volume struct {
	Enumeration  string
	Chronology   string
	EnumAndChron string
}

// CircRecord is the circulation state of one copy.
type CircRecord struct {
	AvailableNow      bool
	AvailabilityDate  string // the ASN.1 spells it availablityDate
	AvailableThru     string
	Restrictions      string
	ItemID            string
	Renewable         bool
	OnHold            bool
	EnumAndChron      string
	Midspine          string
	TemporaryLocation string
}

// External wraps the record as a single-ASN1-type EXTERNAL.
func (r *OPACRecord) External() *ber.External {
	return ber.NewSingleExternal(OIDOPAC, r.Node())
}

// Node encodes the OPACRecord SEQUENCE.
func (r *OPACRecord) Node() *ber.Node {
	var bib, hold *ber.Node
	if r.Bibliographic != nil {
		bib = r.Bibliographic.Node(ber.Context, 1)
	}
	if r.Holdings != nil {
		hold = ber.NewConstructed(ber.Context, 2)
		for _, h := range r.Holdings {
			switch {
			case h.MARCHoldings != nil:
				hold.Children = append(hold.Children, h.MARCHoldings.Node(ber.Context, 1))
			case h.Circ != nil:
				hold.Children = append(hold.Children, h.Circ.node())
			}
		}
	}
	return ber.NewSequence(bib, hold)
}

func (h *HoldingsAndCirc) node() *ber.Node {
	n := ber.NewConstructed(ber.Context, 2,
		optStr(1, h.TypeOfRecord), optStr(2, h.EncodingLevel), optStr(3, h.Format),
		optStr(4, h.ReceiptAcqStatus), optStr(5, h.GeneralRetention), optStr(6, h.Completeness),
		optStr(7, h.DateOfReport), optStr(8, h.NucCode), optStr(9, h.LocalLocation),
		optStr(10, h.ShelvingLocation), optStr(11, h.CallNumber), optStr(12, h.ShelvingData),
		optStr(13, h.CopyNumber), optStr(14, h.PublicNote), optStr(15, h.ReproductionNote),
		optStr(16, h.TermsUseRepro), optStr(17, h.EnumAndChron))
	if h.Volumes != nil {
		v := ber.NewConstructed(ber.Context, 18)
		for _, vol := range h.Volumes {
			v.Children = append(v.Children, ber.NewSequence(optStr(1, vol.Enumeration), optStr(2, vol.Chronology), optStr(3, vol.EnumAndChron)))
		}
		n.Children = append(n.Children, v)
	}
	if h.Circulation != nil {
		cs := ber.NewConstructed(ber.Context, 19)
		for _, c := range h.Circulation {
			cs.Children = append(cs.Children, ber.NewSequence(
				ctxBool(1, c.AvailableNow), optStr(2, c.AvailabilityDate), optStr(3, c.AvailableThru),
				optStr(4, c.Restrictions), optStr(5, c.ItemID), ctxBool(6, c.Renewable), ctxBool(7, c.OnHold),
				optStr(8, c.EnumAndChron), optStr(9, c.Midspine), optStr(10, c.TemporaryLocation)))
		}
		n.Children = append(n.Children, cs)
	}
	return n
}

// ParseOPACRecord decodes an OPACRecord SEQUENCE.
func ParseOPACRecord(n *ber.Node) (*OPACRecord, error) {
	if n == nil || !n.Constructed {
		return nil, fmt.Errorf("z3950: OPACRecord: %w", errShape)
	}
	r := &OPACRecord{}
	var f fields
	for _, c := range n.Children {
		switch {
		case isCtx(c, 1):
			r.Bibliographic = f.external(c, "bibliographicRecord")
		case isCtx(c, 2):
			r.Holdings = []HoldingsRecord{}
			for _, h := range c.Children {
				switch {
				case isCtx(h, 1):
					r.Holdings = append(r.Holdings, HoldingsRecord{MARCHoldings: f.external(h, "marcHoldingsRecord")})
				case isCtx(h, 2):
					r.Holdings = append(r.Holdings, HoldingsRecord{Circ: f.holdingsAndCirc(h)})
				default:
					f.fail("holdingsData %s: %w", tagLabel(h), errShape)
				}
			}
		}
	}
	if f.err != nil {
		return nil, fmt.Errorf("z3950: OPACRecord: %w", f.err)
	}
	return r, nil
}

func (f *fields) holdingsAndCirc(n *ber.Node) *HoldingsAndCirc {
	h := &HoldingsAndCirc{}
	strs := map[int]*string{
		1: &h.TypeOfRecord, 2: &h.EncodingLevel, 3: &h.Format, 4: &h.ReceiptAcqStatus,
		5: &h.GeneralRetention, 6: &h.Completeness, 7: &h.DateOfReport, 8: &h.NucCode,
		9: &h.LocalLocation, 10: &h.ShelvingLocation, 11: &h.CallNumber, 12: &h.ShelvingData,
		13: &h.CopyNumber, 14: &h.PublicNote, 15: &h.ReproductionNote, 16: &h.TermsUseRepro,
		17: &h.EnumAndChron,
	}
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		if p, ok := strs[c.Tag]; ok {
			*p = f.str(c, "holdings string")
			continue
		}
		switch c.Tag {
		case 18:
			h.Volumes = []Volume{}
			for _, v := range c.Children {
				var vol Volume
				for _, k := range v.Children {
					switch {
					case isCtx(k, 1):
						vol.Enumeration = f.str(k, "enumeration")
					case isCtx(k, 2):
						vol.Chronology = f.str(k, "chronology")
					case isCtx(k, 3):
						vol.EnumAndChron = f.str(k, "enumAndChron")
					}
				}
				h.Volumes = append(h.Volumes, vol)
			}
		case 19:
			h.Circulation = []CircRecord{}
			for _, cr := range c.Children {
				h.Circulation = append(h.Circulation, f.circRecord(cr))
			}
		}
	}
	return h
}

func (f *fields) circRecord(n *ber.Node) CircRecord {
	var c CircRecord
	for _, k := range n.Children {
		if k.Class != ber.Context {
			continue
		}
		switch k.Tag {
		case 1:
			c.AvailableNow = f.bool(k, "availableNow")
		case 2:
			c.AvailabilityDate = f.str(k, "availablityDate")
		case 3:
			c.AvailableThru = f.str(k, "availableThru")
		case 4:
			c.Restrictions = f.str(k, "restrictions")
		case 5:
			c.ItemID = f.str(k, "itemId")
		case 6:
			c.Renewable = f.bool(k, "renewable")
		case 7:
			c.OnHold = f.bool(k, "onHold")
		case 8:
			c.EnumAndChron = f.str(k, "enumAndChron")
		case 9:
			c.Midspine = f.str(k, "midspine")
		case 10:
			c.TemporaryLocation = f.str(k, "temporaryLocation")
		}
	}
	return c
}
