package staffweb

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
)

// The interlibrary loan desk (core/illdesk.go): the queues (inbox,
// outbox, to ship, to return, overdue, all), a transaction with its
// history and the actions its state allows, and the form that files a
// request for a patron. Every page needs the ILL permission at the
// library that handles ILL; a transaction's patron shows only to staff
// who may read that patron (borrowing is confidential).

func (s *Server) illRoutes() {
	s.handle("GET /ill", func(q *request) error {
		http.Redirect(q.w, q.r, s.path("/ill/"+string(core.ILLInbox)), http.StatusSeeOther)
		return nil
	})
	s.handle("GET /ill/new", s.illNewPage)
	s.handle("POST /ill/new", s.illNew)
	s.handle("GET /ill/t/{id}", s.illTransaction)
	s.handle("POST /ill/t/{id}/{action}", s.illAction)
	s.handle("GET /ill/{queue}", s.illQueue)
}

// illTabs are the queues with their counts, for the tabs of every ILL
// page.
type illTab struct {
	Queue core.ILLQueue
	Count int
}

func (s *Server) illTabs(q *request) ([]illTab, error) {
	counts, err := s.svc.StaffILLCounts(q.ctx(), q.actor())
	if err != nil {
		return nil, err
	}
	var tabs []illTab
	for _, k := range core.ILLQueues {
		tabs = append(tabs, illTab{Queue: k, Count: counts[k]})
	}
	return tabs, nil
}

type illQueueData struct {
	Queue   core.ILLQueue
	Tabs    []illTab
	Entries []core.ILLDeskEntry
	Now     time.Time
}

func (s *Server) illQueue(q *request) error {
	queue := core.ILLQueue(q.r.PathValue("queue"))
	if !slices.Contains(core.ILLQueues, queue) {
		http.NotFound(q.w, q.r)
		return nil
	}
	entries, err := s.svc.StaffILLQueue(q.ctx(), q.actor(), queue)
	if err != nil {
		return err
	}
	tabs, err := s.illTabs(q)
	if err != nil {
		return err
	}
	s.render(q, http.StatusOK, "ill", tr(q.lang, "ill_queue_"+string(queue)), illQueueData{Queue: queue, Tabs: tabs, Entries: entries, Now: s.svc.Now()})
	return nil
}

type illTxData struct {
	Entry   core.ILLDeskEntry
	Tabs    []illTab
	Reasons []string
	Today   string
}

// Can reports whether the transaction's state allows action.
func (d illTxData) Can(action string) bool { return slices.Contains(d.Entry.Actions, action) }

func (s *Server) illTransaction(q *request) error {
	e, err := s.svc.StaffILLTransaction(q.ctx(), q.actor(), q.r.PathValue("id"))
	if core.ReasonOf(err) == core.ReasonILLUnknownTransaction {
		s.render(q, http.StatusNotFound, "error", "", map[string]any{"Message": reasonText(core.ReasonOf(err), q.lang)})
		return nil
	}
	if err != nil {
		return err
	}
	tabs, err := s.illTabs(q)
	if err != nil {
		return err
	}
	title := tr(q.lang, "title_illtx") + " " + e.Transaction.ID
	s.render(q, http.StatusOK, "illtx", title, illTxData{Entry: e, Tabs: tabs, Reasons: core.ILLUnfilledReasons,
		Today: s.svc.Now().Format(time.DateOnly)})
	return nil
}

func illPath(id string) string { return "/ill/t/" + url.PathEscape(id) }

// illAction performs one staff action on a transaction: what it sends the
// partner goes out at once (Options.ILLQueued).
func (s *Server) illAction(q *request) error {
	id, action := q.r.PathValue("id"), q.r.PathValue("action")
	back := illPath(id)
	if !slices.Contains(core.ILLStaffActionNames(), action) {
		return s.refused(q, back, badRequest())
	}
	pf := q.r.PostForm
	in := core.ILLDeskAction{Note: strings.TrimSpace(pf.Get("note")), ItemID: strings.TrimSpace(pf.Get("barcode")),
		Reason: strings.TrimSpace(pf.Get("reason"))}
	if d := strings.TrimSpace(pf.Get("date")); d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return s.refused(q, back, badRequest())
		}
		in.Date = t
	}
	if _, err := s.svc.StaffILLAction(q.ctx(), q.actor(), id, action, in); err != nil {
		return s.refused(q, back, err)
	}
	s.illQueued()
	return s.done(q, back, "ok_ill_"+action)
}

func (s *Server) illQueued() {
	if s.illKick != nil {
		s.illKick()
	}
}

// illNewForm is the new-request form as typed.
type illNewForm struct {
	Patron, Partner, Service, Title, Author, ISBN, ISSN, Pickup, Note string
}

type illNewData struct {
	Form      illNewForm
	Tabs      []illTab
	Partners  []core.ILLPartner
	Libraries []core.Library
	Error     string
}

func (s *Server) illNewPage(q *request) error {
	tabs, err := s.illTabs(q)
	if err != nil {
		return err
	}
	f := illNewForm{Patron: strings.TrimSpace(q.r.URL.Query().Get("patron")), Service: string(core.ILLLoan)}
	if ps := s.svc.Consortium().ILL.Partners; len(ps) == 1 {
		f.Partner = ps[0].Symbol
	}
	s.render(q, http.StatusOK, "illnew", "", illNewData{Form: f, Tabs: tabs, Partners: s.svc.Consortium().ILL.Partners,
		Libraries: s.svc.Consortium().Libraries})
	return nil
}

// illNew files a request for a patron: the partner, the title or the
// ISBN/ISSN, the service (a loan or a copy to keep).
func (s *Server) illNew(q *request) error {
	pf := q.r.PostForm
	f := illNewForm{Patron: strings.TrimSpace(pf.Get("patron")), Partner: pf.Get("partner"), Service: pf.Get("service"),
		Title: strings.TrimSpace(pf.Get("title")), Author: strings.TrimSpace(pf.Get("author")), ISBN: strings.TrimSpace(pf.Get("isbn")),
		ISSN: strings.TrimSpace(pf.Get("issn")), Pickup: pf.Get("pickup"), Note: strings.TrimSpace(pf.Get("note"))}
	again := func(msg string) error {
		tabs, err := s.illTabs(q)
		if err != nil {
			return err
		}
		s.render(q, http.StatusUnprocessableEntity, "illnew", "", illNewData{Form: f, Tabs: tabs, Partners: s.svc.Consortium().ILL.Partners,
			Libraries: s.svc.Consortium().Libraries, Error: msg})
		return nil
	}
	svc := core.ILLServiceType(f.Service)
	if svc != core.ILLLoan && svc != core.ILLCopy {
		svc = core.ILLLoan
	}
	if f.Patron == "" || f.Partner == "" || f.Title == "" && f.ISBN == "" && f.ISSN == "" {
		return again(tr(q.lang, "ill_new_incomplete"))
	}
	x, err := s.svc.StaffILLRequest(q.ctx(), q.actor(), core.ILLNewRequest{PatronID: f.Patron, Partner: f.Partner, Service: svc,
		Item: core.ILLItem{Title: f.Title, Author: f.Author, ISBN: f.ISBN, ISSN: f.ISSN}, PickupLibrary: f.Pickup, Note: f.Note})
	if err != nil {
		switch r := core.ReasonOf(err); r {
		case "", core.ReasonNoSession, core.ReasonForbidden:
			return err
		default:
			return again(reasonText(r, q.lang))
		}
	}
	s.illQueued()
	return s.done(q, illPath(x.ID), "ok_ill_request")
}

// --- template helpers ---

// IllEvent is an event's name as the history shows it: direction,
// service and qualifier (">ILL-Answer:will-supply").
func (v *view) IllEvent(e core.ILLEvent) string {
	s := string(e.Dir) + e.Service.String()
	if e.Qualifier != "" {
		s += ":" + e.Qualifier
	}
	return s
}

// IllState is a state in the page's language.
func (v *view) IllState(st illstate.State) string {
	if k := "ill_state_" + strings.ToLower(st.String()); hasKey(k) {
		return tr(v.lang, k)
	}
	return st.String()
}

// IllTuple is a transaction-id as initial-requester/group/transaction.
func (v *view) IllTuple(t core.TransactionID) string {
	parts := []string{t.InitialRequester.Symbol, t.Group, t.Transaction}
	if t.SubTransaction != "" {
		parts = append(parts, t.SubTransaction)
	}
	return strings.Join(parts, "/")
}

func init() {
	for k, m := range illCatalogue {
		if _, dup := catalogue[k]; dup {
			panic("staffweb: ILL text " + k + " is in the catalogue twice")
		}
		catalogue[k] = m
	}
	formPages["illnew"] = "/ill/new"
}

// InILL reports whether the page is one of the ILL desk's (the menu marks
// its link).
func (v *view) InILL() bool { return strings.HasPrefix(v.Page, "ill") }

// IllNoteActions are the actions whose form takes only a note, in the
// order the transaction page shows them.
func (v *view) IllNoteActions() []string {
	return []string{"return", "checkin", "recall", "cancel", "lost", "damaged"}
}

// IllReason is an answer's reason code in the page's language, or the
// code itself.
func (v *view) IllReason(r string) string {
	if k := "ill_reason_" + r; hasKey(k) {
		return tr(v.lang, k)
	}
	return r
}
