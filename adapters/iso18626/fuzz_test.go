package iso18626adapter_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	iso18626adapter "github.com/bibgate/bibgate/adapters/iso18626"
	"github.com/bibgate/bibgate/ill/iso18626"
)

// FuzzHandler posts arbitrary bodies to the endpoint of a gateway whose
// partner is an agency of the samples: whatever comes, the answer is a
// confirmation (HTTP 200) that parses, or 400 for what is no ISO 18626
// message at all; never a panic, never a 5xx. The seed corpus is real
// messages (testdata/fuzz/FuzzHandler, see testdata/README.md).
func FuzzHandler(f *testing.F) {
	g := newGateway(f, "LV:ILU", "OCLC-ABCDE")
	h := &iso18626adapter.Handler{Backend: g.backend}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/xml")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			m, err := iso18626.Parse(rec.Body.Bytes())
			if m.ConfirmationHeader() == nil {
				t.Fatalf("HTTP 200 without a confirmation (%v):\n%s", err, rec.Body.Bytes())
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body.Bytes())
		}
	})
}
