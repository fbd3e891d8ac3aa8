// Package staffweb is the staff web console: the pages a librarian uses at
// the desk (sign-in, dashboard, patrons, registration, copies, checkout and
// checkin, the renewal queue, the hold review, the audit log and staff
// accounts), rendered on the server with html/template from templates and
// assets embedded in the binary, so it works offline and needs no CDN.
//
// It is an adapter: every page calls the core's staff desk operations
// (core/desk.go), which check the staff member's permissions and write the
// audit log. The console itself keeps no state; the session is the core's
// (core.StaffSession), carried in an HttpOnly, SameSite=Strict cookie that
// is Secure under TLS, and every form carries the session's CSRF token,
// checked on every POST.
//
// Texts are in Latvian, Estonian, Slovenian and English (i18n.go): the
// language chosen on the page (remembered in a cookie), else the browser's
// Accept-Language, else Latvian.
//
// The search field on every page takes a barcode scan (digits and Enter):
// a patron's card opens the patron, a copy's barcode the copy, a name the
// list of patrons it matches.
package staffweb

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Cookie names.
const (
	sessionCookie = "bibgate_console"
	signinCookie  = "bibgate_signin" // the sign-in form's CSRF token (double submit)
	langCookie    = "bibgate_lang"
)

// csrfField is the form field carrying the CSRF token.
const csrfField = "csrf"

// Options configure a console.
type Options struct {
	// Prefix is the path the console is mounted under, e.g. "/staff"
	// (no trailing slash; "" mounts it at the root).
	Prefix string
	// Log receives one line per refused or failed request. Passwords
	// are never logged.
	Log zerolog.Logger
	// SecureCookie marks the cookies Secure on plain HTTP too, for a
	// console behind a TLS-terminating proxy. Under TLS they always are.
	SecureCookie bool
	// ILLQueued is called after an ILL page queued a message for a
	// partner (the outbox is woken to send it at once); nil: it waits for
	// the outbox's next round.
	ILLQueued func()
	// Records gives the language code and UDC number of catalogue
	// records, for the summary register's language and UDC columns (nil:
	// every copy counts as language other, unclassified).
	Records core.RecordLookup
}

// Server is the console's http.Handler.
type Server struct {
	svc    *core.Service
	log    zerolog.Logger
	secure bool
	prefix string
	pages  map[string]*template.Template
	mux    *http.ServeMux
	// illKick is Options.ILLQueued.
	illKick func()
	// records is Options.Records.
	records core.RecordLookup
}

// New builds the console over svc.
func New(svc *core.Service, opts Options) (*Server, error) {
	s := &Server{svc: svc, log: opts.Log, secure: opts.SecureCookie, prefix: strings.TrimRight(opts.Prefix, "/"), mux: http.NewServeMux(),
		illKick: opts.ILLQueued, records: opts.Records}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// ServeHTTP serves the console.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) parseTemplates() error {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	base := template.New("").Funcs(funcs)
	if _, err := base.ParseFS(templateFS, "templates/layout.html"); err != nil {
		return fmt.Errorf("staffweb: layout: %w", err)
	}
	s.pages = map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(templateFS, n); err != nil {
			return fmt.Errorf("staffweb: template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return nil
}

var funcs = template.FuncMap{
	"money": func(m core.Money) string { return m.String() },
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02 15:04")
	},
	"str": func(v any) string { return fmt.Sprint(v) },

	"hasPrefix": strings.HasPrefix,
}

// path is p under the console's prefix.
func (s *Server) path(p string) string { return s.prefix + p }

// request is one request to a page, with the signed-in staff member.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	token string
	sess  core.Session
	staff core.Staff
	lang  string
}

func (q *request) ctx() context.Context { return q.r.Context() }

// actor is the staff member as the core's desk operations take them.
func (q *request) actor() core.Actor {
	return core.Actor{StaffID: q.staff.ID, From: clientAddr(q.r)}
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handle registers a page that needs a session. A GET without one is sent
// to the sign-in page; a POST without one, or without the session's CSRF
// token, is refused with 403.
func (s *Server) handle(pattern string, fn func(*request) error) {
	method, p, _ := strings.Cut(pattern, " ")
	s.mux.HandleFunc(method+" "+s.path(p), func(w http.ResponseWriter, r *http.Request) {
		q := &request{w: w, r: r, lang: s.language(w, r)}
		c, err := r.Cookie(sessionCookie)
		if err == nil {
			q.token = c.Value
			q.sess, q.staff, err = s.svc.StaffSession(r.Context(), c.Value)
		}
		if err != nil {
			if core.ReasonOf(err) == "" && !errors.Is(err, http.ErrNoCookie) {
				s.log.Error().Err(err).Str("route", r.Pattern).Msg("staff console: session lookup failed")
				http.Error(w, "session lookup failed", http.StatusInternalServerError)
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, s.path("/signin")+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.forbidden(w, r, q.lang, "no session")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil {
				http.Error(w, "bad form", http.StatusBadRequest)
				return
			}
			got := r.PostForm.Get(csrfField)
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(q.sess.CSRF)) != 1 {
				s.forbidden(w, r, q.lang, "missing or wrong CSRF token")
				return
			}
		}
		if err := fn(q); err != nil {
			s.fail(q, err)
		}
	})
}

// forbidden answers 403 with a short page.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, lang, why string) {
	s.log.Warn().Str("remote", clientAddr(r)).Str("route", r.Pattern).Str("why", why).Msg("staff console: request refused")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, "<!doctype html><title>403</title><p>%s</p><p><a href=\"%s\">%s</a></p>",
		template.HTMLEscapeString(tr(lang, "forbidden")), template.HTMLEscapeString(s.path("/")), template.HTMLEscapeString(tr(lang, "nav_dashboard")))
}

// fail answers an error a page handler returned: a refusal of the core as
// a page with its text, anything else as 500.
func (s *Server) fail(q *request, err error) {
	reason := core.ReasonOf(err)
	status := http.StatusInternalServerError
	switch {
	case reason == core.ReasonNoSession:
		http.Redirect(q.w, q.r, s.path("/signin"), http.StatusSeeOther)
		return
	case reason == core.ReasonForbidden:
		status = http.StatusForbidden
	case strings.HasSuffix(string(reason), "_not_found"):
		status = http.StatusNotFound
	case reason != "":
		status = http.StatusUnprocessableEntity
	default:
		s.log.Error().Err(err).Str("route", q.r.Pattern).Str("staff", q.staff.ID).Msg("staff console: request failed")
	}
	s.render(q, status, "error", "", map[string]any{"Message": reasonText(reason, q.lang)})
}

// done redirects after a successful POST to back with a message key
// (Post/Redirect/Get).
func (s *Server) done(q *request, back, msg string) error {
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(q.w, q.r, s.path(back)+sep+"ok="+url.QueryEscape(msg), http.StatusSeeOther)
	return nil
}

// refused redirects after a refused POST to back with the refusal's
// reason; other errors are returned for fail.
func (s *Server) refused(q *request, back string, err error) error {
	reason := core.ReasonOf(err)
	if reason == "" || reason == core.ReasonNoSession {
		return err
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(q.w, q.r, s.path(back)+sep+"err="+url.QueryEscape(string(reason)), http.StatusSeeOther)
	return nil
}

var reasonRE = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// view is what every page template gets.
type view struct {
	lang   string
	Lang   string
	Langs  []langChoice
	Staff  core.Staff
	CSRF   string
	Prefix string
	Page   string
	Title  string
	OK     string
	Err    string
	Here   string // the request URI, for the language links
	Data   any
}

// T translates key into the page's language.
func (v *view) T(key string, args ...any) string { return tr(v.lang, key, args...) }

// Reason translates a core refusal reason.
func (v *view) Reason(r any) string { return reasonText(core.Reason(fmt.Sprint(r)), v.lang) }

// Can reports whether the staff member may do act at their library (the
// navigation shows only what they may use).
func (v *view) Can(act string) bool {
	return v.Staff.ID != "" && core.Permit(v.Staff, core.Action(act), v.Staff.Library) == nil
}

// LangURL is the current page in language l.
func (v *view) LangURL(l string) string {
	u, err := url.Parse(v.Here)
	if err != nil {
		return "?lang=" + l
	}
	qs := u.Query()
	qs.Set("lang", l)
	qs.Del("ok")
	qs.Del("err")
	u.RawQuery = qs.Encode()
	return u.String()
}

// formPages are the pages that answer a POST themselves, by the path of
// the page with their form; any other answers to a POST link to the
// dashboard.
var formPages = map[string]string{"desk": "/desk", "register": "/register", "signin": "/signin", "error": "/"}

func (s *Server) render(q *request, status int, page, title string, data any) {
	t := s.pages[page]
	if t == nil {
		http.Error(q.w, "no page "+page, http.StatusInternalServerError)
		return
	}
	here := q.r.URL.RequestURI()
	if q.r.Method != http.MethodGet {
		// A page answering a form: its language links go to the page
		// with the form.
		here = s.path(formPages[page])
	}
	v := &view{lang: q.lang, Lang: q.lang, Langs: langChoices, Staff: q.staff, CSRF: q.sess.CSRF, Prefix: s.prefix,
		Page: page, Title: title, Here: here, Data: data}
	if m := q.r.URL.Query().Get("ok"); m != "" && hasKey(m) {
		v.OK = tr(q.lang, m)
	}
	if e := q.r.URL.Query().Get("err"); reasonRE.MatchString(e) {
		v.Err = reasonText(core.Reason(e), q.lang)
	}
	if v.Title == "" {
		v.Title = tr(q.lang, "title_"+page)
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.w.Header().Set("Cache-Control", "no-store")
	q.w.WriteHeader(status)
	if err := t.ExecuteTemplate(q.w, "layout", v); err != nil {
		s.log.Error().Err(err).Str("page", page).Msg("staff console: template")
	}
}

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("staffweb: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// cookie is a console cookie: HttpOnly, SameSite=Strict, Secure under TLS,
// scoped to the console's path.
func (s *Server) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	p := s.prefix + "/"
	return &http.Cookie{Name: name, Value: value, Path: p, MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil || s.secure, SameSite: http.SameSiteStrictMode}
}
