package staffweb

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/adapters/csvio"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
	"github.com/bibgate/bibgate/core/policy"
)

// Receipts (Regulation No. 317 §13–14, annexes 1–3): the list, the draft
// form (the copies as rows of the form or as a pasted CSV list, the
// columns of `bibgate accounting receipt draft --copies`), the act in its
// annex's layout, its approval by a named person and its CSV. Like the
// other acts (accounting.go), the act is in Latvian whatever the
// console's language.

func (s *Server) receiptRoutes() {
	s.handle("GET /accounting/receipts", s.receiptsPage)
	s.handle("GET /accounting/receipts/csv", s.receiptsCSV)
	s.handle("POST /accounting/receipts", s.draftReceipt)
	s.handle("GET /accounting/receipts/{id}", s.receiptPage)
	s.handle("GET /accounting/receipts/{id}/csv", s.receiptCSV)
	s.handle("POST /accounting/receipts/{id}/approve", s.approveReceipt)
	s.exchangeRoutes()
	s.handle("GET /accounting/copies/{barcode}", s.copyRecordPage)
	s.handle("GET /accounting/copies/{barcode}/csv", s.copyRecordCSV)
	s.handle("POST /accounting/stocktakes/{id}/act/approve", s.approveInventoryAct)
}

func receiptPath(id string) string { return "/accounting/receipts/" + url.PathEscape(id) }

// receiptFormRows is how many copy rows the draft form offers (more go in
// the pasted CSV).
const receiptFormRows = 5

// receiptTitles are the annexes' headings, verbatim.
var receiptTitles = map[core.ReceiptKind]string{
	core.ReceiptDiscrepancy: "par saņemto iespieddarbu un citu dokumentu skaita neatbilstību pavaddokumentam",
	core.ReceiptNoDocument:  "par iespieddarbu un citu dokumentu saņemšanu bez pavaddokumentiem",
	core.ReceiptReplacement: "par iespieddarbu un citu dokumentu pieņemšanu, kuri saņemti no bibliotēkas lietotājiem nozaudēto vietā",
}

// receiptMaterials are the material choices of a copy row.
var receiptMaterials = []string{policy.MaterialBook, policy.MaterialMagazine, policy.MaterialAudio, policy.MaterialKit,
	policy.MaterialReference, policy.MaterialOther}

type receiptRow struct {
	core.ReceiptAct
	LibraryName, Number, Entry, Value, KindText string
}

// receiptCopyForm is one copy row of the draft form.
type receiptCopyForm struct {
	Barcode, Inventory, Record, Title, Author, CallNo, Material, Value, Replaces string
}

type receiptForm struct {
	Library, Kind, Supplier, Source, Delivery, DocName, DocNumber, DocDate, DocCopies, DocValue string
	Findings, Chair, Members, CSV                                                               string
	Rows                                                                                        []receiptCopyForm
}

type receiptsData struct {
	Rows      []receiptRow
	Libraries []core.Library
	Kinds     []core.ReceiptKind
	Materials []string
	Form      receiptForm
	Error     string
}

func (s *Server) receiptsPage(q *request) error {
	return s.showReceipts(q, http.StatusOK, receiptForm{Library: q.staff.Library, Kind: string(core.ReceiptNoDocument),
		DocName: "pavadzīme"}, "")
}

func (s *Server) showReceipts(q *request, status int, f receiptForm, errText string) error {
	list, err := s.svc.DeskReceipts(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	for len(f.Rows) < receiptFormRows {
		f.Rows = append(f.Rows, receiptCopyForm{Material: policy.MaterialBook})
	}
	d := receiptsData{Libraries: s.accountingLibraries(q.staff), Kinds: core.ReceiptKinds(), Materials: receiptMaterials, Form: f,
		Error: errText}
	for i := len(list) - 1; i >= 0; i-- { // newest first
		a := list[i]
		d.Rows = append(d.Rows, receiptRow{ReceiptAct: a, LibraryName: s.libraryName(a.Library), Number: a.Number.String(),
			Entry: a.Entry.String(), Value: a.Tally.Total.Sum.String(), KindText: tr(q.lang, "acct_kind_"+string(a.Kind))})
	}
	s.render(q, status, "acct_receipts", "", d)
	return nil
}

// receiptFormOf reads the draft form as it was typed.
func receiptFormOf(pf url.Values) receiptForm {
	f := receiptForm{Library: pf.Get("library"), Kind: pf.Get("kind"), Supplier: strings.TrimSpace(pf.Get("supplier")),
		Source: strings.TrimSpace(pf.Get("source")), Delivery: strings.TrimSpace(pf.Get("delivery")),
		DocName: strings.TrimSpace(pf.Get("doc_name")), DocNumber: strings.TrimSpace(pf.Get("doc_number")),
		DocDate: strings.TrimSpace(pf.Get("doc_date")), DocCopies: strings.TrimSpace(pf.Get("doc_copies")),
		DocValue: strings.TrimSpace(pf.Get("doc_value")), Findings: strings.TrimSpace(pf.Get("findings")),
		Chair: strings.TrimSpace(pf.Get("chair")), Members: pf.Get("members"), CSV: pf.Get("copies_csv")}
	col := func(name string, i int) string {
		if v := pf[name]; i < len(v) {
			return strings.TrimSpace(v[i])
		}
		return ""
	}
	for i := range min(len(pf["c_barcode"]), 200) {
		f.Rows = append(f.Rows, receiptCopyForm{Barcode: col("c_barcode", i), Inventory: col("c_inventory", i),
			Record: col("c_record", i), Title: col("c_title", i), Author: col("c_author", i), CallNo: col("c_callno", i),
			Material: col("c_material", i), Value: col("c_value", i), Replaces: col("c_replaces", i)})
	}
	return f
}

// receiptRequest turns the form into a draft request; the key of the
// message for what is wrong with it, or the CSV list's own errors.
func (s *Server) receiptRequest(f receiptForm, lang string) (core.ReceiptRequest, string) {
	req := core.ReceiptRequest{Kind: core.ReceiptKind(f.Kind), Library: f.Library, Supplier: f.Supplier, Source: f.Source,
		Delivery: f.Delivery, Findings: f.Findings, Commission: core.Commission{Chair: f.Chair, Members: lines(f.Members)}}
	if !slices.Contains(core.ReceiptKinds(), req.Kind) {
		return req, tr(lang, "acct_need_kind")
	}
	if f.Chair == "" && req.Kind != core.ReceiptDocument {
		return req, tr(lang, "acct_need_chair")
	}
	if f.DocNumber != "" && (req.Kind == core.ReceiptDocument || req.Kind == core.ReceiptDiscrepancy) {
		d := &core.AccompanyingDocument{Name: f.DocName, Number: f.DocNumber}
		if f.DocDate != "" {
			t, err := time.Parse(time.DateOnly, f.DocDate)
			if err != nil {
				return req, tr(lang, "acct_bad_doc")
			}
			d.Date = t
		}
		if f.DocCopies != "" {
			n, err := strconv.Atoi(f.DocCopies)
			if err != nil || n < 0 {
				return req, tr(lang, "acct_bad_doc")
			}
			d.Copies = n
		}
		if f.DocValue != "" {
			v, ok := parseMoney(f.DocValue)
			if !ok {
				return req, tr(lang, "acct_bad_doc")
			}
			d.Value = v
		}
		req.Document = d
	}
	for i, r := range f.Rows {
		if r.Barcode == "" && r.Inventory == "" && r.Record == "" && r.Title == "" && r.Replaces == "" {
			continue
		}
		c := core.ReceiptCopy{Item: core.Item{ID: r.Barcode, InventoryNumber: r.Inventory, RecordID: r.Record, Title: r.Title,
			Author: r.Author, CallNumber: r.CallNo, Material: r.Material}, Replaces: r.Replaces}
		if r.Value != "" {
			v, ok := parseMoney(r.Value)
			if !ok {
				return req, tr(lang, "acct_bad_value", i+1)
			}
			c.Value = v
		}
		req.Copies = append(req.Copies, c)
	}
	if strings.TrimSpace(f.CSV) != "" {
		copies, err := csvio.ReadReceiptCopies(s.svc, f.Library, strings.NewReader(strings.TrimSpace(f.CSV)+"\n"))
		if err != nil {
			return req, tr(lang, "acct_bad_csv") + " " + err.Error()
		}
		req.Copies = append(req.Copies, copies...)
	}
	if len(req.Copies) == 0 && req.Kind != core.ReceiptDiscrepancy {
		return req, tr(lang, "acct_need_copies_rows")
	}
	return req, ""
}

func (s *Server) draftReceipt(q *request) error {
	f := receiptFormOf(q.r.PostForm)
	req, msg := s.receiptRequest(f, q.lang)
	if msg != "" {
		return s.showReceipts(q, http.StatusUnprocessableEntity, f, msg)
	}
	act, err := s.svc.DeskDraftReceipt(q.ctx(), q.actor(), req)
	if err != nil {
		r := core.ReasonOf(err)
		if r == "" || r == core.ReasonNoSession || r == core.ReasonForbidden {
			return err
		}
		return s.showReceipts(q, http.StatusUnprocessableEntity, f, refusalText(err, q.lang))
	}
	return s.done(q, receiptPath(act.ID), "ok_receipt_drafted")
}

// refusalText is a core refusal with what it names (the copy, the
// document), for a form that keeps what was typed.
func refusalText(err error, lang string) string {
	msg := reasonText(core.ReasonOf(err), lang)
	var ce *core.Error
	if errors.As(err, &ce) && ce.Detail != "" {
		msg += " (" + ce.Detail + ")"
	}
	return msg
}

func (s *Server) receiptsCSV(q *request) error {
	list, err := s.svc.DeskReceipts(q.ctx(), q.actor(), libraryParam(q))
	if err != nil {
		return err
	}
	w := s.csvWriter(q, "pienemsanas-akti.csv")
	_ = w.Write([]string{"id", "bibliotēka", "veids", "pielikums", "akts", "ieraksts", "piegādātājs", "pavaddokuments",
		"eksemplāri", "vērtība_eur", "apstiprināts", "apstiprināja"})
	for _, a := range list {
		annex, date := "", ""
		if n := a.Kind.Annex(); n > 0 {
			annex = strconv.Itoa(n)
		}
		if !a.Approved.IsZero() {
			date = a.Approved.Format(time.DateOnly)
		}
		_ = w.Write([]string{a.ID, a.Library, string(a.Kind), annex, a.Number.String(), a.Entry.String(), a.Supplier,
			a.Document.String(), strconv.Itoa(a.Tally.Total.Copies), a.Tally.Total.Sum.String(), date, a.ApprovedBy})
	}
	w.Flush()
	return w.Error()
}

// receiptCopyRow is one line of a receipt's list of copies.
type receiptCopyRow struct {
	actCopyRow
	Replaces string
}

type receiptData struct {
	Act                   core.ReceiptAct
	Annex                 int
	Title                 string
	Number, Entry         string
	LibraryName           string
	Date, Approved        string
	Types                 string
	Document              string
	DocCopies, DocValue   string
	Short, ShortValue     string
	Over                  bool
	Books, BooksValue     string
	Serials, SerialsValue string
	Others, OthersValue   string
	OtherKinds            string
	Total, TotalValue     string
	First, Last           string
	Authors               []string
	Copies                []receiptCopyRow
	CanApprove            bool
	ApproverName          string
}

func (s *Server) receiptPage(q *request) error {
	a, err := s.svc.DeskReceipt(q.ctx(), q.actor(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	date := a.Approved
	if date.IsZero() {
		date = a.Drafted
	}
	t := &a.Tally
	d := receiptData{Act: a, Annex: a.Kind.Annex(), Title: receiptTitles[a.Kind], Number: a.Number.String(), Entry: a.Entry.String(),
		LibraryName: s.libraryName(a.Library), Date: lvDate(date), Document: a.Document.String(), Total: strconv.Itoa(t.Total.Copies),
		TotalValue: lvMoney(t.Total.Sum), ApproverName: q.staff.Name,
		Authors: append([]string{a.Commission.Chair}, a.Commission.Members...)}
	for len(d.Authors) < 3 {
		d.Authors = append(d.Authors, "")
	}
	if !a.Approved.IsZero() {
		d.Approved = lvDate(a.Approved)
	} else {
		d.CanApprove = core.Permit(q.staff, core.ActReceiptApprove, a.Library) == nil
	}
	var kinds []string
	for _, ty := range accounting.Types() {
		if t.ByType[ty].Copies > 0 {
			kinds = append(kinds, ty.Latvian())
		}
	}
	d.Types = strings.Join(kinds, ", ")
	if a.Document != nil {
		d.DocCopies, d.DocValue = strconv.Itoa(a.Document.Copies), lvMoney(a.Document.Value)
	}
	if c, v := a.Shortfall(); c < 0 || v < 0 {
		d.Over, d.Short, d.ShortValue = true, strconv.Itoa(-c), lvMoney(-v)
	} else {
		d.Short, d.ShortValue = strconv.Itoa(c), lvMoney(v)
	}
	others := t.ByType[accounting.Audiovisual]
	others.Copies += t.ByType[accounting.OtherType].Copies
	others.Sum += t.ByType[accounting.OtherType].Sum
	var otherKinds []string
	for _, ty := range []accounting.DocType{accounting.Audiovisual, accounting.OtherType} {
		if t.ByType[ty].Copies > 0 {
			otherKinds = append(otherKinds, ty.Latvian())
		}
	}
	d.OtherKinds = strings.Join(otherKinds, ", ")
	d.Books, d.BooksValue = strconv.Itoa(t.ByType[accounting.Books].Copies), lvMoney(t.ByType[accounting.Books].Sum)
	d.Serials, d.SerialsValue = strconv.Itoa(t.ByType[accounting.Serials].Copies), lvMoney(t.ByType[accounting.Serials].Sum)
	d.Others, d.OthersValue = strconv.Itoa(others.Copies), lvMoney(others.Sum)
	d.First, d.Last = a.RecordRange()
	for i, c := range a.Copies {
		ac := core.ActCopy{ID: c.ID, InventoryNumber: c.InventoryNumber, Title: c.Title, Author: c.Author, CallNumber: c.CallNumber,
			Material: c.Material, Value: c.Value}
		d.Copies = append(d.Copies, receiptCopyRow{actCopyRow: actCopyRow{N: i + 1, InventoryNumber: c.InventoryNumber, ID: c.ID,
			Description: describeCopy(ac), CallNo: c.CallNumber, Type: accounting.TypeOfMaterial(c.Material).Latvian(),
			Value: lvMoney(c.Value)}, Replaces: c.Replaces})
	}
	title := "Akts Nr. " + d.Number
	switch {
	case a.Kind == core.ReceiptDocument:
		title = "Pieņemšana saskaņā ar pavaddokumentu " + d.Document
	case d.Number == "":
		title = "Akts Nr. ___ (projekts " + a.ID + ")"
	}
	s.render(q, http.StatusOK, "acct_receipt", title, d)
	return nil
}

func (s *Server) approveReceipt(q *request) error {
	id := q.r.PathValue("id")
	by := strings.TrimSpace(q.r.PostForm.Get("approved_by"))
	if by == "" {
		return s.refused(q, receiptPath(id), &core.Error{Reason: reasonApproverMissing})
	}
	if _, err := s.svc.DeskApproveReceipt(q.ctx(), q.actor(), id, by); err != nil {
		return s.refused(q, receiptPath(id), err)
	}
	return s.done(q, receiptPath(id), "ok_receipt_approved")
}

// receiptCSV writes the receipt's list of copies, then its total: the
// columns of `bibgate accounting receipt act --csv`.
func (s *Server) receiptCSV(q *request) error {
	a, err := s.svc.DeskReceipt(q.ctx(), q.actor(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	num, date := a.Number.String(), ""
	if num == "" {
		num = a.ID
	}
	if !a.Approved.IsZero() {
		date = a.Approved.Format(time.DateOnly)
	}
	w := s.csvWriter(q, "pienemsanas-akts-"+strings.ReplaceAll(num, "/", "-")+".csv")
	_ = w.Write([]string{"akts", "datums", "veids", "ieraksts", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts",
		"plaukta_indekss", "izdevuma_tips", "vērtība_eur", "nozaudētā_vietā"})
	kind, entry := string(a.Kind), a.Entry.String()
	for i, c := range a.Copies {
		_ = w.Write([]string{num, date, kind, entry, strconv.Itoa(i + 1), c.InventoryNumber, c.ID,
			describeCopy(core.ActCopy{Title: c.Title, Author: c.Author}), c.CallNumber, accounting.TypeOfMaterial(c.Material).String(),
			c.Value.String(), c.Replaces})
	}
	_ = w.Write([]string{num, date, kind, entry, "kopā", "", "", "", "", strconv.Itoa(a.Tally.Total.Copies),
		a.Tally.Total.Sum.String(), ""})
	w.Flush()
	return w.Error()
}

// approveInventoryAct gives a closed stocktaking's inventory act its
// APSTIPRINU.
func (s *Server) approveInventoryAct(q *request) error {
	id := q.r.PathValue("id")
	back := stocktakePath(id) + "/act"
	by := strings.TrimSpace(q.r.PostForm.Get("approved_by"))
	if by == "" {
		return s.refused(q, back, &core.Error{Reason: reasonApproverMissing})
	}
	if _, err := s.svc.DeskApproveInventoryAct(q.ctx(), q.actor(), id, by); err != nil {
		return s.refused(q, back, err)
	}
	return s.done(q, back, "ok_inventory_approved")
}
