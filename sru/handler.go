package sru

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Handler serves SRU over HTTP. Backend is required; the other fields
// have working zero values.
type Handler struct {
	Backend Backend
	// Schemas are the record schemas on offer; nil means DefaultSchemas.
	Schemas []Schema
	// DefaultRecords is maximumRecords when the request has none (10).
	DefaultRecords int
	// MaxRecords caps maximumRecords (100); larger requests get fewer.
	MaxRecords int
	// DefaultScanTerms is maximumTerms when the request has none (20).
	DefaultScanTerms int
	// MaxScanTerms caps maximumTerms (100); more is diagnostic 121.
	MaxScanTerms int
	// MaxRequestBytes caps the query string plus a POST body (65536).
	MaxRequestBytes int64
	// Logger, if set, gets one line per request.
	Logger *zerolog.Logger

	profiles profileCache // the CQL profile of the last ExplainInfo
}

func (h *Handler) defaultRecords() int { return orDefault(h.DefaultRecords, 10) }
func (h *Handler) maxRecords() int     { return orDefault(h.MaxRecords, 100) }
func (h *Handler) defaultScan() int    { return orDefault(h.DefaultScanTerms, 20) }
func (h *Handler) maxScanTerms() int   { return orDefault(h.MaxScanTerms, 100) }

func (h *Handler) maxBytes() int64 {
	if h.MaxRequestBytes > 0 {
		return h.MaxRequestBytes
	}
	return 65536
}

func orDefault(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

// SRU operations.
const (
	OpExplain        = "explain"
	OpSearchRetrieve = "searchRetrieve"
	OpScan           = "scan"
)

// parameters each version knows, by operation ("" = every operation).
var (
	paramsCommon = []string{"operation", "version", "stylesheet", "extraRequestData", "recordPacking"}
	paramsSearch = []string{"query", "startRecord", "maximumRecords", "recordSchema", "resultSetTTL", "sortKeys"}
	paramsScan   = []string{"scanClause", "responsePosition", "maximumTerms"}
	params11     = []string{"recordXPath"}
	params20     = []string{"queryType", "recordXMLEscaping", "httpAccept", "responseType", "renderedBy",
		"facetLimit", "facetStart", "facetSort", "facetRangeField", "facetLowValue", "facetHighValue", "facetCount"}
)

// knownParam reports whether name is a parameter of SRU version v.
func knownParam(v, name string) bool {
	if strings.HasPrefix(name, "x-") {
		return true
	}
	for _, list := range [][]string{paramsCommon, paramsSearch, paramsScan} {
		if contains(list, name) {
			return true
		}
	}
	switch v {
	case "1.1":
		return contains(params11, name)
	case "2.0":
		return contains(params20, name)
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// negotiate picks the version to answer in: the highest supported one not
// above the one asked for. ok is false when there is none (diagnostic 5);
// version is then the one to write the diagnostic in.
func negotiate(asked string) (version string, ok bool) {
	if asked == "" {
		return "2.0", true
	}
	major, minor, found := strings.Cut(asked, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if !found || err1 != nil || err2 != nil || ma < 0 || mi < 0 {
		return "2.0", false
	}
	switch {
	case ma == 1 && mi == 1:
		return "1.1", true
	case ma == 1 && mi >= 2:
		return "1.2", true
	case ma == 2:
		return "2.0", true
	case ma < 2:
		return "1.1", false
	}
	return "2.0", false
}

// request is one SRU request after HTTP decoding.
type request struct {
	params  map[string]string // first value of each parameter
	order   []string          // parameter names in arrival order
	version string            // the version of the response
	op      string
	started time.Time
}

func (r *request) get(name string) string { return r.params[name] }

func (r *request) has(name string) bool { _, ok := r.params[name]; return ok }

func (h *Handler) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	req := &request{params: map[string]string{}, started: time.Now()}
	var diags []*Diagnostic
	switch hr.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if int64(len(hr.URL.RawQuery)) > h.maxBytes() {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := addParams(req, hr.URL.RawQuery); err != nil {
		diags = append(diags, NewDiagnostic(DiagParamValue, "malformed query string"))
	}
	if hr.Method == http.MethodPost {
		ct, _, err := mime.ParseMediaType(hr.Header.Get("Content-Type"))
		if err != nil || ct != "application/x-www-form-urlencoded" {
			http.Error(w, "POST needs application/x-www-form-urlencoded (SRW/SOAP is not served)", http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, hr.Body, h.maxBytes()-int64(len(hr.URL.RawQuery))))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			} else {
				http.Error(w, "cannot read request body", http.StatusBadRequest)
			}
			return
		}
		if err := addParams(req, string(body)); err != nil {
			diags = append(diags, NewDiagnostic(DiagParamValue, "malformed form body"))
		}
	}

	version, vok := negotiate(req.get("version"))
	req.version = version
	if !vok {
		diags = append(diags, NewDiagnostic(DiagUnsupportedVersion, "2.0"))
	}
	req.op = req.get("operation")
	switch {
	case req.op == "" && version == "2.0":
		switch {
		case req.has("query"):
			req.op = OpSearchRetrieve
		case req.has("scanClause"):
			req.op = OpScan
		default:
			req.op = OpExplain
		}
	case req.op == "":
		if vok {
			diags = append(diags, NewDiagnostic(DiagMandatoryParam, "operation"))
		}
		req.op = OpExplain
	case req.op != OpExplain && req.op != OpSearchRetrieve && req.op != OpScan:
		diags = append(diags, NewDiagnostic(DiagUnsupportedOp, req.op))
		req.op = OpExplain
	}
	if vok {
		for _, name := range req.order {
			if !knownParam(version, name) {
				diags = append(diags, NewDiagnostic(DiagUnsupportedParam, name))
			}
		}
	}
	info := h.Backend.Explain()
	if db := path.Base(hr.URL.Path); info.Database != "" && db != "/" && db != "." && db != info.Database {
		diags = append(diags, NewDiagnostic(DiagDatabase, db))
	}

	var out *response
	switch req.op {
	case OpSearchRetrieve:
		out = h.searchRetrieve(hr, req, &info, diags)
	case OpScan:
		out = h.scan(hr, req, &info, diags)
	default:
		out = h.explain(req, &info, diags)
	}
	ct := "text/xml; charset=utf-8"
	if version == "2.0" {
		switch strings.TrimSpace(req.get("httpAccept")) {
		case "application/sru+xml":
			ct = "application/sru+xml; charset=utf-8"
		case "application/xml":
			ct = "application/xml; charset=utf-8"
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(out.body)))
	w.WriteHeader(http.StatusOK)
	if hr.Method != http.MethodHead {
		_, _ = w.Write(out.body)
	}
	h.log(req, out)
}

// addParams parses a query string or form body into req, keeping the
// first value of a repeated parameter.
func addParams(req *request, raw string) error {
	vals, err := url.ParseQuery(raw)
	// url.ParseQuery keeps going after a bad pair; record what it read.
	// Map order is random, so take names in the order they appear.
	for _, pair := range strings.FieldsFunc(raw, func(r rune) bool { return r == '&' }) {
		name, _, _ := strings.Cut(pair, "=")
		name, uerr := url.QueryUnescape(name)
		if uerr != nil {
			continue
		}
		v, ok := vals[name]
		if !ok || len(v) == 0 {
			continue
		}
		if _, seen := req.params[name]; !seen {
			req.params[name] = v[0]
			req.order = append(req.order, name)
		}
	}
	return err
}

// response is what an operation produced.
type response struct {
	body  []byte
	diags []*Diagnostic
	hits  int
}

func (h *Handler) log(req *request, out *response) {
	if h.Logger == nil {
		return
	}
	ev := h.Logger.Info().Str("protocol", "sru").Str("version", req.version).Str("op", req.op).
		Dur("latency", time.Since(req.started))
	if req.op == OpSearchRetrieve {
		ev = ev.Int("hits", out.hits)
	}
	if len(out.diags) > 0 {
		ev = ev.Int("diagnostic", out.diags[0].Code).Str("outcome", "diagnostic")
	} else {
		ev = ev.Str("outcome", "ok")
	}
	ev.Msg("sru request")
}

// schemas returns the schemas on offer for info, the default first.
func (h *Handler) schemas(info *ExplainInfo) []Schema {
	all := h.Schemas
	if all == nil {
		all = DefaultSchemas()
	}
	if len(info.Schemas) == 0 {
		return all
	}
	var out []Schema
	for _, name := range info.Schemas {
		for i := range all {
			if all[i].matches(name) {
				out = append(out, all[i])
				break
			}
		}
	}
	if out == nil {
		return all
	}
	return out
}

// logInternal logs an error the client sees only as a diagnostic number.
func (h *Handler) logInternal(op string, err error) {
	if h.Logger != nil {
		h.Logger.Error().Err(err).Str("protocol", "sru").Str("op", op).Msg("backend error")
	}
}
