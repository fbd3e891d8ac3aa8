package csvio

import (
	"errors"
	"io"

	"github.com/bibgate/bibgate/core"
)

// ReceiptColumns are the columns of a receipt's list of new copies (a
// header line, any order, comma or semicolon): the copy columns that
// describe a new copy, and replaces, the barcode of the lost copy a
// replacement stands for (annex 3). barcode (or inventory_number) and
// record_id are required; the library is the receipt's.
var ReceiptColumns = []string{"barcode", "inventory_number", "record_id", "title", "author", "call_number", "material",
	"value", "high_demand", "reading_room_only", "replaces"}

// ReadReceiptCopies reads a receipt's list of new copies for library.
// Unlike an import, a bad line fails the whole list (an act lists its
// copies whole): the error names every bad line.
func ReadReceiptCopies(svc *core.Service, library string, r io.Reader) ([]core.ReceiptCopy, error) {
	t, err := readTable(r, ReceiptColumns, "barcode|inventory_number", "record_id")
	if err != nil {
		return nil, err
	}
	errs := t.errs
	var out []core.ReceiptCopy
	seen := map[string]int{}
	for _, rw := range t.rows {
		get := rw.get
		rw.get = func(col string) string {
			if col == "library" {
				return library
			}
			return get(col)
		}
		it, e := parseItem(svc, rw)
		if e == nil && seen[it.ID] != 0 {
			e = &LineError{Line: rw.line, Column: "barcode", Reason: "barcode " + it.ID + " is on an earlier line too"}
		}
		if e != nil {
			errs = append(errs, *e)
			continue
		}
		seen[it.ID] = rw.line
		out = append(out, core.ReceiptCopy{Item: it, Replaces: get("replaces")})
	}
	if len(errs) > 0 {
		sortErrors(errs)
		all := make([]error, len(errs))
		for i := range errs {
			all[i] = errs[i]
		}
		return nil, errors.Join(all...)
	}
	return out, nil
}

// ParseEuro reads an amount in euro ("12.50" or "12,50") into cents.
func ParseEuro(s string) (core.Money, error) { return parseEuro(s) }
