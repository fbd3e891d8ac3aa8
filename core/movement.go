package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/accounting"
)

// The movement history of a copy (Regulation No. 317 annex 4: the
// individual record keeps the copy's receipt, collection movements,
// stocktaking marks and write-off "as history, never overwritten"). Every
// event appends an entry; nothing rewrites or deletes one, so a later edit
// of the copy's record leaves what happened to it untouched.
//
// Entries are keyed by barcode, a blank and a per-copy sequence number: a
// barcode has no blanks, so a copy's prefix takes no other copy's entries,
// and the number comes from the copy's own entries, not from a counter all
// copies share (which would make every write on PostgreSQL meet on one
// row).
const (
	bHistory  = "copy_history" // barcode " " seq -> HistoryEntry
	bMovement = "movement"     // movement id -> Movement
)

// actMovement numbers movements between branches (§19.9 "krājuma kustības
// numurs"), per library the copies leave, per year.
const actMovement = "movement"

// HistoryEvent is what happened to a copy.
type HistoryEvent string

// History events.
const (
	// HistoryReceived: entered in the collection by a receipt (§10.1–10.3).
	HistoryReceived HistoryEvent = "received"
	// HistoryMoved: handed to another branch (structural unit, §19.5).
	HistoryMoved HistoryEvent = "moved"
	// HistoryStocktaking: found on the shelf, or found missing, by a
	// stocktaking (§19.10).
	HistoryStocktaking HistoryEvent = "stocktaking"
	// HistoryWrittenOff: withdrawn by an approved write-off act (§19.11).
	HistoryWrittenOff HistoryEvent = "written_off"
	// HistoryExchangeTransfer: given from the exchange collection to
	// another institution (§40).
	HistoryExchangeTransfer HistoryEvent = "exchange_transfer"
)

// HistoryEntry is one event in a copy's history. It records the copy's
// holding library, call number and value as they were at the event.
type HistoryEntry struct {
	// Seq orders a copy's entries: 1, 2, 3 ...
	Seq   int          `json:"seq"`
	At    time.Time    `json:"at"`
	Event HistoryEvent `json:"event"`
	// Library is the holding library after the event; From the one before
	// (moves only).
	Library    string `json:"library"`
	From       string `json:"from,omitempty"`
	CallNumber string `json:"call_number,omitempty"`
	Value      Money  `json:"value"`
	// Act is the number of the act or register entry behind the event
	// ("3/2026"), Kind what kind of act it is.
	Act  string `json:"act,omitempty"`
	Kind string `json:"kind,omitempty"`
	// Detail says more: the write-off reason, the stocktaking mark, the
	// institution a copy went to, the copy it replaced.
	Detail string `json:"detail,omitempty"`
	// By is the named person who approved the act.
	By string `json:"by,omitempty"`
}

// appendHistory adds an entry at the end of a copy's history.
func (t tx) appendHistory(it *Item, e HistoryEntry) error {
	prefix := it.ID + " "
	last := 0
	if err := t.Scan(bHistory, prefix, func(k string, _ []byte) error {
		n, err := strconv.Atoi(k[len(prefix):])
		if err != nil {
			return fmt.Errorf("core: bad history key %q: %w", k, err)
		}
		last = max(last, n)
		return nil
	}); err != nil {
		return err
	}
	e.Seq = last + 1
	if e.Library == "" {
		e.Library = it.Library
	}
	if e.CallNumber == "" {
		e.CallNumber = it.CallNumber
	}
	if e.Value == 0 {
		e.Value = it.Value
	}
	return t.putRecord(bHistory, prefix+pad(uint64(e.Seq)), &e)
}

// History returns a copy's history, oldest first. A copy with no recorded
// events (entered before bibgate kept history, by an import) has an empty
// one; a barcode that never had a record is refused.
func (s *Service) History(ctx context.Context, barcode string) (out []HistoryEntry, err error) {
	barcode = strings.TrimSpace(barcode)
	err = s.view(ctx, func(t tx) error {
		out = []HistoryEntry{}
		prefix := barcode + " "
		if err := t.Scan(bHistory, prefix, func(_ string, v []byte) error {
			var e HistoryEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("core: decode history of %s: %w", barcode, err)
			}
			out = append(out, e)
			return nil
		}); err != nil {
			return err
		}
		if len(out) == 0 {
			if _, err := t.item(barcode); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// recordMoved appends a move to the history of a copy whose record was
// edited to another holding library (an import or an edit, not a
// movement act).
func (t tx) recordMoved(old, it *Item, now time.Time) error {
	if old.Library == it.Library {
		return nil
	}
	return t.appendHistory(it, HistoryEntry{At: now, Event: HistoryMoved, From: old.Library, Library: it.Library,
		Detail: "record edited"})
}

// MoveRequest hands copies from one branch to another for good (a change
// of structural unit, §19.5), not a transit for a hold.
type MoveRequest struct {
	From, To string
	// Items are the barcodes of the copies.
	Items []string
	// By is the named person who signs the movement.
	By string
	// CallNumber, when set, is the copies' shelf index at the new branch.
	CallNumber string
}

// Movement is a movement of copies between branches, numbered per library
// the copies leave, per year (§19.9).
type Movement struct {
	ID     string            `json:"id"`
	Number accounting.Number `json:"number"`
	From   string            `json:"from"`
	To     string            `json:"to"`
	By     string            `json:"by"`
	Date   time.Time         `json:"date"`
	Copies []ActCopy         `json:"copies"`
	Tally  Tally             `json:"tally"`
}

// MoveCopies moves copies on the shelf from one branch to another: each
// gets the new holding library, the movement number on its record (§19.9)
// and an entry in its history. A copy on loan, trapped for a hold, in
// transit or written off is refused, and then nothing moves.
func (s *Service) MoveCopies(ctx context.Context, req MoveRequest) (m Movement, err error) {
	start := time.Now()
	defer func() { s.done("move_copies", start, err) }()
	if _, err := s.library(req.From); err != nil {
		return Movement{}, err
	}
	if _, err := s.library(req.To); err != nil {
		return Movement{}, err
	}
	if req.From == req.To {
		return Movement{}, refuse(ReasonBadRequest, "copies move between two different libraries")
	}
	if strings.TrimSpace(req.By) == "" {
		return Movement{}, refuse(ReasonBadRequest, "a movement is signed by a named person")
	}
	ids := uniqueIDs(req.Items)
	if len(ids) == 0 {
		return Movement{}, refuse(ReasonBadRequest, "no copies to move")
	}
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		m = Movement{From: req.From, To: req.To, By: req.By, Date: now, Copies: make([]ActCopy, 0, len(ids))}
		var its []*Item
		for _, id := range ids {
			it, err := t.item(id)
			if err != nil {
				return err
			}
			switch {
			case it.Library != req.From:
				return refuse(ReasonBadRequest, "copy %s belongs to %s, not %s", it.ID, it.Library, req.From)
			case it.Status != ItemAvailable && it.Status != ItemMissing || it.LoanID != "" || it.HoldID != "":
				return refuse(ReasonBadRequest, "copy %s is %s: only copies on the shelf move between branches", it.ID, it.Status)
			}
			its = append(its, it)
		}
		var err error
		if m.Number, err = s.nextNumber(t, actMovement, req.From, now); err != nil {
			return err
		}
		if m.ID, err = t.newID(bMovement, "MV"); err != nil {
			return err
		}
		for _, it := range its {
			it.Library, it.MovementNo = req.To, m.Number.String()
			if req.CallNumber != "" {
				it.CallNumber = req.CallNumber
			}
			m.Copies = append(m.Copies, actCopy(it))
			m.Tally.add(it)
			if err := t.putRecord(bItem, it.ID, it); err != nil {
				return err
			}
			if err := t.appendHistory(it, HistoryEntry{At: now, Event: HistoryMoved, From: req.From, Act: m.Number.String(),
				Kind: actMovement, By: req.By}); err != nil {
				return err
			}
		}
		return t.putRecord(bMovement, m.ID, &m)
	})
	return m, err
}

// Movements lists the movements out of or into a library ("" every
// library), oldest first.
func (s *Service) Movements(ctx context.Context, library string) (out []Movement, err error) {
	err = s.view(ctx, func(t tx) error {
		out = []Movement{}
		return t.Scan(bMovement, "", func(_ string, v []byte) error {
			var m Movement
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("core: decode movement: %w", err)
			}
			if library == "" || m.From == library || m.To == library {
				out = append(out, m)
			}
			return nil
		})
	})
	return out, err
}

// uniqueIDs trims barcodes and drops blanks and repeats, keeping order.
func uniqueIDs(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range in {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// recordStocktaking appends the stocktaking's outcome to the history of
// the copies it marked: found on the shelf (with the mark) or found
// missing.
func (t tx) recordStocktaking(marked []Item, seen map[string]string, act, mark string, now time.Time) error {
	for i := range marked {
		it := &marked[i]
		detail := "missing"
		if _, ok := seen[it.ID]; ok {
			detail = "found: " + mark
		}
		if err := t.appendHistory(it, HistoryEntry{At: now, Event: HistoryStocktaking, Act: act, Kind: actInventory,
			Detail: detail}); err != nil {
			return err
		}
	}
	return nil
}
