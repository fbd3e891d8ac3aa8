package sru

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandler feeds random query strings (as GET and as POST bodies) to
// the handler: it must never panic, never answer 5xx, and every 200
// answer must be well-formed XML.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{
		"",
		"version=1.2&operation=searchRetrieve&query=dc.title%3Dcomputer&recordSchema=marcxml",
		"version=1.1&operation=searchRetrieve&query=computer&sortKeys=dc.title,,0&recordPacking=string",
		"query=%C4%BBoti&recordSchema=dc&maximumRecords=1&startRecord=2",
		"query=computer&recordSchema=mods&httpAccept=application/sru%2Bxml&stylesheet=/a.xsl",
		"version=1.2&operation=scan&scanClause=dc.title%3Dcomp&maximumTerms=3&responsePosition=2",
		"version=1.2&operation=explain&recordPacking=string",
		"version=3.0&operation=nope&x-foo=1&bogus=2",
		"query=(dc.title%3D&startRecord=999999999999999999999",
		"query=gone&recordXMLEscaping=string",
		"query=%ff%fe&recordSchema=%00",
		"query=a%3Bb;c=d&&=&%zz",
	} {
		f.Add(s)
	}
	h, _ := newHandler()
	f.Fuzz(func(t *testing.T, raw string) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			var req *http.Request
			if method == http.MethodGet {
				req = httptest.NewRequest(method, "/Default", nil)
				req.URL.RawQuery = raw
			} else {
				req = httptest.NewRequest(method, "/Default", strings.NewReader(raw))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: HTTP %d", method, raw, rec.Code)
			}
			if rec.Code == http.StatusOK {
				var n node
				if err := xml.Unmarshal(rec.Body.Bytes(), &n); err != nil {
					t.Fatalf("%s %q: malformed XML: %v\n%s", method, raw, err, rec.Body.Bytes())
				}
			}
		}
	})
}
