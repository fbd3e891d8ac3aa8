// Package staffapi is the librarians' HTTP API: an http.Handler under
// /api/v1 that speaks JSON and calls the core's staff desk (core/desk.go)
// for everything, one core call per request where the core has one.
//
// Sign-in (POST /api/v1/session) sets a session cookie that is HttpOnly,
// SameSite=Strict and Secure when the request came over TLS (or
// Options.SecureCookie says a TLS proxy is in front). Its path is the
// whole admin listener: an administrator's session also opens the
// listener's profiles and imports. The answer
// carries the session's CSRF token, which every request with an unsafe
// method (POST, PUT, PATCH, DELETE) must send back in the X-CSRF-Token
// header; sign-in itself needs none but must be JSON, which an HTML form
// cannot send. Errors are application/problem+json (RFC 9457) with the
// core's stable reason in "reason". Amounts are integer euro cents.
//
// The log has one line per request: method, route pattern (never the path
// or query: they carry card numbers and names), status, staff id and
// latency. Bodies are never logged, so no password is.
package staffapi

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/throttle"
)

// OpenAPI is the API's OpenAPI 3 document, served at /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

// CookieName is the session cookie.
const CookieName = "bibgate_staff"

// CSRFHeader carries the session's CSRF token on unsafe requests.
const CSRFHeader = "X-CSRF-Token"

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Reasons the API adds to the core's.
const (
	ReasonCSRF        core.Reason = "csrf_token_invalid"
	ReasonNotJSON     core.Reason = "content_type_not_json"
	ReasonAddrLocked  core.Reason = "address_locked" // too many failed sign-ins from one address
	ReasonNotFoundAPI core.Reason = "no_such_route"
	// ReasonRecordNotFound refuses a copy of a record the catalogue does
	// not have (Options.Record).
	ReasonRecordNotFound core.Reason = "record_not_found"
)

// Options configure the handler.
type Options struct {
	// Log receives one line per request; the zero value logs nothing.
	Log zerolog.Logger
	// SecureCookie marks the session cookie Secure even on plain HTTP
	// requests (a TLS-terminating proxy in front).
	SecureCookie bool
	// AddressThrottle limits failed sign-ins per client address, whatever
	// the account; zero means 50 within 10 minutes lock the address for
	// 15 minutes.
	AddressThrottle throttle.Settings
	// MaxBody bounds a request body (default 64 KiB).
	MaxBody int64
	// Record looks a catalogue record up by id for a new copy: its title
	// and author (filled in when the request gives none), and ok false
	// when the catalogue has no such record, which refuses the copy. Nil
	// adds copies without looking.
	Record func(ctx context.Context, id string) (title, author string, ok bool, err error)
}

// Handler is the staff API.
type Handler struct {
	svc    *core.Service
	log    zerolog.Logger
	secure bool
	addr   *throttle.Throttle
	max    int64
	mux    *http.ServeMux
	routes []string
	record func(ctx context.Context, id string) (title, author string, ok bool, err error)
}

type route struct {
	method, path string
	// public routes need no session.
	public bool
	fn     func(h *Handler, w http.ResponseWriter, r *http.Request, c *call) error
}

// call is one request's session.
type call struct {
	actor core.Actor
	sess  core.Session
	staff core.Staff
	token string
}

var table = []route{
	{"POST", "/session", true, (*Handler).signIn},
	{"GET", "/session", false, (*Handler).session},
	{"DELETE", "/session", false, (*Handler).signOut},
	{"POST", "/session/password", false, (*Handler).ownPassword},
	{"GET", "/staff", false, (*Handler).listStaff},
	{"POST", "/staff", false, (*Handler).addStaff},
	{"PUT", "/staff/{id}/password", false, (*Handler).setPassword},
	{"PUT", "/staff/{id}/disabled", false, (*Handler).setDisabled},
	{"GET", "/openapi.json", true, (*Handler).openapi},
	{"GET", "/dashboard", false, (*Handler).dashboard},
	{"GET", "/patrons", false, (*Handler).findPatrons},
	{"POST", "/patrons", false, (*Handler).register},
	{"GET", "/patrons/{card}", false, (*Handler).patron},
	{"PATCH", "/patrons/{card}", false, (*Handler).editPatron},
	{"DELETE", "/patrons/{card}", false, (*Handler).deletePatron},
	{"POST", "/patrons/{card}/confirm-identity", false, (*Handler).confirmIdentity},
	{"PUT", "/patrons/{card}/block", false, (*Handler).block},
	{"DELETE", "/patrons/{card}/block", false, (*Handler).unblock},
	{"POST", "/patrons/{card}/payments", false, (*Handler).pay},
	{"POST", "/checkouts", false, (*Handler).checkout},
	{"POST", "/checkins", false, (*Handler).checkin},
	{"POST", "/renewals", false, (*Handler).renew},
	{"POST", "/fees/{id}/waive", false, (*Handler).waive},
	{"POST", "/items/{barcode}/declare", false, (*Handler).declare},
	{"GET", "/items/{barcode}", false, (*Handler).item},
	{"PATCH", "/items/{barcode}", false, (*Handler).editCopy},
	{"POST", "/items/{barcode}/label-fee", false, (*Handler).labelFee},
	{"POST", "/records/{record}/copies", false, (*Handler).addCopy},
	{"GET", "/notices", false, (*Handler).notices},
	{"GET", "/patrons/{card}/notices", false, (*Handler).patronNotices},
	{"GET", "/notices/letter", false, (*Handler).noticeLetter},
	{"POST", "/notices/resend", false, (*Handler).resendNotice},
	{"POST", "/notices/delivered", false, (*Handler).noticeDelivered},
	{"GET", "/renewal-requests", false, (*Handler).renewalRequests},
	{"POST", "/renewal-requests/{loan}/decision", false, (*Handler).decideRenewal},
	{"GET", "/hold-reviews", false, (*Handler).holdReviews},
	{"POST", "/hold-reviews/{hold}/decision", false, (*Handler).reviewHold},
	{"GET", "/pull-list", false, (*Handler).pullList},
	{"GET", "/audit", false, (*Handler).audit},
}

// New returns the API over svc.
func New(svc *core.Service, opts Options) *Handler {
	h := &Handler{svc: svc, log: opts.Log, secure: opts.SecureCookie, max: opts.MaxBody, mux: http.NewServeMux(), record: opts.Record}
	if h.max <= 0 {
		h.max = 64 << 10
	}
	ts := opts.AddressThrottle
	if ts == (throttle.Settings{}) {
		ts = throttle.Settings{Limit: 50, Window: 10 * time.Minute, Lockout: 15 * time.Minute}
	}
	h.addr = throttle.New(ts)
	for _, rt := range table {
		rt := rt
		pattern := rt.method + " " + Prefix + rt.path
		h.routes = append(h.routes, pattern)
		h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, rt) })
	}
	h.mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, http.StatusNotFound, ReasonNotFoundAPI, "no such API route")
	})
	return h
}

// Routes lists the registered routes as "METHOD /api/v1/path".
func (h *Handler) Routes() []string { return append([]string(nil), h.routes...) }

// ServeHTTP serves the API; mount it at Prefix+"/".
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h.mux.ServeHTTP(sw, r)
	ev := h.log.Info()
	if sw.status >= 500 {
		ev = h.log.Error()
	}
	pattern := r.Pattern
	if pattern == "" {
		pattern = r.Method + " " + Prefix + "/?"
	}
	ev.Str("protocol", "staffapi").Str("route", pattern).Int("status", sw.status).Str("staff", sw.staff).
		Str("reason", sw.reason).Dur("latency", time.Since(start)).Msg("staff request")
}

type statusWriter struct {
	http.ResponseWriter
	status        int
	staff, reason string
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, rt route) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	c := &call{}
	if !rt.public {
		ck, err := r.Cookie(CookieName)
		if err != nil || ck.Value == "" {
			h.problem(w, r, http.StatusUnauthorized, core.ReasonNoSession, "sign in first: POST "+Prefix+"/session")
			return
		}
		sess, st, err := h.svc.StaffSession(r.Context(), ck.Value)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if sw, ok := w.(*statusWriter); ok {
			sw.staff = st.ID
		}
		if unsafeMethod(r.Method) && subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(sess.CSRF)) != 1 {
			h.problem(w, r, http.StatusForbidden, ReasonCSRF, "send the session's CSRF token in "+CSRFHeader)
			return
		}
		c = &call{actor: core.Actor{StaffID: st.ID, From: clientAddr(r)}, sess: sess, staff: st, token: ck.Value}
	}
	if err := rt.fn(h, w, r, c); err != nil {
		h.fail(w, r, err)
	}
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string      `json:"type"`
	Title  string      `json:"title"`
	Status int         `json:"status"`
	Detail string      `json:"detail,omitempty"`
	Reason core.Reason `json:"reason"`
}

func (h *Handler) problem(w http.ResponseWriter, _ *http.Request, status int, reason core.Reason, detail string) {
	if sw, ok := w.(*statusWriter); ok {
		sw.reason = string(reason)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{Type: "urn:bibgate:reason:" + string(reason), Title: http.StatusText(status),
		Status: status, Detail: detail, Reason: reason})
}

// badRequest is a refusal of the request's form.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

// status maps a core reason to an HTTP status.
func status(r core.Reason) int {
	switch r {
	case core.ReasonNoSession, core.ReasonBadCredentials:
		return http.StatusUnauthorized
	case core.ReasonForbidden, ReasonCSRF:
		return http.StatusForbidden
	case ReasonNotJSON:
		return http.StatusUnsupportedMediaType
	case core.ReasonStaffLocked, ReasonAddrLocked:
		return http.StatusLocked
	case core.ReasonBadRequest, core.ReasonWeakPassword:
		return http.StatusBadRequest
	case core.ReasonPatronExists, core.ReasonStaffExists, core.ReasonItemExists:
		return http.StatusConflict
	case core.ReasonPatronNotFound, core.ReasonItemNotFound, ReasonRecordNotFound, core.ReasonLibraryNotFound, core.ReasonHoldNotFound,
		core.ReasonFeeNotFound, core.ReasonLoanNotFound, core.ReasonStaffNotFound, core.ReasonNoticeNotFound:
		return http.StatusNotFound
	}
	return http.StatusConflict // the rules refuse it
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var br badRequest
	if errors.As(err, &br) {
		h.problem(w, r, http.StatusBadRequest, core.ReasonBadRequest, br.msg)
		return
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		h.problem(w, r, http.StatusRequestEntityTooLarge, core.ReasonBadRequest, fmt.Sprintf("the body is larger than %d bytes", mbe.Limit))
		return
	}
	reason := core.ReasonOf(err)
	if reason == "" {
		if errors.Is(err, context.Canceled) {
			return
		}
		h.log.Error().Str("route", r.Pattern).Err(err).Msg("staff request failed")
		h.problem(w, r, http.StatusInternalServerError, "internal_error", "the server failed; see its log")
		return
	}
	h.problem(w, r, status(reason), reason, err.Error())
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// readJSON decodes the request body into v: JSON only, bounded, no
// unknown fields.
func (h *Handler) readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if mt, _, _ := strings.Cut(ct, ";"); strings.TrimSpace(strings.ToLower(mt)) != "application/json" {
		return &core.Error{Reason: ReasonNotJSON, Detail: "send Content-Type: application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest{"the body is not the JSON this route takes: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest{"one JSON value only"}
	}
	return nil
}
