package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/accounting"
)

// The exchange collection (Regulation No. 317 §38–40): copies written off
// with reason 33.8 that kept some value are not destroyed but kept apart,
// and may be given free of charge to libraries and other institutions with
// a transfer act. A copy in it is written off (it counts in part 2 of the
// summary register and left circulation) and waits in the collection of
// the library that wrote it off until a transfer act takes it.
const (
	bExchange         = "exchange"          // library " " barcode -> ExchangeCopy
	bExchangeTransfer = "exchange_transfer" // act id -> ExchangeTransfer
)

// actExchangeTransfer numbers transfer acts per library per year.
const actExchangeTransfer = "exchange_transfer"

// ExchangeCopy is a copy in a library's exchange collection.
type ExchangeCopy struct {
	ActCopy
	Library string `json:"library"`
	// WriteOffAct is the number of the act that put it there, Since its
	// date.
	WriteOffAct string    `json:"write_off_act"`
	Since       time.Time `json:"since"`
}

// ExchangeTransferRequest gives copies of the exchange collection to
// another institution (§40).
type ExchangeTransferRequest struct {
	Library string
	// Recipient is the institution the copies go to; RecipientID its
	// registration number, if any.
	Recipient, RecipientID string
	// Items are the barcodes of the copies.
	Items      []string
	Commission Commission
	// ApprovedBy is the named person approving the transfer (§5.6: on the
	// commission's decision).
	ApprovedBy string
}

// ExchangeTransfer is a transfer act of copies from the exchange
// collection, numbered per library per year.
type ExchangeTransfer struct {
	ID          string            `json:"id"`
	Number      accounting.Number `json:"number"`
	Library     string            `json:"library"`
	Recipient   string            `json:"recipient"`
	RecipientID string            `json:"recipient_id,omitempty"`
	Commission  Commission        `json:"commission"`
	ApprovedBy  string            `json:"approved_by"`
	Date        time.Time         `json:"date"`
	Copies      []ActCopy         `json:"copies"`
	Tally       Tally             `json:"tally"`
}

// afterWriteOff records a copy just withdrawn by act a: an entry in its
// history and, for reason 33.8, a place in the exchange collection.
func (t tx) afterWriteOff(a *WriteOffAct, it *Item, now time.Time) error {
	if err := t.appendHistory(it, HistoryEntry{At: now, Event: HistoryWrittenOff, Act: a.Number.String(),
		Kind: actWriteOff, Detail: a.Reason, By: a.ApprovedBy}); err != nil {
		return err
	}
	if a.Reason != accounting.ReasonExchange {
		return nil
	}
	e := ExchangeCopy{ActCopy: actCopy(it), Library: a.Library, WriteOffAct: a.Number.String(), Since: now}
	return t.putRecord(bExchange, a.Library+" "+it.ID, &e)
}

// ExchangeCollection lists a library's exchange collection ("" every
// library), by library and barcode.
func (s *Service) ExchangeCollection(ctx context.Context, library string) (out []ExchangeCopy, err error) {
	prefix := ""
	if library != "" {
		prefix = library + " "
	}
	err = s.view(ctx, func(t tx) error {
		out = []ExchangeCopy{}
		return t.Scan(bExchange, prefix, func(_ string, v []byte) error {
			var e ExchangeCopy
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("core: decode exchange copy: %w", err)
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// TransferExchange writes a transfer act for copies of a library's
// exchange collection given to another institution: the act gets its
// number for the library and year, the copies leave the exchange
// collection and each gets an entry in its history. A copy not in the
// collection is refused, and then nothing is transferred.
func (s *Service) TransferExchange(ctx context.Context, req ExchangeTransferRequest) (ExchangeTransfer, error) {
	return s.transferExchange(ctx, req, nil)
}

// transferExchange is TransferExchange; within, when set, runs in its
// transaction once the act is written.
func (s *Service) transferExchange(ctx context.Context, req ExchangeTransferRequest, within func(tx, *ExchangeTransfer) error) (act ExchangeTransfer, err error) {
	start := time.Now()
	defer func() { s.done("exchange_transfer", start, err) }()
	if _, err := s.library(req.Library); err != nil {
		return ExchangeTransfer{}, err
	}
	req.Recipient = strings.TrimSpace(req.Recipient)
	if req.Recipient == "" {
		return ExchangeTransfer{}, refuse(ReasonBadRequest, "a transfer act names the institution the copies go to (§40)")
	}
	if strings.TrimSpace(req.ApprovedBy) == "" {
		return ExchangeTransfer{}, refuse(ReasonBadRequest, "a transfer act is approved by a named person")
	}
	ids := uniqueIDs(req.Items)
	if len(ids) == 0 {
		return ExchangeTransfer{}, refuse(ReasonBadRequest, "no copies to transfer")
	}
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		a := ExchangeTransfer{Library: req.Library, Recipient: req.Recipient, RecipientID: strings.TrimSpace(req.RecipientID),
			Commission: req.Commission, ApprovedBy: req.ApprovedBy, Date: now, Copies: make([]ActCopy, 0, len(ids))}
		var its []*Item
		for _, id := range ids {
			if _, ok, err := t.Get(bExchange, req.Library+" "+id); err != nil {
				return err
			} else if !ok {
				return refuse(ReasonBadRequest, "copy %s is not in the exchange collection of %s", id, req.Library)
			}
			it, err := t.item(id)
			if err != nil {
				return err
			}
			its = append(its, it)
			a.Copies = append(a.Copies, actCopy(it))
			a.Tally.add(it)
		}
		var err error
		if a.Number, err = s.nextNumber(t, actExchangeTransfer, req.Library, now); err != nil {
			return err
		}
		if a.ID, err = t.newID(bExchangeTransfer, "EX"); err != nil {
			return err
		}
		for _, it := range its {
			if err := t.Delete(bExchange, req.Library+" "+it.ID); err != nil {
				return err
			}
			if err := t.appendHistory(it, HistoryEntry{At: now, Event: HistoryExchangeTransfer, Act: a.Number.String(),
				Kind: actExchangeTransfer, Detail: req.Recipient, By: req.ApprovedBy}); err != nil {
				return err
			}
		}
		act = a
		if err := t.putRecord(bExchangeTransfer, a.ID, &a); err != nil {
			return err
		}
		if within != nil {
			return within(t, &a)
		}
		return nil
	})
	return act, err
}

// ExchangeTransfers lists a library's transfer acts ("" every library),
// oldest first.
func (s *Service) ExchangeTransfers(ctx context.Context, library string) (out []ExchangeTransfer, err error) {
	err = s.view(ctx, func(t tx) error {
		out = []ExchangeTransfer{}
		return t.Scan(bExchangeTransfer, "", func(_ string, v []byte) error {
			var a ExchangeTransfer
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("core: decode transfer act: %w", err)
			}
			if library == "" || a.Library == library {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// ExchangeTransferByID returns one transfer act.
func (s *Service) ExchangeTransferByID(ctx context.Context, id string) (act ExchangeTransfer, err error) {
	err = s.view(ctx, func(t tx) error {
		ok, err := t.getRecord(bExchangeTransfer, id, &act)
		if err == nil && !ok {
			err = refuse(ReasonBadRequest, "no transfer act %q", id)
		}
		return err
	})
	return act, err
}
