package sru

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func newHandler() (*Handler, *fakeBackend) {
	f := newFake()
	return &Handler{Backend: f}, f
}

func TestVersionNegotiation(t *testing.T) {
	tests := []struct {
		asked, got, ns string
		diag           string
	}{
		{"", "2.0", nsSRU2, ""},
		{"1.1", "1.1", nsSRW, ""},
		{"1.2", "1.2", nsSRW, ""},
		{"1.5", "1.2", nsSRW, ""},
		{"2.0", "2.0", nsSRU2, ""},
		{"2.3", "2.0", nsSRU2, ""},
		{"3.0", "2.0", nsSRU2, "info:srw/diagnostic/1/5"},
		{"1.0", "1.1", nsSRW, "info:srw/diagnostic/1/5"},
		{"abc", "2.0", nsSRU2, "info:srw/diagnostic/1/5"},
	}
	h, _ := newHandler()
	for _, tt := range tests {
		p := vals("operation", "explain")
		if tt.asked != "" {
			p.Set("version", tt.asked)
		}
		res := get(t, h, p)
		if res.status != http.StatusOK {
			t.Fatalf("version %q: HTTP %d", tt.asked, res.status)
		}
		if res.doc.XMLName.Local != "explainResponse" || res.doc.XMLName.Space != tt.ns {
			t.Errorf("version %q: root %v, want explainResponse in %s", tt.asked, res.doc.XMLName, tt.ns)
		}
		if v := res.doc.text("version"); v != tt.got {
			t.Errorf("version %q: answered %q, want %q", tt.asked, v, tt.got)
		}
		diags := res.doc.diagURIs()
		if tt.diag == "" && len(diags) != 0 || tt.diag != "" && (len(diags) != 1 || diags[0] != tt.diag) {
			t.Errorf("version %q: diagnostics %v, want %q", tt.asked, diags, tt.diag)
		}
	}
}

func TestSearchRetrieveEachVersion(t *testing.T) {
	for _, v := range []string{"1.1", "1.2", "2.0"} {
		t.Run(v, func(t *testing.T) {
			h, f := newHandler()
			p := vals("version", v, "query", "dc.title = comp*", "maximumRecords", "1", "recordSchema", "marcxml")
			if v != "2.0" {
				p.Set("operation", "searchRetrieve")
			}
			res := get(t, h, p)
			d := res.doc
			wantNS := nsSRW
			if v == "2.0" {
				wantNS = nsSRU2
			}
			if d.XMLName.Local != "searchRetrieveResponse" || d.XMLName.Space != wantNS {
				t.Fatalf("root %v", d.XMLName)
			}
			if diags := d.diagURIs(); len(diags) > 0 {
				t.Fatalf("diagnostics %v\n%s", diags, res.body)
			}
			if got := d.text("numberOfRecords"); got != "2" {
				t.Errorf("numberOfRecords = %s, want 2", got)
			}
			recs := d.find("records", "record")
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			if got := recs[0].text("recordSchema"); got != SchemaMARCXML {
				t.Errorf("recordSchema = %s", got)
			}
			if got := recs[0].text("recordPosition"); got != "1" {
				t.Errorf("recordPosition = %s", got)
			}
			packing := "recordPacking"
			if v == "2.0" {
				packing = "recordXMLEscaping"
			}
			if got := recs[0].text(packing); got != "xml" {
				t.Errorf("%s = %q, want xml", packing, got)
			}
			if got := d.text("nextRecordPosition"); got != "2" {
				t.Errorf("nextRecordPosition = %s, want 2", got)
			}
			if got := d.text("echoedSearchRetrieveRequest", "query"); got != "dc.title = comp*" {
				t.Errorf("echoed query = %q", got)
			}
			if v == "2.0" && d.text("resultCountPrecision") == "" {
				t.Errorf("2.0 response lacks resultCountPrecision")
			}
			if f.lastArgs != [2]int{1, 1} {
				t.Errorf("backend got start,max = %v", f.lastArgs)
			}
			if got := f.lastQ.String(); got != "dc.title = comp*" {
				t.Errorf("backend got query %q", got)
			}
			// The last page has no nextRecordPosition.
			p.Set("startRecord", "2")
			res = get(t, h, p)
			if res.doc.text("nextRecordPosition") != "" {
				t.Errorf("nextRecordPosition on the last page")
			}
			if got := res.doc.find("records", "record")[0].text("recordPosition"); got != "2" {
				t.Errorf("recordPosition = %s, want 2", got)
			}
		})
	}
}

func TestSchemas(t *testing.T) {
	h, _ := newHandler()
	tests := []struct {
		schema, id string
		check      func(t *testing.T, rec *node)
	}{
		{"marcxml", SchemaMARCXML, func(t *testing.T, rec *node) {
			if rec.XMLName.Space != "http://www.loc.gov/MARC21/slim" || rec.XMLName.Local != "record" {
				t.Fatalf("root %v", rec.XMLName)
			}
			var title string
			for _, df := range rec.find("datafield") {
				if df.attr("tag") == "245" {
					title = df.find("subfield")[0].Text
				}
			}
			if title != "Ļoti garš ceļš :" {
				t.Errorf("245 $a = %q", title)
			}
		}},
		{"info:srw/schema/1/dc-v1.1", SchemaDC, func(t *testing.T, rec *node) {
			if rec.XMLName.Space != nsSRWDC || rec.XMLName.Local != "dc" {
				t.Fatalf("root %v", rec.XMLName)
			}
			want := map[string][]string{
				"title":       {"Ļoti garš ceļš : stāsti par Latgali"},
				"creator":     {"Bērziņš, Jānis, 1950-", "Ozoliņa, Līga"},
				"subject":     {"Ceļojumi--Latgale"},
				"description": {"Stāsti par ceļojumiem & <piedzīvojumiem>"},
				"publisher":   {"Rīga : Zvaigzne ABC"},
				"date":        {"2023"},
				"type":        {"Text"},
				"identifier":  {"URN:ISBN:9789934012345"},
				"language":    {"lav", "eng"},
			}
			for el, w := range want {
				var got []string
				for _, n := range rec.find(el) {
					if n.XMLName.Space != nsDC {
						t.Errorf("dc:%s in namespace %q", el, n.XMLName.Space)
					}
					got = append(got, n.Text)
				}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("dc:%s = %q, want %q", el, got, w)
				}
			}
		}},
		{"mods", SchemaMODS, func(t *testing.T, rec *node) {
			if rec.XMLName.Space != nsMODS || rec.XMLName.Local != "mods" {
				t.Fatalf("root %v", rec.XMLName)
			}
			checks := map[string]string{
				"titleInfo/title":             "Ļoti garš ceļš",
				"titleInfo/subTitle":          "stāsti par Latgali",
				"name/namePart":               "Bērziņš, Jānis",
				"name/role/roleTerm":          "autors",
				"typeOfResource":              "text",
				"originInfo/publisher":        "Zvaigzne ABC",
				"originInfo/dateIssued":       "2023",
				"originInfo/issuance":         "monographic",
				"language/languageTerm":       "lav",
				"physicalDescription/extent":  "215 lpp. ; 21 cm",
				"subject/topic":               "Ceļojumi",
				"subject/geographic":          "Latgale",
				"identifier":                  "9789934012345",
				"recordInfo/recordIdentifier": "lv000123",
				"recordInfo/recordChangeDate": "20240105101530",
			}
			for p, w := range checks {
				if got := rec.text(strings.Split(p, "/")...); got != w {
					t.Errorf("mods %s = %q, want %q", p, got, w)
				}
			}
			if s := rec.find("subject")[0].attr("authority"); s != "lnc" {
				t.Errorf("subject authority = %q", s)
			}
		}},
	}
	for _, tt := range tests {
		for _, packing := range []string{"xml", "string"} {
			t.Run(tt.schema+"/"+packing, func(t *testing.T) {
				res := get(t, h, vals("version", "1.2", "operation", "searchRetrieve", "query", "Ļoti",
					"recordSchema", tt.schema, "recordPacking", packing))
				if d := res.doc.diagURIs(); len(d) > 0 {
					t.Fatalf("diagnostics %v", d)
				}
				recs := res.doc.find("records", "record")
				if len(recs) != 1 {
					t.Fatalf("%d records\n%s", len(recs), res.body)
				}
				if got := recs[0].text("recordSchema"); got != tt.id {
					t.Errorf("recordSchema = %q, want %q", got, tt.id)
				}
				var payload []byte
				if packing == "string" {
					data := recs[0].find("recordData")[0]
					if len(data.Nodes) != 0 {
						t.Fatalf("string packing has elements inside recordData")
					}
					payload = []byte(data.Text)
				} else {
					payload = recordPayloads(t, res)[0]
				}
				tt.check(t, parseXML(t, payload))
			})
		}
	}
}

func TestDiagnostics(t *testing.T) {
	sr := func(kv ...string) url.Values {
		return vals(append([]string{"version", "1.2", "operation", "searchRetrieve"}, kv...)...)
	}
	tests := []struct {
		name    string
		params  url.Values
		uri     string
		details string
	}{
		{"unknown index", sr("query", "dc.foo=x"), "info:srw/diagnostic/1/16", "dc.foo"},
		{"unknown context set", sr("query", "zz.title=x"), "info:srw/diagnostic/1/15", "zz"},
		{"unknown schema", sr("query", "x", "recordSchema", "nope"), "info:srw/diagnostic/1/66", "nope"},
		{"syntax", sr("query", "(dc.title="), "info:srw/diagnostic/1/10", ""},
		{"parentheses", sr("query", "a)"), "info:srw/diagnostic/1/13", ""},
		{"relation", sr("query", "dc.title foo.near x"), "info:srw/diagnostic/1/19", "foo.near"},
		{"relation modifier", sr("query", "dc.title any/bogus x"), "info:srw/diagnostic/1/20", "bogus"},
		{"empty term", sr("query", `dc.title=""`), "info:srw/diagnostic/1/27", ""},
		{"first record", sr("query", "computer", "startRecord", "999999"), "info:srw/diagnostic/1/61", "999999"},
		{"startRecord zero", sr("query", "x", "startRecord", "0"), "info:srw/diagnostic/1/6", "startRecord"},
		{"maximumRecords negative", sr("query", "x", "maximumRecords", "-1"), "info:srw/diagnostic/1/6", "maximumRecords"},
		{"maximumRecords junk", sr("query", "x", "maximumRecords", "ten"), "info:srw/diagnostic/1/6", "maximumRecords"},
		{"missing query", sr(), "info:srw/diagnostic/1/7", "query"},
		{"packing", sr("query", "x", "recordPacking", "zip"), "info:srw/diagnostic/1/71", "zip"},
		{"unknown parameter", sr("query", "x", "frobnicate", "1"), "info:srw/diagnostic/1/8", "frobnicate"},
		{"2.0 parameter in 1.2", sr("query", "x", "recordXMLEscaping", "xml"), "info:srw/diagnostic/1/8", "recordXMLEscaping"},
		{"1.1 parameter in 1.2", sr("query", "x", "recordXPath", "/a"), "info:srw/diagnostic/1/8", "recordXPath"},
		{"xpath in 1.1", vals("version", "1.1", "operation", "searchRetrieve", "query", "x", "recordXPath", "/a"), "info:srw/diagnostic/1/72", "/a"},
		{"query type", vals("query", "x", "queryType", "pqf"), "info:srw/diagnostic/1/11", "pqf"},
		{"2.0 packing unpacked", vals("query", "x", "recordPacking", "unpacked"), "info:srw/diagnostic/1/71", "unpacked"},
		{"2.0 escaping junk", vals("query", "x", "recordXMLEscaping", "html"), "info:srw/diagnostic/1/71", "html"},
		{"2.0 httpAccept", vals("query", "x", "httpAccept", "application/json"), "info:srw/diagnostic/1/6", "httpAccept"},
		{"backend error hidden", sr("query", "boom"), "info:srw/diagnostic/1/1", ""},
		{"backend diagnostic", sr("query", "forbidden"), "info:srw/diagnostic/1/16", "dc.title"},
		{"bad sortKeys direction", vals("version", "1.1", "operation", "searchRetrieve", "query", "x", "sortKeys", "dc.title,,up"), "info:srw/diagnostic/1/90", "up"},
		{"sortBy unknown index", sr("query", "x sortBy dc.nosuch"), "info:srw/diagnostic/1/16", "dc.nosuch"},
		{"missing operation", vals("version", "1.2", "query", "x"), "info:srw/diagnostic/1/7", "operation"},
		{"unknown operation", vals("version", "1.2", "operation", "update"), "info:srw/diagnostic/1/4", "update"},
		{"scan too many", vals("version", "1.2", "operation", "scan", "scanClause", "dc.title=a", "maximumTerms", "1000"), "info:srw/diagnostic/1/121", "100"},
		{"scan position", vals("version", "1.2", "operation", "scan", "scanClause", "dc.title=a", "maximumTerms", "5", "responsePosition", "7"), "info:srw/diagnostic/1/120", "7"},
		{"scan boolean", vals("version", "1.2", "operation", "scan", "scanClause", "a and b"), "info:srw/diagnostic/1/10", "scanClause must be a single index relation term"},
		{"scan unknown index", vals("scanClause", "dc.nosuch=a"), "info:srw/diagnostic/1/16", "dc.nosuch"},
		{"scan missing clause", vals("version", "1.2", "operation", "scan"), "info:srw/diagnostic/1/7", "scanClause"},
		{"bad stylesheet", sr("query", "x", "stylesheet", `a"?><evil/>`), "info:srw/diagnostic/1/111", `a"?><evil/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newHandler()
			res := get(t, h, tt.params)
			if res.status != http.StatusOK {
				t.Fatalf("HTTP %d", res.status)
			}
			diags := res.doc.find("diagnostics", "diagnostic")
			if len(diags) == 0 {
				t.Fatalf("no diagnostic, want %s\n%s", tt.uri, res.body)
			}
			d := diags[0]
			if got := d.text("uri"); got != tt.uri {
				t.Fatalf("diagnostic %s (%s), want %s", got, d.text("details"), tt.uri)
			}
			if got := d.text("details"); got != tt.details {
				t.Errorf("details %q, want %q", got, tt.details)
			}
			if d.text("message") == "" {
				t.Errorf("diagnostic without message")
			}
			if strings.Contains(string(res.body), "disk on fire") {
				t.Errorf("internal error text leaked into the response")
			}
			if res.doc.XMLName.Local == "searchRetrieveResponse" && res.doc.text("numberOfRecords") == "" {
				t.Errorf("searchRetrieveResponse without numberOfRecords")
			}
		})
	}
}

func TestXParametersIgnored(t *testing.T) {
	h, _ := newHandler()
	res := get(t, h, vals("version", "1.2", "operation", "searchRetrieve", "query", "computer",
		"x-username", "alice", "x-password", "secret", "resultSetTTL", "300"))
	if d := res.doc.diagURIs(); len(d) > 0 {
		t.Fatalf("diagnostics %v", d)
	}
	if strings.Contains(string(res.body), "secret") {
		t.Fatalf("password echoed")
	}
}

func TestSurrogateDiagnostics(t *testing.T) {
	h, _ := newHandler()
	res := get(t, h, vals("version", "1.2", "operation", "searchRetrieve", "query", "gone"))
	recs := res.doc.find("records", "record")
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if got := recs[0].text("recordSchema"); got != SchemaDiagnostics {
		t.Errorf("missing record schema = %q", got)
	}
	if got := recs[0].text("recordData", "diagnostic", "uri"); got != "info:srw/diagnostic/1/65" {
		t.Errorf("missing record diagnostic = %q", got)
	}
	if got := recs[1].text("recordSchema"); got != SchemaMARCXML {
		t.Errorf("second record schema = %q", got)
	}

	// A schema that cannot render a record gives diagnostic 67 in its place.
	h.Schemas = append(DefaultSchemas(), Schema{Name: "broken", Identifier: "info:test/broken",
		Render: func(*marcRecord) ([]byte, error) { return nil, errTest }})
	res = get(t, h, vals("query", "computer", "recordSchema", "broken"))
	for _, r := range res.doc.find("records", "record") {
		if got := r.text("recordData", "diagnostic", "uri"); got != "info:srw/diagnostic/1/67" {
			t.Errorf("unrenderable record diagnostic = %q", got)
		}
	}
}

func TestSortKeys(t *testing.T) {
	h, f := newHandler()
	get(t, h, vals("version", "1.1", "operation", "searchRetrieve", "query", "computer",
		"sortKeys", "title,,0 dc.date,,1,1,highValue"))
	if got := f.lastQ.String(); got != "cql.serverChoice = computer sortBy dc.title/descending dc.date/ascending/respectCase/missingHigh" &&
		got != "computer sortBy dc.title/descending dc.date/ascending/respectCase/missingHigh" {
		t.Errorf("backend query = %q", got)
	}
	get(t, h, vals("version", "1.2", "operation", "searchRetrieve", "query", "computer sortBy dc.creator/sort.descending"))
	k := f.lastQ.SortKeys
	if len(k) != 1 || k[0].Index != "dc.creator" || !k[0].Descending() {
		t.Errorf("sortBy keys = %+v", k)
	}
}

func TestExplain(t *testing.T) {
	for _, v := range []string{"1.1", "1.2", "2.0"} {
		h, _ := newHandler()
		res := get(t, h, vals("version", v, "operation", "explain"))
		rec := res.doc.find("record")
		if len(rec) != 1 || rec[0].text("recordSchema") != SchemaZeeRex {
			t.Fatalf("%s: explain record missing\n%s", v, res.body)
		}
		ex := rec[0].find("recordData", "explain")
		if len(ex) != 1 || ex[0].XMLName.Space != nsZeeRex {
			t.Fatalf("%s: no ZeeRex explain", v)
		}
		z := ex[0]
		if z.text("serverInfo", "database") != "Default" || z.text("serverInfo", "port") != "2100" || z.text("serverInfo", "host") != "127.0.0.1" {
			t.Errorf("%s: serverInfo wrong", v)
		}
		if got := z.find("serverInfo")[0].attr("version"); got != v {
			t.Errorf("serverInfo version = %q, want %q", got, v)
		}
		var names []string
		for _, ix := range z.find("indexInfo", "index") {
			n := ix.find("map", "name")[0]
			names = append(names, n.attr("set")+"."+n.Text)
		}
		want := []string{"cql.serverChoice", "dc.title", "dc.creator", "dc.date", "bath.isbn", "bibgate.lccn"}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("indexes %v, want %v", names, want)
		}
		sets := map[string]string{}
		for _, s := range z.find("indexInfo", "set") {
			sets[s.attr("name")] = s.attr("identifier")
		}
		if sets["dc"] != "info:srw/cql-context-set/1/dc-v1.1" || sets["bibgate"] != "info:bibgate/cql-context-set/1" || len(sets) != 4 {
			t.Errorf("sets %v", sets)
		}
		var schemas []string
		for _, s := range z.find("schemaInfo", "schema") {
			schemas = append(schemas, s.attr("name"))
		}
		if !reflect.DeepEqual(schemas, []string{"marcxml", "dc", "mods"}) {
			t.Errorf("schemas %v", schemas)
		}
	}
	// The base URL alone is an explain request.
	h, _ := newHandler()
	res := do(t, h, http.MethodGet, "/Default", nil, "")
	if res.doc.XMLName.Local != "explainResponse" || len(res.doc.diagURIs()) != 0 {
		t.Fatalf("bare GET gave %v %v", res.doc.XMLName, res.doc.diagURIs())
	}
	// Explain record as a string.
	res = get(t, h, vals("version", "1.2", "operation", "explain", "recordPacking", "string"))
	data := res.doc.find("record", "recordData")[0]
	if len(data.Nodes) != 0 || !strings.Contains(data.Text, "<explain") {
		t.Fatalf("string-packed explain record wrong")
	}
	parseXML(t, []byte(data.Text))
}

func TestExplainSchemasRestricted(t *testing.T) {
	h, f := newHandler()
	f.info.Schemas = []string{"info:srw/schema/1/dc-v1.1", "marcxml"}
	res := get(t, h, vals("query", "computer"))
	if got := res.doc.find("records", "record")[0].text("recordSchema"); got != SchemaDC {
		t.Errorf("default schema = %s, want dc", got)
	}
	res = get(t, h, vals("query", "computer", "recordSchema", "mods"))
	if d := res.doc.diagURIs(); len(d) != 1 || d[0] != "info:srw/diagnostic/1/66" {
		t.Errorf("mods not offered but got %v", d)
	}
}

func TestScan(t *testing.T) {
	for _, v := range []string{"1.1", "1.2", "2.0"} {
		h, f := newHandler()
		p := vals("version", v, "scanClause", "dc.title = comp", "maximumTerms", "3", "responsePosition", "2")
		if v != "2.0" {
			p.Set("operation", "scan")
		}
		res := get(t, h, p)
		wantNS := nsSRW
		if v == "2.0" {
			wantNS = nsSRU2Scan
		}
		if res.doc.XMLName.Local != "scanResponse" || res.doc.XMLName.Space != wantNS {
			t.Fatalf("%s: root %v", v, res.doc.XMLName)
		}
		if d := res.doc.diagURIs(); len(d) > 0 {
			t.Fatalf("%s: diagnostics %v", v, d)
		}
		terms := res.doc.find("terms", "term")
		if len(terms) != 3 {
			t.Fatalf("%s: %d terms", v, len(terms))
		}
		if terms[0].text("value") != "ceļojumi" || terms[0].text("numberOfRecords") != "3" || terms[0].text("whereInList") != "first" {
			t.Errorf("%s: first term %+v", v, terms[0])
		}
		if terms[2].text("displayTerm") != "Computers" {
			t.Errorf("%s: displayTerm missing", v)
		}
		if got := res.doc.text("echoedScanRequest", "scanClause"); got != "dc.title = comp" {
			t.Errorf("%s: echoed scanClause %q", v, got)
		}
		if f.lastScan == nil || f.lastScan.Index != "dc.title" || f.lastScan.Term != "comp" {
			t.Errorf("%s: backend got clause %+v", v, f.lastScan)
		}
	}
}

func TestPOST(t *testing.T) {
	h, f := newHandler()
	body := "version=1.2&operation=searchRetrieve&query=" + url.QueryEscape(`dc.creator = "Bērziņš"`)
	res := do(t, h, http.MethodPost, "/Default", strings.NewReader(body), "application/x-www-form-urlencoded; charset=UTF-8")
	if res.status != http.StatusOK || res.doc.XMLName.Local != "searchRetrieveResponse" {
		t.Fatalf("POST: HTTP %d %v", res.status, res.doc)
	}
	if got := f.lastQ.Clauses()[0].Term; got != "Bērziņš" {
		t.Errorf("POSTed term = %q", got)
	}
	if res := do(t, h, http.MethodPost, "/Default", strings.NewReader("<soap/>"), "text/xml"); res.status != http.StatusUnsupportedMediaType {
		t.Errorf("SOAP POST: HTTP %d, want 415", res.status)
	}
	if res := do(t, h, http.MethodPut, "/Default", nil, ""); res.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: HTTP %d, want 405", res.status)
	}
	big := strings.NewReader("query=" + strings.Repeat("a", 70000))
	if res := do(t, h, http.MethodPost, "/Default", big, "application/x-www-form-urlencoded"); res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("huge POST: HTTP %d, want 413", res.status)
	}
}

func TestLatvianDiacritics(t *testing.T) {
	h, _ := newHandler()
	q := `dc.title = "ļoti garš ceļš"`
	res := get(t, h, vals("version", "1.2", "operation", "searchRetrieve", "query", q, "recordSchema", "dc"))
	if got := res.doc.text("echoedSearchRetrieveRequest", "query"); got != q {
		t.Errorf("echoed query %q, want %q", got, q)
	}
	payload := parseXML(t, recordPayloads(t, res)[0])
	if got := payload.text("creator"); got != "Bērziņš, Jānis, 1950-" {
		t.Errorf("creator %q", got)
	}
	if !strings.HasPrefix(res.header.Get("Content-Type"), "text/xml; charset=utf-8") {
		t.Errorf("Content-Type %q", res.header.Get("Content-Type"))
	}
	if !strings.Contains(string(res.body), "Bērziņš") {
		t.Errorf("raw body does not hold the UTF-8 text")
	}
}

func TestDatabasePath(t *testing.T) {
	h, _ := newHandler()
	res := do(t, h, http.MethodGet, "/Other?version=1.2&operation=searchRetrieve&query=x", nil, "")
	if d := res.doc.diagURIs(); len(d) != 1 || d[0] != "info:srw/diagnostic/1/235" {
		t.Errorf("wrong database: %v", d)
	}
	res = do(t, h, http.MethodGet, "/?version=1.2&operation=searchRetrieve&query=computer", nil, "")
	if d := res.doc.diagURIs(); len(d) != 0 {
		t.Errorf("root path: %v", d)
	}
}

func TestStylesheetAndAccept(t *testing.T) {
	h, _ := newHandler()
	res := get(t, h, vals("query", "computer", "stylesheet", "/s/sru.xsl", "httpAccept", "application/sru+xml"))
	if !strings.Contains(string(res.body), `<?xml-stylesheet type="text/xsl" href="/s/sru.xsl"?>`) {
		t.Errorf("no stylesheet processing instruction")
	}
	if got := res.header.Get("Content-Type"); got != "application/sru+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	res = do(t, h, http.MethodHead, "/Default?query=computer", nil, "")
	if res.status != http.StatusOK || len(res.body) != 0 || res.header.Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes", res.status, len(res.body))
	}
}

func TestMaximumRecordsCapped(t *testing.T) {
	h, f := newHandler()
	h.MaxRecords = 2
	get(t, h, vals("query", "computer", "maximumRecords", "50"))
	if f.lastArgs[1] != 2 {
		t.Errorf("backend asked for %d records, want the cap 2", f.lastArgs[1])
	}
	res := get(t, h, vals("query", "computer", "maximumRecords", "0"))
	if res.doc.text("numberOfRecords") != "2" || len(res.doc.find("records")) != 0 {
		t.Errorf("maximumRecords=0 gave records")
	}
}
