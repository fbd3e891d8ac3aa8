// Package holdings turns the holdings fields of exported MARC records into
// bibgate copies: Koha's 952, MARC 21 852 with its 876 item fields, or a
// field/subfield layout set in the configuration (ALISE and COBISS exports
// each have their own). Library codes and item types of the old system are
// mapped to bibgate's libraries and material types. A copy that cannot be
// mapped is reported with its record number, field and reason; the
// bibliographic record is kept regardless.
package holdings

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/internal/holdingsmap"
	"github.com/bibgate/bibgate/marc"
)

// Config is the [holdings] section of the configuration.
type Config = holdingsmap.Config

// FieldMap names the field holding a copy and the subfield codes of each
// piece of it.
type FieldMap = holdingsmap.FieldMap

// The built-in layouts: Koha's 952 and MARC 21's 852 (barcode and price
// from the linked 876 when there is one, see Mapper.Copies).
var (
	Koha   = holdingsmap.Koha
	MARC21 = holdingsmap.MARC21
)

// marc876 is the item-information layout of 876.
var marc876 = FieldMap{Tag: "876", Barcode: "p", Inventory: "a", Price: "c", Acquired: "d"}

// Problem is a copy not imported, or imported with a loss.
type Problem struct {
	Record   int    `json:"record"`    // 1-based position in the file
	RecordID string `json:"record_id"` // its 001
	Field    string `json:"field"`     // e.g. "952 #2"
	Reason   string `json:"reason"`
}

func (p Problem) String() string {
	return fmt.Sprintf("record %d (%s), field %s: %s", p.Record, p.RecordID, p.Field, p.Reason)
}

// Mapper maps one export's holdings.
type Mapper struct {
	format      string
	fm          FieldMap
	libs, types map[string]string
	defType     string
	known       func(lib string) bool
}

// New checks cfg against the consortium (libraryExists says whether a
// bibgate library id exists) and returns its mapper.
func New(cfg Config, libraryExists func(string) bool) (*Mapper, error) {
	format, fm, err := cfg.Layout(libraryExists)
	if err != nil {
		return nil, err
	}
	m := &Mapper{format: format, fm: fm, libs: cfg.Libraries, types: map[string]string{}, known: libraryExists}
	if format == "none" {
		return m, nil
	}
	for code, t := range cfg.Types {
		m.types[strings.ToUpper(code)] = t
	}
	m.defType = cfg.DefaultType
	if m.defType == "" {
		m.defType = policy.MaterialBook
	}
	return m, nil
}

// ForConsortium is New for the libraries of cons.
func ForConsortium(cfg Config, cons *core.Consortium) (*Mapper, error) {
	return New(cfg, func(id string) bool { _, ok := cons.Library(id); return ok })
}

// Enabled reports whether copies are taken from MARC at all.
func (m *Mapper) Enabled() bool { return m != nil && m.format != "none" }

var builtinTypes = map[string]string{}

func init() {
	for _, t := range []string{policy.MaterialBook, policy.MaterialMagazine, policy.MaterialAudio, policy.MaterialKit,
		policy.MaterialReference, policy.MaterialOther} {
		builtinTypes[strings.ToUpper(t)] = t
	}
}

// Copies returns the copies of rec (number is its position in the file,
// for the report) and the problems of those it could not map.
func (m *Mapper) Copies(number int, rec *marc.Record) ([]core.Item, []Problem) {
	if !m.Enabled() {
		return nil, nil
	}
	key := rec.ControlNumber()
	title, author := describe(rec)
	var items []core.Item
	var probs []Problem
	add := func(where string, it core.Item, reason string) {
		if reason != "" {
			probs = append(probs, Problem{Record: number, RecordID: key, Field: where, Reason: reason})
			return
		}
		it.RecordID, it.Title, it.Author = key, title, author
		items = append(items, it)
	}
	if m.format == "marc21" {
		m.marc21(rec, add)
		return items, probs
	}
	for i, f := range rec.FieldsByTag(m.fm.Tag) {
		it, reason := m.copyOf(f, m.fm, nil)
		add(fmt.Sprintf("%s #%d", f.Tag, i+1), it, reason)
	}
	return items, probs
}

// marc21 takes one copy from each 876, located by the 852 it links to
// ($8 link number before the dot, or the nearest 852 before it); an 852
// without any 876 is a copy itself when it carries a barcode ($p).
func (m *Mapper) marc21(rec *marc.Record, add func(string, core.Item, string)) {
	var locs []*marc.Field
	used := map[*marc.Field]bool{}
	n852, n876 := 0, 0
	for i := range rec.Fields {
		f := &rec.Fields[i]
		switch f.Tag {
		case m.fm.Tag:
			locs = append(locs, f)
		case "876":
			n876++
			loc := linked(f, locs)
			if loc == nil {
				add(fmt.Sprintf("876 #%d", n876), core.Item{}, "no 852 location for this item")
				continue
			}
			used[loc] = true
			it, reason := m.copyOf(loc, m.fm, f)
			add(fmt.Sprintf("876 #%d", n876), it, reason)
		}
	}
	for _, loc := range locs {
		n852++
		if used[loc] {
			continue
		}
		it, reason := m.copyOf(loc, m.fm, nil)
		add(fmt.Sprintf("852 #%d", n852), it, reason)
	}
}

// linked finds the 852 an 876 belongs to.
func linked(item *marc.Field, locs []*marc.Field) *marc.Field {
	if link := item.Sub('8'); link != "" {
		num, _, _ := strings.Cut(link, ".")
		for _, l := range locs {
			if n, _, _ := strings.Cut(l.Sub('8'), "."); n == num {
				return l
			}
		}
	}
	if len(locs) == 0 {
		return nil
	}
	return locs[len(locs)-1]
}

func sub(f *marc.Field, code string) string {
	if f == nil || code == "" {
		return ""
	}
	return strings.TrimSpace(f.Sub(code[0]))
}

// copyOf builds a copy from a field (and, for 852, its 876); reason is
// non-empty when the copy cannot be imported.
func (m *Mapper) copyOf(f *marc.Field, fm FieldMap, item *marc.Field) (core.Item, string) {
	get := func(code string) string { return sub(f, code) }
	var it core.Item
	it.ID = get(fm.Barcode)
	it.InventoryNumber = get(fm.Inventory)
	price := get(fm.Price)
	if price == "" {
		price = get(fm.PriceFallback)
	}
	acquired := get(fm.Acquired)
	if item != nil {
		if v := sub(item, marc876.Barcode); v != "" {
			it.ID = v
		}
		if v := sub(item, marc876.Inventory); v != "" {
			it.InventoryNumber = v
		}
		if v := sub(item, marc876.Price); v != "" {
			price = v
		}
		if v := sub(item, marc876.Acquired); v != "" {
			acquired = v
		}
	}
	if it.ID == "" {
		it.ID = it.InventoryNumber // §19.2: inventory number or barcode
	}
	if it.ID == "" {
		return it, "no barcode or inventory number"
	}
	code := get(fm.HoldingLibrary)
	where := fm.HoldingLibrary
	if code == "" {
		code, where = get(fm.HomeLibrary), fm.HomeLibrary
	}
	if code == "" {
		return it, fmt.Sprintf("copy %s: no library code ($%s/$%s)", it.ID, fm.HoldingLibrary, fm.HomeLibrary)
	}
	lib, ok := m.library(code)
	if !ok {
		return it, fmt.Sprintf("copy %s: unknown library code %q in $%s (map it in [holdings.libraries])", it.ID, code, where)
	}
	it.Library = lib
	it.CallNumber = get(fm.CallNumber)
	typ := get(fm.ItemType)
	if typ == "" {
		it.Material = m.defType
	} else if it.Material, ok = m.material(typ); !ok {
		return it, fmt.Sprintf("copy %s: unknown item type %q in $%s (map it in [holdings.types])", it.ID, typ, fm.ItemType)
	}
	if price != "" {
		v, err := parseMoney(price)
		if err != nil {
			return it, fmt.Sprintf("copy %s: price %q: %v", it.ID, price, err)
		}
		it.Value = v
	}
	if flag(get(fm.NotForLoan)) {
		it.ReadingRoomOnly = true
	}
	switch {
	case flag(get(fm.Withdrawn)):
		it.Status = core.ItemWithdrawn
	case flag(get(fm.Lost)):
		it.Status = core.ItemLost
	}
	var err error
	if it.Entered, err = parseDate(acquired); err != nil {
		return it, fmt.Sprintf("copy %s: acquisition date %q: %v", it.ID, acquired, err)
	}
	it.SummaryRegisterNo = get(fm.SummaryRegister)
	it.MovementNo = get(fm.Movement)
	it.Stocktaking = get(fm.Stocktaking)
	it.WriteOffAct = get(fm.WriteOffAct)
	d := get(fm.WriteOffDate)
	if it.WriteOffDate, err = parseDate(d); err != nil {
		return it, fmt.Sprintf("copy %s: write-off date %q: %v", it.ID, d, err)
	}
	return it, ""
}

func (m *Mapper) library(code string) (string, bool) {
	if len(m.libs) > 0 {
		id, ok := m.libs[code]
		return id, ok
	}
	return code, m.known(code)
}

func (m *Mapper) material(typ string) (string, bool) {
	if len(m.types) > 0 {
		t, ok := m.types[strings.ToUpper(typ)]
		return t, ok
	}
	t, ok := builtinTypes[strings.ToUpper(typ)]
	return t, ok
}

// flag reads Koha's status subfields: empty or 0 is "no".
func flag(s string) bool { return s != "" && s != "0" }

// parseMoney reads "12.50", "12,5" or "12" euro into cents.
func parseMoney(s string) (core.Money, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(s, "€")), "EUR"))
	s = strings.ReplaceAll(s, ",", ".")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e7 {
		return 0, fmt.Errorf("not an amount in euro")
	}
	return core.Money(f*100 + 0.5), nil
}

// parseDate reads YYYY-MM-DD (Koha), YYYYMMDD (876 $d) or DD.MM.YYYY.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", "20060102", "02.01.2006", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date (YYYY-MM-DD, YYYYMMDD or DD.MM.YYYY)")
}

// Describe is the title (245 $a $b) and the main entry (100, 110 or 111
// $a) of a record, as its copies carry them.
func Describe(rec *marc.Record) (title, author string) { return describe(rec) }

// describe picks a short title (245 $a $b) and the first author.
func describe(rec *marc.Record) (title, author string) {
	if f := rec.First("245"); f != nil {
		title = strings.TrimRight(strings.TrimSpace(f.Text("ab")), " /:;,=.")
	}
	for _, tag := range []string{"100", "110", "111"} {
		if f := rec.First(tag); f != nil {
			author = strings.TrimRight(strings.TrimSpace(f.Sub('a')), " ,.")
			break
		}
	}
	return title, author
}
