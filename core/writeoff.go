package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/accounting"
)

// WriteOffRequest drafts a write-off act (Regulation No. 317 §35, annex 7).
type WriteOffRequest struct {
	Library string
	// Items are the barcodes of the copies to write off.
	Items []string
	// FromStocktake, instead of Items, takes the copies the inventory act
	// of that (closed) stocktaking found missing.
	FromStocktake string
	// Reason is a §33 reason code (accounting.ReasonLost, ...) or its
	// paragraph ("33.6").
	Reason     string
	Commission Commission
	// Disposal says what is done with the copies (annex 7: "norādīt
	// darbības"), e.g. "nodoti makulatūrā".
	Disposal string
}

// WriteOffAct is a write-off act: drafted with its copies, then approved
// by a named person, which withdraws the copies.
type WriteOffAct struct {
	ID         string            `json:"id"`
	Library    string            `json:"library"`
	Reason     string            `json:"reason"`
	Commission Commission        `json:"commission"`
	Disposal   string            `json:"disposal,omitempty"`
	Stocktake  string            `json:"stocktake,omitempty"`
	Copies     []ActCopy         `json:"copies"`
	Tally      Tally             `json:"tally"`
	Drafted    time.Time         `json:"drafted"`
	Number     accounting.Number `json:"number,omitzero"`
	ApprovedBy string            `json:"approved_by,omitempty"`
	Approved   time.Time         `json:"approved,omitzero"`
}

// ReasonText is the §33 wording of the act's reason.
func (a *WriteOffAct) ReasonText() accounting.Reason {
	r, _ := accounting.ReasonByCode(a.Reason)
	return r
}

// DraftWriteOff drafts a write-off act for copies of a library. Copies on
// loan or trapped for a hold must be checked in first; a copy written off
// already cannot be again.
func (s *Service) DraftWriteOff(ctx context.Context, req WriteOffRequest) (WriteOffAct, error) {
	return s.draftWriteOff(ctx, req, nil)
}

// draftWriteOff is DraftWriteOff; within, when set, runs in its
// transaction once the draft is written (the desk's permission check and
// audit entry, accountingdesk.go).
func (s *Service) draftWriteOff(ctx context.Context, req WriteOffRequest, within func(tx, *WriteOffAct) error) (act WriteOffAct, err error) {
	start := time.Now()
	defer func() { s.done("writeoff_draft", start, err) }()
	if _, err := s.library(req.Library); err != nil {
		return WriteOffAct{}, err
	}
	r, ok := accounting.ReasonByCode(req.Reason)
	if !ok {
		return WriteOffAct{}, refuse(ReasonBadRequest, "write-off reason %q is not one of §33 (%s)", req.Reason, reasonCodes())
	}
	if (len(req.Items) == 0) == (req.FromStocktake == "") {
		return WriteOffAct{}, refuse(ReasonBadRequest, "a write-off act takes either a list of copies or a stocktaking's missing copies")
	}
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		ids := req.Items
		if req.FromStocktake != "" {
			st, err := t.stocktake(req.FromStocktake)
			if err != nil {
				return err
			}
			if st.Act == nil || st.Library != req.Library {
				return refuse(ReasonBadRequest, "stocktaking %s of %s is not closed", st.ID, st.Library)
			}
			ids = ids[:0:0]
			for _, c := range st.Act.Missing {
				ids = append(ids, c.ID)
			}
			if len(ids) == 0 {
				return refuse(ReasonBadRequest, "stocktaking %s found nothing missing", st.ID)
			}
		}
		act = WriteOffAct{Library: req.Library, Reason: r.Code, Commission: req.Commission, Disposal: req.Disposal,
			Stocktake: req.FromStocktake, Drafted: now, Copies: make([]ActCopy, 0, len(ids))}
		dup := map[string]bool{}
		for _, id := range ids {
			id = strings.TrimSpace(id)
			if id == "" || dup[id] {
				continue
			}
			dup[id] = true
			it, err := t.item(id)
			if err != nil {
				return err
			}
			if err := writableOff(it, req.Library); err != nil {
				return err
			}
			act.Copies = append(act.Copies, actCopy(it))
			act.Tally.add(it)
		}
		id, err := t.newID(bWriteOff, "WO")
		if err != nil {
			return err
		}
		act.ID = id
		if err := t.putRecord(bWriteOff, id, &act); err != nil || within == nil {
			return err
		}
		return within(t, &act)
	})
	return act, err
}

func writableOff(it *Item, library string) error {
	switch {
	case it.Library != library:
		return refuse(ReasonBadRequest, "copy %s belongs to %s, not %s", it.ID, it.Library, library)
	case it.Status == ItemWithdrawn:
		return refuse(ReasonItemUnusable, "copy %s is written off already (act %s)", it.ID, it.WriteOffAct)
	case it.Status == ItemOnLoan || it.LoanID != "":
		return refuse(ReasonBadRequest, "copy %s is on loan: check it in (or declare it lost) first", it.ID)
	case it.HoldID != "":
		return refuse(ReasonBadRequest, "copy %s is trapped for hold %s", it.ID, it.HoldID)
	}
	return nil
}

func reasonCodes() string {
	var b []string
	for _, r := range accounting.Reasons() {
		b = append(b, r.Code)
	}
	return strings.Join(b, ", ")
}

// ApproveWriteOff approves a drafted write-off act in the name of
// approvedBy (the director or the founder, §36): the act gets its number
// for the library and year, and every copy on it is withdrawn, leaving
// circulation, the catalogue's holdings and the OPAC, with the act's
// number and date on its record (§19.11, §37).
func (s *Service) ApproveWriteOff(ctx context.Context, id, approvedBy string) (WriteOffAct, error) {
	return s.approveWriteOff(ctx, id, approvedBy, nil)
}

// approveWriteOff is ApproveWriteOff; within, when set, runs in its
// transaction once the act and its copies are written.
func (s *Service) approveWriteOff(ctx context.Context, id, approvedBy string, within func(tx, *WriteOffAct) error) (act WriteOffAct, err error) {
	start := time.Now()
	defer func() { s.done("writeoff_approve", start, err) }()
	if strings.TrimSpace(approvedBy) == "" {
		return WriteOffAct{}, refuse(ReasonBadRequest, "a write-off act is approved by a named person (§36)")
	}
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		var a WriteOffAct
		ok, err := t.getRecord(bWriteOff, id, &a)
		if err != nil {
			return err
		}
		if !ok {
			return refuse(ReasonBadRequest, "no write-off act %q", id)
		}
		if !a.Approved.IsZero() {
			return refuse(ReasonBadRequest, "write-off act %s (%s) was approved on %s", id, a.Number, a.Approved.Format(time.DateOnly))
		}
		if a.Number, err = s.nextNumber(t, actWriteOff, a.Library, now); err != nil {
			return err
		}
		a.ApprovedBy, a.Approved = approvedBy, now
		for _, c := range a.Copies {
			it, err := t.item(c.ID)
			if err != nil {
				return err
			}
			if err := writableOff(it, a.Library); err != nil {
				return err
			}
			it.Status = ItemWithdrawn
			it.WriteOffAct, it.WriteOffDate = a.Number.String(), now
			it.LostBy, it.LostPaidAt = "", time.Time{} // written off: no refund if it turns up
			if err := t.putRecord(bItem, it.ID, it); err != nil {
				return err
			}
			if err := t.afterWriteOff(&a, it, now); err != nil { // history; 33.8: exchange collection
				return err
			}
		}
		act = a
		if err := t.putRecord(bWriteOff, id, &a); err != nil || within == nil {
			return err
		}
		return within(t, &act)
	})
	return act, err
}

// WriteOffs lists a library's write-off acts ("" every library), oldest
// first.
func (s *Service) WriteOffs(ctx context.Context, library string) (out []WriteOffAct, err error) {
	err = s.view(ctx, func(t tx) error {
		out = out[:0]
		return t.Scan(bWriteOff, "", func(_ string, v []byte) error {
			var a WriteOffAct
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("core: decode write-off act: %w", err)
			}
			if library == "" || a.Library == library {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// WriteOffByID returns one write-off act.
func (s *Service) WriteOffByID(ctx context.Context, id string) (act WriteOffAct, err error) {
	err = s.view(ctx, func(t tx) error {
		ok, err := t.getRecord(bWriteOff, id, &act)
		if err == nil && !ok {
			err = refuse(ReasonBadRequest, "no write-off act %q", id)
		}
		return err
	})
	return act, err
}
