package core

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// The hot records (patrons, items, loans, holds, fees) are stored in a
// compact binary form instead of JSON: decoding JSON by reflection was a
// quarter of the CPU time of an item lookup. A record starts with a format
// version byte; fields follow in a fixed order, strings and counts as
// uvarint-prefixed bytes, numbers as varints, times as Unix nanoseconds
// (0 for the zero time) plus the zone offset in seconds.
const recordVersion = 1

type wbuf struct{ b []byte }

func (w *wbuf) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *wbuf) int(n int64) { w.b = binary.AppendVarint(w.b, n) }
func (w *wbuf) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}
func (w *wbuf) time(t time.Time) {
	if t.IsZero() {
		w.int(0)
		return
	}
	_, off := t.Zone()
	w.int(t.UnixNano())
	w.int(int64(off))
}

var errShort = errors.New("core: truncated record")

type rbuf struct {
	b   []byte
	err error
}

func (r *rbuf) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}
func (r *rbuf) int() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}
func (r *rbuf) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if uint64(len(r.b)) < n {
		r.err = errShort
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
func (r *rbuf) bool() bool {
	if r.err != nil || len(r.b) == 0 {
		r.err = errShort
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}
func (r *rbuf) time() time.Time {
	ns := r.int()
	if ns == 0 || r.err != nil {
		return time.Time{}
	}
	off := r.int()
	return time.Unix(0, ns).In(zone(int(off)))
}
func (r *rbuf) money() Money { return policy.Money(r.int()) }

// zone returns a fixed zone for an offset; UTC for 0.
func zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("", off)
}

// record is a stored record with a binary form.
type record interface {
	encode(w *wbuf)
	decode(r *rbuf)
}

func encodeRecord(rec record) []byte {
	w := wbuf{b: make([]byte, 1, 128)}
	w.b[0] = recordVersion
	rec.encode(&w)
	return w.b
}

func decodeRecord(b []byte, rec record) error {
	if len(b) == 0 || b[0] != recordVersion {
		return fmt.Errorf("core: unknown record format")
	}
	r := rbuf{b: b[1:]}
	rec.decode(&r)
	return r.err
}

func (p *Patron) encode(w *wbuf) {
	for _, s := range []string{p.ID, p.Name, p.Email, p.Phone, p.PINHash, p.PersonalCode, p.Category, p.HomeLibrary} {
		w.str(s)
	}
	w.time(p.BirthDate)
	w.bool(p.Guardian != nil)
	if p.Guardian != nil {
		w.str(p.Guardian.Name)
		w.str(p.Guardian.Email)
		w.str(p.Guardian.Phone)
	}
	w.bool(p.IdentityConfirmed)
	w.bool(p.Resident)
	w.bool(p.Blocked)
	w.str(p.BlockReason)
	w.time(p.ValidUntil)
	w.str(p.Language)
	w.int(int64(p.LoansOut))
	w.int(int64(p.Holds))
	w.int(int64(p.Owed))
	w.time(p.Registered)
	w.time(p.LastActive)
	w.str(p.BlockedBy) // added last: records written before it end here
}

func (p *Patron) decode(r *rbuf) {
	for _, s := range []*string{&p.ID, &p.Name, &p.Email, &p.Phone, &p.PINHash, &p.PersonalCode, &p.Category, &p.HomeLibrary} {
		*s = r.str()
	}
	p.BirthDate = r.time()
	if r.bool() {
		p.Guardian = &Contact{Name: r.str(), Email: r.str(), Phone: r.str()}
	}
	p.IdentityConfirmed = r.bool()
	p.Resident = r.bool()
	p.Blocked = r.bool()
	p.BlockReason = r.str()
	p.ValidUntil = r.time()
	p.Language = r.str()
	p.LoansOut = int(r.int())
	p.Holds = int(r.int())
	p.Owed = r.money()
	p.Registered = r.time()
	p.LastActive = r.time()
	if r.err == nil && len(r.b) > 0 {
		p.BlockedBy = r.str()
	}
}

func (it *Item) encode(w *wbuf) {
	for _, s := range []string{it.ID, it.InventoryNumber, it.RecordID, it.Title, it.Author, it.Library, it.CallNumber, it.Material} {
		w.str(s)
	}
	w.int(int64(it.Value))
	w.bool(it.HighDemand)
	w.bool(it.ReadingRoomOnly)
	w.bool(it.ILL)
	for _, s := range []string{string(it.Status), it.LoanID, it.HoldID, it.TransitTo} {
		w.str(s)
	}
	w.time(it.LostPaidAt)
	w.str(it.LostBy)
	w.str(it.Properties)
	it.encodeAccounting(w)
}

func (it *Item) decode(r *rbuf) {
	for _, s := range []*string{&it.ID, &it.InventoryNumber, &it.RecordID, &it.Title, &it.Author, &it.Library, &it.CallNumber, &it.Material} {
		*s = r.str()
	}
	it.Value = r.money()
	it.HighDemand = r.bool()
	it.ReadingRoomOnly = r.bool()
	it.ILL = r.bool()
	it.Status = ItemStatus(r.str())
	it.LoanID = r.str()
	it.HoldID = r.str()
	it.TransitTo = r.str()
	it.LostPaidAt = r.time()
	it.LostBy = r.str()
	it.Properties = r.str()
	it.decodeAccounting(r)
}

func (l *Loan) encode(w *wbuf) {
	for _, s := range []string{l.ID, l.ItemID, l.PatronID, l.Library, l.Material} {
		w.str(s)
	}
	w.time(l.Start)
	w.time(l.Due)
	w.int(int64(l.Renewals))
	w.bool(l.RenewalRequested)
	w.int(int64(l.RemindersSent))
	w.time(l.Returned)
	w.bool(l.Anonymised)
}

func (l *Loan) decode(r *rbuf) {
	for _, s := range []*string{&l.ID, &l.ItemID, &l.PatronID, &l.Library, &l.Material} {
		*s = r.str()
	}
	l.Start = r.time()
	l.Due = r.time()
	l.Renewals = int(r.int())
	l.RenewalRequested = r.bool()
	l.RemindersSent = int(r.int())
	l.Returned = r.time()
	l.Anonymised = r.bool()
}

func (h *Hold) encode(w *wbuf) {
	for _, s := range []string{h.ID, h.PatronID, h.RecordID, h.Title, h.PickupLibrary} {
		w.str(s)
	}
	w.time(h.Placed)
	w.str(string(h.Status))
	w.str(h.ItemID)
	w.time(h.Expires)
	w.time(h.Ended)
	w.time(h.Reviewed) // added last: records written before them end here
	w.str(h.Reason)
}

func (h *Hold) decode(r *rbuf) {
	for _, s := range []*string{&h.ID, &h.PatronID, &h.RecordID, &h.Title, &h.PickupLibrary} {
		*s = r.str()
	}
	h.Placed = r.time()
	h.Status = HoldStatus(r.str())
	h.ItemID = r.str()
	h.Expires = r.time()
	h.Ended = r.time()
	if r.err == nil && len(r.b) > 0 {
		h.Reviewed = r.time()
		h.Reason = r.str()
	}
}

func (f *Fee) encode(w *wbuf) {
	w.str(f.ID)
	w.str(f.PatronID)
	w.str(string(f.Kind))
	w.int(int64(f.Amount))
	w.int(int64(f.Paid))
	w.time(f.Created)
	w.str(f.ItemID)
	w.str(f.LoanID)
	w.str(f.Description)
	w.int(int64(f.Waived)) // added last: records written before them end here
	w.str(f.WaiveReason)
}

func (f *Fee) decode(r *rbuf) {
	f.ID = r.str()
	f.PatronID = r.str()
	f.Kind = FeeKind(r.str())
	f.Amount = r.money()
	f.Paid = r.money()
	f.Created = r.time()
	f.ItemID = r.str()
	f.LoanID = r.str()
	f.Description = r.str()
	if r.err == nil && len(r.b) > 0 {
		f.Waived = r.money()
		f.WaiveReason = r.str()
	}
}
