package z3950adapter

import (
	"context"
	"errors"
	"strings"

	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/sru"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950server"
)

// elementSet is what an element set name asks for.
type elementSet int

const (
	esFull  elementSet = iota + 1 // F, or none given
	esBrief                       // B
	esDC                          // Dublin Core (XML only)
	esMODS                        // MODS (XML only)
	esOPAC                        // OPAC: holdings beside the record (OPAC or XML)
)

// parseElementSet reads an element set name as clients send it: F and B,
// plus the names Zebra, Koha, FOLIO and yaz-ztest use for XML flavours.
func parseElementSet(name string) (elementSet, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "f", "marcxml", "marc21", "marc", "usmarc", "raw", "xml":
		return esFull, true
	case "b":
		return esBrief, true
	case "dc", "oai_dc":
		return esDC, true
	case "mods":
		return esMODS, true
	case "op", "opac":
		return esOPAC, true
	}
	return 0, false
}

// briefTags are the fields of the brief (B) element set: the control
// number, coded data, standard numbers, main entry, title, edition and
// publication.
var briefTags = map[string]bool{
	"001": true, "003": true, "005": true, "008": true, "010": true, "020": true, "022": true,
	"100": true, "110": true, "111": true, "245": true, "250": true, "260": true, "264": true,
}

// brief returns a copy of rec with only the brief fields.
func brief(rec *marc.Record) *marc.Record {
	out := &marc.Record{Leader: rec.Leader, Fields: make([]marc.Field, 0, 12)}
	for _, f := range rec.Fields {
		if briefTags[f.Tag] {
			out.Fields = append(out.Fields, f)
		}
	}
	return out
}

// renderer turns a parsed record into the bytes of one format.
type renderer struct {
	format string // cache key part
	render func(*marc.Record) ([]byte, error)
}

var (
	renderUSMARCBrief = renderer{"usmarc/B", func(r *marc.Record) ([]byte, error) { return marc.Marshal(brief(r)) }}
	renderMARCXML     = renderer{"marcxml", marc.MarshalXML}
	renderMARCXMLB    = renderer{"marcxml/B", func(r *marc.Record) ([]byte, error) { return marc.MarshalXML(brief(r)) }}
	renderDC          = renderer{"dc", sru.RenderDC}
	renderMODS        = renderer{"mods", sru.RenderMODS}
	renderSUTRS       = renderer{"sutrs", func(r *marc.Record) ([]byte, error) { return []byte(r.String()), nil }}
	renderSUTRSB      = renderer{"sutrs/B", func(r *marc.Record) ([]byte, error) { return []byte(brief(r).String()), nil }}
)

// presentPlan is how one Present renders its records.
type presentPlan struct {
	syntax ber.OID
	// raw: send the stored ISO 2709 as it is.
	raw bool
	// via renders through the cache (when raw is false and opac is false).
	via renderer
	// opac adds live holdings; opacBrief sends the brief record inside.
	opac, opacBrief, opacXML bool
}

// plan checks the syntax and element set of a Present.
func plan(syntax ber.OID, esnName string) (presentPlan, error) {
	es, ok := parseElementSet(esnName)
	if !ok {
		return presentPlan{}, z3950.NewDiagnostic(z3950.DiagBadElementSetName, esnName)
	}
	p := presentPlan{syntax: syntax}
	bad := func() (presentPlan, error) {
		return presentPlan{}, z3950.NewDiagnostic(z3950.DiagBadElementSetName, esnName)
	}
	switch syntax {
	case z3950.OIDUSMARC:
		switch es {
		case esFull, esOPAC:
			p.raw = true
		case esBrief:
			p.via = renderUSMARCBrief
		default:
			return bad()
		}
	case z3950.OIDXML, z3950.OIDApplicationXML:
		switch es {
		case esFull:
			p.via = renderMARCXML
		case esBrief:
			p.via = renderMARCXMLB
		case esDC:
			p.via = renderDC
		case esMODS:
			p.via = renderMODS
		case esOPAC:
			p.opac, p.opacXML = true, true
		}
	case z3950.OIDSUTRS:
		switch es {
		case esFull:
			p.via = renderSUTRS
		case esBrief:
			p.via = renderSUTRSB
		default:
			return bad()
		}
	case z3950.OIDOPAC:
		switch es {
		case esFull, esOPAC:
			p.opac = true
		case esBrief:
			p.opac, p.opacBrief = true, true
		default:
			return bad()
		}
	default:
		return presentPlan{}, z3950.NewDiagnostic(z3950.DiagUnsupportedSyntax, z3950.SyntaxName(syntax))
	}
	return p, nil
}

// Records renders records Start..Start+Count-1 of a result set.
func (s *session) Records(ctx context.Context, args z3950server.RecordsArgs) ([]z3950server.Record, error) {
	rs, ok := args.Handle.(*resultSet)
	if !ok {
		return nil, z3950.NewDiagnostic(z3950.DiagResultSetMissing, "")
	}
	syntax := args.Syntax
	if syntax == "" {
		syntax = z3950.OIDUSMARC
	}
	p, err := plan(syntax, args.ElementSet)
	if err != nil {
		return nil, err
	}
	from := args.Start - 1
	if from < 0 || from >= len(rs.ids) || args.Count <= 0 {
		return nil, nil
	}
	ids := rs.ids[from:min(from+args.Count, len(rs.ids))]
	raws, err := s.b.Catalogue.Records(ctx, ids)
	if err != nil {
		return nil, err
	}
	var keys []string
	if p.opac {
		if keys, err = s.b.Catalogue.Keys(ctx, ids); err != nil {
			return nil, err
		}
	}
	db := s.b.database()
	out := make([]z3950server.Record, len(ids))
	for i, id := range ids {
		out[i].Database = db
		raw := raws[i]
		if raw == nil {
			out[i].Diagnostic = z3950.NewDiagnostic(z3950.DiagRecordDeleted, "")
			continue
		}
		switch {
		case p.raw:
			out[i].External = z3950.OctetRecord(p.syntax, raw)
		case p.opac:
			ext, err := s.opacRecord(ctx, p, id, raw, keys[i])
			if err != nil {
				var he holdingsError
				if ctx.Err() != nil || errors.As(err, &he) {
					// Circulation is out of reach: the present fails with
					// diagnostic 2 (temporary system error), not a record.
					return nil, err
				}
				s.b.Logger.Warn().Err(err).Str("proto", "z3950").Str("record", keys[i]).Msg("OPAC record")
				out[i].Diagnostic = z3950.NewDiagnostic(z3950.DiagNotInSyntax, z3950.SyntaxName(p.syntax))
				continue
			}
			out[i].External = ext
		default:
			data, err := s.b.cache().Render(id, raw, p.via.format, p.via.render)
			if err != nil {
				out[i].Diagnostic = z3950.NewDiagnostic(z3950.DiagNotInSyntax, z3950.SyntaxName(p.syntax))
				continue
			}
			if p.syntax == z3950.OIDSUTRS {
				out[i].External = z3950.SUTRSRecord(string(data))
			} else {
				out[i].External = z3950.OctetRecord(p.syntax, data)
			}
		}
	}
	return out, nil
}

// holdingsError is a record's live holdings that could not be read (the
// circulation store is out of reach).
type holdingsError struct{ err error }

func (e holdingsError) Error() string { return "holdings: " + e.err.Error() }
func (e holdingsError) Unwrap() error { return e.err }

// opacRecord builds an OPAC record (or its XML twin) with live holdings.
func (s *session) opacRecord(ctx context.Context, p presentPlan, id uint32, raw []byte, key string) (*ber.External, error) {
	holdings, err := s.b.Catalogue.Holdings(ctx, key)
	if err != nil {
		return nil, holdingsError{err}
	}
	groups := holdingsAndCirc(holdings)
	if p.opacXML {
		bib, err := s.b.cache().Render(id, raw, renderMARCXML.format, renderMARCXML.render)
		if err != nil {
			return nil, err
		}
		return z3950.OctetRecord(p.syntax, opacXML(bib, groups)), nil
	}
	bib := raw
	if p.opacBrief {
		if bib, err = s.b.cache().Render(id, raw, renderUSMARCBrief.format, renderUSMARCBrief.render); err != nil {
			return nil, err
		}
	}
	rec := &z3950.OPACRecord{Bibliographic: z3950.OctetRecord(z3950.OIDUSMARC, bib)}
	for i := range groups {
		rec.Holdings = append(rec.Holdings, z3950.HoldingsRecord{Circ: &groups[i]})
	}
	return rec.External(), nil
}

// holdingsAndCirc groups copies into one HoldingsAndCirc per library, call
// number and reading-room flag, in the order the copies came, with one
// CircRecord per copy.
func holdingsAndCirc(hs []catalog.Holding) []z3950.HoldingsAndCirc {
	type groupKey struct {
		lib, call string
		room      bool
	}
	var out []z3950.HoldingsAndCirc
	index := map[groupKey]int{}
	for _, h := range hs {
		k := groupKey{h.Library, h.CallNumber, h.ReadingRoomOnly}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			g := z3950.HoldingsAndCirc{NucCode: h.Library, LocalLocation: h.LibraryName, CallNumber: h.CallNumber}
			if g.LocalLocation == "" {
				g.LocalLocation = h.Library
			}
			if h.ReadingRoomOnly {
				g.ShelvingLocation = "Reading room"
			}
			out = append(out, g)
		}
		out[i].Circulation = append(out[i].Circulation, circRecord(h))
	}
	return out
}

func circRecord(h catalog.Holding) z3950.CircRecord {
	c := z3950.CircRecord{
		AvailableNow: h.Available,
		ItemID:       h.ItemID,
		OnHold:       h.OnHold > 0 || h.Status == core.ItemOnHold,
	}
	onLoan := !h.Due.IsZero()
	if onLoan {
		c.AvailabilityDate = h.Due.Format("2006-01-02")
		c.Renewable = h.OnHold == 0 && !h.ReadingRoomOnly
	}
	switch {
	case h.ReadingRoomOnly:
		c.Restrictions = "reading room only"
	case !h.Available && !onLoan && h.Status != "":
		c.Restrictions = strings.ReplaceAll(string(h.Status), "_", " ")
	}
	return c
}

// opacXML renders the XML twin of an OPAC record in the shape of YAZ's
// opacxml schema: the MARCXML record, then holdings with circulation data.
func opacXML(bib []byte, groups []z3950.HoldingsAndCirc) []byte {
	var b strings.Builder
	b.Grow(len(bib) + 256*len(groups))
	b.WriteString("<opacRecord>\n<bibliographicRecord>\n")
	b.Write(bib)
	b.WriteString("</bibliographicRecord>\n<holdings>\n")
	el := func(name, v string) {
		if v == "" {
			return
		}
		b.WriteString("<" + name + ">")
		xmlEscape(&b, v)
		b.WriteString("</" + name + ">\n")
	}
	flag := func(name string, v bool) {
		if v {
			b.WriteString("<" + name + " value=\"1\"/>\n")
		} else {
			b.WriteString("<" + name + " value=\"0\"/>\n")
		}
	}
	for _, g := range groups {
		b.WriteString("<holding>\n")
		el("nucCode", g.NucCode)
		el("localLocation", g.LocalLocation)
		el("shelvingLocation", g.ShelvingLocation)
		el("callNumber", g.CallNumber)
		b.WriteString("<circulations>\n")
		for _, c := range g.Circulation {
			b.WriteString("<circulation>\n")
			flag("availableNow", c.AvailableNow)
			el("availablityDate", c.AvailabilityDate)
			el("restrictions", c.Restrictions)
			el("itemId", c.ItemID)
			flag("renewable", c.Renewable)
			flag("onHold", c.OnHold)
			b.WriteString("</circulation>\n")
		}
		b.WriteString("</circulations>\n</holding>\n")
	}
	b.WriteString("</holdings>\n</opacRecord>\n")
	return []byte(b.String())
}

func xmlEscape(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
}
