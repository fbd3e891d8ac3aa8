package core

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/accounting"
)

// Stocktaking (Regulation No. 317 §26–32, annex 6): a commission opens a
// session for a library, or a call-number range of it; copies are marked
// seen as they are scanned (by a SIP2 inventory scanner, the console or a
// file of barcodes); closing compares the marks with the records and
// writes the inventory act, numbered per library per year.
const (
	bStocktake     = "stocktake"      // session id -> Stocktake
	bStocktakeOpen = "stocktake_open" // library -> session id (the open one)
	bStocktakeSeen = "stocktake_seen" // session id/barcode -> seenRecord | seenNoRecord
	bActCounter    = "act_counter"    // kind/library -> accounting.Counter
	bWriteOff      = "writeoff"       // act id -> WriteOffAct
)

// Values of the seen index: a copy with a record, a barcode without one.
const (
	seenRecord   = "r"
	seenNoRecord = "n"
)

// Act kinds, each numbered on its own per library per year.
const (
	actInventory = "inventory"
	actWriteOff  = "writeoff"
)

// ReasonNoStocktake: a barcode was scanned for stocktaking but the library
// has no stocktaking open. ReasonStocktakeOpen: one is open already.
const (
	ReasonNoStocktake   Reason = "no_stocktake_open"
	ReasonStocktakeOpen Reason = "stocktake_already_open"
)

// Commission is the stocktaking or write-off commission (§27, §36).
type Commission struct {
	Chair   string   `json:"chair"`
	Members []string `json:"members,omitempty"`
}

// StocktakeRequest opens a stocktaking session.
type StocktakeRequest struct {
	Library string
	// FromCallNumber and ToCallNumber limit the session to a shelf range
	// (inclusive; To also takes call numbers it prefixes, "821" takes
	// "821.1"). Empty: no limit on that side.
	FromCallNumber, ToCallNumber string
	Commission                   Commission
}

// Stocktake is one stocktaking session.
type Stocktake struct {
	ID             string     `json:"id"`
	Library        string     `json:"library"`
	FromCallNumber string     `json:"from_call_number,omitempty"`
	ToCallNumber   string     `json:"to_call_number,omitempty"`
	Commission     Commission `json:"commission"`
	Opened         time.Time  `json:"opened"`
	Closed         time.Time  `json:"closed,omitzero"`
	// Act is the inventory act, once closed.
	Act *InventoryAct `json:"act,omitempty"`
}

// Open reports whether the session still takes scans.
func (st *Stocktake) Open() bool { return st.Closed.IsZero() }

// covers reports whether the session's range takes the call number.
func (st *Stocktake) covers(cn string) bool {
	if st.FromCallNumber != "" && cn < st.FromCallNumber {
		return false
	}
	if st.ToCallNumber != "" && cn > st.ToCallNumber && !strings.HasPrefix(cn, st.ToCallNumber) {
		return false
	}
	return true
}

// ActCopy is a copy as an act lists it (annex 6 and 7 lists).
type ActCopy struct {
	ID              string `json:"id"`
	InventoryNumber string `json:"inventory_number,omitempty"`
	Title           string `json:"title,omitempty"`
	Author          string `json:"author,omitempty"`
	CallNumber      string `json:"call_number,omitempty"`
	Material        string `json:"material"`
	Value           Money  `json:"value"`
}

func actCopy(it *Item) ActCopy {
	return ActCopy{ID: it.ID, InventoryNumber: it.InventoryNumber, Title: it.Title, Author: it.Author,
		CallNumber: it.CallNumber, Material: it.Material, Value: it.Value}
}

// Tally counts copies as annex 6 does: books and other documents, and
// their value.
type Tally struct {
	Books  int   `json:"books"`
	Others int   `json:"others"`
	Value  Money `json:"value"`
}

// Copies is the total count.
func (t Tally) Copies() int { return t.Books + t.Others }

func (t *Tally) add(it *Item) {
	if accounting.TypeOfMaterial(it.Material) == accounting.Books {
		t.Books++
	} else {
		t.Others++
	}
	t.Value += it.Value
}

// InventoryAct is the result of a stocktaking (annex 6).
type InventoryAct struct {
	Number     accounting.Number `json:"number"`
	Library    string            `json:"library"`
	Stocktake  string            `json:"stocktake"`
	Commission Commission        `json:"commission"`
	// From and To: the stocktaking ran from ... to ...
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Expected: what the records say is in the range (point 1).
	Expected Tally `json:"expected"`
	// Found: copies on the shelves, marked seen (point 2).
	Found Tally `json:"found"`
	// Missing: neither seen nor accounted for elsewhere (point 3), with
	// their total value.
	Missing      []ActCopy `json:"missing"`
	MissingTally Tally     `json:"missing_tally"`
	// OnLoan: not returned by patrons (point 4): on loan, or lost by a
	// patron and not yet written off. They count as accounted for.
	OnLoan      []ActCopy `json:"on_loan"`
	OnLoanTally Tally     `json:"on_loan_tally"`
	// InTransit: on their way between branches, accounted for.
	InTransit []ActCopy `json:"in_transit,omitempty"`
	// NoRecord: barcodes found on the shelves with no individual record
	// (point 5).
	NoRecord []string `json:"no_record"`
	// Elsewhere: copies found here whose record puts them in another
	// library or outside the range.
	Elsewhere []string `json:"elsewhere,omitempty"`
	// StartValue is the library's collection value at the start of the
	// year and LossNorm its §34 0.3 %: what may be written off as lost in
	// open access this year.
	StartValue Money `json:"start_value"`
	LossNorm   Money `json:"loss_norm"`
	// ApprovedBy and Approved: the act's "APSTIPRINU" (§32: the director
	// or the founder approves it), once given (accountingdesk2.go).
	ApprovedBy string    `json:"approved_by,omitempty"`
	Approved   time.Time `json:"approved,omitzero"`
}

// MissingOverNorm is by how much the missing value exceeds the §34 norm
// (zero within it).
func (a *InventoryAct) MissingOverNorm() Money {
	if d := a.MissingTally.Value - a.LossNorm; d > 0 {
		return d
	}
	return 0
}

// OpenStocktake opens a stocktaking session for a library. A library has
// at most one open at a time (the scanners need to know where a scan
// goes).
func (s *Service) OpenStocktake(ctx context.Context, req StocktakeRequest) (Stocktake, error) {
	return s.openStocktake(ctx, req, nil)
}

// openStocktake is OpenStocktake; within, when set, runs in its
// transaction once the session is written (the desk's permission check
// and audit entry, accountingdesk.go).
func (s *Service) openStocktake(ctx context.Context, req StocktakeRequest, within func(tx, *Stocktake) error) (st Stocktake, err error) {
	start := time.Now()
	defer func() { s.done("stocktake_open", start, err) }()
	if _, err := s.library(req.Library); err != nil {
		return Stocktake{}, err
	}
	if strings.TrimSpace(req.Commission.Chair) == "" {
		return Stocktake{}, refuse(ReasonBadRequest, "a stocktaking needs the commission's chair (§27)")
	}
	if req.FromCallNumber != "" && req.ToCallNumber != "" && req.FromCallNumber > req.ToCallNumber {
		return Stocktake{}, refuse(ReasonBadRequest, "call number range %q..%q is empty", req.FromCallNumber, req.ToCallNumber)
	}
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		if id, ok, err := t.Get(bStocktakeOpen, req.Library); err != nil {
			return err
		} else if ok {
			return refuse(ReasonStocktakeOpen, "library %s has stocktaking %s open", req.Library, id)
		}
		id, err := t.newID(bStocktake, "ST")
		if err != nil {
			return err
		}
		st = Stocktake{ID: id, Library: req.Library, FromCallNumber: req.FromCallNumber, ToCallNumber: req.ToCallNumber,
			Commission: req.Commission, Opened: now}
		if err := t.putRecord(bStocktake, id, &st); err != nil {
			return err
		}
		if err := t.Put(bStocktakeOpen, req.Library, []byte(id)); err != nil || within == nil {
			return err
		}
		return within(t, &st)
	})
	return st, err
}

// Stocktakes lists a library's sessions ("" every library), oldest first.
func (s *Service) Stocktakes(ctx context.Context, library string) (out []Stocktake, err error) {
	err = s.view(ctx, func(t tx) error {
		out = out[:0]
		return t.Scan(bStocktake, "", func(_ string, v []byte) error {
			var st Stocktake
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("core: decode stocktake: %w", err)
			}
			if library == "" || st.Library == library {
				out = append(out, st)
			}
			return nil
		})
	})
	return out, err
}

// StocktakeByID returns one session.
func (s *Service) StocktakeByID(ctx context.Context, id string) (st Stocktake, err error) {
	err = s.view(ctx, func(t tx) error {
		x, err := t.stocktake(id)
		if err == nil {
			st = *x
		}
		return err
	})
	return st, err
}

// OpenStocktakeOf returns the library's open session, if any.
func (s *Service) OpenStocktakeOf(ctx context.Context, library string) (st Stocktake, ok bool, err error) {
	err = s.view(ctx, func(t tx) error {
		id, found, err := t.Get(bStocktakeOpen, library)
		if err != nil || !found {
			return err
		}
		x, err := t.stocktake(string(id))
		if err == nil {
			st, ok = *x, true
		}
		return err
	})
	return st, ok, err
}

func (t tx) stocktake(id string) (*Stocktake, error) {
	var st Stocktake
	ok, err := t.getRecord(bStocktake, id, &st)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonBadRequest, "no stocktaking %q", id)
	}
	return &st, nil
}

// Scan is the outcome of marking a barcode seen.
type Scan struct {
	// Stocktake is the session the scan went to.
	Stocktake string
	// Item is the copy's record; nil when the barcode has none (it is
	// recorded as found without record).
	Item *Item
	// First is false when the barcode had been scanned in the session
	// already (a scan is idempotent).
	First bool
	// Elsewhere: the copy's record puts it in another library or outside
	// the session's range.
	Elsewhere bool
}

// MarkSeen marks a barcode seen in the library's open stocktaking. It is
// idempotent; a barcode without a record is kept as found without record.
func (s *Service) MarkSeen(ctx context.Context, library, barcode string) (Scan, error) {
	return s.markSeen(ctx, library, barcode, nil)
}

// markSeen is MarkSeen; within, when set, runs in its transaction once a
// first scan is written.
func (s *Service) markSeen(ctx context.Context, library, barcode string, within func(tx, *Scan) error) (sc Scan, err error) {
	start := time.Now()
	defer func() { s.done("stocktake_scan", start, err) }()
	barcode = strings.TrimSpace(barcode)
	if barcode == "" {
		return Scan{}, refuse(ReasonBadRequest, "no barcode given")
	}
	err = s.update(ctx, func(t tx) error {
		sc = Scan{}
		id, ok, err := t.Get(bStocktakeOpen, library)
		if err != nil {
			return err
		}
		if !ok {
			return refuse(ReasonNoStocktake, "library %s has no stocktaking open", library)
		}
		sc.Stocktake = string(id)
		var it Item
		found, err := t.getRecord(bItem, barcode, &it)
		if err != nil {
			return err
		}
		mark := seenNoRecord
		if found {
			sc.Item, mark = &it, seenRecord
			if it.Library != library {
				sc.Elsewhere = true
			} else if st, err := t.stocktake(sc.Stocktake); err != nil {
				return err
			} else {
				sc.Elsewhere = !st.covers(it.CallNumber)
			}
		}
		key := sc.Stocktake + "/" + barcode
		if _, seen, err := t.Get(bStocktakeSeen, key); err != nil || seen {
			return err
		}
		sc.First = true
		if err := t.Put(bStocktakeSeen, key, []byte(mark)); err != nil || within == nil {
			return err
		}
		return within(t, &sc)
	})
	return sc, err
}

// MarkSeenAll marks a list of barcodes (a scanner's file) seen, in
// batches, and returns how many were new and how many had no record.
func (s *Service) MarkSeenAll(ctx context.Context, library string, barcodes []string) (first, noRecord int, err error) {
	const batch = 2000
	for len(barcodes) > 0 {
		n := min(batch, len(barcodes))
		part := barcodes[:n]
		barcodes = barcodes[n:]
		var f, nr int
		err = s.update(ctx, func(t tx) error {
			f, nr = 0, 0
			id, ok, err := t.Get(bStocktakeOpen, library)
			if err != nil {
				return err
			}
			if !ok {
				return refuse(ReasonNoStocktake, "library %s has no stocktaking open", library)
			}
			for _, b := range part {
				b = strings.TrimSpace(b)
				if b == "" {
					continue
				}
				key := string(id) + "/" + b
				if _, seen, err := t.Get(bStocktakeSeen, key); err != nil {
					return err
				} else if seen {
					continue
				}
				mark := seenRecord
				if _, has, err := t.Get(bItem, b); err != nil {
					return err
				} else if !has {
					mark = seenNoRecord
					nr++
				}
				f++
				if err := t.Put(bStocktakeSeen, key, []byte(mark)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return first, noRecord, err
		}
		first, noRecord = first+f, noRecord+nr
	}
	return first, noRecord, nil
}

// nextNumber numbers an act of kind for library at now (§25: from 1 every
// year, by the library's calendar).
func (s *Service) nextNumber(t tx, kind, library string, now time.Time) (accounting.Number, error) {
	key := kind + "/" + library
	c := accounting.Counter{Library: library}
	if _, err := t.getRecord(bActCounter, key, &c); err != nil {
		return accounting.Number{}, err
	}
	var loc *time.Location
	if l, ok := s.cons.Library(library); ok {
		loc = l.Calendar.Location
	}
	c, n := c.Next(now, loc)
	if err := t.putRecord(bActCounter, key, &c); err != nil {
		return accounting.Number{}, err
	}
	return accounting.Number{Year: c.Year, N: n}, nil
}

// yearStart is 1 January of now's year in the library's time zone.
func (s *Service) yearStart(library string, now time.Time) time.Time {
	loc := time.UTC
	if l, ok := s.cons.Library(library); ok && l.Calendar.Location != nil {
		loc = l.Calendar.Location
	}
	return time.Date(now.In(loc).Year(), time.January, 1, 0, 0, 0, 0, loc)
}

// inCollectionAt reports whether the copy was in the collection at t: entered
// before it (or with no entry date) and not written off before it.
func inCollectionAt(it *Item, at time.Time) bool {
	if !it.Entered.IsZero() && !it.Entered.Before(at) {
		return false
	}
	if it.Status == ItemWithdrawn && (it.WriteOffDate.IsZero() || it.WriteOffDate.Before(at)) {
		return false
	}
	return true
}

// CloseStocktake ends the session and writes its inventory act: what the
// records expect in the range, what was found, what is missing with its
// value, what patrons have not returned, and the barcodes found without a
// record. Each copy found gets a stocktaking mark (§19.10).
func (s *Service) CloseStocktake(ctx context.Context, id string) (InventoryAct, error) {
	return s.closeStocktake(ctx, id, nil)
}

// closeStocktake is CloseStocktake; within, when set, runs in its
// transaction once the act is written (the desk's permission check and
// audit entry).
func (s *Service) closeStocktake(ctx context.Context, id string, within func(tx, *Stocktake) error) (act InventoryAct, err error) {
	start := time.Now()
	defer func() { s.done("stocktake_close", start, err) }()
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		st, err := t.stocktake(id)
		if err != nil {
			return err
		}
		if !st.Open() {
			return refuse(ReasonBadRequest, "stocktaking %s was closed on %s", id, st.Closed.Format(time.DateOnly))
		}
		seen := map[string]string{}
		prefix := id + "/"
		if err := t.Scan(bStocktakeSeen, prefix, func(k string, v []byte) error {
			seen[k[len(prefix):]] = string(v)
			return nil
		}); err != nil {
			return err
		}
		a := InventoryAct{Library: st.Library, Stocktake: id, Commission: st.Commission, From: st.Opened, To: now,
			Missing: []ActCopy{}, OnLoan: []ActCopy{}, NoRecord: []string{}}
		yearStart := s.yearStart(st.Library, now)
		var marked []Item // found (stocktaking mark) or newly missing
		mark := fmt.Sprintf("%d inventarizācija %s", now.Year(), id)
		err = t.Scan(bItem, "", func(_ string, v []byte) error {
			var it Item
			if err := decode(v, &it); err != nil {
				return err
			}
			if it.Library == st.Library && inCollectionAt(&it, yearStart) {
				a.StartValue += it.Value
			}
			_, wasSeen := seen[it.ID]
			if it.Library != st.Library || !st.covers(it.CallNumber) || it.Status == ItemWithdrawn {
				if wasSeen {
					a.Elsewhere = append(a.Elsewhere, it.ID)
				}
				return nil
			}
			a.Expected.add(&it)
			switch {
			case wasSeen:
				a.Found.add(&it)
				marked = append(marked, it)
			case it.Status == ItemOnLoan || it.Status == ItemLost:
				a.OnLoan = append(a.OnLoan, actCopy(&it))
				a.OnLoanTally.add(&it)
			case it.Status == ItemInTransit:
				a.InTransit = append(a.InTransit, actCopy(&it))
			default:
				a.Missing = append(a.Missing, actCopy(&it))
				a.MissingTally.add(&it)
				if it.Status == ItemAvailable {
					it.Status = ItemMissing // not on the shelf
					marked = append(marked, it)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for b, v := range seen {
			if v == seenNoRecord {
				a.NoRecord = append(a.NoRecord, b)
			}
		}
		sort.Strings(a.NoRecord)
		sort.Strings(a.Elsewhere)
		for i := range marked {
			it := &marked[i]
			if _, ok := seen[it.ID]; ok {
				if it.Stocktaking == "" {
					it.Stocktaking = mark
				} else if !strings.Contains(it.Stocktaking, mark) {
					it.Stocktaking += "; " + mark
				}
				if it.Status == ItemMissing {
					it.Status = ItemAvailable // found on the shelf
				}
			}
			if err := t.putRecord(bItem, it.ID, it); err != nil {
				return err
			}
		}
		a.LossNorm = accounting.LossNorm(a.StartValue)
		if a.Number, err = s.nextNumber(t, actInventory, st.Library, now); err != nil {
			return err
		}
		if err := t.recordStocktaking(marked, seen, a.Number.String(), mark, now); err != nil {
			return err
		}
		st.Closed, st.Act = now, &a
		if err := t.putRecord(bStocktake, id, st); err != nil {
			return err
		}
		if err := t.Delete(bStocktakeOpen, st.Library); err != nil {
			return err
		}
		act = a
		if within != nil {
			return within(t, st)
		}
		return nil
	})
	return act, err
}
