package core

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/store"
)

// Buckets and key layout. Index buckets hold keys only (values are small
// hints), so that a scan never decodes a record it does not need.
const (
	bPatron      = "patron"       // card -> Patron
	bPatronEID   = "patron_eid"   // personal code -> card
	bItem        = "item"         // barcode -> Item
	bRecordItems = "record_items" // record/barcode -> ""
	bLoan        = "loan"         // loan id -> Loan
	bPatronLoans = "patron_loans" // card/loan id -> "due-unix record"
	bDue         = "due"          // due-unix/loan id -> "" (open loans)
	bReturned    = "returned"     // returned-unix/loan id -> "" (not yet anonymised)
	bHold        = "hold"         // hold id -> Hold
	bRecordHolds = "record_holds" // record/hold id -> "" (active, queue order)
	bPatronHolds = "patron_holds" // card/hold id -> record
	bHoldExpiry  = "hold_expiry"  // expires-unix/hold id -> "" (ready holds)
	bFee         = "fee"          // fee id -> Fee
	bPatronFees  = "patron_fees"  // card/fee id -> "" (unpaid)
	bNotice      = "notice"       // notice id -> Notice
	bOutbox      = "outbox"       // seq -> notice id
	bPayment     = "payment"      // transaction id -> Receipt
)

// tx wraps a store.Tx with typed accessors.
type tx struct{ store.Tx }

// getRecord reads a record: the binary form for the hot record types,
// JSON for the rest.
func (t tx) getRecord(bucket, key string, v any) (bool, error) {
	b, ok, err := t.Get(bucket, key)
	if err != nil || !ok {
		return ok, err
	}
	if rec, isRec := v.(record); isRec {
		err = decodeRecord(b, rec)
	} else {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return false, fmt.Errorf("core: decode %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// putRecord writes a record in the form getRecord reads.
func (t tx) putRecord(bucket, key string, v any) error {
	if rec, isRec := v.(record); isRec {
		return t.Put(bucket, key, encodeRecord(rec))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("core: encode %s/%s: %w", bucket, key, err)
	}
	return t.Put(bucket, key, b)
}

func (t tx) patron(id string) (*Patron, error) {
	if id == "" {
		return nil, refuse(ReasonPatronNotFound, "no patron card given")
	}
	var p Patron
	ok, err := t.getRecord(bPatron, id, &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonPatronNotFound, "no patron with card %q", id)
	}
	return &p, nil
}

func (t tx) item(id string) (*Item, error) {
	if id == "" {
		return nil, refuse(ReasonItemNotFound, "no item barcode given")
	}
	var it Item
	ok, err := t.getRecord(bItem, id, &it)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonItemNotFound, "no item with barcode %q", id)
	}
	return &it, nil
}

func (t tx) loan(id string) (*Loan, error) {
	var l Loan
	ok, err := t.getRecord(bLoan, id, &l)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonLoanNotFound, "no loan %q", id)
	}
	return &l, nil
}

func (t tx) hold(id string) (*Hold, error) {
	var h Hold
	ok, err := t.getRecord(bHold, id, &h)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonHoldNotFound, "no hold %q", id)
	}
	return &h, nil
}

func (t tx) fee(id string) (*Fee, error) {
	var f Fee
	ok, err := t.getRecord(bFee, id, &f)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonFeeNotFound, "no fee %q", id)
	}
	return &f, nil
}

func (t tx) newID(bucket, prefix string) (string, error) {
	n, err := t.NextSequence(bucket)
	if err != nil {
		return "", fmt.Errorf("core: next %s id: %w", bucket, err)
	}
	return prefix + pad(n), nil
}

// newLoanID is newID for loans: every checkout makes one, so on a store
// that offers it the number comes from store.UniqueIDs, which does not hold
// the counter until the checkout commits (with many gateways on one
// PostgreSQL, checkouts would otherwise queue on that one row). Loan ids
// need only be unique.
func (t tx) newLoanID() (string, error) {
	u, ok := t.Tx.(store.UniqueIDs)
	if !ok {
		return t.newID(bLoan, "L")
	}
	n, err := u.UniqueID(bLoan)
	if err != nil {
		return "", fmt.Errorf("core: next %s id: %w", bLoan, err)
	}
	return "L" + pad(n), nil
}

// pad renders n fixed-width so that ids sort in creation order.
func pad(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) < 12 {
		s = strings.Repeat("0", 12-len(s)) + s
	}
	return s
}

// timeKey renders t so that keys sort by time.
func timeKey(t time.Time) string {
	u := t.Unix()
	if u < 0 {
		u = 0
	}
	return pad(uint64(u))
}

// keys lists the keys under prefix (the prefix stripped).
func (t tx) keys(bucket, prefix string) ([]string, error) {
	var out []string
	err := t.Scan(bucket, prefix, func(k string, _ []byte) error {
		out = append(out, k[len(prefix):])
		return nil
	})
	return out, err
}

// patronLoans returns the patron's open loans as (loan id, due, record).
type loanRef struct {
	LoanID string
	Due    time.Time
	Record string
}

func (t tx) patronLoans(card string) ([]loanRef, error) {
	var out []loanRef
	prefix := card + "/"
	err := t.Scan(bPatronLoans, prefix, func(k string, v []byte) error {
		due, rec, _ := strings.Cut(string(v), " ")
		u, err := strconv.ParseInt(due, 10, 64)
		if err != nil {
			return fmt.Errorf("core: bad loan index %s: %w", k, err)
		}
		out = append(out, loanRef{LoanID: k[len(prefix):], Due: time.Unix(u, 0), Record: rec})
		return nil
	})
	return out, err
}

func (t tx) indexLoan(l *Loan, record string) error {
	if err := t.Put(bPatronLoans, l.PatronID+"/"+l.ID, []byte(strconv.FormatInt(l.Due.Unix(), 10)+" "+record)); err != nil {
		return err
	}
	return t.Put(bDue, timeKey(l.Due)+"/"+l.ID, nil)
}

func (t tx) unindexLoan(l *Loan) error {
	if err := t.Delete(bPatronLoans, l.PatronID+"/"+l.ID); err != nil {
		return err
	}
	return t.Delete(bDue, timeKey(l.Due)+"/"+l.ID)
}

// closeLoan ends a loan at returned: out of the open-loan indexes, into the
// queue of returned loans waiting to be anonymised.
func (t tx) closeLoan(l *Loan, returned time.Time) error {
	if err := t.unindexLoan(l); err != nil {
		return err
	}
	l.Returned, l.RenewalRequested = returned, false
	if err := t.putRecord(bLoan, l.ID, l); err != nil {
		return err
	}
	if err := t.trail(l.PatronID, trailLoan, l.ID); err != nil {
		return err
	}
	return t.Put(bReturned, timeKey(returned)+"/"+l.ID, nil)
}

// addFee records a charge and raises the patron's balance.
func (t tx) addFee(p *Patron, f Fee) (*Fee, error) {
	id, err := t.newID(bFee, "F")
	if err != nil {
		return nil, err
	}
	f.ID, f.PatronID = id, p.ID
	if err := t.putRecord(bFee, id, &f); err != nil {
		return nil, err
	}
	if err := t.trail(p.ID, trailFee, id); err != nil {
		return nil, err
	}
	if f.Outstanding() != 0 {
		if err := t.Put(bPatronFees, p.ID+"/"+id, nil); err != nil {
			return nil, err
		}
	}
	p.Owed += f.Outstanding()
	return &f, nil
}

// addNotice writes a notice once: a notice with the same id is left alone,
// so a job that runs twice (or in two processes) notifies once.
func (t tx) addNotice(n Notice) (bool, error) {
	if _, ok, err := t.Get(bNotice, n.ID); err != nil || ok {
		return false, err
	}
	if err := t.putRecord(bNotice, n.ID, &n); err != nil {
		return false, err
	}
	if err := t.trail(n.PatronID, trailNotice, n.ID); err != nil {
		return false, err
	}
	seq, err := t.NextSequence(bOutbox)
	if err != nil {
		return false, err
	}
	return true, t.Put(bOutbox, pad(seq), []byte(n.ID))
}

func decode(b []byte, v any) error {
	if rec, ok := v.(record); ok {
		return decodeRecord(b, rec)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("core: decode: %w", err)
	}
	return nil
}
