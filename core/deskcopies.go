package core

import (
	"context"
	"strings"
	"time"
)

// Copies at the staff desk: a copy's record as staff see it, a new copy
// of a catalogue record, an edit of a copy's record (cataloguing,
// ActCatalogue at the copy's library), and the fixed label fee for a
// destroyed barcode or security label (ActItemStatus, as damage is). Every
// write is audited in its transaction (desk.go).
//
// A copy added here enters the catalogue without the accounting of a
// receipt (Regulation No. 317 §10, §16): like an imported copy it has no
// entry date nor summary-register entry number. A new acquisition enters
// the collection by a receipt act (receipt.go), which gives both.

// ReasonItemExists refuses a new copy under a barcode in use.
const ReasonItemExists Reason = "item_exists"

// DeskItem returns a copy with its circulation state (never who has it)
// and its history, for any signed-in staff member.
func (s *Service) DeskItem(ctx context.Context, by Actor, barcode string) (sum ItemSummary, hist []HistoryEntry, err error) {
	err = s.staffView(ctx, "item", by, func(tx, Actor, time.Time) error { return nil })
	if err != nil {
		return ItemSummary{}, nil, err
	}
	if sum, err = s.Item(ctx, strings.TrimSpace(barcode)); err != nil {
		return ItemSummary{}, nil, err
	}
	hist, err = s.History(ctx, sum.Item.ID)
	return sum, hist, err
}

// NewCopy is a copy added at the desk.
type NewCopy struct {
	ID              string `json:"id"`
	InventoryNumber string `json:"inventory_number,omitempty"`
	RecordID        string `json:"record_id"`
	Title           string `json:"title,omitempty"`
	Author          string `json:"author,omitempty"`
	// Library is the holding library ("" the staff member's own).
	Library    string `json:"library,omitempty"`
	CallNumber string `json:"call_number,omitempty"`
	// Material is the material type the loan rules know it by (default
	// book).
	Material string `json:"material,omitempty"`
	// Value is the price for accounting, in cents (§19.7).
	Value           Money  `json:"value"`
	HighDemand      bool   `json:"high_demand,omitempty"`
	ReadingRoomOnly bool   `json:"reading_room_only,omitempty"`
	Properties      string `json:"properties,omitempty"`
}

// DeskAddCopy adds a copy of a catalogue record, on the shelf. The barcode
// must be new to the consortium.
func (s *Service) DeskAddCopy(ctx context.Context, by Actor, c NewCopy) (out Item, err error) {
	it := Item{ID: strings.TrimSpace(c.ID), InventoryNumber: strings.TrimSpace(c.InventoryNumber), RecordID: strings.TrimSpace(c.RecordID),
		Title: strings.TrimSpace(c.Title), Author: strings.TrimSpace(c.Author), Library: strings.TrimSpace(c.Library),
		CallNumber: strings.TrimSpace(c.CallNumber), Material: strings.TrimSpace(c.Material), Value: c.Value,
		HighDemand: c.HighDemand, ReadingRoomOnly: c.ReadingRoomOnly, Properties: c.Properties, Status: ItemAvailable}
	switch {
	case it.ID == "" || strings.ContainsAny(it.ID, " \t\r\n|/"):
		return Item{}, refuse(ReasonBadRequest, "a barcode without blanks, slashes or |")
	case it.RecordID == "" || strings.Contains(it.RecordID, "/"):
		return Item{}, refuse(ReasonBadRequest, "copy %s needs the id of its catalogue record", it.ID)
	case it.Value < 0:
		return Item{}, refuse(ReasonBadRequest, "copy %s has a negative value", it.ID)
	}
	if it.Material == "" {
		it.Material = "book"
	}
	err = s.staffUpdate(ctx, "add_copy", by, func(t tx, a Actor, _ time.Time) error {
		it := it
		if it.Library == "" {
			it.Library = a.Staff.Library
		}
		if _, err := s.library(it.Library); err != nil {
			return err
		}
		if err := Permit(a.Staff, ActCatalogue, it.Library); err != nil {
			return err
		}
		if _, ok, err := t.Get(bItem, it.ID); err != nil || ok {
			if ok {
				return refuse(ReasonItemExists, "barcode %s belongs to a copy already", it.ID)
			}
			return err
		}
		if err := t.putRecord(bItem, it.ID, &it); err != nil {
			return err
		}
		if err := t.Put(bRecordItems, it.RecordID+"/"+it.ID, nil); err != nil {
			return err
		}
		out = it
		return s.audit(t, a, "item_add", "item/"+it.ID, it.Library, nil, it)
	})
	return out, err
}

// CopyChanges are the fields of a copy's record staff edit; nil leaves a
// field as it is. The holding library is not among them: a copy changes
// branch by a movement (MoveCopies, §19.9), which numbers it.
type CopyChanges struct {
	InventoryNumber *string `json:"inventory_number,omitempty"`
	Title           *string `json:"title,omitempty"`
	Author          *string `json:"author,omitempty"`
	// CallNumber is the shelf index: where the copy stands.
	CallNumber      *string `json:"call_number,omitempty"`
	Material        *string `json:"material,omitempty"`
	Value           *Money  `json:"value,omitempty"`
	HighDemand      *bool   `json:"high_demand,omitempty"`
	ReadingRoomOnly *bool   `json:"reading_room_only,omitempty"`
	// Properties is free text kept about the copy (SIP2 CH: the pieces of
	// a kit, its state).
	Properties *string `json:"properties,omitempty"`
}

// DeskEditCopy changes a copy's record at its library. Its circulation
// state is not edited here (checkin, DeclareItem do that), and a written
// off copy's record stays as the write-off act left it.
func (s *Service) DeskEditCopy(ctx context.Context, by Actor, barcode string, c CopyChanges) (out Item, err error) {
	err = s.staffUpdate(ctx, "edit_copy", by, func(t tx, a Actor, _ time.Time) error {
		it, err := t.item(strings.TrimSpace(barcode))
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActCatalogue, it.Library); err != nil {
			return err
		}
		if it.Status == ItemWithdrawn {
			return refuse(ReasonItemUnusable, "copy %s is written off (act %s): its record is kept as it was", it.ID, it.WriteOffAct)
		}
		before := *it
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = strings.TrimSpace(*v)
			}
		}
		set(&it.InventoryNumber, c.InventoryNumber)
		set(&it.Title, c.Title)
		set(&it.Author, c.Author)
		set(&it.CallNumber, c.CallNumber)
		set(&it.Material, c.Material)
		if c.Properties != nil {
			it.Properties = *c.Properties
		}
		if c.Value != nil {
			if *c.Value < 0 {
				return refuse(ReasonBadRequest, "copy %s: a negative value", it.ID)
			}
			it.Value = *c.Value
		}
		if c.HighDemand != nil {
			it.HighDemand = *c.HighDemand
		}
		if c.ReadingRoomOnly != nil {
			it.ReadingRoomOnly = *c.ReadingRoomOnly
		}
		if it.Material == "" {
			return refuse(ReasonBadRequest, "copy %s needs a material type", it.ID)
		}
		if err := t.putRecord(bItem, it.ID, it); err != nil {
			return err
		}
		out = *it
		return s.audit(t, a, "item_edit", "item/"+it.ID, it.Library, before, out)
	})
	return out, err
}

// DeskLabelFee charges the fixed fee for a destroyed barcode or security
// label (domain rules: "cost a fixed fee"; the copy's library's LabelFee)
// to the patron with card, by default the copy's borrower.
func (s *Service) DeskLabelFee(ctx context.Context, by Actor, barcode, card, note string) (fee Fee, err error) {
	err = s.staffUpdate(ctx, "label_fee", by, func(t tx, a Actor, _ time.Time) error {
		it, err := t.item(strings.TrimSpace(barcode))
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActItemStatus, it.Library); err != nil {
			return err
		}
		card := strings.TrimSpace(card)
		if card == "" && it.Status == ItemOnLoan {
			if l, err := t.loan(it.LoanID); err == nil {
				card = l.PatronID
			}
		}
		if card == "" {
			return refuse(ReasonBadRequest, "copy %s is not on loan: name the patron to charge", it.ID)
		}
		p, err := t.patron(card)
		if err != nil {
			return err
		}
		amount := s.rules(it.Library, p.Category, it.Material).LabelFee
		desc := "label destroyed: " + it.Title
		if note = strings.TrimSpace(note); note != "" {
			desc += " (" + clip(note, 200) + ")"
		}
		if err := s.chargeTx(card, FeeLabel, amount, it.ID, desc, &fee)(t); err != nil {
			return err
		}
		return s.auditFor(t, a, card, "item_label_fee", "item/"+it.ID, it.Library, nil, map[string]any{"fee": fee, "note": clip(note, 200)})
	})
	return fee, err
}
