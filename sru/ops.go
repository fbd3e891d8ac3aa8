package sru

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search/cql"
)

// Response namespaces.
const (
	nsSRW      = "http://www.loc.gov/zing/srw/"
	nsSRWDiag  = "http://www.loc.gov/zing/srw/diagnostic/"
	nsSRU2     = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
	nsSRU2Scan = "http://docs.oasis-open.org/ns/search-ws/scan"
	nsSRU2Diag = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
)

// envelope opens the XML document and the response element.
func envelope(req *request, root, ns string) *xmlWriter {
	w := &xmlWriter{}
	w.raw([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n"))
	if ss := req.get("stylesheet"); ss != "" && stylesheetOK(ss) {
		w.raw([]byte(`<?xml-stylesheet type="text/xsl" href="`))
		w.escape(ss)
		w.raw([]byte("\"?>\n"))
	}
	w.open("zs:"+root, "xmlns:zs", ns)
	return w
}

// stylesheetOK reports whether a stylesheet URL can go into a processing
// instruction unharmed.
func stylesheetOK(s string) bool {
	return !strings.Contains(s, "?>") && !strings.ContainsAny(s, "\"<>\x00\r\n")
}

func v2(req *request) bool { return req.version == "2.0" }

func writeDiagnostics(w *xmlWriter, req *request, diags []*Diagnostic) {
	if len(diags) == 0 {
		return
	}
	ns := nsSRWDiag
	if v2(req) {
		ns = nsSRU2Diag
	}
	w.open("zs:diagnostics")
	for _, d := range diags {
		writeDiagnostic(w, ns, d)
	}
	w.close("zs:diagnostics")
}

func writeDiagnostic(w *xmlWriter, ns string, d *Diagnostic) {
	w.open("diag:diagnostic", "xmlns:diag", ns)
	w.elem("diag:uri", d.URI())
	w.elemIf("diag:details", d.Details)
	w.elemIf("diag:message", d.message())
	w.close("diag:diagnostic")
}

// common checks the parameters every operation has.
func commonChecks(req *request) []*Diagnostic {
	var diags []*Diagnostic
	if ss := req.get("stylesheet"); ss != "" {
		if !stylesheetOK(ss) {
			diags = append(diags, NewDiagnostic(DiagStylesheet, ss))
		} else if req.get("renderedBy") == "server" {
			diags = append(diags, NewDiagnostic(DiagStylesheets, "renderedBy=server"))
		}
	}
	if v2(req) {
		if rb := req.get("renderedBy"); rb != "" && rb != "client" && rb != "server" {
			diags = append(diags, NewDiagnostic(DiagParamValue, "renderedBy"))
		}
		switch a := strings.TrimSpace(req.get("httpAccept")); a {
		case "", "application/sru+xml", "application/xml", "text/xml", "*/*", "application/*", "text/*":
		default:
			diags = append(diags, NewDiagnostic(DiagParamValue, "httpAccept"))
		}
		switch t := req.get("responseType"); t {
		case "", "application/sru+xml":
		default:
			diags = append(diags, NewDiagnostic(DiagParamValue, "responseType"))
		}
	}
	return diags
}

// escaping returns how records are to be written, "xml" or "string", from
// recordPacking (1.x) or recordXMLEscaping (2.0, where recordPacking
// xml|string is also taken in its old sense).
func escaping(req *request) (string, *Diagnostic) {
	if v2(req) {
		packing := req.get("recordPacking")
		esc := req.get("recordXMLEscaping")
		switch packing {
		case "", "packed":
		case "xml", "string":
			if esc == "" {
				esc = packing
			}
		default:
			return "xml", NewDiagnostic(DiagRecordPacking, packing)
		}
		switch esc {
		case "", "xml":
			return "xml", nil
		case "string":
			return "string", nil
		}
		return "xml", NewDiagnostic(DiagRecordPacking, esc)
	}
	switch p := req.get("recordPacking"); p {
	case "", "xml":
		return "xml", nil
	case "string":
		return "string", nil
	default:
		return "xml", NewDiagnostic(DiagRecordPacking, p)
	}
}

// writeRecord writes one <record>.
func writeRecord(w *xmlWriter, req *request, schemaID, esc string, data []byte, pos int) {
	w.open("zs:record")
	w.elem("zs:recordSchema", schemaID)
	if v2(req) {
		w.elem("zs:recordXMLEscaping", esc)
	} else {
		w.elem("zs:recordPacking", esc)
	}
	w.open("zs:recordData")
	if esc == "string" {
		w.escape(string(data))
	} else {
		w.raw(data)
	}
	w.close("zs:recordData")
	if pos > 0 {
		w.elemInt("zs:recordPosition", pos)
	}
	w.close("zs:record")
}

// surrogate is a diagnostic standing in for a record.
func surrogate(req *request, d *Diagnostic) []byte {
	var w xmlWriter
	ns := nsSRWDiag
	if v2(req) {
		ns = nsSRU2Diag
	}
	writeDiagnostic(&w, ns, d)
	return w.bytes()
}

// positiveParam parses an integer parameter; def when absent.
func intParam(req *request, name string, def, min int) (int, *Diagnostic) {
	s, ok := req.params[name]
	if !ok || s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < min {
		return def, NewDiagnostic(DiagParamValue, name)
	}
	return n, nil
}

func (h *Handler) explain(req *request, info *ExplainInfo, diags []*Diagnostic) *response {
	diags = append(diags, commonChecks(req)...)
	esc, d := escaping(req)
	if d != nil {
		diags = append(diags, d)
	}
	ns := nsSRW
	if v2(req) {
		ns = nsSRU2
	}
	w := envelope(req, "explainResponse", ns)
	w.elem("zs:version", req.version)
	writeRecord(w, req, SchemaZeeRex, esc, h.renderExplain(info, req.version, h.schemas(info)), 0)
	w.open("zs:echoedExplainRequest")
	w.elem("zs:version", req.version)
	if v2(req) {
		w.elemIf("zs:recordXMLEscaping", req.get("recordXMLEscaping"))
	}
	w.elemIf("zs:recordPacking", req.get("recordPacking"))
	w.elemIf("zs:stylesheet", req.get("stylesheet"))
	w.close("zs:echoedExplainRequest")
	writeDiagnostics(w, req, diags)
	w.close("zs:explainResponse")
	return &response{body: w.bytes(), diags: diags}
}

func (h *Handler) searchRetrieve(hr *http.Request, req *request, info *ExplainInfo, diags []*Diagnostic) *response {
	diags = append(diags, commonChecks(req)...)
	start, d1 := intParam(req, "startRecord", 1, 1)
	max, d2 := intParam(req, "maximumRecords", h.defaultRecords(), 0)
	esc, d3 := escaping(req)
	for _, d := range []*Diagnostic{d1, d2, d3} {
		if d != nil {
			diags = append(diags, d)
		}
	}
	if max > h.maxRecords() {
		max = h.maxRecords()
	}
	schemas := h.schemas(info)
	var schema *Schema
	if name := req.get("recordSchema"); name == "" {
		schema = &schemas[0]
	} else {
		for i := range schemas {
			if schemas[i].matches(name) {
				schema = &schemas[i]
				break
			}
		}
		if schema == nil {
			diags = append(diags, NewDiagnostic(DiagUnknownSchema, name))
		}
	}
	if req.version == "1.1" && req.get("recordXPath") != "" {
		diags = append(diags, NewDiagnostic(DiagXPath, req.get("recordXPath")))
	}
	if qt := req.get("queryType"); qt != "" && qt != "cql" {
		diags = append(diags, NewDiagnostic(DiagQueryType, qt))
	}
	queryText, hasQuery := req.params["query"]
	if !hasQuery {
		diags = append(diags, NewDiagnostic(DiagMandatoryParam, "query"))
	}

	var result *SearchResult
	if len(diags) == 0 {
		q, err := h.parseQuery(queryText, req.get("sortKeys"), info)
		if err == nil {
			result, err = h.Backend.Search(hr.Context(), q, start, max)
			if err == nil && result == nil {
				result = &SearchResult{}
			}
		}
		if err != nil {
			d, internal := asDiagnostic(err)
			if internal {
				h.logInternal(OpSearchRetrieve, err)
			}
			diags = append(diags, d)
			result = nil
		}
	}

	ns := nsSRW
	if v2(req) {
		ns = nsSRU2
	}
	w := envelope(req, "searchRetrieveResponse", ns)
	w.elem("zs:version", req.version)
	hits := 0
	if result != nil {
		hits = result.Count
	}
	w.elemInt("zs:numberOfRecords", hits)
	if result != nil && hits > 0 {
		if start > hits {
			diags = append(diags, NewDiagnostic(DiagFirstRecordRange, strconv.Itoa(start)))
		} else if recs := clipRecords(result.Records, max, hits-start+1); len(recs) > 0 {
			// Render first, so the response buffer grows once, not
			// once per doubling.
			ids, datas := make([]string, len(recs)), make([][]byte, len(recs))
			size := 0
			for i, rec := range recs {
				ids[i], datas[i] = h.render(req, schema, rec)
				size += len(datas[i]) + 256
			}
			if esc == "string" {
				size += size / 4 // &lt; and &gt; for every tag
			}
			w.buf.Grow(size + 1024)
			w.open("zs:records")
			for i := range recs {
				writeRecord(w, req, ids[i], esc, datas[i], start+i)
			}
			w.close("zs:records")
			if next := start + len(recs); next <= hits {
				w.elemInt("zs:nextRecordPosition", next)
			}
		}
	}
	echoSearch(w, req)
	writeDiagnostics(w, req, diags)
	if v2(req) && result != nil {
		w.elem("zs:resultCountPrecision", "info:srw/vocabulary/resultCountPrecision/1/exact")
	}
	w.close("zs:searchRetrieveResponse")
	return &response{body: w.bytes(), diags: diags, hits: hits}
}

func clipRecords(recs []*marc.Record, max, left int) []*marc.Record {
	if len(recs) > max {
		recs = recs[:max]
	}
	if left >= 0 && len(recs) > left {
		recs = recs[:left]
	}
	return recs
}

// render renders one record in the schema, or a surrogate diagnostic.
func (h *Handler) render(req *request, s *Schema, rec *marc.Record) (string, []byte) {
	if rec == nil {
		return SchemaDiagnostics, surrogate(req, NewDiagnostic(DiagRecordMissing, ""))
	}
	data, err := s.Render(rec)
	if err != nil {
		h.logInternal(OpSearchRetrieve, err)
		return SchemaDiagnostics, surrogate(req, NewDiagnostic(DiagNotInSchema, s.Name))
	}
	return s.Identifier, stripXMLDecl(data)
}

// parseQuery parses and checks the CQL query and merges SRU 1.1
// sortKeys into it when the query has no sortBy.
func (h *Handler) parseQuery(text, sortKeys string, info *ExplainInfo) (*cql.Query, error) {
	q, err := cql.Parse(text)
	if err != nil {
		return nil, err
	}
	if len(q.SortKeys) == 0 && strings.TrimSpace(sortKeys) != "" {
		keys, err := ParseSortKeys(sortKeys)
		if err != nil {
			return nil, err
		}
		q.SortKeys = keys
	}
	return h.profiles.get(info).Normalize(q)
}

func echoSearch(w *xmlWriter, req *request) {
	w.open("zs:echoedSearchRetrieveRequest")
	w.elem("zs:version", req.version)
	if v2(req) {
		w.elemIf("zs:queryType", req.get("queryType"))
	}
	w.elemIf("zs:query", req.get("query"))
	w.elemIf("zs:startRecord", req.get("startRecord"))
	w.elemIf("zs:maximumRecords", req.get("maximumRecords"))
	if v2(req) {
		w.elemIf("zs:recordXMLEscaping", req.get("recordXMLEscaping"))
	}
	w.elemIf("zs:recordPacking", req.get("recordPacking"))
	w.elemIf("zs:recordSchema", req.get("recordSchema"))
	if req.version == "1.1" {
		w.elemIf("zs:recordXPath", req.get("recordXPath"))
	}
	w.elemIf("zs:resultSetTTL", req.get("resultSetTTL"))
	w.elemIf("zs:sortKeys", req.get("sortKeys"))
	w.elemIf("zs:stylesheet", req.get("stylesheet"))
	if v2(req) {
		w.elemIf("zs:renderedBy", req.get("renderedBy"))
		w.elemIf("zs:httpAccept", req.get("httpAccept"))
		w.elemIf("zs:responseType", req.get("responseType"))
	}
	w.close("zs:echoedSearchRetrieveRequest")
}

func (h *Handler) scan(hr *http.Request, req *request, info *ExplainInfo, diags []*Diagnostic) *response {
	diags = append(diags, commonChecks(req)...)
	pos, d1 := intParam(req, "responsePosition", 1, 0)
	n, d2 := intParam(req, "maximumTerms", h.defaultScan(), 1)
	for _, d := range []*Diagnostic{d1, d2} {
		if d != nil {
			diags = append(diags, d)
		}
	}
	if d2 == nil && n > h.maxScanTerms() {
		diags = append(diags, NewDiagnostic(DiagTooManyTerms, strconv.Itoa(h.maxScanTerms())))
	}
	if d1 == nil && d2 == nil && pos > n+1 {
		diags = append(diags, NewDiagnostic(DiagResponsePosition, strconv.Itoa(pos)))
	}
	clauseText, ok := req.params["scanClause"]
	if !ok {
		diags = append(diags, NewDiagnostic(DiagMandatoryParam, "scanClause"))
	}
	var terms []Term
	if len(diags) == 0 {
		clause, err := h.parseScanClause(clauseText, info)
		if err == nil {
			terms, err = h.Backend.Scan(hr.Context(), clause, n, pos)
		}
		if err != nil {
			d, internal := asDiagnostic(err)
			if internal {
				h.logInternal(OpScan, err)
			}
			diags = append(diags, d)
			terms = nil
		}
	}
	if len(terms) > n {
		terms = terms[:n]
	}
	ns := nsSRW
	if v2(req) {
		ns = nsSRU2Scan
	}
	w := envelope(req, "scanResponse", ns)
	if !v2(req) {
		w.elem("zs:version", req.version)
	}
	if len(terms) > 0 {
		w.open("zs:terms")
		for _, t := range terms {
			w.open("zs:term")
			w.elem("zs:value", t.Value)
			w.elemInt("zs:numberOfRecords", t.Count)
			w.elemIf("zs:displayTerm", t.Display)
			switch t.WhereInList {
			case "first", "last", "only", "inner":
				w.elem("zs:whereInList", t.WhereInList)
			}
			w.close("zs:term")
		}
		w.close("zs:terms")
	}
	w.open("zs:echoedScanRequest")
	if !v2(req) {
		w.elem("zs:version", req.version)
	}
	w.elem("zs:scanClause", req.get("scanClause"))
	w.elemIf("zs:responsePosition", req.get("responsePosition"))
	w.elemIf("zs:maximumTerms", req.get("maximumTerms"))
	if v2(req) {
		w.elemIf("zs:httpAccept", req.get("httpAccept"))
	}
	w.elemIf("zs:stylesheet", req.get("stylesheet"))
	w.close("zs:echoedScanRequest")
	writeDiagnostics(w, req, diags)
	w.close("zs:scanResponse")
	return &response{body: w.bytes(), diags: diags}
}

// parseScanClause parses a scanClause: one search clause, no booleans and
// no sortBy.
func (h *Handler) parseScanClause(text string, info *ExplainInfo) (*cql.Clause, error) {
	q, err := cql.Parse(text)
	if err != nil {
		return nil, err
	}
	if len(q.SortKeys) > 0 {
		return nil, NewDiagnostic(DiagQuerySyntax, "sortBy in scanClause")
	}
	n, err := h.profiles.get(info).Normalize(q)
	if err != nil {
		return nil, err
	}
	c, ok := n.Root.(*cql.Clause)
	if !ok {
		return nil, NewDiagnostic(DiagQuerySyntax, "scanClause must be a single index relation term")
	}
	return c, nil
}
