package core

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/accounting"
)

// Receipts (Regulation No. 317 §10.1–10.3, §13–16, annexes 1–3): copies
// enter the collection by a receipt, drafted with its list of new copies
// and approved by a named person. Approving creates the copies' individual
// records with the entry date and the entry number of part 1 of the
// summary register (§16, §19.1, §19.8), so that the summary register,
// computed from the records, counts them as received; the entry numbers
// and each kind of act are numbered per library, from 1 every year (§25).
//
//   - a receipt by its accompanying document that matches it needs no act
//     (§13), only the register entry;
//   - one whose document says other than what arrived gets an act on the
//     discrepancy (annex 1, §13.1), the copy for the claim to the supplier;
//   - one with no document (post, donation, exchange, §13.2) gets an
//     acceptance act (annex 2);
//   - copies a patron gives in place of lost ones (§14) get an acceptance
//     act (annex 3) and settle the patron's lost-item charge instead of
//     payment: the value and processing fees on the lost copy are
//     cancelled (seed 003: the patron replaces the item, or else pays its
//     value and the processing cost; reminder fees and overdue fines
//     stay), any part of the value already paid is credited back, and the
//     lost copy is written off by an approved act for reason 33.7 (not
//     recoverable through the patron's fault).
//
// Acts keep no patron identifiers: the patron is found through the lost
// copy at approval, and what a patron lost stays in the fee records the
// privacy rules already govern.
const bReceipt = "receipt" // receipt id -> ReceiptAct

// actRegisterReceived numbers the entries of part 1 of the summary
// register.
const actRegisterReceived = "register_received"

// ReceiptKind says which receipt it is.
type ReceiptKind string

// Receipt kinds.
const (
	// ReceiptDocument: by an accompanying document that matches (§13), no
	// act.
	ReceiptDocument ReceiptKind = "document"
	// ReceiptDiscrepancy: what arrived differs from the accompanying
	// document (annex 1).
	ReceiptDiscrepancy ReceiptKind = "discrepancy"
	// ReceiptNoDocument: received without an accompanying document (annex
	// 2).
	ReceiptNoDocument ReceiptKind = "no_document"
	// ReceiptReplacement: copies given by patrons in place of lost ones
	// (annex 3).
	ReceiptReplacement ReceiptKind = "replacement"
)

// ReceiptKinds lists the kinds with their annex ("" for none).
func ReceiptKinds() []ReceiptKind {
	return []ReceiptKind{ReceiptDocument, ReceiptDiscrepancy, ReceiptNoDocument, ReceiptReplacement}
}

// Annex is the regulation's annex the kind's act follows, 0 for none.
func (k ReceiptKind) Annex() int {
	switch k {
	case ReceiptDiscrepancy:
		return 1
	case ReceiptNoDocument:
		return 2
	case ReceiptReplacement:
		return 3
	}
	return 0
}

func (k ReceiptKind) valid() bool { return slices.Contains(ReceiptKinds(), k) }

// actKind is the numbering series of the kind's acts.
func (k ReceiptKind) actKind() string { return "receipt_" + string(k) }

// AccompanyingDocument is the delivery note or invoice a receipt came with,
// and what it says arrived.
type AccompanyingDocument struct {
	// Name is the kind of document ("pavadzīme", "rēķins").
	Name   string    `json:"name,omitempty"`
	Number string    `json:"number"`
	Date   time.Time `json:"date,omitzero"`
	// Copies and Value are what the document lists.
	Copies int   `json:"copies,omitempty"`
	Value  Money `json:"value,omitempty"`
}

// String renders the document as an act names it.
func (d *AccompanyingDocument) String() string {
	if d == nil {
		return ""
	}
	s := strings.TrimSpace(d.Name + " Nr. " + d.Number)
	if !d.Date.IsZero() {
		s += ", " + d.Date.Format(time.DateOnly)
	}
	return s
}

// ReceiptCopy is a new copy on a receipt: its individual record (barcode,
// inventory number, catalogue record, description, call number, material,
// value) and, on an annex 3 receipt, the barcode of the lost copy it
// replaces.
type ReceiptCopy struct {
	Item
	Replaces string `json:"replaces,omitempty"`
	// Settled is what the replacement settled of the patron's charges for
	// the lost copy (value and processing cancelled), Refund the part of
	// the value already paid that was credited back; set at approval.
	Settled Money `json:"settled,omitempty"`
	Refund  Money `json:"refund,omitempty"`
}

// ReceiptRequest drafts a receipt.
type ReceiptRequest struct {
	Kind    ReceiptKind
	Library string
	// Supplier is the institution (name, registration number) or person
	// the copies came from.
	Supplier string
	// Source is the acquisition source for the summary register (default:
	// the supplier, or "nozaudēto vietā" for replacements).
	Source string
	// Delivery is how copies without a document came (annex 2: post,
	// donation, exchange ...).
	Delivery string
	// Document is the accompanying document (kinds document and
	// discrepancy).
	Document *AccompanyingDocument
	// Findings is what the commission found (annex 1 "Konstatēts").
	Findings string
	// Commission is who drew up the act (annexes 1–3: up to three named
	// persons).
	Commission Commission
	Copies     []ReceiptCopy
}

// ReceiptTally counts a receipt's copies by the register's document types
// (annexes 2 and 3: books, journals, other documents) and in total.
type ReceiptTally struct {
	ByType [4]accounting.Cell `json:"by_type"`
	Total  accounting.Cell    `json:"total"`
}

func (t *ReceiptTally) add(it *Item) {
	c := &t.ByType[accounting.TypeOfMaterial(it.Material)]
	c.Copies++
	c.Sum += it.Value
	t.Total.Copies++
	t.Total.Sum += it.Value
}

// ReceiptAct is a receipt: drafted with its copies, approved by a named
// person, which enters the copies in the collection.
type ReceiptAct struct {
	ID         string                `json:"id"`
	Kind       ReceiptKind           `json:"kind"`
	Library    string                `json:"library"`
	Supplier   string                `json:"supplier,omitempty"`
	Source     string                `json:"source,omitempty"`
	Delivery   string                `json:"delivery,omitempty"`
	Document   *AccompanyingDocument `json:"document,omitempty"`
	Findings   string                `json:"findings,omitempty"`
	Commission Commission            `json:"commission"`
	Copies     []ReceiptCopy         `json:"copies"`
	Tally      ReceiptTally          `json:"tally"`
	Drafted    time.Time             `json:"drafted"`
	// Number is the act's number (none for kind document); Entry the
	// entry number in part 1 of the summary register. Both are given at
	// approval.
	Number     accounting.Number `json:"number,omitzero"`
	Entry      accounting.Number `json:"entry,omitzero"`
	ApprovedBy string            `json:"approved_by,omitempty"`
	Approved   time.Time         `json:"approved,omitzero"`
	// WriteOff is the write-off act of the lost copies an annex 3 receipt
	// replaced (its id), WriteOffNumber its number.
	WriteOff       string            `json:"write_off,omitempty"`
	WriteOffNumber accounting.Number `json:"write_off_number,omitzero"`
}

// Shortfall is what the accompanying document lists beyond what arrived
// (annex 1 "trūkst par summu"): negative when more arrived.
func (a *ReceiptAct) Shortfall() (copies int, value Money) {
	if a.Document == nil {
		return 0, 0
	}
	return a.Document.Copies - a.Tally.Total.Copies, a.Document.Value - a.Tally.Total.Sum
}

// Reference is how the register and the copies' history name the receipt:
// the act's number, or the accompanying document for a receipt without an
// act.
func (a *ReceiptAct) Reference() string {
	if a.Number.N != 0 {
		return a.Number.String()
	}
	return a.Document.String()
}

// RecordRange is the first and last individual record (inventory) number
// on the act, as annexes 2 and 3 ask ("no Nr. līdz Nr.").
func (a *ReceiptAct) RecordRange() (first, last string) {
	var nums []string
	for _, c := range a.Copies {
		n := c.InventoryNumber
		if n == "" {
			n = c.ID
		}
		nums = append(nums, n)
	}
	if len(nums) == 0 {
		return "", ""
	}
	slices.SortFunc(nums, naturalCompare)
	return nums[0], nums[len(nums)-1]
}

// naturalCompare orders "S-9" before "S-10": runs of digits compare by
// value.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			x, y := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(x), len(y)); c != 0 {
				return c
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// DraftReceipt drafts a receipt with its list of new copies. Every barcode
// must be new to the consortium; a replacement names a copy the library
// lent that a patron lost, and takes its value when none is given (§14:
// equal in content and value).
func (s *Service) DraftReceipt(ctx context.Context, req ReceiptRequest) (ReceiptAct, error) {
	return s.draftReceipt(ctx, req, nil)
}

// draftReceipt is DraftReceipt; within, when set, runs in its transaction
// once the draft is written (the desk's permission check and audit entry,
// accountingdesk2.go).
func (s *Service) draftReceipt(ctx context.Context, req ReceiptRequest, within func(tx, *ReceiptAct) error) (act ReceiptAct, err error) {
	start := time.Now()
	defer func() { s.done("receipt_draft", start, err) }()
	if _, err := s.library(req.Library); err != nil {
		return ReceiptAct{}, err
	}
	if !req.Kind.valid() {
		return ReceiptAct{}, refuse(ReasonBadRequest, "receipt kind %q is not one of %v", req.Kind, ReceiptKinds())
	}
	if req.Kind != ReceiptDocument && strings.TrimSpace(req.Commission.Chair) == "" {
		return ReceiptAct{}, refuse(ReasonBadRequest, "an act (annex %d) is drawn up by named persons: give at least one", req.Kind.Annex())
	}
	switch req.Kind {
	case ReceiptDocument, ReceiptDiscrepancy:
		if req.Document == nil || strings.TrimSpace(req.Document.Number) == "" {
			return ReceiptAct{}, refuse(ReasonBadRequest, "a %s receipt needs its accompanying document's number", req.Kind)
		}
		if strings.TrimSpace(req.Supplier) == "" {
			return ReceiptAct{}, refuse(ReasonBadRequest, "a %s receipt names its supplier", req.Kind)
		}
	case ReceiptNoDocument:
		if req.Document != nil {
			return ReceiptAct{}, refuse(ReasonBadRequest, "copies with an accompanying document are received as %q or %q", ReceiptDocument, ReceiptDiscrepancy)
		}
		if strings.TrimSpace(req.Supplier) == "" {
			return ReceiptAct{}, refuse(ReasonBadRequest, "an annex 2 act names the supplier (institution or person)")
		}
	case ReceiptReplacement:
		req.Document = nil
	}
	if len(req.Copies) == 0 && req.Kind != ReceiptDiscrepancy {
		return ReceiptAct{}, refuse(ReasonBadRequest, "a receipt lists the copies received")
	}
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		a := ReceiptAct{Kind: req.Kind, Library: req.Library, Supplier: strings.TrimSpace(req.Supplier),
			Source: strings.TrimSpace(req.Source), Delivery: strings.TrimSpace(req.Delivery), Findings: strings.TrimSpace(req.Findings),
			Commission: req.Commission, Drafted: now, Copies: make([]ReceiptCopy, 0, len(req.Copies))}
		if req.Document != nil {
			d := *req.Document
			d.Number, d.Name = strings.TrimSpace(d.Number), strings.TrimSpace(d.Name)
			a.Document = &d
		}
		if a.Source == "" {
			switch {
			case req.Kind == ReceiptReplacement:
				a.Source = "nozaudēto vietā"
			case a.Supplier != "":
				a.Source = a.Supplier
			default:
				a.Source = a.Delivery
			}
		}
		if req.Kind == ReceiptReplacement && a.Supplier == "" {
			a.Supplier = "bibliotēkas lietotāji"
		}
		if err := s.checkReceiptCopies(t, &a, req.Copies); err != nil {
			return err
		}
		switch req.Kind {
		case ReceiptDocument:
			if d := a.Document; (d.Copies != 0 && d.Copies != a.Tally.Total.Copies) || (d.Value != 0 && d.Value != a.Tally.Total.Sum) {
				return refuse(ReasonBadRequest, "document %s lists %d copies for EUR %v, %d copies for EUR %v arrived: receive it as %q (annex 1)",
					d.Number, d.Copies, d.Value, a.Tally.Total.Copies, a.Tally.Total.Sum, ReceiptDiscrepancy)
			}
		case ReceiptDiscrepancy:
			if d := a.Document; d.Copies == a.Tally.Total.Copies && d.Value == a.Tally.Total.Sum {
				return refuse(ReasonBadRequest, "document %s lists what arrived (%d copies, EUR %v): there is no discrepancy",
					d.Number, d.Copies, d.Value)
			}
		}
		id, err := t.newID(bReceipt, "RC")
		if err != nil {
			return err
		}
		a.ID = id
		act = a
		if err := t.putRecord(bReceipt, id, &a); err != nil {
			return err
		}
		if within != nil {
			return within(t, &a)
		}
		return nil
	})
	return act, err
}

// checkReceiptCopies validates the new copies and fills in a.Copies and
// a.Tally; at approval it runs again on what the draft holds.
func (s *Service) checkReceiptCopies(t tx, a *ReceiptAct, copies []ReceiptCopy) error {
	a.Copies, a.Tally = a.Copies[:0], ReceiptTally{}
	seen, replaced := map[string]bool{}, map[string]bool{}
	for i, c := range copies {
		it := Item{ID: strings.TrimSpace(c.ID), InventoryNumber: strings.TrimSpace(c.InventoryNumber), RecordID: strings.TrimSpace(c.RecordID),
			Title: c.Title, Author: c.Author, Library: a.Library, CallNumber: strings.TrimSpace(c.CallNumber),
			Material: strings.TrimSpace(c.Material), Value: c.Value, HighDemand: c.HighDemand, ReadingRoomOnly: c.ReadingRoomOnly}
		if it.ID == "" {
			it.ID = it.InventoryNumber
		}
		switch {
		case it.ID == "":
			return refuse(ReasonBadRequest, "copy %d on the receipt has no barcode", i+1)
		case strings.ContainsAny(it.ID, " \t\r\n|"):
			return refuse(ReasonBadRequest, "barcode %q has a blank or |", it.ID)
		case it.RecordID == "":
			return refuse(ReasonBadRequest, "copy %s has no catalogue record id", it.ID)
		case it.Value < 0:
			return refuse(ReasonBadRequest, "copy %s has a negative value", it.ID)
		case seen[it.ID]:
			return refuse(ReasonBadRequest, "barcode %s is on the receipt twice", it.ID)
		}
		seen[it.ID] = true
		if it.Material == "" {
			it.Material = "book"
		}
		if _, exists, err := t.Get(bItem, it.ID); err != nil {
			return err
		} else if exists {
			return refuse(ReasonBadRequest, "barcode %s belongs to a copy already", it.ID)
		}
		rc := ReceiptCopy{Item: it, Replaces: strings.TrimSpace(c.Replaces)}
		if a.Kind == ReceiptReplacement {
			if rc.Replaces == "" {
				return refuse(ReasonBadRequest, "copy %s: an annex 3 receipt names the lost copy each copy replaces", it.ID)
			}
			if replaced[rc.Replaces] {
				return refuse(ReasonBadRequest, "lost copy %s is replaced twice", rc.Replaces)
			}
			replaced[rc.Replaces] = true
			lost, err := t.item(rc.Replaces)
			if err != nil {
				return err
			}
			if err := replaceable(lost, a.Library); err != nil {
				return err
			}
			if rc.Value == 0 {
				rc.Value = lost.Value
			}
		} else if rc.Replaces != "" {
			return refuse(ReasonBadRequest, "copy %s: only an annex 3 receipt replaces lost copies", it.ID)
		}
		a.Copies = append(a.Copies, rc)
		a.Tally.add(&rc.Item)
	}
	return nil
}

// replaceable checks that a copy is one a patron lost, of this library.
func replaceable(it *Item, library string) error {
	switch {
	case it.Library != library:
		return refuse(ReasonBadRequest, "lost copy %s belongs to %s, not %s", it.ID, it.Library, library)
	case it.ILL:
		return refuse(ReasonBadRequest, "copy %s is another library's (interlibrary loan): its supplier settles the loss", it.ID)
	case it.Status != ItemLost || it.LostBy == "":
		return refuse(ReasonBadRequest, "copy %s is %s, not lost by a patron", it.ID, it.Status)
	}
	return nil
}

// ApproveReceipt approves a drafted receipt in the name of approvedBy: the
// act gets its number and the receipt its entry in part 1 of the summary
// register, both for the library and year; every copy on it is entered in
// the collection with that entry number and date, and gets its first
// history entry. An annex 3 receipt also settles the patrons' charges for
// the lost copies and writes those off (reason 33.7) by an act approved
// by the same person.
func (s *Service) ApproveReceipt(ctx context.Context, id, approvedBy string) (ReceiptAct, error) {
	return s.approveReceipt(ctx, id, approvedBy, nil)
}

// approveReceipt is ApproveReceipt; within, when set, runs in its
// transaction once the act and its copies are written.
func (s *Service) approveReceipt(ctx context.Context, id, approvedBy string, within func(tx, *ReceiptAct) error) (act ReceiptAct, err error) {
	start := time.Now()
	defer func() { s.done("receipt_approve", start, err) }()
	approvedBy = strings.TrimSpace(approvedBy)
	if approvedBy == "" {
		return ReceiptAct{}, refuse(ReasonBadRequest, "a receipt is approved by a named person")
	}
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		var a ReceiptAct
		ok, err := t.getRecord(bReceipt, id, &a)
		if err != nil {
			return err
		}
		if !ok {
			return refuse(ReasonBadRequest, "no receipt %q", id)
		}
		if !a.Approved.IsZero() {
			return refuse(ReasonBadRequest, "receipt %s (%s) was approved on %s", id, a.Reference(), a.Approved.Format(time.DateOnly))
		}
		if err := s.checkReceiptCopies(t, &a, slices.Clone(a.Copies)); err != nil {
			return err
		}
		if a.Kind != ReceiptDocument {
			if a.Number, err = s.nextNumber(t, a.Kind.actKind(), a.Library, now); err != nil {
				return err
			}
		}
		if len(a.Copies) > 0 { // nothing arrived: an act for the claim, nothing to enter
			if a.Entry, err = s.nextNumber(t, actRegisterReceived, a.Library, now); err != nil {
				return err
			}
		}
		a.ApprovedBy, a.Approved = approvedBy, now
		var wo *WriteOffAct
		if a.Kind == ReceiptReplacement {
			wo = &WriteOffAct{Library: a.Library, Reason: accounting.ReasonPatronFault, Commission: a.Commission,
				Disposal: "aizstāti ar līdzvērtīgiem izdevumiem, 3.pielikuma akts Nr. " + a.Number.String(),
				Drafted:  now, ApprovedBy: approvedBy, Approved: now, Copies: make([]ActCopy, 0, len(a.Copies))}
			if wo.Number, err = s.nextNumber(t, actWriteOff, a.Library, now); err != nil {
				return err
			}
		}
		for i := range a.Copies {
			c := &a.Copies[i]
			it := c.Item
			it.Status = ItemAvailable
			it.Entered, it.SummaryRegisterNo = now, a.Entry.String()
			if err := t.putRecord(bItem, it.ID, &it); err != nil {
				return err
			}
			if err := t.Put(bRecordItems, it.RecordID+"/"+it.ID, nil); err != nil {
				return err
			}
			detail := a.Supplier
			if c.Replaces != "" {
				detail = "in place of lost copy " + c.Replaces
			} else if a.Document != nil {
				detail += ", " + a.Document.String()
			}
			if err := t.appendHistory(&it, HistoryEntry{At: now, Event: HistoryReceived, Act: a.Reference(),
				Kind: a.Kind.actKind(), Detail: detail, By: approvedBy}); err != nil {
				return err
			}
			if c.Replaces == "" {
				continue
			}
			lost, err := t.item(c.Replaces)
			if err != nil {
				return err
			}
			if c.Settled, c.Refund, err = s.settleReplaced(t, lost, &it, &a, now); err != nil {
				return err
			}
			lost.Status, lost.WriteOffAct, lost.WriteOffDate = ItemWithdrawn, wo.Number.String(), now
			lost.LostBy, lost.LostPaidAt = "", time.Time{}
			wo.Copies = append(wo.Copies, actCopy(lost))
			wo.Tally.add(lost)
			if err := t.putRecord(bItem, lost.ID, lost); err != nil {
				return err
			}
			if err := t.afterWriteOff(wo, lost, now); err != nil {
				return err
			}
		}
		if wo != nil {
			if wo.ID, err = t.newID(bWriteOff, "WO"); err != nil {
				return err
			}
			if err := t.putRecord(bWriteOff, wo.ID, wo); err != nil {
				return err
			}
			a.WriteOff, a.WriteOffNumber = wo.ID, wo.Number
		}
		act = a
		if err := t.putRecord(bReceipt, id, &a); err != nil {
			return err
		}
		if within != nil {
			return within(t, &a)
		}
		return nil
	})
	return act, err
}

// settleReplaced settles the charges of the patron who lost `lost` with
// the replacement copy: the outstanding value and processing fees on it
// are cancelled, the part of the value already paid is credited back;
// overdue fines and reminder fees stay. It returns what was cancelled and
// what was credited.
func (s *Service) settleReplaced(t tx, lost, repl *Item, a *ReceiptAct, now time.Time) (settled, refund Money, err error) {
	p, err := t.patron(lost.LostBy)
	if err != nil {
		return 0, 0, fmt.Errorf("lost copy %s: %w", lost.ID, err)
	}
	ids, err := t.keys(bPatronTrail, p.ID+"/"+trailFee+"/")
	if err != nil {
		return 0, 0, err
	}
	note := fmt.Sprintf("replaced by copy %s, annex 3 act %s", repl.ID, a.Number)
	for _, fid := range ids {
		f, err := t.fee(fid)
		if err != nil {
			return 0, 0, err
		}
		if f.ItemID != lost.ID || (f.Kind != FeeLost && f.Kind != FeeProcessing) {
			continue
		}
		if f.Kind == FeeLost {
			refund += f.Paid
		}
		owed := f.Outstanding()
		if owed <= 0 {
			continue
		}
		settled += owed
		f.Amount = f.Paid + f.Waived
		f.Description = fmt.Sprintf("%s (%v settled: %s)", f.Description, owed, note)
		p.Owed -= owed
		if err := t.putRecord(bFee, f.ID, f); err != nil {
			return 0, 0, err
		}
		if err := t.Delete(bPatronFees, p.ID+"/"+f.ID); err != nil {
			return 0, 0, err
		}
	}
	if refund > 0 {
		if _, err := t.addFee(p, Fee{Kind: FeeRefund, Amount: -refund, Created: now, ItemID: lost.ID,
			Description: "lost item " + note}); err != nil {
			return 0, 0, err
		}
	}
	p.LastActive = now
	return settled, refund, t.putRecord(bPatron, p.ID, p)
}

// Receipts lists a library's receipts ("" every library), oldest first.
func (s *Service) Receipts(ctx context.Context, library string) (out []ReceiptAct, err error) {
	err = s.view(ctx, func(t tx) error {
		out = []ReceiptAct{}
		return t.Scan(bReceipt, "", func(_ string, v []byte) error {
			var a ReceiptAct
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("core: decode receipt: %w", err)
			}
			if library == "" || a.Library == library {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// ReceiptByID returns one receipt.
func (s *Service) ReceiptByID(ctx context.Context, id string) (act ReceiptAct, err error) {
	err = s.view(ctx, func(t tx) error {
		ok, err := t.getRecord(bReceipt, id, &act)
		if err == nil && !ok {
			err = refuse(ReasonBadRequest, "no receipt %q", id)
		}
		return err
	})
	return act, err
}

// ReceivedRegister lists part 1 of the summary register (§24.1, annex 5)
// of a library ("" every library) for a year from its receipts: one line
// per approved receipt that entered copies, in entry order, with its
// source, accompanying document (or act) and copies by type, language, UDC
// class and balance. records is as for SummaryRegister.
func (s *Service) ReceivedRegister(ctx context.Context, library string, year int, records RecordLookup) ([]accounting.Received, error) {
	list, err := s.Receipts(ctx, library)
	if err != nil {
		return nil, err
	}
	list = slices.DeleteFunc(list, func(a ReceiptAct) bool { return a.Approved.IsZero() || a.Entry.N == 0 || a.Entry.Year != year })
	slices.SortFunc(list, func(x, y ReceiptAct) int {
		return cmp.Or(strings.Compare(x.Library, y.Library), cmp.Compare(x.Entry.N, y.Entry.N))
	})
	var ids []string
	for _, a := range list {
		for _, c := range a.Copies {
			ids = append(ids, c.RecordID)
		}
	}
	facts, err := lookupRecords(ctx, records, ids)
	if err != nil {
		return nil, err
	}
	out := make([]accounting.Received, 0, len(list))
	for _, a := range list {
		copies := make([]accounting.Copy, len(a.Copies))
		titles := map[string]bool{}
		for i, c := range a.Copies {
			f, ok := facts[c.RecordID]
			copies[i] = withFacts(accounting.Copy{Type: accounting.TypeOfMaterial(c.Material), OnBalance: c.Value > 0,
				Value: c.Value, Entered: a.Approved}, f, ok)
			titles[c.RecordID] = true
		}
		source, doc := a.registerSource()
		out = append(out, accounting.Received{Date: a.Approved, Number: a.Entry.String(), Source: source, Document: doc,
			Titles: len(titles), Row: accounting.RowOf(copies)})
	}
	return out, nil
}

// registerSource is what part 1 of the summary register says of the
// receipt: its acquisition source and its accompanying document's number,
// or its act's when it had none.
func (a *ReceiptAct) registerSource() (source, document string) {
	if a.Document != nil {
		return a.Source, a.Document.Number
	}
	return a.Source, "akts Nr. " + a.Number.String()
}

// fillReceiptSources gives the part 1 entries of one library's register,
// computed from the copies' records, the source and document of the
// receipt that made them.
func (s *Service) fillReceiptSources(ctx context.Context, library string, year int, entries []accounting.Received) error {
	if library == "" || len(entries) == 0 {
		return nil // entry numbers are per library
	}
	list, err := s.Receipts(ctx, library)
	if err != nil {
		return err
	}
	by := map[string]*ReceiptAct{}
	for i := range list {
		if a := &list[i]; !a.Approved.IsZero() && a.Entry.Year == year && a.Entry.N != 0 {
			by[a.Entry.String()] = a
		}
	}
	for i := range entries {
		if a, ok := by[entries[i].Number]; ok {
			if entries[i].Source == "" && entries[i].Document == "" {
				entries[i].Source, entries[i].Document = a.registerSource()
			}
		}
	}
	return nil
}
