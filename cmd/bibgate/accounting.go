package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/adapters/csvio"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
)

const accountingUsage = `Usage: bibgate accounting COMMAND [flags]

Collection accounting by Latvian Cabinet Regulation No. 317, offline on the
data directory (stop bibgate serve first, or run it on a PostgreSQL store).

  stocktake open --library ID --chair NAME [--member NAME]... [--from CN] [--to CN]
  stocktake scan FILE --library ID       mark the barcodes in FILE (one a line, - for stdin) seen
  stocktake close --library ID | ID      close the session and write its inventory act
  stocktake list [--library ID]
  stocktake act ID [--csv]               print the inventory act (annex 6), or its lists as CSV
  stocktake approve ID --by NAME         approve the closed stocktaking's inventory act (APSTIPRINU)
  writeoff --library ID --reason CODE (--stocktake ID | --items FILE) [--chair NAME] [--member NAME]...
           [--approve NAME]              draft a write-off act (annex 7); --approve also approves it
  writeoff approve ID --by NAME          approve a draft: its copies are withdrawn
  writeoff act ID [--csv]                print a write-off act, or its list as CSV
  writeoff list [--library ID]
  register --year YYYY [--library ID] [--part 1|3] [--csv]
                                         summary register (annex 5): part 3 from the copies' records,
                                         part 1 the year's receipts, one line each
  receipt draft --library ID --kind KIND --copies FILE [--supplier NAME] [--source TEXT] [--delivery HOW]
           [--document NR [--document-name NAME] [--document-date YYYY-MM-DD] [--document-copies N]
           [--document-value EUR]] [--findings TEXT] [--chair NAME] [--member NAME]... [--approve NAME]
                                         draft a receipt of new copies; KIND is document (by a matching
                                         accompanying document, no act), discrepancy (annex 1), no_document
                                         (annex 2) or replacement (annex 3: copies in place of lost ones,
                                         FILE's replaces column names the lost copy); --approve also approves
  receipt approve ID --by NAME           approve a draft: the copies enter the collection (register part 1);
                                         a replacement settles the patron's lost-item fees and writes the
                                         lost copy off (reason 33.7)
  receipt act ID [--csv]                 print the receipt act (annex 1, 2 or 3), or its list as CSV
  receipt list [--library ID]
  exchange list [--library ID] [--acts] [--csv]   the exchange collection (§38-40), or its transfer acts
  exchange transfer --library ID --to INSTITUTION [--to-id REGNO] --items FILE --by NAME
           [--chair NAME] [--member NAME]...   give copies of the exchange collection away (§40)
  exchange act ID [--csv]                print a transfer act, or its list as CSV
  move --from ID --to ID --items FILE --by NAME [--call-number CN]
                                         hand copies to another branch for good (movement number, §19.9)
  history BARCODE [--csv]                a copy's history: receipt, movements, stocktaking, write-off, exchange
  reasons                                the write-off reasons of §33 and their codes
  schedule --copies N                    the §30 stocktaking interval for a collection of N copies

Copy list FILE columns (header line, comma or semicolon): barcode (or inventory_number), record_id,
inventory_number, title, author, call_number, material, value (EUR), high_demand, reading_room_only,
replaces. An items FILE is one barcode a line (- for stdin).

Every command but reasons and schedule takes --config FILE and --data-dir DIR as the other tools do.
`

// runAccounting is "bibgate accounting ...".
func runAccounting(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, accountingUsage)
		return fmt.Errorf("%w: give a command", errUsage)
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stderr, accountingUsage)
		return pflag.ErrHelp
	case "reasons":
		return accountingReasons(stdout)
	case "schedule":
		return accountingSchedule(args[1:], stdout, stderr)
	case "register":
		return registerCmd(ctx, args[1:], stdout, stderr)
	case "stocktake":
		if len(args) < 2 {
			return fmt.Errorf("%w: stocktake open|scan|close|list|act|approve", errUsage)
		}
		switch args[1] {
		case "open", "scan", "close", "list", "act", "approve":
			return stocktakeCmd(ctx, args[1], args[2:], stdout, stderr)
		case "-h", "--help":
			fmt.Fprint(stderr, accountingUsage)
			return pflag.ErrHelp
		}
		return fmt.Errorf("%w: stocktake %q: open, scan, close, list, act or approve", errUsage, args[1])
	case "receipt":
		return subCmd(ctx, "receipt", []string{"draft", "approve", "act", "list"}, args[1:], stdout, stderr, receiptCmd)
	case "exchange":
		return subCmd(ctx, "exchange", []string{"list", "transfer", "act"}, args[1:], stdout, stderr, exchangeCmd)
	case "move":
		return moveCmd(ctx, args[1:], stdout, stderr)
	case "history":
		return historyCmd(ctx, args[1:], stdout, stderr)
	case "writeoff":
		sub := ""
		rest := args[1:]
		if len(rest) > 0 && (rest[0] == "approve" || rest[0] == "act" || rest[0] == "list") {
			sub, rest = rest[0], rest[1:]
		}
		return writeoffCmd(ctx, sub, rest, stdout, stderr)
	}
	fmt.Fprint(stderr, accountingUsage)
	return fmt.Errorf("%w: unknown accounting command %q", errUsage, args[0])
}

func accountingReasons(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\t§\tREASON")
	for _, r := range accounting.Reasons() {
		fmt.Fprintf(tw, "%s\t%s\t%s (%s)\n", r.Code, r.Paragraph, r.Latvian, r.English)
	}
	return tw.Flush()
}

func accountingSchedule(args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("accounting schedule", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("copies", 0, "physical units in the collection")
	last := fs.String("last", "", "date of the last stocktaking (2006-01-02), for the next due date")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *n <= 0 {
		return fmt.Errorf("%w: give --copies N", errUsage)
	}
	iv := accounting.Schedule(*n)
	how := ""
	if iv.Sample {
		how = ", by sample following a plan the director approves"
	}
	fmt.Fprintf(stdout, "%d copies: stocktaking at least every %d years%s (§%s)\n", *n, iv.Years, how, iv.Paragraph)
	if *last != "" {
		t, err := time.Parse(time.DateOnly, *last)
		if err != nil {
			return fmt.Errorf("%w: --last %q: want YYYY-MM-DD", errUsage, *last)
		}
		fmt.Fprintf(stdout, "next due by %s\n", accounting.NextStocktaking(t, *n).Format(time.DateOnly))
	}
	return nil
}

// accountingFlags are the flags every accounting command shares.
type accountingFlags struct {
	fs               *pflag.FlagSet
	cfgPath, dataDir *string
	library          *string
}

func newAccountingFlags(name string, stderr io.Writer) accountingFlags {
	fs := pflag.NewFlagSet("accounting "+name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath, dataDir := catalogueFlags(fs)
	return accountingFlags{fs: fs, cfgPath: cfgPath, dataDir: dataDir, library: fs.String("library", "", "library id")}
}

func (f accountingFlags) open(ctx context.Context, args []string) (*core.Service, func(), error) {
	if err := f.fs.Parse(args); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg, err := toolConfig(*f.cfgPath, *f.dataDir)
	if err != nil {
		return nil, nil, err
	}
	svc, st, err := openCore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return svc, func() { st.Close() }, nil
}

func stocktakeCmd(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	f := newAccountingFlags("stocktake "+sub, stderr)
	var chair, from, to, by *string
	var members *[]string
	var asCSV *bool
	switch sub {
	case "open":
		chair = f.fs.String("chair", "", "chair of the stocktaking commission")
		members = f.fs.StringArray("member", nil, "a member of the commission (repeat)")
		from = f.fs.String("from", "", "first call number of the shelf range")
		to = f.fs.String("to", "", "last call number of the shelf range (call numbers it prefixes included)")
	case "act":
		asCSV = f.fs.Bool("csv", false, "the act's lists of copies as CSV, for the accountant")
	case "approve":
		by = f.fs.String("by", "", "who approves the act (the library's director or its founder)")
	}
	svc, done, err := f.open(ctx, args)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "open":
		st, err := svc.OpenStocktake(ctx, core.StocktakeRequest{Library: *f.library, FromCallNumber: *from, ToCallNumber: *to,
			Commission: core.Commission{Chair: *chair, Members: *members}})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "stocktaking %s opened at %s\n", st.ID, st.Library)
		return nil
	case "scan":
		if f.fs.NArg() != 1 {
			return fmt.Errorf("%w: stocktake scan FILE --library ID", errUsage)
		}
		codes, err := readBarcodes(f.fs.Arg(0))
		if err != nil {
			return err
		}
		first, noRec, err := svc.MarkSeenAll(ctx, *f.library, codes)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d barcodes read, %d newly seen, %d without a record\n", len(codes), first, noRec)
		return nil
	case "close":
		id := f.fs.Arg(0)
		if id == "" {
			st, ok, err := svc.OpenStocktakeOf(ctx, *f.library)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: no stocktaking open at %q (give --library or the session id)", errUsage, *f.library)
			}
			id = st.ID
		}
		act, err := svc.CloseStocktake(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "stocktaking %s closed: inventory act %s: %d expected, %d found, %d missing (%s EUR), %d not returned by patrons, %d without record\n",
			id, act.Number, act.Expected.Copies(), act.Found.Copies(), len(act.Missing), eur(act.MissingTally.Value),
			len(act.OnLoan), len(act.NoRecord))
		return nil
	case "approve":
		if f.fs.NArg() != 1 || *by == "" {
			return fmt.Errorf("%w: stocktake approve ID --by NAME", errUsage)
		}
		act, err := svc.ApproveInventoryAct(ctx, f.fs.Arg(0), *by)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "inventory act %s approved by %s\n", act.Number, act.ApprovedBy)
		return nil
	case "list":
		list, err := svc.Stocktakes(ctx, *f.library)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLIBRARY\tRANGE\tOPENED\tCLOSED\tACT\tMISSING")
		for _, st := range list {
			closed, act, missing := "open", "-", "-"
			if st.Act != nil {
				closed, act, missing = st.Closed.Format(time.DateOnly), st.Act.Number.String(), strconv.Itoa(len(st.Act.Missing))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s..%s\t%s\t%s\t%s\t%s\n", st.ID, st.Library, st.FromCallNumber, st.ToCallNumber,
				st.Opened.Format(time.DateOnly), closed, act, missing)
		}
		return tw.Flush()
	}
	// act
	if f.fs.NArg() != 1 {
		return fmt.Errorf("%w: stocktake act ID [--csv]", errUsage)
	}
	st, err := svc.StocktakeByID(ctx, f.fs.Arg(0))
	if err != nil {
		return err
	}
	if st.Act == nil {
		return fmt.Errorf("stocktaking %s is still open: close it first", st.ID)
	}
	libName := st.Library
	if l, ok := svc.Consortium().Library(st.Library); ok {
		libName = l.Name
	}
	if *asCSV {
		return inventoryCSV(stdout, st.Act)
	}
	printInventoryAct(stdout, st.Act, libName)
	return nil
}

func readBarcodes(path string) ([]string, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	out, err := parseBarcodes(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// parseBarcodes reads a scanner's export: one barcode a line (LF, CR LF
// or CR), blank lines
// and # comments skipped; a line with more columns (comma, semicolon, tab
// or blank separated) gives its first.
func parseBarcodes(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Split(scanCRLines)
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if i := strings.IndexAny(line, ",;\t "); i >= 0 {
			line = line[:i]
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// scanCRLines splits at LF, CR LF or a lone CR (some wands end lines so).
func scanCRLines(data []byte, atEOF bool) (int, []byte, error) {
	for i, b := range data {
		if b == '\n' || b == '\r' {
			return i + 1, data[:i], nil
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// eur renders cents as 12.50.
func eur(m core.Money) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)
}

func lvDate(t time.Time) string {
	if t.IsZero() {
		return "____.gada __.________"
	}
	return fmt.Sprintf("%d.gada %d.%s", t.Year(), t.Day(), lvMonths[t.Month()-1])
}

var lvMonths = [...]string{"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā", "septembrī",
	"oktobrī", "novembrī", "decembrī"}

func printCommission(w io.Writer, c core.Commission) {
	fmt.Fprintf(w, "Komisija šādā sastāvā:\nKomisijas priekšsēdētājs: %s\n", c.Chair)
	if len(c.Members) > 0 {
		fmt.Fprintf(w, "Komisijas locekļi: %s\n", strings.Join(c.Members, ", "))
	}
}

// printInventoryAct prints the act in the layout of annex 6.
func printInventoryAct(w io.Writer, a *core.InventoryAct, libName string) {
	if a.ApprovedBy != "" {
		fmt.Fprintf(w, "APSTIPRINU %s, %s\n\n", a.ApprovedBy, lvDate(a.Approved))
	}
	fmt.Fprintf(w, "Bibliotēkas krājuma inventarizācijas akts Nr. %s\n\n", a.Number)
	printCommission(w, a.Commission)
	fmt.Fprintf(w, "\n%s sastādīja aktu par %s bibliotēkas krājuma inventarizāciju, kura tika veikta no %s līdz %s.\n\n",
		lvDate(a.To), libName, lvDate(a.From), lvDate(a.To))
	fmt.Fprintln(w, "Salīdzinot šos dokumentus ar krājuma individuālās uzskaites dokumentiem, tika konstatēts:")
	fmt.Fprintf(w, "1. Saskaņā ar krājuma uzskaites dokumentiem bibliotēkā ir uzskaitīti: %d grāmatu eksemplāri; %d citu iespieddarbu un dokumentu eksemplāri.\n",
		a.Expected.Books, a.Expected.Others)
	fmt.Fprintf(w, "2. Bibliotēkas krājumā atrodas: %d grāmatu eksemplāri; %d citu iespieddarbu un dokumentu eksemplāri.\n",
		a.Found.Books, a.Found.Others)
	fmt.Fprintf(w, "3. Trūkst %d grāmatu eksemplāri; %d citu iespieddarbu un dokumentu eksemplāri par kopējo summu EUR %s.\n",
		a.MissingTally.Books, a.MissingTally.Others, eur(a.MissingTally.Value))
	fmt.Fprintf(w, "4. No bibliotēkas lietotājiem izsniegtajām grāmatām, citiem iespieddarbiem un dokumentiem bibliotēkā nav atdoti %d eksemplāri.\n",
		len(a.OnLoan))
	fmt.Fprintf(w, "5. Konstatēti individuālās uzskaites dokumentos neuzskaitīti %d eksemplāri.\n", len(a.NoRecord))
	fmt.Fprintf(w, "\nKrājuma vērtība uz gada sākumu EUR %s; pieļaujamā norma (0,3 %%, 34. punkts) EUR %s", eur(a.StartValue), eur(a.LossNorm))
	if over := a.MissingOverNorm(); over > 0 {
		fmt.Fprintf(w, "; trūkstošo vērtība pārsniedz normu par EUR %s", eur(over))
	}
	fmt.Fprintln(w, ".")
	list := func(title string, cs []core.ActCopy) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Nr. p.k.\tInventāra numurs\tSvītrkods\tIzdevuma apraksts\tPlaukta indekss\tVērtība")
		for i, c := range cs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", i+1, c.InventoryNumber, c.ID, describe(c), c.CallNumber, eur(c.Value))
		}
		tw.Flush()
	}
	list("Pielikumā: Trūkstošo grāmatu, citu iespieddarbu un dokumentu saraksts", a.Missing)
	list("Bibliotēkas lietotājiem izsniegtie, nav atdoti", a.OnLoan)
	list("Pārvietošanā starp struktūrvienībām", a.InTransit)
	if len(a.NoRecord) > 0 {
		fmt.Fprintf(w, "\nIndividuālās uzskaites dokumentos neuzskaitīti svītrkodi: %s\n", strings.Join(a.NoRecord, ", "))
	}
	if len(a.Elsewhere) > 0 {
		fmt.Fprintf(w, "Atrasti, bet uzskaitīti citur: %s\n", strings.Join(a.Elsewhere, ", "))
	}
	fmt.Fprintf(w, "\nKomisijas priekšsēdētājs ____________ %s\n", a.Commission.Chair)
	for _, m := range a.Commission.Members {
		fmt.Fprintf(w, "Komisijas loceklis ____________ %s\n", m)
	}
}

func describe(c core.ActCopy) string {
	if c.Author != "" {
		return c.Title + " / " + c.Author
	}
	return c.Title
}

// inventoryCSV writes the act's lists, one copy a line, then its totals.
func inventoryCSV(w io.Writer, a *core.InventoryAct) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"akts", "sadaļa", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts", "plaukta_indekss",
		"izdevuma_tips", "vērtība_eur"})
	act := a.Number.String()
	rows := func(section string, cs []core.ActCopy) {
		for i, c := range cs {
			_ = cw.Write([]string{act, section, strconv.Itoa(i + 1), c.InventoryNumber, c.ID, describe(c), c.CallNumber,
				accounting.TypeOfMaterial(c.Material).String(), eur(c.Value)})
		}
	}
	rows("trūkst", a.Missing)
	rows("nav_atdoti", a.OnLoan)
	rows("pārvietošanā", a.InTransit)
	for i, b := range a.NoRecord {
		_ = cw.Write([]string{act, "neuzskaitīti", strconv.Itoa(i + 1), "", b, "", "", "", ""})
	}
	for _, t := range []struct {
		name  string
		tally core.Tally
	}{{"kopā_uzskaitīti", a.Expected}, {"kopā_atrodas", a.Found}, {"kopā_trūkst", a.MissingTally}, {"kopā_nav_atdoti", a.OnLoanTally}} {
		_ = cw.Write([]string{act, t.name, strconv.Itoa(t.tally.Copies()), "", "", "", "", "", eur(t.tally.Value)})
	}
	_ = cw.Write([]string{act, "vērtība_gada_sākumā", "", "", "", "", "", "", eur(a.StartValue)})
	_ = cw.Write([]string{act, "norma_0,3%", "", "", "", "", "", "", eur(a.LossNorm)})
	cw.Flush()
	return cw.Error()
}

func writeoffCmd(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	f := newAccountingFlags("writeoff "+strings.TrimSpace(sub), stderr)
	var reason, fromStocktake, itemsFile, chair, approve, by, disposal *string
	var members *[]string
	var asCSV *bool
	switch sub {
	case "":
		reason = f.fs.String("reason", "", "write-off reason code or §33 point (bibgate accounting reasons)")
		fromStocktake = f.fs.String("stocktake", "", "write off the copies this closed stocktaking found missing")
		itemsFile = f.fs.String("items", "", "file of barcodes to write off (one a line, - for stdin)")
		chair = f.fs.String("chair", "", "chair of the commission")
		members = f.fs.StringArray("member", nil, "a member of the commission (repeat)")
		disposal = f.fs.String("disposal", "", "what is done with the copies (annex 7)")
		approve = f.fs.String("approve", "", "approve the act at once in the name of this person (§36)")
	case "approve":
		by = f.fs.String("by", "", "the person approving the act (§36: director or founder)")
	case "act":
		asCSV = f.fs.Bool("csv", false, "the act's list of copies as CSV, for the accountant")
	}
	svc, done, err := f.open(ctx, args)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "":
		req := core.WriteOffRequest{Library: *f.library, Reason: *reason, FromStocktake: *fromStocktake, Disposal: *disposal,
			Commission: core.Commission{Chair: *chair, Members: *members}}
		if *itemsFile != "" {
			if req.Items, err = readBarcodes(*itemsFile); err != nil {
				return err
			}
		}
		act, err := svc.DraftWriteOff(ctx, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "write-off act %s drafted: %d copies, EUR %s, reason §%s\n", act.ID, len(act.Copies),
			eur(act.Tally.Value), act.ReasonText().Paragraph)
		if *approve == "" {
			return nil
		}
		act, err = svc.ApproveWriteOff(ctx, act.ID, *approve)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "approved by %s: act Nr. %s, %d copies withdrawn\n", act.ApprovedBy, act.Number, len(act.Copies))
		return nil
	case "approve":
		if f.fs.NArg() != 1 {
			return fmt.Errorf("%w: writeoff approve ID --by NAME", errUsage)
		}
		act, err := svc.ApproveWriteOff(ctx, f.fs.Arg(0), *by)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "write-off act %s approved by %s: act Nr. %s, %d copies withdrawn\n", act.ID, act.ApprovedBy,
			act.Number, len(act.Copies))
		return nil
	case "list":
		list, err := svc.WriteOffs(ctx, *f.library)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLIBRARY\tNUMBER\tREASON\tCOPIES\tEUR\tAPPROVED")
		for _, a := range list {
			num, appr := "draft", "-"
			if !a.Approved.IsZero() {
				num, appr = a.Number.String(), a.Approved.Format(time.DateOnly)+" "+a.ApprovedBy
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", a.ID, a.Library, num, a.Reason, len(a.Copies), eur(a.Tally.Value), appr)
		}
		return tw.Flush()
	}
	// act
	if f.fs.NArg() != 1 {
		return fmt.Errorf("%w: writeoff act ID [--csv]", errUsage)
	}
	a, err := svc.WriteOffByID(ctx, f.fs.Arg(0))
	if err != nil {
		return err
	}
	if *asCSV {
		return writeoffCSV(stdout, &a)
	}
	printWriteOff(stdout, &a)
	return nil
}

// printWriteOff prints the act in the layout of annex 7.
func printWriteOff(w io.Writer, a *core.WriteOffAct) {
	num := a.Number.String()
	if num == "" {
		num = "___ (projekts " + a.ID + ")"
	}
	fmt.Fprintf(w, "Norakstīšanas akts Nr. %s\n", num)
	if !a.Approved.IsZero() {
		fmt.Fprintf(w, "APSTIPRINU %s, %s\n", a.ApprovedBy, lvDate(a.Approved))
	}
	fmt.Fprintln(w)
	printCommission(w, a.Commission)
	r := a.ReasonText()
	fmt.Fprintf(w, "\n%s sastādīja aktu par iespieddarbu un citu dokumentu norakstīšanu no bibliotēkas krājuma.\n", lvDate(a.Drafted))
	fmt.Fprintf(w, "Norakstīšanas iemesls: %s (33.%s. apakšpunkts)\n", r.Latvian, strings.TrimPrefix(r.Paragraph, "33."))
	fmt.Fprintf(w, "Norakstīto iespieddarbu un citu dokumentu veidi:\n grāmatas %d par summu EUR %s\n citi dokumenti %d\n",
		a.Tally.Books, eur(booksValue(a)), a.Tally.Others)
	fmt.Fprintf(w, "Pavisam norakstīti %d iespieddarbi un citi dokumenti par summu EUR %s\n", a.Tally.Copies(), eur(a.Tally.Value))
	if a.Disposal != "" {
		fmt.Fprintf(w, "Norakstītie iespieddarbi un citi dokumenti: %s\n", a.Disposal)
	} else if a.Reason == accounting.ReasonExchange {
		fmt.Fprintln(w, "Norakstītie iespieddarbi un citi dokumenti: iekļauti apmaiņas krājumā (39. punkts)")
	}
	fmt.Fprintf(w, "\nNorakstīšanas akta Nr. %s pielikums\nNorakstīto iespieddarbu un citu dokumentu saraksts\n", num)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Nr. p.k.\tInventāra numurs\tSvītrkods\tIzdevuma apraksts\tDaudzums\tVērtība")
	for i, c := range a.Copies {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t1\t%s\n", i+1, c.InventoryNumber, c.ID, describe(c), eur(c.Value))
	}
	tw.Flush()
}

func booksValue(a *core.WriteOffAct) core.Money {
	var v core.Money
	for _, c := range a.Copies {
		if accounting.TypeOfMaterial(c.Material) == accounting.Books {
			v += c.Value
		}
	}
	return v
}

// writeoffCSV writes the act's list (annex 7 columns).
func writeoffCSV(w io.Writer, a *core.WriteOffAct) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"akts", "datums", "iemesls", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts",
		"izdevuma_tips", "daudzums", "vērtība_eur"})
	date := ""
	if !a.Approved.IsZero() {
		date = a.Approved.Format(time.DateOnly)
	}
	num := a.Number.String()
	if num == "" {
		num = a.ID
	}
	for i, c := range a.Copies {
		_ = cw.Write([]string{num, date, a.ReasonText().Paragraph, strconv.Itoa(i + 1), c.InventoryNumber, c.ID, describe(c),
			accounting.TypeOfMaterial(c.Material).String(), "1", eur(c.Value)})
	}
	_ = cw.Write([]string{num, date, a.ReasonText().Paragraph, "kopā", "", "", "", "", strconv.Itoa(a.Tally.Copies()), eur(a.Tally.Value)})
	cw.Flush()
	return cw.Error()
}

// registerCmd prints the summary register part 3 of a year.
func registerCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAccountingFlags("register", stderr)
	year := f.fs.Int("year", time.Now().Year(), "the year")
	asCSV := f.fs.Bool("csv", false, "as CSV, for the accountant")
	part := f.fs.Int("part", 3, "the register's part: 1 (received, one line a receipt) or 3 (summary)")
	svc, done, err := f.open(ctx, args)
	if err != nil {
		return err
	}
	defer done()
	if *part != 1 && *part != 3 {
		return fmt.Errorf("%w: --part 1 or 3 (part 2, the write-offs, is the list of write-off acts)", errUsage)
	}
	cfg, err := toolConfig(*f.cfgPath, *f.dataDir)
	if err != nil {
		return err
	}
	var langs core.RecordLookup
	if cat, err := openCatalogue(cfg.DataDir, false); err == nil {
		defer cat.Close()
		langs = cat.RegisterFacts
	} else {
		fmt.Fprintf(stderr, "no catalogue (%v): every copy counts in language \"other\", without a UDC class\n", err)
	}
	if *part == 1 {
		return receivedRegisterOut(ctx, svc, *f.library, *year, langs, *asCSV, stdout)
	}
	s, err := svc.SummaryRegister(ctx, *f.library, *year, langs)
	if err != nil {
		return err
	}
	lines := []struct {
		label string
		row   accounting.Row
	}{
		{fmt.Sprintf("Krājumā uz %d.g. 1.janvāri", s.Year), s.Start},
		{"Gada laikā saņemtie iespieddarbi un citi dokumenti", s.Received},
		{"Gada laikā norakstītie iespieddarbi un citi dokumenti", s.WrittenOff},
		{"Iespieddarbi un citi dokumenti uz gada beigām", s.End},
	}
	head := []string{"", "eksemplāri"}
	for _, t := range accounting.Types() {
		head = append(head, t.Latvian())
	}
	for _, l := range accounting.Languages() {
		head = append(head, l.Latvian())
	}
	head = append(head, udcHeads()...)
	head = append(head, "bilancē eks.", "bilancē EUR", "ārpus bilances eks.", "ārpus bilances EUR")
	cells := func(r accounting.Row) []string {
		out := []string{strconv.Itoa(r.Total.Copies)}
		for _, t := range accounting.Types() {
			out = append(out, strconv.Itoa(r.ByType[t].Copies))
		}
		for _, l := range accounting.Languages() {
			out = append(out, strconv.Itoa(r.ByLanguage[l].Copies))
		}
		out = append(out, udcCells(r)...)
		return append(out, strconv.Itoa(r.OnBalance.Copies), eur(r.OnBalance.Sum), strconv.Itoa(r.OffBalance.Copies),
			eur(r.OffBalance.Sum))
	}
	if *asCSV {
		cw := csv.NewWriter(stdout)
		_ = cw.Write(head)
		for _, l := range lines {
			_ = cw.Write(append([]string{l.label}, cells(l.row)...))
		}
		cw.Flush()
		return cw.Error()
	}
	lib := "visas bibliotēkas"
	if l, ok := svc.Consortium().Library(*f.library); ok {
		lib = l.Name
	}
	fmt.Fprintf(stdout, "Summārās uzskaites grāmata, 3.daļa. Krājuma uzskaites kopsavilkums: %s, %d\n\n", lib, s.Year)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, l := range lines {
		fmt.Fprintln(tw, l.label+"\t"+strings.Join(cells(l.row), "\t")+"\t")
	}
	return tw.Flush()
}

// subCmd runs "accounting NAME SUB ...": SUB must be one of subs.
func subCmd(ctx context.Context, name string, subs, args []string, stdout, stderr io.Writer,
	run func(context.Context, string, []string, io.Writer, io.Writer) error) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s %s", errUsage, name, strings.Join(subs, "|"))
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Fprint(stderr, accountingUsage)
		return pflag.ErrHelp
	}
	if !slices.Contains(subs, args[0]) {
		return fmt.Errorf("%w: %s %q: %s", errUsage, name, args[0], strings.Join(subs, ", "))
	}
	return run(ctx, args[0], args[1:], stdout, stderr)
}

// readCopyList reads a receipt's list of new copies (CSV, - for stdin).
func readCopyList(svc *core.Service, library, path string) ([]core.ReceiptCopy, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	copies, err := csvio.ReadReceiptCopies(svc, library, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return copies, nil
}

func libraryName(svc *core.Service, id string) string {
	if l, ok := svc.Consortium().Library(id); ok {
		return l.Name
	}
	return id
}

func receiptCmd(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	f := newAccountingFlags("receipt "+sub, stderr)
	var kind, copiesFile, supplier, source, delivery, docNr, docName, docDate, docValue, findings, chair, approve, by *string
	var docCopies *int
	var members *[]string
	var asCSV *bool
	switch sub {
	case "draft":
		kind = f.fs.String("kind", "", "document, discrepancy (annex 1), no_document (annex 2) or replacement (annex 3)")
		copiesFile = f.fs.String("copies", "", "CSV list of the new copies (- for stdin)")
		supplier = f.fs.String("supplier", "", "the supplier: institution (name, registration number) or person")
		source = f.fs.String("source", "", "acquisition source for the summary register (default: the supplier)")
		delivery = f.fs.String("delivery", "", "how copies without a document came (annex 2): post, donation, exchange ...")
		docNr = f.fs.String("document", "", "the accompanying document's number")
		docName = f.fs.String("document-name", "pavadzīme", "the kind of accompanying document")
		docDate = f.fs.String("document-date", "", "the accompanying document's date (YYYY-MM-DD)")
		docCopies = f.fs.Int("document-copies", 0, "copies the accompanying document lists")
		docValue = f.fs.String("document-value", "", "value the accompanying document lists (EUR)")
		findings = f.fs.String("findings", "", "what the commission found (annex 1)")
		chair = f.fs.String("chair", "", "who drew up the act (first of up to three)")
		members = f.fs.StringArray("member", nil, "another person who drew up the act (repeat)")
		approve = f.fs.String("approve", "", "approve the receipt at once in the name of this person")
	case "approve":
		by = f.fs.String("by", "", "the person approving the receipt")
	case "act":
		asCSV = f.fs.Bool("csv", false, "the act's list of copies as CSV, for the accountant")
	}
	svc, done, err := f.open(ctx, args)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "draft":
		if *copiesFile == "" && core.ReceiptKind(*kind) != core.ReceiptDiscrepancy {
			return fmt.Errorf("%w: receipt draft needs --copies FILE", errUsage)
		}
		if _, ok := svc.Consortium().Library(*f.library); !ok {
			return fmt.Errorf("%w: --library %q is not a library of the consortium", errUsage, *f.library)
		}
		req := core.ReceiptRequest{Kind: core.ReceiptKind(*kind), Library: *f.library, Supplier: *supplier, Source: *source,
			Delivery: *delivery, Findings: *findings, Commission: core.Commission{Chair: *chair, Members: *members}}
		if *copiesFile != "" {
			if req.Copies, err = readCopyList(svc, *f.library, *copiesFile); err != nil {
				return err
			}
		}
		if *docNr != "" {
			d := &core.AccompanyingDocument{Name: *docName, Number: *docNr, Copies: *docCopies}
			if *docDate != "" {
				if d.Date, err = time.Parse(time.DateOnly, *docDate); err != nil {
					return fmt.Errorf("%w: --document-date %q: want YYYY-MM-DD", errUsage, *docDate)
				}
			}
			if *docValue != "" {
				if d.Value, err = csvio.ParseEuro(*docValue); err != nil {
					return fmt.Errorf("%w: --document-value: %w", errUsage, err)
				}
			}
			req.Document = d
		}
		a, err := svc.DraftReceipt(ctx, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "receipt %s drafted (%s): %d copies, EUR %s\n", a.ID, receiptKindText(a.Kind), a.Tally.Total.Copies,
			eur(a.Tally.Total.Sum))
		if *approve == "" {
			return nil
		}
		if a, err = svc.ApproveReceipt(ctx, a.ID, *approve); err != nil {
			return err
		}
		printApproved(stdout, &a)
		return nil
	case "approve":
		if f.fs.NArg() != 1 {
			return fmt.Errorf("%w: receipt approve ID --by NAME", errUsage)
		}
		a, err := svc.ApproveReceipt(ctx, f.fs.Arg(0), *by)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "receipt %s ", a.ID)
		printApproved(stdout, &a)
		return nil
	case "list":
		list, err := svc.Receipts(ctx, *f.library)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLIBRARY\tKIND\tACT\tENTRY\tSUPPLIER\tCOPIES\tEUR\tAPPROVED")
		for _, a := range list {
			num, entry, appr := "draft", "-", "-"
			if !a.Approved.IsZero() {
				num, entry, appr = dashIfEmpty(a.Number.String()), a.Entry.String(), a.Approved.Format(time.DateOnly)+" "+a.ApprovedBy
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", a.ID, a.Library, a.Kind, num, entry, a.Supplier,
				a.Tally.Total.Copies, eur(a.Tally.Total.Sum), appr)
		}
		return tw.Flush()
	}
	// act
	if f.fs.NArg() != 1 {
		return fmt.Errorf("%w: receipt act ID [--csv]", errUsage)
	}
	a, err := svc.ReceiptByID(ctx, f.fs.Arg(0))
	if err != nil {
		return err
	}
	if *asCSV {
		return receiptCSV(stdout, &a)
	}
	printReceiptAct(stdout, &a, libraryName(svc, a.Library))
	return nil
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func receiptKindText(k core.ReceiptKind) string {
	if n := k.Annex(); n > 0 {
		return fmt.Sprintf("%s, annex %d", k, n)
	}
	return string(k) + ", no act"
}

func printApproved(w io.Writer, a *core.ReceiptAct) {
	act := ""
	if a.Number.N != 0 {
		act = fmt.Sprintf("act Nr. %s, ", a.Number)
	}
	if a.Entry.N == 0 {
		fmt.Fprintf(w, "approved by %s: %snothing arrived, nothing entered in the summary register\n", a.ApprovedBy, act)
	} else {
		fmt.Fprintf(w, "approved by %s: %ssummary register part 1 entry Nr. %s, %d copies entered\n", a.ApprovedBy, act, a.Entry,
			len(a.Copies))
	}
	if a.WriteOff == "" {
		return
	}
	var settled, refund core.Money
	for _, c := range a.Copies {
		settled, refund = settled+c.Settled, refund+c.Refund
	}
	fmt.Fprintf(w, "lost copies written off by act Nr. %s (%s, reason §33.7); patrons' fees settled EUR %s, credited back EUR %s\n",
		a.WriteOffNumber, a.WriteOff, eur(settled), eur(refund))
}

// receiptTitles are the headings of the annexes.
var receiptTitles = map[core.ReceiptKind]string{
	core.ReceiptDiscrepancy: "par saņemto iespieddarbu un citu dokumentu skaita neatbilstību pavaddokumentam",
	core.ReceiptNoDocument:  "par iespieddarbu un citu dokumentu saņemšanu bez pavaddokumentiem",
	core.ReceiptReplacement: "par iespieddarbu un citu dokumentu pieņemšanu, kuri saņemti no bibliotēkas lietotājiem nozaudēto vietā",
}

// printReceiptAct prints the act in the layout of its annex (1, 2 or 3),
// or a receipt by its document as the entry it makes.
func printReceiptAct(w io.Writer, a *core.ReceiptAct, libName string) {
	num := a.Number.String()
	if a.Approved.IsZero() {
		num = "___ (projekts " + a.ID + ")"
	}
	date := a.Approved
	if date.IsZero() {
		date = a.Drafted
	}
	if a.Kind == core.ReceiptDocument {
		fmt.Fprintf(w, "Pieņemšana saskaņā ar pavaddokumentu %s\n%s\nPiegādātājs: %s\n", a.Document, lvDate(date), a.Supplier)
	} else {
		fmt.Fprintf(w, "Akts Nr. %s\n%s\n\n%s\n", num, receiptTitles[a.Kind], lvDate(date))
		if !a.Approved.IsZero() {
			fmt.Fprintf(w, "APSTIPRINU %s\n", a.ApprovedBy)
		}
		fmt.Fprintf(w, "\nAktu sastādīja: %s\n", strings.Join(append([]string{a.Commission.Chair}, a.Commission.Members...), ", "))
	}
	t := &a.Tally
	switch a.Kind {
	case core.ReceiptDiscrepancy:
		fmt.Fprintf(w, "par to, ka %s, saņemot no %s\n(%s)\nar pavaddokumentu %s,\n", lvDate(date), a.Supplier, receivedTypes(t),
			a.Document)
		c, v := a.Shortfall()
		if c >= 0 && v >= 0 {
			fmt.Fprintf(w, "trūkst %d eks. par summu EUR %s\n", c, eur(v))
		} else {
			fmt.Fprintf(w, "saņemts vairāk, nekā norādīts pavaddokumentā: %d eks. par summu EUR %s\n", -c, eur(-v))
		}
		fmt.Fprintf(w, "Konstatēts: pavaddokumentā norādīti %d eks. par summu EUR %s, saņemti %d eks. par summu EUR %s.",
			a.Document.Copies, eur(a.Document.Value), t.Total.Copies, eur(t.Total.Sum))
		if a.Findings != "" {
			fmt.Fprintf(w, " %s", a.Findings)
		}
		fmt.Fprintln(w)
	case core.ReceiptNoDocument:
		fmt.Fprintf(w, "par to, ka %s %s saņēma %s\nPiegādātājs: %s\n", lvDate(date), libName, dashIfEmpty(a.Delivery), a.Supplier)
	case core.ReceiptReplacement:
		fmt.Fprintf(w, "par to, ka %s %s pieņēma iespieddarbus un citus dokumentus, kuri saņemti no bibliotēkas lietotājiem nozaudēto vietā.\n",
			lvDate(date), libName)
		fmt.Fprintln(w, "Pielikumā no bibliotēkas lietotājiem nozaudēto vietā pieņemto iespieddarbu un citu dokumentu saraksts.")
	}
	if a.Kind != core.ReceiptDiscrepancy {
		others := t.ByType[accounting.Audiovisual]
		others.Copies += t.ByType[accounting.OtherType].Copies
		others.Sum += t.ByType[accounting.OtherType].Sum
		fmt.Fprintf(w, "Uzskaitīts: grāmatas %d eks. par summu EUR %s\n", t.ByType[accounting.Books].Copies, eur(t.ByType[accounting.Books].Sum))
		fmt.Fprintf(w, "  žurnāli %d eks. par summu EUR %s\n", t.ByType[accounting.Serials].Copies, eur(t.ByType[accounting.Serials].Sum))
		fmt.Fprintf(w, "  citi dokumenti %d eks. par summu EUR %s\n", others.Copies, eur(others.Sum))
		fmt.Fprintf(w, "Kopā: %d eks. par summu EUR %s\n", t.Total.Copies, eur(t.Total.Sum))
	}
	entry := "___"
	if a.Entry.N != 0 {
		entry = a.Entry.String()
	}
	fmt.Fprintf(w, "Ierakstīts krājuma summārās uzskaites grāmatā ar kārtas Nr. %s\n", entry)
	if first, last := a.RecordRange(); first != "" {
		fmt.Fprintf(w, "Individuālās uzskaites numuri no Nr. %s līdz Nr. %s\n", first, last)
	}
	if a.WriteOff != "" {
		fmt.Fprintf(w, "Nozaudētie eksemplāri norakstīti ar norakstīšanas aktu Nr. %s (33.7. apakšpunkts).\n", a.WriteOffNumber)
	}
	if len(a.Copies) > 0 {
		fmt.Fprintf(w, "\nAkta Nr. %s pielikums: saņemto iespieddarbu un citu dokumentu saraksts\n", num)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := "Nr. p.k.\tInventāra numurs\tSvītrkods\tIzdevuma apraksts\tPlaukta indekss\tVērtība"
		if a.Kind == core.ReceiptReplacement {
			head += "\tNozaudētā vietā"
		}
		fmt.Fprintln(tw, head)
		for i, c := range a.Copies {
			line := fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s", i+1, c.InventoryNumber, c.ID, describe(core.ActCopy{Title: c.Title, Author: c.Author}),
				c.CallNumber, eur(c.Value))
			if a.Kind == core.ReceiptReplacement {
				line += "\t" + c.Replaces
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
	}
	if a.Kind != core.ReceiptDocument {
		fmt.Fprintln(w, "\nParaksti:")
		for _, n := range append([]string{a.Commission.Chair}, a.Commission.Members...) {
			fmt.Fprintf(w, "____________ %s\n", n)
		}
	}
}

// receivedTypes names the kinds of documents received (annex 1).
func receivedTypes(t *core.ReceiptTally) string {
	var out []string
	for _, ty := range accounting.Types() {
		if t.ByType[ty].Copies > 0 {
			out = append(out, ty.Latvian())
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

// receiptCSV writes the receipt's list of copies, then its total.
func receiptCSV(w io.Writer, a *core.ReceiptAct) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"akts", "datums", "veids", "ieraksts", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts",
		"plaukta_indekss", "izdevuma_tips", "vērtība_eur", "nozaudētā_vietā"})
	num, date := a.Number.String(), ""
	if num == "" {
		num = a.ID
	}
	if !a.Approved.IsZero() {
		date = a.Approved.Format(time.DateOnly)
	}
	kind := string(a.Kind)
	for i, c := range a.Copies {
		_ = cw.Write([]string{num, date, kind, a.Entry.String(), strconv.Itoa(i + 1), c.InventoryNumber, c.ID,
			describe(core.ActCopy{Title: c.Title, Author: c.Author}), c.CallNumber, accounting.TypeOfMaterial(c.Material).String(),
			eur(c.Value), c.Replaces})
	}
	_ = cw.Write([]string{num, date, kind, a.Entry.String(), "kopā", "", "", "", "", strconv.Itoa(a.Tally.Total.Copies),
		eur(a.Tally.Total.Sum), ""})
	cw.Flush()
	return cw.Error()
}

// udcHeads are the headings of the register's UDC columns: "UDK 0" …
// "UDK 9", "bez UDK".
func udcHeads() []string {
	var out []string
	for _, k := range accounting.Classes() {
		if k == accounting.Unclassified {
			out = append(out, k.Latvian())
		} else {
			out = append(out, "UDK "+k.Latvian())
		}
	}
	return out
}

// udcCells are a register line's copies by UDC class.
func udcCells(r accounting.Row) []string {
	var out []string
	for _, k := range accounting.Classes() {
		out = append(out, strconv.Itoa(r.ByClass[k].Copies))
	}
	return out
}

// receivedRegisterOut prints part 1 of the summary register (annex 5).
func receivedRegisterOut(ctx context.Context, svc *core.Service, library string, year int,
	langs core.RecordLookup, asCSV bool, stdout io.Writer) error {
	entries, err := svc.ReceivedRegister(ctx, library, year, langs)
	if err != nil {
		return err
	}
	head := []string{"Ieraksta datums", "Ieraksta kārtas numurs", "Komplektēšanas avots", "Pavaddokumenta numurs",
		"eksemplāru skaits", "nosaukumu skaits"}
	for _, t := range accounting.Types() {
		head = append(head, t.Latvian())
	}
	for _, l := range accounting.Languages() {
		head = append(head, l.Latvian())
	}
	head = append(head, udcHeads()...)
	head = append(head, "bilancē eks.", "bilancē EUR", "ārpus bilances eks.", "ārpus bilances EUR")
	rows := make([][]string, 0, len(entries))
	for _, e := range entries {
		r := []string{e.Date.Format(time.DateOnly), e.Number, e.Source, e.Document, strconv.Itoa(e.Total.Copies),
			strconv.Itoa(e.Titles)}
		for _, t := range accounting.Types() {
			r = append(r, strconv.Itoa(e.ByType[t].Copies))
		}
		for _, l := range accounting.Languages() {
			r = append(r, strconv.Itoa(e.ByLanguage[l].Copies))
		}
		r = append(r, udcCells(e.Row)...)
		rows = append(rows, append(r, strconv.Itoa(e.OnBalance.Copies), eur(e.OnBalance.Sum), strconv.Itoa(e.OffBalance.Copies),
			eur(e.OffBalance.Sum)))
	}
	if asCSV {
		cw := csv.NewWriter(stdout)
		_ = cw.Write(head)
		_ = cw.WriteAll(rows)
		return cw.Error()
	}
	lib := "visas bibliotēkas"
	if l, ok := svc.Consortium().Library(library); ok {
		lib = l.Name
	}
	fmt.Fprintf(stdout, "Summārās uzskaites grāmata, 1.daļa. Saņemtie iespieddarbi un citi dokumenti: %s, %d\n\n", lib, year)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	return tw.Flush()
}

func exchangeCmd(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	f := newAccountingFlags("exchange "+sub, stderr)
	var to, toID, itemsFile, by, chair *string
	var members *[]string
	var asCSV, acts *bool
	switch sub {
	case "list":
		acts = f.fs.Bool("acts", false, "list the transfer acts instead of the collection")
		asCSV = f.fs.Bool("csv", false, "the collection as CSV")
	case "transfer":
		to = f.fs.String("to", "", "the institution the copies go to")
		toID = f.fs.String("to-id", "", "its registration number")
		itemsFile = f.fs.String("items", "", "file of barcodes to transfer (one a line, - for stdin)")
		by = f.fs.String("by", "", "the person approving the transfer")
		chair = f.fs.String("chair", "", "chair of the commission that decided it (§5.6)")
		members = f.fs.StringArray("member", nil, "a member of the commission (repeat)")
	case "act":
		asCSV = f.fs.Bool("csv", false, "the act's list as CSV, for the accountant")
	}
	svc, done, err := f.open(ctx, args)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "list":
		if *acts {
			list, err := svc.ExchangeTransfers(ctx, *f.library)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tLIBRARY\tNUMBER\tTO\tCOPIES\tEUR\tDATE")
			for _, a := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s %s\n", a.ID, a.Library, a.Number, a.Recipient, len(a.Copies),
					eur(a.Tally.Value), a.Date.Format(time.DateOnly), a.ApprovedBy)
			}
			return tw.Flush()
		}
		list, err := svc.ExchangeCollection(ctx, *f.library)
		if err != nil {
			return err
		}
		if *asCSV {
			cw := csv.NewWriter(stdout)
			_ = cw.Write([]string{"bibliotēka", "inventāra_numurs", "svītrkods", "izdevuma_apraksts", "izdevuma_tips", "vērtība_eur",
				"norakstīšanas_akts", "datums"})
			for _, e := range list {
				_ = cw.Write([]string{e.Library, e.InventoryNumber, e.ID, describe(e.ActCopy), accounting.TypeOfMaterial(e.Material).String(),
					eur(e.Value), e.WriteOffAct, e.Since.Format(time.DateOnly)})
			}
			cw.Flush()
			return cw.Error()
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LIBRARY\tBARCODE\tINVENTORY\tDESCRIPTION\tEUR\tWRITE-OFF ACT\tSINCE")
		var total core.Money
		for _, e := range list {
			total += e.Value
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Library, e.ID, e.InventoryNumber, describe(e.ActCopy), eur(e.Value),
				e.WriteOffAct, e.Since.Format(time.DateOnly))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d copies in the exchange collection, EUR %s\n", len(list), eur(total))
		return nil
	case "transfer":
		if *itemsFile == "" {
			return fmt.Errorf("%w: exchange transfer needs --items FILE", errUsage)
		}
		ids, err := readBarcodes(*itemsFile)
		if err != nil {
			return err
		}
		a, err := svc.TransferExchange(ctx, core.ExchangeTransferRequest{Library: *f.library, Recipient: *to, RecipientID: *toID,
			Items: ids, ApprovedBy: *by, Commission: core.Commission{Chair: *chair, Members: *members}})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "transfer act %s approved by %s: Nr. %s, %d copies (EUR %s) given to %s\n", a.ID, a.ApprovedBy, a.Number,
			len(a.Copies), eur(a.Tally.Value), a.Recipient)
		return nil
	}
	// act
	if f.fs.NArg() != 1 {
		return fmt.Errorf("%w: exchange act ID [--csv]", errUsage)
	}
	a, err := svc.ExchangeTransferByID(ctx, f.fs.Arg(0))
	if err != nil {
		return err
	}
	if *asCSV {
		cw := csv.NewWriter(stdout)
		_ = cw.Write([]string{"akts", "datums", "saņēmējs", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts", "izdevuma_tips",
			"daudzums", "vērtība_eur"})
		num, date := a.Number.String(), a.Date.Format(time.DateOnly)
		for i, c := range a.Copies {
			_ = cw.Write([]string{num, date, a.Recipient, strconv.Itoa(i + 1), c.InventoryNumber, c.ID, describe(c),
				accounting.TypeOfMaterial(c.Material).String(), "1", eur(c.Value)})
		}
		_ = cw.Write([]string{num, date, a.Recipient, "kopā", "", "", "", "", strconv.Itoa(a.Tally.Copies()), eur(a.Tally.Value)})
		cw.Flush()
		return cw.Error()
	}
	printTransferAct(stdout, &a, libraryName(svc, a.Library))
	return nil
}

// printTransferAct prints a transfer act of the exchange collection (§40;
// the regulation gives it no annex, so it follows the write-off act's).
func printTransferAct(w io.Writer, a *core.ExchangeTransfer, libName string) {
	fmt.Fprintf(w, "Nodošanas akts Nr. %s\npar iespieddarbu un citu dokumentu nodošanu no apmaiņas krājuma\n", a.Number)
	fmt.Fprintf(w, "APSTIPRINU %s, %s\n\n", a.ApprovedBy, lvDate(a.Date))
	if a.Commission.Chair != "" {
		printCommission(w, a.Commission)
		fmt.Fprintln(w)
	}
	to := a.Recipient
	if a.RecipientID != "" {
		to += " (reģ. Nr. " + a.RecipientID + ")"
	}
	fmt.Fprintf(w, "%s %s bez atlīdzības nodod %s iespieddarbus un citus dokumentus no apmaiņas krājuma (40. punkts).\n",
		lvDate(a.Date), libName, to)
	fmt.Fprintf(w, "Pavisam nodoti %d iespieddarbi un citi dokumenti par summu EUR %s\n", a.Tally.Copies(), eur(a.Tally.Value))
	fmt.Fprintf(w, "\nNodošanas akta Nr. %s pielikums\nNodoto iespieddarbu un citu dokumentu saraksts\n", a.Number)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Nr. p.k.\tInventāra numurs\tSvītrkods\tIzdevuma apraksts\tDaudzums\tVērtība")
	for i, c := range a.Copies {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t1\t%s\n", i+1, c.InventoryNumber, c.ID, describe(c), eur(c.Value))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nNodeva ____________ %s\nPieņēma ____________ %s\n", a.ApprovedBy, a.Recipient)
}

func moveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAccountingFlags("move", stderr)
	from := f.fs.String("from", "", "the library the copies leave")
	to := f.fs.String("to", "", "the library they go to")
	itemsFile := f.fs.String("items", "", "file of barcodes to move (one a line, - for stdin)")
	by := f.fs.String("by", "", "the person signing the movement")
	cn := f.fs.String("call-number", "", "the copies' shelf index at the new branch")
	svc, done, err := f.open(ctx, args)
	if err != nil {
		return err
	}
	defer done()
	if *itemsFile == "" {
		return fmt.Errorf("%w: move needs --items FILE", errUsage)
	}
	ids, err := readBarcodes(*itemsFile)
	if err != nil {
		return err
	}
	m, err := svc.MoveCopies(ctx, core.MoveRequest{From: *from, To: *to, Items: ids, By: *by, CallNumber: *cn})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "movement %s signed by %s: Nr. %s, %d copies (EUR %s) moved from %s to %s\n", m.ID, m.By, m.Number,
		len(m.Copies), eur(m.Tally.Value), m.From, m.To)
	return nil
}

func historyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAccountingFlags("history", stderr)
	asCSV := f.fs.Bool("csv", false, "as CSV")
	svc, done, err := f.open(ctx, args)
	if err != nil {
		return err
	}
	defer done()
	if f.fs.NArg() != 1 {
		return fmt.Errorf("%w: history BARCODE [--csv]", errUsage)
	}
	h, err := svc.History(ctx, f.fs.Arg(0))
	if err != nil {
		return err
	}
	head := []string{"SEQ", "DATE", "EVENT", "LIBRARY", "CALL NUMBER", "EUR", "ACT", "DETAIL", "BY"}
	row := func(e core.HistoryEntry) []string {
		lib := e.Library
		if e.From != "" {
			lib = e.From + " -> " + e.Library
		}
		act := e.Act
		if act != "" && e.Kind != "" {
			act = e.Kind + " " + act
		}
		return []string{strconv.Itoa(e.Seq), e.At.Format("2006-01-02 15:04"), string(e.Event), lib, e.CallNumber, eur(e.Value), act,
			e.Detail, e.By}
	}
	if *asCSV {
		cw := csv.NewWriter(stdout)
		_ = cw.Write(head)
		for _, e := range h {
			_ = cw.Write(row(e))
		}
		cw.Flush()
		return cw.Error()
	}
	if len(h) == 0 {
		fmt.Fprintf(stdout, "%s has no recorded history (entered before bibgate kept it)\n", f.fs.Arg(0))
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, e := range h {
		fmt.Fprintln(tw, strings.Join(row(e), "\t"))
	}
	return tw.Flush()
}
