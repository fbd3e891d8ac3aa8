package core

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/accounting"
)

// Collection accounting at the staff desk (Regulation No. 317): the same
// stocktaking, write-off and summary register calls as the command line's
// (stocktake.go, writeoff.go, register.go), for a signed-in staff member.
// Reading and drafting need ActCatalogue at the library ("copies and their
// accounting records", the cataloguing role); approving a write-off act
// needs ActWriteOffApprove. Every write is audited in its own transaction,
// as the other desk calls are (desk.go).

// ActWriteOffApprove is approving a write-off act, which withdraws its
// copies (§36: the director or the founder approves). No role is given it
// by itself: an administrator has it at their own library, a consortium
// administrator everywhere.
const ActWriteOffApprove Action = "writeoff_approve"

// deskLibrary is the library a desk listing is about: the one asked for,
// else the staff member's own; "" (every library) only for a consortium
// administrator.
func deskLibrary(a Actor, library string) string {
	if library == "" && !a.Staff.Has(RoleConsortiumAdmin) {
		return a.Staff.Library
	}
	return library
}

// StocktakeProgress is a stocktaking session as the desk shows it: with
// how many barcodes have been scanned so far.
type StocktakeProgress struct {
	Stocktake
	// Seen counts the barcodes scanned; NoRecord those of them without a
	// record.
	Seen, NoRecord int
}

// DeskStocktakes lists the stocktaking sessions of a library ("" the staff
// member's own; every library for a consortium administrator), oldest
// first.
func (s *Service) DeskStocktakes(ctx context.Context, by Actor, library string) (out []Stocktake, err error) {
	err = s.staffView(ctx, "stocktakes", by, func(_ tx, a Actor, _ time.Time) error {
		library = deskLibrary(a, library)
		return Permit(a.Staff, ActCatalogue, library)
	})
	if err != nil {
		return nil, err
	}
	return s.Stocktakes(ctx, library)
}

// DeskStocktake returns one stocktaking session with its progress.
func (s *Service) DeskStocktake(ctx context.Context, by Actor, id string) (p StocktakeProgress, err error) {
	err = s.staffView(ctx, "stocktake", by, func(t tx, a Actor, _ time.Time) error {
		st, err := t.stocktake(id)
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActCatalogue, st.Library); err != nil {
			return err
		}
		p = StocktakeProgress{Stocktake: *st}
		return t.Scan(bStocktakeSeen, id+"/", func(_ string, v []byte) error {
			p.Seen++
			if string(v) == seenNoRecord {
				p.NoRecord++
			}
			return nil
		})
	})
	return p, err
}

// permitIn checks in t that the actor may do act at library.
func (s *Service) permitIn(t tx, by Actor, act Action, library string) (Actor, error) {
	a, err := s.actorIn(t, &by)
	if err != nil {
		return Actor{}, err
	}
	return a, Permit(a.Staff, act, library)
}

// precheck refuses a staff member who may not do act at library before
// any work is done; the call's own transaction checks again.
func (s *Service) precheck(ctx context.Context, op string, by Actor, act Action, library func(t tx) (string, error)) error {
	return s.staffView(ctx, op, by, func(t tx, a Actor, _ time.Time) error {
		lib, err := library(t)
		if err != nil {
			return err
		}
		return Permit(a.Staff, act, lib)
	})
}

func fixed(library string) func(tx) (string, error) {
	return func(tx) (string, error) { return library, nil }
}

func stocktakeLibrary(id string) func(tx) (string, error) {
	return func(t tx) (string, error) {
		st, err := t.stocktake(id)
		if err != nil {
			return "", err
		}
		return st.Library, nil
	}
}

// DeskOpenStocktake opens a stocktaking session (OpenStocktake) for a
// staff member allowed to keep the library's accounting records.
func (s *Service) DeskOpenStocktake(ctx context.Context, by Actor, req StocktakeRequest) (Stocktake, error) {
	if err := s.precheck(ctx, "stocktake_open", by, ActCatalogue, fixed(req.Library)); err != nil {
		return Stocktake{}, err
	}
	return s.openStocktake(ctx, req, func(t tx, st *Stocktake) error {
		a, err := s.permitIn(t, by, ActCatalogue, st.Library)
		if err != nil {
			return err
		}
		return s.audit(t, a, "stocktake_open", "stocktake/"+st.ID, st.Library, nil, st)
	})
}

// DeskMarkSeen marks a barcode seen in the library's open stocktaking
// (MarkSeen). A first scan is audited; a repeated one changes nothing.
func (s *Service) DeskMarkSeen(ctx context.Context, by Actor, library, barcode string) (Scan, error) {
	if err := s.precheck(ctx, "stocktake_scan", by, ActCatalogue, fixed(library)); err != nil {
		return Scan{}, err
	}
	return s.markSeen(ctx, library, barcode, func(t tx, sc *Scan) error {
		a, err := s.permitIn(t, by, ActCatalogue, library)
		if err != nil {
			return err
		}
		return s.audit(t, a, "stocktake_scan", "stocktake/"+sc.Stocktake, library, nil,
			map[string]any{"barcode": strings.TrimSpace(barcode), "record": sc.Item != nil, "elsewhere": sc.Elsewhere})
	})
}

// DeskCloseStocktake closes a session and writes its inventory act
// (CloseStocktake).
func (s *Service) DeskCloseStocktake(ctx context.Context, by Actor, id string) (InventoryAct, error) {
	if err := s.precheck(ctx, "stocktake_close", by, ActCatalogue, stocktakeLibrary(id)); err != nil {
		return InventoryAct{}, err
	}
	return s.closeStocktake(ctx, id, func(t tx, st *Stocktake) error {
		a, err := s.permitIn(t, by, ActCatalogue, st.Library)
		if err != nil {
			return err
		}
		act := st.Act
		return s.audit(t, a, "stocktake_close", "stocktake/"+st.ID, st.Library, nil, map[string]any{
			"act": act.Number.String(), "expected": act.Expected, "found": act.Found, "missing": act.MissingTally,
			"on_loan": act.OnLoanTally, "no_record": len(act.NoRecord), "loss_norm": act.LossNorm})
	})
}

// DeskWriteOffs lists the write-off acts of a library ("" the staff
// member's own; every library for a consortium administrator), oldest
// first.
func (s *Service) DeskWriteOffs(ctx context.Context, by Actor, library string) (out []WriteOffAct, err error) {
	err = s.staffView(ctx, "writeoffs", by, func(_ tx, a Actor, _ time.Time) error {
		library = deskLibrary(a, library)
		return Permit(a.Staff, ActCatalogue, library)
	})
	if err != nil {
		return nil, err
	}
	return s.WriteOffs(ctx, library)
}

// DeskWriteOff returns one write-off act.
func (s *Service) DeskWriteOff(ctx context.Context, by Actor, id string) (act WriteOffAct, err error) {
	err = s.staffView(ctx, "writeoff", by, func(t tx, a Actor, _ time.Time) error {
		ok, err := t.getRecord(bWriteOff, id, &act)
		if err != nil {
			return err
		}
		if !ok {
			return refuse(ReasonBadRequest, "no write-off act %q", id)
		}
		return Permit(a.Staff, ActCatalogue, act.Library)
	})
	return act, err
}

// DeskDraftWriteOff drafts a write-off act (DraftWriteOff).
func (s *Service) DeskDraftWriteOff(ctx context.Context, by Actor, req WriteOffRequest) (WriteOffAct, error) {
	if err := s.precheck(ctx, "writeoff_draft", by, ActCatalogue, fixed(req.Library)); err != nil {
		return WriteOffAct{}, err
	}
	return s.draftWriteOff(ctx, req, func(t tx, act *WriteOffAct) error {
		a, err := s.permitIn(t, by, ActCatalogue, act.Library)
		if err != nil {
			return err
		}
		return s.audit(t, a, "writeoff_draft", "writeoff/"+act.ID, act.Library, nil, map[string]any{
			"reason": act.Reason, "stocktake": act.Stocktake, "copies": len(act.Copies), "tally": act.Tally,
			"commission": act.Commission})
	})
}

// DeskApproveWriteOff approves a drafted write-off act in the name of
// approvedBy (ApproveWriteOff): the staff member needs
// ActWriteOffApprove at the act's library.
func (s *Service) DeskApproveWriteOff(ctx context.Context, by Actor, id, approvedBy string) (WriteOffAct, error) {
	lib := func(t tx) (string, error) {
		var a WriteOffAct
		ok, err := t.getRecord(bWriteOff, id, &a)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", refuse(ReasonBadRequest, "no write-off act %q", id)
		}
		return a.Library, nil
	}
	if err := s.precheck(ctx, "writeoff_approve", by, ActWriteOffApprove, lib); err != nil {
		return WriteOffAct{}, err
	}
	return s.approveWriteOff(ctx, id, approvedBy, func(t tx, act *WriteOffAct) error {
		a, err := s.permitIn(t, by, ActWriteOffApprove, act.Library)
		if err != nil {
			return err
		}
		return s.audit(t, a, "writeoff_approve", "writeoff/"+act.ID, act.Library, nil, map[string]any{
			"number": act.Number.String(), "approved_by": act.ApprovedBy, "copies": len(act.Copies), "tally": act.Tally})
	})
}

// RegisterBook is the summary register of a library for a year (§24,
// annex 5): part 1 the entries of copies received, part 2 the approved
// write-off acts, part 3 the summary.
type RegisterBook struct {
	Library    string                  `json:"library"`
	Year       int                     `json:"year"`
	Received   []accounting.Received   `json:"received"`
	WrittenOff []accounting.WrittenOff `json:"written_off"`
	Summary    accounting.Summary      `json:"summary"`
}

// DeskSummaryRegister computes the summary register of a library ("" the
// staff member's own; every library for a consortium administrator) for a
// year from the copies' records and the approved write-off acts. Part 1
// groups the copies received in the year by their summary register entry
// number (§19.8), else by entry date; part 2 has one entry per write-off
// act approved in the year. records is as for SummaryRegister.
func (s *Service) DeskSummaryRegister(ctx context.Context, by Actor, library string, year int, records RecordLookup) (book RegisterBook, err error) {
	type entry struct {
		key     string
		date    time.Time
		records []string
		copies  []accounting.Copy
		act     *WriteOffAct
	}
	var received, written []*entry
	err = s.staffView(ctx, "summary_register", by, func(t tx, a Actor, _ time.Time) error {
		library = deskLibrary(a, library)
		if err := Permit(a.Staff, ActCatalogue, library); err != nil {
			return err
		}
		received, written = received[:0], written[:0]
		loc := s.registerLocation(library)
		start := time.Date(year, time.January, 1, 0, 0, 0, 0, loc)
		end := start.AddDate(1, 0, 0)
		groups := map[string]*entry{}
		if err := t.Scan(bItem, "", func(_ string, v []byte) error {
			var it Item
			if err := decode(v, &it); err != nil {
				return err
			}
			if library != "" && it.Library != library || it.ILL || it.Entered.Before(start) || !it.Entered.Before(end) {
				return nil
			}
			key := "no/" + it.SummaryRegisterNo
			if it.SummaryRegisterNo == "" {
				key = "date/" + it.Entered.In(loc).Format(time.DateOnly)
			}
			e := groups[key]
			if e == nil {
				e = &entry{key: key, date: it.Entered}
				groups[key] = e
				received = append(received, e)
			}
			if it.Entered.Before(e.date) {
				e.date = it.Entered
			}
			e.records = append(e.records, it.RecordID)
			e.copies = append(e.copies, registerCopy(&it))
			return nil
		}); err != nil {
			return err
		}
		return t.Scan(bWriteOff, "", func(_ string, v []byte) error {
			var w WriteOffAct
			if err := decode(v, &w); err != nil {
				return err
			}
			if library != "" && w.Library != library || w.Approved.Before(start) || !w.Approved.Before(end) {
				return nil
			}
			e := &entry{key: w.ID, date: w.Approved, act: &w}
			for _, c := range w.Copies {
				it, err := t.item(c.ID)
				if err != nil {
					return err
				}
				e.records = append(e.records, it.RecordID)
				e.copies = append(e.copies, accounting.Copy{Type: accounting.TypeOfMaterial(c.Material),
					Language: accounting.OtherLanguage, Class: accounting.Unclassified, OnBalance: c.Value > 0, Value: c.Value})
			}
			written = append(written, e)
			return nil
		})
	})
	if err != nil {
		return RegisterBook{}, err
	}
	var ids []string
	for _, e := range append(append([]*entry(nil), received...), written...) {
		ids = append(ids, e.records...)
	}
	facts, err := lookupRecords(ctx, records, ids)
	if err != nil {
		return RegisterBook{}, err
	}
	for _, e := range append(append([]*entry(nil), received...), written...) {
		for i, r := range e.records {
			f, ok := facts[r]
			e.copies[i] = withFacts(e.copies[i], f, ok)
		}
	}
	byDate := func(l []*entry) {
		sort.SliceStable(l, func(i, j int) bool {
			if !l[i].date.Equal(l[j].date) {
				return l[i].date.Before(l[j].date)
			}
			return l[i].key < l[j].key
		})
	}
	byDate(received)
	byDate(written)
	book = RegisterBook{Library: library, Year: year, Received: []accounting.Received{}, WrittenOff: []accounting.WrittenOff{}}
	for i, e := range received {
		titles := map[string]bool{}
		for _, r := range e.records {
			titles[r] = true
		}
		num := strconv.Itoa(i + 1)
		if no, ok := strings.CutPrefix(e.key, "no/"); ok {
			num = no
		}
		book.Received = append(book.Received, accounting.Received{Date: e.date, Number: num, Titles: len(titles),
			Row: accounting.RowOf(e.copies)})
	}
	if err := s.fillReceiptSources(ctx, library, year, book.Received); err != nil { // receipt.go
		return RegisterBook{}, err
	}
	for i, e := range written {
		book.WrittenOff = append(book.WrittenOff, accounting.WrittenOff{Date: e.date, Number: i + 1, Act: e.act.Number.String(),
			ActDate: e.act.Approved, Reason: e.act.ReasonText(), Row: accounting.RowOf(e.copies)})
	}
	if book.Summary, err = s.SummaryRegister(ctx, library, year, records); err != nil {
		return RegisterBook{}, err
	}
	return book, nil
}

// registerCopy is what the summary register counts of a copy.
func registerCopy(it *Item) accounting.Copy {
	return accounting.Copy{Type: accounting.TypeOfMaterial(it.Material), Language: accounting.OtherLanguage,
		Class: accounting.Unclassified, OnBalance: it.Value > 0, Value: it.Value, Entered: it.Entered}
}

// registerLocation is the time zone the library's register years run in,
// as SummaryRegister takes it.
func (s *Service) registerLocation(library string) *time.Location {
	var loc *time.Location
	if l, ok := s.cons.Library(library); ok {
		loc = l.Calendar.Location
	} else if len(s.cons.Libraries) > 0 {
		loc = s.cons.Libraries[0].Calendar.Location
	}
	if loc == nil {
		loc = time.UTC
	}
	return loc
}
