// Package holdingsmap is the vocabulary of the [holdings] section of the
// configuration: which field of an exported MARC record holds a copy and
// which subfield each piece of it (Koha's 952, MARC 21 852, or a layout of
// the library's own), and how the old system's library codes and item types
// map to bibgate's. It checks a section on its own and against the
// consortium's library ids; adapters/holdings does the mapping itself.
package holdingsmap

import (
	"fmt"
	"strings"
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
// linked 876 when there is one.
var MARC21 = FieldMap{Tag: "852", HoldingLibrary: "b", HomeLibrary: "a", CallNumber: "h", Barcode: "p"}

// Layout checks cfg (libraryExists says whether a bibgate library id
// exists) and returns its format, lower case ("koha", "marc21", "custom" or
// "none"), and the layout of its copy field: the built-in one with Field
// over it, or Field alone for "custom"; none for "none". An error begins
// with the key it is about ("holdings.format: ...").
func (cfg Config) Layout(libraryExists func(string) bool) (format string, fm FieldMap, err error) {
	format = strings.ToLower(cfg.Format)
	switch format {
	case "", "koha":
		format, fm = "koha", overlay(Koha, cfg.Field)
	case "marc21":
		fm = overlay(MARC21, cfg.Field)
	case "custom":
		fm = cfg.Field
		if len(fm.Tag) != 3 {
			return "", FieldMap{}, fmt.Errorf("holdings.field.tag: format custom needs the three-digit tag of the copy field")
		}
		if fm.Barcode == "" && fm.Inventory == "" {
			return "", FieldMap{}, fmt.Errorf("holdings.field: format custom needs the barcode or inventory subfield")
		}
	case "none":
		return format, FieldMap{}, nil
	default:
		return "", FieldMap{}, fmt.Errorf("holdings.format: %q: use koha, marc21, custom or none", cfg.Format)
	}
	if err := fm.check(); err != nil {
		return "", FieldMap{}, err
	}
	for code, id := range cfg.Libraries {
		if !libraryExists(id) {
			return "", FieldMap{}, fmt.Errorf("holdings.libraries: code %q maps to %q, which is not a library of the consortium", code, id)
		}
	}
	for code, t := range cfg.Types {
		if t == "" {
			return "", FieldMap{}, fmt.Errorf("holdings.types: code %q maps to nothing", code)
		}
	}
	return format, fm, nil
}

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
