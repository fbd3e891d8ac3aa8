package partners

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950client"
)

// pqf writes the query as PQF with Bib-1 use attributes.
func pqf(q Query) string {
	term := func(use int, v string) string {
		return fmt.Sprintf("@attr 1=%d %s", use, quote(v))
	}
	switch {
	case q.ISBN != "":
		return term(7, normaliseISBN(q.ISBN))
	case q.ISSN != "":
		return term(8, normaliseISBN(q.ISSN))
	case q.LocalNumber != "":
		return term(12, q.LocalNumber)
	case q.Title != "" && q.Author != "":
		return "@and " + term(4, q.Title) + " " + term(1003, q.Author)
	case q.Title != "":
		return term(4, q.Title)
	}
	return term(1003, q.Author)
}

func quote(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
	return `"` + s + `"`
}

// lookupZ3950 searches one Z39.50 target and reads up to max records, in
// the OPAC syntax when the target gives it, else as MARC.
func lookupZ3950(ctx context.Context, addr, db string, q Query, max int) (int, []record, error) {
	timeout := 30 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	c, err := z3950client.Dial(ctx, addr, z3950client.Options{Timeout: timeout})
	if err != nil {
		return 0, nil, err
	}
	defer c.Abort()
	if _, err := c.Init(ctx, z3950client.InitOptions{Charset: "UTF-8"}); err != nil {
		return 0, nil, err
	}
	sr, err := c.Search(ctx, z3950client.SearchOptions{Databases: []string{db}, PQF: pqf(q)})
	if err != nil {
		return 0, nil, err
	}
	hits := sr.ResultCount
	n := min(hits, max)
	if n == 0 {
		return hits, nil, nil
	}
	recs, err := presentOPAC(ctx, c, n)
	if err != nil || recs == nil {
		if recs, err = presentMARC(ctx, c, n); err != nil {
			return hits, nil, err
		}
	}
	closeCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_ = c.Close(closeCtx)
	cancel()
	return hits, recs, nil
}

// presentOPAC asks for OPAC records; nil without error when the target
// does not give them (the caller asks again for MARC).
func presentOPAC(ctx context.Context, c *z3950client.Client, n int) ([]record, error) {
	pr, err := c.Present(ctx, "", 1, n, z3950.OIDOPAC, "F")
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, nil
	}
	if pr.Records == nil {
		return nil, nil
	}
	var out []record
	for _, r := range pr.Records.Records {
		ext := r.Record
		if ext == nil || ext.DirectReference != z3950.OIDOPAC || ext.Single == nil {
			return nil, nil
		}
		opac, err := z3950.ParseOPACRecord(ext.Single)
		if err != nil {
			return nil, fmt.Errorf("partners: OPAC record %d: %w", len(out)+1, err)
		}
		out = append(out, fromOPAC(opac))
	}
	return out, nil
}

func presentMARC(ctx context.Context, c *z3950client.Client, n int) ([]record, error) {
	pr, err := c.Present(ctx, "", 1, n, z3950.OIDUSMARC, "F")
	if err != nil {
		return nil, err
	}
	if pr.Records == nil {
		return nil, nil
	}
	var out []record
	for _, r := range pr.Records.Records {
		if r.Record == nil {
			continue // a surrogate diagnostic for this record
		}
		data, err := z3950.RecordBytes(r.Record)
		if err != nil {
			continue
		}
		bib, err := parseISO2709(data)
		if err != nil {
			return nil, err
		}
		out = append(out, record{bib: bib, holdings: MARCHoldings(bib)})
	}
	return out, nil
}

func parseISO2709(data []byte) (*marc.Record, error) {
	rec, err := marc.NewReader(bytes.NewReader(data)).Next()
	var d *marc.Defect
	if err != nil && !(errors.As(err, &d) && rec != nil) {
		return nil, fmt.Errorf("partners: MARC record: %w", err)
	}
	return rec, nil // repaired or re-encoded: still the partner's record
}

// fromOPAC reads an OPAC record: the bibliographic record and one holding
// per circulation record (or per holdings statement without one). MARC
// holdings records inside it are read as 852/952 fields.
func fromOPAC(o *z3950.OPACRecord) record {
	var r record
	if o.Bibliographic != nil {
		if data, err := z3950.RecordBytes(o.Bibliographic); err == nil {
			r.bib, _ = parseISO2709(data)
		}
	}
	r.holdings = []Holding{}
	for _, h := range o.Holdings {
		switch {
		case h.Circ != nil:
			r.holdings = append(r.holdings, circHoldings(h.Circ)...)
		case h.MARCHoldings != nil:
			if data, err := z3950.RecordBytes(h.MARCHoldings); err == nil {
				if hr, err := parseISO2709(data); err == nil {
					r.holdings = append(r.holdings, MARCHoldings(hr)...)
				}
			}
		}
	}
	if len(r.holdings) == 0 && r.bib != nil {
		r.holdings = MARCHoldings(r.bib)
	}
	return r
}

func circHoldings(g *z3950.HoldingsAndCirc) []Holding {
	base := Holding{Library: g.NucCode, LibraryName: g.LocalLocation, CallNumber: g.CallNumber, Source: "opac"}
	if base.Library == "" {
		base.Library = g.LocalLocation
	}
	if base.LibraryName == base.Library {
		base.LibraryName = ""
	}
	room := isReadingRoom(g.ShelvingLocation) || isReadingRoom(g.PublicNote)
	if len(g.Circulation) == 0 {
		h := base
		h.Status = Unknown
		if room {
			h.Status = ReadingRoomOnly
		}
		return []Holding{h}
	}
	out := make([]Holding, 0, len(g.Circulation))
	for _, c := range g.Circulation {
		h := base
		h.OnHold = c.OnHold
		switch {
		case room || isReadingRoom(c.Restrictions):
			h.Status = ReadingRoomOnly
		case c.AvailableNow:
			h.Status = Available
		case c.AvailabilityDate != "":
			h.Status = OnLoan
			h.Due = c.AvailabilityDate
		case c.Restrictions != "":
			h.Status = NotForLoan
			h.Restriction = c.Restrictions
		default:
			h.Status = OnLoan
		}
		if h.Status == ReadingRoomOnly && c.Restrictions != "" && !isReadingRoom(c.Restrictions) {
			h.Restriction = c.Restrictions
		}
		out = append(out, h)
	}
	return out
}

func isReadingRoom(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "reading room") || strings.Contains(s, "reading-room") || strings.Contains(s, "in-house")
}
