package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

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
  writeoff --library ID --reason CODE (--stocktake ID | --items FILE) [--chair NAME] [--member NAME]...
           [--approve NAME]              draft a write-off act (annex 7); --approve also approves it
  writeoff approve ID --by NAME          approve a draft: its copies are withdrawn
  writeoff act ID [--csv]                print a write-off act, or its list as CSV
  writeoff list [--library ID]
  register --year YYYY [--library ID] [--csv]   summary register part 3 (annex 5) from the copies' records
  reasons                                the write-off reasons of §33 and their codes
  schedule --copies N                    the §30 stocktaking interval for a collection of N copies

stocktake, writeoff and register take --config FILE and --data-dir DIR as the other tools do.
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
			return fmt.Errorf("%w: stocktake open|scan|close|list|act", errUsage)
		}
		switch args[1] {
		case "open", "scan", "close", "list", "act":
			return stocktakeCmd(ctx, args[1], args[2:], stdout, stderr)
		case "-h", "--help":
			fmt.Fprint(stderr, accountingUsage)
			return pflag.ErrHelp
		}
		return fmt.Errorf("%w: stocktake %q: open, scan, close, list or act", errUsage, args[1])
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
	var chair, from, to *string
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
	svc, done, err := f.open(ctx, args)
	if err != nil {
		return err
	}
	defer done()
	cfg, err := toolConfig(*f.cfgPath, *f.dataDir)
	if err != nil {
		return err
	}
	var langs func(context.Context, []string) (map[string]string, error)
	if cat, err := openCatalogue(cfg.DataDir, false); err == nil {
		defer cat.Close()
		langs = cat.Languages
	} else {
		fmt.Fprintf(stderr, "no catalogue (%v): every copy counts in language \"other\"\n", err)
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
	head = append(head, "bilancē eks.", "bilancē EUR", "ārpus bilances eks.", "ārpus bilances EUR")
	cells := func(r accounting.Row) []string {
		out := []string{strconv.Itoa(r.Total.Copies)}
		for _, t := range accounting.Types() {
			out = append(out, strconv.Itoa(r.ByType[t].Copies))
		}
		for _, l := range accounting.Languages() {
			out = append(out, strconv.Itoa(r.ByLanguage[l].Copies))
		}
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
