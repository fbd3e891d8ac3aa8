package core

import "time"

// Accounting is the part of a copy's individual record (Latvian Cabinet
// Regulation No. 317 §19) that circulation does not use but a library must
// keep: §19.1 entry date, §19.8 summary-register entry number, §19.9
// movement number, §19.10 stocktaking marks, §19.11 write-off act number
// and date. The other §19 fields are Item's own: §19.2 ID and
// InventoryNumber, §19.3 RecordID/Title/Author, §19.4 Material, §19.5
// Library, §19.6 CallNumber, §19.7 Value.
type Accounting struct {
	// Entered is the entry date of the copy in the collection.
	Entered time.Time `json:"entered,omitzero"`
	// SummaryRegisterNo is the entry number in the summary register.
	SummaryRegisterNo string `json:"summary_register_no,omitempty"`
	// MovementNo is the collection movement number.
	MovementNo string `json:"movement_no,omitempty"`
	// Stocktaking holds the stocktaking marks (e.g. "2024 checked").
	Stocktaking string `json:"stocktaking,omitempty"`
	// WriteOffAct and WriteOffDate identify the write-off act, once the
	// copy is written off.
	WriteOffAct  string    `json:"write_off_act,omitempty"`
	WriteOffDate time.Time `json:"write_off_date,omitzero"`
}

// encodeAccounting appends the accounting fields after the circulation
// fields of an item; records written before they existed end there.
func (it *Item) encodeAccounting(w *wbuf) {
	a := &it.Accounting
	if a.Entered.IsZero() && a.SummaryRegisterNo == "" && a.MovementNo == "" && a.Stocktaking == "" &&
		a.WriteOffAct == "" && a.WriteOffDate.IsZero() {
		return
	}
	w.time(a.Entered)
	for _, s := range []string{a.SummaryRegisterNo, a.MovementNo, a.Stocktaking, a.WriteOffAct} {
		w.str(s)
	}
	w.time(a.WriteOffDate)
}

func (it *Item) decodeAccounting(r *rbuf) {
	if r.err != nil || len(r.b) == 0 {
		return
	}
	a := &it.Accounting
	a.Entered = r.time()
	for _, s := range []*string{&a.SummaryRegisterNo, &a.MovementNo, &a.Stocktaking, &a.WriteOffAct} {
		*s = r.str()
	}
	a.WriteOffDate = r.time()
}
