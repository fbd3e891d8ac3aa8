package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/adapters/csvio"
)

const itemColumnsHelp = "Copy columns (header line, any order; comma or semicolon):\n" +
	"  barcode (or inventory_number), record_id, library: required\n" +
	"  inventory_number, title, author, call_number, material, value (EUR, 12.50),\n" +
	"  high_demand, reading_room_only, entered, summary_register_no, movement_no,\n" +
	"  stocktaking, write_off_act, write_off_date, status (lost/missing/withdrawn for a\n" +
	"  new copy), properties. A copy that exists keeps its loan and hold state."

// runItems is "bibgate items import|export|show".
func runItems(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "show" {
		return runItemShow(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 {
		return fmt.Errorf("%w: bibgate items import FILE.csv | items export | items show BARCODE", errUsage)
	}
	return runListCommand(ctx, "items", args, stdout, stderr, csvio.ImportItems, csvio.ExportItems, itemColumnsHelp)
}

// runItemShow prints a copy's record: the fields of Regulation No. 317
// §19 and its circulation state.
func runItemShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("items show", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath, dataDir := catalogueFlags(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: bibgate items show BARCODE", errUsage)
	}
	cfg, err := toolConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	svc, st, err := openCore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := svc.Item(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	it := sum.Item
	lib := it.Library
	if l, ok := svc.Consortium().Library(it.Library); ok {
		lib += " (" + l.Name + ")"
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format("2006-01-02")
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	desc := it.Title
	if it.Author != "" {
		desc += " / " + it.Author
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	rows := [][2]string{
		{"Entry date (§19.1)", date(it.Entered)},
		{"Barcode (§19.2)", it.ID},
		{"Inventory number (§19.2)", dash(it.InventoryNumber)},
		{"Description (§19.3)", dash(desc) + "  [record " + it.RecordID + "]"},
		{"Item type (§19.4)", dash(it.Material)},
		{"Holding branch (§19.5)", lib},
		{"Shelf mark (§19.6)", dash(it.CallNumber)},
		{"Value EUR (§19.7)", fmt.Sprintf("%d.%02d", it.Value/100, it.Value%100)},
		{"Summary register entry (§19.8)", dash(it.SummaryRegisterNo)},
		{"Movement number (§19.9)", dash(it.MovementNo)},
		{"Stocktaking marks (§19.10)", dash(it.Stocktaking)},
		{"Write-off act (§19.11)", dash(it.WriteOffAct) + ", " + date(it.WriteOffDate)},
		{"Status", string(it.Status)},
	}
	if !sum.Due.IsZero() {
		rows = append(rows, [2]string{"Due", sum.Due.Format("2006-01-02")})
	}
	if it.ReadingRoomOnly {
		rows = append(rows, [2]string{"Reading room only", "yes"})
	}
	if it.Properties != "" {
		rows = append(rows, [2]string{"Properties", it.Properties})
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	return tw.Flush()
}
