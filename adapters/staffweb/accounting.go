package staffweb

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
)

// Collection accounting (Latvian Cabinet Regulation No. 317): the
// stocktakings and their inventory acts (annex 6), the write-off acts
// (annex 7) and the summary register (annex 5), each as a page to print
// and as CSV for the accountant. The acts themselves are in Latvian, in
// the regulation's form, whatever the console's language; the lists and
// forms around them are in the staff member's language. Every call goes
// through the core's desk accounting (core/accountingdesk.go), which
// checks the permissions and writes the audit log.

func (s *Server) accountingRoutes() {
	s.handle("GET /accounting", s.accountingHome)
	s.handle("GET /accounting/stocktakes", s.stocktakesPage)
	s.handle("GET /accounting/stocktakes/csv", s.stocktakesCSV)
	s.handle("POST /accounting/stocktakes", s.openStocktake)
	s.handle("GET /accounting/stocktakes/{id}", s.stocktakePage)
	s.handle("POST /accounting/stocktakes/{id}/scan", s.stocktakeScan)
	s.handle("POST /accounting/stocktakes/{id}/close", s.closeStocktake)
	s.handle("GET /accounting/stocktakes/{id}/act", s.inventoryActPage)
	s.handle("GET /accounting/stocktakes/{id}/act/csv", s.inventoryActCSV)
	s.handle("GET /accounting/writeoffs", s.writeOffsPage)
	s.handle("GET /accounting/writeoffs/csv", s.writeOffsCSV)
	s.handle("POST /accounting/writeoffs", s.draftWriteOff)
	s.handle("GET /accounting/writeoffs/{id}", s.writeOffPage)
	s.handle("GET /accounting/writeoffs/{id}/csv", s.writeOffCSV)
	s.handle("POST /accounting/writeoffs/{id}/approve", s.approveWriteOff)
	s.handle("GET /accounting/register", s.registerBookPage)
	s.handle("GET /accounting/register/csv", s.registerBookCSV)
}

func stocktakePath(id string) string { return "/accounting/stocktakes/" + url.PathEscape(id) }
func writeOffPath(id string) string  { return "/accounting/writeoffs/" + url.PathEscape(id) }

func (s *Server) accountingHome(q *request) error {
	http.Redirect(q.w, q.r, s.path("/accounting/stocktakes"), http.StatusSeeOther)
	return nil
}

// accountingLibraries are the libraries whose accounting the staff member
// keeps, for the forms' library choice.
func (s *Server) accountingLibraries(st core.Staff) []core.Library {
	var out []core.Library
	for _, l := range s.svc.Consortium().Libraries {
		if core.Permit(st, core.ActCatalogue, l.ID) == nil {
			out = append(out, l)
		}
	}
	return out
}

// libraryName is a library's name, or its id when the consortium has none.
func (s *Server) libraryName(id string) string {
	if l, ok := s.svc.Consortium().Library(id); ok {
		return l.Name
	}
	return id
}

// libraryParam is the ?library= of a list: "" the staff member's own (the
// core widens it to every library for a consortium administrator).
func libraryParam(q *request) string { return strings.TrimSpace(q.r.URL.Query().Get("library")) }

// lines splits a textarea into its non-empty lines, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// --- stocktakes ---

type stocktakeRow struct {
	core.Stocktake
	LibraryName, Range, Act, Missing string
}

type stocktakesData struct {
	Rows      []stocktakeRow
	Libraries []core.Library
	Library   string
	Error     string
}

func (s *Server) stocktakeRows(list []core.Stocktake, lang string) []stocktakeRow {
	rows := make([]stocktakeRow, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- { // newest first
		st := list[i]
		r := stocktakeRow{Stocktake: st, LibraryName: s.libraryName(st.Library), Range: tr(lang, "acct_range_all")}
		if st.FromCallNumber != "" || st.ToCallNumber != "" {
			r.Range = st.FromCallNumber + " … " + st.ToCallNumber
		}
		if st.Act != nil {
			r.Act = st.Act.Number.String()
			r.Missing = fmt.Sprintf("%d (%s EUR)", len(st.Act.Missing), st.Act.MissingTally.Value)
		}
		rows = append(rows, r)
	}
	return rows
}

func (s *Server) stocktakesPage(q *request) error {
	return s.showStocktakes(q, http.StatusOK, "")
}

func (s *Server) showStocktakes(q *request, status int, errKey string) error {
	list, err := s.svc.DeskStocktakes(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	d := stocktakesData{Rows: s.stocktakeRows(list, q.lang), Libraries: s.accountingLibraries(q.staff), Library: q.staff.Library}
	if errKey != "" {
		d.Error = tr(q.lang, errKey)
	}
	s.render(q, status, "acct_stocktakes", "", d)
	return nil
}

func (s *Server) openStocktake(q *request) error {
	pf := q.r.PostForm
	chair := strings.TrimSpace(pf.Get("chair"))
	if chair == "" {
		return s.showStocktakes(q, http.StatusUnprocessableEntity, "acct_need_chair")
	}
	st, err := s.svc.DeskOpenStocktake(q.ctx(), q.actor(), core.StocktakeRequest{Library: pf.Get("library"),
		FromCallNumber: strings.TrimSpace(pf.Get("from")), ToCallNumber: strings.TrimSpace(pf.Get("to")),
		Commission: core.Commission{Chair: chair, Members: lines(pf.Get("members"))}})
	if err != nil {
		return s.refused(q, "/accounting/stocktakes", err)
	}
	return s.done(q, stocktakePath(st.ID), "ok_stocktake_opened")
}

func (s *Server) stocktakesCSV(q *request) error {
	list, err := s.svc.DeskStocktakes(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	w := s.csvWriter(q, "inventarizacijas.csv")
	_ = w.Write([]string{"id", "bibliotēka", "no_plaukta_indeksa", "līdz_plaukta_indeksam", "komisijas_priekšsēdētājs", "sākta",
		"pabeigta", "akts", "uzskaitīti", "atrodas", "trūkst", "trūkst_eur", "nav_atdoti", "neuzskaitīti"})
	for _, st := range list {
		row := []string{st.ID, st.Library, st.FromCallNumber, st.ToCallNumber, st.Commission.Chair, st.Opened.Format(time.DateOnly)}
		if a := st.Act; a != nil {
			row = append(row, st.Closed.Format(time.DateOnly), a.Number.String(), strconv.Itoa(a.Expected.Copies()),
				strconv.Itoa(a.Found.Copies()), strconv.Itoa(len(a.Missing)), a.MissingTally.Value.String(), strconv.Itoa(len(a.OnLoan)),
				strconv.Itoa(len(a.NoRecord)))
		} else {
			row = append(row, "", "", "", "", "", "", "", "")
		}
		_ = w.Write(row)
	}
	w.Flush()
	return w.Error()
}

type stocktakeData struct {
	P           core.StocktakeProgress
	LibraryName string
	Result      string
	ResultErr   bool
}

func (s *Server) stocktakePage(q *request) error {
	p, err := s.svc.DeskStocktake(q.ctx(), q.actor(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if !p.Open() {
		http.Redirect(q.w, q.r, s.path(stocktakePath(p.ID)+"/act"), http.StatusSeeOther)
		return nil
	}
	s.render(q, http.StatusOK, "acct_stocktake", tr(q.lang, "title_acct_stocktake")+" "+p.ID, stocktakeData{P: p, LibraryName: s.libraryName(p.Library)})
	return nil
}

// stocktakeScan marks a scanned barcode seen and shows the session again
// with what the scan found, the cursor back in the barcode field for the
// next one (a scan is idempotent, so sending the form twice is harmless).
func (s *Server) stocktakeScan(q *request) error {
	id := q.r.PathValue("id")
	p, err := s.svc.DeskStocktake(q.ctx(), q.actor(), id)
	if err != nil {
		return err
	}
	barcode := strings.TrimSpace(q.r.PostForm.Get("barcode"))
	d := stocktakeData{LibraryName: s.libraryName(p.Library)}
	status := http.StatusOK
	sc, err := s.svc.DeskMarkSeen(q.ctx(), q.actor(), p.Library, barcode)
	switch {
	case err == nil && sc.Stocktake != id:
		// Another session of the library is open (this one was closed).
		d.Result, d.ResultErr, status = tr(q.lang, "reason_no_stocktake_open"), true, http.StatusUnprocessableEntity
	case err == nil && sc.Item == nil:
		d.Result = tr(q.lang, "acct_scan_norecord", barcode)
	case err == nil && sc.Elsewhere:
		d.Result, d.ResultErr = tr(q.lang, "acct_scan_elsewhere", barcode, sc.Item.Title), true
	case err == nil && !sc.First:
		d.Result = tr(q.lang, "acct_scan_again", barcode+" — "+sc.Item.Title)
	case err == nil:
		d.Result = tr(q.lang, "acct_scan_found", barcode, sc.Item.Title)
	case core.ReasonOf(err) == "" || core.ReasonOf(err) == core.ReasonNoSession:
		return err
	default:
		d.Result, d.ResultErr, status = reasonText(core.ReasonOf(err), q.lang), true, http.StatusUnprocessableEntity
	}
	if d.P, err = s.svc.DeskStocktake(q.ctx(), q.actor(), id); err != nil {
		return err
	}
	s.render(q, status, "acct_stocktake", tr(q.lang, "title_acct_stocktake")+" "+id, d)
	return nil
}

func (s *Server) closeStocktake(q *request) error {
	id := q.r.PathValue("id")
	if _, err := s.svc.DeskCloseStocktake(q.ctx(), q.actor(), id); err != nil {
		return s.refused(q, stocktakePath(id), err)
	}
	return s.done(q, stocktakePath(id)+"/act", "ok_stocktake_closed")
}

// --- the inventory act (annex 6) ---

// actCopyRow is one line of an act's list of copies.
type actCopyRow struct {
	N                                        int
	InventoryNumber, ID, Description, CallNo string
	Type, Value                              string
}

func actRows(cs []core.ActCopy) []actCopyRow {
	out := make([]actCopyRow, len(cs))
	for i, c := range cs {
		out[i] = actCopyRow{N: i + 1, InventoryNumber: c.InventoryNumber, ID: c.ID, Description: describeCopy(c),
			CallNo: c.CallNumber, Type: accounting.TypeOfMaterial(c.Material).Latvian(), Value: lvMoney(c.Value)}
	}
	return out
}

func describeCopy(c core.ActCopy) string {
	if c.Author != "" {
		return c.Title + " / " + c.Author
	}
	return c.Title
}

type inventoryData struct {
	Act                          *core.InventoryAct
	Stocktake                    core.Stocktake
	LibraryName                  string
	Drawn, From, To              string
	MissingValue, MissingInWords string
	StartValue, LossNorm, Over   string
	Missing, OnLoan, InTransit   []actCopyRow
	NoRecord                     []actCopyRow
	OnLoanCount                  int
	// Approved is the act's APSTIPRINU date, once given; CanApprove
	// offers the form (accounting_receipt.go).
	Approved, ApproverName string
	CanApprove             bool
}

func (s *Server) inventoryAct(q *request) (core.Stocktake, error) {
	p, err := s.svc.DeskStocktake(q.ctx(), q.actor(), q.r.PathValue("id"))
	if err != nil {
		return core.Stocktake{}, err
	}
	if p.Act == nil {
		return core.Stocktake{}, &core.Error{Reason: reasonStocktakeStillOpen}
	}
	return p.Stocktake, nil
}

// reasonStocktakeStillOpen: the act of a stocktaking still open was asked
// for.
const reasonStocktakeStillOpen core.Reason = "stocktake_still_open"

func (s *Server) inventoryActPage(q *request) error {
	st, err := s.inventoryAct(q)
	if err != nil {
		return err
	}
	a := st.Act
	d := inventoryData{Act: a, Stocktake: st, LibraryName: s.libraryName(a.Library), Drawn: lvDate(a.To), From: lvDate(a.From),
		To: lvDate(a.To), MissingValue: lvMoney(a.MissingTally.Value), MissingInWords: lvAmountInWords(a.MissingTally.Value),
		StartValue: lvMoney(a.StartValue), LossNorm: lvMoney(a.LossNorm), Missing: actRows(a.Missing), OnLoan: actRows(a.OnLoan),
		InTransit: actRows(a.InTransit), OnLoanCount: len(a.OnLoan)}
	for i, b := range a.NoRecord {
		d.NoRecord = append(d.NoRecord, actCopyRow{N: i + 1, ID: b})
	}
	if over := a.MissingOverNorm(); over > 0 {
		d.Over = lvMoney(over)
	}
	if !a.Approved.IsZero() {
		d.Approved = lvDate(a.Approved)
	} else {
		d.CanApprove, d.ApproverName = core.Permit(q.staff, core.ActInventoryApprove, a.Library) == nil, q.staff.Name
	}
	s.render(q, http.StatusOK, "acct_inventory", "Bibliotēkas krājuma inventarizācijas akts Nr. "+a.Number.String(), d)
	return nil
}

// inventoryActCSV writes the act's lists, one copy a line, then its
// totals: the columns of `bibgate accounting stocktake act --csv`.
func (s *Server) inventoryActCSV(q *request) error {
	st, err := s.inventoryAct(q)
	if err != nil {
		return err
	}
	a := st.Act
	w := s.csvWriter(q, "inventarizacijas-akts-"+fileNumber(a.Number)+".csv")
	_ = w.Write([]string{"akts", "sadaļa", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts", "plaukta_indekss",
		"izdevuma_tips", "vērtība_eur"})
	act := a.Number.String()
	rows := func(section string, cs []core.ActCopy) {
		for i, c := range cs {
			_ = w.Write([]string{act, section, strconv.Itoa(i + 1), c.InventoryNumber, c.ID, describeCopy(c), c.CallNumber,
				accounting.TypeOfMaterial(c.Material).String(), c.Value.String()})
		}
	}
	rows("trūkst", a.Missing)
	rows("nav_atdoti", a.OnLoan)
	rows("pārvietošanā", a.InTransit)
	for i, b := range a.NoRecord {
		_ = w.Write([]string{act, "neuzskaitīti", strconv.Itoa(i + 1), "", b, "", "", "", ""})
	}
	for _, t := range []struct {
		name  string
		tally core.Tally
	}{{"kopā_uzskaitīti", a.Expected}, {"kopā_atrodas", a.Found}, {"kopā_trūkst", a.MissingTally}, {"kopā_nav_atdoti", a.OnLoanTally}} {
		_ = w.Write([]string{act, t.name, strconv.Itoa(t.tally.Copies()), "", "", "", "", "", t.tally.Value.String()})
	}
	_ = w.Write([]string{act, "vērtība_gada_sākumā", "", "", "", "", "", "", a.StartValue.String()})
	_ = w.Write([]string{act, "norma_0,3%", "", "", "", "", "", "", a.LossNorm.String()})
	w.Flush()
	return w.Error()
}

// --- write-off acts (annex 7) ---

type writeOffRow struct {
	core.WriteOffAct
	LibraryName, Number, Paragraph, Value string
}

type writeOffsData struct {
	Rows       []writeOffRow
	Libraries  []core.Library
	Library    string
	Reasons    []accounting.Reason
	Stocktakes []core.Stocktake
	Form       writeOffForm
	Error      string
}

type writeOffForm struct {
	Library, Reason, Stocktake, Barcodes, Chair, Members, Disposal string
}

func (s *Server) writeOffsPage(q *request) error {
	return s.showWriteOffs(q, http.StatusOK, writeOffForm{Library: q.staff.Library, Stocktake: q.r.URL.Query().Get("stocktake")}, "")
}

func (s *Server) showWriteOffs(q *request, status int, f writeOffForm, errText string) error {
	list, err := s.svc.DeskWriteOffs(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	sts, err := s.svc.DeskStocktakes(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	d := writeOffsData{Libraries: s.accountingLibraries(q.staff), Library: q.staff.Library, Reasons: accounting.Reasons(), Form: f,
		Error: errText}
	for i := len(sts) - 1; i >= 0; i-- {
		if sts[i].Act != nil && len(sts[i].Act.Missing) > 0 {
			d.Stocktakes = append(d.Stocktakes, sts[i])
		}
	}
	for i := len(list) - 1; i >= 0; i-- {
		a := list[i]
		d.Rows = append(d.Rows, writeOffRow{WriteOffAct: a, LibraryName: s.libraryName(a.Library), Number: a.Number.String(),
			Paragraph: a.ReasonText().Paragraph, Value: a.Tally.Value.String()})
	}
	s.render(q, status, "acct_writeoffs", "", d)
	return nil
}

func (s *Server) draftWriteOff(q *request) error {
	pf := q.r.PostForm
	f := writeOffForm{Library: pf.Get("library"), Reason: pf.Get("reason"), Stocktake: strings.TrimSpace(pf.Get("stocktake")),
		Barcodes: pf.Get("barcodes"), Chair: strings.TrimSpace(pf.Get("chair")), Members: pf.Get("members"),
		Disposal: strings.TrimSpace(pf.Get("disposal"))}
	req := core.WriteOffRequest{Library: f.Library, Reason: f.Reason, FromStocktake: f.Stocktake, Disposal: f.Disposal,
		Commission: core.Commission{Chair: f.Chair, Members: lines(f.Members)}}
	if f.Stocktake == "" {
		req.Items = lines(f.Barcodes)
	}
	again := func(key string) error {
		return s.showWriteOffs(q, http.StatusUnprocessableEntity, f, tr(q.lang, key))
	}
	if _, ok := accounting.ReasonByCode(f.Reason); !ok {
		return again("acct_need_reason")
	}
	if f.Chair == "" {
		return again("acct_need_chair")
	}
	if f.Stocktake == "" && len(req.Items) == 0 {
		return again("acct_need_copies")
	}
	act, err := s.svc.DeskDraftWriteOff(q.ctx(), q.actor(), req)
	if err != nil {
		r := core.ReasonOf(err)
		if r == "" || r == core.ReasonNoSession || r == core.ReasonForbidden {
			return err
		}
		// The core says which copy it refuses (on loan, written off
		// already, another library's): the form keeps what was typed.
		msg := reasonText(r, q.lang)
		var ce *core.Error
		if errors.As(err, &ce) && ce.Detail != "" {
			msg += " (" + ce.Detail + ")"
		}
		return s.showWriteOffs(q, http.StatusUnprocessableEntity, f, msg)
	}
	return s.done(q, writeOffPath(act.ID), "ok_writeoff_drafted")
}

func (s *Server) writeOffsCSV(q *request) error {
	list, err := s.svc.DeskWriteOffs(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	w := s.csvWriter(q, "norakstisanas-akti.csv")
	_ = w.Write([]string{"id", "bibliotēka", "akts", "datums", "apstiprināja", "iemesls", "eksemplāri", "vērtība_eur"})
	for _, a := range list {
		date := ""
		if !a.Approved.IsZero() {
			date = a.Approved.Format(time.DateOnly)
		}
		_ = w.Write([]string{a.ID, a.Library, a.Number.String(), date, a.ApprovedBy, a.ReasonText().Paragraph,
			strconv.Itoa(a.Tally.Copies()), a.Tally.Value.String()})
	}
	w.Flush()
	return w.Error()
}

type writeOffData struct {
	Act                   core.WriteOffAct
	Number                string
	LibraryName           string
	Approved, Drafted     string
	Kinds                 string
	Reason                accounting.Reason
	ReasonPoint           string
	Books, BooksValue     string
	Serials, SerialsValue string
	Others, OthersValue   string
	Total, TotalValue     string
	TotalInWords          string
	Copies                []actCopyRow
	CanApprove            bool
	ApproverName          string
}

func (s *Server) writeOffPage(q *request) error {
	a, err := s.svc.DeskWriteOff(q.ctx(), q.actor(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	num := a.Number.String()
	d := writeOffData{Act: a, Number: num, LibraryName: s.libraryName(a.Library), Drafted: lvDate(a.Drafted), Reason: a.ReasonText(),
		Copies: actRows(a.Copies), TotalValue: lvMoney(a.Tally.Value), TotalInWords: lvAmountInWords(a.Tally.Value),
		Total: strconv.Itoa(a.Tally.Copies()), ApproverName: q.staff.Name}
	d.ReasonPoint = strings.TrimPrefix(d.Reason.Paragraph, "33.")
	if !a.Approved.IsZero() {
		d.Approved = lvDate(a.Approved)
	} else {
		d.CanApprove = core.Permit(q.staff, core.ActWriteOffApprove, a.Library) == nil
	}
	var books, serials, others int
	var booksV, serialsV, othersV core.Money
	for _, c := range a.Copies {
		switch accounting.TypeOfMaterial(c.Material) {
		case accounting.Books:
			books, booksV = books+1, booksV+c.Value
		case accounting.Serials:
			serials, serialsV = serials+1, serialsV+c.Value
		default:
			others, othersV = others+1, othersV+c.Value
		}
	}
	d.Kinds = writtenOffKinds(a.Copies)
	d.Books, d.BooksValue = strconv.Itoa(books), lvMoney(booksV)
	d.Serials, d.SerialsValue = strconv.Itoa(serials), lvMoney(serialsV)
	d.Others, d.OthersValue = strconv.Itoa(others), lvMoney(othersV)
	title := "Norakstīšanas akts Nr. " + num
	if num == "" {
		title = "Norakstīšanas akts Nr. ___ (projekts " + a.ID + ")"
	}
	s.render(q, http.StatusOK, "acct_writeoff", title, d)
	return nil
}

func (s *Server) approveWriteOff(q *request) error {
	id := q.r.PathValue("id")
	by := strings.TrimSpace(q.r.PostForm.Get("approved_by"))
	if by == "" {
		return s.refused(q, writeOffPath(id), &core.Error{Reason: reasonApproverMissing})
	}
	if _, err := s.svc.DeskApproveWriteOff(q.ctx(), q.actor(), id, by); err != nil {
		return s.refused(q, writeOffPath(id), err)
	}
	return s.done(q, writeOffPath(id), "ok_writeoff_approved")
}

// writtenOffKinds names the kinds of documents on a write-off act as its
// sentence takes them ("aktu par grāmatu un žurnālu norakstīšanu").
func writtenOffKinds(cs []core.ActCopy) string {
	names := map[accounting.DocType]string{accounting.Books: "grāmatu", accounting.Serials: "žurnālu",
		accounting.Audiovisual: "audiovizuālo dokumentu", accounting.OtherType: "citu dokumentu"}
	has := map[accounting.DocType]bool{}
	for _, c := range cs {
		has[accounting.TypeOfMaterial(c.Material)] = true
	}
	var kinds []string
	for _, t := range accounting.Types() {
		if has[t] {
			kinds = append(kinds, names[t])
		}
	}
	switch len(kinds) {
	case 0:
		return "iespieddarbu un citu dokumentu"
	case 1:
		return kinds[0]
	}
	return strings.Join(kinds[:len(kinds)-1], ", ") + " un " + kinds[len(kinds)-1]
}

// reasonApproverMissing: a write-off act is approved by a named person
// (§36).
const reasonApproverMissing core.Reason = "approver_missing"

// writeOffCSV writes the act's list: the columns of `bibgate accounting
// writeoff act --csv`.
func (s *Server) writeOffCSV(q *request) error {
	a, err := s.svc.DeskWriteOff(q.ctx(), q.actor(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	num := a.Number.String()
	if num == "" {
		num = a.ID
	}
	w := s.csvWriter(q, "norakstisanas-akts-"+strings.ReplaceAll(num, "/", "-")+".csv")
	_ = w.Write([]string{"akts", "datums", "iemesls", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts",
		"izdevuma_tips", "daudzums", "vērtība_eur"})
	date := ""
	if !a.Approved.IsZero() {
		date = a.Approved.Format(time.DateOnly)
	}
	p := a.ReasonText().Paragraph
	for i, c := range a.Copies {
		_ = w.Write([]string{num, date, p, strconv.Itoa(i + 1), c.InventoryNumber, c.ID, describeCopy(c),
			accounting.TypeOfMaterial(c.Material).String(), "1", c.Value.String()})
	}
	_ = w.Write([]string{num, date, p, "kopā", "", "", "", "", strconv.Itoa(a.Tally.Copies()), a.Tally.Value.String()})
	w.Flush()
	return w.Error()
}

// --- the summary register (annex 5) ---

type registerCells struct {
	Label                       string
	Copies                      int
	ByType, ByLanguage, ByClass []int
	OnCopies, OffCopies         int
	OnSum, OffSum               string
}

func cellsOf(label string, r accounting.Row) registerCells {
	c := registerCells{Label: label, Copies: r.Total.Copies, OnCopies: r.OnBalance.Copies, OnSum: lvMoney(r.OnBalance.Sum),
		OffCopies: r.OffBalance.Copies, OffSum: lvMoney(r.OffBalance.Sum)}
	for _, t := range accounting.Types() {
		c.ByType = append(c.ByType, r.ByType[t].Copies)
	}
	for _, l := range accounting.Languages() {
		c.ByLanguage = append(c.ByLanguage, r.ByLanguage[l].Copies)
	}
	for _, k := range accounting.Classes() {
		c.ByClass = append(c.ByClass, r.ByClass[k].Copies)
	}
	return c
}

// udcHeading is a UDC column's heading and, for its title, the class's
// name.
type udcHeading struct{ Heading, Name string }

type receivedRow struct {
	Date, Number, Source, Document string
	Titles                         int
	registerCells
}

type writtenOffRow struct {
	Date, Number, Act, Reason string
	registerCells
}

type registerBookData struct {
	Book        core.RegisterBook
	LibraryName string
	Library     string
	Year        int
	Libraries   []core.Library
	// AllLibraries: the staff member may see every library's register.
	AllLibraries bool
	Types        []string
	Languages    []string
	Classes      []udcHeading
	// Part1Cols and Part2Cols are how many columns parts 1 and 2 have.
	Part1Cols, Part2Cols int
	Received             []receivedRow
	WrittenOff           []writtenOffRow
	Summary              []registerCells
}

// registerQuery reads ?library= and ?year= (default: this year).
func (s *Server) registerQuery(q *request) (string, int, error) {
	year := s.svc.Now().Year()
	if y := strings.TrimSpace(q.r.URL.Query().Get("year")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 9999 {
			return "", 0, badRequest()
		}
		year = n
	}
	return libraryParam(q), year, nil
}

func (s *Server) registerBook(q *request) (registerBookData, error) {
	library, year, err := s.registerQuery(q)
	if err != nil {
		return registerBookData{}, err
	}
	book, err := s.svc.DeskSummaryRegister(q.ctx(), q.actor(), library, year, s.records)
	if err != nil {
		return registerBookData{}, err
	}
	d := registerBookData{Book: book, Library: book.Library, Year: year, Libraries: s.accountingLibraries(q.staff),
		LibraryName: "visas bibliotēkas", AllLibraries: q.staff.Has(core.RoleConsortiumAdmin)}
	if book.Library != "" {
		d.LibraryName = s.libraryName(book.Library)
	}
	for _, t := range accounting.Types() {
		d.Types = append(d.Types, t.Latvian())
	}
	for _, l := range accounting.Languages() {
		d.Languages = append(d.Languages, l.Latvian())
	}
	for _, k := range accounting.Classes() {
		d.Classes = append(d.Classes, udcHeading{k.Latvian(), k.Name()})
	}
	d.Part1Cols = 10 + len(d.Types) + len(d.Languages) + len(d.Classes)
	d.Part2Cols = 7 + len(d.Types) + len(d.Languages) + len(d.Classes)
	for _, e := range book.Received {
		d.Received = append(d.Received, receivedRow{Date: e.Date.Format("02.01.2006"), Number: e.Number, Source: e.Source,
			Document: e.Document, Titles: e.Titles, registerCells: cellsOf("", e.Row)})
	}
	for _, e := range book.WrittenOff {
		d.WrittenOff = append(d.WrittenOff, writtenOffRow{Date: e.Date.Format("02.01.2006"), Number: strconv.Itoa(e.Number),
			Act: e.Act + ", " + e.ActDate.Format("02.01.2006"), Reason: e.Reason.Paragraph + " " + e.Reason.Latvian,
			registerCells: cellsOf("", e.Row)})
	}
	sum := book.Summary
	d.Summary = []registerCells{
		cellsOf(fmt.Sprintf("Krājumā uz %d.g. 1.janvāri", sum.Year), sum.Start),
		cellsOf("Gada laikā saņemtie iespieddarbi un citi dokumenti", sum.Received),
		cellsOf("Gada laikā norakstītie iespieddarbi un citi dokumenti", sum.WrittenOff),
		cellsOf("Iespieddarbi un citi dokumenti uz gada beigām", sum.End),
	}
	return d, nil
}

func (s *Server) registerBookPage(q *request) error {
	d, err := s.registerBook(q)
	if err != nil {
		return err
	}
	s.render(q, http.StatusOK, "acct_register", fmt.Sprintf("Summārās uzskaites grāmata, %d", d.Year), d)
	return nil
}

// registerBookCSV writes the three parts one after the other, each line
// led by its part's number.
func (s *Server) registerBookCSV(q *request) error {
	d, err := s.registerBook(q)
	if err != nil {
		return err
	}
	lib := d.Library
	if lib == "" {
		lib = "visas"
	}
	w := s.csvWriter(q, fmt.Sprintf("summara-uzskaite-%s-%d.csv", lib, d.Year))
	cells := func(r accounting.Row) []string {
		out := []string{strconv.Itoa(r.Total.Copies)}
		for _, t := range accounting.Types() {
			out = append(out, strconv.Itoa(r.ByType[t].Copies))
		}
		for _, l := range accounting.Languages() {
			out = append(out, strconv.Itoa(r.ByLanguage[l].Copies))
		}
		for _, k := range accounting.Classes() {
			out = append(out, strconv.Itoa(r.ByClass[k].Copies))
		}
		return append(out, strconv.Itoa(r.OnBalance.Copies), r.OnBalance.Sum.String(), strconv.Itoa(r.OffBalance.Copies),
			r.OffBalance.Sum.String())
	}
	head := []string{"eksemplāri"}
	for _, t := range accounting.Types() {
		head = append(head, t.String())
	}
	for _, l := range accounting.Languages() {
		head = append(head, "valoda_"+l.String())
	}
	for _, k := range accounting.Classes() {
		head = append(head, "udk_"+k.String())
	}
	head = append(head, "bilancē_eks", "bilancē_eur", "ārpus_bilances_eks", "ārpus_bilances_eur")
	_ = w.Write(append([]string{"daļa", "ieraksta_datums", "ieraksta_nr", "komplektēšanas_avots_vai_akts", "pavaddokuments_vai_iemesls",
		"nosaukumi"}, head...))
	for _, e := range d.Book.Received {
		_ = w.Write(append([]string{"1", e.Date.Format(time.DateOnly), e.Number, e.Source, e.Document, strconv.Itoa(e.Titles)},
			cells(e.Row)...))
	}
	for _, e := range d.Book.WrittenOff {
		_ = w.Write(append([]string{"2", e.Date.Format(time.DateOnly), strconv.Itoa(e.Number), e.Act + " " + e.ActDate.Format(time.DateOnly),
			e.Reason.Paragraph, ""}, cells(e.Row)...))
	}
	sum := d.Book.Summary
	for i, r := range []accounting.Row{sum.Start, sum.Received, sum.WrittenOff, sum.End} {
		_ = w.Write(append([]string{"3", "", "", d.Summary[i].Label, "", ""}, cells(r)...))
	}
	w.Flush()
	return w.Error()
}

// --- shared ---

// csvWriter starts a CSV download: UTF-8 with a byte order mark, so that
// a spreadsheet opens the Latvian letters right.
func (s *Server) csvWriter(q *request, filename string) *csv.Writer {
	h := q.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	q.w.WriteHeader(http.StatusOK)
	_, _ = q.w.Write([]byte("\ufeff"))
	return csv.NewWriter(q.w)
}

func fileNumber(n accounting.Number) string { return strings.ReplaceAll(n.String(), "/", "-") }
