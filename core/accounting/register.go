package accounting

import (
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// DocType is a column group of the summary register (annex 5): books,
// audiovisual documents, serials, other.
type DocType int

// Document types in the order of the register's columns.
const (
	Books DocType = iota
	Audiovisual
	Serials
	OtherType
	numTypes
)

var typeNames = [numTypes]struct{ code, lv string }{
	{"books", "grāmatas"}, {"audiovisual", "audiovizuālie izdevumi"}, {"serials", "seriālizdevumi"}, {"other", "citi"},
}

// String is the type's code: books, audiovisual, serials, other.
func (t DocType) String() string {
	if t < 0 || t >= numTypes {
		return "other"
	}
	return typeNames[t].code
}

// Latvian is the annex's column heading.
func (t DocType) Latvian() string {
	if t < 0 || t >= numTypes {
		return typeNames[OtherType].lv
	}
	return typeNames[t].lv
}

// TypeOfMaterial puts a bibgate material type in its register column:
// books and reference works are books, magazines serials, audio
// audiovisual, anything else (kits, other, a library's own types) other.
func TypeOfMaterial(material string) DocType {
	switch strings.ToLower(material) {
	case policy.MaterialBook, policy.MaterialReference:
		return Books
	case policy.MaterialMagazine, "serial", "newspaper":
		return Serials
	case policy.MaterialAudio, "video", "audiovisual", "dvd", "cd":
		return Audiovisual
	}
	return OtherType
}

// Language is a language column of the summary register: Latvian,
// Russian, English, other.
type Language int

// Languages in the order of the register's columns.
const (
	Latvian Language = iota
	Russian
	English
	OtherLanguage
	numLangs
)

var langNames = [numLangs]struct{ code, lv string }{
	{"lv", "latviešu"}, {"ru", "krievu"}, {"en", "angļu"}, {"other", "cita"},
}

// String is the language's code: lv, ru, en, other.
func (l Language) String() string {
	if l < 0 || l >= numLangs {
		return "other"
	}
	return langNames[l].code
}

// Latvian is the annex's column heading.
func (l Language) Latvian() string {
	if l < 0 || l >= numLangs {
		return langNames[OtherLanguage].lv
	}
	return langNames[l].lv
}

// LanguageOf puts a language code (ISO 639-1 "lv" or 639-2 "lav", as in
// MARC 008/35-37 and 041) in its register column.
func LanguageOf(code string) Language {
	switch strings.ToLower(strings.TrimSpace(code)) {
	case "lv", "lav", "lat" /* common mis-coding in older records */ :
		return Latvian
	case "ru", "rus":
		return Russian
	case "en", "eng":
		return English
	}
	return OtherLanguage
}

// Copy is what the summary register needs of one copy's individual
// record.
type Copy struct {
	Type     DocType
	Language Language
	// Class is the UDC main class of the copy's title (ClassOf its 080);
	// Unclassified when the record has none.
	Class Class
	// OnBalance: included in the library's balance sheet.
	OnBalance bool
	Value     Money
	// Entered is the entry date; WrittenOff the date of the write-off
	// act, zero while the copy is in the collection.
	Entered, WrittenOff time.Time
}

// Cell is a count of copies and their value.
type Cell struct {
	Copies int   `json:"copies"`
	Sum    Money `json:"sum"`
}

func (c *Cell) add(v Money) { c.Copies++; c.Sum += v }

// Row is one line of the summary register: copies and their value in
// total, by type, by language, by UDC main class (in the order of
// Classes()), and on and off the balance.
type Row struct {
	Total      Cell             `json:"total"`
	ByType     [numTypes]Cell   `json:"by_type"`
	ByLanguage [numLangs]Cell   `json:"by_language"`
	ByClass    [numClasses]Cell `json:"by_class"`
	OnBalance  Cell             `json:"on_balance"`
	OffBalance Cell             `json:"off_balance"`
}

func (r *Row) add(c Copy) {
	t, l, k := c.Type, c.Language, c.Class
	if t < 0 || t >= numTypes {
		t = OtherType
	}
	if l < 0 || l >= numLangs {
		l = OtherLanguage
	}
	if k < 0 || k >= numClasses {
		k = Unclassified
	}
	r.Total.add(c.Value)
	r.ByType[t].add(c.Value)
	r.ByLanguage[l].add(c.Value)
	r.ByClass[k].add(c.Value)
	if c.OnBalance {
		r.OnBalance.add(c.Value)
	} else {
		r.OffBalance.add(c.Value)
	}
}

// Types lists the document types in column order.
func Types() []DocType { return []DocType{Books, Audiovisual, Serials, OtherType} }

// Languages lists the languages in column order.
func Languages() []Language { return []Language{Latvian, Russian, English, OtherLanguage} }

// Summary is the summary register part 3 (§24.3, annex 5) of one year:
// the collection at the start of the year, received and written off during
// it, and at its end. End = Start + Received - WrittenOff, line by line.
type Summary struct {
	Year       int `json:"year"`
	Start      Row `json:"start"`
	Received   Row `json:"received"`
	WrittenOff Row `json:"written_off"`
	End        Row `json:"end"`
}

// Summarise computes part 3 of the summary register for year, in the
// library's time zone loc (nil: UTC), from the copies' records: a copy
// counts at the start of the year if it entered before 1 January and was
// not written off before it; received if it entered during the year;
// written off if its write-off act is dated in the year; at the end if it
// entered by 31 December and was not written off by then. A copy entered
// and written off in the same year is both received and written off.
func Summarise(year int, loc *time.Location, copies []Copy) Summary {
	if loc == nil {
		loc = time.UTC
	}
	start := time.Date(year, time.January, 1, 0, 0, 0, 0, loc)
	end := time.Date(year+1, time.January, 1, 0, 0, 0, 0, loc)
	s := Summary{Year: year}
	before := func(t, limit time.Time) bool { return !t.IsZero() && t.Before(limit) }
	for _, c := range copies {
		in := func(limit time.Time) bool {
			return (c.Entered.IsZero() || c.Entered.Before(limit)) && !before(c.WrittenOff, limit)
		}
		if in(start) {
			s.Start.add(c)
		}
		if !c.Entered.IsZero() && !c.Entered.Before(start) && c.Entered.Before(end) {
			s.Received.add(c)
		}
		if before(c.WrittenOff, end) && !c.WrittenOff.Before(start) {
			s.WrittenOff.add(c)
		}
		if in(end) {
			s.End.add(c)
		}
	}
	return s
}
