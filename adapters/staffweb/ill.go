package staffweb

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill/partners"
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
	// Rota is the suppliers ticked, in the order given.
	Rota []string
}

type illNewData struct {
	Form      illNewForm
	Tabs      []illTab
	Partners  []core.ILLPartner
	Libraries []core.Library
	Error     string
	// CanFind: the console looks titles up in the partners' catalogues.
	CanFind bool
	// Found is the last "Find suppliers" (nil: none asked).
	Found *illFound
}

// illFound is a lookup in the partners' catalogues as the form shows it:
// one row per partner holding it, best supplier first, and the targets
// that failed or did not answer in time.
type illFound struct {
	Query     string
	Suppliers []illSupplier
	Failed    []partners.Outcome
	Asked     int
}

// illSupplier is a partner whose catalogue holds the title: its records
// (ranked), whether it is proposed for the rota (it lends the material and
// a copy is lendable), and its place.
type illSupplier struct {
	Partner, Name string
	Candidates    []partners.Candidate
	Ticked        bool
	Order         int
}

// illFoundOf groups a lookup's ranked candidates by partner, in rank
// order; the partners ticked (rota) keep their place and tick.
func illFoundOf(res *partners.Result, rota []string) *illFound {
	f := &illFound{Query: res.Query, Asked: len(res.Targets)}
	at := map[string]int{}
	for _, c := range res.Candidates {
		i, ok := at[c.Partner]
		if !ok {
			i = len(f.Suppliers)
			at[c.Partner] = i
			f.Suppliers = append(f.Suppliers, illSupplier{Partner: c.Partner, Name: c.Name})
		}
		sp := &f.Suppliers[i]
		sp.Candidates = append(sp.Candidates, c)
		if c.LendsType && c.Lendable {
			sp.Ticked = true
		}
	}
	if len(rota) > 0 {
		for i := range f.Suppliers {
			f.Suppliers[i].Ticked = slices.Contains(rota, f.Suppliers[i].Partner)
		}
	}
	n := 0
	for i := range f.Suppliers {
		if f.Suppliers[i].Ticked {
			n++
			f.Suppliers[i].Order = n
		}
	}
	for _, o := range res.Targets {
		if o.Error != "" || o.TimedOut {
			f.Failed = append(f.Failed, o)
		}
	}
	return f
}

func (s *Server) illNewData(q *request, f illNewForm) (illNewData, error) {
	tabs, err := s.illTabs(q)
	if err != nil {
		return illNewData{}, err
	}
	return illNewData{Form: f, Tabs: tabs, Partners: s.svc.Consortium().ILL.Partners, Libraries: s.svc.Consortium().Libraries,
		CanFind: s.findSuppliers != nil}, nil
}

func (s *Server) illNewPage(q *request) error {
	f := illNewForm{Patron: strings.TrimSpace(q.r.URL.Query().Get("patron")), Service: string(core.ILLLoan)}
	if ps := s.svc.Consortium().ILL.Partners; len(ps) == 1 {
		f.Partner = ps[0].Symbol
	}
	d, err := s.illNewData(q, f)
	if err != nil {
		return err
	}
	s.render(q, http.StatusOK, "illnew", "", d)
	return nil
}

// illRotaOf is the suppliers ticked on the form, in the order their
// places give (ties keep the page's order), each once.
func illRotaOf(pf url.Values) []string {
	type ticked struct {
		partner string
		order   int
	}
	var ts []ticked
	for i, p := range pf["rota"] {
		p = strings.TrimSpace(p)
		if p == "" || slices.ContainsFunc(ts, func(t ticked) bool { return t.partner == p }) {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(pf.Get("order_" + p)))
		if err != nil || n <= 0 {
			n = 1000 + i
		}
		ts = append(ts, ticked{p, n})
	}
	slices.SortStableFunc(ts, func(a, b ticked) int { return a.order - b.order })
	var out []string
	for _, t := range ts {
		out = append(out, t.partner)
	}
	return out
}

// illNew files a request for a patron: the partner, or the suppliers
// ticked after "Find suppliers" in the order given (a rota: the request
// goes to the first and, unfilled, on to the next), the title or the
// ISBN/ISSN, the service (a loan or a copy to keep). With find it looks
// the title up in the partners' catalogues and shows the form again with
// the suppliers.
func (s *Server) illNew(q *request) error {
	pf := q.r.PostForm
	f := illNewForm{Patron: strings.TrimSpace(pf.Get("patron")), Partner: pf.Get("partner"), Service: pf.Get("service"),
		Title: strings.TrimSpace(pf.Get("title")), Author: strings.TrimSpace(pf.Get("author")), ISBN: strings.TrimSpace(pf.Get("isbn")),
		ISSN: strings.TrimSpace(pf.Get("issn")), Pickup: pf.Get("pickup"), Note: strings.TrimSpace(pf.Get("note")), Rota: illRotaOf(pf)}
	again := func(status int, msg string, found *illFound) error {
		d, err := s.illNewData(q, f)
		if err != nil {
			return err
		}
		d.Error, d.Found = msg, found
		s.render(q, status, "illnew", "", d)
		return nil
	}
	if pf.Get("find") != "" {
		return s.illFind(q, f, again)
	}
	svc := core.ILLServiceType(f.Service)
	if svc != core.ILLLoan && svc != core.ILLCopy {
		svc = core.ILLLoan
	}
	req := core.ILLNewRequest{PatronID: f.Patron, Partner: f.Partner, Service: svc,
		Item: core.ILLItem{Title: f.Title, Author: f.Author, ISBN: f.ISBN, ISSN: f.ISSN}, PickupLibrary: f.Pickup, Note: f.Note}
	switch len(f.Rota) {
	case 0:
	case 1:
		req.Partner = f.Rota[0]
	default:
		req.Partner, req.Rota = f.Rota[0], f.Rota
	}
	if f.Patron == "" || req.Partner == "" || f.Title == "" && f.ISBN == "" && f.ISSN == "" {
		return again(http.StatusUnprocessableEntity, tr(q.lang, "ill_new_incomplete"), nil)
	}
	x, err := s.svc.StaffILLRequest(q.ctx(), q.actor(), req)
	if err != nil {
		switch r := core.ReasonOf(err); r {
		case "", core.ReasonNoSession, core.ReasonForbidden:
			return err
		default:
			return again(http.StatusUnprocessableEntity, reasonText(r, q.lang), nil)
		}
	}
	s.illQueued()
	return s.done(q, illPath(x.ID), "ok_ill_request")
}

// illFind is "Find suppliers": the ISBN, else the ISSN, else the title
// and author, looked up in the partners' catalogues (Options.FindSuppliers).
func (s *Server) illFind(q *request, f illNewForm, again func(int, string, *illFound) error) error {
	if s.findSuppliers == nil {
		return again(http.StatusUnprocessableEntity, tr(q.lang, "ill_find_none"), nil)
	}
	if _, err := s.svc.StaffILLCounts(q.ctx(), q.actor()); err != nil {
		return err // only ILL staff look up
	}
	var pq partners.Query
	switch {
	case f.ISBN != "":
		pq.ISBN = f.ISBN
	case f.ISSN != "":
		pq.ISSN = f.ISSN
	default:
		pq.Title, pq.Author = f.Title, f.Author
	}
	if pq.Validate() != nil {
		return again(http.StatusUnprocessableEntity, tr(q.lang, "ill_find_incomplete"), nil)
	}
	res, err := s.findSuppliers(q.ctx(), pq)
	if err != nil {
		s.log.Warn().Err(err).Msg("staffweb: ILL partner lookup")
		return again(http.StatusBadGateway, tr(q.lang, "ill_find_failed"), nil)
	}
	return again(http.StatusOK, "", illFoundOf(res, f.Rota))
}

// IllAttemptOutcome is a rota leg's outcome in the page's language: the
// partner's answer, or waiting for one.
func (v *view) IllAttemptOutcome(a core.ILLAttempt) string {
	if a.Outcome == "" {
		return tr(v.lang, "ill_attempt_waiting")
	}
	if k := "ill_attempt_" + strings.ReplaceAll(a.Outcome, "-", "_"); hasKey(k) {
		return tr(v.lang, k)
	}
	return a.Outcome
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
// order the transaction page shows them. send-back is for the item a
// partner the rota passed over shipped all the same (core/illrota.go).
func (v *view) IllNoteActions() []string {
	return []string{"return", "send-back", "checkin", "recall", "cancel", "lost", "damaged"}
}

// IllReason is an answer's reason code in the page's language, or the
// code itself.
func (v *view) IllReason(r string) string {
	if k := "ill_reason_" + r; hasKey(k) {
		return tr(v.lang, k)
	}
	return r
}

// IllAttempt is leg i of x's rota, nil while the rota has not reached it.
func (v *view) IllAttempt(x core.ILLTransaction, i int) *core.ILLAttempt {
	if i < 0 || i >= len(x.Attempts) {
		return nil
	}
	return &x.Attempts[i]
}

// IllCandidateFacts is what ranks a candidate, as bibgate ill find says it:
// whether the partner lends it, whether a copy is free now or when one
// comes back, the queue.
func (v *view) IllCandidateFacts(c partners.Candidate) string {
	var f []string
	switch {
	case !c.LendsType:
		f = append(f, tr(v.lang, "ill_fact_not_lent"))
	case !c.Lendable:
		f = append(f, tr(v.lang, "ill_fact_reading_room"))
	case c.AvailableNow:
		f = append(f, tr(v.lang, "ill_fact_available"))
	case c.Due != "":
		f = append(f, tr(v.lang, "ill_until")+" "+c.Due)
	default:
		f = append(f, tr(v.lang, "ill_fact_unknown"))
	}
	if c.Queue > 0 {
		f = append(f, tr(v.lang, "ill_fact_queue", c.Queue))
	}
	if c.Distance > 0 {
		f = append(f, strconv.Itoa(c.Distance)+" km")
	}
	if c.Price != nil {
		f = append(f, core.Money(*c.Price).String()+" EUR")
	}
	return strings.Join(f, ", ")
}

// IllHoldingStatus is a copy's availability in the page's language.
func (v *view) IllHoldingStatus(h partners.Holding) string {
	if k := "ill_holding_" + strings.ReplaceAll(string(h.Status), " ", "_"); hasKey(k) {
		return tr(v.lang, k)
	}
	return string(h.Status)
}

// CanILL reports whether the staff member may use the ILL desk: ILL
// permission at the library that handles ILL for the consortium, which is
// what the desk's pages check (core/illdesk.go). The menu, the dashboard
// counts and the patron page's link show only to them.
func (v *view) CanILL() bool {
	return v.Staff.ID != "" && core.Permit(v.Staff, core.ActILL, v.illLibrary) == nil
}
