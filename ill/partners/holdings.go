package partners

import (
	"strings"

	"github.com/bibgate/bibgate/marc"
)

// MARCHoldings reads the holdings fields of a MARC record: 852 (MARC 21
// location: $a library, $b sublocation, $h $i call number, $z note; one
// holding per 876 item linked to it by $8, else one for the 852) and
// 952 (Koha's item field: $a home library, $o call number, $q due date,
// $7 not for loan, $1 lost, $0 withdrawn, $4 damaged). An 852 carries no
// circulation data, so its copy is of unknown availability unless its note
// says reading room only.
func MARCHoldings(r *marc.Record) []Holding {
	var out []Holding
	for _, f := range r.FieldsByTag("852", "952") {
		h := Holding{Source: f.Tag}
		if f.Tag == "852" {
			h.Library = firstOf(f, 'a', 'b')
			if b := f.Sub('b'); b != "" && b != h.Library {
				h.LibraryName = b
			}
			h.CallNumber = strings.TrimSpace(f.Text("khim"))
			h.Status = Unknown
			if note := f.Sub('z'); isReadingRoom(note) || isReadingRoom(f.Sub('c')) {
				h.Status = ReadingRoomOnly
			}
			if h.Library == "" {
				continue
			}
			if n := items876(r, f.Sub('8')); n > 1 {
				for range n - 1 {
					out = append(out, h)
				}
			}
		} else {
			h.Library = firstOf(f, 'a', 'b')
			h.CallNumber = f.Sub('o')
			h.Status = Available
			switch {
			case set(f.Sub('0')):
				h.Status, h.Restriction = NotForLoan, "withdrawn"
			case set(f.Sub('1')):
				h.Status, h.Restriction = NotForLoan, "lost"
			case set(f.Sub('4')):
				h.Status, h.Restriction = NotForLoan, "damaged"
			case set(f.Sub('7')):
				h.Status = ReadingRoomOnly
			case f.Sub('q') != "":
				h.Status, h.Due = OnLoan, f.Sub('q')
			}
		}
		if h.Library == "" {
			continue
		}
		out = append(out, h)
	}
	return out
}

func firstOf(f *marc.Field, codes ...byte) string {
	for _, c := range codes {
		if v := strings.TrimSpace(f.Sub(c)); v != "" {
			return v
		}
	}
	return ""
}

// items876 counts the 876 item fields linked to an 852 by its $8 link
// number ("1" links "1.1", "1.2", ...).
func items876(r *marc.Record, link string) int {
	if link == "" {
		return 0
	}
	n := 0
	for _, f := range r.FieldsByTag("876") {
		if l, _, _ := strings.Cut(f.Sub('8'), "."); l == link {
			n++
		}
	}
	return n
}

// set: a Koha status subfield other than empty or 0.
func set(v string) bool { v = strings.TrimSpace(v); return v != "" && v != "0" }
