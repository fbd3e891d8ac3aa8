package csvio

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
)

// Item columns. barcode (or inventory_number), record_id and library are
// required.
//
//	barcode             copy barcode (default: the inventory number)
//	inventory_number    §19.2 individual record number
//	record_id           001 of the catalogue record
//	title, author       §19.3 short description
//	library             §19.5 holding library (bibgate id)
//	call_number         §19.6 shelf mark
//	material            §19.4 type (default book)
//	value               §19.7 value in EUR, e.g. 12.50
//	high_demand, reading_room_only   yes/no
//	entered             §19.1 entry date
//	summary_register_no §19.8
//	movement_no         §19.9
//	stocktaking         §19.10 stocktaking marks
//	write_off_act       §19.11 act number
//	write_off_date      §19.11 act date
//	status              export only: available, on_loan, ...; on import
//	                    lost, missing or withdrawn set a new copy's state,
//	                    anything else is ignored (a copy's loan state is
//	                    bibgate's own)
//	properties          free text kept for selfchecks (SIP2 CH)
var ItemColumns = []string{"barcode", "inventory_number", "record_id", "title", "author", "library", "call_number", "material",
	"value", "high_demand", "reading_room_only", "entered", "summary_register_no", "movement_no", "stocktaking",
	"write_off_act", "write_off_date", "status", "properties"}

type itemLine struct {
	line int
	it   core.Item
}

// ImportItems reads a copy CSV and creates or updates the copies; an
// existing copy keeps its circulation state.
func ImportItems(ctx context.Context, svc *core.Service, r io.Reader, opts Options) (Report, error) {
	start := time.Now()
	rep := Report{DryRun: opts.DryRun}
	t, err := readTable(r, ItemColumns, "barcode|inventory_number", "record_id", "library")
	if err != nil {
		return rep, err
	}
	rep.Errors = t.errs
	rep.Lines = len(t.rows) + len(t.errs)
	seen := map[string]int{}
	var good []itemLine
	for _, rw := range t.rows {
		it, e := parseItem(svc, rw)
		if e == nil && seen[it.ID] != 0 {
			e = &LineError{Line: rw.line, Column: "barcode", Reason: fmt.Sprintf("barcode %s is also on line %d", it.ID, seen[it.ID])}
		}
		if e != nil {
			rep.Errors = append(rep.Errors, *e)
			continue
		}
		seen[it.ID] = rw.line
		good = append(good, itemLine{rw.line, it})
	}
	batch := opts.Batch
	if batch <= 0 {
		batch = 2000
	}
	for i := 0; i < len(good); i += batch {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		part := good[i:min(i+batch, len(good))]
		n := len(part)
		if !opts.DryRun {
			n = putItems(ctx, svc, part, &rep)
		}
		rep.Imported += n
		if opts.Progress != nil {
			opts.Progress(i+len(part), len(good))
		}
	}
	sortErrors(rep.Errors)
	rep.Elapsed = time.Since(start)
	return rep, nil
}

func putItems(ctx context.Context, svc *core.Service, part []itemLine, rep *Report) int {
	its := make([]core.Item, len(part))
	for i := range part {
		its[i] = part[i].it
	}
	if err := svc.PutItems(ctx, its); err == nil {
		return len(part)
	}
	n := 0
	for _, il := range part {
		if err := svc.PutItems(ctx, []core.Item{il.it}); err != nil {
			rep.Errors = append(rep.Errors, LineError{Line: il.line, Reason: "not stored: " + err.Error()})
			continue
		}
		n++
	}
	return n
}

func parseItem(svc *core.Service, rw row) (core.Item, *LineError) {
	bad := func(col, format string, args ...any) (core.Item, *LineError) {
		return core.Item{}, &LineError{Line: rw.line, Column: col, Reason: fmt.Sprintf(format, args...)}
	}
	var it core.Item
	it.InventoryNumber = rw.get("inventory_number")
	it.ID = rw.get("barcode")
	if it.ID == "" {
		it.ID = it.InventoryNumber
	}
	if err := validID(it.ID); err != nil {
		return bad("barcode", "barcode %v (give a barcode or an inventory number)", err)
	}
	it.RecordID = rw.get("record_id")
	if it.RecordID == "" {
		return bad("record_id", "no catalogue record id")
	}
	it.Title, it.Author = rw.get("title"), rw.get("author")
	it.Library = rw.get("library")
	if _, ok := svc.Consortium().Library(it.Library); !ok {
		return bad("library", "no library %q in the consortium", it.Library)
	}
	it.CallNumber = rw.get("call_number")
	it.Material = rw.get("material")
	if it.Material == "" {
		it.Material = "book"
	}
	if s := rw.get("value"); s != "" {
		v, err := parseEuro(s)
		if err != nil {
			return bad("value", "%v", err)
		}
		it.Value = v
	}
	var err error
	for _, b := range []struct {
		col string
		v   *bool
	}{{"high_demand", &it.HighDemand}, {"reading_room_only", &it.ReadingRoomOnly}} {
		if *b.v, err = parseBool(rw.get(b.col)); err != nil {
			return bad(b.col, "%v", err)
		}
	}
	for _, d := range []struct {
		col string
		v   *time.Time
	}{{"entered", &it.Entered}, {"write_off_date", &it.WriteOffDate}} {
		if s := rw.get(d.col); s != "" {
			if *d.v, err = parseDate(s); err != nil {
				return bad(d.col, "%v", err)
			}
		}
	}
	it.SummaryRegisterNo, it.MovementNo, it.Stocktaking = rw.get("summary_register_no"), rw.get("movement_no"), rw.get("stocktaking")
	it.WriteOffAct, it.Properties = rw.get("write_off_act"), rw.get("properties")
	switch s := core.ItemStatus(rw.get("status")); s {
	case core.ItemLost, core.ItemMissing, core.ItemWithdrawn:
		it.Status = s
	case "", core.ItemAvailable, core.ItemOnLoan, core.ItemOnHold, core.ItemInTransit:
	default:
		return bad("status", "%q is not a copy status", s)
	}
	return it, nil
}

// parseEuro reads "12.50" or "12,50" euro into cents.
func parseEuro(s string) (core.Money, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "€"), "EUR"))
	whole, frac, _ := strings.Cut(strings.ReplaceAll(t, ",", "."), ".")
	if len(frac) > 2 || whole == "" {
		return 0, fmt.Errorf("%q is not an amount in euro (e.g. 12.50)", s)
	}
	w, err := strconv.ParseUint(whole, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount in euro (e.g. 12.50)", s)
	}
	c := uint64(0)
	if frac != "" {
		if c, err = strconv.ParseUint(frac, 10, 8); err != nil {
			return 0, fmt.Errorf("%q is not an amount in euro (e.g. 12.50)", s)
		}
		if len(frac) == 1 {
			c *= 10
		}
	}
	return core.Money(w*100 + c), nil
}

func formatEuro(m core.Money) string {
	return fmt.Sprintf("%d.%02d", m/100, m%100)
}

// ExportItems writes every copy in the columns ImportItems reads.
func ExportItems(ctx context.Context, svc *core.Service, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(ItemColumns); err != nil {
		return 0, err
	}
	n := 0
	var werr error
	err := svc.EachItem(ctx, func(it core.Item) bool {
		werr = cw.Write([]string{it.ID, it.InventoryNumber, it.RecordID, it.Title, it.Author, it.Library, it.CallNumber,
			it.Material, formatEuro(it.Value), formatBool(it.HighDemand), formatBool(it.ReadingRoomOnly), formatDate(it.Entered),
			it.SummaryRegisterNo, it.MovementNo, it.Stocktaking, it.WriteOffAct, formatDate(it.WriteOffDate), string(it.Status), it.Properties})
		n++
		return werr == nil
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}
