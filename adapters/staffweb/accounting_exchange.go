package staffweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
)

// The exchange collection (§38–40) and its transfer acts, and a copy's
// individual record (annex 4) with its history: pages to print and CSV.

func (s *Server) exchangeRoutes() {
	s.handle("GET /accounting/exchange", s.exchangePage)
	s.handle("GET /accounting/exchange/csv", s.exchangeCSV)
	s.handle("POST /accounting/exchange/transfer", s.transferExchange)
	s.handle("GET /accounting/exchange/{id}", s.transferPage)
	s.handle("GET /accounting/exchange/{id}/csv", s.transferCSV)
}

func transferPath(id string) string { return "/accounting/exchange/" + url.PathEscape(id) }

type exchangeRow struct {
	core.ExchangeCopy
	N                          int
	Description, Type, Value   string
	Since, LibraryName, Picked string
}

type transferRow struct {
	core.ExchangeTransfer
	LibraryName, Number, Value, Date string
}

type transferForm struct {
	Library, Recipient, RecipientID, Chair, Members, ApprovedBy string
	Items                                                       []string
}

type exchangeData struct {
	Copies      []exchangeRow
	Total       string
	Acts        []transferRow
	Libraries   []core.Library
	Form        transferForm
	CanTransfer bool
	Error       string
}

func (s *Server) exchangePage(q *request) error {
	return s.showExchange(q, http.StatusOK, transferForm{Library: q.staff.Library, ApprovedBy: q.staff.Name}, "")
}

func (s *Server) showExchange(q *request, status int, f transferForm, errText string) error {
	list, err := s.svc.DeskExchangeCollection(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	acts, err := s.svc.DeskExchangeTransfers(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	picked := map[string]bool{}
	for _, id := range f.Items {
		picked[id] = true
	}
	d := exchangeData{Libraries: s.accountingLibraries(q.staff), Form: f, Error: errText,
		CanTransfer: core.Permit(q.staff, core.ActExchangeTransfer, q.staff.Library) == nil}
	var total core.Money
	for i, e := range list {
		total += e.Value
		r := exchangeRow{ExchangeCopy: e, N: i + 1, Description: describeCopy(e.ActCopy), Type: accounting.TypeOfMaterial(e.Material).Latvian(),
			Value: lvMoney(e.Value), Since: e.Since.Format("02.01.2006"), LibraryName: s.libraryName(e.Library)}
		if picked[e.ID] {
			r.Picked = "checked"
		}
		d.Copies = append(d.Copies, r)
	}
	d.Total = lvMoney(total)
	for i := len(acts) - 1; i >= 0; i-- {
		a := acts[i]
		d.Acts = append(d.Acts, transferRow{ExchangeTransfer: a, LibraryName: s.libraryName(a.Library), Number: a.Number.String(),
			Value: a.Tally.Value.String(), Date: a.Date.Format(time.DateOnly)})
	}
	s.render(q, status, "acct_exchange", "", d)
	return nil
}

func (s *Server) exchangeCSV(q *request) error {
	list, err := s.svc.DeskExchangeCollection(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	w := s.csvWriter(q, "apmainas-krajums.csv")
	_ = w.Write([]string{"bibliotēka", "inventāra_numurs", "svītrkods", "izdevuma_apraksts", "izdevuma_tips", "vērtība_eur",
		"norakstīšanas_akts", "datums"})
	for _, e := range list {
		_ = w.Write([]string{e.Library, e.InventoryNumber, e.ID, describeCopy(e.ActCopy), accounting.TypeOfMaterial(e.Material).String(),
			e.Value.String(), e.WriteOffAct, e.Since.Format(time.DateOnly)})
	}
	w.Flush()
	return w.Error()
}

func (s *Server) transferExchange(q *request) error {
	pf := q.r.PostForm
	f := transferForm{Library: pf.Get("library"), Recipient: strings.TrimSpace(pf.Get("recipient")),
		RecipientID: strings.TrimSpace(pf.Get("recipient_id")), Chair: strings.TrimSpace(pf.Get("chair")), Members: pf.Get("members"),
		ApprovedBy: strings.TrimSpace(pf.Get("approved_by")), Items: pf["item"]}
	f.Items = append(f.Items, lines(pf.Get("barcodes"))...)
	again := func(key string) error { return s.showExchange(q, http.StatusUnprocessableEntity, f, tr(q.lang, key)) }
	switch {
	case f.Recipient == "":
		return again("acct_need_recipient")
	case f.ApprovedBy == "":
		return again("reason_approver_missing")
	case len(f.Items) == 0:
		return again("acct_need_items")
	}
	act, err := s.svc.DeskTransferExchange(q.ctx(), q.actor(), core.ExchangeTransferRequest{Library: f.Library, Recipient: f.Recipient,
		RecipientID: f.RecipientID, Items: f.Items, ApprovedBy: f.ApprovedBy,
		Commission: core.Commission{Chair: f.Chair, Members: lines(f.Members)}})
	if err != nil {
		r := core.ReasonOf(err)
		if r == "" || r == core.ReasonNoSession || r == core.ReasonForbidden {
			return err
		}
		return s.showExchange(q, http.StatusUnprocessableEntity, f, refusalText(err, q.lang))
	}
	return s.done(q, transferPath(act.ID), "ok_exchange_transferred")
}

type transferData struct {
	Act                      core.ExchangeTransfer
	Number, LibraryName      string
	Date, To                 string
	Total, TotalValue, Words string
	Copies                   []actCopyRow
}

func (s *Server) transferPage(q *request) error {
	a, err := s.svc.DeskExchangeTransfer(q.ctx(), q.actor(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := transferData{Act: a, Number: a.Number.String(), LibraryName: s.libraryName(a.Library), Date: lvDate(a.Date), To: a.Recipient,
		Total: strconv.Itoa(a.Tally.Copies()), TotalValue: lvMoney(a.Tally.Value), Words: lvAmountInWords(a.Tally.Value),
		Copies: actRows(a.Copies)}
	if a.RecipientID != "" {
		d.To += " (reģ. Nr. " + a.RecipientID + ")"
	}
	s.render(q, http.StatusOK, "acct_transfer", "Nodošanas akts Nr. "+d.Number, d)
	return nil
}

// transferCSV: the columns of `bibgate accounting exchange act --csv`.
func (s *Server) transferCSV(q *request) error {
	a, err := s.svc.DeskExchangeTransfer(q.ctx(), q.actor(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	w := s.csvWriter(q, "nodosanas-akts-"+fileNumber(a.Number)+".csv")
	_ = w.Write([]string{"akts", "datums", "saņēmējs", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts", "izdevuma_tips",
		"daudzums", "vērtība_eur"})
	num, date := a.Number.String(), a.Date.Format(time.DateOnly)
	for i, c := range a.Copies {
		_ = w.Write([]string{num, date, a.Recipient, strconv.Itoa(i + 1), c.InventoryNumber, c.ID, describeCopy(c),
			accounting.TypeOfMaterial(c.Material).String(), "1", c.Value.String()})
	}
	_ = w.Write([]string{num, date, a.Recipient, "kopā", "", "", "", "", strconv.Itoa(a.Tally.Copies()), a.Tally.Value.String()})
	w.Flush()
	return w.Error()
}

// --- a copy's individual record (annex 4) and history ---

// recordColumns are annex 4's twelve columns.
var recordColumns = []string{"Ieraksta datums", "Inventāra numurs", "Svītrkods", "Izdevuma apraksts (pilns vai daļējs)",
	"Izdevuma tips", "Struktūrvienība (izdevuma glabātāja)", "Plaukta indekss", "Vērtība",
	"Ieraksta numurs summārās uzskaites grāmatā", "Krājuma kustības numurs", "Atzīmes par krājuma inventarizāciju",
	"Norakstīšanas akta numurs, datums"}

// historyEvents name the events of a copy's history in Latvian.
var historyEvents = map[core.HistoryEvent]string{
	core.HistoryReceived:         "saņemts krājumā",
	core.HistoryMoved:            "pārvietots",
	core.HistoryStocktaking:      "inventarizācija",
	core.HistoryWrittenOff:       "norakstīts",
	core.HistoryExchangeTransfer: "nodots no apmaiņas krājuma",
}

type historyRow struct {
	Seq                                              int
	Date, Event, Library, CallNo, Value, Act, Detail string
	By                                               string
}

type copyRecordData struct {
	Record  core.CopyRecord
	Fields  []string
	Columns []string
	ColNums []int
	History []historyRow
}

// recordFields are a copy's values in annex 4's columns.
func (s *Server) recordFields(it *core.Item) []string {
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("02.01.2006")
	}
	wo := it.WriteOffAct
	if !it.WriteOffDate.IsZero() {
		wo += ", " + date(it.WriteOffDate)
	}
	return []string{date(it.Entered), it.InventoryNumber, it.ID,
		describeCopy(core.ActCopy{Title: it.Title, Author: it.Author}), accounting.TypeOfMaterial(it.Material).Latvian(),
		s.libraryName(it.Library), it.CallNumber, lvMoney(it.Value), it.SummaryRegisterNo, it.MovementNo, it.Stocktaking, wo}
}

func (s *Server) historyRows(h []core.HistoryEntry) []historyRow {
	out := make([]historyRow, len(h))
	for i, e := range h {
		lib := s.libraryName(e.Library)
		if e.From != "" {
			lib = s.libraryName(e.From) + " → " + lib
		}
		ev := historyEvents[e.Event]
		if ev == "" {
			ev = string(e.Event)
		}
		out[i] = historyRow{Seq: e.Seq, Date: e.At.Format("02.01.2006"), Event: ev, Library: lib, CallNo: e.CallNumber,
			Value: lvMoney(e.Value), Act: e.Act, Detail: e.Detail, By: e.By}
	}
	return out
}

func (s *Server) copyRecordPage(q *request) error {
	rec, err := s.svc.DeskCopyRecord(q.ctx(), q.actor(), q.r.PathValue("barcode"))
	if err != nil {
		return err
	}
	d := copyRecordData{Record: rec, Fields: s.recordFields(&rec.Item), Columns: recordColumns, History: s.historyRows(rec.History)}
	for i := range recordColumns {
		d.ColNums = append(d.ColNums, i+1)
	}
	s.render(q, http.StatusOK, "acct_copy", "Individuālā uzskaite: "+rec.Item.ID, d)
	return nil
}

// copyRecordCSV writes the record (annex 4's columns) on one line, then
// the history, one event a line under its own header line: the columns of
// `bibgate accounting history --csv` after the section's name. Every line
// has the record's thirteen fields, so that a spreadsheet reads it whole.
func (s *Server) copyRecordCSV(q *request) error {
	rec, err := s.svc.DeskCopyRecord(q.ctx(), q.actor(), q.r.PathValue("barcode"))
	if err != nil {
		return err
	}
	w := s.csvWriter(q, "individuala-uzskaite-"+strings.ReplaceAll(rec.Item.ID, "/", "-")+".csv")
	_ = w.Write(append([]string{"sadaļa"}, recordColumns...))
	_ = w.Write(append([]string{"ieraksts"}, s.recordFields(&rec.Item)...))
	pad := func(r []string) []string { return append(r, make([]string, 1+len(recordColumns)-len(r))...) }
	_ = w.Write(pad([]string{"sadaļa", "nr", "datums", "notikums", "struktūrvienība", "plaukta_indekss", "vērtība_eur", "akts",
		"piezīmes", "apstiprināja"}))
	for _, e := range rec.History {
		lib := e.Library
		if e.From != "" {
			lib = e.From + " -> " + e.Library
		}
		act := e.Act
		if act != "" && e.Kind != "" {
			act = e.Kind + " " + act
		}
		_ = w.Write(pad([]string{"vēsture", strconv.Itoa(e.Seq), e.At.Format(time.DateOnly), string(e.Event), lib, e.CallNumber,
			e.Value.String(), act, e.Detail, e.By}))
	}
	w.Flush()
	return w.Error()
}
