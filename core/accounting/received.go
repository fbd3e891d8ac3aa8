package accounting

import "time"

// ReceivedEntry is one line of the summary register part 1 (§24.1, annex
// 5): one receipt of copies, under its entry number, which restarts at 1
// every year (§25).
type ReceivedEntry struct {
	Date   time.Time `json:"date"`
	Number Number    `json:"number"`
	// Source is the acquisition source ("komplektēšanas avots"): a
	// supplier, a donor, exchange, copies given in place of lost ones.
	Source string `json:"source"`
	// Document is the accompanying document's number, or the act's when
	// there was none.
	Document string `json:"document"`
	// Titles counts the distinct titles; Row the copies by type, language
	// and balance.
	Titles int `json:"titles"`
	Row
}

// Received builds a part 1 line from the copies of one receipt; titles
// are counted by the record ids given beside them (same length as copies).
func Received(date time.Time, number Number, source, document string, copies []Copy, records []string) ReceivedEntry {
	e := ReceivedEntry{Date: date, Number: number, Source: source, Document: document}
	seen := map[string]bool{}
	for i, c := range copies {
		e.add(c)
		if i < len(records) && !seen[records[i]] {
			seen[records[i]] = true
			e.Titles++
		}
	}
	return e
}
