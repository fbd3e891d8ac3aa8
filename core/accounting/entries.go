package accounting

import "time"

// RowOf counts copies into one row of the summary register: in total, by
// type, by language, on and off the balance.
func RowOf(copies []Copy) Row {
	var r Row
	for _, c := range copies {
		r.add(c)
	}
	return r
}

// Received is one entry of part 1 of the summary register (§24.1, annex 5:
// "Saņemtie iespieddarbi un citi dokumenti"): copies that entered the
// collection together.
type Received struct {
	// Date is the entry date; Number the entry's number in the year
	// (§25: from 1 every year).
	Date   time.Time `json:"date"`
	Number string    `json:"number"`
	// Source ("komplektēšanas avots") and Document (the accompanying
	// document's number) when the records say them.
	Source   string `json:"source,omitempty"`
	Document string `json:"document,omitempty"`
	// Titles counts the distinct titles; Row the copies.
	Titles int `json:"titles"`
	Row
}

// WrittenOff is one entry of part 2 of the summary register (§24.2, annex
// 5: "Norakstītie iespieddarbi un citi dokumenti"): one approved
// write-off act.
type WrittenOff struct {
	Date   time.Time `json:"date"`
	Number int       `json:"number"`
	// Act is the write-off act's number and ActDate its date.
	Act     string    `json:"act"`
	ActDate time.Time `json:"act_date"`
	// Reason is the act's §33 reason.
	Reason Reason `json:"reason"`
	Row
}
