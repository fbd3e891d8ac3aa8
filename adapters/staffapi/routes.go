package staffapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/notify"
)

// SessionInfo answers sign-in and GET /session.
type SessionInfo struct {
	Staff core.Staff `json:"staff"`
	// CSRFToken goes back in X-CSRF-Token on every unsafe request.
	CSRFToken   string `json:"csrf_token"`
	IdleTimeout string `json:"idle_timeout,omitempty"`
}

type signInBody struct {
	ID       string `json:"id"`
	Password string `json:"password"`
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, _ *call) error {
	from := clientAddr(r)
	if locked, until := h.addr.Locked(from, h.svc.Now()); locked {
		w.Header().Set("Retry-After", strconv.Itoa(int(until.Sub(h.svc.Now()).Seconds())+1))
		return &core.Error{Reason: ReasonAddrLocked, Detail: "too many failed sign-ins from this address"}
	}
	var b signInBody
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	token, sess, st, err := h.svc.StaffSignIn(r.Context(), b.ID, b.Password, from)
	if err != nil {
		if r := core.ReasonOf(err); r == core.ReasonBadCredentials || r == core.ReasonStaffLocked {
			h.addr.Fail(from, h.svc.Now())
		}
		return err
	}
	h.addr.Reset(from, h.svc.Now())
	if sw, ok := w.(*statusWriter); ok {
		sw.staff = st.ID
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || h.secure})
	return writeJSON(w, http.StatusOK, SessionInfo{Staff: st, CSRFToken: sess.CSRF})
}

func (h *Handler) session(w http.ResponseWriter, _ *http.Request, c *call) error {
	return writeJSON(w, http.StatusOK, SessionInfo{Staff: c.staff, CSRFToken: c.sess.CSRF})
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.svc.StaffSignOut(r.Context(), c.token, c.actor.From); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || h.secure})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) openapi(w http.ResponseWriter, _ *http.Request, _ *call) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(OpenAPI)
	return err
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, c *call) error {
	d, err := h.svc.StaffDashboard(r.Context(), c.actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// PatronMatch is one patron found.
type PatronMatch struct {
	Patron core.Patron `json:"patron"`
	By     string      `json:"matched_by"`
}

func (h *Handler) findPatrons(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query().Get("q")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	ms, err := h.svc.FindPatrons(r.Context(), c.actor, q, limit)
	if err != nil {
		return err
	}
	out := make([]PatronMatch, 0, len(ms))
	for _, m := range ms {
		out = append(out, PatronMatch{Patron: m.Patron, By: m.By})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"patrons": out})
}

// LoanView is a current loan of a patron.
type LoanView struct {
	core.Loan
	Title   string     `json:"title,omitempty"`
	Overdue bool       `json:"overdue,omitempty"`
	Accrued core.Money `json:"accrued_fine,omitempty"`
}

// PatronView is a patron as the desk sees them: current loans, holds and
// fees only (the loan history is not shown: 002 §21).
type PatronView struct {
	Patron   core.Patron   `json:"patron"`
	Blocks   []core.Reason `json:"blocks"`
	Loans    []LoanView    `json:"loans"`
	Holds    []core.Hold   `json:"holds"`
	Fees     []core.Fee    `json:"fees"`
	Owed     core.Money    `json:"owed"`
	Accruing core.Money    `json:"accruing"`
	FeeLimit core.Money    `json:"fee_limit"`
	MaxLoans int           `json:"max_loans"`
	MaxHolds int           `json:"max_holds"`
	Minor    bool          `json:"minor"`
}

func patronView(s core.PatronSummary) PatronView {
	v := PatronView{Patron: s.Patron, Blocks: s.Blocks, Holds: s.Holds, Fees: s.Fees, Owed: s.Owed, Accruing: s.Accruing,
		FeeLimit: s.FeeLimit, MaxLoans: s.MaxLoans, MaxHolds: s.MaxHolds, Minor: s.Minor, Loans: []LoanView{}}
	for _, l := range s.Loans {
		v.Loans = append(v.Loans, LoanView{Loan: l.Loan, Title: l.Title, Overdue: l.Overdue, Accrued: l.Accrued})
	}
	if v.Blocks == nil {
		v.Blocks = []core.Reason{}
	}
	if v.Holds == nil {
		v.Holds = []core.Hold{}
	}
	if v.Fees == nil {
		v.Fees = []core.Fee{}
	}
	return v
}

func (h *Handler) patron(w http.ResponseWriter, r *http.Request, c *call) error {
	s, err := h.svc.StaffPatron(r.Context(), c.actor, r.PathValue("card"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, patronView(s))
}

func (h *Handler) editPatron(w http.ResponseWriter, r *http.Request, c *call) error {
	var b core.PatronChanges
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	p, err := h.svc.EditPatron(r.Context(), c.actor, r.PathValue("card"), b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"patron": p})
}

func (h *Handler) confirmIdentity(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Document string `json:"document"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	p, err := h.svc.ConfirmIdentity(r.Context(), c.actor, r.PathValue("card"), b.Document)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"patron": p})
}

func (h *Handler) block(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	p, err := h.svc.SetPatronBlock(r.Context(), c.actor, r.PathValue("card"), true, b.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"patron": p})
}

func (h *Handler) unblock(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.svc.SetPatronBlock(r.Context(), c.actor, r.PathValue("card"), false, "")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"patron": p})
}

func (h *Handler) pay(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Amount        core.Money `json:"amount"`
		FeeID         string     `json:"fee_id"`
		TransactionID string     `json:"transaction_id"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	rec, err := h.svc.DeskPay(r.Context(), c.actor, core.Payment{PatronID: r.PathValue("card"), FeeID: b.FeeID, Amount: b.Amount,
		TransactionID: b.TransactionID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rec)
}

type circBody struct {
	Patron string `json:"patron"`
	Item   string `json:"item"`
}

// CheckoutView answers a desk checkout.
type CheckoutView struct {
	Loan core.Loan `json:"loan"`
	Item core.Item `json:"item"`
}

func (h *Handler) checkout(w http.ResponseWriter, r *http.Request, c *call) error {
	var b circBody
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	res, err := h.svc.DeskCheckout(r.Context(), c.actor, b.Patron, b.Item)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, CheckoutView{Loan: res.Loan, Item: res.Item})
}

// CheckinView answers a desk checkin: where the copy goes next.
type CheckinView struct {
	Item        core.Item        `json:"item"`
	Loan        *core.Loan       `json:"loan,omitempty"`
	Fine        core.Money       `json:"fine,omitempty"`
	Refund      core.Money       `json:"refund,omitempty"`
	Cancelled   core.Money       `json:"cancelled,omitempty"`
	Disposition core.Disposition `json:"disposition"`
	Destination string           `json:"destination,omitempty"`
	Hold        *core.Hold       `json:"hold,omitempty"`
	SortBin     string           `json:"sort_bin"`
}

func checkinView(res core.CheckinResult) CheckinView {
	return CheckinView{Item: res.Item, Loan: res.Loan, Fine: res.Fine, Refund: res.Refund, Cancelled: res.Cancelled,
		Disposition: res.Disposition, Destination: res.Destination, Hold: res.Hold, SortBin: res.SortBin}
}

func (h *Handler) checkin(w http.ResponseWriter, r *http.Request, c *call) error {
	var b circBody
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	res, err := h.svc.DeskCheckin(r.Context(), c.actor, b.Item)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, checkinView(res))
}

func (h *Handler) renew(w http.ResponseWriter, r *http.Request, c *call) error {
	var b circBody
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	res, err := h.svc.DeskRenew(r.Context(), c.actor, b.Patron, b.Item)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"loan": res.Loan, "requested": res.Requested})
}

func (h *Handler) waive(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	f, err := h.svc.WaiveFee(r.Context(), c.actor, r.PathValue("id"), b.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"fee": f})
}

func (h *Handler) declare(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Condition core.ItemCondition `json:"condition"`
		Patron    string             `json:"patron"`
		Amount    core.Money         `json:"amount"`
		Note      string             `json:"note"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	d, err := h.svc.DeclareItem(r.Context(), c.actor, r.PathValue("barcode"), b.Condition, b.Patron, b.Amount, b.Note)
	if err != nil {
		return err
	}
	out := map[string]any{"item": d.Item, "fees": d.Fees}
	if out["fees"] == nil || len(d.Fees) == 0 {
		out["fees"] = []core.Fee{}
	}
	if d.Checkin != nil {
		out["checkin"] = checkinView(*d.Checkin)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) renewalRequests(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := h.svc.RenewalRequests(r.Context(), c.actor)
	if err != nil {
		return err
	}
	if q == nil {
		q = []core.RenewalRequest{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"requests": q})
}

type decisionBody struct {
	Approve *bool  `json:"approve"`
	Reason  string `json:"reason"`
}

func (d decisionBody) check() error {
	if d.Approve == nil {
		return badRequest{`say "approve": true or false`}
	}
	return nil
}

func (h *Handler) decideRenewal(w http.ResponseWriter, r *http.Request, c *call) error {
	var b decisionBody
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	if err := b.check(); err != nil {
		return err
	}
	l, err := h.svc.DecideRenewalRequest(r.Context(), c.actor, r.PathValue("loan"), *b.Approve, b.Reason)
	if err != nil && l.ID != "" && core.ReasonOf(err) != "" && *b.Approve {
		// The rules refused the approval at the decision: the request is
		// rejected (committed) and the patron told; say so with the loan.
		return writeJSON(w, http.StatusOK, map[string]any{"loan": l, "approved": false, "refused_by_rule": core.ReasonOf(err)})
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"loan": l, "approved": *b.Approve})
}

func (h *Handler) holdReviews(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := h.svc.HoldReviewQueue(r.Context(), c.actor)
	if err != nil {
		return err
	}
	if q == nil {
		q = []core.HoldForReview{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"holds": q})
}

func (h *Handler) reviewHold(w http.ResponseWriter, r *http.Request, c *call) error {
	var b decisionBody
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	if err := b.check(); err != nil {
		return err
	}
	hold, err := h.svc.ReviewHold(r.Context(), c.actor, r.PathValue("hold"), *b.Approve, b.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"hold": hold})
}

func (h *Handler) pullList(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.svc.PullList(r.Context(), c.actor)
	if err != nil {
		return err
	}
	if p == nil {
		p = []core.PullSlip{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"slips": p})
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request, c *call) error {
	v := r.URL.Query()
	q := core.AuditQuery{Actor: v.Get("actor"), Object: v.Get("object"), After: v.Get("after")}
	for name, dst := range map[string]*time.Time{"from": &q.From, "to": &q.To} {
		if s := v.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return badRequest{name + ": give an RFC 3339 time, e.g. 2026-11-02T10:00:00Z"}
			}
			*dst = t
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return badRequest{"limit: a positive number"}
		}
		q.Limit = n
	}
	es, err := h.svc.QueryAudit(r.Context(), c.actor, q)
	if err != nil {
		return err
	}
	if es == nil {
		es = []core.AuditEntry{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": es})
}

// Registration is the body of POST /patrons: the patron's details, the
// PIN (hashed by the core) and whether the identity is still to be shown
// in person.
type Registration struct {
	core.Patron
	PIN        string `json:"pin,omitempty"`
	RemoteOnly bool   `json:"remote_only,omitempty"`
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request, c *call) error {
	var b Registration
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	p, err := h.svc.RegisterPatron(r.Context(), c.actor, core.DeskRegistration{Patron: b.Patron, PIN: b.PIN, RemoteOnly: b.RemoteOnly})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"patron": p})
}

func (h *Handler) ownPassword(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	if err := h.svc.ChangeOwnPassword(r.Context(), c.actor, b.Current, b.New); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listStaff(w http.ResponseWriter, r *http.Request, c *call) error {
	list, err := h.svc.ListStaff(r.Context(), &c.actor)
	if err != nil {
		return err
	}
	if list == nil {
		list = []core.Staff{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"staff": list})
}

func (h *Handler) addStaff(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		ID       string      `json:"id"`
		Library  string      `json:"library"`
		Name     string      `json:"name"`
		Roles    []core.Role `json:"roles"`
		Password string      `json:"password"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	st, err := h.svc.AddStaff(r.Context(), &c.actor, core.NewStaff{ID: b.ID, Library: b.Library, Name: b.Name, Roles: b.Roles, Password: b.Password})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"staff": st})
}

func (h *Handler) setPassword(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Password string `json:"password"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == c.staff.ID {
		return badRequest{"change your own password with POST " + Prefix + "/session/password (it needs the current one)"}
	}
	if err := h.svc.SetStaffPassword(r.Context(), &c.actor, id, b.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) setDisabled(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Disabled *bool `json:"disabled"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	if b.Disabled == nil {
		return badRequest{`say "disabled": true or false`}
	}
	st, err := h.svc.SetStaffDisabled(r.Context(), c.actor, r.PathValue("id"), *b.Disabled)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"staff": st})
}

func (h *Handler) deletePatron(w http.ResponseWriter, r *http.Request, c *call) error {
	d, err := h.svc.DeskDeletePatron(r.Context(), c.actor, r.PathValue("card"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"holds_cancelled": d.HoldsCancelled, "anonymised": d.Anonymised, "removed": d.Removed})
}

// NoticeList answers GET /notices and GET /patrons/{card}/notices.
type NoticeList struct {
	Notices []core.NoticeView `json:"notices"`
}

func (h *Handler) noticeQuery(r *http.Request) (core.NoticeQuery, error) {
	v := r.URL.Query()
	q := core.NoticeQuery{Library: v.Get("library"), Status: core.NoticeStatus(v.Get("status"))}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return q, badRequest{"limit: a positive number"}
		}
		q.Limit = n
	}
	return q, nil
}

func (h *Handler) notices(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := h.noticeQuery(r)
	if err != nil {
		return err
	}
	ns, err := h.svc.DeskNotices(r.Context(), c.actor, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, NoticeList{Notices: ns})
}

func (h *Handler) patronNotices(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := h.noticeQuery(r)
	if err != nil {
		return err
	}
	q.Patron = r.PathValue("card")
	ns, err := h.svc.DeskNotices(r.Context(), c.actor, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, NoticeList{Notices: ns})
}

// A notice's id has slashes in it ("reminder/L00000001/1"), so the
// notice routes take it in the body, not in the path.

func (h *Handler) resendNotice(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		ID string `json:"id"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	n, err := h.svc.DeskResendNotice(r.Context(), c.actor, b.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notice": n})
}

func (h *Handler) noticeDelivered(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		ID  string `json:"id"`
		How string `json:"how"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	n, err := h.svc.DeskNoticeDelivered(r.Context(), c.actor, b.ID, b.How)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notice": n})
}

// ItemView answers GET /items/{barcode}: the copy, its circulation state
// (never who has it) and its history.
type ItemView struct {
	Item        core.Item           `json:"item"`
	Due         time.Time           `json:"due,omitzero"`
	HoldQueue   int                 `json:"hold_queue"`
	HoldPickup  string              `json:"hold_pickup,omitempty"`
	HoldExpires time.Time           `json:"hold_expires,omitzero"`
	History     []core.HistoryEntry `json:"history"`
}

func (h *Handler) item(w http.ResponseWriter, r *http.Request, c *call) error {
	sum, hist, err := h.svc.DeskItem(r.Context(), c.actor, r.PathValue("barcode"))
	if err != nil {
		return err
	}
	if hist == nil {
		hist = []core.HistoryEntry{}
	}
	return writeJSON(w, http.StatusOK, ItemView{Item: sum.Item, Due: sum.Due, HoldQueue: sum.HoldQueue, HoldPickup: sum.HoldPickup,
		HoldExpires: sum.HoldExpires, History: hist})
}

func (h *Handler) addCopy(w http.ResponseWriter, r *http.Request, c *call) error {
	var b core.NewCopy
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	if b.RecordID != "" && b.RecordID != r.PathValue("record") {
		return badRequest{"record_id differs from the record in the path"}
	}
	b.RecordID = r.PathValue("record")
	if h.record != nil {
		title, author, ok, err := h.record(r.Context(), b.RecordID)
		if err != nil {
			return fmt.Errorf("staffapi: look up record %s: %w", b.RecordID, err)
		}
		if !ok {
			return &core.Error{Reason: ReasonRecordNotFound, Detail: "the catalogue has no record " + b.RecordID}
		}
		if strings.TrimSpace(b.Title) == "" && strings.TrimSpace(b.Author) == "" {
			b.Title, b.Author = title, author
		}
	}
	it, err := h.svc.DeskAddCopy(r.Context(), c.actor, b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"item": it})
}

func (h *Handler) editCopy(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		core.CopyChanges
		Library *string `json:"library,omitempty"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	if b.Library != nil {
		return badRequest{"a copy moves to another library by a movement act (bibgate accounting move), not by an edit"}
	}
	it, err := h.svc.DeskEditCopy(r.Context(), c.actor, r.PathValue("barcode"), b.CopyChanges)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"item": it})
}

func (h *Handler) labelFee(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Patron string `json:"patron"`
		Note   string `json:"note"`
	}
	if err := h.readJSON(w, r, &b); err != nil {
		return err
	}
	f, err := h.svc.DeskLabelFee(r.Context(), c.actor, r.PathValue("barcode"), b.Patron, b.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"fee": f})
}

// Letter answers GET /notices/letter: a notice with its text in the
// patron's language, as the e-mail carries it, to print or read out.
type Letter struct {
	Notice  core.NoticeView `json:"notice"`
	Subject string          `json:"subject"`
	Body    string          `json:"body"`
}

func (h *Handler) noticeLetter(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.URL.Query().Get("id")
	if id == "" {
		return badRequest{"id: the notice's id"}
	}
	n, err := h.svc.DeskNotice(r.Context(), c.actor, id)
	if err != nil {
		return err
	}
	subject, body := notify.Letter(n.Notice, h.svc.Consortium())
	return writeJSON(w, http.StatusOK, Letter{Notice: n, Subject: subject, Body: body})
}
