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
	"github.com/bibgate/bibgate/marc"
)

// Config is the [holdings] section of the configuration.
type Config struct {
	// Format is "koha" (952, the default), "marc21" (852 + 876), "custom"
	// (Field below) or "none" (no copies from MARC).
	Format string `toml:"format"`
	// Field is the layout for format "custom"; for the other formats it
	// replaces the built-in subfield codes it sets.
	Field FieldMap `toml:"field"`
	// Libraries maps the old system's library or branch codes to bibgate
	// library ids. Empty: codes must be bibgate ids already.
	Libraries map[string]string `toml:"libraries"`
	// Types maps the old system's item types to material types (book,
	// magazine, audio, kit, reference, other, or one the rules define).
	// Empty: types must be material types already (any case).
	Types map[string]string `toml:"types"`
	// DefaultType is the material of a copy whose field carries no type
	// (852/876 have none). Default "book".
	DefaultType string `toml:"default_type"`
}

// FieldMap names the field holding a copy and the subfield codes of each
// piece of it. A code is one character; empty means "not in this export".
type FieldMap struct {
	Tag             string `toml:"tag"`
	Barcode         string `toml:"barcode"`
	Inventory       string `toml:"inventory"`
	HomeLibrary     string `toml:"home_library"`
	HoldingLibrary  string `toml:"holding_library"`
	CallNumber      string `toml:"call_number"`
	ItemType        string `toml:"item_type"`
	Price           string `toml:"price"`
	PriceFallback   string `toml:"price_fallback"`
	NotForLoan      string `toml:"not_for_loan"`
	Lost            string `toml:"lost"`
	Withdrawn       string `toml:"withdrawn"`
	Acquired        string `toml:"acquired"`
	SummaryRegister string `toml:"summary_register"`
	Movement        string `toml:"movement"`
	Stocktaking     string `toml:"stocktaking"`
	WriteOffAct     string `toml:"write_off_act"`
	WriteOffDate    string `toml:"write_off_date"`
}

// Koha is the 952 layout of Koha's MARC export (MARC 21 flavour).
var Koha = FieldMap{Tag: "952", HomeLibrary: "a", HoldingLibrary: "b", CallNumber: "o", Barcode: "p", ItemType: "y",
	Price: "v", PriceFallback: "g", NotForLoan: "7", Lost: "1", Withdrawn: "0", Acquired: "d", Inventory: "i"}

// MARC21 is the 852 location layout; barcode and price come from the
// linked 876 when there is one (see Mapper.Copies).
var MARC21 = FieldMap{Tag: "852", HoldingLibrary: "b", HomeLibrary: "a", CallNumber: "h", Barcode: "p"}

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
	m := &Mapper{format: strings.ToLower(cfg.Format), libs: cfg.Libraries, types: map[string]string{}, known: libraryExists}
	switch m.format {
	case "", "koha":
		m.format, m.fm = "koha", overlay(Koha, cfg.Field)
	case "marc21":
		m.fm = overlay(MARC21, cfg.Field)
	case "custom":
		m.fm = cfg.Field
		if len(m.fm.Tag) != 3 {
			return nil, fmt.Errorf("holdings.field.tag: format custom needs the three-digit tag of the copy field")
		}
		if m.fm.Barcode == "" && m.fm.Inventory == "" {
			return nil, fmt.Errorf("holdings.field: format custom needs the barcode or inventory subfield")
		}
	case "none":
		return m, nil
	default:
		return nil, fmt.Errorf("holdings.format: %q: use koha, marc21, custom or none", cfg.Format)
	}
	if err := m.fm.check(); err != nil {
		return nil, err
	}
	for code, id := range cfg.Libraries {
		if !libraryExists(id) {
			return nil, fmt.Errorf("holdings.libraries: code %q maps to %q, which is not a library of the consortium", code, id)
		}
	}
	for code, t := range cfg.Types {
		if t == "" {
			return nil, fmt.Errorf("holdings.types: code %q maps to nothing", code)
		}
		m.types[strings.ToUpper(code)] = t
	}
	m.defType = cfg.DefaultType
	if m.defType == "" {
		m.defType = policy.MaterialBook
	}
	return m, nil
}

// Enabled reports whether copies are taken from MARC at all.
func (m *Mapper) Enabled() bool { return m != nil && m.format != "none" }

func overlay(base, over FieldMap) FieldMap {
	b := []*string{&base.Tag, &base.Barcode, &base.Inventory, &base.HomeLibrary, &base.HoldingLibrary, &base.CallNumber,
		&base.ItemType, &base.Price, &base.PriceFallback, &base.NotForLoan, &base.Lost, &base.Withdrawn, &base.Acquired,
		&base.SummaryRegister, &base.Movement, &base.Stocktaking, &base.WriteOffAct, &base.WriteOffDate}
	o := []string{over.Tag, over.Barcode, over.Inventory, over.HomeLibrary, over.HoldingLibrary, over.CallNumber,
		over.ItemType, over.Price, over.PriceFallback, over.NotForLoan, over.Lost, over.Withdrawn, over.Acquired,
		over.SummaryRegister, over.Movement, over.Stocktaking, over.WriteOffAct, over.WriteOffDate}
	for i := range b {
		if o[i] != "" {
			*b[i] = o[i]
		}
	}
	return base
}

func (f FieldMap) check() error {
	for name, c := range map[string]string{"barcode": f.Barcode, "inventory": f.Inventory, "home_library": f.HomeLibrary,
		"holding_library": f.HoldingLibrary, "call_number": f.CallNumber, "item_type": f.ItemType, "price": f.Price,
		"price_fallback": f.PriceFallback, "not_for_loan": f.NotForLoan, "lost": f.Lost, "withdrawn": f.Withdrawn,
		"acquired": f.Acquired, "summary_register": f.SummaryRegister, "movement": f.Movement, "stocktaking": f.Stocktaking,
		"write_off_act": f.WriteOffAct, "write_off_date": f.WriteOffDate} {
		if len(c) > 1 {
			return fmt.Errorf("holdings.field.%s: %q: a subfield code is one character", name, c)
		}
	}
	return nil
}

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
