package partners

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/marc"
)

// cql writes the query in CQL with the Bath context set (bath.isbn, ...),
// which SRU servers that speak Bath, bibgate's among them, understand.
func cql(q Query) string {
	term := func(index, v string) string {
		return index + "=" + `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
	}
	switch {
	case q.ISBN != "":
		return term("bath.isbn", normaliseISBN(q.ISBN))
	case q.ISSN != "":
		return term("bath.issn", normaliseISBN(q.ISSN))
	case q.LocalNumber != "":
		return term("rec.id", q.LocalNumber)
	case q.Title != "" && q.Author != "":
		return term("dc.title", q.Title) + " and " + term("dc.creator", q.Author)
	case q.Title != "":
		return term("dc.title", q.Title)
	}
	return term("dc.creator", q.Author)
}

// maxSRUResponse bounds a searchRetrieve response read from a target.
const maxSRUResponse = 16 << 20

// lookupSRU runs searchRetrieve (SRU 1.2, MARCXML records) on a base URL.
func lookupSRU(ctx context.Context, base string, q Query, max int) (int, []record, error) {
	u, err := url.Parse(base)
	if err != nil {
		return 0, nil, fmt.Errorf("partners: SRU base %q: %w", base, err)
	}
	v := u.Query()
	v.Set("version", "1.2")
	v.Set("operation", "searchRetrieve")
	v.Set("query", cql(q))
	v.Set("maximumRecords", strconv.Itoa(max))
	v.Set("recordSchema", "marcxml")
	v.Set("recordPacking", "xml")
	u.RawQuery = v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("partners: SRU %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSRUResponse))
	if err != nil {
		return 0, nil, fmt.Errorf("partners: SRU %s: %w", u.Host, err)
	}
	hits, bibs, err := ParseSRUResponse(body)
	if err != nil {
		if resp.StatusCode != http.StatusOK {
			return 0, nil, fmt.Errorf("partners: SRU %s: HTTP %s", u.Host, resp.Status)
		}
		return 0, nil, err
	}
	recs := make([]record, 0, len(bibs))
	for _, b := range bibs {
		recs = append(recs, record{bib: b, holdings: MARCHoldings(b)})
	}
	return hits, recs, nil
}

// ParseSRUResponse reads a searchRetrieveResponse (SRU 1.1, 1.2 or 2.0):
// numberOfRecords and the MARCXML records in it. A diagnostic in place of
// the results is returned as the error; records given as diagnostics are
// skipped.
func ParseSRUResponse(body []byte) (int, []*marc.Record, error) {
	d := xml.NewDecoder(strings.NewReader(string(body)))
	d.Strict = false
	var (
		hits    = -1
		recs    []*marc.Record
		inRec   bool // inside a <record> of the response (not MARCXML)
		diag    string
		started bool
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, nil, fmt.Errorf("partners: SRU response: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		name := se.Name.Local
		if !started {
			if name != "searchRetrieveResponse" {
				return 0, nil, fmt.Errorf("partners: SRU response: <%s> is not a searchRetrieveResponse", name)
			}
			started = true
			continue
		}
		switch {
		case name == "numberOfRecords":
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				return 0, nil, fmt.Errorf("partners: SRU numberOfRecords: %w", err)
			}
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 0 {
				return 0, nil, fmt.Errorf("partners: SRU numberOfRecords %q", s)
			}
			hits = n
		case name == "record" && se.Name.Space == marcXMLNS:
			var x xmlRecord
			if err := d.DecodeElement(&x, &se); err != nil {
				return 0, nil, fmt.Errorf("partners: MARCXML record %d: %w", len(recs)+1, err)
			}
			recs = append(recs, x.record())
		case name == "record" && !inRec:
			inRec = true
		case name == "diagnostic" && !inRec:
			var x struct {
				URI     string `xml:"uri"`
				Details string `xml:"details"`
				Message string `xml:"message"`
			}
			if err := d.DecodeElement(&x, &se); err == nil && diag == "" {
				diag = strings.TrimSpace(x.URI + " " + x.Message + " " + x.Details)
			}
		}
	}
	if hits < 0 {
		if diag != "" {
			return 0, nil, fmt.Errorf("partners: SRU diagnostic %s", diag)
		}
		return 0, nil, errors.New("partners: SRU response without numberOfRecords")
	}
	return hits, recs, nil
}

const marcXMLNS = "http://www.loc.gov/MARC21/slim"

type xmlRecord struct {
	Leader  string `xml:"leader"`
	Control []struct {
		Tag   string `xml:"tag,attr"`
		Value string `xml:",chardata"`
	} `xml:"controlfield"`
	Data []struct {
		Tag  string `xml:"tag,attr"`
		Ind1 string `xml:"ind1,attr"`
		Ind2 string `xml:"ind2,attr"`
		Subs []struct {
			Code  string `xml:"code,attr"`
			Value string `xml:",chardata"`
		} `xml:"subfield"`
	} `xml:"datafield"`
}

func (x *xmlRecord) record() *marc.Record {
	r := &marc.Record{Leader: x.Leader}
	for _, c := range x.Control {
		r.Fields = append(r.Fields, marc.Field{Tag: c.Tag, Value: c.Value})
	}
	ind := func(s string) byte {
		if s == "" {
			return ' '
		}
		return s[0]
	}
	for _, df := range x.Data {
		f := marc.Field{Tag: df.Tag, Ind1: ind(df.Ind1), Ind2: ind(df.Ind2)}
		for _, s := range df.Subs {
			if s.Code == "" {
				continue
			}
			f.Subfields = append(f.Subfields, marc.Subfield{Code: s.Code[0], Value: s.Value})
		}
		r.Fields = append(r.Fields, f)
	}
	return r
}
