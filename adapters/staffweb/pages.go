package staffweb

import (
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
)

func (s *Server) routes() {
	assets, _ := fs.Sub(assetFS, "assets")
	s.mux.Handle("GET "+s.path("/assets/"), http.StripPrefix(s.path("/assets/"), cacheAssets(http.FileServerFS(assets))))
	s.mux.HandleFunc("GET "+s.path("/signin"), s.signinPage)
	s.mux.HandleFunc("POST "+s.path("/signin"), s.signin)
	s.handle("POST /signout", s.signout)
	s.handle("GET /{$}", s.dashboard)
	s.handle("GET /find", s.find)
	s.handle("GET /patron/{card}", s.patron)
	s.handle("POST /patron/{card}/confirm", s.confirmIdentity)
	s.handle("POST /patron/{card}/block", s.block)
	s.handle("POST /patron/{card}/unblock", s.unblock)
	s.handle("POST /patron/{card}/pay", s.pay)
	s.handle("POST /patron/{card}/fee/{fee}/waive", s.waive)
	s.handle("POST /patron/{card}/checkout", s.patronCheckout)
	s.handle("POST /patron/{card}/renew/{item}", s.patronRenew)
	s.handle("GET /register", s.registerPage)
	s.handle("POST /register", s.register)
	s.handle("GET /copy/{barcode}", s.copyPage)
	s.handle("POST /copy/{barcode}/declare", s.declare)
	s.handle("GET /desk", s.desk)
	s.handle("POST /desk/checkout", s.deskCheckout)
	s.handle("POST /desk/checkin", s.deskCheckin)
	s.handle("GET /renewals", s.renewals)
	s.handle("POST /renewals/{loan}", s.decideRenewal)
	s.handle("GET /holds", s.holds)
	s.handle("POST /holds/{hold}", s.reviewHold)
	s.handle("GET /audit", s.audit)
	s.handle("GET /staff", s.staffPage)
	s.handle("POST /staff", s.addStaff)
	s.handle("POST /staff/{id}/password", s.setPassword)
	s.handle("POST /staff/{id}/disabled", s.setDisabled)
	s.illRoutes()
	s.accountingRoutes()
	s.receiptRoutes()
	if s.prefix != "" {
		s.mux.Handle("GET "+s.prefix, http.RedirectHandler(s.prefix+"/", http.StatusMovedPermanently))
	}
}

func cacheAssets(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// --- sign-in ---

type signinData struct {
	ID, Next, Error string
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, _, err := s.svc.StaffSession(r.Context(), c.Value); err == nil {
			// Signed in already (a bookmark, the back button).
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next"), s.prefix), http.StatusSeeOther)
			return
		}
	}
	s.showSignin(w, r, http.StatusOK, signinData{Next: safeNext(r.URL.Query().Get("next"), s.prefix)})
}

func (s *Server) showSignin(w http.ResponseWriter, r *http.Request, status int, d signinData) {
	q := &request{w: w, r: r, lang: s.language(w, r)}
	tok, err := newToken()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, s.cookie(r, signinCookie, tok, 3600))
	q.sess.CSRF = tok
	s.render(q, status, "signin", "", d)
}

// safeNext keeps a return path only when it is one of the console's own.
func safeNext(next, prefix string) string {
	home := prefix + "/"
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(next, home) ||
		strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return home
	}
	return next
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	lang := s.language(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	c, err := r.Cookie(signinCookie)
	got := r.PostForm.Get(csrfField)
	if err != nil || got == "" || c.Value != got {
		s.forbidden(w, r, lang, "sign-in without its CSRF token")
		return
	}
	id, pw := strings.TrimSpace(r.PostForm.Get("id")), r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"), s.prefix)
	token, _, _, err := s.svc.StaffSignIn(r.Context(), id, pw, clientAddr(r))
	if err != nil {
		reason := core.ReasonOf(err)
		if reason == "" || reason == core.ReasonPINCheckBusy {
			s.log.Error().Err(err).Msg("staff console: sign-in failed")
		}
		status := http.StatusUnauthorized
		if reason == "" {
			status = http.StatusInternalServerError
		}
		s.showSignin(w, r, status, signinData{ID: id, Next: next, Error: reasonText(reason, lang)})
		return
	}
	http.SetCookie(w, s.cookie(r, signinCookie, "", -1))
	http.SetCookie(w, s.cookie(r, sessionCookie, token, 0))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) signout(q *request) error {
	if err := s.svc.StaffSignOut(q.ctx(), q.token, clientAddr(q.r)); err != nil {
		return err
	}
	http.SetCookie(q.w, s.cookie(q.r, sessionCookie, "", -1))
	http.Redirect(q.w, q.r, s.path("/signin")+"?ok=ok_signed_out", http.StatusSeeOther)
	return nil
}

// --- dashboard ---

type dashboardData struct {
	Counts   core.Dashboard
	Renewals []core.RenewalRequest
	Holds    []core.HoldForReview
	Pull     []core.PullSlip
}

func (s *Server) dashboard(q *request) error {
	var d dashboardData
	var err error
	if d.Counts, err = s.svc.StaffDashboard(q.ctx(), q.actor()); err != nil && core.ReasonOf(err) != core.ReasonForbidden {
		return err
	}
	if d.Renewals, err = s.svc.RenewalRequests(q.ctx(), q.actor()); err != nil && core.ReasonOf(err) != core.ReasonForbidden {
		return err
	}
	if d.Holds, err = s.svc.HoldReviewQueue(q.ctx(), q.actor()); err != nil && core.ReasonOf(err) != core.ReasonForbidden {
		return err
	}
	if d.Pull, err = s.svc.PullList(q.ctx(), q.actor()); err != nil && core.ReasonOf(err) != core.ReasonForbidden {
		return err
	}
	s.render(q, http.StatusOK, "dashboard", "", d)
	return nil
}

// --- search: a scan or a name ---

type findData struct {
	Query   string
	Patrons []core.PatronMatch
}

// find takes what was typed or scanned into the search field: a card opens
// the patron, a copy's barcode the copy, anything else lists the patrons
// whose name matches.
func (s *Server) find(q *request) error {
	term := strings.TrimSpace(q.r.URL.Query().Get("q"))
	if term == "" {
		http.Redirect(q.w, q.r, s.path("/"), http.StatusSeeOther)
		return nil
	}
	matches, err := s.svc.FindPatrons(q.ctx(), q.actor(), term, 50)
	if err != nil && core.ReasonOf(err) != core.ReasonForbidden {
		return err
	}
	if len(matches) == 1 && matches[0].By != "name" {
		http.Redirect(q.w, q.r, s.path("/patron/"+url.PathEscape(matches[0].Patron.ID)), http.StatusSeeOther)
		return nil
	}
	if _, err := s.svc.Item(q.ctx(), term); err == nil {
		http.Redirect(q.w, q.r, s.path("/copy/"+url.PathEscape(term)), http.StatusSeeOther)
		return nil
	} else if core.ReasonOf(err) == "" {
		return err
	}
	if len(matches) == 1 {
		http.Redirect(q.w, q.r, s.path("/patron/"+url.PathEscape(matches[0].Patron.ID)), http.StatusSeeOther)
		return nil
	}
	status := http.StatusOK
	if len(matches) == 0 {
		status = http.StatusNotFound
	}
	s.render(q, status, "find", "", findData{Query: term, Patrons: matches})
	return nil
}

// --- patron ---

type patronData struct {
	Sum     core.PatronSummary
	Notices []core.Notice
	Home    string
	Now     time.Time
}

func (s *Server) patron(q *request) error {
	card := q.r.PathValue("card")
	sum, err := s.svc.StaffPatron(q.ctx(), q.actor(), card)
	if err != nil {
		return err
	}
	notices, err := s.svc.Notices(q.ctx(), card)
	if err != nil {
		return err
	}
	home := sum.Patron.HomeLibrary
	if lib, ok := s.svc.Consortium().Library(home); ok {
		home = lib.Name
	}
	s.render(q, http.StatusOK, "patron", sum.Patron.Name, patronData{Sum: sum, Notices: notices, Home: home, Now: s.svc.Now()})
	return nil
}

func patronPath(card string) string { return "/patron/" + url.PathEscape(card) }

func (s *Server) confirmIdentity(q *request) error {
	card := q.r.PathValue("card")
	if _, err := s.svc.ConfirmIdentity(q.ctx(), q.actor(), card, q.r.PostForm.Get("document")); err != nil {
		return s.refused(q, patronPath(card), err)
	}
	return s.done(q, patronPath(card), "ok_identity_confirmed")
}

func (s *Server) block(q *request) error {
	card := q.r.PathValue("card")
	if _, err := s.svc.SetPatronBlock(q.ctx(), q.actor(), card, true, q.r.PostForm.Get("reason")); err != nil {
		return s.refused(q, patronPath(card), err)
	}
	return s.done(q, patronPath(card), "ok_blocked")
}

func (s *Server) unblock(q *request) error {
	card := q.r.PathValue("card")
	if _, err := s.svc.SetPatronBlock(q.ctx(), q.actor(), card, false, ""); err != nil {
		return s.refused(q, patronPath(card), err)
	}
	return s.done(q, patronPath(card), "ok_unblocked")
}

func (s *Server) pay(q *request) error {
	card := q.r.PathValue("card")
	amount, ok := parseMoney(q.r.PostForm.Get("amount"))
	if !ok {
		return s.refused(q, patronPath(card), badRequest())
	}
	tok, err := newToken()
	if err != nil {
		return err
	}
	// The form's own token makes a payment sent twice (a double click, a
	// reload) count once.
	txn := q.r.PostForm.Get("txn")
	if txn == "" {
		txn = tok
	}
	if _, err := s.svc.DeskPay(q.ctx(), q.actor(), core.Payment{PatronID: card, FeeID: q.r.PostForm.Get("fee"), Amount: amount,
		TransactionID: "desk-" + card + "-" + txn}); err != nil {
		return s.refused(q, patronPath(card), err)
	}
	return s.done(q, patronPath(card), "ok_paid")
}

func (s *Server) waive(q *request) error {
	card := q.r.PathValue("card")
	if _, err := s.svc.WaiveFee(q.ctx(), q.actor(), q.r.PathValue("fee"), q.r.PostForm.Get("reason")); err != nil {
		return s.refused(q, patronPath(card), err)
	}
	return s.done(q, patronPath(card), "ok_waived")
}

func (s *Server) patronCheckout(q *request) error {
	card := q.r.PathValue("card")
	if _, err := s.svc.DeskCheckout(q.ctx(), q.actor(), card, strings.TrimSpace(q.r.PostForm.Get("barcode"))); err != nil {
		return s.refused(q, patronPath(card), err)
	}
	return s.done(q, patronPath(card), "ok_checked_out")
}

func (s *Server) patronRenew(q *request) error {
	card := q.r.PathValue("card")
	res, err := s.svc.DeskRenew(q.ctx(), q.actor(), card, q.r.PathValue("item"))
	if err != nil {
		return s.refused(q, patronPath(card), err)
	}
	if res.Loan.RenewalRequested {
		return s.done(q, patronPath(card), "ok_renewal_requested")
	}
	return s.done(q, patronPath(card), "ok_renewed")
}

func badRequest() error { return &core.Error{Reason: core.ReasonBadRequest} }

// parseMoney reads an amount in euros: "6", "6.00" or "6,00".
func parseMoney(s string) (core.Money, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", "."))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || len(whole) > 7 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var m int64
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		m = m*10 + int64(c-'0')
	}
	return core.Money(m), m > 0
}

// --- copy ---

type copyData struct {
	Sum     core.ItemSummary
	Library string
	// Record: the staff member keeps the accounting records of the copy's
	// library, and the page links its individual record.
	Record bool
}

func (s *Server) copyPage(q *request) error {
	barcode := q.r.PathValue("barcode")
	if err := core.Permit(q.staff, core.ActPatronRead, ""); err != nil && core.Permit(q.staff, core.ActItemStatus, "") != nil {
		return err
	}
	sum, err := s.svc.Item(q.ctx(), barcode)
	if err != nil {
		return err
	}
	lib := sum.Item.Library
	if l, ok := s.svc.Consortium().Library(lib); ok {
		lib = l.Name
	}
	s.render(q, http.StatusOK, "copy", sum.Item.Title, copyData{Sum: sum, Library: lib,
		Record: core.Permit(q.staff, core.ActCatalogue, sum.Item.Library) == nil})
	return nil
}

func (s *Server) declare(q *request) error {
	barcode := q.r.PathValue("barcode")
	back := "/copy/" + url.PathEscape(barcode)
	cond := core.ItemCondition(q.r.PostForm.Get("condition"))
	var amount core.Money
	if cond == core.ItemDeclaredDamaged {
		var ok bool
		if amount, ok = parseMoney(q.r.PostForm.Get("amount")); !ok {
			return s.refused(q, back, badRequest())
		}
	}
	if _, err := s.svc.DeclareItem(q.ctx(), q.actor(), barcode, cond, strings.TrimSpace(q.r.PostForm.Get("patron")), amount,
		strings.TrimSpace(q.r.PostForm.Get("note"))); err != nil {
		return s.refused(q, back, err)
	}
	return s.done(q, back, "ok_item_"+string(cond))
}

// --- desk ---

type deskData struct {
	Card     string
	Checkout *core.CheckoutResult
	Checkin  *core.CheckinResult
	Err      string
}

func (s *Server) desk(q *request) error {
	s.render(q, http.StatusOK, "desk", "", deskData{Card: q.r.URL.Query().Get("card")})
	return nil
}

func (s *Server) deskCheckout(q *request) error {
	d := deskData{Card: strings.TrimSpace(q.r.PostForm.Get("card"))}
	res, err := s.svc.DeskCheckout(q.ctx(), q.actor(), d.Card, strings.TrimSpace(q.r.PostForm.Get("barcode")))
	status := http.StatusOK
	switch {
	case err == nil:
		d.Checkout = &res
	case core.ReasonOf(err) == "" || core.ReasonOf(err) == core.ReasonNoSession:
		return err
	default:
		d.Err, status = reasonText(core.ReasonOf(err), q.lang), http.StatusUnprocessableEntity
	}
	s.render(q, status, "desk", "", d)
	return nil
}

func (s *Server) deskCheckin(q *request) error {
	var d deskData
	res, err := s.svc.DeskCheckin(q.ctx(), q.actor(), strings.TrimSpace(q.r.PostForm.Get("barcode")))
	status := http.StatusOK
	switch {
	case err == nil:
		d.Checkin = &res
	case core.ReasonOf(err) == "" || core.ReasonOf(err) == core.ReasonNoSession:
		return err
	default:
		d.Err, status = reasonText(core.ReasonOf(err), q.lang), http.StatusUnprocessableEntity
	}
	s.render(q, status, "desk", "", d)
	return nil
}

// --- renewal requests ---

func (s *Server) renewals(q *request) error {
	list, err := s.svc.RenewalRequests(q.ctx(), q.actor())
	if err != nil {
		return err
	}
	s.render(q, http.StatusOK, "renewals", "", list)
	return nil
}

func (s *Server) decideRenewal(q *request) error {
	approve := q.r.PostForm.Get("decision") == "approve"
	_, err := s.svc.DecideRenewalRequest(q.ctx(), q.actor(), q.r.PathValue("loan"), approve, q.r.PostForm.Get("reason"))
	if err != nil {
		return s.refused(q, "/renewals", err)
	}
	if approve {
		return s.done(q, "/renewals", "ok_renewal_approved")
	}
	return s.done(q, "/renewals", "ok_renewal_rejected")
}

// --- hold review ---

type holdsData struct {
	Queue []core.HoldForReview
	Pull  []core.PullSlip
}

func (s *Server) holds(q *request) error {
	var d holdsData
	var err error
	if d.Queue, err = s.svc.HoldReviewQueue(q.ctx(), q.actor()); err != nil {
		return err
	}
	if d.Pull, err = s.svc.PullList(q.ctx(), q.actor()); err != nil {
		return err
	}
	s.render(q, http.StatusOK, "holds", "", d)
	return nil
}

func (s *Server) reviewHold(q *request) error {
	approve := q.r.PostForm.Get("decision") == "approve"
	if _, err := s.svc.ReviewHold(q.ctx(), q.actor(), q.r.PathValue("hold"), approve, q.r.PostForm.Get("reason")); err != nil {
		return s.refused(q, "/holds", err)
	}
	if approve {
		return s.done(q, "/holds", "ok_hold_approved")
	}
	return s.done(q, "/holds", "ok_hold_refused")
}

// --- audit log ---

type auditData struct {
	Actor, Object string
	Entries       []core.AuditEntry
}

func (s *Server) audit(q *request) error {
	d := auditData{Actor: strings.TrimSpace(q.r.URL.Query().Get("actor")), Object: strings.TrimSpace(q.r.URL.Query().Get("object"))}
	entries, err := s.svc.QueryAudit(q.ctx(), q.actor(), core.AuditQuery{From: s.svc.Now().AddDate(0, 0, -7), Actor: d.Actor, Object: d.Object})
	if err != nil {
		return err
	}
	for i := len(entries) - 1; i >= 0 && len(d.Entries) < 200; i-- {
		d.Entries = append(d.Entries, entries[i])
	}
	s.render(q, http.StatusOK, "audit", "", d)
	return nil
}

// --- staff accounts ---

type staffData struct {
	Staff     []core.Staff
	Libraries []core.Library
	Roles     []core.Role
}

func (s *Server) staffPage(q *request) error {
	list, err := s.svc.ListStaff(q.ctx(), &core.Actor{StaffID: q.staff.ID, From: clientAddr(q.r)})
	if err != nil {
		return err
	}
	s.render(q, http.StatusOK, "staff", "", staffData{Staff: list, Libraries: s.svc.Consortium().Libraries, Roles: core.Roles})
	return nil
}

func (s *Server) addStaff(q *request) error {
	var roles []core.Role
	for _, r := range q.r.PostForm["role"] {
		roles = append(roles, core.Role(r))
	}
	a := q.actor()
	_, err := s.svc.AddStaff(q.ctx(), &a, core.NewStaff{ID: q.r.PostForm.Get("id"), Library: q.r.PostForm.Get("library"),
		Name: strings.TrimSpace(q.r.PostForm.Get("name")), Roles: roles, Password: q.r.PostForm.Get("password")})
	if err != nil {
		return s.refused(q, "/staff", err)
	}
	return s.done(q, "/staff", "ok_staff_added")
}

func (s *Server) setPassword(q *request) error {
	a := q.actor()
	if err := s.svc.SetStaffPassword(q.ctx(), &a, q.r.PathValue("id"), q.r.PostForm.Get("password")); err != nil {
		return s.refused(q, "/staff", err)
	}
	if q.r.PathValue("id") == q.staff.ID {
		// The core ends the member's sessions with a new password.
		http.Redirect(q.w, q.r, s.path("/signin")+"?ok=ok_password_set", http.StatusSeeOther)
		return nil
	}
	return s.done(q, "/staff", "ok_password_set")
}

// setDisabled disables an account (its sessions end at once) or enables
// it again.
func (s *Server) setDisabled(q *request) error {
	disable := q.r.PostForm.Get("disabled") == "1"
	if _, err := s.svc.SetStaffDisabled(q.ctx(), q.actor(), q.r.PathValue("id"), disable); err != nil {
		return s.refused(q, "/staff", err)
	}
	if disable {
		return s.done(q, "/staff", "ok_staff_disabled")
	}
	return s.done(q, "/staff", "ok_staff_enabled")
}
