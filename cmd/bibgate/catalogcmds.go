package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/bibgate/bibgate/adapters/catfeed"
	"github.com/bibgate/bibgate/adapters/holdings"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/internal/gencat"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/cqlquery"
	"github.com/bibgate/bibgate/search/rpnquery"
	"github.com/bibgate/bibgate/z3950"
)

// catalogueFile is the catalogue's file name inside the data directory
// (the name bibgate serve uses).
const catalogueFile = "catalogue.db"

// catalogueFlags adds the flags every catalogue command shares.
func catalogueFlags(fs *pflag.FlagSet) (cfgPath, dataDir *string) {
	cfgPath = fs.String("config", "", "TOML configuration file, for its data_dir (default: the embedded demo configuration)")
	dataDir = fs.String("data-dir", "", "directory of the data files (overrides data_dir; default ./bibgate-data)")
	return cfgPath, dataDir
}

// catalogueDir resolves the data directory from --config and --data-dir.
func catalogueDir(cfgPath, dataDir string) (string, error) {
	if dataDir != "" {
		return dataDir, nil
	}
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return "", err
	}
	return cfg.DataDir, nil
}

// openCatalogue opens the catalogue file of dir. With create false, a
// missing file is an error rather than a new empty catalogue.
func openCatalogue(dir string, create bool) (*catalog.Catalogue, error) {
	path := filepath.Join(dir, catalogueFile)
	if create {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no catalogue at %s (import records first): %w", path, err)
	}
	c, err := catalog.Open(path, nil)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s is locked: is bibgate serve running on this data dir?", path)
	}
	return c, err
}

// runImport loads MARC files into the catalogue of a data directory.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("import", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: bibgate import [--data-dir DIR] FILE...\n\n"+
			"Loads ISO 2709 or MARCXML records (detected; MARC-8 converted to UTF-8) into the\n"+
			"catalogue; a record whose 001 is already there is replaced. \"-\" reads standard input.\n"+
			"Copies in the records' holdings fields (Koha 952 by default; MARC 21 852/876 or a\n"+
			"custom layout with [holdings] in the config) are created or updated; a copy on loan\n"+
			"stays on loan. Copies that cannot be mapped are listed with record, field and reason.\n\nFlags:")
		fs.PrintDefaults()
	}
	cfgPath, dataDir := catalogueFlags(fs)
	batch := fs.Int("batch", 5000, "records indexed per transaction")
	quiet := fs.BoolP("quiet", "q", false, "no progress bar")
	noCopies := fs.Bool("no-copies", false, "records only: do not create copies from their holdings fields (952, 852/876, [holdings])")
	server := fs.String("server", "", "import into a running bibgate serve through its admin listener, e.g. http://127.0.0.1:9100")
	token := fs.String("token", "", "the server's admin token (default: $"+adminTokenEnv+")")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: which files? (bibgate import FILE...)", errUsage)
	}
	if *server != "" {
		if *token == "" {
			*token = os.Getenv(adminTokenEnv)
		}
		return importToServer(ctx, *server, *token, fs.Args(), stdout)
	}
	if *batch <= 0 {
		return fmt.Errorf("%w: --batch must be positive", errUsage)
	}
	for _, name := range fs.Args() {
		if name == "-" {
			continue
		}
		if _, err := os.Stat(name); err != nil {
			return err
		}
	}
	cfg, err := toolConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	dir := cfg.DataDir
	var copies *holdings.Importer
	if !*noCopies {
		var closeCore func()
		if copies, closeCore, err = copyImporter(ctx, cfg); err != nil {
			return err
		}
		defer closeCore()
	}
	var cat *catalog.Catalogue
	if cfg.Store.Backend == "postgres" {
		// The records go to the catalogue shared in PostgreSQL; the
		// gateways' indexes follow it, running or not.
		pg, shared, err := openSharedCatalogue(ctx, cfg)
		if err != nil {
			return err
		}
		defer pg.Close()
		cat = catalog.WriteOnly(catfeed.Feed{C: shared})
	} else if cat, err = openCatalogue(dir, true); err != nil {
		return err
	}
	defer cat.Close()
	var total catalog.ImportReport
	for _, name := range fs.Args() {
		var stored func(context.Context, []int, []*marc.Record) error
		if copies != nil {
			copies.Report = holdings.Report{}
			stored = copies.Batch
		}
		rep, err := importFile(ctx, cat, name, *batch, !*quiet && isTerminal(stderr), stderr, stored)
		if err != nil {
			return err
		}
		printImport(stdout, name, rep)
		if copies != nil {
			printCopies(stdout, copies.Report)
		}
		total.Records += rep.Records
		total.Dropped += rep.Dropped
		total.Repaired += rep.Repaired
		total.Reencoded += rep.Reencoded
		total.NoKey += rep.NoKey
		total.Replaced += rep.Replaced
		total.Elapsed += rep.Elapsed
	}
	if fs.NArg() > 1 {
		printImport(stdout, "all files", total)
	}
	if cfg.Store.Backend == "postgres" {
		fmt.Fprintln(stdout, "shared catalogue in PostgreSQL: the gateways' indexes follow it")
		return nil
	}
	st, err := cat.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalogue %s: %d records, %.1f MB\n", filepath.Join(dir, catalogueFile), st.Records, float64(st.Bytes)/1e6)
	return nil
}

// importToServer sends each file to a running server's admin listener.
func importToServer(ctx context.Context, server, token string, names []string, stdout io.Writer) error {
	for _, name := range names {
		var body io.Reader = os.Stdin
		size := int64(-1)
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				size = st.Size()
			}
			body = f
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(server, "/")+"/catalogue/import", body)
		if err != nil {
			return fmt.Errorf("%w: --server: %v", errUsage, err)
		}
		if size >= 0 {
			// The server refuses an import over its limit before reading it.
			req.ContentLength = size
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("import %s into %s: %w", name, server, err)
		}
		var rep struct {
			catalog.ImportReport
			Copies *holdings.Report `json:"copies"`
		}
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			return fmt.Errorf("import %s into %s: %s: %s", name, server, resp.Status, strings.TrimSpace(string(msg)))
		}
		err = json.NewDecoder(resp.Body).Decode(&rep)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("import %s into %s: reading the report: %w", name, server, err)
		}
		printImport(stdout, name, rep.ImportReport)
		if rep.Copies != nil {
			printCopies(stdout, *rep.Copies)
		}
	}
	return nil
}

func importFile(ctx context.Context, cat *catalog.Catalogue, name string, batch int, bar bool, stderr io.Writer,
	stored func(context.Context, []int, []*marc.Record) error) (catalog.ImportReport, error) {
	var in io.Reader = os.Stdin
	expect := int64(-1)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return catalog.ImportReport{}, err
		}
		defer f.Close()
		in = f
		if bar {
			expect = countRecords(f)
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return catalog.ImportReport{}, err
			}
		}
	}
	opts := catalog.ImportOptions{Batch: batch, Stored: stored}
	if bar {
		pb := progressbar.NewOptions64(expect,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(filepath.Base(name)),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("records"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		defer pb.Close()
		opts.Progress = func(n int) { _ = pb.Set(n) }
	}
	rep, err := cat.Import(ctx, bufio.NewReaderSize(in, 1<<20), opts)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	return rep, nil
}

// countRecords counts the records of a MARC file ahead of an import, for
// the progress bar: record terminators in ISO 2709, record start tags in
// MARCXML (an estimate). -1 means unknown. The caller rewinds f.
func countRecords(f *os.File) int64 {
	br := bufio.NewReaderSize(f, 1<<20)
	head, _ := br.Peek(512)
	xml := bytes.Contains(head, []byte("<"))
	tags := func(b []byte) int64 {
		return int64(bytes.Count(b, []byte("<record")) + bytes.Count(b, []byte("<marc:record")))
	}
	var n int64
	buf := make([]byte, 1<<20)
	var carry, joined []byte
	for {
		k, err := br.Read(buf)
		if xml {
			// Tags inside carry were counted with the previous chunk;
			// those across the boundary are counted now.
			joined = append(append(joined[:0], carry...), buf[:k]...)
			n += tags(joined) - tags(carry)
			carry = append(carry[:0], joined[max(0, len(joined)-16):]...)
		} else {
			n += int64(bytes.Count(buf[:k], []byte{0x1d}))
		}
		if err != nil {
			break
		}
	}
	if n == 0 {
		return -1
	}
	return n
}

// maxShownDefects is how many defects the import summary lists in full.
const maxShownDefects = 5

func printImport(w io.Writer, name string, rep catalog.ImportReport) {
	rate := 0.0
	if s := rep.Elapsed.Seconds(); s > 0 {
		rate = float64(rep.Records) / s
	}
	fmt.Fprintf(w, "%s: %d records stored in %s (%.0f records/s)\n", name, rep.Records, rep.Elapsed.Round(time.Millisecond), rate)
	printReplaced(w, rep)
	if rep.Dropped+rep.Repaired+rep.Reencoded+rep.NoKey == 0 {
		return
	}
	fmt.Fprintf(w, "  defects: %d dropped (unreadable), %d repaired, %d re-encoded, %d without 001 (key generated)\n",
		rep.Dropped, rep.Repaired, rep.Reencoded, rep.NoKey)
	for i, d := range rep.Defects {
		if i == maxShownDefects {
			fmt.Fprintf(w, "  ... %d more\n", rep.Dropped+rep.Repaired+rep.Reencoded-maxShownDefects)
			break
		}
		fmt.Fprintf(w, "  record %d at byte %d: %s: %s\n", d.Record, d.Offset, d.Kind, d.Reason)
	}
}

// runExport writes the whole catalogue as ISO 2709 or MARCXML.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("export", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath, dataDir := catalogueFlags(fs)
	asXML := fs.Bool("xml", false, "write a MARCXML collection instead of ISO 2709")
	out := fs.StringP("output", "o", "-", "output file (\"-\" is standard output)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *out == "-" && !*asXML && isTerminal(stdout) {
		return fmt.Errorf("%w: ISO 2709 is binary: give -o FILE, --xml, or redirect standard output", errUsage)
	}
	dir, err := catalogueDir(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	cat, err := openCatalogue(dir, false)
	if err != nil {
		return err
	}
	defer cat.Close()
	w, finish, err := createOutput(*out, stdout)
	if err != nil {
		return err
	}
	n, err := cat.Export(ctx, w, *asXML)
	if ferr := finish(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *out != "-" {
		fmt.Fprintf(stderr, "%d records written to %s\n", n, *out)
	}
	return nil
}

// createOutput opens name ("-" is stdout) behind a buffer; finish flushes
// and closes it.
func createOutput(name string, stdout io.Writer) (io.Writer, func() error, error) {
	if name == "-" {
		bw := bufio.NewWriterSize(stdout, 1<<16)
		return bw, bw.Flush, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	return bw, func() error {
		err := bw.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

// BriefRecord is one hit as bibgate search prints it.
type briefRecord struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Author string `json:"author"`
	Year   string `json:"year"`
}

// runSearch searches the catalogue with a CQL (default) or PQF query.
func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("search", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: bibgate search [--data-dir DIR] [--pqf] [--json] [--limit N] QUERY\n"+
			"       bibgate search --indexes [--json]\n\n"+
			"QUERY is CQL (dc.creator = berzins and dc.date >= 2000 sortBy dc.title), or with --pqf\n"+
			"a Z39.50 PQF query (@and @attr 1=1003 berzins @attr 1=4 dzejoli).\n\nFlags:")
		fs.PrintDefaults()
	}
	cfgPath, dataDir := catalogueFlags(fs)
	pqf := fs.Bool("pqf", false, "the query is PQF (Z39.50 prefix notation), not CQL")
	asJSON := fs.Bool("json", false, `print one JSON object {"hits": N, "records": [...]}`)
	limit := fs.Int("limit", 10, "records to show")
	indexes := fs.Bool("indexes", false, "list the indexes with their Bib-1 use attributes and CQL names, and exit")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *indexes {
		return printIndexes(stdout, *asJSON)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: no query", errUsage)
	}
	if *limit < 0 {
		return fmt.Errorf("%w: --limit must not be negative", errUsage)
	}
	text := strings.Join(fs.Args(), " ")
	q, sorts, err := parseQuery(text, *pqf)
	if err != nil {
		return err
	}
	dir, err := catalogueDir(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	cat, err := openCatalogue(dir, false)
	if err != nil {
		return err
	}
	defer cat.Close()
	res, err := cat.Search(ctx, q)
	if err != nil {
		return queryError(err, *pqf)
	}
	ids := res.IDs
	if len(sorts) > 0 {
		if ids, err = cat.Sort(ctx, ids, sorts...); err != nil {
			return err
		}
	}
	ids = ids[:min(*limit, len(ids))]
	recs, err := cat.Parsed(ctx, ids)
	if err != nil {
		return err
	}
	brief := make([]briefRecord, 0, len(recs))
	for _, r := range recs {
		if r != nil {
			brief = append(brief, briefOf(r))
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(struct {
			Hits    int           `json:"hits"`
			Records []briefRecord `json:"records"`
		}{res.Count, brief})
	}
	fmt.Fprintf(stdout, "%d hits\n", res.Count)
	for i, b := range brief {
		fmt.Fprintf(stdout, "%3d. %s  %s", i+1, b.ID, b.Title)
		if b.Author != "" {
			fmt.Fprintf(stdout, " / %s", b.Author)
		}
		if b.Year != "" {
			fmt.Fprintf(stdout, " (%s)", b.Year)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// parseQuery turns the command-line query into a search query and sort
// steps; bad queries are usage errors naming the diagnostic.
func parseQuery(text string, pqf bool) (search.Query, []search.SortSpec, error) {
	if !pqf {
		q, sorts, err := cqlquery.Parse(text)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", errUsage, queryError(err, false))
		}
		return q, sorts, nil
	}
	rpn, err := z3950.ParsePQF(text)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	q, err := rpnquery.FromRPN(rpn)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errUsage, queryError(err, true))
	}
	return q, nil, nil
}

// queryError words a query diagnostic as the protocol would report it.
func queryError(err error, pqf bool) error {
	if pqf {
		if d, ok := rpnquery.AsDiagnostic(err); ok {
			return fmt.Errorf("Bib-1 diagnostic %d (%s): %s", d.Condition, z3950.Bib1Message(d.Condition), d.AddInfo)
		}
		return err
	}
	e := cqlquery.AsError(err)
	if e.Code == 1 {
		return err
	}
	msg := e.Message()
	if msg == "" {
		msg = e.Reason
	}
	if e.Details != "" {
		msg += ": " + e.Details
	}
	return fmt.Errorf("SRU diagnostic %d (%s)", e.Code, msg)
}

// briefOf picks the record's id (001), title (245 $a $b), first author
// (100/110/111 $a) and year (008/07-10, else 260/264 $c).
func briefOf(r *marc.Record) briefRecord {
	b := briefRecord{ID: r.ControlNumber()}
	if f := r.First("245"); f != nil {
		b.Title = trimISBD(f.Text("abnp"))
	}
	for _, tag := range []string{"100", "110", "111"} {
		if f := r.First(tag); f != nil {
			b.Author = trimISBD(f.Sub('a'))
			break
		}
	}
	if f := r.First("008"); f != nil && len(f.Value) >= 11 {
		if y := f.Value[7:11]; isYear(y) {
			b.Year = y
		}
	}
	if b.Year == "" {
		for _, f := range r.FieldsByTag("260", "264") {
			for _, c := range f.Subs("c") {
				if y := firstYear(c); y != "" {
					b.Year = y
					break
				}
			}
			if b.Year != "" {
				break
			}
		}
	}
	return b
}

// trimISBD drops the trailing punctuation cataloguers put between
// elements (" /", " :", ",", ".").
func trimISBD(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), " /:;,=")
}

func isYear(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func firstYear(s string) string {
	for i := 0; i+4 <= len(s); i++ {
		if isYear(s[i:i+4]) && (i+4 == len(s) || s[i+4] < '0' || s[i+4] > '9') && (i == 0 || s[i-1] < '0' || s[i-1] > '9') {
			return s[i : i+4]
		}
	}
	return ""
}

// runGenCatalogue writes a synthetic catalogue for tests and benchmarks.
func runGenCatalogue(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("gen-catalogue", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.IntP("records", "n", 100000, "number of records")
	out := fs.StringP("output", "o", "-", "output file, ISO 2709 (\"-\" is standard output)")
	seed := fs.Int64("seed", 1, "random seed; the same seed and count give the same file")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *n < 0 {
		return fmt.Errorf("%w: -n must not be negative", errUsage)
	}
	if *out == "-" && isTerminal(stdout) {
		return fmt.Errorf("%w: ISO 2709 is binary: give -o FILE or redirect standard output", errUsage)
	}
	w, finish, err := createOutput(*out, stdout)
	if err != nil {
		return err
	}
	err = gencat.Generate(w, *n, *seed, nil)
	if ferr := finish(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(stderr, "%d records written to %s\n", *n, *out)
	}
	return nil
}
